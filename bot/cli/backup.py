"""`ims-bot backup FILE`: a consistent copy of the SQLite database, safe while the bot runs.

Copying the database file with `cp` while the bot runs can miss what still sits in its
write-ahead log (`-wal` beside it) or catch a write half done; SQLite's own backup reads
one consistent state.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.config import load_settings
from bot.storage.database import Database
from bot.storage.private_files import OWNER_ONLY, create_private_file
from bot.web.audit import AuditLog, command_line_actor

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    """Add the `backup` command."""
    parser = subparsers.add_parser(
        "backup",
        help="copy the database to a file, safe while the bot runs",
        description="Copy the SQLite database (DATABASE_URL) to FILE as one consistent "
        "state, safe while the bot and the console run. FILE must not exist yet. Restore "
        "by stopping the bot and putting the copy in the database's place (README, "
        "'Backup and restore').",
    )
    parser.add_argument("file", metavar="FILE", help="where to write the copy (a new file)")
    parser.set_defaults(handler=run_backup)


def run_backup(args: argparse.Namespace) -> int:
    """Write the copy, check it, and say what else must be kept."""
    settings = load_settings()
    url = make_url(settings.database_url)
    source = Path(url.database or "")
    if url.get_backend_name() != "sqlite":
        return _refuse(
            f"copies SQLite databases only; back up this {url.get_backend_name()} database "
            "with its own tools (e.g. pg_dump)",
            EXIT_USAGE,
        )
    if not source.is_file():
        return _refuse(f"there is no database at {source} (DATABASE_URL) to copy")
    target = Path(args.file)
    if target.exists():
        return _refuse(f"{target} exists; a backup is never written over: name a new file")
    if not target.parent.is_dir():
        return _refuse(f"the folder {target.parent} does not exist")
    try:
        size = _copy(source, target)
    except PermissionError:
        return _refuse(f"cannot write in {target.parent}: run as a user who may, or name another")
    except sqlite3.DatabaseError as exc:
        return _refuse(f"no backup was written: {exc}")
    asyncio.run(_audit(settings.database_url, target))
    print(
        f"Backed up {source} to {target} ({size / 1_000_000:.1f} MB, checked). It holds "
        "health information: keep it as safe as the database. The intake answers in it are "
        "encrypted: keep DATA_ENCRYPTION_KEY (without it, the key file in IMS_DATA_DIR) "
        "too, stored apart from the copy; without the key they cannot be read."
    )
    return EXIT_OK


def _refuse(text: str, code: int = EXIT_REFUSED) -> int:
    """A refusal on standard error (a cron job's output keeps only what went well)."""
    print(f"ims-bot backup: {text}", file=sys.stderr)
    return code


def _copy(source: Path, target: Path) -> int:
    """Copy through SQLite's backup into a temporary name, check it, then give it its
    name: a copy cut short never looks like a finished backup. Returns its size."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    # Made the owner's alone before SQLite writes a patient's data into it (it keeps the
    # mode it finds, and so do its journal files).
    os.close(create_private_file(partial))
    try:
        verdict = _backup_into(source, partial)
    except BaseException:
        partial.unlink(missing_ok=True)  # a copy cut short is never left behind
        raise
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise sqlite3.DatabaseError(f"the copy failed its check ({verdict})")
    os.chmod(partial, OWNER_ONLY)  # health information: the owner only
    os.replace(partial, target)
    return target.stat().st_size


def _backup_into(source: Path, partial: Path) -> str:
    """SQLite's backup of `source` into `partial`; the copy's own check's verdict."""
    reader = sqlite3.connect(source, timeout=30)
    try:
        writer = sqlite3.connect(partial)
        try:
            reader.backup(writer)
            writer.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            (verdict,) = writer.execute("PRAGMA quick_check").fetchone()
        finally:
            writer.close()
    finally:
        reader.close()
    return str(verdict)


async def _audit(url: str, target: Path) -> None:
    """A copy of every patient's data left the database: the audit log says who made it."""
    database = Database(url)
    try:
        await AuditLog(database).write(command_line_actor(), "backup_database", None)
    except SQLAlchemyError:
        pass  # a database from before the console has no audit log yet; the copy stands
    finally:
        await database.close()
