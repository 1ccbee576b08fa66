"""Assembling the bot: settings + content + database -> an `Assistant` with features.

Both channels (Telegram and the console) start from `build_runtime`, so they always
offer the same features on the same content.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.content.check import check_content
from bot.content.loader import ClinicContent, load_content
from bot.content.problems import ContentError
from bot.core.assistant import Assistant
from bot.storage.database import Database, open_database


@dataclass
class Runtime:
    """Everything a channel needs to serve patients."""

    settings: Settings
    content: ClinicContent
    database: Database
    assistant: Assistant

    async def close(self) -> None:
        """Release the database."""
        await self.database.close()


def load_checked_content(settings: Settings) -> ClinicContent:
    """Load content, refusing (with every problem listed) when any check fails."""
    problems = check_content(settings.content_dir)
    if problems:
        raise ContentError(problems)
    return load_content(settings.content_dir)


async def build_runtime(settings: Settings) -> Runtime:
    """Load and check content, open and migrate the database, register every feature."""
    content = load_checked_content(settings)
    database = await open_database(settings.database_url)
    assistant = Assistant()
    # Features register here, in this order (the FAQ goes last: it answers any text
    # that no open conversation claims).
    from bot.faq.conversation import register_faq

    register_faq(assistant, content, database, settings)
    return Runtime(settings=settings, content=content, database=database, assistant=assistant)
