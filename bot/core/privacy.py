"""What the bot holds about a person, and erasing it on request (/mydata, /forget).

Each feature that stores personal data registers a describer and an eraser, so the
two commands always cover everything without knowing the features' tables. After an
erase, the registry runs its scrubbers (the database overwrites freed pages and
empties its write-ahead log), so deleted words do not linger in the files.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.core.assistant import Assistant, ChatRef, CommandSpec
from bot.core.replies import Button, Reply

logger = logging.getLogger(__name__)

# Returns human-readable lines describing what is held for a chat (empty: nothing).
Describer = Callable[[int], Awaitable[list[str]]]
# Deletes everything held for a chat; returns how many records were removed.
Eraser = Callable[[int], Awaitable[int]]
# Run after an erase, whatever was removed (e.g. a database checkpoint).
Scrubber = Callable[[], Awaitable[None]]
FORGET_PREFIX = "forget"


@dataclass
class PersonalDataRegistry:
    """The describers and erasers of every feature, and the scrubbers to run after."""

    _describers: list[tuple[str, Describer]] = field(default_factory=list)
    _erasers: list[tuple[str, Eraser]] = field(default_factory=list)
    _scrubbers: list[Scrubber] = field(default_factory=list)

    def register(self, feature: str, describe: Describer, erase: Eraser) -> None:
        """Add a feature's describer and eraser."""
        self._describers.append((feature, describe))
        self._erasers.append((feature, erase))

    def add_scrubber(self, scrub: Scrubber) -> None:
        """Run `scrub` after every erase."""
        self._scrubbers.append(scrub)

    async def describe(self, chat_id: int) -> dict[str, list[str]]:
        """Per feature, the lines describing what is held for `chat_id`."""
        return {feature: await describe(chat_id) for feature, describe in self._describers}

    async def erase(self, chat_id: int) -> int:
        """Erase everything held for `chat_id` in every feature; total records removed."""
        removed = sum([await erase(chat_id) for _, erase in self._erasers])
        for scrub in self._scrubbers:
            await scrub()
        return removed


class PrivacyCommands:
    """/mydata and /forget over every feature's personal data."""

    def __init__(self, registry: PersonalDataRegistry) -> None:
        self._registry = registry

    async def on_mydata(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Show what the bot holds about this chat."""
        held = await self._registry.describe(chat.chat_id)
        lines = [f"{feature}: {line}" for feature, items in held.items() for line in items]
        if not lines:
            return [Reply("I hold no personal data about you.")]
        text = "This is what I hold about you:\n" + "\n".join(f"- {line}" for line in lines)
        return [Reply(text + "\n\nSend /forget to delete all of it.", title="Your data")]

    async def on_forget(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Ask for confirmation before deleting everything."""
        return [
            Reply(
                "This deletes everything I hold about you, including unfinished and sent "
                "intake forms, questions I could not answer and appointment links. The "
                "clinic keeps its own records. Are you sure?",
                (
                    Button("Yes, delete everything", f"{FORGET_PREFIX}:yes"),
                    Button("No, keep it", f"{FORGET_PREFIX}:no"),
                ),
                title="Delete my data",
            )
        ]

    async def on_action(self, chat: ChatRef, rest: str) -> list[Reply]:
        """The confirmation buttons of /forget."""
        if rest == "yes":
            removed = await self._registry.erase(chat.chat_id)
            logger.info("forget: erased %d records for a chat", removed)
            return [
                Reply(
                    f"Done: I deleted everything I held about you ({removed} records).",
                    replace_previous=True,
                )
            ]
        return [Reply("Nothing was deleted.", replace_previous=True)]


def register_privacy_commands(assistant: Assistant, registry: PersonalDataRegistry) -> None:
    """Register /mydata, /forget and the forget confirmation buttons."""
    privacy = PrivacyCommands(registry)
    assistant.add_command(CommandSpec("mydata", "See what I hold about you", privacy.on_mydata))
    assistant.add_command(
        CommandSpec("forget", "Delete everything I hold about you", privacy.on_forget)
    )
    assistant.add_action(FORGET_PREFIX, privacy.on_action)
