"""Assembling the bot: settings + content + database -> an `Assistant` with features.

Both channels (Telegram and the console) start from `build_runtime`, so they always
offer the same features on the same content.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from bot.config import Settings
from bot.content.check import check_content
from bot.content.loader import ClinicContent, load_content
from bot.content.problems import ContentError
from bot.core.assistant import Assistant, ChatRef
from bot.core.outbound import Outbound
from bot.core.privacy import PersonalDataRegistry
from bot.core.replies import Reply
from bot.storage.database import Database, open_database


class FaqAnswerer(Protocol):
    """Answers a free-text question the way the FAQ does (used for intake detours)."""

    async def answer(self, chat: ChatRef, text: str) -> list[Reply]:
        """The FAQ's replies to `text` (answer, suggestions or fallback)."""
        ...


@dataclass(frozen=True)
class PeriodicJob:
    """Work a channel runs on a timer (the reminder sweep), with its outbound sender."""

    name: str
    interval: timedelta
    run: Callable[[Outbound], Awaitable[None]]


@dataclass
class Runtime:
    """Everything a channel needs to serve patients."""

    settings: Settings
    content: ClinicContent
    database: Database
    assistant: Assistant
    personal_data: PersonalDataRegistry = field(default_factory=PersonalDataRegistry)
    jobs: list[PeriodicJob] = field(default_factory=list)
    # Run once when a channel starts (e.g. reconcile reminders missed while down).
    startup: list[Callable[[Outbound], Awaitable[None]]] = field(default_factory=list)
    # The FAQ feature, so other features can answer a side question (set by register_faq).
    faq: FaqAnswerer | None = None

    async def close(self) -> None:
        """Release the database."""
        await self.database.close()


def load_checked_content(settings: Settings) -> ClinicContent:
    """Load content, refusing (with every problem listed) when any check fails."""
    problems = check_content(settings.content_dir, quality=False)
    if problems:
        raise ContentError(problems)
    return load_content(settings.content_dir)


async def build_runtime(settings: Settings) -> Runtime:
    """Load and check content, open and migrate the database, register every feature."""
    content = load_checked_content(settings)
    database = await open_database(settings.database_url)
    runtime = Runtime(settings=settings, content=content, database=database, assistant=Assistant())
    # Each feature registers its commands, buttons, text routes, personal data and jobs.
    # The FAQ answers any text that no open conversation (intake) claims first.
    from bot.core.menu import register_menu
    from bot.faq.conversation import register_faq

    register_menu(runtime)
    register_faq(runtime)
    from bot.intake.conversation import register_intake

    register_intake(runtime)
    from bot.reminders.feature import register_reminders

    register_reminders(runtime)
    from bot.web.server import register_console

    register_console(runtime)
    return runtime
