"""The one pacing layer for everything the bot sends to Telegram.

Every outgoing message (replies, emergency replies, staff notes, reminders) waits here
for its turn. Limits, from Telegram's published guidance:

- overall: `global_per_second` messages a second (30), with up to one second's worth
  in a burst;
- a private chat: `chat_per_second` (1) after a burst of `chat_burst` (3), so a reply
  of two or three messages is not held back;
- a group (negative chat id, e.g. a staff chat): `group_per_minute` (20) after the
  same burst.

When several messages are waiting, the most urgent kind goes first (emergency, then
patients' replies, then staff notes, then reminders), oldest first within a kind, and
a message whose own chat is not yet ready never holds back a message to another chat.
A 429 holds everything for the `retry_after` Telegram gave.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.config import DeliverySettings
from bot.core.outbound import DeliveryKind

MAX_TRACKED_CHATS = 10_000  # forget idle chats' slots beyond this: bounded memory


@dataclass
class _Bucket:
    """A generic cell rate: `tat` is when the bucket would be empty again."""

    interval: float
    burst: int
    tat: float = 0.0

    def ready_at(self) -> float:
        return self.tat - (self.burst - 1) * self.interval

    def take(self, now: float) -> None:
        self.tat = max(self.tat, now) + self.interval


@dataclass(order=True)
class _Waiter:
    priority: int
    seq: int
    chat_id: int = field(compare=False)
    granted: asyncio.Future[None] = field(compare=False)


class PriorityPacer:
    """Grants send turns under the global and per-chat limits, most urgent first."""

    def __init__(
        self, limits: DeliverySettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._limits = limits
        self._clock = clock
        burst = max(1, int(limits.global_per_second))
        self._global = _Bucket(1.0 / limits.global_per_second, burst)
        self._chats: dict[int, _Bucket] = {}
        self._held_until = 0.0
        self._waiting: list[_Waiter] = []
        self._seq = itertools.count()
        self._wakeup = asyncio.Event()
        self._dispatcher: asyncio.Task[None] | None = None
        self.granted: list[tuple[int, DeliveryKind]] = []  # recent grants, for tests
        self.keep_history = False

    @property
    def waiting(self) -> int:
        """Messages waiting for a turn."""
        return sum(1 for w in self._waiting if not w.granted.done())

    def hold(self, seconds: float) -> None:
        """Send nothing for `seconds` (Telegram answered 429 with this retry_after)."""
        self._held_until = max(self._held_until, self._clock() + seconds)

    async def turn(self, chat_id: int, kind: DeliveryKind) -> None:
        """Return when a message of `kind` to `chat_id` may be sent."""
        loop = asyncio.get_running_loop()
        waiter = _Waiter(int(kind), next(self._seq), chat_id, loop.create_future())
        heapq.heappush(self._waiting, waiter)
        self._wakeup.set()
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = loop.create_task(self._dispatch(), name="pacer")
        try:
            await waiter.granted
        except asyncio.CancelledError:
            waiter.granted.cancel()
            raise
        if self.keep_history:
            self.granted.append((chat_id, kind))

    def _bucket(self, chat_id: int) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) >= MAX_TRACKED_CHATS:
                now = self._clock()
                self._chats = {c: b for c, b in self._chats.items() if b.tat > now}
            limits = self._limits
            interval = (
                60.0 / limits.group_per_minute if chat_id < 0 else 1.0 / limits.chat_per_second
            )
            bucket = _Bucket(interval, max(1, limits.chat_burst))
            self._chats[chat_id] = bucket
        return bucket

    def _pick(self, now: float) -> tuple[_Waiter | None, float]:
        """The most urgent waiter whose chat is ready, else when the first chat will be."""
        self._waiting = [w for w in self._waiting if not w.granted.done()]
        heapq.heapify(self._waiting)
        soonest = float("inf")
        for waiter in sorted(self._waiting):
            ready = self._bucket(waiter.chat_id).ready_at()
            if ready <= now:
                return waiter, now
            soonest = min(soonest, ready)
        return None, soonest

    async def _dispatch(self) -> None:
        """Hand out turns while anyone waits; sleeps until the next turn can be given."""
        while True:
            self._wakeup.clear()
            now = self._clock()
            blocked_until = max(self._held_until, self._global.ready_at())
            if blocked_until > now:
                await self._sleep_or_wake(blocked_until - now)
                continue
            waiter, ready_at = self._pick(now)
            if waiter is None:
                if not self._waiting:
                    return
                await self._sleep_or_wake(ready_at - now)
                continue
            self._global.take(now)
            self._bucket(waiter.chat_id).take(now)
            self._waiting.remove(waiter)
            heapq.heapify(self._waiting)
            waiter.granted.set_result(None)
            await asyncio.sleep(0)  # let the granted sender start before the next grant

    async def _sleep_or_wake(self, seconds: float) -> None:
        """Wait `seconds`, or less when a new waiter arrives (it may be ready now)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wakeup.wait(), timeout=max(seconds, 0.0))
