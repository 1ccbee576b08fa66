"""The one toolkit every content file is read with: field readers that collect problems.

Loaders never stop at the first mistake: a clinic fixing its files wants the whole list
at once, so each reader returns None for a bad value and records why. A field that
several files share (`reviewed:` above all) has one reader here, so it follows one rule
and reads the same in every file.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml

from bot.content.model import Review
from bot.content.problems import ContentError, Problem, display_path
from bot.content.yaml_source import (
    CURLY_QUOTES,
    CURLY_QUOTES_HINT,
    LocatedDict,
    LocatedList,
    holding,
    load_located_yaml,
)

SIMILAR_KEY_CUTOFF = 0.6  # how alike a typo must be to a known key to suggest it
URL_SCHEMES = ("http", "https")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
PHONE_PATTERN = re.compile(
    r"^\+?\(?[0-9][0-9 ().\-]*[0-9](\s*(ext\.?|x)\s*[0-9]+)?$", re.IGNORECASE
)
PHONE_EXTENSION = re.compile(r"\s*(ext\.?|x)\s*[0-9]+$", re.IGNORECASE)
MIN_PHONE_DIGITS = 7
REVIEW_KEYS = ("by", "on")
REVIEW_DATE_EXAMPLE = "2026-11-15"
ISO_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")  # written as a date, not a real one


def read_yaml_with_problems(path: Path) -> tuple[Any, list[Problem]]:
    """Parsed YAML from `path`, or None and the problems; never raises for bad content."""
    try:
        return load_located_yaml(path), []
    except ContentError as exc:
        return None, exc.problems
    except yaml.reader.ReaderError as exc:
        # Control characters (often invisible, pasted from a word processor).
        text = path.read_text(encoding="utf-8", errors="replace")
        line = text[: exc.position].count("\n") + 1
        message = (
            f"invisible or control character U+{exc.character:04X} is not allowed; "
            "delete it (retyping the line removes it)"
        )
        return None, [Problem(display_path(path), line, message)]
    except yaml.YAMLError as exc:
        return None, [Problem(display_path(path), 0, f"YAML could not be read: {exc}")]


# "{clinic.phone}", "{name}": a placeholder as FAQ answers write them.
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_.]*\}")


def placeholders_shown_as_written(data: object, file: str) -> list[Problem]:
    """A problem for every placeholder in a file patients read as written (the intake
    flow, the appointment types): only FAQ answers are filled with clinic facts, so a
    patient would read "{clinic.phone}" itself."""
    problems: list[Problem] = []

    def walk(value: object, line: int, key: str | None, parent: LocatedDict | None) -> None:
        where = f"'{key}'" if key is not None else "a text"
        if isinstance(value, str):
            for found in dict.fromkeys(PLACEHOLDER.findall(value)):
                if parent is not None and key is not None:
                    # The line it is on, inside a text written over several lines.
                    line = parent.line_within(key, holding(found))
                problems.append(
                    Problem(
                        file,
                        line,
                        f"{where} has the placeholder '{found}': this file is shown to "
                        "patients as written (placeholders work only in FAQ answers); write "
                        "the fact itself",
                    )
                )
        elif isinstance(value, LocatedDict):
            for name, item in value.items():
                walk(item, value.line_of(name), name, value)
        elif isinstance(value, LocatedList):
            for index, item in enumerate(value):
                walk(item, value.line_of(index), key, None)

    walk(data, 1, None, None)
    return problems


def describe(value: object) -> str:
    """How a YAML value reads to a clinic ("a list", "a number", ...)."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "yes/no (true/false)"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of 'key: value' lines"
    if isinstance(value, date):
        return "a date"
    return type(value).__name__


def not_text_problem(value: object, item: str, what: str) -> str:
    """Why a list item is not usable text; an unquoted colon and space ("- is it safe:
    really") makes YAML read the item as 'key: value', so say to put it in quotes."""
    if isinstance(value, dict) and len(value) == 1:
        [(key, after)] = value.items()
        if isinstance(key, str) and isinstance(after, str | int | float | None):
            meant = f"{key}: {after}" if after is not None else f"{key}:"
            return (
                f"the {item} {meant!r} of {what} reads as 'key: value' because of its colon; "
                f'put the text in quotes: - "{meant}"'
            )
    return f"each {item} of {what} must be non-empty text, not {value!r}"


