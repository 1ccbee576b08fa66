"""Entry point of `ims-bot` and `python -m bot`.

Each feature owns a module in `bot.cli` with a `register(subparsers)` function; this
module only assembles them and turns configuration and content errors into clear,
one-problem-per-line messages instead of tracebacks.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence

from bot import __version__
from bot.cli import appointments as appointments_commands
from bot.cli import chat as chat_commands
from bot.cli import content as content_commands
from bot.cli import faq as faq_commands
from bot.cli import intake as intake_commands
from bot.cli import reminders as reminders_commands
from bot.cli import safety as safety_commands
from bot.cli import staff as staff_commands
from bot.cli import web as web_commands
from bot.config import ConfigError, single_setting
from bot.content.problems import ContentError
from bot.faq.semantic import SemanticUnavailable
from bot.logging_setup import TokenRedactingFilter
from bot.storage.database import StorageError

COMMAND_MODULES = (
    chat_commands,
    faq_commands,
    content_commands,
    appointments_commands,
    reminders_commands,
    intake_commands,
    staff_commands,
    web_commands,
    safety_commands,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="ims-bot",
        description=(
            "IMS clinic assistant. Without a subcommand: run on Telegram when "
            "TELEGRAM_BOT_TOKEN is set, otherwise chat in this terminal."
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(subparsers)
    parser.set_defaults(handler=chat_commands.start_default)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the process exit code."""
    try:
        try:
            args = build_parser().parse_args(argv)
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
    from bot.channels.telegram.application import TelegramTokenRejected

    try:
        result: int = args.handler(args)
        return result
    except ConfigError as exc:
        print(f"ims-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    except SemanticUnavailable as exc:
        print(f"ims-bot: SEMANTIC_MATCHING: {exc}", file=sys.stderr)
        return 2
    except (StorageError, TelegramTokenRejected) as exc:
        print(f"ims-bot: {exc}", file=sys.stderr)
        return 2
    except ContentError as exc:
        print("ims-bot: the content has problems; fix them and try again:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        raise
    except Exception as exc:  # the last resort: one line, never the token
        redact = TokenRedactingFilter([single_setting("TELEGRAM_BOT_TOKEN")]).redact
        message = redact(str(exc)).splitlines()[0][:300] if str(exc) else ""
        print(f"ims-bot: unexpected error: {type(exc).__name__}: {message}", file=sys.stderr)
        if single_setting("LOG_LEVEL").upper() == "DEBUG":
            print(redact("".join(traceback.format_exception(exc))), file=sys.stderr)
        else:
            print("ims-bot: run with LOG_LEVEL=DEBUG for the traceback", file=sys.stderr)
        return 1


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush cannot fail again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
