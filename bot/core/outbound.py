"""Sending a message to a chat on the bot's own initiative (reminders, staff alerts).

The core and the reminder sender only see this interface and these outcomes; the
Telegram channel maps its errors onto them, and tests plug in recording fakes.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol

from bot.core.replies import Reply


class DeliveryKind(IntEnum):
    """What a message is, which sets its priority (lower goes first) and its deadline."""

    EMERGENCY = 0  # an emergency or urgent reply to a patient
    REPLY = 1  # an ordinary reply to a patient who is waiting for it
    STAFF = 2  # a note for the staff chats
    REMINDER = 3  # an appointment reminder the bot sends on its own initiative


class DeliveryError(Exception):
    """A message could not be delivered; subclasses say what to do about it."""


class RecipientUnreachable(DeliveryError):
    """The person blocked the bot or the chat is gone: stop messaging them (Telegram 403)."""


class RateLimited(DeliveryError):
    """The channel asked us to slow down; retry after `retry_after` seconds (Telegram 429)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after:g} s")
        self.retry_after = retry_after


class ChannelUnavailable(DeliveryError):
    """Nothing could be delivered now (refused connection, reset, 5xx): retry with backoff.

    A 5xx or a reset may rarely hide a delivery; a duplicate costs less than a loss.
    """


class DeliveryUnknown(DeliveryError):
    """The request was sent and then timed out: it may or may not have arrived.

    Only a timeout after the request went out is unknown; never resend it blindly
    (except an emergency reply, where a duplicate is the lesser harm).
    """


class DeliveryRejected(DeliveryError):
    """The channel refused this message permanently (e.g. Telegram 400); resending won't help."""


class Outbound(Protocol):
    """Something that can push a reply into a chat."""

    @property
    def only_chat(self) -> int | None:
        """The one chat this outbound reaches (the console's own), or None for every chat.

        Senders leave other chats' messages for the outbound that reaches them."""
        ...

    async def send(
        self, chat_id: int, reply: Reply, kind: DeliveryKind = DeliveryKind.REMINDER
    ) -> int | None:
        """Send `reply` to `chat_id`; returns the channel's message id when it has one."""
        ...

    async def send_to_staff(self, reply: Reply) -> None:
        """Queue `reply` for every staff chat (no-op when none is configured).

        Returns at once: staff notes are delivered (batched, retried, never dropped) in
        the background, behind patients' replies.
        """
        ...
