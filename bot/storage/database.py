"""Opening the database and bringing its schema up to date."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import fcntl
import logging
import os
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from sqlalchemy import ColumnElement, event, inspect
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.storage.private_files import create_private_file

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# aiosqlite logs every call with its SQL parameters (patient text) at DEBUG.
PARAMETER_LOGGERS = ("aiosqlite",)
logger = logging.getLogger(__name__)


DRIVER_PACKAGES = {
    "asyncpg": "asyncpg",
    "aiomysql": "aiomysql",
    "asyncmy": "asyncmy",
    "psycopg": "psycopg[binary]",
    "aiosqlite": "aiosqlite",
}
# The async spelling of a database whose URL names no async driver, and its package.
ASYNC_URLS = {
    "postgresql": ("postgresql+asyncpg", "asyncpg"),
    "mysql": ("mysql+aiomysql", "aiomysql"),
    "mariadb": ("mysql+aiomysql", "aiomysql"),
    "sqlite": ("sqlite+aiosqlite", "aiosqlite"),
    "mssql": ("mssql+aioodbc", "aioodbc"),
}
LOCK_SUFFIX = ".migrate.lock"
# What `schema_heads` reads from each migration script.
REVISION_NAMES = ("revision", "down_revision", "branch_labels", "depends_on")
# A quick read waits this long at most for a lock (WAL readers almost never wait): it runs
# on the event loop, so a long wait would hold every chat; on timeout the caller queries
# through the async driver instead.
QUICK_READ_BUSY_MS = 50
# How long a session's write waits for another's by default (DATABASE_URL ?timeout= sets it).
DEFAULT_BUSY_MS = 10_000


class StorageError(Exception):
    """The database cannot be opened or migrated; the message names DATABASE_URL and the fix."""


def quiet_parameter_loggers() -> None:
    """Never let the driver log SQL parameters, whatever LOG_LEVEL says."""
    for name in PARAMETER_LOGGERS:
        logging.getLogger(name).setLevel(logging.INFO)


def _sqlite_pragmas(busy_ms: int) -> Callable[[DBAPIConnection, object], None]:
    def set_on_connect(dbapi_connection: DBAPIConnection, _record: object) -> None:
        cursor = dbapi_connection.cursor()
        _set_pragmas(cursor, busy_ms)
        cursor.close()

    return set_on_connect


def sqlite_busy_ms(url: URL) -> int:
    """How long a write waits for another (ms): DATABASE_URL's `?timeout=` seconds when
    given (checked by the settings), else ten seconds."""
    timeout = url.query.get("timeout")
    try:
        return round(float(str(timeout)) * 1000) if timeout is not None else DEFAULT_BUSY_MS
    except ValueError:
        raise StorageError(
            f"DATABASE_URL: timeout {str(timeout)!r} is not a number of seconds; "
            "write it as e.g. ?timeout=5"
        ) from None


def _set_pragmas(cursor: DBAPICursor | sqlite3.Connection, busy_ms: int) -> None:
    """The settings every connection to the SQLite file gets."""
    # WAL lets a second bot process read while one writes; busy_timeout makes
    # writers wait for each other instead of failing with "database is locked".
    cursor.execute("PRAGMA journal_mode=WAL")
    # With WAL, NORMAL still survives a killed process (every commit is in the log);
    # only a power cut can lose the last commits. It makes each saved answer ~2x cheaper.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten, not left readable in free pages (/forget).
    cursor.execute("PRAGMA secure_delete=ON")


class Database:
    """An async engine plus a session factory for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StorageError(
                "DATABASE_URL: not a database URL; write it as e.g. "
                "sqlite+aiosqlite:///data/bot.sqlite3"
            ) from None
        self.sqlite_path: Path | None = None
        if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
            self.sqlite_path = Path(parsed.database)
            _prepare_folder(self.sqlite_path)
        self._quick: sqlite3.Connection | None = None
        self._quick_writer: sqlite3.Connection | None = None
        self._before_close: list[Callable[[], Awaitable[None]]] = []
        quiet_parameter_loggers()
        if not _async_dialect(parsed):
            raise StorageError(_async_driver_hint(parsed.get_backend_name(), parsed.drivername))
        if self.sqlite_path is not None:
            # Patient data goes in this file: the owner's alone before SQLite writes to it
            # (SQLite keeps the mode it finds and gives its journal files the same). Any
            # other problem with the path is SQLite's to report, as before.
            with contextlib.suppress(OSError):
                os.close(create_private_file(self.sqlite_path))
        try:
            # hide_parameters: SQLAlchemy's own echo and error messages never show values.
            self.engine: AsyncEngine = create_async_engine(url, hide_parameters=True)
        except NoSuchModuleError:
            raise StorageError(
                f"DATABASE_URL: unknown database or driver '{parsed.drivername}'; use "
                "sqlite+aiosqlite:///path/to/bot.sqlite3 or postgresql+asyncpg://user@host/db"
            ) from None
        except ImportError as error:
            backend = parsed.get_backend_name()
            if "+" not in parsed.drivername and backend in ASYNC_URLS:
                # The default driver is not the one to install: name the async spelling.
                raise StorageError(_async_driver_hint(backend, parsed.drivername)) from None
            package = DRIVER_PACKAGES.get(error.name or "", error.name or parsed.drivername)
            raise StorageError(
                f"DATABASE_URL: the driver for '{parsed.drivername}' is not installed; "
                f"install it with: pip install {package}"
            ) from None
        if parsed.get_backend_name() == "sqlite":
            busy_ms = sqlite_busy_ms(parsed)
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas(busy_ms))
        self.sessions: async_sessionmaker[AsyncSession] = async_sessionmaker(
            self.engine, expire_on_commit=False
        )

    async def migrate(self) -> None:
        """Apply every pending migration (all branches), one process at a time.

        Two first runs at once would both create the tables; the second waits for the
        first on a lock file beside the database (SQLite), then finds nothing to do.
        """
        # Taken in a thread: waiting for another process must not block this event loop.
        lock = await asyncio.to_thread(_lock_migrations, self.sqlite_path)
        try:
            async with self.engine.begin() as connection:
                await connection.run_sync(_upgrade)
        except (SQLAlchemyError, OSError) as error:
            raise StorageError(_open_problem(self.url, error)) from None
        finally:
            if lock is not None:
                lock.close()  # closing the file releases the lock

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

    def read_now(self, sql: str, parameters: Sequence[object] = ()) -> list[tuple[Any, ...]] | None:
        """The rows of a tiny indexed read, run right here; None when the caller must query
        through the async session instead (not an SQLite file, or the read failed).

        The async driver costs two thread hops and a session per query, about a millisecond;
        a read on the index of a small table costs microseconds, less than the hops. It goes
        to the file itself on its own connection, so it sees every process's commits.
        """
        if self.sqlite_path is None:
            return None
        try:
            if self._quick is None:
                self._quick = self._open_quick(self.sqlite_path)
            return self._quick.execute(sql, tuple(parameters)).fetchall()
        except sqlite3.Error as error:
            logger.warning("quick read failed (%s); querying through the session", error)
            return None

    def row_converter(
        self, columns: Sequence[ColumnElement[Any]]
    ) -> Callable[[Sequence[Any]], tuple[Any, ...]]:
        """Turns a row `read_now` returned for `columns` into the values the session would
        give (the driver's own conversions: dates from SQLite text, aware UTC times)."""
        dialect = self.engine.dialect
        processors = [
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        ]

        def convert(values: Sequence[Any]) -> tuple[Any, ...]:
            return tuple(
                value if process is None else process(value)
                for process, value in zip(processors, values, strict=True)
            )

        return convert

    def write_now(self, sql: str, parameters: Sequence[object] = ()) -> int | None:
        """The rows one small indexed write changed, run right here as its own transaction;
        None when the caller must write through the async session instead (not an SQLite
        file, another connection is writing, or the write failed).

        The async session costs a pool checkout, several thread hops and a separate commit
        (about a millisecond); one UPDATE of one row by its key, committed to the
        write-ahead log with synchronous=NORMAL, costs tens of microseconds.
        """
        cursor = self._write_now(sql, parameters)
        return cursor.rowcount if cursor is not None else None

    def insert_now(self, sql: str, parameters: Sequence[object] = ()) -> int | None:
        """The new row's id after one INSERT run right here as its own transaction (as
        `write_now`); None when the caller must insert through the async session."""
        cursor = self._write_now(sql, parameters)
        return cursor.lastrowid if cursor is not None else None

    def _write_now(self, sql: str, parameters: Sequence[object]) -> sqlite3.Cursor | None:
        if self.sqlite_path is None:
            return None
        try:
            if self._quick_writer is None:
                self._quick_writer = self._open_quick(self.sqlite_path, writes=True)
            return self._quick_writer.execute(sql, tuple(parameters))
        except sqlite3.OperationalError as error:
            if error.sqlite_errorcode != sqlite3.SQLITE_BUSY:
                logger.warning("quick write failed (%s); writing through the session", error)
            return None  # busy: another connection is inside a write; the session waits
        except sqlite3.Error as error:
            logger.warning("quick write failed (%s); writing through the session", error)
            return None

    @staticmethod
    def _open_quick(path: Path, *, writes: bool = False) -> sqlite3.Connection:
        # Autocommit, so no read transaction stays open between reads (each read sees the
        # latest commit) and each write commits at once; used from the event loop's thread
        # only, closed from it too.
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        if writes:
            # Never wait on the event loop for the write lock (busy_timeout 0): its holder
            # may be a session of this very process, which cannot finish while the loop is held.
            _set_pragmas(connection, busy_ms=0)
        else:
            connection.execute("PRAGMA query_only=ON")
            connection.execute(f"PRAGMA busy_timeout={QUICK_READ_BUSY_MS}")
        return connection

    def on_close(self, flush: Callable[[], Awaitable[None]]) -> None:
        """Await `flush` (writes a component buffers) before the connections are released."""
        self._before_close.append(flush)

    async def close(self) -> None:
        """Write what components buffered, then release all connections."""
        for flush in self._before_close:
            await flush()
        for quick in (self._quick, self._quick_writer):
            if quick is not None:
                quick.close()
        self._quick = self._quick_writer = None
        await self.engine.dispose()


