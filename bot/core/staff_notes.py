"""What the staff chat may say: the one place that decides, for every staff note.

Without the web console the staff chat is the clinic's only view, so notes carry what
they always carried (an intake's whole summary, say). With the console on, the staff
chat is an ordinary group on someone else's servers: notes then say only what happened
and link to the console, where the details sit behind a login, roles and an audit log.
Either way a note never quotes what a patient typed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from bot.core.replies import Reply, staff_note

# Records an event for the console (kind, chat id, rule, intake id); no message text.
EventSink = Callable[[str, int, str | None, int | None], Awaitable[None]]

EMERGENCY = "emergency"
URGENT = "urgent"
CONTACT_REQUEST = "contact_request"
# A next-day check-in that needs a call back (high soreness); chest pain is an emergency.
CHECK_IN = "check_in"


async def _no_sink(kind: str, chat_id: int, rule: str | None, intake_id: int | None) -> None:
    return None


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True)
class StaffNotes:
    """Builds staff notes; `console_url` set means the console is on and notes are bare."""

    console_url: str | None = None
    record: EventSink = _no_sink

    @property
    def console_on(self) -> bool:
        """Whether health details stay in the console (notes carry a link instead)."""
        return self.console_url is not None

    def link(self, path: str) -> str:
        """The console address of `path` (e.g. `/intakes/12`)."""
        return f"{self.console_url}{path}"

    def intake_submitted(self, intake_id: int, flag_levels: Sequence[str], full_text: str) -> Reply:
        """A submitted intake: its whole summary, or with the console its number and flags."""
        if not self.console_on:
            return staff_note(full_text, title="New intake form")
        flags = _plural(len(flag_levels), "red flag")
        emergency = sum(1 for level in flag_levels if level == EMERGENCY)
        if emergency:
            flags += f" ({emergency} emergency)"
        return staff_note(
            f"New intake #{intake_id} — {flags} — {self.link(f'/intakes/{intake_id}')}",
            title="New intake form",
        )

    async def intake_emergency(
        self, chat_id: int, intake_id: int, flag_ids: Sequence[str], full_text: str
    ) -> Reply:
        """An emergency answer stopped an intake; flags are named by id with the console."""
        for flag_id in flag_ids:
            await self.record(EMERGENCY, chat_id, flag_id, intake_id)
        if not self.console_on:
            return staff_note(full_text, title="Intake emergency")
        return staff_note(
            f"Emergency reply sent to chat {chat_id}: an answer in intake #{intake_id} "
            f"raised {', '.join(flag_ids)}. The intake was stopped. Please follow up — "
            f"{self.link(f'/intakes/{intake_id}')}",
            title="Intake emergency",
        )

    def treatment_consent(self, chat_id: int, intake_id: int, *, declined: bool) -> Reply:
        """The patient has questions about treatment, or declined it; with the console on
        the note says only that intake N needs a word about consent, and links to it."""
        if self.console_on:
            return staff_note(
                f"Intake #{intake_id} (chat {chat_id}) needs a word about consent to "
                f"treatment before the visit — {self.link(f'/intakes/{intake_id}')}",
                title="Consent to treatment",
            )
        if declined:
            text = (
                f"The patient in chat {chat_id} (intake #{intake_id}) answered No to "
                "consent to IMS treatment. The form goes on; please discuss before any needling."
            )
        else:
            text = (
                f"The patient in chat {chat_id} (intake #{intake_id}) has questions about "
                "IMS treatment before agreeing to it. Please contact them before the visit."
            )
        return staff_note(text, title="Consent to treatment")

    def screen_emergency(self, chat_id: int, rule_id: str, intake_id: int | None) -> Reply:
        """The emergency screen fired (rule named, the patient's words never)."""
        during = f" during intake #{intake_id}; the intake was stopped" if intake_id else ""
        if self.console_on:
            return staff_note(
                f"Emergency reply sent to chat {chat_id} (rule {rule_id}){during}. "
                f"Please follow up — {self.link('/events')}",
                title="Emergency",
            )
        return staff_note(
            f"The emergency screen (rule {rule_id}) fired in chat {chat_id}{during}. "
            "Please follow up.",
            title="Intake emergency",
        )

    async def check_in(
        self, chat_id: int, finding: str, *, emergency: bool, full_text: str
    ) -> Reply:
        """A next-day check-in that needs staff: recorded for the console's Alerts page, and
        a note that says what was reported and how soon to call (the console's link with
        it, or `full_text` without the console)."""
        await self.record(EMERGENCY if emergency else CHECK_IN, chat_id, finding, None)
        if not self.console_on:
            return staff_note(full_text, title="Appointments")
        if emergency:
            text = (
                f"URGENT: at the next-day check-in, chat {chat_id} reported {finding}; they "
                f"were shown the emergency message. Call them now — {self.link('/events')}"
            )
        else:
            text = (
                f"Next-day check-in, chat {chat_id}: {finding}. Please call them back "
                f"today — {self.link('/events')}"
            )
        return staff_note(text, title="Appointments")

    async def contact_request(self, chat_id: int, first_name: str | None) -> Reply:
        """Someone asked to talk to a person."""
        await self.record(CONTACT_REQUEST, chat_id, None, None)
        if self.console_on:
            return staff_note(
                f"Contact request from chat {chat_id} — {self.link('/events')}",
                title="Contact request",
            )
        who = f" ({first_name})" if first_name else ""
        return staff_note(
            f"A person in chat {chat_id}{who} asked to talk to someone. "
            "Please get in touch through the bot's chat or their booking details.",
            title="Contact request",
        )
