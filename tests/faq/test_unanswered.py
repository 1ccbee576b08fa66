"""Unanswered questions are written in bursts, off the reply, and never lost on close."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.faq.unanswered import UnansweredLog
from bot.storage.database import open_database

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def stored_texts(path: Path) -> list[str]:
    """What another process reading the file sees."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute("select text from unanswered_questions order by id").fetchall()
    return [row[0] for row in rows]


async def test_a_burst_is_written_together_shortly_after(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    database = await open_database(f"sqlite+aiosqlite:///{path}")
    log = UnansweredLog(database, timedelta(days=30), flush_after=0.05)
    for n in range(3):
        await log.record(f"question {n}", None, 0.1, NOW)
    assert stored_texts(path) == []  # not yet: the replies did not wait for the write
    for _ in range(100):
        await asyncio.sleep(0.05)
        if stored_texts(path):
            break
    assert stored_texts(path) == ["question 0", "question 1", "question 2"]
    await database.close()


async def test_closing_the_database_writes_what_is_waiting(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    database = await open_database(f"sqlite+aiosqlite:///{path}")
    log = UnansweredLog(database, timedelta(days=30), flush_after=3600)
    await log.record("do you take cats?", "cost", 0.2, NOW)
    await database.close()
    assert stored_texts(path) == ["do you take cats?"]


async def test_another_log_on_the_same_database_lists_what_is_waiting(tmp_path: Path) -> None:
    database = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    await UnansweredLog(database, timedelta(days=30), flush_after=3600).record(
        "can my dog come along", None, 0.0, NOW
    )
    [record] = await UnansweredLog(database, timedelta(days=30)).list()
    assert record.text == "can my dog come along"
    await database.close()


async def test_forgetting_a_chat_removes_its_waiting_questions_too(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    database = await open_database(f"sqlite+aiosqlite:///{path}")
    log = UnansweredLog(database, timedelta(days=30), flush_after=3600)
    await log.record("my question", None, 0.0, NOW, chat_id=42)
    await log.record("someone else's", None, 0.0, NOW, chat_id=7)
    assert await log.count_for_chat(42) == 1
    assert await log.erase_chat(42) == 1  # written first, then erased: none left behind
    await database.close()
    assert stored_texts(path) == ["someone else's"]
