"""When each reminder of an appointment is due: pure functions of the clock and the content.

Rules (documented in README.md, "Appointments and reminders"):
- An offset of whole days keeps the clock time ("2 days before 10:00" is 10:00 two
  days earlier, even across a daylight-saving change); other offsets count real hours.
- A reminder that falls inside quiet hours moves to the start of that quiet period
  (the evening before): sending exactly at the start or the end is allowed.
- A reminder already due at booking time is skipped with a reason: the patient has just
  booked, and a later reminder (or the greeting) tells them the same thing.
- The next-day check-in after a treatment goes at CHECK_IN_CLOCK the following day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.reminders.types import AppointmentType, QuietHours

CHECK_IN_KIND = "check_in"
DEMO_KIND = "demo"
CHECK_IN_CLOCK = time(10, 0)
DAY = timedelta(days=1)
SKIP_PAST_AT_BOOKING = "already due when the appointment was booked"


@dataclass(frozen=True)
class PlannedReminder:
    """One reminder of an appointment: due time (UTC) or the reason it is skipped."""

    kind: str
    due_at: datetime
    skip_reason: str | None = None


def reminder_kind(offset: timedelta) -> str:
    """The stable name of an offset, e.g. `remind_48h` or `remind_90m`."""
    minutes = int(offset.total_seconds() // 60)
    return f"remind_{minutes // 60}h" if minutes % 60 == 0 else f"remind_{minutes}m"


def local_instant(day: date, clock: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in `tz`; a time skipped by DST moves forward."""
    naive = datetime.combine(day, clock)
    aware = naive.replace(tzinfo=tz)
    # Round-trip through UTC: a non-existent local time (spring-forward gap) comes back
    # as the real instant one hour later on the clock, an ambiguous one as the first.
    return aware.astimezone(UTC)


def before_start(start: datetime, offset: timedelta, tz: ZoneInfo) -> datetime:
    """`offset` before `start`: whole days keep the clock time, other offsets real hours."""
    if offset % DAY == timedelta(0):
        local = start.astimezone(tz)
        return local_instant(local.date() - timedelta(days=offset // DAY), local.time(), tz)
    return start - offset


def in_quiet_hours(instant: datetime, quiet: QuietHours, tz: ZoneInfo) -> bool:
    """Whether `instant` falls strictly inside the quiet period (clinic time)."""
    clock = instant.astimezone(tz).time()
    if quiet.start > quiet.end:  # the period spans midnight (the usual case)
        return clock > quiet.start or clock < quiet.end
    return quiet.start < clock < quiet.end


def out_of_quiet_hours(instant: datetime, quiet: QuietHours, tz: ZoneInfo) -> datetime:
    """`instant`, or the start of the quiet period it falls in (the last allowed time)."""
    if not in_quiet_hours(instant, quiet, tz):
        return instant
    local = instant.astimezone(tz)
    day = local.date()
    if quiet.start > quiet.end and local.time() < quiet.end:
        day -= DAY  # after midnight: the period began the evening before
    return local_instant(day, quiet.start, tz)


def plan_reminders(
    start: datetime,
    appointment_type: AppointmentType,
    quiet: QuietHours,
    tz: ZoneInfo,
    booked_at: datetime,
) -> list[PlannedReminder]:
    """Every reminder for an appointment starting at `start`, as seen at `booked_at`."""
    plans: list[PlannedReminder] = []
    for offset in appointment_type.offsets:
        due = out_of_quiet_hours(before_start(start, offset, tz), quiet, tz)
        skip = SKIP_PAST_AT_BOOKING if due <= booked_at else None
        plans.append(PlannedReminder(reminder_kind(offset), due, skip))
    if appointment_type.next_day_check_in:
        next_day = start.astimezone(tz).date() + DAY
        due = local_instant(next_day, CHECK_IN_CLOCK, tz)
        plans.append(
            PlannedReminder(CHECK_IN_KIND, due, SKIP_PAST_AT_BOOKING if due <= booked_at else None)
        )
    return plans