def _async_dialect(parsed: URL) -> bool:
    """Whether the URL's dialect can run under asyncio (True when it cannot be told here:
    an unknown one is reported when the engine is made)."""
    try:
        dialect = parsed.get_dialect()  # the dialect class; its driver is not imported
        return bool(dialect.get_async_dialect_cls(parsed).is_async)
    except (NoSuchModuleError, ImportError, AttributeError):
        return True


def _async_driver_hint(backend: str, drivername: str) -> str:
    """One line: the URL needs an async driver, and the spelling and package that give one."""
    spelling = ASYNC_URLS.get(backend)
    fix = (
        f"write it as {spelling[0]}://... and pip install {spelling[1]}"
        if spelling is not None
        else "use a driver that supports asyncio"
    )
    return f"DATABASE_URL: '{drivername}' names no async driver (the bot needs one); {fix}"


def _prepare_folder(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise StorageError(
            f"DATABASE_URL: {str(path.parent)!r} is a file, not a folder; "
            "point DATABASE_URL at a file inside a folder"
        ) from None
    except PermissionError:
        raise StorageError(
            f"DATABASE_URL: cannot create the folder {str(path.parent)!r} (permission denied); "
            "create it or choose a writable place"
        ) from None


def _lock_migrations(path: Path | None) -> BinaryIO | None:
    """Hold an exclusive lock on `<database>.migrate.lock` (None: not a SQLite file)."""
    if path is None:
        return None
    try:
        handle = open(str(path) + LOCK_SUFFIX, "a+b")  # noqa: SIM115 - closed by the caller
    except OSError as error:
        raise StorageError(
            f"DATABASE_URL: cannot write beside {str(path)!r} ({error.strerror}); "
            "the bot needs a writable folder for its database"
        ) from None
    fcntl.flock(handle, fcntl.LOCK_EX)  # waits while another process migrates
    return handle


def _open_problem(url: str, error: BaseException) -> str:
    """One line naming DATABASE_URL, what went wrong and what to do."""
    text = str(getattr(error, "orig", None) or error).splitlines()[0][:200]
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered:
        wrong, fix = "is read-only", "make the database file writable by the bot's user"
    elif "unable to open" in lowered or "permission" in lowered:
        wrong, fix = "cannot be opened", "check the path and its permissions"
    elif any(w in lowered for w in ("connect", "refused", "resolve", "timeout", "name or service")):
        wrong, fix = "cannot be reached", "check the host, the port and that the server runs"
    else:
        wrong, fix = "cannot be used", "check that DATABASE_URL names the bot's database"
    backend = make_url(url).get_backend_name()
    return f"DATABASE_URL: the {backend} database {wrong} ({type(error).__name__}: {text}); {fix}"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, optionally bound to a connection."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    stored = stored_revisions(connection)
    if stored == schema_heads():
        return  # at the latest schema already, as on every start but the first after an upgrade
    from alembic import command
    from alembic.util import CommandError

    try:
        command.upgrade(alembic_config(connection), "heads")
    except CommandError as error:
        # Most often a database a newer version migrated (an upgrade rolled back, or an
        # older copy of the bot on another machine pointed at the same database).
        found = ", ".join(sorted(stored or ())) or "none"
        raise StorageError(
            f"DATABASE_URL: the database is at schema revision {found}, which this version "
            "of ims-bot does not know: it was probably written by a newer version; run "
            f"that version, or restore a backup taken before the upgrade ({error})"
        ) from None


def stored_revisions(connection: Connection) -> frozenset[str] | None:
    """The revisions the database says it is at (None: it has never been migrated)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
    return frozenset(str(row[0]) for row in rows)


@cache
def schema_heads() -> frozenset[str] | None:
    """The newest revisions in our migrations (those no other one follows), read from the
    scripts' `revision` and `down_revision` without loading Alembic; None (always ask
    Alembic) when a script says more than those two (a dependency, a branch label)."""
    revisions: set[str] = set()
    followed: set[str] = set()
    for script in (MIGRATIONS_DIR / "versions").glob("*.py"):
        told: dict[str, Any] = {}
        for statement in ast.parse(script.read_text(encoding="utf-8")).body:
            target: ast.expr
            if isinstance(statement, ast.AnnAssign) and statement.value is not None:
                target, value = statement.target, statement.value
            elif isinstance(statement, ast.Assign):
                target, value = statement.targets[0], statement.value
            else:
                continue
            if isinstance(target, ast.Name) and target.id in REVISION_NAMES:
                told[target.id] = ast.literal_eval(value)
        if told.get("branch_labels") or told.get("depends_on") or "revision" not in told:
            return None
        down = told.get("down_revision")
        revisions.add(told["revision"])
        followed.update(down if isinstance(down, tuple | list) else [down] if down else [])
    return frozenset(revisions - followed)


async def open_database(url: str) -> Database:
    """Open the database at `url` and migrate it to the latest schema."""
    database = Database(url)
    await database.migrate()
    return database
