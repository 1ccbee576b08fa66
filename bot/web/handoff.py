"""A conversation between staff and the patient of an alert, through the bot.

Staff write from the console's Alerts page, with `/reply N text` in a staff chat, or by
replying to an alert's note there (asked to confirm first: staff talk among themselves
under notes too). What they type goes to the alert's chat marked as from the clinic team,
and opens a handoff (`handoff_thread.py`): for `Settings.handoff_window` the patient's
messages reach staff (the thread under the alert, and a note in the staff chat they can
reply to), after the safety stage has answered them as always. The patient is told once
how it works and when to expect an answer; `/bot` or a button takes them back to the
assistant, and staff end it with `/close N` or on the Alerts page.

Both sides' words are kept only encrypted in the thread, never logged; the audit log says
who wrote to which alert, and when.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import Enum

from bot.content.clinic import WEEKDAYS, Clinic, clock_time, weekday_name
from bot.core.assistant import Assistant, ChatRef, CommandSpec, SafetyVerdict
from bot.core.outbound import DeliveryError, DeliveryKind, RecipientUnreachable
from bot.core.recent import RecentMemory
from bot.core.record_numbers import record_number
from bot.core.replies import Button, Reply
from bot.core.staff_notes import (
    EMERGENCY,
    URGENT,
    StaffNotes,
    alert_numbers,
    alert_ref,
)
from bot.intake.conversation import FormWaiting
from bot.web.accounts import Account, utc_now
from bot.web.audit import AuditLog
from bot.web.events import StaffEventLog
from bot.web.handoff_thread import BOT, PATIENT, STAFF, HandoffThread

logger = logging.getLogger(__name__)

# Sends one reply to a patient's chat (the running bot's outbound, or the Bot API).
PatientSend = Callable[[int, Reply], Awaitable[object]]
# The language a chat's patient reads ("fr", "en"), when an appointment link told it.
LanguageOf = Callable[[int], Awaitable[str | None]]

# Telegram's limit is 4096 characters; the title takes some.
MAX_MESSAGE_CHARS = 3500
FROM_CLINIC = {
    "en": "Message from the clinic team",
    "fr": "Message de l'équipe de la clinique",
}
REPLY_COMMAND = "reply"
CLOSE_COMMAND = "close"
BACK_COMMAND = "bot"
HANDOFF_PREFIX = "handoff"
HANDOFF_ROUTE = "handoff"
END_ACTION = f"{HANDOFF_PREFIX}:end"
# Replies to notes waiting for "Send" (in memory only: a restart drops them, never sends).
PENDING_KEPT = 200
# The longest a handoff stays open with no new staff message (a long weekend, closed).
HANDOFF_CAP = timedelta(days=4)
# Marks, in the thread, what a patient changed in a message they had sent.
EDITED_MARK = "(edited) "


class Outcome(Enum):
    """What became of a staff message to a patient."""

    SENT = "sent"
    EMPTY = "empty"
    TOO_LONG = "too long"
    NO_ALERT = "no such alert"
    ERASED = "erased"
    NO_CHANNEL = "no channel"
    UNREACHABLE = "unreachable"
    FAILED = "failed"
    CLOSED = "closed"
    NOT_OPEN = "not open"


OUTCOME_WORDS = {
    Outcome.SENT: "Sent to the patient of {ref}.",
    Outcome.EMPTY: "Type a message first.",
    Outcome.TOO_LONG: f"That message is too long (at most {MAX_MESSAGE_CHARS} characters).",
    Outcome.NO_ALERT: "There is no {ref}.",
    Outcome.ERASED: "The patient of {ref} erased their data with /forget: the bot no longer "
    "knows their chat.",
    Outcome.NO_CHANNEL: "The bot is not running here, so it cannot send messages. Call the "
    "patient instead.",
    Outcome.UNREACHABLE: "The patient of {ref} has blocked the bot or left the chat: call "
    "them instead.",
    Outcome.FAILED: "Telegram did not take the message for {ref}; try again in a minute.",
    Outcome.CLOSED: "The conversation with the patient of {ref} is closed: their messages go "
    "to the assistant again, and they were told.",
    Outcome.NOT_OPEN: "No conversation with the patient of {ref} is open.",
}

# What the patient reads about the conversation, by language.
_PATIENT_WORDS = {
    "en": {
        "notice": "From now until {until}, what you write here goes to the clinic team, not "
        "to the assistant. {hours} If this is an emergency, call {emergency} now: do not wait "
        "for an answer. To go back to the assistant, tap the button below or send /bot.",
        "open": "The clinic is open now (until {end}), so someone should read it soon.",
        "closed": "The clinic is closed now; the team will read it when it opens ({next}).",
        "no_hours": "The team reads messages during clinic hours.",
        "passed": "Passed on to the clinic team.",
        "back": "You are back with the assistant: your messages no longer go to the clinic "
        "team. Ask me a question, or tap Talk to a person to reach them again.",
        "already": "You are talking with the assistant. Ask me a question, or send /help.",
        "staff_closed": "The clinic team ended this conversation, and you are back with the "
        "assistant. To reach them again, tap Talk to a person or call {phone}.",
        "button": "Back to the assistant",
        "at": "{day} at {time}",
        "form": "Your intake form is still open: what you type answers its questions until "
        "you finish it, or type stop to pause it. After that, your messages go to the clinic "
        "team.",
        "only_text": "Only typed messages reach the clinic team here: photos, voice messages "
        "and files do not. Please describe it in words, or call the clinic at {phone}. If "
        "this is an emergency, call {emergency} now.",
    },
    "fr": {
        "notice": "À partir de maintenant et jusqu'à {until}, ce que vous écrivez ici va à "
        "l'équipe de la clinique, et non à l'assistant. {hours} En cas d'urgence, appelez le "
        "{emergency} tout de suite : n'attendez pas de réponse. Pour revenir à l'assistant, "
        "touchez le bouton ci-dessous ou envoyez /bot.",
        "open": "La clinique est ouverte en ce moment (jusqu'à {end}) : quelqu'un devrait "
        "vous lire bientôt.",
        "closed": "La clinique est fermée en ce moment; l'équipe vous lira à la réouverture "
        "({next}).",
        "no_hours": "L'équipe lit les messages pendant les heures d'ouverture.",
        "passed": "Transmis à l'équipe de la clinique.",
        "back": "Vous êtes de retour avec l'assistant : vos messages ne vont plus à l'équipe "
        "de la clinique. Posez-moi une question, ou touchez Parler à une personne pour la "
        "joindre de nouveau.",
        "already": "Vous parlez avec l'assistant. Posez-moi une question, ou envoyez /help.",
        "staff_closed": "L'équipe de la clinique a mis fin à cette conversation et vous êtes "
        "de retour avec l'assistant. Pour la joindre de nouveau, touchez Parler à une "
        "personne ou appelez le {phone}.",
        "button": "Revenir à l'assistant",
        "at": "{day} à {time}",
        "form": "Votre formulaire d'accueil est encore ouvert : ce que vous écrivez répond à "
        "ses questions jusqu'à ce que vous le terminiez, ou écrivez stop pour le mettre en "
        "pause. Ensuite, vos messages vont à l'équipe de la clinique.",
        "only_text": "Seuls les messages écrits parviennent ici à l'équipe de la clinique : "
        "pas les photos, les messages vocaux ni les fichiers. Décrivez-le en mots, ou "
        "appelez la clinique au {phone}. En cas d'urgence, appelez le {emergency} maintenant.",
    },
}


def _words(language: str | None) -> dict[str, str]:
    return _PATIENT_WORDS.get(language or "en", _PATIENT_WORDS["en"])


def _day_and_time(moment: datetime, today: date, language: str) -> str:
    """ "Tuesday at 8:00" ("mardi à 8 h"); today's time alone."""
    if moment.date() == today:
        return clock_time(moment, language)
    day = weekday_name(WEEKDAYS[moment.weekday()], language)
    return _words(language)["at"].format(
        day=day if language == "fr" else day.capitalize(), time=clock_time(moment, language)
    )


