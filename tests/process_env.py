"""The environment of an `ims-bot` process a test starts: the developer's shell without any
of the bot's settings, a fresh SQLite file and data folder in the test's folder, and the
settings the test names."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# How long a test waits for a process (or the fake Bot API server) to do what it must before
# calling it hung. Not a speed limit: every wait ends at its event (a line, a request, an
# exit), and a busy shared machine stretched bot and shell starts past 30, 60 and 90 s.
HANG_S = 300.0
# Where the processes of one test session keep the content check's results (set by
# tests/conftest.py): every bot a test starts on unchanged content would otherwise screen
# the emergency rules' examples again at start-up (about 1.5 s of CPU each). Results are
# keyed by the content's bytes and the code, so a test's changed copy is screened anew.
SHARED_CHECKS: Path | None = None
# Where those processes keep compiled bytecode (set by tests/conftest.py) when the shell
# asks Python not to write it beside the sources (PYTHONDONTWRITEBYTECODE): each would
# otherwise compile the whole bot again (about 0.4 s of CPU per process).
SHARED_BYTECODE: Path | None = None
# The process compiling the bot's modules into SHARED_BYTECODE (set by tests/conftest.py):
# processes this worker starts wait for it, so they read that bytecode, not compile their own.
COMPILING: subprocess.Popen[bytes] | None = None
# Settings of the developer's shell that would change what the bot under test does.
SETTING_PREFIXES = ("TELEGRAM_", "IMS_", "CONSOLE_")
SETTINGS = (
    "CONTENT_DIR",
    "CLINIC_TIMEZONE",
    "DATABASE_URL",
    "DATA_ENCRYPTION_KEY",
    "LOG_LEVEL",
    "PUBLIC_BASE_URL",
    "SEMANTIC_MATCHING",
    "STAFF_CHAT_IDS",
    "UNANSWERED_RETENTION_DAYS",
)


def process_env(
    tmp_path: Path, *, database: str = "bot.sqlite3", **settings: str
) -> dict[str, str]:
    """Environment for `python -m bot ...` run in `tmp_path`: its own database file
    (`database`, in `tmp_path`) and data folder, then `settings` over those."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in SETTINGS and not name.startswith(SETTING_PREFIXES)
    }
    env.update(
        PYTHONPATH=str(REPO),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / database}",
        IMS_DATA_DIR=str(tmp_path / "data"),
    )
    env.update(settings)
    _share_checks(Path(env["IMS_DATA_DIR"]))
    if SHARED_BYTECODE is not None and env.pop("PYTHONDONTWRITEBYTECODE", ""):
        env.setdefault("PYTHONPYCACHEPREFIX", str(SHARED_BYTECODE))
        if COMPILING is not None:
            COMPILING.wait()
    return env


def _share_checks(data_dir: Path) -> None:
    """Make `data_dir`'s content-check folder the session's shared one."""
    if SHARED_CHECKS is None or data_dir.exists():
        return
    from bot.content.check_cache import FOLDER_NAME

    data_dir.mkdir(parents=True)
    with contextlib.suppress(OSError):  # no symbolic links here: the bot screens them again
        (data_dir / FOLDER_NAME).symlink_to(SHARED_CHECKS, target_is_directory=True)


def console_settings(port: int, public_base_url: str | None = None) -> dict[str, str]:
    """The settings that serve the staff console on a loopback `port`."""
    return {
        "CONSOLE_ENABLED": "1",
        "CONSOLE_BIND": f"127.0.0.1:{port}",
        "PUBLIC_BASE_URL": public_base_url or f"http://127.0.0.1:{port}",
        "CONSOLE_SECRET_KEY": "k" * 40,
        "SEMANTIC_MATCHING": "off",
    }


def run_ims_bot(
    env: dict[str, str], cwd: Path, *args: str, stdin: str = "", timeout: float = 90.0
) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` run to its end in `cwd`, with `stdin` as its input."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ims_bot_in_process(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    cwd: Path,
    *args: str,
    **settings: str,
) -> tuple[int, str, str]:
    """`ims-bot ARGS` run in this process, in `cwd` with `process_env`'s settings (and
    `settings`): its exit code, output and errors. For what needs no process of its own (a
    refusal, a message): each process start costs seconds of CPU."""
    import concurrent.futures

    from bot.cli.main import main

    env = process_env(cwd, **settings)
    for name in list(os.environ):
        if name in SETTINGS or name.startswith(SETTING_PREFIXES):
            monkeypatch.delenv(name)
    for name in ("DATABASE_URL", "IMS_DATA_DIR", *settings):
        monkeypatch.setenv(name, env[name])
    monkeypatch.chdir(cwd)
    capsys.readouterr()
    # On a thread of its own, as `main` runs its own event loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        code = pool.submit(main, list(args)).result()
    out, err = capsys.readouterr()
    return code, out, err
