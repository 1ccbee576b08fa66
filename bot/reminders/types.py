"""Appointment types from `content/appointment_types.yaml`, and their checker."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from pathlib import Path

from bot.content.problems import ContentError, Problem, display_path
from bot.content.schema import ProblemLog, placeholders_shown_as_written, read_yaml_with_problems
from bot.content.yaml_source import LocatedDict, LocatedList

APPOINTMENT_TYPES_FILE = "appointment_types.yaml"
DEFAULT_OFFSETS_HOURS = (48, 2)
DEFAULT_QUIET_START = time(21, 0)
DEFAULT_QUIET_END = time(8, 0)
MAX_OFFSET_HOURS = 24 * 30
MAX_DURATION_MINUTES = 8 * 60
TYPE_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
CLOCK_PATTERN = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
TYPE_KEYS = frozenset(
    {"label", "duration_minutes", "reminders_before_hours", "preparation", "next_day_check_in"}
)
TOP_KEYS = frozenset({"quiet_hours", "types"})
LANGUAGE_KEYS = ("en", "fr")
TRANSLATED_KEYS = ("label", "preparation")  # what a patient reads: plain or {en:, fr:}


@dataclass(frozen=True)
class QuietHours:
    """The nightly period (clinic time) when no reminder is sent; `start` is the evening."""

    start: time = DEFAULT_QUIET_START
    end: time = DEFAULT_QUIET_END


@dataclass(frozen=True)
class AppointmentType:
    """What a kind of appointment is called and how its reminders go out."""

    id: str
    label: str
    duration: timedelta
    offsets: tuple[timedelta, ...]  # before the start, longest first
    preparation: str
    next_day_check_in: bool
    french_label: str | None = None
    french_preparation: str | None = None

    def label_in(self, language: str | None) -> str:
        """What a reader of `language` calls this type (English without a French one)."""
        return self.french_label or self.label if language == "fr" else self.label

    def preparation_in(self, language: str | None) -> str:
        """The preparation notes in `language` (English without a French version)."""
        if language == "fr" and self.french_preparation:
            return self.french_preparation
        return self.preparation


@dataclass(frozen=True)
class AppointmentTypes:
    """Every appointment type plus the quiet hours."""

    types: dict[str, AppointmentType]
    quiet_hours: QuietHours

    def get(self, type_id: str) -> AppointmentType | None:
        """The type with `type_id`, if any."""
        return self.types.get(type_id)

    def find(self, text: str) -> AppointmentType | None:
        """The type `text` names by its id or its label (case and spacing ignored)."""
        wanted = " ".join(text.split()).casefold()
        for kind in self.types.values():
            if wanted in (kind.id.casefold(), " ".join(kind.label.split()).casefold()):
                return kind
        return None


def _clock(log: ProblemLog, mapping: LocatedDict, key: str, default: time) -> time:
    raw = mapping.get(key)
    if raw is None:
        return default
    # YAML 1.1 reads an unquoted 21:00 as the number 1260 (sexagesimal minutes).
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = f"{raw // 60}:{raw % 60:02d}"
    match = CLOCK_PATTERN.match(str(raw).strip())
    if match is None:
        log.add(mapping.line_of(key), f"quiet_hours '{key}' must be a clock time like \"21:00\"")
        return default
    return time(int(match.group(1)), int(match.group(2)))


def _quiet_hours(log: ProblemLog, raw: object, line: int) -> QuietHours:
    if raw is None:
        return QuietHours()
    mapping = log.mapping(raw, line, "quiet_hours")
    if mapping is None:
        return QuietHours()
    log.unknown_keys(mapping, {"start", "end"}, "quiet_hours")
    quiet = QuietHours(
        _clock(log, mapping, "start", DEFAULT_QUIET_START),
        _clock(log, mapping, "end", DEFAULT_QUIET_END),
    )
    if quiet.start == quiet.end:
        log.add(mapping.line, "quiet_hours start and end are the same; give a real period")
    return quiet


def _offsets(log: ProblemLog, mapping: LocatedDict, what: str) -> tuple[timedelta, ...]:
    key = "reminders_before_hours"
    if key not in mapping:
        return tuple(timedelta(hours=h) for h in DEFAULT_OFFSETS_HOURS)
    items = log.sequence(mapping[key], mapping.line_of(key), f"'{key}' in {what}")
    if items is None:
        return ()
    hours: list[float] = []
    for index, value in enumerate(items):
        line = items.line_of(index) if isinstance(items, LocatedList) else mapping.line_of(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            log.add(line, f"'{key}' in {what}: {value!r} is not a number of hours")
        elif not 0 < value <= MAX_OFFSET_HOURS:
            log.add(line, f"'{key}' in {what}: {value} must be between 0 and {MAX_OFFSET_HOURS}")
        elif value in hours:
            log.add(line, f"'{key}' in {what}: {value} hours is listed twice")
        else:
            hours.append(float(value))
    return tuple(timedelta(hours=h) for h in sorted(hours, reverse=True))


def _one_type(log: ProblemLog, type_id: str, raw: object, line: int) -> AppointmentType | None:
    what = f"appointment type '{type_id}'"
    if not TYPE_ID_PATTERN.match(type_id):
        log.add(line, f"{what}: ids use lower-case letters, digits and _ (e.g. ims_treatment)")
    mapping = log.mapping(raw, line, what)
    if mapping is None:
        return None
    log.unknown_keys(mapping, TYPE_KEYS, what)
    label, french_label = _translated(log, mapping, "label", what, required=True)
    duration = log.integer(mapping, "duration_minutes", what, low=5, high=MAX_DURATION_MINUTES)
    offsets = _offsets(log, mapping, what)
    preparation, french_preparation = _translated(log, mapping, "preparation", what)
    check_in = mapping.get("next_day_check_in", False)
    if not isinstance(check_in, bool):
        log.add(
            mapping.line_of("next_day_check_in"), f"'next_day_check_in' in {what}: use true/false"
        )
        check_in = False
    if label is None or duration is None:
        return None
    return AppointmentType(
        type_id,
        label,
        timedelta(minutes=duration),
        offsets,
        " ".join((preparation or "").split()),
        check_in,
        french_label,
        " ".join(french_preparation.split()) if french_preparation else None,
    )


def _translated(
    log: ProblemLog, mapping: LocatedDict, key: str, what: str, *, required: bool = False
) -> tuple[str | None, str | None]:
    """A patient-facing text, plain English or `{en: ..., fr: ...}`: (English, French)."""
    value = mapping.get(key)
    if not isinstance(value, LocatedDict):
        return log.text(mapping, key, what, required=required), None
    where = f"'{key}' of {what}"
    log.unknown_keys(value, LANGUAGE_KEYS, where)
    english = log.text(value, "en", where, required=True)
    return english, log.text(value, "fr", where, required=False)


def _french_gaps(
    log: ProblemLog, types_raw: LocatedDict, types: dict[str, AppointmentType]
) -> None:
    """Once any type gives French, every label and preparation needs it: a French patient
    would otherwise read one type in English beside the others in French."""
    if not any(t.french_label or t.french_preparation for t in types.values()):
        return
    for type_id, kind in types.items():
        given = {"label": kind.french_label, "preparation": kind.french_preparation}
        raw = types_raw.get(type_id)
        for key in TRANSLATED_KEYS:
            if given[key] or (key == "preparation" and not kind.preparation):
                continue
            text = raw.get(key) if isinstance(raw, LocatedDict) else None
            if isinstance(text, LocatedDict) and log.misspelt(text, "fr"):
                continue  # the misspelt 'fr' key was reported: it is the cause, said once
            line = raw.line_of(key) if isinstance(raw, LocatedDict) else types_raw.line_of(type_id)
            log.add(
                line,
                f"'{key}' of appointment type '{type_id}' has no French, while other types "
                f"give one; write it as {key}: {{en: ..., fr: ...}}",
            )


def parse_appointment_types(path: Path) -> tuple[AppointmentTypes | None, list[Problem]]:
    """Read `path`; the types (None when unusable) and every problem found."""
    log = ProblemLog(display_path(path))
    raw, problems = read_yaml_with_problems(path)
    if problems:
        return None, problems
    root = log.mapping(raw, getattr(raw, "line", 1), "the appointment types file")
    if root is None:
        return None, log.problems
    log.unknown_keys(root, TOP_KEYS, "the appointment types file")
    quiet = _quiet_hours(log, root.get("quiet_hours"), root.line_of("quiet_hours"))
    types_raw = log.mapping(root.get("types"), root.line_of("types"), "'types'")
    types: dict[str, AppointmentType] = {}
    if types_raw is not None:
        for type_id, value in types_raw.items():
            parsed = _one_type(log, type_id, value, types_raw.line_of(type_id))
            if parsed is not None:
                types[type_id] = parsed
        if not types_raw:
            log.add(types_raw.line, "'types' lists no appointment types; add at least one")
        _french_gaps(log, types_raw, types)
    shown = placeholders_shown_as_written(raw, display_path(path))
    return (None if shown else AppointmentTypes(types, quiet)), [*log.problems, *shown]


def check_appointment_types(content_dir: Path) -> list[Problem]:
    """Content checker: every problem in the appointment types file."""
    _, problems = parse_appointment_types(content_dir / APPOINTMENT_TYPES_FILE)
    return problems


def load_appointment_types(content_dir: Path) -> AppointmentTypes:
    """The appointment types, or ContentError listing every problem."""
    types, problems = parse_appointment_types(content_dir / APPOINTMENT_TYPES_FILE)
    if problems or types is None:
        raise ContentError(problems)
    return types
