"""The clinic's own facts (name, contact, locations, hours, prices) from clinic.yaml.

Answers refer to these facts through placeholders, so a clinic changes its hours or
phone number in one place.

Every text a patient reads (names, address, directions, hours note, services, price notes,
the cancellation policy) is plain English or `{en: ..., fr: ...}`: the French sits beside the
English it translates, so a clinic editing one sees the other, and an English-only file
stays valid. Labels, weekday names, times and amounts of money are worded by the code in
each language (Canadian French: "135 $", "du lundi au jeudi", "8 h à 19 h").
`Clinic.in_french()` is the clinic as French replies show it, English where a French
value is missing; each missing one is a `french_gaps` note for `ims-bot content check`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, time
from pathlib import Path
from typing import Any

from bot.content.problems import ContentError, Problem, display_path
from bot.content.schema import (
    ProblemLog,
    curly_quotes_hint,
    did_you_mean,
    read_yaml_with_problems,
)
from bot.content.yaml_source import LocatedDict

CLINIC_FILE = "clinic.yaml"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CLOSED = "closed"
ENGLISH, FRENCH = "en", "fr"
LANGUAGE_KEYS = (ENGLISH, FRENCH)
MAX_LATE_CANCELLATION_HOURS = 7 * 24
DEFAULT_EMERGENCY_NUMBER = "911"
EMERGENCY_NUMBER_PATTERN = re.compile(r"^[0-9]{2,6}$")
# Every emergency reply tells patients to dial this: in Canada 911 everywhere, and 112 from
# a mobile phone reaches it too. Any other value is a typo (9111, 991) that sends them nowhere.
CANADIAN_EMERGENCY_NUMBERS = ("911", "112")
# One opening period, e.g. "08:00-18:00" (an en dash and spaces are tolerated).
PERIOD_PATTERN = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")
BRACES = re.compile(r"[{}]")
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
LOCATION_KEYS = ("id", "name", "address", "phone", "map_url", "directions", "hours", "hours_note")
PRICE_KEYS = ("service", "amount", "note")
LOCATION_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
# A plain amount of Canadian dollars ("$135", "$1,250.50", "135 $"), which the code words
# in each language; anything else ("from $90") is text the clinic translates.
MONEY_PATTERN = re.compile(
    r"^(?:\$\s*(?P<lead>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<lead_cents>\d{2}))?"
    r"|(?P<trail>\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:,(?P<trail_cents>\d{2}))?\s*\$)$"
)

# What the code writes around the clinic's facts, in each language.
_LABELS = {
    ENGLISH: {
        "phone": "Phone: ",
        "map": "Map: ",
        "directions": "Getting here: ",
        "hours": "Hours:",
        "closed": CLOSED,
        "no_prices": "Please ask us for current prices: {phone}.",
    },
    FRENCH: {
        "phone": "Téléphone : ",
        "map": "Carte : ",
        "directions": "Pour vous y rendre : ",
        "hours": "Heures d'ouverture :",
        "closed": "fermé",
        "no_prices": "Demandez-nous nos prix actuels : {phone}.",
    },
}
_FRENCH_WEEKDAYS = dict(
    zip(
        WEEKDAYS,
        ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
        strict=True,
    )
)


def weekday_name(weekday: str, language: str) -> str:
    """A weekday of WEEKDAYS as a patient reads it: "monday", or "lundi" in French."""
    return _FRENCH_WEEKDAYS[weekday] if language == "fr" else weekday


# (field, French text) pairs of one fact; a tuple so the frozen facts stay hashable.
FrenchTexts = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class OpeningHours:
    """Opening periods on one weekday; no periods means closed."""

    day: str  # lower-case weekday name, e.g. "monday"
    periods: tuple[tuple[time, time], ...] = ()

    @property
    def closed(self) -> bool:
        """Whether the location is closed all day."""
        return not self.periods

    def render(self, language: str = ENGLISH) -> str:
        """The hours as text, e.g. "8:00–18:00" or "closed" ("8 h à 18 h", "fermé")."""
        if self.closed:
            return _LABELS[language]["closed"]
        if language == FRENCH:
            spans = [
                f"{clock_time(start, FRENCH)} à {clock_time(end, FRENCH)}"
                for start, end in self.periods
            ]
            return spans[0] if len(spans) == 1 else ", ".join(spans[:-1]) + " et " + spans[-1]
        return ", ".join(f"{clock_time(start)}–{clock_time(end)}" for start, end in self.periods)


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
    hours_note: str = ""  # e.g. holidays, shown under the weekly hours
    french: FrenchTexts = ()  # French name, address, directions, hours note where given
    language: str = ENGLISH  # the language of its texts and labels

    def in_french(self) -> Location:
        """This location as French replies show it (English where no French is given)."""
        return replace(self, **_changes(self.french), language=FRENCH)

    def hours_on(self, day: str) -> OpeningHours:
        """Opening hours on weekday `day` (closed when not listed)."""
        for entry in self.hours:
            if entry.day == day:
                return entry
        return OpeningHours(day)

    def render(self) -> str:
        """A plain-text block: name, address, phone, map link and weekly hours."""
        labels = _LABELS[self.language]
        lines = [self.name, self.address, labels["phone"] + self.phone]
        if self.map_url:
            lines.append(labels["map"] + self.map_url)
        if self.directions:
            lines.append(labels["directions"] + self.directions)
        lines.append(labels["hours"])
        colon = " :" if self.language == FRENCH else ":"  # French sets a space before it
        lines.extend(f"  {label}{colon} {hours}" for label, hours in self._grouped_hours())
        if self.hours_note:
            lines.append(f"  {self.hours_note}")
        return "\n".join(lines)

    def _grouped_hours(self) -> list[tuple[str, str]]:
        """Consecutive weekdays with the same hours, e.g. ("Monday–Friday", "8:00–18:00")."""
        groups: list[tuple[str, str, str]] = []  # first day, last day, hours
        for day in WEEKDAYS:
            shown = self.hours_on(day).render(self.language)
            if groups and groups[-1][2] == shown:
                groups[-1] = (groups[-1][0], day, shown)
            else:
                groups.append((day, day, shown))
        return [(_days(first, last, self.language), shown) for first, last, shown in groups]


@dataclass(frozen=True)
class Price:
    """What one service costs (text, so a clinic can write "$120" or "from $90")."""

    service: str
    amount: str
    note: str = ""
    french: FrenchTexts = ()  # French service, amount, note where given or worded by the code
    language: str = ENGLISH

    def in_french(self) -> Price:
        """This price as French replies show it (English where no French is given)."""
        return replace(self, **_changes(self.french), language=FRENCH)

    def render(self) -> str:
        """One line, e.g. "Initial assessment: $120 (sample price)"."""
        note = f" ({self.note})" if self.note else ""
        colon = " :" if self.language == FRENCH else ":"
        return f"{self.service}{colon} {self.amount}{note}"


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
    french: FrenchTexts = ()  # French name and cancellation policy where given
    language: str = ENGLISH
    # Notes for `ims-bot content check`: each patient-facing text that has no French.
    french_gaps: tuple[Problem, ...] = ()

    def in_french(self) -> Clinic:
        """The clinic as French replies show it: French texts and labels, English where
        clinic.yaml gives no French (each such text is one of `french_gaps`)."""
        return replace(
            self,
            **_changes(self.french),
            locations=tuple(location.in_french() for location in self.locations),
            prices=tuple(price.in_french() for price in self.prices),
            language=FRENCH,
        )

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
            return _LABELS[self.language]["no_prices"].format(phone=self.phone)
        return "\n".join(f"- {price.render()}" for price in self.prices)


def _changes(french: FrenchTexts) -> dict[str, Any]:
    """`french` as keyword changes for `dataclasses.replace` (every field named is text)."""
    return dict(french)


def clock_time(moment: time | datetime, language: str = ENGLISH) -> str:
    """A time of day as patients read it everywhere (opening hours, reminders, the handoff):
    "7:30", "18:00"; the Canadian French way "7 h 30", "18 h"."""
    if language == FRENCH:
        return f"{moment.hour} h" + (f" {moment.minute:02d}" if moment.minute else "")
    return f"{moment.hour}:{moment.minute:02d}"


def _days(first: str, last: str, language: str) -> str:
    """A run of weekdays: "Monday–Thursday"; "Du lundi au jeudi", "Samedi et dimanche"."""
    if language != FRENCH:
        return first.title() if first == last else f"{first.title()}–{last.title()}"
    if first == last:
        return _FRENCH_WEEKDAYS[first].capitalize()
    if WEEKDAYS.index(last) == WEEKDAYS.index(first) + 1:
        return f"{_FRENCH_WEEKDAYS[first].capitalize()} et {_FRENCH_WEEKDAYS[last]}"
    return f"Du {_FRENCH_WEEKDAYS[first]} au {_FRENCH_WEEKDAYS[last]}"


def french_amount(amount: str) -> str | None:
    """A plain amount of dollars worded the Canadian French way ("$1,250.50" ->
    "1 250,50 $"); None when `amount` is not a plain amount."""
    found = MONEY_PATTERN.match(amount.strip())
    if found is None:
        return None
    dollars = re.sub(r"\D", "", found.group("lead") or found.group("trail"))
    cents = found.group("lead_cents") or found.group("trail_cents")
    grouped = f"{int(dollars):,}".replace(",", " ")
    return f"{grouped},{cents} $" if cents else f"{grouped} $"


class _Translated:
    """Reads the patient-facing texts of clinic.yaml, plain English or `{en:, fr:}`, and
    notes each one that has no French."""

    def __init__(self, log: ProblemLog) -> None:
        self._log = log
        self.gaps: list[Problem] = []

    def text(
        self,
        mapping: LocatedDict,
        key: str,
        what: str,
        french: list[tuple[str, str]],
        *,
        required: bool = True,
        worded: Callable[[str], str | None] | None = None,
    ) -> str | None:
        """The English text of `key`; its French (given, or `worded` from the English by
        the code) goes into `french`, and a missing French into the notes."""
        log, line, value = self._log, mapping.line_of(key), mapping.get(key)
        english: str | None
        given: str | None = None
        if isinstance(value, LocatedDict):
            where = f"'{key}' of {what}"
            log.unknown_keys(value, LANGUAGE_KEYS, where)
            before = len(log.problems)
            english = log.text(value, ENGLISH, where, required=False)
            given = log.text(value, FRENCH, where, required=False)
            if english is None and len(log.problems) == before:
                log.add(
                    value.line_of(ENGLISH),
                    f"{where} has no English text; write it under 'en' (English replies "
                    "show it, and French ones when there is no 'fr')",
                )
        else:
            english = log.text(mapping, key, what, required=required)
        if english is None:
            return None
        for written in (english, given):
            if written is not None and BRACES.search(written):
                # Patients would read "{clinic.phone}" as written: only FAQ answers are filled.
                log.add(
                    line,
                    f"'{key}' of {what} has a '{{' or '}}': clinic.yaml is shown as written, "
                    "so placeholders such as {clinic.phone} work only in FAQ answers; write "
                    "the fact itself here",
                )
                break
        worded_french = worded(english) if worded is not None else None
        if given is not None or worded_french is not None:
            french.append((key, given if given is not None else str(worded_french)))
        else:
            self.gaps.append(
                Problem(
                    log.file,
                    line,
                    f"note: '{key}' of {what} has no French, so French replies show the "
                    f"English; write it as {key}: {{en: ..., fr: ...}}",
                )
            )
        return english


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
            log.add(
                line,
                f"hours for {key} in {what} must be {HOURS_EXAMPLE}, not {raw!r}"
                + curly_quotes_hint(raw),
            )
            continue
        result.append(OpeningHours(day, periods))
    result.sort(key=lambda entry: WEEKDAYS.index(entry.day))
    return tuple(result)


def _read_location(log: ProblemLog, texts: _Translated, raw: object, line: int) -> Location | None:
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
    named = f"location '{location_id}'" if location_id else what
    french: list[tuple[str, str]] = []
    name = texts.text(location, "name", named, french)
    address = texts.text(location, "address", named, french)
    phone = log.phone(location, "phone", what)
    map_url = log.url(location, "map_url", what, required=False)
    directions = texts.text(location, "directions", named, french, required=False) or ""
    hours = _read_hours(log, location, what)
    hours_note = texts.text(location, "hours_note", named, french, required=False) or ""
    if None in (location_id, name, address, phone):
        return None
    assert location_id and name and address and phone  # narrowed for the type checker
    return Location(
        location_id,
        name,
        address,
        phone,
        map_url,
        hours,
        directions,
        hours_note=hours_note,
        french=tuple(french),
    )


def _read_locations(
    log: ProblemLog, texts: _Translated, clinic: LocatedDict
) -> tuple[Location, ...]:
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
        location = _read_location(log, texts, raw, line)
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


def _read_prices(log: ProblemLog, texts: _Translated, clinic: LocatedDict) -> tuple[Price, ...]:
    items = log.optional_sequence(clinic, "prices")
    result: list[Price] = []
    for index, raw in enumerate(items):
        line = items.line_of(index)
        what = f"the price at line {line}"
        entry = log.mapping(raw, line, "each price")
        if entry is None:
            continue
        log.unknown_keys(entry, PRICE_KEYS, "a price")
        french: list[tuple[str, str]] = []
        service = texts.text(entry, "service", what, french)
        amount = texts.text(entry, "amount", what, french, worded=french_amount)
        note = texts.text(entry, "note", what, french, required=False) or ""
        if service is not None and amount is not None:
            result.append(Price(service, amount, note, french=tuple(french)))
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
    elif number not in CANADIAN_EMERGENCY_NUMBERS:
        log.add(
            clinic.line_of("emergency_number"),
            f"'emergency_number' is {number!r}, which is not an emergency number in Canada; "
            "every emergency reply tells patients to dial it: write 911 (or leave the line "
            "out, 911 is the default)",
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
    texts = _Translated(log)
    french: list[tuple[str, str]] = []
    name = texts.text(clinic, "name", what, french)
    phone = log.phone(clinic, "phone", what)
    email = log.email(clinic, "email", what)
    website = log.url(clinic, "website", what)
    booking_url = log.url(clinic, "booking_url", what)
    late_hours = log.integer(
        clinic, "late_cancellation_hours", what, low=0, high=MAX_LATE_CANCELLATION_HOURS
    )
    policy = texts.text(clinic, "cancellation_policy", what, french)
    emergency_number = _read_emergency_number(log, clinic)
    prices = _read_prices(log, texts, clinic)
    locations = _read_locations(log, texts, clinic)
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
            french=tuple(french),
            french_gaps=tuple(sorted(texts.gaps)),
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
