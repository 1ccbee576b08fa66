"""`ims-bot run`, `ims-bot shell` and the default: start the bot."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `run` and `shell` commands."""
    run = subparsers.add_parser("run", help="run the Telegram bot (long polling)")
    run.set_defaults(handler=run_telegram)
    shell = subparsers.add_parser("shell", help="chat with the bot in this terminal")
    shell.add_argument(
        "--json", action="store_true", help="print each bot message as one JSON line"
    )
    shell.set_defaults(handler=run_shell)


def start_default(args: argparse.Namespace) -> int:
    """Telegram when a token is configured, otherwise the console chat."""
    from bot.config import load_settings

    settings = load_settings()
    return run_telegram(args) if settings.telegram_bot_token else run_shell(args)


def run_telegram(args: argparse.Namespace) -> int:
    """Run the Telegram channel until interrupted."""
    raise NotImplementedError


def run_shell(args: argparse.Namespace) -> int:
    """Run the console channel until end of input."""
    raise NotImplementedError
