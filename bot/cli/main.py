"""Entry point of `ims-bot` and `python -m bot`.

Each feature owns a module in `bot.cli` with a `register(subparsers)` function; this
module only assembles them and turns configuration and content errors into clear,
one-problem-per-line messages instead of tracebacks.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from types import ModuleType

from bot import __version__
from bot.cli import chat as chat_commands
from bot.config import ConfigError, single_setting
from bot.content.problems import ContentError
from bot.logging_setup import TokenRedactingFilter

# Subcommand -> the `bot.cli` module that registers it and its line in `ims-bot --help`, in
# the order `--help` lists them. Only the chosen command's module is imported: the others
# pull in the database layer, the matcher, PTB or the web stack, which a quick
# `ims-bot content check` or `ims-bot --help` should not wait for. (The lines repeat each
# module's own `help=`; tests/cli checks that they agree.)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("chat", "run the Telegram bot (long polling)"),
    "shell": ("chat", "chat with the bot in this terminal"),
    "faq": ("faq", "FAQ matching, evaluation and unanswered questions"),
    "content": ("content", "check the clinic's content files"),
    "appointments": ("appointments", "add, import and list appointments"),
    "reminders": ("reminders", "preview and audit appointment reminders"),
    "intake": ("intake", "intake forms: list, export, questionnaire"),
    "staff": ("staff", "staff accounts for the web console"),
    "web": ("web", "serve the staff web console (CONSOLE_BIND, default 127.0.0.1:8080)"),
    "safety": ("safety", "the emergency and urgent screens"),
    "backup": ("backup", "copy the database to a file, safe while the bot runs"),
}


def command_module(name: str) -> ModuleType:
    """The `bot.cli` module that registers the command `name`."""
    return importlib.import_module(f"bot.cli.{COMMANDS[name][0]}")


def build_parser(
    argv: Sequence[str] | None = None, *, every_command: bool = False
) -> argparse.ArgumentParser:
    """The argument parser with the subcommand in `argv` registered by its module; the
    others only named, with their help line (all registered with `every_command`)."""
    parser = argparse.ArgumentParser(
        prog="ims-bot",
        description=(
            "IMS clinic assistant. Without a subcommand: run on Telegram when "
            "TELEGRAM_BOT_TOKEN is set, otherwise chat in this terminal."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    words = [word for word in (sys.argv[1:] if argv is None else argv) if word[:1] != "-"]
    chosen = COMMANDS[words[0]][0] if words and words[0] in COMMANDS else None
    registered: set[str] = set()
    for name, (module, text) in COMMANDS.items():
        if every_command or module == chosen:
            if module not in registered:
                command_module(name).register(subparsers)
                registered.add(module)
        else:
            subparsers.add_parser(name, help=text)
    parser.set_defaults(handler=chat_commands.start_default)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    try:
        try:
            args = build_parser(argv).parse_args(argv)
        except SystemExit:
            sys.stdout.flush()  # --help into a closed pipe fails here, not at exit
            raise
        code = _run(args)
        sys.stdout.flush()
        return code
    except BrokenPipeError:
        # The reader went away (`... | head`): stop quietly, as other tools do.
        _silence_stdout()
        return 141


def _run(args: argparse.Namespace) -> int:
    try:
        result: int = args.handler(args)
        return result
    except ConfigError as exc:
        return _setting_problem(str(exc))
    except ContentError as exc:
        print(f"ims-bot: {exc.subject} has problems; fix them and try again:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise
    except Exception as exc:
        return _report(exc)


def _report(exc: Exception) -> int:
    """A clear line for the errors a command can raise, else the last resort."""
    # Imported only now: a command that raised one of these has loaded its module already.
    from bot.channels.telegram.application import TelegramTokenRejected
    from bot.faq.semantic import SemanticUnavailable
    from bot.storage.database import StorageError

    if isinstance(exc, SemanticUnavailable):
        return _setting_problem(f"SEMANTIC_MATCHING: {exc}")
    if isinstance(exc, StorageError | TelegramTokenRejected):
        return _setting_problem(str(exc))
    # The last resort: one line, never the token.
    redact = TokenRedactingFilter([single_setting("TELEGRAM_BOT_TOKEN")]).redact
    message = redact(str(exc)).splitlines()[0][:300] if str(exc) else ""
    print(f"ims-bot: unexpected error: {type(exc).__name__}: {message}", file=sys.stderr)
    if single_setting("LOG_LEVEL").upper() == "DEBUG":
        print(redact("".join(traceback.format_exception(exc))), file=sys.stderr)
    else:
        print("ims-bot: run with LOG_LEVEL=DEBUG for the traceback", file=sys.stderr)
    return 1


def _setting_problem(text: str) -> int:
    """Every bad setting in one style: "NAME: what is wrong; what to do", one line."""
    print(f"ims-bot: configuration error: {text}", file=sys.stderr)
    return 2


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
