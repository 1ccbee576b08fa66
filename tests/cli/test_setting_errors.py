"""Every bad setting is told in one style at start-up: `ims-bot: configuration error:
NAME: what is wrong; what to do`, one line, exit code 2, never a traceback."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.main import main

ONE_STYLE = re.compile(r"^ims-bot: configuration error: ([A-Z_]+): [^;]+; .+$")


@pytest.fixture
def clinic_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'clinic.sqlite3'}")
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
    for name in ("TELEGRAM_BOT_TOKEN", "DATA_ENCRYPTION_KEY", "CONTENT_DIR", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "a-file").write_text("not a folder")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "value", "command"),
    [
        ("IMS_HANDOFF_HOURS", "four", ("staff", "list")),
        ("IMS_REMINDER_SWEEP_SECONDS", "0", ("staff", "list")),
        ("IMS_INTAKE_ABANDON_DAYS", "1.5", ("staff", "list")),
        ("UNANSWERED_RETENTION_DAYS", "-3", ("staff", "list")),
        ("IMS_SEND_PER_SECOND", "nan", ("staff", "list")),
        # "inf" would switch the global send limit off (and a deadline would never end).
        ("IMS_SEND_PER_SECOND", "inf", ("staff", "list")),
        ("IMS_EMERGENCY_DEADLINE_SECONDS", "Infinity", ("staff", "list")),
        ("LOG_LEVEL", "verbose", ("staff", "list")),
        ("CONSOLE_ENABLED", "maybe", ("staff", "list")),
        ("SEMANTIC_MATCHING", "sometimes", ("staff", "list")),
        ("CONTENT_DIR", "{tmp}/no-such-folder", ("staff", "list")),
        ("TELEGRAM_API_BASE_URL", "ftp://api.example", ("staff", "list")),
        ("CLINIC_TIMEZONE", "EST", ("staff", "list")),
        ("STAFF_CHAT_IDS", "front desk", ("staff", "list")),
        ("DATABASE_URL", "postgresql://clinic@127.0.0.1:1/ims", ("staff", "list")),
        ("DATABASE_URL", "sqlite+aiosqlite:///{tmp}/a-file", ("staff", "list")),
        ("DATA_ENCRYPTION_KEY", "not-a-key", ("intake", "list")),
        ("IMS_DATA_DIR", "{tmp}/a-file/data", ("intake", "list")),
        # A data folder that cannot be made: was an "unexpected error: FileNotFoundError".
        ("IMS_DATA_DIR", "/proc/ims-bot-data", ("intake", "list")),
    ],
)
def test_a_bad_setting_is_one_line_in_one_style(
    clinic_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    value: str,
    command: tuple[str, ...],
) -> None:
    monkeypatch.setenv(name, value.format(tmp=clinic_env))
    assert main(list(command)) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    found = ONE_STYLE.match(lines[0])
    assert found is not None, lines[0]
    assert found.group(1) == name


@pytest.mark.parametrize(
    "url",
    [
        "mysql+aiomysql://clinic:secret@db.example/ims",  # a driver that is not installed
        "postgresql://clinic@db.example/ims",  # no async driver named
        "sqlite+aiosqlite:///{tmp}/a-file/bot.sqlite3",  # a folder that is a file
    ],
)
def test_a_bad_database_url_is_told_before_the_slow_content_load(
    clinic_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    # Loading and checking the content takes half a minute on a small machine: a newcomer
    # with a mistyped DATABASE_URL is told at once, not after it.
    def content_loaded(*_: object) -> None:
        raise AssertionError("the content was loaded before DATABASE_URL was checked")

    monkeypatch.setattr("bot.runtime.load_checked_content", content_loaded)
    monkeypatch.setenv("DATABASE_URL", url.format(tmp=clinic_env))
    assert main(["shell"]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    found = ONE_STYLE.match(line)
    assert found is not None and found.group(1) == "DATABASE_URL", line
    assert "secret" not in line
