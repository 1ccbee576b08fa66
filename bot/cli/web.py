"""`ims-bot web`: serve the staff console on its own."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `web` command."""
    web = subparsers.add_parser(
        "web",
        help="serve the staff web console (CONSOLE_BIND, default 127.0.0.1:8080)",
        description="Serve the staff console. Put it behind an HTTPS reverse proxy for use "
        "beyond this computer, and set PUBLIC_BASE_URL to the address staff open.",
    )
    web.set_defaults(handler=run_web)


def run_web(args: argparse.Namespace) -> int:
    """Serve the console until interrupted."""
    from bot.channels.telegram.outbound import standalone_outbound
    from bot.config import load_settings
    from bot.logging_setup import configure_logging
    from bot.runtime import load_checked_content
    from bot.web.server import serve_console

    settings = load_settings()
    configure_logging(settings.log_level, [settings.telegram_bot_token])
    content = load_checked_content(settings)

    async def serve() -> None:
        # Without the bot process, the console still sends through the one pacing layer.
        async with standalone_outbound(settings) as outbound:
            await serve_console(settings, content, outbound)

    asyncio.run(serve())
    return 0
