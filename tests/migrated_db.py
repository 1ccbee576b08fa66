"""Test databases that start as a copy of one already migrated.

Migrating a new SQLite file took a tenth of a second (Alembic and the file's syncs), and
several hundred tests open a database of their own. The `migrated_database` fixture
(tests/conftest.py) migrates one file per worker; a test's database starts as a copy of it,
and `open_database` still runs the migrations on the copy, which find nothing to do. Tests
of the migrations themselves (tests/storage) and bots started as processes migrate new
files.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from bot.storage.database import open_database

SQLITE_PREFIX = "sqlite+aiosqlite:///"


async def migrate(path: Path) -> None:
    """Create `path` at the latest schema."""
    database = await open_database(f"{SQLITE_PREFIX}{path}")
    await database.close()


def start_from_migrated(migrated: Path, url_or_path: str | Path) -> None:
    """Put a copy of `migrated` where a test's database will be (left alone when a file is
    already there)."""
    path = Path(str(url_or_path).removeprefix(SQLITE_PREFIX))
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(migrated)) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
