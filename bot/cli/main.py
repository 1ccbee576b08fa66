"""Entry point of `ims-bot` and `python -m bot`.

Each feature owns a module in `bot.cli` with a `register(subparsers)` function; this
module only assembles them and turns configuration and content errors into clear,
one-problem-per-line messages instead of tracebacks.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot import __version__
from bot.cli import appointments as appointments_commands
from bot.cli import chat as chat_commands
from bot.cli import content as content_commands
from bot.cli import faq as faq_commands
from bot.cli import intake as intake_commands
from bot.cli import reminders as reminders_commands
from bot.cli import safety as safety_commands
from bot.config import ConfigError
from bot.content.problems import ContentError
from bot.faq.semantic import SemanticUnavailable

COMMAND_MODULES = (
    chat_commands,
    faq_commands,
    content_commands,
    appointments_commands,
    reminders_commands,
    intake_commands,
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
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.handler(args)
        return result
    except ConfigError as exc:
        print(f"ims-bot: configuration error: {exc}", file=sys.stderr)
        return 2
    except SemanticUnavailable as exc:
        print(f"ims-bot: SEMANTIC_MATCHING: {exc}", file=sys.stderr)
        return 2
    except ContentError as exc:
        print("ims-bot: the content has problems; fix them and try again:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
