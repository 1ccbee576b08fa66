"""`ims-bot backup`: a consistent copy of a live SQLite database, and restoring it."""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.storage.database import open_database
from bot.web.audit import AuditLog


def audit_actions(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT action FROM staff_audit_log ORDER BY id")
        return [row[0] for row in rows]


async def test_a_backup_taken_while_the_bot_writes_holds_everything_and_restores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    live = tmp_path / "clinic.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{live}")
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
    database = await open_database(f"sqlite+aiosqlite:///{live}")
    try:
        # Written by the running bot and still only in its write-ahead log: `cp` of the
        # database file alone would lose it.
        await AuditLog(database).write("doctor@clinic.example", "view_intake", "intake:12")
        assert (tmp_path / "clinic.sqlite3-wal").stat().st_size > 0
        copy = tmp_path / "backups" / "clinic-2026-12-07.sqlite3"
        copy.parent.mkdir()
        # The command runs as its own process would, beside the bot's open database.
        assert await asyncio.to_thread(main, ["backup", str(copy)]) == 0
        said = capsys.readouterr().out
        assert f"to {copy}" in said and "DATA_ENCRYPTION_KEY" in said
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600  # health information
        assert not list(copy.parent.glob("*-wal")) and not list(copy.parent.glob(".*partial"))
        assert audit_actions(copy) == ["view_intake"]
        assert audit_actions(live)[-1] == "backup_database"  # who copied everyone's data
        # Never written over: a second backup under the same name is refused, unchanged.
        before = copy.read_bytes()
        assert await asyncio.to_thread(main, ["backup", str(copy)]) == 1
        refused = capsys.readouterr()
        assert "never written over" in refused.err and refused.out == ""
        assert copy.read_bytes() == before
    finally:
        await database.close()
    # Restore as the README says: the bot stopped, the copy put in the database's place.
    for leftover in tmp_path.glob("clinic.sqlite3*"):
        leftover.unlink()
    shutil.copyfile(copy, live)
    restored = await open_database(f"sqlite+aiosqlite:///{live}")
    try:
        lines = await AuditLog(restored).recent()
        assert [(line.action, line.target) for line in lines] == [("view_intake", "intake:12")]
    finally:
        await restored.close()


def test_a_database_that_is_not_sqlite_is_left_to_its_own_tools(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://clinic@db.example/ims")
    assert main(["backup", str(tmp_path / "copy")]) == 2
    said = capsys.readouterr()
    assert "pg_dump" in said.err and said.out == ""
    assert not (tmp_path / "copy").exists()


def test_every_refusal_goes_to_standard_error_with_a_failing_exit_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A nightly cron job mails what a command prints: its standard output is for the
    backup made, a refusal goes to standard error and the exit status says it failed."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
    missing = tmp_path / "gone.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{missing}")
    assert main(["backup", str(tmp_path / "a.sqlite3")]) == 1
    said = capsys.readouterr()
    assert f"no database at {missing}" in said.err and said.out == ""
    # Not a database at all (a file put in its place): refused, no copy and no part of one.
    missing.write_text("these are not the pages of a SQLite database" * 100)
    assert main(["backup", str(tmp_path / "b.sqlite3")]) == 1
    said = capsys.readouterr()
    assert "no backup was written" in said.err and said.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gone.sqlite3"]
    assert main(["backup", str(tmp_path / "nowhere" / "c.sqlite3")]) == 1
    said = capsys.readouterr()
    assert "does not exist" in said.err and said.out == ""


async def test_the_copy_is_never_readable_by_others_even_while_it_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = tmp_path / "clinic.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{live}")
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
    await (await open_database(f"sqlite+aiosqlite:///{live}")).close()
    seen: dict[str, int | None] = {}
    real_connect = sqlite3.connect

    def connect(path: str | Path, *args: object, **kwargs: object) -> sqlite3.Connection:
        if Path(path).name.endswith(".partial"):
            # The copy's file as SQLite opens it to write the patients' data into it.
            seen["mode"] = stat.S_IMODE(Path(path).stat().st_mode) if Path(path).exists() else None
        return real_connect(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("bot.cli.backup.sqlite3.connect", connect)
    old_mask = os.umask(0o022)
    try:
        assert await asyncio.to_thread(main, ["backup", str(tmp_path / "copy.sqlite3")]) == 0
    finally:
        os.umask(old_mask)
    assert seen == {"mode": 0o600}
