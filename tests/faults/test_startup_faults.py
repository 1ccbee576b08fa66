"""Start-up faults: each is one clear line naming the setting and the fix, and a non-zero
exit; Telegram unreachable at start is waited out; concurrent first runs all succeed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.bot_api_server import FakeBotApiServer
from tests.faults.conftest import fault_env
from tests.process_env import HANG_S, ims_bot_in_process, process_env
from tests.reminders.bot_process import start_bot, stop

pytestmark = pytest.mark.e2e
REPO = Path(__file__).resolve().parents[2]
TIMEOUT_S = HANG_S


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite+aiosqlit:///{tmp}/bot.sqlite3", "unknown database or driver"),
        ("postgresql+asyncpg://clinic@127.0.0.1:1/ims", "pip install asyncpg"),
        ("mysql+aiomysql://clinic@127.0.0.1:1/ims", "pip install aiomysql"),
        # No async driver named: the hint is the async spelling, not the sync package.
        ("mysql://clinic@127.0.0.1:1/ims", "mysql+aiomysql://... and pip install aiomysql"),
        ("postgresql://clinic@127.0.0.1:1/ims", "postgresql+asyncpg://... and pip install asyncpg"),
        ("mysql+pymysql://clinic@127.0.0.1:1/ims", "mysql+aiomysql://"),
        ("sqlite+aiosqlite:///{tmp}/a-file/bot.sqlite3", "is a file, not a folder"),
        ("sqlite+aiosqlite:///{tmp}/mistyped/bot.sqlite3", "'{tmp}/mistyped' does not exist"),
        ("sqlite+aiosqlite:///{tmp}/not-a-database.sqlite3", "the sqlite database cannot be used"),
    ],
)
def test_a_bad_database_url_is_one_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
    expected: str,
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    (tmp_path / "not-a-database.sqlite3").write_bytes(b"this is not a database" * 100)
    code, _, err = ims_bot_in_process(
        monkeypatch, capsys, tmp_path, "faq", "unanswered", DATABASE_URL=url.format(tmp=tmp_path)
    )
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    expected = expected.format(tmp=tmp_path)
    assert "DATABASE_URL" in lines[0] and expected in lines[0] and "Traceback" not in err
    assert not (tmp_path / "mistyped").exists()


def test_a_database_from_a_newer_version_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """After rolling an upgrade back, the database names a schema this version lacks."""
    url = f"sqlite+aiosqlite:///{tmp_path}/bot.sqlite3"
    code, _, err = ims_bot_in_process(
        monkeypatch, capsys, tmp_path, "faq", "unanswered", DATABASE_URL=url
    )
    assert code == 0, err
    with sqlite3.connect(tmp_path / "bot.sqlite3") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    code, _, err = ims_bot_in_process(
        monkeypatch, capsys, tmp_path, "faq", "unanswered", DATABASE_URL=url
    )
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and "Traceback" not in err, err
    assert "DATABASE_URL" in lines[0] and "0099_from_the_future" in lines[0]
    assert "newer version" in lines[0]


def test_concurrent_first_runs_wait_for_each_other_instead_of_failing(tmp_path: Path) -> None:
    env = process_env(tmp_path, database="fresh.sqlite3")
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "faq", "unanswered"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    results = [run.communicate(timeout=TIMEOUT_S) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], [err for _, err in results]


def test_a_closed_pipe_is_not_a_traceback(tmp_path: Path) -> None:
    env = process_env(tmp_path)
    run = subprocess.Popen(
        [sys.executable, "-m", "bot", "--help"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert run.stdout is not None and run.stderr is not None
    run.stdout.close()  # the reader is gone before the bot writes (as with `| head`)
    stderr = run.stderr.read().decode()
    run.wait(timeout=TIMEOUT_S)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_telegram_unreachable_at_start_is_retried_not_fatal(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    server.refuse_connections(TIMEOUT_S)
    bot = start_bot(tmp_path, fault_env(tmp_path, server))
    log_file = tmp_path / "bot-0.log"
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while "Telegram is unreachable at start" not in log_file.read_text():
            assert time.monotonic() < deadline and bot.poll() is None, log_file.read_text()
            time.sleep(0.2)
        server.accept_connections()
        assert server.wait_until_polling(TIMEOUT_S), "the bot gave up instead of retrying"
        assert bot.poll() is None
        server.push_message(4242, "does IMS hurt?")
        server.wait_for("sendMessage", lambda r: r.ok and r.chat_id == 4242, timeout=TIMEOUT_S)
    finally:
        stop(bot)
    log = (tmp_path / "bot-0.log").read_text()
    assert "Telegram is unreachable at start" in log
