"""What the staff chat may say: the one place that decides, for every staff note.

Without the web console the staff chat is the clinic's only view, so notes carry what
they always carried (an intake's whole summary, say). With the console on, the staff
chat is an ordinary group on someone else's servers: notes then say only what happened
and link to the console, where the details sit behind a login, roles and an audit log.
Either way a note never quotes what a patient typed, with one exception: once staff have
written to a patient (a handoff), the patient's answers are for staff, and without the
console the staff chat is where staff read them.

Every alert note asks only for what staff can do: find the patient by the appointment(s)
linked to the chat (reference, time, type) in their booking system, or write to them
through the bot, by replying to the note (it names its alert's number) or on the
console's Alerts page.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.record_numbers import record_number
from bot.core.replies import Reply, staff_note

# Records an event for the console (kind, chat id, rule, intake id; no message text) and
# returns its number, which the note names so staff can answer it; None: nothing kept.
EventSink = Callable[[str, int, str | None, int | None], Awaitable[int | None]]
# The appointments linked to a chat, one line each (reference, time, type; no patient text).
AppointmentLookup = Callable[[int], Awaitable[list[str]]]
# Whether an event of a kind for a chat, recorded since a time, still waits for staff (not
# handled): read from where the events are recorded, so a restart forgets nothing.
WaitingLookup = Callable[[str, int, datetime], Awaitable[bool]]

EMERGENCY = "emergency"
URGENT = "urgent"
CONTACT_REQUEST = "contact_request"
# A next-day check-in that needs a call back (high soreness); chest pain is an emergency.
CHECK_IN = "check_in"
# A rule's emergency judged not happening now, answered with the warning signs.
CAUTION = "caution"
# Words of a plan, a means or a farewell without an emergency rule.
SELF_HARM = "self_harm"
# The rule whose reply adds the crisis line (9-8-8) to 911.
SELF_HARM_RULE = "suicide_self_harm"

# How a note names its alert; a staff reply to the note is matched back by it.
_ALERT_REF = re.compile(r"\balert #(\d+)\b", re.IGNORECASE)


def alert_ref(number: int) -> str:
    """How notes and the console name an alert."""
    return f"alert #{number}"


def alert_numbers(note_text: str) -> list[int]:
    """The alerts a note's text names, in order, each once."""
    numbers = (record_number(found) for found in _ALERT_REF.findall(note_text))
    return list(dict.fromkeys(number for number in numbers if number is not None))


async def _no_sink(kind: str, chat_id: int, rule: str | None, intake_id: int | None) -> int | None:
    return None


async def _no_appointments(chat_id: int) -> list[str]:
    return []


async def _nothing_waiting(kind: str, chat_id: int, since: datetime) -> bool:
    return False  # nothing recorded: every request alerts staff, the safe side


@dataclass(frozen=True)
class SafetyAlert:
    """What the safety stage tells staff about one message (never its words)."""

    kind: str  # EMERGENCY, URGENT, CAUTION or SELF_HARM
    rule_id: str
    language: str
    chat_id: int | None
    by_model: bool = False  # the learned second opinion decided; no rule matched
    p_not_now: float | None = None  # CAUTION: the judge's P(not happening now)


_SAFETY_TITLES = {
    EMERGENCY: "Possible emergency",
    URGENT: "Urgent: call back today",
    CAUTION: "Possible emergency answered cautiously",
    SELF_HARM: "Possible self-harm words",
}
# What staff should do first, per kind of alert (the ways to reach them follow).
_FIRST_STEP = {
    EMERGENCY: "Check that they got help",
    URGENT: "Call them back today",
    CAUTION: "Check with them if in doubt",
    SELF_HARM: "Check on them today",
    CHECK_IN: "Call them back today",
    CONTACT_REQUEST: "Get in touch",
}


