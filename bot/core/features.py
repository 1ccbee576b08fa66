"""Where a feature plugs into the bot: the contracts between the root and the features.

The composition root (`bot.runtime`) builds one `FeatureHost` and hands it, with the
content, database and settings a feature needs, to each feature's `register_*`
function. Features depend on this module, never on the root.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

from bot.core.assistant import Assistant, ChatRef
from bot.core.outbound import Outbound
from bot.core.privacy import PersonalDataRegistry
from bot.core.replies import Reply

# Work run once when a channel starts (e.g. reconcile reminders missed while down).
StartupTask = Callable[[Outbound], Awaitable[None]]
# Work run once when the runtime closes, before the database (e.g. stop the web console).
ShutdownTask = Callable[[], Awaitable[None]]


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
class FeatureHost:
    """What features register into: routes, personal data, timed, start-up and shutdown work."""

    assistant: Assistant
    personal_data: PersonalDataRegistry = field(default_factory=PersonalDataRegistry)
    jobs: list[PeriodicJob] = field(default_factory=list)
    startup: list[StartupTask] = field(default_factory=list)
    shutdown: list[ShutdownTask] = field(default_factory=list)
