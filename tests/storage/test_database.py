"""The database opens on a real SQLite file, migrates, and is idempotent."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.faq.unanswered import UnansweredLog
from bot.storage.database import open_database


async def test_migrations_create_tables_and_rerun_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "bot.sqlite3"
    database = await open_database(f"sqlite+aiosqlite:///{path}")
    await database.close()
    again = await open_database(f"sqlite+aiosqlite:///{path}")  # second start: no-op
    await again.close()
    tables = {row[0] for row in sqlite3.connect(path).execute("select name from sqlite_master")}
    assert {"alembic_version", "unanswered_questions"} <= tables


async def test_unanswered_questions_are_kept_for_the_retention_only(tmp_path: Path) -> None:
    database = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    log = UnansweredLog(database, retention=timedelta(days=30))
    now = datetime(2026, 11, 21, 12, tzinfo=UTC)
    await log.record("old question", None, 0.1, now - timedelta(days=40))
    await log.record("do you take cats?  " + "x" * 900, "cost", 0.2, now)
    records = await log.list()
    assert [r.text[:17] for r in records] == ["do you take cats?"]  # the old one was purged
    assert len(records[0].text) == 500
    assert records[0].asked_at.tzinfo is not None
    assert await log.purge(now + timedelta(days=31)) == 1
    assert await log.list() == []
    await database.close()


async def test_the_urls_timeout_sets_how_long_a_write_waits(tmp_path: Path) -> None:
    from sqlalchemy import text

    async def busy_ms(url: str) -> int:
        database = await open_database(url)
        async with database.engine.connect() as connection:
            value = (await connection.execute(text("PRAGMA busy_timeout"))).scalar_one()
        await database.close()
        return int(value)

    path = tmp_path / "bot.sqlite3"
    assert await busy_ms(f"sqlite+aiosqlite:///{path}?timeout=5") == 5000
    assert await busy_ms(f"sqlite+aiosqlite:///{path}") == 10_000


def test_the_schema_heads_read_from_the_scripts_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    from bot.storage.database import alembic_config, schema_heads

    assert schema_heads() == set(ScriptDirectory.from_config(alembic_config()).get_heads())


async def test_a_database_at_the_latest_schema_is_opened_without_migrating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic import command

    from bot.storage.database import alembic_config

    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    upgrades: list[object] = []
    upgrade = command.upgrade

    def counted(*args: object, **kwargs: object) -> None:
        upgrades.append(args)
        upgrade(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(command, "upgrade", counted)
    for _ in range(2):
        database = await open_database(url)
        await database.close()
    assert len(upgrades) == 1  # the first start only
    # A database behind the scripts (here: one revision back) is brought up to date.
    behind = alembic_config()
    behind.set_main_option("sqlalchemy.url", f"sqlite:///{tmp_path / 'bot.sqlite3'}")
    command.downgrade(behind, "-1")
    database = await open_database(url)
    await database.close()
    assert len(upgrades) == 2


async def test_a_new_database_file_is_its_owners_alone(tmp_path: Path) -> None:
    path = tmp_path / "data" / "bot.sqlite3"
    database = await open_database(f"sqlite+aiosqlite:///{path}")
    try:
        log = UnansweredLog(database, retention=timedelta(days=30))
        await log.record("how much is parking", None, 0.0, datetime.now(UTC))
    finally:
        await database.close()
    assert path.stat().st_size > 0  # SQLite wrote its tables into the file made first
    assert path.stat().st_mode & 0o777 == 0o600
