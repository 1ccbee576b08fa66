"""Pacing outgoing messages under Telegram's limits: overall and per chat."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

DEFAULT_MESSAGES_PER_SECOND = 25.0  # under Telegram's ~30/s for bulk messages
PER_CHAT_INTERVAL = 1.0  # Telegram allows about one message per second in a chat
MAX_TRACKED_CHATS = 10_000  # forget old per-chat times so memory stays bounded


@dataclass
class SendPacer:
    """Waits so sends stay under `rate` per second overall and one per second per chat."""

    rate: float = DEFAULT_MESSAGES_PER_SECOND
    per_chat_interval: float = PER_CHAT_INTERVAL
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _next_any: float = 0.0
    _next_by_chat: dict[int, float] = field(default_factory=dict)

    async def wait_turn(self, chat_id: int) -> None:
        """Sleep until a message to `chat_id` may go, then book the slot."""
        now = self.monotonic()
        ready = max(now, self._next_any, self._next_by_chat.get(chat_id, 0.0))
        if ready > now:
            await self.sleep(ready - now)
        self._next_any = ready + 1.0 / self.rate
        if len(self._next_by_chat) >= MAX_TRACKED_CHATS:
            self._forget_old(ready)
        self._next_by_chat[chat_id] = ready + self.per_chat_interval

    def hold(self, seconds: float) -> None:
        """Send nothing for `seconds` (the channel asked us to slow down)."""
        self._next_any = max(self._next_any, self.monotonic() + seconds)

    def _forget_old(self, now: float) -> None:
        self._next_by_chat = {c: t for c, t in self._next_by_chat.items() if t > now}
