"""Reading appointments from a booking system's CSV export or an .ics calendar file.

The whole file is validated before anything is saved: every bad row is reported with
its line and the reason, and nothing changes until the file is clean. Rows that cannot
matter (a time already passed, an exact repeat of an earlier row) are left out and listed.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.content.clinic import Clinic, Location
from bot.content.problems import Problem, display_path
from bot.reminders.model import AppointmentInput
from bot.reminders.types import AppointmentTypes

REQUIRED_COLUMNS = ("ref", "start", "type")
OPTIONAL_COLUMNS = ("duration_minutes", "location", "clinician", "status")
CANCELLED_WORDS = frozenset({"cancelled", "canceled", "cancel"})
BOOKED_WORDS = frozenset({"", "booked", "confirmed", "scheduled", "rescheduled", "moved"})
MAX_REF_LENGTH = 64


def ref_problem(ref: str) -> str | None:
    """Why a clinic reference (spaces around it already removed) cannot name an
    appointment, or None: an empty one would be shared by every appointment added
    without one, and re-adding a reference moves its appointment."""
    if not ref:
        return "is empty; every appointment needs the clinic's reference"
    if len(ref) > MAX_REF_LENGTH:
        return f"is longer than {MAX_REF_LENGTH} characters"
    return None


MAX_CLINICIAN_LENGTH = 120
DURATION_RANGE = range(5, 8 * 60 + 1)


@dataclass(frozen=True)
class ParsedFile:
    """The appointments a file holds, or the problems that stop it being imported."""

    items: list[AppointmentInput]
    problems: list[Problem]
    # Rows whose time has passed or whose location is closed then: left out, not a problem,
    # so a clinic's daily export that still lists this morning's visits (or one slip in the
    # booking system) imports the rest.
    left_out: list[Problem] = field(default_factory=list)


# A date, then spaces before the time: "2026-12-08 10:00" is read as 2026-12-08T10:00.
_DATE_THEN_SPACES = re.compile(r"^(\d{4}-\d{2}-\d{2})\s+(?=\d)")


class SkippedTime(ValueError):
    """A clinic-time date-time that the clocks skip when they go forward."""


def parse_start(text: str, tz: ZoneInfo) -> datetime:
    """An ISO 8601 date-time (a space may stand for the T); without an offset it is clinic
    time. ValueError if malformed; SkippedTime if the clocks skip it (spring forward)."""
    spelled = _DATE_THEN_SPACES.sub(r"\1T", text.strip())
    value = datetime.fromisoformat(spelled.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
        # 02:30 on the night the clocks jump from 02:00 to 03:00 is no time at all:
        # zoneinfo would quietly book it an hour off.
        if value.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != value.replace(tzinfo=None):
            raise SkippedTime(
                f"{value:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks go forward "
                "that night; give a time before or after the change"
            )
    return value


def past_start(start: datetime, now: datetime, tz: ZoneInfo) -> str | None:
    """Why `start` cannot be booked (it has passed), or None when it is still ahead."""
    if start > now:
        return None
    return (
        f"{start.astimezone(tz):%a %Y-%m-%d %H:%M} is in the past (it is now "
        f"{now.astimezone(tz):%a %Y-%m-%d %H:%M} clinic time); check the date"
    )


def closed_reason(location: Location, local_start: datetime) -> str | None:
    """Why `location` is closed at `local_start` (clinic time), or None when it is open."""
    day = local_start.strftime("%A")
    hours = location.hours_on(day.lower())
    moment = local_start.time().replace(tzinfo=None)
    if any(start <= moment < end for start, end in hours.periods):
        return None
    if not hours.periods:
        return f"{location.name} is closed all day on {day}s ({local_start:%Y-%m-%d %H:%M})"
    return (
        f"{location.name} is closed at {local_start:%H:%M} on {day} "
        f"{local_start:%Y-%m-%d} (open {hours.render()})"
    )


def closed_at(
    clinic: Clinic, location: Location | None, start: datetime, tz: ZoneInfo
) -> str | None:
    """Why nothing can be booked at `start` at `location` (at any location when None), or
    None when it is open: the one opening-hours check `appointments add` and `import` share."""
    local = start.astimezone(tz)
    places = [location] if location is not None else list(clinic.locations)
    reasons = [closed_reason(place, local) for place in places]
    if places and all(reasons):
        return reasons[0] if len(reasons) == 1 else "every location is closed then"
    return None


@dataclass
class _RowChecker:
    """Validates one appointment's fields against the content, collecting reasons."""

    types: AppointmentTypes
    clinic: Clinic
    tz: ZoneInfo
    now: datetime

    def build(
        self,
        fields: dict[str, str],
        start: datetime | None,
        duration: timedelta | None,
        reasons: list[str],
        passed: list[str],
    ) -> AppointmentInput | None:
        ref = fields.get("ref", "").strip()
        if why := ref_problem(ref):
            reasons.append(f"'ref' {why}")
        if start is not None and (why := past_start(start, self.now, self.tz)):
            passed.append(f"left out: 'start' {why}")
        type_id = fields.get("type", "").strip()
        found_type = self.types.find(type_id)
        resolved_type = found_type.id if found_type is not None else None
        if resolved_type is None:
            known = ", ".join(sorted(self.types.types))
            reasons.append(f"unknown appointment type {type_id!r} (known: {known})")
        location = fields.get("location", "").strip() or None
        if location is not None:
            found = self._location(location)
            if found is None:
                known = ", ".join(loc.id for loc in self.clinic.locations)
                reasons.append(f"unknown location {location!r} (known: {known})")
            location = found
        clinician = fields.get("clinician", "").strip() or None
        if clinician is not None and len(clinician) > MAX_CLINICIAN_LENGTH:
            reasons.append(f"'clinician' is longer than {MAX_CLINICIAN_LENGTH} characters")
        status = fields.get("status", "").strip().lower()
        if status not in CANCELLED_WORDS | BOOKED_WORDS:
            reasons.append(f"unknown status {status!r}; use booked or cancelled")
        if start is not None and not reasons and not passed and status not in CANCELLED_WORDS:
            place = find_location(self.clinic, location) if location is not None else None
            if why := closed_at(self.clinic, place, start, self.tz):
                passed.append(f"left out: {why}")
        if reasons or passed or start is None or resolved_type is None:
            return None
        return AppointmentInput(
            ref=ref,
            starts_at=start,
            type_id=resolved_type,
            duration=duration,
            location_id=location,
            clinician=clinician,
            cancelled=status in CANCELLED_WORDS,
        )

    def _location(self, text: str) -> str | None:
        found = find_location(self.clinic, text)
        return found.id if found is not None else None


