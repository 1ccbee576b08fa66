"""Fixtures for the reminders feature: a controllable clock, a recording outbound, a real DB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.clinic_content import ClinicContent, load_content
from bot.config import BUNDLED_CONTENT_DIR, Settings, load_settings
from bot.core.outbound import DeliveryError, DeliveryKind
from bot.core.replies import Reply
from bot.reminders.feature import Reminders, build_reminders
from bot.storage.database import Database, open_database
from tests.migrated_db import start_from_migrated

STAFF_CHAT = -100500


@dataclass
class FakeClock:
    """A clock tests move by hand."""

    now: datetime = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)

    def set(self, when: datetime) -> None:
        self.now = when


@dataclass
class RecordingOutbound:
    """An Outbound that records what it sent; `fail_with` queues errors per chat."""

    sent: list[tuple[int, Reply]] = field(default_factory=list)
    staff: list[Reply] = field(default_factory=list)
    fail_with: dict[int, list[DeliveryError]] = field(default_factory=dict)
    only_chat: int | None = None  # reaches every chat, as the Telegram channel does

    async def send(
        self, chat_id: int, reply: Reply, kind: DeliveryKind = DeliveryKind.REMINDER
    ) -> int | None:
        queued = self.fail_with.get(chat_id)
        if queued:
            raise queued.pop(0)
        self.sent.append((chat_id, reply))
        return len(self.sent)

    async def send_to_staff(self, reply: Reply) -> None:
        self.staff.append(reply)

    def to(self, chat_id: int) -> list[Reply]:
        return [reply for chat, reply in self.sent if chat == chat_id]


def make_settings(tmp_path: Path, **extra: str) -> Settings:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        "STAFF_CHAT_IDS": str(STAFF_CHAT),
        "CLINIC_TIMEZONE": "America/Toronto",
        "CONTENT_DIR": str(BUNDLED_CONTENT_DIR),
        **extra,
    }
    return load_settings(env, read_dotenv=False)


@pytest.fixture(scope="session")
def content() -> ClinicContent:
    return load_content(BUNDLED_CONTENT_DIR)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def outbound() -> RecordingOutbound:
    return RecordingOutbound()


@pytest.fixture
async def database(tmp_path: Path, migrated_database: Path) -> AsyncIterator[Database]:
    url = make_settings(tmp_path).database_url
    start_from_migrated(migrated_database, url)
    db = await open_database(url)
    yield db
    await db.close()


@pytest.fixture
def reminders(
    tmp_path: Path, content: ClinicContent, database: Database, clock: FakeClock
) -> Reminders:
    return build_reminders(make_settings(tmp_path), content, database, clock=clock)
