"""Shared fixtures: a real runtime on the bundled content and a fresh SQLite file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.runtime import Runtime, build_runtime
from tests.fakes.api_schema import BotApiSchema

# Bots started as subprocesses, and `faq` commands, match lexically even where the optional
# embedding model is installed: loading it for every bot would take minutes. Tests of the
# model ask for it explicitly.
os.environ.setdefault("SEMANTIC_MATCHING", "off")


@pytest.fixture(autouse=True)
def lexical_matching_in_runtimes(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runtimes match lexically too, whatever SEMANTIC_MATCHING their settings say."""
    monkeypatch.setattr("bot.faq.conversation.choose_faq_encoder", lambda *_: None)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on the bundled content, a tmp database and one staff chat."""
    return load_settings(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
            "IMS_DATA_DIR": str(tmp_path / "data"),
            "STAFF_CHAT_IDS": "-1009999",
            "DATA_ENCRYPTION_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=",
        },
        read_dotenv=False,
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """A fully assembled runtime (every feature registered) on a real SQLite file."""
    built = await build_runtime(settings)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture(scope="session")
def api_schema() -> BotApiSchema:
    """The Bot API facts the fake Telegram server checks requests against."""
    return BotApiSchema()
