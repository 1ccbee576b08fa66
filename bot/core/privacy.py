"""What the bot holds about a person, and erasing it on request (/mydata, /forget).

Each feature that stores personal data registers a describer and an eraser, so the
two commands always cover everything without knowing the features' tables.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

# Returns human-readable lines describing what is held for a chat (empty: nothing).
Describer = Callable[[int], Awaitable[list[str]]]
# Deletes everything held for a chat; returns how many records were removed.
Eraser = Callable[[int], Awaitable[int]]


@dataclass
class PersonalDataRegistry:
    """The describers and erasers of every feature."""

    _describers: list[tuple[str, Describer]] = field(default_factory=list)
    _erasers: list[tuple[str, Eraser]] = field(default_factory=list)

    def register(self, feature: str, describe: Describer, erase: Eraser) -> None:
        """Add a feature's describer and eraser."""
        self._describers.append((feature, describe))
        self._erasers.append((feature, erase))

    async def describe(self, chat_id: int) -> dict[str, list[str]]:
        """Per feature, the lines describing what is held for `chat_id`."""
        return {feature: await describe(chat_id) for feature, describe in self._describers}

    async def erase(self, chat_id: int) -> int:
        """Erase everything held for `chat_id` in every feature; total records removed."""
        return sum([await erase(chat_id) for _, erase in self._erasers])
