"""RecentMemory keeps the most recently remembered keys and forgets the oldest first."""

from __future__ import annotations

from bot.core.recent import RecentMemory


def test_the_least_recently_remembered_key_goes_first() -> None:
    memory: RecentMemory[int, str] = RecentMemory(2)
    memory.remember(1, "a")
    memory.remember(2, "b")
    memory.remember(1, "a again")  # 1 is now the most recent
    memory.remember(3, "c")
    assert dict(memory) == {1: "a again", 3: "c"}
    assert memory.pop(1) == "a again" and list(memory) == [3]