def _words(text: str) -> str:
    return " ".join(re.sub(r"[_\-,.]", " ", text.casefold()).split())


def find_location(clinic: Clinic, text: str) -> Location | None:
    """The location `text` names: its id or name, or words only one location's id or
    name contains ("North Hill" for "Maplebrook Clinic, North Hill")."""
    wanted = _words(text)
    if not wanted:
        return None
    for location in clinic.locations:
        if wanted in (_words(location.id), _words(location.name)):
            return location
    pattern = re.compile(rf"(^| ){re.escape(wanted)}( |$)")
    matches = [
        location
        for location in clinic.locations
        if pattern.search(_words(location.name)) or pattern.search(_words(location.id))
    ]
    return matches[0] if len(matches) == 1 else None


def _start(text: str, tz: ZoneInfo, reasons: list[str]) -> datetime | None:
    if not text.strip():
        reasons.append("'start' is empty; give a date and time like 2026-03-10T14:30")
        return None
    try:
        return parse_start(text, tz)
    except SkippedTime as skipped:
        reasons.append(f"'start' {skipped}")
        return None
    except ValueError:
        reasons.append(
            f"'start' {text.strip()!r} is not an ISO 8601 date-time like 2026-03-10T14:30"
        )
        return None


def _duration(text: str, reasons: list[str]) -> timedelta | None:
    if not text.strip():
        return None
    if not text.strip().isdigit() or int(text) not in DURATION_RANGE:
        reasons.append(
            f"'duration_minutes' {text.strip()!r} must be a whole number from "
            f"{DURATION_RANGE.start} to {DURATION_RANGE.stop - 1}"
        )
        return None
    return timedelta(minutes=int(text))


# What a conflicting duplicate differs in, as the file's columns name it.
_COMPARED = (
    ("start", "starts_at"),
    ("type", "type_id"),
    ("duration_minutes", "duration"),
    ("location", "location_id"),
    ("clinician", "clinician"),
    ("status", "cancelled"),
)


def _without_duplicates(
    items: Iterable[tuple[int, AppointmentInput]],
    shown: str,
    problems: list[Problem],
    left_out: list[Problem],
) -> list[AppointmentInput]:
    """Each reference once: a row repeating an earlier one exactly (an export that listed
    it twice) is left out and reported; the same reference with other details is a
    problem, since only the clinic knows which row is right."""
    first: dict[str, tuple[int, AppointmentInput]] = {}
    kept: list[AppointmentInput] = []
    for line, item in items:
        if item.ref not in first:
            first[item.ref] = (line, item)
            kept.append(item)
            continue
        first_line, earlier = first[item.ref]
        if item == earlier:
            left_out.append(
                Problem(shown, line, f"left out: repeats line {first_line} exactly; imported once")
            )
            continue
        differs = [
            column
            for column, attribute in _COMPARED
            if getattr(item, attribute) != getattr(earlier, attribute)
        ]
        problems.append(
            Problem(
                shown,
                line,
                f"ref {item.ref!r} appears again (first on line {first_line}) with a different "
                f"{', '.join(differs)}; keep the one row that is right and delete the other",
            )
        )
    return kept


