"""`ims-bot faq unanswered`: the questions the bot could not answer, for the clinic."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from bot.cli.terminal import terminal_line
from bot.config import load_settings
from bot.core.dates import clinic_time
from bot.faq.unanswered import UnansweredLog, UnansweredRecord
from bot.storage.database import open_database
from bot.storage.private_files import create_private_file
from bot.web.audit import AuditLog, command_line_actor
from bot.web.spreadsheet import unanswered_csv


def register_unanswered(group: Any) -> None:
    """Add `faq unanswered` to the `faq` command group."""
    parser = group.add_parser(
        "unanswered",
        help="list questions the bot could not answer",
        description="List the questions the bot fell back on, newest first, so the clinic can "
        "add answers or alternates: the open ones, as the console's Questions page shows "
        "them. Questions are stored without who asked them and deleted after "
        "UNANSWERED_RETENTION_DAYS.",
    )
    parser.add_argument("--days", type=_days, default=None, help="only the last N days (1 or more)")
    parser.add_argument(
        "--all",
        action="store_true",
        help="include the questions staff marked handled or dismissed on the console",
    )
    shape = parser.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="one JSON object per line")
    shape.add_argument(
        "--csv",
        metavar="FILE",
        help="write them to FILE (a new file, readable by you only) as CSV a spreadsheet "
        "opens: UTF-8 with a byte-order mark, cells that would start a formula made text",
    )
    parser.set_defaults(handler=run_unanswered)


def _days(raw: str) -> int:
    """--days as a whole number of days, 1 or more (0 or less would list all or none)."""
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if days < 1:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number of days, 1 or more")
    return days


def _line(record: UnansweredRecord, tz: tzinfo) -> str:
    near = (
        f"  (closest: {record.best_faq_id} {record.best_score:.2f})" if record.best_faq_id else ""
    )
    closed = f"  [{record.state}]" if record.state else ""
    return f"{clinic_time(record.asked_at, tz)}  {terminal_line(record.text)}{near}{closed}"


async def _list(
    days: int | None, closed: bool, action: str = "view_unanswered"
) -> list[UnansweredRecord]:
    settings = load_settings()
    database = await open_database(settings.database_url)
    try:
        log = UnansweredLog(database, timedelta(days=settings.unanswered_retention_days))
        now = datetime.now(UTC)
        await log.purge(now)
        since = now - timedelta(days=days) if days else None
        records = [r for r in await log.list(since=since) if closed or r.state is None]
        # Patients type health details here too: every listing is audited, like the console's.
        targets: list[str | None] = [f"question:{record.id}" for record in records]
        await AuditLog(database).write_many(command_line_actor(), action, targets or [None])
        return records
    finally:
        await database.close()


def run_unanswered(args: argparse.Namespace) -> int:
    """Print the stored unanswered questions, or write them to a CSV file."""
    if args.csv:
        return _export(Path(args.csv), args.days, args.all)
    records = asyncio.run(_list(args.days, args.all))
    tz = load_settings().clinic_timezone
    for record in records:
        if args.json:
            print(
                json.dumps(
                    {
                        "asked_at": record.asked_at.isoformat(),
                        "text": record.text,
                        "closest_faq_id": record.best_faq_id,
                        "closest_score": round(record.best_score, 4),
                        "state": record.state,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            print(_line(record, tz))
    if not args.json:
        closed = sum(record.state is not None for record in records)
        told = f", {closed} of them handled or dismissed" if args.all else ""
        print(f"{len(records)} unanswered question(s){told}")
    return 0


def _export(target: Path, days: int | None, closed: bool) -> int:
    """The questions in a new CSV file that only its owner may read: what patients typed
    is health information, like the database it comes from."""
    if target.exists():
        print(f"ims-bot: {target} exists; name a new file", file=sys.stderr)
        return 1
    if not target.parent.is_dir():
        print(f"ims-bot: the folder {target.parent} does not exist", file=sys.stderr)
        return 1
    try:
        # Made before the (audited) listing: a file that cannot be written exports nothing.
        descriptor = create_private_file(target)
    except OSError as exc:
        print(f"ims-bot: cannot write {target}: {exc.strerror}", file=sys.stderr)
        return 1
    with os.fdopen(descriptor, "wb") as file:
        try:
            records = asyncio.run(_list(days, closed, "export_unanswered"))
            file.write(unanswered_csv(records, load_settings().clinic_timezone))
        except BaseException:
            target.unlink(missing_ok=True)  # never a half-written export left behind
            raise
    print(
        f"Wrote {len(records)} unanswered question(s) to {target} (CSV for a spreadsheet). "
        "It holds what patients typed: keep it as safe as the database, delete it when done."
    )
    return 0
