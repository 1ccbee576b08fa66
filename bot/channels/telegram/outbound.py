"""Everything the bot sends to Telegram: paced, retried per failure kind, staff notes queued.

PTB's errors are translated into `bot.core.outbound` outcomes so the reminder sender
never imports telegram. The delivery contract (README, "Delivery contract"):

- 429: wait the `retry_after` Telegram gave (everything is held that long), then retry;
- refused connection, reset, 5xx, a timeout before the request went out: nothing was
  delivered (or, rarely, a 5xx hid a delivery): retry with exponential backoff;
- a timeout after the request went out: `unknown`, never resent, except an emergency
  reply (a duplicate is the lesser harm);
- 403 (blocked) and 400 (refused): final, never retried;
- each kind retries until its deadline (`DeliverySettings`); an emergency reply's
  deadline is long enough to mean "until delivered or the chat is unreachable".
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TypeVar

import httpx
from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Defaults, ExtBot

from bot.channels.telegram.pacing import PriorityPacer
from bot.channels.telegram.rendering import TelegramMessage, render_reply
from bot.config import DeliverySettings, Settings
from bot.core.outbound import (
    ChannelUnavailable,
    DeliveryError,
    DeliveryKind,
    DeliveryRejected,
    DeliveryUnknown,
    RateLimited,
    RecipientUnreachable,
)
from bot.core.replies import Reply

logger = logging.getLogger(__name__)

T = TypeVar("T")
# httpx timeouts raised before the request was written: nothing reached Telegram.
NOT_SENT_TIMEOUTS = (httpx.ConnectTimeout, httpx.PoolTimeout)
Sleep = Callable[[float], Awaitable[None]]


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
        if isinstance(error.__cause__, NOT_SENT_TIMEOUTS) or "not* sent" in error.message:
            raise ChannelUnavailable("timed out before sending") from error
        raise DeliveryUnknown("the request timed out") from error
    except NetworkError as error:
        # Refused connection, reset, 5xx (PTB maps every 5xx to NetworkError).
        raise ChannelUnavailable(f"network error: {type(error).__name__}") from error


def deadline_for(kind: DeliveryKind, settings: DeliverySettings) -> float:
    """How long a message of `kind` keeps being retried, in seconds."""
    return {
        DeliveryKind.EMERGENCY: settings.emergency_deadline_s,
        DeliveryKind.REPLY: settings.reply_deadline_s,
        DeliveryKind.STAFF: settings.staff_deadline_s,
        DeliveryKind.REMINDER: settings.reminder_deadline_s,
    }[kind]


@dataclass
class Delivery:
    """Pacing plus retries for single Bot API calls (send or edit)."""

    settings: DeliverySettings
    pacer: PriorityPacer | None = None  # None: no pacing (benchmarks of the bot's own cost)
    sleep: Sleep = asyncio.sleep
    clock: Callable[[], float] = time.monotonic

    async def call(
        self, chat_id: int, kind: DeliveryKind, make_call: Callable[[], Awaitable[T]]
    ) -> T:
        """Run `make_call` in its paced turn, retrying per the contract until the deadline."""
        deadline = self.clock() + deadline_for(kind, self.settings)
        backoff = self.settings.retry_initial_s
        attempt = 0
        while True:
            attempt += 1
            if self.pacer is not None:
                await self.pacer.turn(chat_id, kind)
            try:
                return await translate_errors(make_call())
            except RateLimited as error:
                wait = error.retry_after
                if self.pacer is not None:
                    self.pacer.hold(wait)
                failure: DeliveryError = error
            except ChannelUnavailable as error:
                wait, backoff = backoff, min(backoff * 2, self.settings.retry_max_s)
                failure = error
            except DeliveryUnknown as error:
                if kind is not DeliveryKind.EMERGENCY:
                    raise
                wait, backoff = backoff, min(backoff * 2, self.settings.retry_max_s)
                failure = error
            if self.clock() + wait > deadline:
                logger.warning(
                    "%s to chat %s not delivered after %d attempt(s): %s",
                    kind.name.lower(),
                    chat_id,
                    attempt,
                    type(failure).__name__,
                )
                raise failure
            logger.info(
                "%s to chat %s: %s, retrying in %.1f s",
                kind.name.lower(),
                chat_id,
                type(failure).__name__,
                wait,
            )
            await self.sleep(wait)


@dataclass
class StaffNoteQueue:
    """Staff notes wait here and go out in the background, batched, never dropped.

    A note that cannot be delivered stays at the head of its chat's queue and is tried
    again after a backoff; notes queued meanwhile are merged into as few messages as
    fit, so 60 contact requests become a few messages rather than three minutes of them.
    """

    send: Callable[[int, Reply], Awaitable[None]]
    staff_chat_ids: tuple[int, ...]
    batch_chars: int
    retry_initial_s: float
    retry_max_s: float
    sleep: Sleep = asyncio.sleep
    _pending: dict[int, list[Reply]] = field(default_factory=dict)
    _workers: dict[int, asyncio.Task[None]] = field(default_factory=dict)
    _idle: dict[int, asyncio.Event] = field(default_factory=dict)

    def post(self, reply: Reply) -> None:
        """Queue `reply` for every staff chat."""
        for chat_id in self.staff_chat_ids:
            self._pending.setdefault(chat_id, []).append(reply)
            self._idle.setdefault(chat_id, asyncio.Event()).clear()
            worker = self._workers.get(chat_id)
            if worker is None or worker.done():
                self._workers[chat_id] = asyncio.get_running_loop().create_task(
                    self._work(chat_id), name=f"staff-notes-{chat_id}"
                )

    @property
    def queued(self) -> int:
        """Notes not yet delivered (counted once per staff chat)."""
        return sum(len(notes) for notes in self._pending.values())

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued note is delivered; False if `timeout` ran out first."""
        waits = [event.wait() for event in self._idle.values()]
        if not waits:
            return True
        try:
            await asyncio.wait_for(asyncio.gather(*waits), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        """Stop the workers (what is still queued is logged as lost with this process)."""
        if self.queued:
            logger.warning("%d staff note(s) still queued at shutdown", self.queued)
        for worker in self._workers.values():
            worker.cancel()
        await asyncio.gather(*self._workers.values(), return_exceptions=True)

    async def _work(self, chat_id: int) -> None:
        backoff = self.retry_initial_s
        queue = self._pending[chat_id]
        while queue:
            batch, count = self._next_batch(queue)
            try:
                await self.send(chat_id, batch)
            except (RecipientUnreachable, DeliveryRejected) as error:
                # Final answers from Telegram: the bot left the staff chat, or a bad note.
                logger.error(
                    "staff chat %s refused %d note(s): %s", chat_id, count, type(error).__name__
                )
            except DeliveryError as error:
                logger.warning(
                    "staff chat %s: %d note(s) kept queued (%s); retrying in %.0f s",
                    chat_id,
                    len(queue),
                    type(error).__name__,
                    backoff,
                )
                await self.sleep(backoff)
                backoff = min(backoff * 2, self.retry_max_s)
                continue
            del queue[:count]
            backoff = self.retry_initial_s
        self._idle[chat_id].set()

    def _next_batch(self, queue: list[Reply]) -> tuple[Reply, int]:
        """The head of the queue, merged with the plain notes behind it that fit."""
        head = queue[0]
        if head.buttons or len(queue) == 1:
            return head, 1
        parts = [_note_text(head)]
        size = len(parts[0])
        count = 1
        for note in queue[1:]:
            text = _note_text(note)
            if note.buttons or size + len(text) + 2 > self.batch_chars:
                break
            parts.append(text)
            size += len(text) + 2
            count += 1
        if count == 1:
            return head, 1
        merged = Reply("\n\n".join(parts), title=f"{count} staff notes", audience=head.audience)
        return merged, count


def _note_text(note: Reply) -> str:
    return f"{note.title}: {note.text}" if note.title else note.text


class TelegramOutbound:
    """`bot.core.outbound.Outbound` over a PTB Bot: one pacer, retries, staff queue."""

    only_chat: int | None = None  # reaches every chat

    def __init__(
        self,
        bot: Bot,
        staff_chat_ids: Iterable[int],
        settings: DeliverySettings | None = None,
        *,
        pacer: PriorityPacer | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self.settings = settings or DeliverySettings()
        self.delivery = Delivery(self.settings, pacer, sleep)
        self.staff = StaffNoteQueue(
            self._send_staff_now,
            tuple(sorted(staff_chat_ids)),
            self.settings.staff_batch_chars,
            self.settings.retry_initial_s,
            self.settings.retry_max_s,
            sleep,
        )

    @property
    def pacer(self) -> PriorityPacer | None:
        """The pacing layer (None when pacing is off)."""
        return self.delivery.pacer

    async def send(
        self, chat_id: int, reply: Reply, kind: DeliveryKind = DeliveryKind.REMINDER
    ) -> int | None:
        """Send `reply` to `chat_id`; the message id of its last message."""
        message_id: int | None = None
        for message in render_reply(reply):
            sent = await self.send_message(chat_id, message, kind)
            message_id = sent.message_id
        return message_id

    async def send_message(
        self, chat_id: int, message: TelegramMessage, kind: DeliveryKind
    ) -> Message:
        """One rendered message, paced and retried."""
        return await self.delivery.call(
            chat_id,
            kind,
            lambda: self._bot.send_message(chat_id, message.html, reply_markup=message.keyboard),
        )

    async def edit_message(
        self,
        chat_id: int,
        message_id: int,
        html: str,
        keyboard: InlineKeyboardMarkup | None,
        kind: DeliveryKind,
    ) -> None:
        """Replace a message's text and buttons, paced and retried."""
        await self.delivery.call(
            chat_id,
            kind,
            lambda: self._bot.edit_message_text(
                html, chat_id=chat_id, message_id=message_id, reply_markup=keyboard
            ),
        )

    async def send_to_staff(self, reply: Reply) -> None:
        """Queue `reply` for every staff chat; it goes out behind patients' replies."""
        self.staff.post(reply)

    async def _send_staff_now(self, chat_id: int, reply: Reply) -> None:
        await self.send(chat_id, reply, DeliveryKind.STAFF)

    async def close(self) -> None:
        """Give queued staff notes a moment, then stop the background workers."""
        await self.staff.flush(timeout=self.settings.retry_initial_s * 2)
        await self.staff.close()


def api_base_url(settings: Settings) -> str:
    """The Bot API address every bot of ours talks to (a test's fake server, or Telegram)."""
    return settings.telegram_api_base_url or "https://api.telegram.org/bot"


def bot_defaults(settings: Settings) -> Defaults:
    """What every message of ours is sent with: HTML text, times in the clinic's zone."""
    return Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.clinic_timezone)


@asynccontextmanager
async def standalone_outbound(settings: Settings) -> AsyncIterator[TelegramOutbound | None]:
    """The outbound of a process that sends without polling (`ims-bot web` on its own): the
    same pacing, retries and staff queue as the bot's; None without a bot token."""
    if not settings.telegram_bot_token:
        yield None
        return
    bot: ExtBot[None] = ExtBot(
        settings.telegram_bot_token,
        base_url=api_base_url(settings),
        defaults=bot_defaults(settings),
    )
    outbound = TelegramOutbound(
        bot, settings.staff_chat_ids, settings.delivery, pacer=PriorityPacer(settings.delivery)
    )
    try:
        yield outbound
    finally:
        await outbound.close()
        await bot.shutdown()
