"""`ims-bot appointments ...`: add one (with its link), import a file, list them."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.config import load_settings
from bot.reminders.feature import Reminders, build_reminders
from bot.reminders.importing import (
    SkippedTime,
    closed_at,
    find_location,
    parse_appointment_file,
    parse_start,
    past_start,
    ref_problem,
)
from bot.reminders.messages import staff_line
from bot.reminders.model import AppointmentInput
from bot.reminders.repository import Change
from bot.reminders.sender import utc_now
from bot.reminders.settings import PLACEHOLDER_BOT_USERNAME, link_url
from bot.runtime import load_checked_content
from bot.storage.database import open_database

PROGRESS_MIN_ROWS = 1_000  # show a progress bar from this many rows
IMPORT_CHUNK = 500
LIST_DAYS_DEFAULT = 14


@asynccontextmanager
async def open_reminders() -> AsyncIterator[Reminders]:
    """Settings, checked content and the migrated database, assembled for a command."""
    settings = load_settings()
    content = load_checked_content(settings)
    database = await open_database(settings.database_url)
    try:
        yield build_reminders(settings, content, database)
    finally:
        await database.close()


def run_with_reminders(work: Callable[[Reminders], Awaitable[int]]) -> int:
    """Run `work` on a freshly opened feature; its exit code."""

    async def main() -> int:
        async with open_reminders() as reminders:
            return await work(reminders)

    return asyncio.run(main())


def _add(args: argparse.Namespace) -> int:
    async def work(r: Reminders) -> int:
        tz = r.tz
        at = " ".join(args.at)  # --at 2026-12-08 10:00, unquoted, arrives as two words
        try:
            starts_at = parse_start(at, tz)
        except SkippedTime as skipped:
            print(f"ims-bot: --at {skipped}", file=sys.stderr)
            return 2
        except ValueError:
            print(
                f"ims-bot: --at {at!r} is not an ISO 8601 date-time like 2026-03-10T14:30",
                file=sys.stderr,
            )
            return 2
        if passed := past_start(starts_at, r.clock(), tz):
            print(f"ims-bot: --at {passed}", file=sys.stderr)
            return 2
        ref = args.ref.strip()  # as an import reads it, so both name one appointment
        if why := ref_problem(ref):
            print(f"ims-bot: --ref {why}", file=sys.stderr)
            return 2
        kind = r.types.find(args.type)
        if kind is None:
            known = ", ".join(f"{k.id} ({k.label})" for k in r.types.types.values())
            print(
                f"ims-bot: unknown --type {args.type!r}; use an id or label: {known}",
                file=sys.stderr,
            )
            return 2
        location = find_location(r.clinic, args.location) if args.location else None
        if args.location and location is None:
            known = ", ".join(f"{loc.id} ({loc.name})" for loc in r.clinic.locations)
            print(
                f"ims-bot: unknown --location {args.location!r}; use an id or name: {known}",
                file=sys.stderr,
            )
            return 2
        existing = await r.repository.get_by_ref(ref)
        if location is None and existing is not None and existing.location_id:
            # Re-adding a reference to move it keeps what was not said again.
            location = find_location(r.clinic, existing.location_id)
        if location is None and len(r.clinic.locations) == 1:
            location = r.clinic.locations[0]
        if not args.force and (closed := closed_at(r.clinic, location, starts_at, tz)):
            print(
                f"ims-bot: {closed}; check --at, or add --force to book it anyway",
                file=sys.stderr,
            )
            return 2
        now = r.clock()
        clinician = args.clinician
        if clinician is None and existing is not None:
            clinician = existing.clinician
        item = AppointmentInput(
            ref=ref,
            starts_at=starts_at,
            type_id=kind.id,
            location_id=location.id if location is not None else None,
            clinician=clinician,
        )
        appointment, change = await r.repository.save(item, now)
        if existing is not None and change is not Change.UNCHANGED:
            print(
                f"Note: reference {ref} already existed; this {change.value} that "
                f"appointment (was {staff_line(existing, tz)})."
            )
        if not await r.repository.has_reminders_to_come(appointment.id):
            print(
                "Note: it is too close for its reminders; the patient gets a confirmation "
                "with the details as soon as they open the link."
            )
        token = await r.repository.create_link(appointment.id, now)
        url = link_url(r.settings.bot_username, token)
        print(f"{change.value}: {staff_line(appointment, tz)}")
        print(f"One-time link for the patient (valid 30 days): {url}")
        if r.settings.bot_username is None:
            print(
                f"Note: TELEGRAM_BOT_USERNAME is not set, so the link uses the placeholder "
                f"'{PLACEHOLDER_BOT_USERNAME}'; set it to your bot's username."
            )
        if args.qr:
            _write_qr(url, Path(args.qr))
            print(f"QR code written to {args.qr}")
        return 0

    return run_with_reminders(work)


def _write_qr(url: str, path: Path) -> None:
    import qrcode
    from qrcode.image.pure import PyPNGImage

    image = qrcode.make(url, image_factory=PyPNGImage)
    with path.open("wb") as handle:
        image.save(handle)


def _print_rows(heading: str, rows: Sequence[object]) -> None:
    print(f"ims-bot: {heading}:", file=sys.stderr)
    for row in rows:
        print(f"  {row}", file=sys.stderr)


def _import(args: argparse.Namespace) -> int:
    async def work(r: Reminders) -> int:
        tz = r.tz
        parsed = parse_appointment_file(Path(args.file), r.types, r.clinic, tz, r.clock())
        if parsed.problems:
            _print_rows(f"{len(parsed.problems)} problem(s); nothing was imported", parsed.problems)
            return 1
        if parsed.left_out:
            count = len(parsed.left_out)
            _print_rows(f"{count} row(s) left out (not imported)", parsed.left_out)
        items = parsed.items
        progress = _progress(len(items))
        summary = None
        # One transaction for the whole file: all rows or none.
        summary = await r.repository.save_many(
            items, r.clock(), dry_run=args.dry_run, progress=progress
        )
        if progress is not None:
            progress.close()
        verb = "would change" if args.dry_run else "imported"
        print(f"{verb} {len(items)} appointment(s): {summary}")
        return 0

    return run_with_reminders(work)


def _progress(total: int) -> Any:
    if total < PROGRESS_MIN_ROWS:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="row", file=sys.stderr, desc="importing")


def _list(args: argparse.Namespace) -> int:
    async def work(r: Reminders) -> int:
        tz = r.tz
        now = utc_now()
        start = now - timedelta(days=args.past_days)
        found = await r.repository.between(
            start, now + timedelta(days=args.days), include_cancelled=True
        )
        for appointment in found:
            linked = "linked" if appointment.chat_id is not None else "not linked"
            if appointment.unreachable:
                linked = "unreachable"
            status = appointment.status.value
            if appointment.cancelled_by is not None:
                status += f" by the {appointment.cancelled_by.value}"
            print(f"{staff_line(appointment, tz)}  {status}  {linked}")
        if not found:
            print("No appointments in that period.")
        return 0

    return run_with_reminders(work)


def register(subparsers: Any) -> None:
    """Add the `appointments` command group."""
    parser = subparsers.add_parser("appointments", help="add, import and list appointments")
    commands = parser.add_subparsers(
        dest="appointments_command", metavar="SUBCOMMAND", required=True
    )
    add = commands.add_parser("add", help="add one appointment and print its one-time link")
    add.add_argument(
        "--at",
        required=True,
        nargs="+",
        metavar="DATETIME",
        help="start, ISO 8601 (e.g. 2026-03-10T14:30 or 2026-03-10 14:30; no offset = "
        "clinic time); not in the past",
    )
    add.add_argument("--ref", required=True, help="the clinic's own reference")
    add.add_argument(
        "--type", required=True, help="appointment type id or label (appointment_types.yaml)"
    )
    add.add_argument("--location", help="location id or name from clinic.yaml")
    add.add_argument("--clinician", help="clinician's name as the patient should see it")
    add.add_argument("--qr", metavar="FILE.png", help="also write the link as a QR code")
    add.add_argument(
        "--force", action="store_true", help="book even outside the location's opening hours"
    )
    add.set_defaults(handler=_add)
    imp = commands.add_parser("import", help="import a CSV export or an .ics calendar")
    imp.add_argument("file", help="CSV (columns in the README) or .ics file")
    imp.add_argument("--dry-run", action="store_true", help="show what would change, save nothing")
    imp.set_defaults(handler=_import)
    lst = commands.add_parser("list", help="list appointments around now")
    lst.add_argument("--days", type=int, default=LIST_DAYS_DEFAULT, help="days ahead (default 14)")
    lst.add_argument("--past-days", type=int, default=1, help="days back (default 1)")
    lst.set_defaults(handler=_list)
