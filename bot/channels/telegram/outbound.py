"""Pushing replies into Telegram chats on the bot's own initiative (reminders, staff notes).

PTB's errors are translated into `bot.core.outbound` outcomes so the reminder sender
never imports telegram. The except clauses are ordered from the most specific error
to the least, because BadRequest and TimedOut are both NetworkError subclasses.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from typing import TypeVar

from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.channels.telegram.rendering import render_reply
from bot.core.outbound import (
    DeliveryError,
    DeliveryRejected,
    DeliveryUnknown,
    RateLimited,
    RecipientUnreachable,
)
from bot.core.replies import Reply

logger = logging.getLogger(__name__)

PER_CHAT_INTERVAL_S = 1.0  # Telegram: about one message per second inside one chat
OVERALL_PER_SECOND = 30  # Telegram: about thirty messages per second in all
PRUNE_ABOVE_CHATS = 10_000  # forget spent per-chat slots once this many are tracked
MAX_STAFF_RETRY_WAIT_S = 30.0  # a staff note waits out a flood pause up to this long, once
T = TypeVar("T")


class ChatPacer:
    """Spaces pushed messages: at most one per second per chat and 30 per second overall."""

    def __init__(
        self,
        per_chat_interval: float = PER_CHAT_INTERVAL_S,
        overall_per_second: float = OVERALL_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._per_chat_interval = per_chat_interval
        self._overall_interval = 1.0 / overall_per_second
        self._clock = clock
        self._sleep = sleep
        self._next_for_chat: dict[int, float] = {}
        self._next_overall = 0.0
        self._lock = asyncio.Lock()

    def _reserve(self, chat_id: int) -> float:
        """Book the next free slot for `chat_id`; returns how long to wait for it."""
        now = self._clock()
        if len(self._next_for_chat) > PRUNE_ABOVE_CHATS:
            # Chats whose next slot has passed need no entry: bounded memory on big batches.
            self._next_for_chat = {c: t for c, t in self._next_for_chat.items() if t > now}
        slot = max(now, self._next_for_chat.get(chat_id, 0.0), self._next_overall)
        self._next_for_chat[chat_id] = slot + self._per_chat_interval
        self._next_overall = slot + self._overall_interval
        return slot - now

    async def wait_turn(self, chat_id: int) -> None:
        """Return once a message to `chat_id` may be sent."""
        async with self._lock:
            delay = self._reserve(chat_id)
        if delay > 0:
            await self._sleep(delay)


def retry_after_seconds(error: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds, whatever PTB's representation."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # int retry_after is deprecated in PTB 22.2+
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def translate_errors(call: Awaitable[T]) -> T:
    """Await a Bot API call, turning PTB errors into `bot.core.outbound` errors."""
    try:
        return await call
    except RetryAfter as error:
        raise RateLimited(retry_after_seconds(error)) from error
    except Forbidden as error:
        raise RecipientUnreachable(str(error)) from error
    except BadRequest as error:
        raise DeliveryRejected(str(error)) from error
    except TimedOut as error:
        raise DeliveryUnknown("the request timed out") from error
    except NetworkError as error:
        raise DeliveryUnknown(f"network error: {type(error).__name__}") from error


class TelegramOutbound:
    """`bot.core.outbound.Outbound` over a PTB Bot, paced per chat and overall."""

    def __init__(
        self,
        bot: Bot,
        staff_chat_ids: Iterable[int],
        pacer: ChatPacer | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self._staff_chat_ids = sorted(staff_chat_ids)
        self._pacer = pacer or ChatPacer()
        self._sleep = sleep

    async def send(self, chat_id: int, reply: Reply) -> int | None:
        """Send `reply` to `chat_id`; the message id of its last message."""
        message_id: int | None = None
        for message in render_reply(reply):
            await self._pacer.wait_turn(chat_id)
            sent = await translate_errors(
                self._bot.send_message(chat_id, message.html, reply_markup=message.keyboard)
            )
            message_id = sent.message_id
        return message_id

    async def send_to_staff(self, reply: Reply) -> None:
        """Send `reply` to every staff chat; a failing one is logged and the rest still get it."""
        for chat_id in self._staff_chat_ids:
            try:
                await self._send_to_staff_chat(chat_id, reply)
            except DeliveryError as error:
                logger.warning(
                    "staff chat %s did not get a note: %s", chat_id, type(error).__name__
                )

    async def _send_to_staff_chat(self, chat_id: int, reply: Reply) -> None:
        """Send to one staff chat, waiting out one short flood-control pause (alerts matter)."""
        try:
            await self.send(chat_id, reply)
        except RateLimited as error:
            if error.retry_after > MAX_STAFF_RETRY_WAIT_S:
                raise
            await self._sleep(error.retry_after)
            await self.send(chat_id, reply)
