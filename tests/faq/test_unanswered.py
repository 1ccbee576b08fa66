"""Unanswered questions are written in bursts, off the reply, and never lost on close."""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.faq.unanswered import UnansweredLog
from bot.storage.database import open_database

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
SECRET = b"derived from the data key in the bot"


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
    log = UnansweredLog(database, timedelta(days=30), flush_after=3600, asker_secret=SECRET)
    await log.record("my question", None, 0.0, NOW, chat_id=42)
    await log.record("someone else's", None, 0.0, NOW, chat_id=7)
    assert await log.count_for_chat(42) == 1
    assert await log.erase_chat(42) == 1  # written first, then erased: none left behind
    await database.close()
    assert stored_texts(path) == ["someone else's"]


def stored_askers(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("select asker from unanswered_questions order by id").fetchall()
    return [row[0] for row in rows]


def unkeyed(chat_id: int) -> str:
    """The pseudonym as it was stored before it was keyed: anyone could recompute it."""
    return hashlib.sha256(f"unanswered:{chat_id}".encode()).hexdigest()[:32]


async def test_the_asker_pseudonym_cannot_be_recomputed_from_a_chat_id(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    database = await open_database(f"sqlite+aiosqlite:///{path}")
    for secret in (SECRET, b"another clinic's key"):
        log = UnansweredLog(database, timedelta(days=30), asker_secret=secret)
        await log.record("is there parking", None, 0.0, NOW, chat_id=42)
        await log.flush()
    first, second = stored_askers(path)
    assert unkeyed(42) not in (first, second)
    assert first != second  # keyed: the same chat reads differently under another secret
    assert len(first) == 32  # fits the column
    await database.close()


async def test_questions_stored_before_the_keying_still_belong_to_their_chat(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bot.sqlite3"
    database = await open_database(f"sqlite+aiosqlite:///{path}")
    with sqlite3.connect(path) as connection:
        connection.executemany(
            "insert into unanswered_questions (asked_at, text, best_score, asker)"
            " values ('2026-11-20 12:00:00', ?, 0, ?)",
            [("asked last week", unkeyed(42)), ("asked by another", unkeyed(7))],
        )
    log = UnansweredLog(database, timedelta(days=30), asker_secret=SECRET)
    await log.record("asked today", None, 0.0, NOW, chat_id=42)
    assert await log.count_for_chat(42) == 2
    assert len(set(stored_askers(path))) == 2  # two askers, not three
    assert unkeyed(42) not in stored_askers(path)
    assert await log.erase_chat(42) == 2
    assert await log.count_for_chat(7) == 1
    await database.close()
    assert stored_texts(path) == ["asked by another"]


async def test_a_chats_questions_are_not_kept_without_the_secret(tmp_path: Path) -> None:
    database = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    log = UnansweredLog(database, timedelta(days=30))
    with pytest.raises(ValueError, match="secret"):
        await log.record("is there parking", None, 0.0, NOW, chat_id=42)
    await database.close()
