"""A mapping that keeps only the most recently remembered keys.

Per-chat memory in a long-running bot (a chat's language, its last unclear question, an
open confirmation) must stay bounded however many chats write to it: the keys used least
recently are forgotten first.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class RecentMemory(OrderedDict[K, V]):
    """An `OrderedDict` of at most `limit` keys, the least recently remembered dropped."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, key: K, value: V) -> None:
        """Keep `value` under `key` as the most recent, forgetting the oldest past `limit`."""
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.limit:
            self.popitem(last=False)
