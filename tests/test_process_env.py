"""The test kit's process environment leaves none of the developer's bot settings in place."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.process_env import REPO, SETTING_PREFIXES, SETTINGS, process_env


def test_every_setting_the_bot_reads_is_cleared_from_the_shell() -> None:
    config = (REPO / "bot" / "config.py").read_text(encoding="utf-8")
    names = set(re.findall(r'"([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)"', config))
    assert {"DATABASE_URL", "TELEGRAM_BOT_TOKEN", "CONSOLE_ENABLED"} <= names
    kept = {n for n in names if n not in SETTINGS and not n.startswith(SETTING_PREFIXES)}
    assert not kept, f"add these to tests/process_env.py SETTINGS: {sorted(kept)}"


def test_a_process_gets_its_own_database_and_the_named_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("STAFF_CHAT_IDS", "-100123")
    monkeypatch.setenv("IMS_SEND_PER_SECOND", "1")
    monkeypatch.setenv("DATABASE_URL", "sqlite+aiosqlite:///somewhere-else.sqlite3")
    env = process_env(tmp_path, database="x.sqlite3", LOG_LEVEL="DEBUG")
    assert env["DATABASE_URL"] == f"sqlite+aiosqlite:///{tmp_path / 'x.sqlite3'}"
    assert env["IMS_DATA_DIR"] == str(tmp_path / "data") and env["LOG_LEVEL"] == "DEBUG"
    assert "STAFF_CHAT_IDS" not in env and "IMS_SEND_PER_SECOND" not in env
    assert env["PYTHONPATH"] == str(REPO) and env["PATH"]


def test_processes_share_bytecode_when_the_shell_keeps_it_from_the_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "bytecode"
    monkeypatch.setattr("tests.process_env.SHARED_BYTECODE", shared)
    monkeypatch.delenv("PYTHONPYCACHEPREFIX", raising=False)
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = process_env(tmp_path)
    assert "PYTHONDONTWRITEBYTECODE" not in env
    assert env["PYTHONPYCACHEPREFIX"] == str(shared)
    monkeypatch.delenv("PYTHONDONTWRITEBYTECODE")
    assert "PYTHONPYCACHEPREFIX" not in process_env(tmp_path)