def safety_alert_text(alert: SafetyAlert) -> str:
    """What happened, as the staff note tells it (the rule, the language, what the patient
    was told; never their words)."""
    where = f"chat {alert.chat_id}" if alert.chat_id is not None else "a chat"
    rule_id = alert.rule_id
    if alert.by_model:
        rule_id = f"{rule_id}: decided by the learned second opinion, no rule matched"
    if alert.kind == CAUTION:
        p = f"; P {alert.p_not_now:.3f}" if alert.p_not_now is not None else ""
        # A wrong "not now" is a possible missed emergency: a person looks, at little cost.
        return (
            f"The safety screen found the words of a possible emergency ({rule_id}) in "
            f"{where} (language: {alert.language}) but judged it not happening now "
            f"(history, a denial, a question, someone else's story or a figure of speech{p})."
            " The patient got the answer with the warning signs, which say to call 911 if "
            "any happen now."
        )
    if alert.kind == SELF_HARM:
        return (
            "The safety screen found words that may tell of self-harm (a plan, a means, a "
            f"place or a farewell) in {where} (language: {alert.language}), without an "
            "emergency rule. The patient got the answer with the crisis line (9-8-8) and 911."
        )
    if alert.kind == URGENT:
        return (
            f"The safety screen recognised an urgent problem ({rule_id}) in {where} "
            f"(language: {alert.language}). The patient was told to see a doctor today "
            "(family doctor, walk-in or urgent care, or 811)."
        )
    told = (
        "told to call 911 if anything was taken, someone is hurt or they might act now, "
        "and given the crisis line (9-8-8, call or text)"
        if alert.rule_id == SELF_HARM_RULE
        else "told to call 911 now"
    )
    return (
        f"The safety screen recognised a possible emergency ({rule_id}) in {where} "
        f"(language: {alert.language}). The patient was {told}."
    )


def safety_alert_note(alert: SafetyAlert) -> Reply:
    """The safety stage's note before it is recorded (no alert number, no appointments):
    what the stage alone can say."""
    return staff_note(
        f"{safety_alert_text(alert)} {_reach(alert.kind, None, [], None)}",
        title=_SAFETY_TITLES.get(alert.kind, "Safety"),
    )


def _reach(
    kind: str,
    number: int | None,
    appointments: Sequence[str],
    link: str | None,
    *,
    appointment_below: bool = False,
) -> str:
    """The alert's number, what to do, the ways staff can reach the chat, and its linked
    appointments (`appointment_below`: the caller adds the appointment's line itself)."""
    first = _FIRST_STEP.get(kind, "Get in touch").lower()
    ways = []
    if appointments or appointment_below:
        ways.append("find them in your booking system by the appointment below")
    if number is not None:
        ways.append("reply to this message to write to them through the bot")
        if link is not None:
            ways.append(f"write to them from the Alerts page ({link})")
    elif link is not None:
        ways.append(f"see the Alerts page ({link})")
    lead = f"{alert_ref(number).capitalize()}: {first}" if number is not None else f"Please {first}"
    text = f"{lead} — {_either(ways)}." if ways else f"{lead}."
    if appointments:
        label = "Linked appointment" if len(appointments) == 1 else "Linked appointments"
        text += f"\n{label}: " + "; ".join(appointments)
    elif not appointment_below and (number is not None or link is not None):
        text += "\nNo appointment is linked to this chat."
    return text


def _either(ways: list[str]) -> str:
    return ways[0] if len(ways) == 1 else ", ".join(ways[:-1]) + ", or " + ways[-1]


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


