"""What the core says: plain-text replies with optional buttons.

Channels (Telegram, console) turn these into their own medium; the core never formats
for a channel, so every piece of text here is plain and channels escape it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

MAX_ACTION_BYTES = 64  # Telegram's callback_data limit, in UTF-8 bytes


class Audience(Enum):
    """Who a reply is for."""

    PATIENT = "patient"  # the chat that sent the message
    STAFF = "staff"  # every configured staff chat (never shown to the patient)


@dataclass(frozen=True)
class Button:
    """A choice the user can tap; `action` comes back verbatim when it is tapped."""

    label: str
    action: str = ""
    url: str | None = None  # a link button instead of an action

    def __post_init__(self) -> None:
        if self.url is None and not self.action:
            raise ValueError("a button needs an action or a url")
        if len(self.action.encode("utf-8")) > MAX_ACTION_BYTES:
            raise ValueError(f"button action longer than {MAX_ACTION_BYTES} bytes: {self.action!r}")


@dataclass(frozen=True)
class Reply:
    """One message from the bot."""

    text: str
    buttons: tuple[Button, ...] = ()
    title: str | None = None  # shown emphasised above the text
    audience: Audience = Audience.PATIENT
    # When answering a button tap: replace the message that carried the button.
    replace_previous: bool = False
    # An emergency or urgent reply: sent before anything else and retried until delivered.
    urgent: bool = False
    # What a safety reply is ("emergency" or "urgent"), whatever language its words are in:
    # what tests and tools recognise it by, never its title.
    safety_tier: str | None = None
    # The question expects a typed answer (a number, a duration, text): a channel that
    # numbers its buttons must pass typed digits on as text, never as a button number.
    typed_answer: bool = False

    @property
    def for_staff(self) -> bool:
        """Whether this reply goes to the staff chats."""
        return self.audience is Audience.STAFF


def staff_note(text: str, title: str | None = None) -> Reply:
    """A message for the staff chats."""
    return Reply(text=text, title=title, audience=Audience.STAFF)
