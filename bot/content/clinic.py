"""The clinic's own facts (name, contact, locations, hours, prices) from clinic.yaml.

Answers refer to these facts through placeholders, so a clinic changes its hours or
phone number in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time
from pathlib import Path

from bot.content.problems import ContentError, Problem, display_path
from bot.content.schema import ProblemLog, did_you_mean, read_yaml_with_problems
from bot.content.yaml_source import LocatedDict

CLINIC_FILE = "clinic.yaml"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CLOSED = "closed"
MAX_LATE_CANCELLATION_HOURS = 7 * 24
DEFAULT_EMERGENCY_NUMBER = "911"
EMERGENCY_NUMBER_PATTERN = re.compile(r"^[0-9]{2,6}$")
# One opening period, e.g. "08:00-18:00" (an en dash and spaces are tolerated).
PERIOD_PATTERN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")
HOURS_EXAMPLE = 'like "08:00-18:00", "08:00-12:00, 13:00-17:00" or "closed"'

CLINIC_KEYS = (
    "name",
    "phone",
    "email",
    "website",
    "booking_url",
    "emergency_number",
    "late_cancellation_hours",
    "cancellation_policy",
    "prices",
    "locations",
)
LOCATION_KEYS = ("id", "name", "address", "phone", "map_url", "directions", "hours")
PRICE_KEYS = ("service", "amount", "note")
LOCATION_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,30}$")


@dataclass(frozen=True)
class OpeningHours:
    """Opening periods on one weekday; no periods means closed."""

    day: str  # lower-case weekday name, e.g. "monday"
    periods: tuple[tuple[time, time], ...] = ()

    @property
    def closed(self) -> bool:
        """Whether the location is closed all day."""
        return not self.periods

    def render(self) -> str:
        """The hours as text, e.g. "8:00–18:00" or "closed"."""
        if self.closed:
            return CLOSED
        return ", ".join(f"{_clock(start)}–{_clock(end)}" for start, end in self.periods)


@dataclass(frozen=True)
class Location:
    """One place where the clinic sees patients."""

    id: str
    name: str
    address: str
    phone: str
    map_url: str | None
    hours: tuple[OpeningHours, ...]
    directions: str = ""  # parking, transit, entrance, accessibility

    def hours_on(self, day: str) -> OpeningHours:
        """Opening hours on weekday `day` (closed when not listed)."""
        for entry in self.hours:
            if entry.day == day:
                return entry
        return OpeningHours(day)

    def render(self) -> str:
        """A plain-text block: name, address, phone, map link and weekly hours."""
        lines = [self.name, self.address, f"Phone: {self.phone}"]
        if self.map_url:
            lines.append(f"Map: {self.map_url}")
        if self.directions:
            lines.append(f"Getting here: {self.directions}")
        lines.append("Hours:")
        lines.extend(f"  {label}: {hours}" for label, hours in self._grouped_hours())
        return "\n".join(lines)

    def _grouped_hours(self) -> list[tuple[str, str]]:
        """Consecutive weekdays with the same hours, e.g. ("Monday–Friday", "8:00–18:00")."""
        groups: list[tuple[str, str, str]] = []  # first day, last day, hours
        for day in WEEKDAYS:
            shown = self.hours_on(day).render()
            if groups and groups[-1][2] == shown:
                groups[-1] = (groups[-1][0], day, shown)
            else:
                groups.append((day, day, shown))
        return [
            (first.title() if first == last else f"{first.title()}–{last.title()}", shown)
            for first, last, shown in groups
        ]


@dataclass(frozen=True)
class Price:
    """What one service costs (text, so a clinic can write "$120" or "from $90")."""

    service: str
    amount: str
    note: str = ""

    def render(self) -> str:
        """One line, e.g. "Initial assessment: $120 (sample price)"."""
        note = f" ({self.note})" if self.note else ""
        return f"{self.service}: {self.amount}{note}"


@dataclass(frozen=True)
class Clinic:
    """Everything about the clinic that answers and reminders refer to."""

    name: str
    phone: str
    email: str
    website: str
    booking_url: str
    locations: tuple[Location, ...]
    prices: tuple[Price, ...]
    late_cancellation_hours: int
    cancellation_policy: str
    emergency_number: str = DEFAULT_EMERGENCY_NUMBER

    def location(self, location_id: str) -> Location | None:
        """The location with `location_id`, if any."""
        for location in self.locations:
            if location.id == location_id:
                return location
        return None

    def render_locations(self) -> str:
        """Every location with address, phone and hours, separated by blank lines."""
        return "\n\n".join(location.render() for location in self.locations)

    def render_prices(self) -> str:
        """One line per price, or a note to ask the clinic when none are listed."""
        if not self.prices:
            return f"Please ask us for current prices: {self.phone}."
        return "\n".join(f"- {price.render()}" for price in self.prices)


def _clock(moment: time) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def _parse_time(hour: str, minute: str) -> time | None:
    hours, minutes = int(hour), int(minute)
    if hours == 24 and minutes == 0:
        return time(23, 59)  # "until midnight"
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def parse_hours(raw: str) -> tuple[tuple[time, time], ...] | None:
    """Opening periods from text like "08:00-12:00, 13:00-18:00"; None when malformed."""
    if raw.strip().lower() == CLOSED:
        return ()
    periods: list[tuple[time, time]] = []
    for part in raw.split(","):
        found = PERIOD_PATTERN.match(part)
        if found is None:
            return None
        start = _parse_time(found.group(1), found.group(2))
        end = _parse_time(found.group(3), found.group(4))
        if start is None or end is None or start >= end:
            return None
        if periods and start < periods[-1][1]:
            return None  # overlapping or out of order
        periods.append((start, end))
    return tuple(periods)


def _read_hours(log: ProblemLog, location: LocatedDict, what: str) -> tuple[OpeningHours, ...]:
    if "hours" not in location:
        log.missing(location, "hours", f"{what} is missing 'hours' (one line per weekday)")
        return ()
    table = log.mapping(location["hours"], location.line_of("hours"), f"'hours' of {what}")
    if table is None:
        return ()
    result: list[OpeningHours] = []
    for key, raw in table.items():
        day = key.strip().lower()
        line = table.line_of(key)
        if day not in WEEKDAYS:
            log.add(line, f"unknown weekday '{key}' in {what}{did_you_mean(day, WEEKDAYS)}")
            continue
        periods = parse_hours(raw) if isinstance(raw, str) else None
        if periods is None:
            log.add(line, f"hours for {key} in {what} must be {HOURS_EXAMPLE}, not {raw!r}")
            continue
        result.append(OpeningHours(day, periods))
    result.sort(key=lambda entry: WEEKDAYS.index(entry.day))
    return tuple(result)


def _read_location(log: ProblemLog, raw: object, line: int) -> Location | None:
    what = f"the location at line {line}"
    location = log.mapping(raw, line, "each location")
    if location is None:
        return None
    log.unknown_keys(location, LOCATION_KEYS, "a location")
    location_id = log.text(location, "id", what)
    if location_id is not None and not LOCATION_ID_PATTERN.match(location_id):
        log.add(
            location.line_of("id"),
            f"location id {location_id!r} must be lower-case letters, digits and _ "
            "(starting with a letter), e.g. downtown",
        )
        location_id = None
    name = log.text(location, "name", what)
    address = log.text(location, "address", what)
    phone = log.phone(location, "phone", what)
    map_url = log.url(location, "map_url", what, required=False)
    directions = log.text(location, "directions", what, required=False) or ""
    hours = _read_hours(log, location, what)
    if None in (location_id, name, address, phone):
        return None
    assert location_id and name and address and phone  # narrowed for the type checker
    return Location(location_id, name, address, phone, map_url, hours, directions)


def _read_locations(log: ProblemLog, clinic: LocatedDict) -> tuple[Location, ...]:
    if "locations" not in clinic:
        log.missing(clinic, "locations", "clinic.yaml is missing 'locations' (at least one place)")
        return ()
    items = log.sequence(clinic["locations"], clinic.line_of("locations"), "'locations'")
    if items is None:
        return ()
    if not items:
        log.add(items.line, "'locations' is empty; list at least one place")
    result: list[Location] = []
    first_line: dict[str, int] = {}
    for index, raw in enumerate(items):
        line = items.line_of(index)
        location = _read_location(log, raw, line)
        if location is None:
            continue
        if location.id in first_line:
            log.add(
                line,
                f"duplicate location id '{location.id}' (first used at line "
                f"{first_line[location.id]}); give each location its own id",
            )
            continue
        first_line[location.id] = line
        result.append(location)
    return tuple(result)


def _read_prices(log: ProblemLog, clinic: LocatedDict) -> tuple[Price, ...]:
    items = log.optional_sequence(clinic, "prices")
    result: list[Price] = []
    for index, raw in enumerate(items):
        line = items.line_of(index)
        what = f"the price at line {line}"
        entry = log.mapping(raw, line, "each price")
        if entry is None:
            continue
        log.unknown_keys(entry, PRICE_KEYS, "a price")
        service = log.text(entry, "service", what)
        amount = log.text(entry, "amount", what)
        note = log.text(entry, "note", what, required=False) or ""
        if service is not None and amount is not None:
            result.append(Price(service, amount, note))
    return tuple(result)


def _read_emergency_number(log: ProblemLog, clinic: LocatedDict) -> str:
    if "emergency_number" not in clinic:
        return DEFAULT_EMERGENCY_NUMBER
    number = log.text(clinic, "emergency_number", "clinic.yaml")
    if number is None:
        return DEFAULT_EMERGENCY_NUMBER
    if not EMERGENCY_NUMBER_PATTERN.match(number):
        log.add(
            clinic.line_of("emergency_number"),
            f"'emergency_number' must be the local emergency number in digits, e.g. 911, "
            f"not {number!r}",
        )
    return number


def parse_clinic(data: object, file: str) -> tuple[Clinic | None, list[Problem]]:
    """A `Clinic` from parsed clinic.yaml, plus every problem found (None if any)."""
    log = ProblemLog(file)
    clinic = log.mapping(data, 1, "clinic.yaml")
    if clinic is None:
        return None, log.problems
    what = "clinic.yaml"
    log.unknown_keys(clinic, CLINIC_KEYS, what)
    name = log.text(clinic, "name", what)
    phone = log.phone(clinic, "phone", what)
    email = log.email(clinic, "email", what)
    website = log.url(clinic, "website", what)
    booking_url = log.url(clinic, "booking_url", what)
    late_hours = log.integer(
        clinic, "late_cancellation_hours", what, low=0, high=MAX_LATE_CANCELLATION_HOURS
    )
    policy = log.text(clinic, "cancellation_policy", what)
    emergency_number = _read_emergency_number(log, clinic)
    prices = _read_prices(log, clinic)
    locations = _read_locations(log, clinic)
    if log.problems:
        return None, sorted(log.problems)
    assert name and phone and email and website and booking_url and policy
    assert late_hours is not None
    return (
        Clinic(
            name=name,
            phone=phone,
            email=email,
            website=website,
            booking_url=booking_url,
            locations=locations,
            prices=prices,
            late_cancellation_hours=late_hours,
            cancellation_policy=policy,
            emergency_number=emergency_number,
        ),
        [],
    )


def read_clinic(path: Path) -> tuple[Clinic | None, list[Problem]]:
    """Parse and check the clinic file at `path`; never raises for bad content."""
    data, problems = read_yaml_with_problems(path)
    if problems:
        return None, problems
    return parse_clinic(data, display_path(path))


def load_clinic(path: Path) -> Clinic:
    """The clinic described by `path`; raises `ContentError` listing every problem."""
    clinic, problems = read_clinic(path)
    if clinic is None:
        raise ContentError(problems)
    return clinic