def curly_quotes_hint(value: object) -> str:
    """For a value that failed its format: when curly quotes (“ ” ‘ ’) are why, a sentence
    saying so (starting "; "), else ''. A phone keyboard or a word processor types them for
    " and ', and YAML keeps them as part of the text."""
    if isinstance(value, str) and any(quote in value for quote in CURLY_QUOTES):
        return "; " + CURLY_QUOTES_HINT[1:-1].replace(" around the text", " or none")
    return ""


def _written(value: object) -> str:
    """How a value that is not the whole number or the number asked for was written: the
    text itself, quoted, or what kind of value it is."""
    if isinstance(value, str):
        return repr(value.strip())
    if isinstance(value, float):
        return f"{value:g}"
    return describe(value)


def _has_curly_quotes(mapping: LocatedDict) -> bool:
    """Whether a key or a text of `mapping` holds a curly quote (“ ” ‘ ’)."""
    texts = [*mapping, *(value for value in mapping.values() if isinstance(value, str))]
    return any(quote in text for text in texts for quote in CURLY_QUOTES)


def closest(word: str, choices: Collection[str]) -> str | None:
    """The choice that `word` was most likely meant to be, if any is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=SIMILAR_KEY_CUTOFF)
    return matches[0] if matches else None


def did_you_mean(word: str, choices: Collection[str]) -> str:
    """A " — did you mean 'x'?" hint, or an empty string."""
    guess = closest(word, choices)
    return f" — did you mean '{guess}'?" if guess else ""


def locate(data: object) -> Any:
    """`data` with plain dicts and lists turned into line-less Located* containers.

    A stored copy of a file (JSON, e.g. the intake flow an intake started on) is read by
    the same readers as the YAML file; its problems report line 0.
    """
    if isinstance(data, LocatedDict | LocatedList):
        return data
    if isinstance(data, dict):
        mapping = LocatedDict((str(key), locate(value)) for key, value in data.items())
        mapping.line, mapping.key_lines = 0, {}
        return mapping
    if isinstance(data, list):
        items = LocatedList(locate(value) for value in data)
        items.line, items.item_lines = 0, []
        return items
    return data


def _as_date(value: object) -> date | None:
    """A YAML date, or a date written as quoted ISO text; None for anything else."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


