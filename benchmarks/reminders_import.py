"""Benchmark: importing an N-row CSV export (validate, then save in one transaction).

Run: python benchmarks/reminders_import.py --rows 10000
Reports validation time, first import (all created), re-import of the same file (all
unchanged) and a re-import where every tenth appointment moved, on a real SQLite file.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clinic_content import load_content
from bot.config import BUNDLED_CONTENT_DIR, load_settings
from bot.reminders.feature import build_reminders
from bot.reminders.importing import parse_appointment_file
from bot.storage.database import open_database

TYPES = ("assessment", "ims_treatment", "follow_up")
MOVE_EVERY = 10


def write_csv(path: Path, rows: int, shift_every: int = 0) -> None:
    """A booking-system export: appointments spread over the next 60 days."""
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["ref", "start", "type", "duration_minutes", "location", "clinician", "status"]
        )
        for n in range(rows):
            start = base + timedelta(minutes=30 * (n % 2880))
            if shift_every and n % shift_every == 0:
                start += timedelta(days=1)
            writer.writerow(
                [f"BK-{n:06d}", start.isoformat(), TYPES[n % 3], "", "riverside", "Alex Doe", ""]
            )


async def run(rows: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="reminders-import-"))
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}",
        "CONTENT_DIR": str(BUNDLED_CONTENT_DIR),
    }
    settings = load_settings(env, read_dotenv=False)
    database = await open_database(settings.database_url)
    reminders = build_reminders(settings, load_content(BUNDLED_CONTENT_DIR), database)
    tz = settings.clinic_timezone
    path = folder / "export.csv"
    write_csv(path, rows)

    async def import_once(label: str, baseline: float) -> None:
        started = time.perf_counter()
        parsed = parse_appointment_file(
            path, reminders.types, reminders.clinic, tz, reminders.clock()
        )
        validated = time.perf_counter()
        assert not parsed.problems, parsed.problems[:3]
        summary = await reminders.repository.save_many(parsed.items, reminders.clock())
        done = time.perf_counter()
        print(
            f"{label}: {rows} rows in {done - started:.2f} s "
            f"(validate {validated - started:.2f} s, save {done - validated:.2f} s; "
            f"{rows / (done - started):.0f} rows/s; {(done - started) / baseline:.0f}x "
            f"the baseline): {summary}"
        )

    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        baseline_rows = sum(1 for _ in csv.DictReader(handle))
    baseline = time.perf_counter() - started
    print(f"baseline: reading the {baseline_rows} rows with csv.DictReader took {baseline:.3f} s")
    await import_once("first import", baseline)
    await import_once("same file again", baseline)
    write_csv(path, rows, shift_every=MOVE_EVERY)
    await import_once(f"every {MOVE_EVERY}th moved", baseline)
    counts = await reminders.outbox.counts()
    print(f"reminder rows: {dict(counts)}")
    await database.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    asyncio.run(run(args.rows))


if __name__ == "__main__":
    main()
