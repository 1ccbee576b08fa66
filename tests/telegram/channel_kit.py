"""Shared pieces of the Telegram channel tests: fixtures on disk, settings, constants."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.core.assistant import Assistant, ChatRef, CommandSpec, SafetyVerdict, Screening
from bot.core.features import FeatureHost
from bot.core.replies import Button, Reply, staff_note
from bot.runtime import Runtime

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TEST_TOKEN = "123456:TEST-token-for-offline-runs-0123456789"
STAFF_CHAT_ID = -1001122334455
PATIENT_CHAT_ID = 5551234


def load_update(name: str, **changes: Any) -> dict[str, Any]:
    """A Telegram Update fixture from tests/fixtures, with message fields changed.

    A changed `text` gets entities as Telegram would send them: a `bot_command` entity
    covering the first word when it starts with "/", none otherwise.
    """
    data: dict[str, Any] = json.loads((FIXTURES / f"update_{name}.json").read_text("utf-8"))
    if changes:
        message = data["message"]
        message.update(changes)
        text = changes.get("text")
        if isinstance(text, str) and "entities" not in changes:
            message.pop("entities", None)
            if text.startswith("/"):
                length = len(text.split()[0])
                message["entities"] = [{"offset": 0, "length": length, "type": "bot_command"}]
    return data


def make_settings(tmp_path: Path, **changes: Any) -> Settings:
    """Settings for channel tests: a fake token, one staff chat, the clinic's zone."""
    values: dict[str, Any] = {
        "telegram_bot_token": TEST_TOKEN,
        "telegram_api_base_url": None,
        "database_url": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        "content_dir": tmp_path,
        "clinic_timezone": ZoneInfo("America/Toronto"),
        "staff_chat_ids": frozenset({STAFF_CHAT_ID}),
        "data_dir": tmp_path,
    }
    values.update(changes)
    return Settings(**values)


SECRET_COMPLAINT = "my left knee burns since the fall"
LONG_PARAGRAPH = "Needling soreness usually settles within a day or two. " * 30


def toy_assistant() -> Assistant:
    """A small Assistant standing in for the real features."""
    assistant = Assistant()

    async def start(chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        payload = f" (link {args[0]})" if args else ""
        return [
            Reply(
                f"Hello {chat.first_name} <friend> & welcome{payload}",
                title="IMS <Clinic> & Co",
                buttons=(
                    Button("Browse topics", "faq:topics"),
                    Button("Site", url="https://x.org"),
                ),
            )
        ]

    async def help_(chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        return [Reply("Ask me about IMS.")]

    async def today(chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        return [Reply("No appointments today.")]

    async def faq(chat: ChatRef, rest: str) -> list[Reply]:
        if rest == "boom":
            raise RuntimeError(f"tap failed for {SECRET_COMPLAINT}")
        return [Reply("Topics:", buttons=(Button("Pain", "faq:pain"),), replace_previous=True)]

    async def text_route(chat: ChatRef, text: str) -> list[Reply] | None:
        if text == "boom":
            raise RuntimeError(f"crash while reading {SECRET_COMPLAINT}")
        if text == "long":
            return [Reply("\n\n".join([LONG_PARAGRAPH] * 12))]
        if text == "person":
            return [Reply("A person will call you."), staff_note("Patient asks for a call")]
        return [Reply(f"You said: {text}")]

    def emergency(chat: ChatRef, text: str) -> Screening:
        if "chest pain" not in text:
            return Screening("en")
        return Screening(
            "en", SafetyVerdict("emergency", "en", "chest_pain", (Reply("Call 911 now."),))
        )

    assistant.add_command(CommandSpec("start", "Start over", start))
    assistant.add_command(CommandSpec("help", "What I can do", help_))
    assistant.add_command(CommandSpec("today", "Today's appointments", today, staff_only=True))
    assistant.add_action("faq", faq)
    assistant.add_text_route("echo", text_route)
    assistant.set_safety_screen(emergency)
    return assistant


def toy_runtime(tmp_path: Path, **settings_changes: Any) -> Runtime:
    """A Runtime around the toy Assistant (content and database are not used here)."""
    return Runtime(
        settings=make_settings(tmp_path, **settings_changes),
        content=None,  # type: ignore[arg-type]
        database=None,  # type: ignore[arg-type]
        host=FeatureHost(toy_assistant()),
    )


@contextmanager
def bot_log_at(level: str, tokens: Sequence[str] = ()) -> Iterator[io.StringIO]:
    """The bot's own logging set-up (its filters included) at `level`, its output kept in
    a buffer; the root logger as it was afterwards."""
    from bot.logging_setup import configure_logging

    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    buffer = io.StringIO()
    try:
        configure_logging(level, tokens)
        for handler in root.handlers:
            assert isinstance(handler, logging.StreamHandler)
            handler.setStream(buffer)
        yield buffer
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        logging.raiseExceptions = True
