"""`Database.read_now`, `write_now` and `insert_now`: small reads and writes straight on the
SQLite file, None when they cannot."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.storage.database import Database


async def test_sees_a_commit_made_through_another_connection(
    database: Database, database_path: Path
) -> None:
    path = database_path
    sql = "SELECT text FROM unanswered_questions"
    assert database.read_now(sql) == []
    with sqlite3.connect(path) as other:  # another process, as far as SQLite can tell
        other.execute(
            "INSERT INTO unanswered_questions (asked_at, text, best_score) "
            "VALUES ('2026-11-21 12:00:00', 'from elsewhere', 0.0)"
        )
    assert database.read_now(sql) == [("from elsewhere",)]


async def test_a_failed_read_or_write_says_use_the_session_instead(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'not-migrated.sqlite3'}")
    assert database.read_now("SELECT 1 FROM intake_sessions") is None  # no such table
    assert "querying through the session" in caplog.text
    assert database.write_now("DELETE FROM intake_sessions") is None
    assert "writing through the session" in caplog.text
    in_memory = Database("sqlite+aiosqlite://")
    assert in_memory.write_now("SELECT 1") is None  # not a file: nothing to write directly
    await in_memory.close()
    await database.close()


async def test_it_never_writes(database: Database) -> None:
    assert database.read_now("DELETE FROM unanswered_questions") is None  # query_only


async def test_a_quick_write_commits_at_once_for_every_connection(
    database: Database, database_path: Path
) -> None:
    path = database_path
    insert = (
        "INSERT INTO unanswered_questions (asked_at, text, best_score) "
        "VALUES ('2026-11-21 12:00:00', 'written here', 0.0)"
    )
    assert database.write_now(insert) == 1
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT text FROM unanswered_questions").fetchall() == [
            ("written here",)
        ]


async def test_a_quick_write_never_waits_for_another_writer(
    database: Database, database_path: Path
) -> None:
    path = database_path
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another connection holds the write lock
    try:
        assert database.write_now("DELETE FROM unanswered_questions") is None
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert database.write_now("DELETE FROM unanswered_questions") == 0


async def test_a_quick_insert_gives_the_new_row_id_or_none_when_it_cannot(
    database: Database, database_path: Path
) -> None:
    path = database_path
    insert = (
        "INSERT INTO unanswered_questions (asked_at, text, best_score) "
        "VALUES ('2026-11-21 12:00:00', ?, 0.0)"
    )
    first = database.insert_now(insert, ("one",))
    second = database.insert_now(insert, ("two",))
    assert first is not None and second == first + 1
    with sqlite3.connect(path) as other:  # committed at once
        assert other.execute(
            "SELECT id FROM unanswered_questions WHERE text = 'two'"
        ).fetchall() == [(second,)]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        assert database.insert_now(insert, ("busy",)) is None  # never waits on the loop
    finally:
        other.execute("ROLLBACK")
        other.close()
