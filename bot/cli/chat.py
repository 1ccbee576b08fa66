"""`ims-bot run`, `ims-bot shell` and the default: start the bot."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from bot.config import Settings


def register(subparsers: Any) -> None:
    """Add the `run` and `shell` commands."""
    run = subparsers.add_parser("run", help="run the Telegram bot (long polling)")
    run.set_defaults(handler=run_telegram)
    shell = subparsers.add_parser(
        "shell",
        help="chat with the bot in this terminal",
        description="Chat with the bot in the terminal. Buttons show as numbered options; "
        "answer with the number or the label. When standard input is not a terminal, "
        "each line is one message. Type /quit to leave.",
    )
    shell.add_argument(
        "--json", action="store_true", help="print each bot message as one JSON line"
    )
    shell.add_argument(
        "--patient",
        action="store_true",
        help="act as a patient only (by default the console user may also use staff commands)",
    )
    shell.set_defaults(handler=run_shell)


def start_default(args: argparse.Namespace) -> int:
    """Telegram when a token is configured, otherwise the console chat."""
    from bot.config import load_settings

    settings = load_settings()
    return run_telegram(args) if settings.telegram_bot_token else run_shell(args)


def run_telegram(args: argparse.Namespace) -> int:
    """Run the Telegram channel until interrupted."""
    from bot.channels.telegram.application import serve
    from bot.config import ConfigError, load_settings
    from bot.logging_setup import configure_logging

    settings = load_settings()
    if not settings.telegram_bot_token:
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN: not set; get a token from @BotFather, "
            "or use `ims-bot shell` to chat in the terminal"
        )
    configure_logging(settings.log_level, [settings.telegram_bot_token])
    serve(settings)
    return 0


def run_shell(args: argparse.Namespace) -> int:
    """Run the console channel until end of input."""
    import asyncio

    from bot.config import load_settings
    from bot.logging_setup import configure_logging

    settings = load_settings()
    # The console's own output is the chat; keep logs to warnings so they don't mix in.
    configure_logging("WARNING" if settings.log_level == "INFO" else settings.log_level)
    try:
        asyncio.run(
            _shell(
                settings,
                json_mode=getattr(args, "json", False),
                as_staff=not getattr(args, "patient", False),
            )
        )
    except (KeyboardInterrupt, asyncio.CancelledError):
        # Ctrl-C (see _stop_on_ctrl_c): the chat stopped, the database closed on the way out.
        _leave_now(130)
    return 0


def _leave_now(code: int) -> NoReturn:
    """Say goodbye and exit without waiting for worker threads: a database operation that
    Ctrl-C cut short can leave its driver's (non-daemon) connection thread waiting for work
    that never comes, and the interpreter would wait for it at exit. On stderr, so a
    program reading --json lines never meets it; 130 as shells report SIGINT."""
    import logging
    import os
    import sys

    print("\nGoodbye.", file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


def _stop_on_ctrl_c() -> None:
    """Ctrl-C cancels the chat through the loop's own signal handler, which wakes the loop
    whichever thread the signal reaches (the line reader waits in a thread of its own); if
    closing then stalls, leave anyway after a few seconds."""
    import asyncio
    import contextlib
    import signal
    import threading

    loop = asyncio.get_running_loop()
    chat = asyncio.current_task()

    def interrupted() -> None:
        watchdog = threading.Timer(5.0, _leave_now, args=(130,))
        watchdog.daemon = True
        watchdog.start()
        if chat is not None:
            chat.cancel()

    with contextlib.suppress(NotImplementedError, RuntimeError):  # no signals here: default
        loop.add_signal_handler(signal.SIGINT, interrupted)


async def _shell(settings: Settings, *, json_mode: bool, as_staff: bool) -> None:
    from bot.channels.console import run_console
    from bot.runtime import build_runtime

    _stop_on_ctrl_c()
    runtime = await build_runtime(settings)
    try:
        await run_console(runtime, json_mode=json_mode, as_staff=as_staff)
    finally:
        await runtime.close()