def parse_csv(
    path: Path, types: AppointmentTypes, clinic: Clinic, tz: ZoneInfo, now: datetime
) -> ParsedFile:
    """Appointments from a CSV file (columns in the README); a start before `now` is a
    row's problem."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return ParsedFile([], [Problem(shown, 0, f"cannot read the file: {exc}")])
    reader = csv.DictReader(text.splitlines())
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        return ParsedFile(
            [],
            [
                Problem(
                    shown,
                    1,
                    f"missing column(s) {', '.join(missing)}; the first line must name the "
                    f"columns: {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}",
                )
            ],
        )
    checker = _RowChecker(types, clinic, tz, now)
    problems: list[Problem] = []
    left_out: list[Problem] = []
    found: list[tuple[int, AppointmentInput]] = []
    for raw in reader:
        line = reader.line_num
        fields = {(k or "").strip().lower(): (v or "") for k, v in raw.items() if k is not None}
        if not any(value.strip() for value in fields.values()):
            continue  # blank line
        reasons: list[str] = []
        start = _start(fields.get("start", ""), tz, reasons)
        duration = _duration(fields.get("duration_minutes", ""), reasons)
        why_passed: list[str] = []
        item = checker.build(fields, start, duration, reasons, why_passed)
        problems.extend(Problem(shown, line, reason) for reason in reasons)
        left_out.extend(Problem(shown, line, why) for why in why_passed)
        if item is not None:
            found.append((line, item))
    items = _without_duplicates(found, shown, problems, left_out)
    return ParsedFile(items, sorted(problems), sorted(left_out))


def _vevent_lines(text: str) -> list[int]:
    return [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "BEGIN:VEVENT"]


def _ics_start(value: object, tz: ZoneInfo, reasons: list[str]) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=tz)
    if isinstance(value, date):
        reasons.append("DTSTART is a whole day; appointments need a start time")
    else:
        reasons.append("DTSTART is missing")
    return None


def parse_ics(
    path: Path, types: AppointmentTypes, clinic: Clinic, tz: ZoneInfo, now: datetime
) -> ParsedFile:
    """Appointments from an .ics file: one VEVENT each (mapping in the README)."""
    import icalendar

    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        calendar = icalendar.Calendar.from_ical(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return ParsedFile([], [Problem(shown, 0, f"not a readable calendar file: {exc}")])
    lines = _vevent_lines(text)
    checker = _RowChecker(types, clinic, tz, now)
    problems: list[Problem] = []
    left_out: list[Problem] = []
    found: list[tuple[int, AppointmentInput]] = []
    for index, event in enumerate(calendar.walk("VEVENT")):
        line = lines[index] if index < len(lines) else 0
        reasons: list[str] = []
        start_prop = event.get("DTSTART")
        start = _ics_start(start_prop.dt if start_prop is not None else None, tz, reasons)
        duration = _ics_duration(event, start)
        fields = {
            "ref": str(event.get("UID", "")),
            "type": _ics_type(event),
            "location": str(event.get("LOCATION", "")),
            "clinician": str(event.get("X-CLINICIAN", "")),
            "status": str(event.get("STATUS", "")),
        }
        why_passed: list[str] = []
        item = checker.build(fields, start, duration, reasons, why_passed)
        problems.extend(Problem(shown, line, reason) for reason in reasons)
        left_out.extend(Problem(shown, line, why) for why in why_passed)
        if item is not None:
            found.append((line, item))
    items = _without_duplicates(found, shown, problems, left_out)
    return ParsedFile(items, sorted(problems), sorted(left_out))


def _ics_type(event: object) -> str:
    getter = event.get  # type: ignore[attr-defined]
    explicit = getter("X-APPOINTMENT-TYPE")
    if explicit:
        return str(explicit)
    categories = getter("CATEGORIES")
    if categories is not None:
        cats = categories[0] if isinstance(categories, list) else categories
        values = getattr(cats, "cats", None)
        if values:
            return str(values[0])
    return str(getter("SUMMARY", ""))


def _ics_duration(event: object, start: datetime | None) -> timedelta | None:
    getter = event.get  # type: ignore[attr-defined]
    end = getter("DTEND")
    if end is not None and start is not None and isinstance(end.dt, datetime):
        end_dt = end.dt if end.dt.tzinfo is not None else end.dt.replace(tzinfo=start.tzinfo)
        return end_dt - start
    length = getter("DURATION")
    return length.dt if length is not None and isinstance(length.dt, timedelta) else None


def parse_appointment_file(
    path: Path, types: AppointmentTypes, clinic: Clinic, tz: ZoneInfo, now: datetime
) -> ParsedFile:
    """A CSV or .ics file, chosen by its extension; a start before `now` is refused."""
    if path.suffix.lower() in (".ics", ".ical", ".ifb"):
        return parse_ics(path, types, clinic, tz, now)
    return parse_csv(path, types, clinic, tz, now)
