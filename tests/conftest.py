"""Shared fixtures: a real runtime on the bundled content and a fresh SQLite file."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

import bot.runtime
from bot.config import Settings, load_settings
from bot.content.loader import ClinicContent
from bot.faq.matcher import FaqMatcher
from bot.runtime import Runtime, build_runtime
from tests.fakes.api_schema import BotApiSchema
from tests.fakes.bot_api_server import FakeBotApiServer

# Bots started as subprocesses, and `faq` commands, match lexically even where the optional
# embedding model is installed: loading it for every bot would take minutes. Tests of the
# model ask for it explicitly.
os.environ.setdefault("SEMANTIC_MATCHING", "off")


@pytest.fixture(autouse=True)
def lexical_matching_in_runtimes(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runtimes match lexically too, whatever SEMANTIC_MATCHING their settings say."""
    monkeypatch.setattr("bot.faq.conversation.choose_faq_encoder", lambda *_: None)


# Content loaded by runtimes, by the state of its folder's files; and the lexical FAQ matcher
# over each. About a hundred tests build a runtime on the same unchanged bundled content:
# loading, checking and indexing it again took about half a second of CPU each time. Both
# are read-only once built (the matcher's only state is a memo of typo corrections).
_LOADED_CONTENT: dict[tuple[object, ...], ClinicContent] = {}
_SHARED_MATCHERS: dict[int, tuple[object, FaqMatcher]] = {}


def _folder_state(content_dir: Path) -> tuple[object, ...]:
    files = sorted(path for path in content_dir.rglob("*") if path.is_file())
    return (
        str(content_dir.resolve()),
        *((str(path), path.stat().st_mtime_ns, path.stat().st_size) for path in files),
    )


@pytest.fixture(autouse=True)
def runtimes_share_unchanged_content(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runtimes built on an unchanged content folder share its loaded content and matcher."""
    load_checked = bot.runtime.load_checked_content
    build_matcher = FaqMatcher.from_content

    def load(settings: Settings) -> ClinicContent:
        if not settings.content_dir.is_dir():
            return load_checked(settings)
        key = _folder_state(settings.content_dir)
        if key not in _LOADED_CONTENT:
            _LOADED_CONTENT[key] = load_checked(settings)
        return _LOADED_CONTENT[key]

    def from_content(
        cls: type[FaqMatcher], faq: object, *args: object, **kwargs: object
    ) -> FaqMatcher:
        encoder = args[0] if args else kwargs.get("encoder")
        shared = any(faq is content.faq for content in _LOADED_CONTENT.values())
        if not shared or encoder is not None:
            return build_matcher(faq, *args, **kwargs)  # type: ignore[arg-type]
        kept = _SHARED_MATCHERS.get(id(faq))
        if kept is None or kept[0] is not faq:
            kept = (faq, build_matcher(faq))  # type: ignore[arg-type]
            _SHARED_MATCHERS[id(faq)] = kept
        return kept[1]

    monkeypatch.setattr(bot.runtime, "load_checked_content", load)
    monkeypatch.setattr(FaqMatcher, "from_content", classmethod(from_content))


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


@pytest.fixture
def server(api_schema: BotApiSchema) -> Iterator[FakeBotApiServer]:
    """A running fake Bot API server on loopback (for tests that start `ims-bot run`)."""
    fake = FakeBotApiServer(schema=api_schema).start()
    try:
        yield fake
    finally:
        fake.stop()
