"""Benchmark: N reminders due at once, sent through the real outbox and the one pacing layer.

Run: python benchmarks/reminders_send.py --count 10000 --rate 30
Reports achieved messages per second against the configured limit, whether every
reminder went exactly once, and peak memory. The outbound is an in-process recorder
(no network), so the pacer and the database are what is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from bot.channels.telegram.pacing import PriorityPacer
from bot.clinic_content import load_content
from bot.config import BUNDLED_CONTENT_DIR, DeliverySettings, load_settings
from bot.core.outbound import DeliveryKind
from bot.core.replies import Reply
from bot.reminders.feature import build_reminders
from bot.reminders.model import AppointmentInput
from bot.storage.database import open_database

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.reminders.bot_process import daytime_zone  # noqa: E402

CHAT_BASE = 1_000_000


class CountingOutbound:
    """Counts deliveries per chat, as a Bot API server would see them, after the
    channel's pacing layer gives each message its turn."""

    only_chat: int | None = None  # reaches every chat, as the Telegram channel does

    def __init__(self, rate: float) -> None:
        self.per_chat: Counter[int] = Counter()
        self.pacer = PriorityPacer(DeliverySettings(global_per_second=rate))

    async def send(
        self, chat_id: int, reply: Reply, kind: DeliveryKind = DeliveryKind.REMINDER
    ) -> int | None:
        await self.pacer.turn(chat_id, kind)
        self.per_chat[chat_id] += 1
        return sum(self.per_chat.values())

    async def send_to_staff(self, reply: Reply) -> None:
        return None


def max_rss_mib() -> float:
    """Peak resident memory of this process so far (tracemalloc would slow the run 4x)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run(count: int, rate: float) -> None:
    folder = Path(tempfile.mkdtemp(prefix="reminders-bench-"))
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}",
        "CONTENT_DIR": str(BUNDLED_CONTENT_DIR),
        "CLINIC_TIMEZONE": daytime_zone(),
    }
    settings = load_settings(env, read_dotenv=False)
    database = await open_database(settings.database_url)
    now = datetime.now(UTC)
    booked = now - timedelta(minutes=10)
    content = load_content(BUNDLED_CONTENT_DIR)
    seeder = build_reminders(settings, content, database, clock=lambda: booked)
    items = [
        AppointmentInput(f"B-{n}", now + timedelta(hours=2, seconds=-30), "ims_treatment")
        for n in range(count)
    ]
    seed_start = time.perf_counter()
    await seeder.repository.save_many(items, booked)
    async with database.engine.begin() as connection:
        await connection.execute(text(f"UPDATE appointments SET chat_id = {CHAT_BASE} + id"))
    seed_seconds = time.perf_counter() - seed_start

    reminders = build_reminders(settings, content, database)
    outbound = CountingOutbound(rate)
    rss_before = max_rss_mib()
    started = time.perf_counter()
    sent = 0
    while True:
        report = await reminders.sender.sweep(outbound)
        sent += report.sent
        if report.sent == 0:
            break
    elapsed = time.perf_counter() - started
    counts = await reminders.outbox.counts()
    await database.close()

    doubled = sum(1 for n in outbound.per_chat.values() if n > 1)
    achieved = sent / elapsed if elapsed else float("inf")
    print(f"reminders due at once: {count} (seeded in {seed_seconds:.1f} s)")
    reached = len(outbound.per_chat)
    print(f"sent: {sent}; distinct chats reached: {reached}; chats reached twice: {doubled}")
    pending = counts.get("pending", 0)
    print(f"database: sent={counts.get('sent', 0)}; pending={pending} (next-day check-ins)")
    print(
        f"elapsed {elapsed:.1f} s; achieved {achieved:.2f} msg/s vs limit {rate:g} msg/s "
        f"(ratio {achieved / rate:.3f})"
    )
    print(
        f"peak memory (max RSS of the process): {max_rss_mib():.0f} MiB "
        f"({rss_before:.0f} MiB before sending)"
    )
    assert sent == count and doubled == 0 and counts.get("sent", 0) == count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=30.0, help="messages per second limit")
    args = parser.parse_args()
    asyncio.run(run(args.count, args.rate))


if __name__ == "__main__":
    main()
