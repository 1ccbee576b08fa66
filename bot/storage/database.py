"""Opening the database and bringing its schema up to date."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# aiosqlite logs every call with its SQL parameters (patient text) at DEBUG.
PARAMETER_LOGGERS = ("aiosqlite",)
logger = logging.getLogger(__name__)


def quiet_parameter_loggers() -> None:
    """Never let the driver log SQL parameters, whatever LOG_LEVEL says."""
    for name in PARAMETER_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # WAL lets a second bot process read while one writes; busy_timeout makes
    # writers wait for each other instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL still survives a killed process (every commit is in the log);
    # only a power cut can lose the last commits. It makes each saved answer ~2x cheaper.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten, not left readable in free pages (/forget).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


class Database:
    """An async engine plus a session factory for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        quiet_parameter_loggers()
        # hide_parameters: SQLAlchemy's own echo and error messages never show values.
        self.engine: AsyncEngine = create_async_engine(url, hide_parameters=True)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )

    async def migrate(self) -> None:
        """Apply every pending migration (all branches)."""
        async with self.engine.begin() as connection:
            await connection.run_sync(_upgrade)

    async def scrub(self) -> None:
        """After deleting personal data: move the write-ahead log into the database file
        (where secure_delete has overwritten the deleted rows) and truncate it."""
        if self.engine.dialect.name != "sqlite":
            return
        async with self.engine.connect() as connection:
            result = await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            busy = result.one()[0]
        if busy:
            logger.warning("WAL checkpoint after an erase was busy; it completes later")

    async def close(self) -> None:
        """Release all connections."""
        await self.engine.dispose()


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, optionally bound to a connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "heads")


async def open_database(url: str) -> Database:
    """Open the database at `url` and migrate it to the latest schema."""
    database = Database(url)
    await database.migrate()
    return database
