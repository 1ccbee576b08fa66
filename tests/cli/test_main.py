"""`ims-bot`'s entry point: each command's modules load only when that command runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.cli.main import COMMANDS, build_parser
from tests.process_env import HANG_S, REPO, process_env

TIMEOUT_S = HANG_S
# Stacks `ims-bot --help` has no use for: the database, the web console, Telegram, the
# scheduler and the optional model (tests/content checks what the content check loads).
HEAVY = (
    "sqlalchemy",
    "alembic",
    "aiosqlite",
    "argon2",
    "starlette",
    "uvicorn",
    "jinja2",
    "telegram",
    "apscheduler",
    "cryptography",
    "onnxruntime",
    "tokenizers",
    "bot.runtime",
    "bot.storage",
    "bot.web",
    "bot.channels",
)


def loaded_after(tmp_path: Path, *argv: str) -> tuple[int, str, list[str]]:
    """Exit code, output and the top-level and `bot` modules loaded by `ims-bot argv`."""
    script = (
        "import json, sys\n"
        "from bot.cli.main import main\n"
        "try:\n"
        f"    code = main({list(argv)!r})\n"
        "except SystemExit as stop:\n"  # --help ends this way
        "    code = stop.code\n"
        "print(json.dumps([code, sorted(sys.modules)]), file=sys.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        env=process_env(tmp_path),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    code, modules = json.loads(run.stderr.strip().splitlines()[-1])
    return code, run.stdout, modules


def heavy_in(modules: list[str]) -> list[str]:
    return [m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_help_loads_no_command_module(tmp_path: Path) -> None:
    code, out, modules = loaded_after(tmp_path, "--help")
    assert code == 0 and "content     check the clinic's content files" in out
    assert heavy_in(modules) == []
    assert "numpy" not in modules  # nor the matcher's arrays


def test_help_lines_are_the_commands_own() -> None:
    """The table `ims-bot --help` lists without loading a module says what each command's
    module registers."""
    listed = build_parser([])._subparsers._group_actions[0]  # type: ignore[union-attr]
    registered = build_parser([], every_command=True)._subparsers._group_actions[0]  # type: ignore[union-attr]
    assert [(a.dest, a.help) for a in listed._choices_actions] == [
        (a.dest, a.help) for a in registered._choices_actions
    ]
    assert list(listed.choices) == list(COMMANDS) == list(registered.choices)


def test_a_chosen_command_is_registered_in_full() -> None:
    args = build_parser(["content", "check"]).parse_args(["content", "check"])
    assert args.content_command == "check" and args.handler.__name__ == "run_check"