@dataclass(frozen=True)
class StaffNotes:
    """Builds staff notes; `console_url` set means the console is on and notes are bare."""

    console_url: str | None = None
    record: EventSink = _no_sink
    appointments: AppointmentLookup = _no_appointments
    waiting: WaitingLookup = _nothing_waiting

    @property
    def console_on(self) -> bool:
        """Whether health details stay in the console (notes carry a link instead)."""
        return self.console_url is not None

    def link(self, path: str) -> str:
        """The console address of `path` (e.g. `/intakes/12`)."""
        return f"{self.console_url}{path}"

    def _alerts_link(self) -> str | None:
        return self.link("/events") if self.console_on else None

    async def _how_to_reach(
        self, kind: str, chat_id: int, number: int | None, *, appointments: bool = True
    ) -> str:
        """The ways to reach the chat; the linked appointments stay in the console when it
        is on (the staff chat is someone else's servers)."""
        found = await self.appointments(chat_id) if appointments and not self.console_on else []
        return _reach(kind, number, found, self._alerts_link())

    async def safety_alert(self, alert: SafetyAlert) -> Reply:
        """The safety stage's alert, recorded for the Alerts page: what happened, its number,
        and how to reach the patient."""
        title = _SAFETY_TITLES.get(alert.kind, "Safety")
        if alert.chat_id is None:
            return safety_alert_note(alert)
        number = await self.record(alert.kind, alert.chat_id, alert.rule_id, None)
        reach = await self._how_to_reach(alert.kind, alert.chat_id, number)
        if self.console_on:
            return staff_note(
                f"{title} in chat {alert.chat_id} (rule {alert.rule_id}). {reach}", title=title
            )
        return staff_note(f"{safety_alert_text(alert)} {reach}", title=title)

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
        numbers = [
            await self.record(EMERGENCY, chat_id, flag_id, intake_id) for flag_id in flag_ids
        ]
        number = next((found for found in numbers if found is not None), None)
        reach = await self._how_to_reach(EMERGENCY, chat_id, number)
        if not self.console_on:
            return staff_note(f"{full_text}\n{reach}", title="Intake emergency")
        return staff_note(
            f"Emergency reply sent to chat {chat_id}: an answer in intake #{intake_id} "
            f"raised {', '.join(flag_ids)}. The intake was stopped — "
            f"{self.link(f'/intakes/{intake_id}')}. {reach}",
            title="Intake emergency",
        )

    def treatment_consent(self, chat_id: int, intake_id: int, *, declined: bool) -> Reply:
        """A sent form says the patient has questions about treatment, or declined it; with
        the console on the note says only that intake N needs a word about consent, and
        links to it."""
        if self.console_on:
            return staff_note(
                f"Intake #{intake_id} (chat {chat_id}) needs a word about consent to "
                f"treatment before the visit — {self.link(f'/intakes/{intake_id}')}",
                title="Consent to treatment",
            )
        if declined:
            text = (
                f"The patient in chat {chat_id} answered No to consent to IMS treatment in "
                f"the intake form they sent (#{intake_id}). Please discuss before any needling."
            )
        else:
            text = (
                f"The patient in chat {chat_id} (intake #{intake_id}) has questions about "
                "IMS treatment before agreeing to it. Please contact them before the visit."
            )
        return staff_note(text, title="Consent to treatment")

    def screen_emergency(self, chat_id: int, rule_id: str, intake_id: int | None) -> Reply:
        """The emergency screen stopped an intake: a line the assistant joins to the
        screen's own alert note (which says how to reach the patient); the rule named, the
        patient's words never."""
        during = f" during intake #{intake_id}" if intake_id else ""
        where = f" — {self.link(f'/intakes/{intake_id}')}" if self.console_on and intake_id else ""
        return staff_note(
            f"The emergency (rule {rule_id}) in chat {chat_id} came{during}; the intake was "
            f"stopped{where}.",
            title="Intake emergency",
        )

    async def check_in(
        self, chat_id: int, finding: str, *, emergency: bool, full_text: str
    ) -> Reply:
        """A next-day check-in that needs staff: recorded for the console's Alerts page, and
        a note that says what was reported and how soon to call (the console's link with
        it, or `full_text` without the console). The caller adds the appointment's line."""
        kind = EMERGENCY if emergency else CHECK_IN
        number = await self.record(kind, chat_id, finding, None)
        reach = _reach(kind, number, [], self._alerts_link(), appointment_below=True)
        if not self.console_on:
            return staff_note(f"{full_text}\n{reach}", title="Appointments")
        if emergency:
            text = (
                f"URGENT: at the next-day check-in, chat {chat_id} reported {finding}; they "
                f"were shown the emergency message. Call them now. {reach}"
            )
        else:
            text = f"Next-day check-in, chat {chat_id}: {finding}. {reach}"
        return staff_note(text, title="Appointments")

    async def contact_waiting(self, chat_id: int, since: datetime) -> bool:
        """Whether a contact request this chat made since `since` still waits for staff."""
        return await self.waiting(CONTACT_REQUEST, chat_id, since)

    async def contact_request(self, chat_id: int, first_name: str | None) -> Reply:
        """Someone asked to talk to a person."""
        number = await self.record(CONTACT_REQUEST, chat_id, None, None)
        reach = await self._how_to_reach(CONTACT_REQUEST, chat_id, number)
        if self.console_on:
            return staff_note(
                f"Contact request from chat {chat_id}. {reach}", title="Contact request"
            )
        who = f" ({first_name})" if first_name else ""
        return staff_note(
            f"A person in chat {chat_id}{who} asked to talk to someone. {reach}",
            title="Contact request",
        )

    def patient_wrote(
        self, event_id: int, chat_id: int, text: str, safety: str | None, edited: bool = False
    ) -> Reply:
        """The patient answered in a conversation staff opened under alert `event_id`: their
        words (only without the console; with it, where to read them), whether the bot gave
        a safety reply at once, and how to answer. `edited`: they changed a message they had
        sent, and `text` is what it says now."""
        ref = alert_ref(event_id)
        title = "Patient's message, edited" if edited else "Patient's message"
        # "wrote" then ":" and the words, or "wrote to the clinic team" (console).
        wrote = "changed a message they had sent" if edited else "wrote"
        now_reads = "; it now reads" if edited else ""
        told = (
            f"\nThe bot gave them the {safety} reply at once"
            f"{' (call 911 now)' if safety == EMERGENCY else ''}."
            if safety in (EMERGENCY, URGENT)
            else ""
        )
        how = f"Reply to this message to answer them through the bot; /close {event_id} ends it."
        if self.console_on:
            return staff_note(
                f"The patient of {ref} (chat {chat_id}) {wrote} to the clinic team; read it on "
                f"the Alerts page ({self.link(f'/events#alert-{event_id}')}).{told}\n{how}",
                title=title,
            )
        return staff_note(
            f"The patient of {ref} (chat {chat_id}) {wrote}{now_reads}:\n{text}{told}\n{how}",
            title=title,
        )

    def patient_sent_media(self, event_id: int, chat_id: int, kind: str) -> Reply:
        """The patient sent a photo, voice note or file in the conversation: it was not
        passed on (only typed text is), and they were asked to write it or call."""
        return staff_note(
            f"The patient of {alert_ref(event_id)} (chat {chat_id}) sent a {kind}. The bot "
            "passes on typed text only, so it did not reach you; the patient was asked to "
            "write it in words or call the clinic. To see it, ask them to bring it to their "
            f"visit or call them. /close {event_id} ends the conversation.",
            title="Patient sent a file",
        )

    def patient_erased(self, event_id: int) -> Reply:
        """The patient erased their data with /forget during a conversation: it has ended,
        and the bot no longer knows their chat (no chat id: they asked to be forgotten)."""
        return staff_note(
            f"The patient of {alert_ref(event_id)} erased their data with /forget. The "
            "conversation has ended and the bot can no longer reach them; the clinic's own "
            "records are not affected.",
            title="Conversation ended",
        )

    def handoff_ended(self, event_id: int, chat_id: int) -> Reply:
        """The patient went back to the bot: their messages no longer reach staff."""
        return staff_note(
            f"The patient of {alert_ref(event_id)} (chat {chat_id}) went back to the assistant: "
            "their messages no longer reach you. Writing to them opens the conversation again.",
            title="Conversation ended",
        )
