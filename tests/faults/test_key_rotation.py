"""A changed DATA_ENCRYPTION_KEY: detected at start, listed anyway, rekeyed on request."""

from __future__ import annotations

import base64
import logging
import os
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import load_settings
from bot.core.assistant import ChatRef
from bot.runtime import build_runtime
from bot.storage.encryption import new_key

PATIENT = 5150


def key_starting_with_a_dash() -> str:
    """A valid key whose text starts with "-" (one Fernet key in 64 does: a first byte of
    0xF8-0xFB encodes as "-"); `new_key` no longer makes them, a clinic may still have one."""
    return base64.urlsafe_b64encode(bytes([0xF8]) + os.urandom(31)).decode("ascii")


def env_for(tmp_path: Path, key: str) -> dict[str, str]:
    return {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        "IMS_DATA_DIR": str(tmp_path / "data"),
        "DATA_ENCRYPTION_KEY": key,
        "SEMANTIC_MATCHING": "off",
    }


async def start_an_intake(tmp_path: Path, key: str) -> None:
    runtime = await build_runtime(load_settings(env_for(tmp_path, key), read_dotenv=False))
    try:
        replies = await runtime.assistant.handle_command(ChatRef(PATIENT), "intake", [])
        await runtime.assistant.handle_action(ChatRef(PATIENT), replies[-1].buttons[0].action)
    finally:
        await runtime.close()


async def test_a_changed_key_is_reported_at_start_listed_and_rekeyed(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The old key starts with "-", so the command must be written as every message says:
    # `--old-key=<key>` (with a space it read as another option: the flaky failure).
    old, new = key_starting_with_a_dash(), new_key()
    await start_an_intake(tmp_path, old)

    caplog.set_level(logging.ERROR)
    runtime = await build_runtime(load_settings(env_for(tmp_path, new), read_dotenv=False))
    await runtime.close()
    [line] = [r.getMessage() for r in caplog.records if "another DATA_ENCRYPTION_KEY" in r.message]
    assert line.startswith("1 intake form(s)") and "ims-bot intake rekey --old-key=" in line
    assert old not in line and new not in line

    monkeypatch.chdir(tmp_path)
    for name, value in env_for(tmp_path, new).items():
        monkeypatch.setenv(name, value)
    capsys.readouterr()
    assert await_cli(["intake", "list"]) == 0
    listed = capsys.readouterr()
    assert f"chat {PATIENT}" in listed.out and "stored with another key" in listed.out
    assert "rekey --old-key=" in listed.err and "Traceback" not in listed.err

    assert await_cli(["intake", "rekey", f"--old-key={old}"]) == 0
    assert "re-encrypted 1 intake(s)" in capsys.readouterr().out
    assert await_cli(["intake", "list"]) == 0
    listed = capsys.readouterr()
    assert f"chat {PATIENT}" in listed.out and "another key" not in listed.out + listed.err


def await_cli(argv: list[str]) -> int:
    """The CLI runs its own event loop: run it in a thread, away from the test's loop."""
    import concurrent.futures

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(main, argv).result()


async def test_rekey_with_a_wrong_old_key_changes_nothing_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await start_an_intake(tmp_path, new_key())
    monkeypatch.chdir(tmp_path)
    for name, value in env_for(tmp_path, new_key()).items():
        monkeypatch.setenv(name, value)
    assert await_cli(["intake", "rekey", "--old-key", new_key()]) == 1
    assert "1 readable with neither key" in capsys.readouterr().out


def test_a_new_key_never_starts_like_an_option() -> None:
    """`--old-key KEY` reads a key starting with "-" as another option; 1,000 keys of the
    old `new_key` held one such key with a probability of 1 - (63/64)**1000 (about 1)."""
    assert not [key for key in (new_key() for _ in range(1000)) if key.startswith("-")]
