"""Running `ims-bot` as a real process against the fake Bot API server, for reminder tests."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from bot.clinic_content import load_content
from bot.config import BUNDLED_CONTENT_DIR, load_settings
from bot.reminders.feature import build_reminders
from bot.reminders.model import AppointmentInput
from bot.storage.database import open_database
from tests.fakes.bot_api_server import FakeBotApiServer
from tests.process_env import process_env

TOKEN = "123456:reminders-fake-token-abcdefghijkl"
STAFF = -1004242424242
# Generous: a bot process takes seconds of CPU to start, and a shared machine under load
# stretched that past 30 s ("the bot never polled"). Waits end as soon as it polls.
START_TIMEOUT_S = 90.0
MIDDAY = 12


def daytime_zone(now: datetime | None = None) -> str:
    """A region's zone where it is about midday now, so quiet hours never interfere (the
    bot refuses fixed-offset zones such as Etc/GMT+5 for a clinic)."""
    moment = now or datetime.now(UTC)
    wanted = max(-11, min(14, MIDDAY - moment.hour))  # no region keeps UTC-12
    return min((abs(offset - wanted), name) for name, offset in _region_offsets(moment).items())[1]


def _region_offsets(moment: datetime) -> dict[str, int]:
    """Every region zone on whole-hour offsets, with its offset at `moment` in hours."""
    found = {}
    for name in available_timezones():
        if "/" not in name or name.startswith(("Etc/", "posix/", "right/")):
            continue
        offset = ZoneInfo(name).utcoffset(moment)
        if offset is not None and offset % timedelta(hours=1) == timedelta(0):
            found[name] = offset // timedelta(hours=1)
    return found


def bot_env(tmp_path: Path, server: FakeBotApiServer, **extra: str) -> dict[str, str]:
    """Environment for a bot process on the fake server with a fresh SQLite file."""
    return process_env(
        tmp_path,
        **{
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": server.base_url,
            "STAFF_CHAT_IDS": str(STAFF),
            "CLINIC_TIMEZONE": daytime_zone(),
            "CONTENT_DIR": str(BUNDLED_CONTENT_DIR),
            "IMS_REMINDER_SWEEP_SECONDS": "0.5",
            "IMS_REMINDER_STALE_SECONDS": "2",
            **extra,
        },
    )


def start_bot(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    """`python -m bot run` in `tmp_path` (no stray .env), output to files there."""
    index = len(list(tmp_path.glob("bot-*.log")))
    log = (tmp_path / f"bot-{index}.log").open("w")
    return subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen[str]) -> None:
    """Kill the process if it still runs (tests end it themselves when it matters)."""
    if process.poll() is None:
        process.kill()
        process.wait()


def status_counts(tmp_path: Path) -> Counter[str]:
    """Reminder rows per status, read straight from the SQLite file."""
    with sqlite3.connect(tmp_path / "bot.sqlite3", timeout=10) as db:
        return Counter(dict(db.execute("SELECT status, count(*) FROM reminders GROUP BY status")))


def rows_by_chat(tmp_path: Path, kind: str) -> dict[int, tuple[str, int]]:
    """For reminders of `kind`: chat id -> (status, attempts)."""
    with sqlite3.connect(tmp_path / "bot.sqlite3", timeout=10) as db:
        query = (
            "SELECT a.chat_id, r.status, r.attempts FROM reminders r "
            "JOIN appointments a ON a.id = r.appointment_id WHERE r.kind = ?"
        )
        return {chat: (status, attempts) for chat, status, attempts in db.execute(query, (kind,))}


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll `check` until true; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def seed_due_reminders(
    env: dict[str, str], chats: list[int], *, link: bool = True, location: str | None = None
) -> dict[int, str]:
    """One IMS appointment per chat (ref `S-<chat>`), booked ten minutes ago, whose 2 h
    reminder is due now; linked to the chat, or with `link=False` the link payloads."""

    async def seed() -> dict[int, str]:
        settings = load_settings(env, read_dotenv=False)
        database = await open_database(settings.database_url)
        tokens: dict[int, str] = {}
        try:
            now = datetime.now(UTC)
            booked = now - timedelta(minutes=10)
            reminders = build_reminders(
                settings, load_content(settings.content_dir), database, clock=lambda: booked
            )
            for chat in chats:
                item = AppointmentInput(
                    f"S-{chat}",
                    now + timedelta(hours=2, seconds=-30),
                    "ims_treatment",
                    location_id=location,
                    clinician="Alex Doe",
                )
                appointment, _ = await reminders.repository.save(item, booked)
                tokens[chat] = await reminders.repository.create_link(appointment.id, booked)
                if link:
                    await reminders.repository.redeem_link(tokens[chat], chat, booked)
        finally:
            await database.close()
        return tokens

    return asyncio.run(seed())


def deliveries(server: FakeBotApiServer, chats: list[int]) -> Counter[int]:
    """Successful sendMessage requests per patient chat as the server recorded them."""
    wanted = set(chats)
    return Counter(r.chat_id for r in server.calls("sendMessage") if r.ok and r.chat_id in wanted)
