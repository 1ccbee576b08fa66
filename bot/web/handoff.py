"""Staff write to the patient of an alert through the bot: from the console's Alerts page,
with `/reply N text` in a staff chat, or by replying to an alert's note there (asked to
confirm first: staff talk among themselves under notes too).

What staff type goes to the alert's chat marked as from the clinic team; it is never logged
nor stored (the audit log says who wrote to which alert, and when).
"""

from __future__ import annotations

import logging
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import Enum

from bot.core.assistant import Assistant, ChatRef, CommandSpec
from bot.core.outbound import DeliveryError, DeliveryKind, RecipientUnreachable
from bot.core.replies import Button, Reply
from bot.core.staff_notes import alert_numbers, alert_ref
from bot.web.accounts import Account
from bot.web.audit import AuditLog
from bot.web.events import StaffEventLog

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
HANDOFF_PREFIX = "handoff"
# Replies to notes waiting for "Send" (in memory only: a restart drops them, never sends).
PENDING_KEPT = 200


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
}


def outcome_words(outcome: Outcome, event_id: int) -> str:
    """What staff are told of `outcome`."""
    return OUTCOME_WORDS[outcome].format(ref=alert_ref(event_id))


@dataclass
class PatientMessenger:
    """Sends staff's words to the chat of an alert, and audits that it did."""

    events: StaffEventLog
    audit: AuditLog
    send: PatientSend | None = None
    language_of: LanguageOf | None = None

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
        language = await self.language_of(event.chat_id) if self.language_of else None
        title = FROM_CLINIC.get(language or "en", FROM_CLINIC["en"])
        try:
            await self.send(event.chat_id, Reply(text, title=title))
        except RecipientUnreachable:
            outcome = Outcome.UNREACHABLE
        except DeliveryError as error:
            logger.warning(
                "staff message for event %s not sent: %s", event_id, type(error).__name__
            )
            outcome = Outcome.FAILED
        else:
            outcome = Outcome.SENT
        action = "reply_to_patient" if outcome is Outcome.SENT else "reply_to_patient_failed"
        await self.audit.write(who, action, f"event:{event_id}")
        return outcome


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
    _pending: OrderedDict[str, tuple[int, str]]

    @classmethod
    def over(cls, messenger: PatientMessenger) -> StaffChatReplies:
        """Replies sent through `messenger`."""
        return cls(messenger, OrderedDict())

    async def command(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """`/reply N your message`: sent at once (the command says what it does)."""
        if len(args) < 2 or not args[0].lstrip("#").isdecimal():
            return [Reply("Write /reply, the alert's number and your message: /reply 12 Hello…")]
        event_id = int(args[0].lstrip("#"))
        outcome = await self.messenger.write(event_id, " ".join(args[1:]), staff_actor(chat))
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
        self._pending[token] = (numbers[0], text)
        while len(self._pending) > PENDING_KEPT:
            self._pending.popitem(last=False)
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
        """The "Send" or "Don't send" tap under a reply to a note."""
        choice, _, token = rest.partition(":")
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


def register_staff_chat_replies(assistant: Assistant, messenger: PatientMessenger) -> None:
    """`/reply`, replies to alert notes and their buttons, for staff chats."""
    replies = StaffChatReplies.over(messenger)
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
