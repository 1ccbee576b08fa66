"""Sending a message to a chat on the bot's own initiative (reminders, staff alerts).

The core and the reminder sender only see this interface and these outcomes; the
Telegram channel maps its errors onto them, and tests plug in recording fakes.
"""

from __future__ import annotations

from typing import Protocol

from bot.core.replies import Reply


class DeliveryError(Exception):
    """A message could not be delivered; subclasses say what to do about it."""


class RecipientUnreachable(DeliveryError):
    """The person blocked the bot or the chat is gone: stop messaging them (Telegram 403)."""


class RateLimited(DeliveryError):
    """The channel asked us to slow down; retry after `retry_after` seconds (Telegram 429)."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited, retry after {retry_after:g} s")
        self.retry_after = retry_after


class DeliveryUnknown(DeliveryError):
    """The request timed out: the message may or may not have arrived. Never resend blindly."""


class DeliveryRejected(DeliveryError):
    """The channel refused this message permanently (e.g. Telegram 400); resending won't help."""


class Outbound(Protocol):
    """Something that can push a reply into a chat."""

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        """Send `reply` to `chat_id`; returns the channel's message id when it has one."""
        ...

    async def send_to_staff(self, reply: Reply) -> None:
        """Send `reply` to every staff chat (no-op when none is configured)."""
        ...