def opening_periods(
    clinic: Clinic, start: datetime, days: int = 8
) -> list[tuple[datetime, datetime]]:
    """Every location's opening periods from `start`'s day on, in its time zone, in order."""
    periods = []
    for offset in range(days):
        day = start.date() + timedelta(days=offset)
        for location in clinic.locations:
            for opens, closes in location.hours_on(WEEKDAYS[day.weekday()]).periods:
                periods.append(
                    (datetime.combine(day, opens, start.tzinfo),
                     datetime.combine(day, closes, start.tzinfo))
                )  # fmt: skip
    return sorted(periods)


def _merged(periods: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Sorted periods with overlaps joined (two locations open at once count once)."""
    joined: list[tuple[datetime, datetime]] = []
    for begin, finish in periods:
        if joined and begin <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], finish))
        else:
            joined.append((begin, finish))
    return joined


def when_staff_read(clinic: Clinic, now: datetime, language: str) -> str:
    """When the team will read a message sent at `now` (clinic time), from clinic hours."""
    words = _words(language)
    periods = opening_periods(clinic, now)
    open_until = max((end for begin, end in periods if begin <= now < end), default=None)
    if open_until is not None:
        return words["open"].format(end=clock_time(open_until, language))
    upcoming = next((begin for begin, _ in periods if begin > now), None)
    if upcoming is None:
        return words["no_hours"]
    return words["closed"].format(next=_day_and_time(upcoming, now.date(), language))


@dataclass(frozen=True)
class HandoffWords:
    """What a patient reads about a conversation with staff: the clinic's hours, phone and
    emergency number, in the clinic's time zone."""

    clinic: Clinic
    timezone: tzinfo

    def notice(
        self, language: str | None, until: datetime, now: datetime, *, form_open: bool = False
    ) -> Reply:
        """Told once, when staff first write: where messages go, when to expect an answer,
        what to do in an emergency, and the way back to the assistant; with `form_open`,
        that the intake form they are filling in keeps their answers until it is done."""
        language = language or "en"
        words = _words(language)
        local_now = now.astimezone(self.timezone)
        text = words["notice"].format(
            until=_day_and_time(until.astimezone(self.timezone), local_now.date(), language),
            hours=when_staff_read(self.clinic, local_now, language),
            emergency=self.clinic.emergency_number,
        )
        if form_open:
            text = f"{text}\n\n{words['form']}"
        return Reply(text, buttons=(self.back_button(language),))

    def handoff_end(self, window: timedelta) -> Callable[[datetime], datetime]:
        """When a handoff opened at a moment ends: once `window` of the clinic's open hours
        has passed (a message written in the evening is still the team's the next morning),
        and at the latest `HANDOFF_CAP` later; without opening hours, `window` later."""

        def end(opened: datetime) -> datetime:
            local = opened.astimezone(self.timezone)
            latest = opened + max(HANDOFF_CAP, window)
            left = window
            periods = opening_periods(self.clinic, local, days=HANDOFF_CAP.days + 2)
            if not periods:
                return opened + window
            for begin, finish in _merged(periods):
                begin = max(begin, local)
                if finish <= begin:
                    continue
                if finish - begin >= left:
                    return min(begin + left, latest)
                left -= finish - begin
            return latest

        return end

    def back_button(self, language: str | None) -> Button:
        """The button that takes the patient back to the assistant."""
        suffix = ":fr" if language == "fr" else ""
        return Button(_words(language)["button"], END_ACTION + suffix)

    def staff_closed(self, language: str | None) -> Reply:
        """Staff ended the conversation."""
        return Reply(_words(language)["staff_closed"].format(phone=self.clinic.phone))


def outcome_words(outcome: Outcome, event_id: int) -> str:
    """What staff are told of `outcome`."""
    return OUTCOME_WORDS[outcome].format(ref=alert_ref(event_id))


@dataclass
class PatientMessenger:
    """Sends staff's words to the chat of an alert, keeps them in the alert's thread (which
    opens the handoff), and audits that it did."""

    events: StaffEventLog
    audit: AuditLog
    send: PatientSend | None = None
    language_of: LanguageOf | None = None
    thread: HandoffThread | None = None
    words: HandoffWords | None = None
    form_waits: FormWaiting | None = None

    async def write(self, event_id: int, text: str, who: Account | str) -> Outcome:
        """Send `text` to the chat of alert `event_id` as from the clinic team."""
        text = text.strip()
        if not text:
            return Outcome.EMPTY
        if len(text) > MAX_MESSAGE_CHARS:
            return Outcome.TOO_LONG
        event = await self.events.get(event_id)
        if event is None:
            return Outcome.NO_ALERT
        if event.chat_id is None:
            return Outcome.ERASED
        if self.send is None:
            return Outcome.NO_CHANNEL
        language = await self._language(event.chat_id)
        title = FROM_CLINIC.get(language or "en", FROM_CLINIC["en"])
        outcome = await self._deliver(event_id, event.chat_id, Reply(text, title=title))
        if outcome is Outcome.SENT and self.thread is not None:
            await self._keep(event_id, event.chat_id, text, who, language)
        action = "reply_to_patient" if outcome is Outcome.SENT else "reply_to_patient_failed"
        await self.audit.write(who, action, f"event:{event_id}")
        return outcome

    async def close(self, event_id: int, who: Account | str) -> Outcome:
        """End the conversation under alert `event_id` (its patient is told)."""
        event = await self.events.get(event_id)
        if event is None:
            return Outcome.NO_ALERT
        if self.thread is None or event.chat_id is None:
            return Outcome.NOT_OPEN
        handoff = await self.thread.active(event.chat_id)
        if handoff is None or handoff.event_id != event_id:
            return Outcome.NOT_OPEN
        await self.thread.close(event.chat_id)
        await self.thread.add(event_id, event.chat_id, BOT, f"{_name(who)} ended the conversation.")
        if self.words is not None:
            language = await self._language(event.chat_id)
            await self._deliver(event_id, event.chat_id, self.words.staff_closed(language))
        await self.audit.write(who, "close_handoff", f"event:{event_id}")
        return Outcome.CLOSED

    async def _language(self, chat_id: int) -> str | None:
        return await self.language_of(chat_id) if self.language_of else None

    async def _deliver(self, event_id: int, chat_id: int, reply: Reply) -> Outcome:
        assert self.send is not None
        try:
            await self.send(chat_id, reply)
        except RecipientUnreachable:
            return Outcome.UNREACHABLE
        except DeliveryError as error:
            logger.warning(
                "staff message for event %s not sent: %s", event_id, type(error).__name__
            )
            return Outcome.FAILED
        return Outcome.SENT

    async def _keep(
        self, event_id: int, chat_id: int, text: str, who: Account | str, language: str | None
    ) -> None:
        """The message joins the alert's thread; a handoff that was not open opens, and the
        patient is told once how it works."""
        assert self.thread is not None
        await self.thread.add(event_id, chat_id, STAFF, text, author=_name(who))
        if await self.thread.open(chat_id, event_id) and self.words is not None:
            handoff = await self.thread.active(chat_id)
            if handoff is not None:
                form_open = self.form_waits is not None and await self.form_waits(chat_id)
                notice = self.words.notice(language, handoff.until, utc_now(), form_open=form_open)
                await self._deliver(event_id, chat_id, notice)


def _name(who: Account | str) -> str:
    return who.email if isinstance(who, Account) else who


@dataclass
class PatientRelay:
    """During a handoff, the patient's messages go to staff (after the safety stage)."""

    thread: HandoffThread
    notes: StaffNotes
    words: HandoffWords
    # An intake form waiting for an answer keeps the patient's typed answers (the notice
    # says so): they can finish it during a handoff.
    form_waits: FormWaiting | None = None

    async def relay(
        self,
        chat: ChatRef,
        text: str,
        verdict: SafetyVerdict | None = None,
        *,
        edited: bool = False,
    ) -> list[Reply] | None:
        """Keep the message in the thread and tell staff; None when no handoff is open.
        An emergency or urgent message was answered by the safety stage already: the
        thread and the note say so. `edited`: the patient changed a message they had sent
        (what it says now goes, marked so), unless their open form took it as an answer."""
        handoff = await self.thread.active(chat.chat_id)
        if handoff is None:
            return None
        if edited and self.form_waits is not None and await self.form_waits(chat.chat_id):
            return None
        level = verdict.level if verdict is not None else None
        safety = level if level in (EMERGENCY, URGENT) else None
        kept = f"{EDITED_MARK}{text}" if edited else text
        await self.thread.add(handoff.event_id, chat.chat_id, PATIENT, kept, safety=safety)
        note = self.notes.patient_wrote(handoff.event_id, chat.chat_id, text, safety, edited)
        if safety is not None:
            return [note]
        return [Reply(_words(chat.reply_language)["passed"]), note]

    async def media(self, chat: ChatRef, kind: str) -> list[Reply] | None:
        """A photo, voice note or other file during a handoff: the patient is told plainly
        that only typed text reaches the team (and how to reach them otherwise), and staff
        that something came which the bot did not pass on (its kind, nothing of it); None
        when no handoff is open."""
        handoff = await self.thread.active(chat.chat_id)
        if handoff is None:
            return None
        words = _words(chat.reply_language)
        told = words["only_text"].format(
            phone=self.words.clinic.phone, emergency=self.words.clinic.emergency_number
        )
        await self.thread.add(
            handoff.event_id, chat.chat_id, BOT, f"The patient sent a {kind}, not passed on."
        )
        return [Reply(told), self.notes.patient_sent_media(handoff.event_id, chat.chat_id, kind)]

    async def claim(self, chat: ChatRef, text: str) -> list[Reply] | None:
        """The text route: an ordinary message during a handoff, unless the patient's open
        intake form waits for it (the intake's route, next, takes it)."""
        if self.form_waits is not None and await self.form_waits(chat.chat_id):
            return None
        return await self.relay(chat, text)

    async def erased(self, chat_id: int) -> list[Reply]:
        """Asked before /forget erases the chat: staff in a conversation with the patient
        are told it ends (the erase deletes the handoff and its thread)."""
        handoff = await self.thread.active(chat_id)
        return [] if handoff is None else [self.notes.patient_erased(handoff.event_id)]

    async def back_to_bot(self, chat: ChatRef, args: Sequence[str] = ()) -> list[Reply]:
        """`/bot` or the button: the patient ends the handoff."""
        words = _words(chat.reply_language)
        ended = await self.thread.close(chat.chat_id)
        if ended is None:
            return [Reply(words["already"])]
        await self.thread.add(
            ended.event_id, chat.chat_id, BOT, "The patient went back to the assistant."
        )
        return [
            Reply(words["back"]),
            self.notes.handoff_ended(ended.event_id, chat.chat_id),
        ]


def outbound_send(send: Callable[[int, Reply, DeliveryKind], Awaitable[object]]) -> PatientSend:
    """A `PatientSend` over an outbound's `send`, as a reply the patient may be waiting for."""

    async def deliver(chat_id: int, reply: Reply) -> object:
        return await send(chat_id, reply, DeliveryKind.REPLY)

    return deliver


def staff_actor(chat: ChatRef) -> str:
    """Who wrote from a staff chat, for the audit log."""
    who = chat.first_name or "someone"
    return f"{who} in staff chat {chat.chat_id} (Telegram)"[:254]


@dataclass
class StaffChatReplies:
    """`/reply N text`, and replies to an alert's note (confirmed with a button first)."""

    messenger: PatientMessenger
    _pending: RecentMemory[str, tuple[int, str]]
    relay: PatientRelay | None = None

    @classmethod
    def over(
        cls, messenger: PatientMessenger, relay: PatientRelay | None = None
    ) -> StaffChatReplies:
        """Replies sent through `messenger`; the patient's way back through `relay`."""
        return cls(messenger, RecentMemory(PENDING_KEPT), relay)

    async def command(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """`/reply N your message`: sent at once (the command says what it does)."""
        event_id = record_number(args[0]) if len(args) >= 2 else None
        if event_id is None:
            return [Reply("Write /reply, the alert's number and your message: /reply 12 Hello…")]
        outcome = await self.messenger.write(event_id, " ".join(args[1:]), staff_actor(chat))
        return [Reply(outcome_words(outcome, event_id))]

    async def close_command(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """`/close N`: end the conversation with the patient of alert N."""
        event_id = record_number(args[0]) if len(args) == 1 else None
        if event_id is None:
            return [Reply("Write /close and the alert's number: /close 12")]
        outcome = await self.messenger.close(event_id, staff_actor(chat))
        return [Reply(outcome_words(outcome, event_id))]

    async def reply_to_note(self, chat: ChatRef, note_text: str, text: str) -> list[Reply]:
        """Staff replied to one of the bot's messages: for an alert's note, ask before
        sending; any other reply is staff talk, left alone."""
        numbers = alert_numbers(note_text)
        if not numbers:
            return []
        if len(numbers) > 1:
            listed = ", ".join(alert_ref(number) for number in numbers)
            return [
                Reply(
                    f"That message names several alerts ({listed}). To write to one patient, "
                    "send /reply with the alert's number and your message."
                )
            ]
        token = secrets.token_urlsafe(8)
        self._pending.remember(token, (numbers[0], text))
        return [
            Reply(
                f"Send your reply to the patient of {alert_ref(numbers[0])}, as a message "
                "from the clinic team?",
                buttons=(
                    Button("Send", f"{HANDOFF_PREFIX}:send:{token}"),
                    Button("Don't send", f"{HANDOFF_PREFIX}:drop:{token}"),
                ),
            )
        ]

    async def action(self, chat: ChatRef, rest: str) -> list[Reply]:
        """The "Send" or "Don't send" tap under a reply to a note; a patient's "Back to the
        assistant"."""
        choice, _, token = rest.partition(":")
        if choice == "end" and self.relay is not None:
            return await self.relay.back_to_bot(chat)
        if not chat.is_staff:
            return [Reply("That button is for clinic staff only.")]
        pending = self._pending.pop(token, None)
        if pending is None:
            return [Reply("That reply was already sent or dropped.", replace_previous=True)]
        event_id, text = pending
        if choice != "send":
            return [Reply("Not sent.", replace_previous=True)]
        outcome = await self.messenger.write(event_id, text, staff_actor(chat))
        return [Reply(outcome_words(outcome, event_id), replace_previous=True)]


def register_staff_chat_replies(
    assistant: Assistant, messenger: PatientMessenger, relay: PatientRelay | None = None
) -> None:
    """`/reply`, `/close`, replies to alert notes and their buttons, for staff chats; with
    `relay`, the handoff: patients' messages to staff, and `/bot` to end it."""
    replies = StaffChatReplies.over(messenger, relay)
    assistant.add_command(
        CommandSpec(
            REPLY_COMMAND,
            "Write to the patient of an alert: /reply <alert number> <message>",
            replies.command,
            staff_only=True,
        )
    )
    assistant.add_action(HANDOFF_PREFIX, replies.action)
    assistant.set_staff_reply_handler(replies.reply_to_note)
    if relay is None:
        return
    assistant.add_command(
        CommandSpec(
            CLOSE_COMMAND,
            "End the conversation with the patient of an alert: /close <alert number>",
            replies.close_command,
            staff_only=True,
        )
    )
    assistant.add_command(
        CommandSpec(
            BACK_COMMAND,
            "Back to the assistant (after the clinic team wrote)",
            relay.back_to_bot,
            translations={"fr": "Revenir à l'assistant (après un message de l'équipe)"},
        )
    )
    assistant.add_text_route(HANDOFF_ROUTE, relay.claim)
    assistant.set_handoff_relay(relay.relay)
    assistant.set_handoff_media(relay.media)