@dataclass
class ProblemLog:
    """Problems found in one file, plus typed readers that record what is wrong."""

    file: str
    problems: list[Problem] = field(default_factory=list)
    # The day review dates are checked against (tests pin it).
    today: date = field(default_factory=date.today)
    # (mapping, known key) pairs where an unknown key was reported as a likely typo of
    # the known one: that key's absence is the typo's effect, not a second problem.
    _misspelt: set[tuple[int, str]] = field(default_factory=set)

    def missing(self, mapping: LocatedDict, key: str, message: str) -> None:
        """Report that `key` is missing from `mapping`, unless a misspelling of it was
        reported already (the clinic then reads the cause first, and only once)."""
        if not self.misspelt(mapping, key):
            self.add(mapping.line, message)

    def misspelt(self, mapping: LocatedDict, key: str) -> bool:
        """Whether an unknown key in `mapping` was reported as a likely typo of `key`."""
        return (id(mapping), key) in self._misspelt

    def add(self, line: int, message: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(self.file, line, message))

    def mapping(self, value: object, line: int, what: str) -> LocatedDict | None:
        """`value` if it is a mapping, else None and a problem."""
        if isinstance(value, LocatedDict):
            return value
        if value is None:  # an empty file, one of comments only, or a key with nothing after
            self.add(line, f"{what} is empty: it must hold 'key: value' lines")
            return None
        self.add(line, f"{what} must be a mapping of 'key: value' lines, not {describe(value)}")
        return None

    def sequence(self, value: object, line: int, what: str) -> LocatedList | None:
        """`value` if it is a list, else None and a problem."""
        if isinstance(value, LocatedList):
            return value
        self.add(line, f"{what} must be a list ('- ' items), not {describe(value)}")
        return None

    def optional_sequence(self, mapping: LocatedDict, key: str) -> LocatedList:
        """The list under `key`; empty when absent or blank, or (recorded) not a list."""
        value = mapping.get(key)
        if value is not None:
            found = self.sequence(value, mapping.line_of(key), f"'{key}'")
            if found is not None:
                return found
        empty = LocatedList()
        empty.line, empty.item_lines = mapping.line_of(key), []
        return empty

    def unknown_keys(self, mapping: LocatedDict, allowed: Collection[str], what: str) -> None:
        """Report keys that are not in `allowed`, suggesting the likely intended one."""
        for key in mapping:
            if key not in allowed:
                known = ", ".join(sorted(allowed))
                guess = closest(key, allowed)
                hint = f" — did you mean '{guess}'?" if guess else f" (known keys: {known})"
                if guess is None and mapping[key] is None and not key.isidentifier():
                    # `{label: Yes, the patient}`: the comma ended the label, and the rest
                    # became a key with no value.
                    hint = (
                        " — it looks like the end of a text cut at a comma: put quotes "
                        'around the whole text (label: "Yes, the patient")'
                    )
                    if _has_curly_quotes(mapping):
                        hint = f" — the text was cut at a comma: {CURLY_QUOTES_HINT[1:-1]}"
                self.add(mapping.line_of(key), f"unknown key '{key}' in {what}{hint}")
                if guess is not None and guess not in mapping:
                    self._misspelt.add((id(mapping), guess))

    def text(
        self, mapping: LocatedDict, key: str, what: str, *, required: bool = True
    ) -> str | None:
        """A non-empty text field, stripped; numbers are accepted as their digits. A key
        written with nothing after it (`hint:`) reads as empty text."""
        if key not in mapping:
            if required:
                self.missing(mapping, key, f"{what} is missing '{key}'")
            return None
        value = mapping[key]
        line = mapping.line_of(key)
        if value is None:
            value = ""
        elif isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.add(line, f"'{key}' in {what} must be text, not {describe(value)}")
            return None
        if not value.strip():
            if required:
                self.add(line, f"'{key}' in {what} is empty; write the {key}")
            return None
        return value.strip()

    def url(
        self, mapping: LocatedDict, key: str, what: str, *, required: bool = True
    ) -> str | None:
        """A text field that must be a full web address."""
        value = self.text(mapping, key, what, required=required)
        if value is None:
            return None
        parts = urlparse(value)
        if parts.scheme not in URL_SCHEMES or "." not in parts.netloc or " " in value:
            self.add(
                mapping.line_of(key),
                f"'{key}' in {what} is not a web address: {value!r}; "
                "write it in full, e.g. https://www.example.org/book" + curly_quotes_hint(value),
            )
            return None
        return value

    def email(self, mapping: LocatedDict, key: str, what: str) -> str | None:
        """A text field that must be an e-mail address."""
        value = self.text(mapping, key, what)
        if value is not None and not EMAIL_PATTERN.match(value):
            self.add(
                mapping.line_of(key),
                f"'{key}' in {what} is not an e-mail address: {value!r}{curly_quotes_hint(value)}",
            )
            return None
        return value

    def phone(self, mapping: LocatedDict, key: str, what: str) -> str | None:
        """A text field that must look like a telephone number."""
        value = self.text(mapping, key, what)
        if value is None:
            return None
        digits = sum(ch.isdigit() for ch in value)
        if not PHONE_PATTERN.match(value) or digits < MIN_PHONE_DIGITS:
            self.add(
                mapping.line_of(key),
                f"'{key}' in {what} does not look like a phone number: {value!r}; "
                "use digits, spaces, dashes or brackets, e.g. 555-0100 or +1 613 555 0100"
                + curly_quotes_hint(value),
            )
            return None
        wrong_length = _phone_length_problem(value)
        if wrong_length is not None:
            self.add(mapping.line_of(key), f"'{key}' in {what} {wrong_length}")
            return None
        return value

    def integer(
        self, mapping: LocatedDict, key: str, what: str, *, low: int, high: int
    ) -> int | None:
        """A required whole number between `low` and `high`."""
        if key not in mapping:
            self.missing(mapping, key, f"{what} is missing '{key}'")
            return None
        value: Any = mapping[key]
        line = mapping.line_of(key)
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(
                line,
                f"'{key}' in {what} must be a whole number, in digits alone, not "
                f"{_written(value)}{curly_quotes_hint(value)}",
            )
            return None
        if not low <= value <= high:
            self.add(line, f"'{key}' in {what} must be between {low} and {high}, not {value}")
            return None
        return value

    def fraction(self, mapping: LocatedDict, key: str, what: str) -> float | None:
        """An optional number between 0 and 1."""
        if key not in mapping:
            return None
        value: Any = mapping[key]
        line = mapping.line_of(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(
                line,
                f"'{key}' in {what} must be a number from 0 to 1, not {_written(value)}"
                + curly_quotes_hint(value),
            )
            return None
        if not 0.0 <= value <= 1.0:
            self.add(line, f"'{key}' in {what} must be between 0 and 1, not {value}")
            return None
        return float(value)

    def boolean(self, mapping: LocatedDict, key: str, what: str, *, default: bool) -> bool:
        """An optional yes/no field (`default` when absent)."""
        value = mapping.get(key, default)
        if isinstance(value, bool):
            return value
        self.add(
            mapping.line_of(key), f"'{key}' in {what} must be true or false, not {describe(value)}"
        )
        return default

    def number(self, mapping: LocatedDict, key: str, what: str) -> float | None:
        """An optional number (None when absent or, recorded, not a number)."""
        value = mapping.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(
                mapping.line_of(key),
                f"'{key}' in {what} must be a number, not {_written(value)}"
                + curly_quotes_hint(value),
            )
            return None
        return float(value)

    def review(self, mapping: LocatedDict, what: str | None = None) -> Review | None:
        """The `reviewed:` field, the same in every file: required, who checked the content
        (`by`) and when (`on`, a date not in the future). `what` is None for a file's own
        review."""
        owner = f" of {what}" if what else ""
        if "reviewed" not in mapping or mapping["reviewed"] is None:
            subject = what or "the file"
            self.missing(
                mapping,
                "reviewed",
                f"{subject} is missing 'reviewed' (by: who checked it, on: YYYY-MM-DD); "
                "a clinician must check clinical content before patients see it",
            )
            return None
        review = self.mapping(
            mapping["reviewed"], mapping.line_of("reviewed"), f"'reviewed'{owner}"
        )
        if review is None:
            return None
        self.unknown_keys(review, REVIEW_KEYS, f"'reviewed'{owner}")
        by = self.text(review, "by", f"'reviewed'{owner}")
        if "on" not in review:
            self.missing(review, "on", f"'reviewed'{owner} is missing 'on' (the date, YYYY-MM-DD)")
            return None
        when = _as_date(review["on"])
        line = review.line_of("on")  # the date's own line from here on
        if when is None:
            written = review["on"]
            if isinstance(written, str) and ISO_DATE_SHAPE.fullmatch(written.strip()):
                self.add(
                    line,
                    f"'on' in 'reviewed'{owner} is {written.strip()!r}, which is not a day of "
                    f"the calendar (YYYY-MM-DD: month 01-12, a day the month has)",
                )
            else:
                self.add(
                    line,
                    f"'on' in 'reviewed'{owner} must be a date written year-month-day, such as "
                    f"{REVIEW_DATE_EXAMPLE}, not {_written(written)}{curly_quotes_hint(written)}",
                )
            return None
        if when > self.today:
            self.add(
                line,
                f"review date {when.isoformat()}{owner} is in the future; "
                "write the day the clinician checked it",
            )
            return None
        return Review(by, when) if by is not None else None


def _phone_length_problem(value: str) -> str | None:
    """Why a phone number has a digit too many or too few, or None. Patients dial what the
    bot shows: a North American number has 10 digits (7 dialled locally, 11 with the 1 in
    front); other countries' numbers are written with their +code, 8 to 15 digits."""
    number = "".join(ch for ch in PHONE_EXTENSION.sub("", value) if ch.isdigit())
    if value.startswith("+"):
        if number.startswith("1") and len(number) != 11:
            return (
                f"has {len(number) - 1} digits after +1: {value!r}; a North American number has 10"
            )
        if not 8 <= len(number) <= 15:
            return f"has {len(number)} digits: {value!r}; an international number has 8 to 15"
        return None
    if len(number) in (7, 10) or (len(number) == 11 and number.startswith("1")):
        return None
    return (
        f"has {len(number)} digits: {value!r}; a Canadian number has 10 (e.g. 613-555-0100), "
        "or 7 dialled locally: check for a digit missing or typed twice"
    )
