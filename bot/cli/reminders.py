"""`ims-bot reminders ...`: what will be sent, and what happened to what was due."""

from __future__ import annotations

import argparse
from datetime import timedelta
from typing import Any

from bot.cli.appointments import run_with_reminders
from bot.reminders.feature import Reminders
from bot.reminders.model import ReminderStatus

PREVIEW_HOURS_DEFAULT = 48.0
STATUS_LIMIT_DEFAULT = 50
PROBLEM_STATES = (
    ReminderStatus.UNKNOWN,
    ReminderStatus.FAILED,
    ReminderStatus.SKIPPED,
    ReminderStatus.SENDING,
)


def _preview(args: argparse.Namespace) -> int:
    async def work(r: Reminders) -> int:
        tz = r.tz
        until = r.clock() + timedelta(hours=args.hours)
        rows = await r.reminders_due_before(until)
        if not rows:
            print(f"Nothing to send in the next {args.hours:g} hours.")
        for reminder, appointment in rows:
            due = reminder.due_at.astimezone(tz)
            start = appointment.starts_at.astimezone(tz)
            target = "linked" if appointment.chat_id is not None else "not linked yet"
            print(
                f"{due:%a %d %b %H:%M}  {reminder.kind:<12} {appointment.ref}  "
                f"(appointment {start:%a %d %b %H:%M}, {appointment.type_id})  {target}"
            )
        return 0

    return run_with_reminders(work)


def _status(args: argparse.Namespace) -> int:
    async def work(r: Reminders) -> int:
        tz, now = r.tz, r.clock()
        # Read as of now: a passed appointment's reminder reads "skipped" and why, whether
        # or not a sender has settled it yet (a status report writes nothing).
        counts = await r.outbox.counts(as_of=now)
        print(
            "Reminders: " + ", ".join(f"{s.value} {counts.get(s.value, 0)}" for s in ReminderStatus)
        )
        rows = await r.outbox.rows(PROBLEM_STATES, as_of=now, limit=args.limit)
        rows.sort(key=lambda pair: pair[0].due_at, reverse=True)
        for reminder, ref in rows:
            due = reminder.due_at.astimezone(tz)
            print(
                f"  {reminder.status.value:<8} {due:%Y-%m-%d %H:%M}  {reminder.kind:<12} {ref}: "
                f"{reminder.reason or ''}"
            )
        sent = await r.outbox.rows((ReminderStatus.SENT,), as_of=now, limit=args.limit)
        for reminder, ref in sorted(sent, key=lambda pair: pair[0].due_at, reverse=True):
            at = reminder.sent_at.astimezone(tz) if reminder.sent_at else None
            print(f"  sent     {at:%Y-%m-%d %H:%M}  {reminder.kind:<12} {ref}")
        return 0

    return run_with_reminders(work)


def _hours_ahead(raw: str) -> float:
    """--hours as a number of hours ahead, more than 0 ("-5" would look into the past)."""
    try:
        hours = float(raw)
    except ValueError:
        hours = 0.0
    if not 0 < hours < float("inf"):
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number of hours ahead, above 0")
    return hours


def register(subparsers: Any) -> None:
    """Add the `reminders` command group."""
    parser = subparsers.add_parser("reminders", help="preview and audit appointment reminders")
    commands = parser.add_subparsers(dest="reminders_command", metavar="SUBCOMMAND", required=True)
    preview = commands.add_parser("preview", help="reminders that will go out soon")
    preview.add_argument(
        "--hours",
        type=_hours_ahead,
        default=PREVIEW_HOURS_DEFAULT,
        help="how far ahead to look (default 48)",
    )
    preview.set_defaults(handler=_preview)
    status = commands.add_parser("status", help="sent, failed, unknown and skipped, with reasons")
    status.add_argument(
        "--limit", type=int, default=STATUS_LIMIT_DEFAULT, help="rows per list (default 50)"
    )
    status.set_defaults(handler=_status)
