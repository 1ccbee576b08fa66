"""Shared pieces of the Telegram channel tests: fixtures on disk, settings, constants."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TEST_TOKEN = "123456:TEST-token-for-offline-runs-0123456789"
STAFF_CHAT_ID = -1001122334455
PATIENT_CHAT_ID = 5551234


def load_update(name: str, **changes: Any) -> dict[str, Any]:
    """A Telegram Update fixture from tests/fixtures, with message fields changed."""
    data: dict[str, Any] = json.loads((FIXTURES / f"update_{name}.json").read_text("utf-8"))
    if changes:
        data["message"].update(changes)
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
