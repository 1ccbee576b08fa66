"""Fault-injection fixtures: the fake Bot API server and a bot process tuned for short waits."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.bot_api_server import FakeBotApiServer
from tests.reminders.bot_process import bot_env

# Short backoffs and deadlines through settings, so outages of seconds are tested fast.
FAST_DELIVERY = {
    "IMS_RETRY_INITIAL_SECONDS": "0.2",
    "IMS_RETRY_MAX_SECONDS": "1",
    "IMS_REMINDER_DEADLINE_SECONDS": "1",
    "IMS_STAFF_DEADLINE_SECONDS": "2",
}


def fault_env(tmp_path: Path, server: FakeBotApiServer, **extra: str) -> dict[str, str]:
    """A bot process environment with short backoffs (and the test's extra settings)."""
    return bot_env(tmp_path, server, **{**FAST_DELIVERY, **extra})
