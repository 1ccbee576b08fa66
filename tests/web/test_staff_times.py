"""Times staff read on the command line are the console's: clinic time, with the zone named."""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import load_settings
from bot.core.assistant import ChatRef
from bot.core.dates import clinic_time
from bot.faq.unanswered import UnansweredLog
from bot.runtime import build_runtime
from tests.intake.kit import TEST_KEY

ASKED = datetime(2026, 1, 15, 17, 5, tzinfo=UTC)  # 09:05 in Vancouver (PST, UTC-8)


def test_clinic_time_is_local_and_names_the_zone() -> None:
    vancouver = load_settings({"CLINIC_TIMEZONE": "America/Vancouver"}, read_dotenv=False)
    assert clinic_time(ASKED, vancouver.clinic_timezone) == "2026-01-15 09:05 PST"
    summer = ASKED + timedelta(days=180)
    assert clinic_time(summer, vancouver.clinic_timezone).endswith(" 10:05 PDT")


async def test_intake_list_and_faq_unanswered_print_clinic_time_with_its_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
        "IMS_DATA_DIR": str(tmp_path / "data"),
        "DATA_ENCRYPTION_KEY": TEST_KEY,
        "SEMANTIC_MATCHING": "off",
        "CLINIC_TIMEZONE": "America/Vancouver",
        "UNANSWERED_RETENTION_DAYS": "36500",  # ASKED is a fixed day, kept whenever this runs
    }
    runtime = await build_runtime(load_settings(env, read_dotenv=False))
    try:
        await runtime.assistant.handle_command(ChatRef(77), "intake", [])
        log = UnansweredLog(
            runtime.database, timedelta(days=runtime.settings.unanswered_retention_days)
        )
        await log.record("is there parking", None, 0.0, ASKED)
    finally:
        await runtime.close()
    monkeypatch.chdir(tmp_path)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # main() runs its own event loop: call it from a worker thread.
    assert await asyncio.to_thread(main, ["faq", "unanswered"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("2026-01-15 09:05 PST  is there")

    assert await asyncio.to_thread(main, ["intake", "list"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert re.search(r"\tstarted \d{4}-\d\d-\d\d \d\d:\d\d P[SD]T\tupdated ", line), line
