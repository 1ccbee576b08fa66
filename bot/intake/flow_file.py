"""Reading and checking `intake_flow.yaml`: every problem as `file:line: what to fix`.

The same parser reads a stored copy of a flow (plain JSON, no line numbers), so an
intake that started on an older version of the file keeps running on that version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bot.content.model import Review
from bot.content.problems import ContentError, Problem, display_path
from bot.content.yaml_source import load_located_yaml
from bot.intake.flow import (
    Band,
    Condition,
    ConditionOp,
    Flag,
    FlagLevel,
    FlagRule,
    Flow,
    Option,
    Score,
    Step,
    StepType,
)
from bot.intake.step_types import KINDS

FLOW_FILE_NAME = "intake_flow.yaml"
SECTIONS = (
    "consent",
    "treatment_consent",
    "about",
    "complaint",
    "pain_map",
    "intensity",
    "qualities_signs",
    "red_flags",
    "needling_safety",
    "mood",
    "history",
    "goals",
    "other",
)
DEFAULT_TEXT_LIMIT = 500
SCALE_MIN, SCALE_MAX = 0, 10

_FLOW_KEYS = {
    "id", "version", "title", "url", "completion_message", "steps", "flags", "scores", "rules",
}  # fmt: skip
_COMMON_STEP_KEYS = {"id", "type", "text", "section", "required", "when", "hint", "label"}
_OPTION_KEYS = {"id", "label", "flag", "weight", "exclusive", "paired", "aliases", "within_days"}
_FLAG_KEYS = {"id", "level", "label", "message", "reviewed"}
_SCORE_KEYS = {"id", "title", "steps", "bands"}
_BAND_KEYS = {"from", "to", "label", "flag"}
_RULE_KEYS = {"flag", "when"}


def _line(container: object, key: str | int | None = None) -> int:
    """Line of `key` in a located container (0 for stored, line-less definitions)."""
    if key is not None and hasattr(container, "line_of"):
        return int(container.line_of(key))
    return int(getattr(container, "line", 0))


@dataclass
class _Reader:
    """Collects problems while building the flow."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.file, line, message))

    def unknown_keys(self, data: Mapping[str, Any], allowed: set[str], what: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem(
                    _line(data, key),
                    f"unknown key {key!r} in {what}; allowed: {', '.join(sorted(allowed))}",
                )

    def text(self, data: Mapping[str, Any], key: str, what: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.problem(_line(data), f"{what} needs a {key!r}")
            return ""
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(_line(data, key), f"{what}: {key!r} must be text")
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(_line(data, key), f"{what}: {key!r} is empty")
        return text

    def mapping(self, value: object, line: int, what: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.problem(line, f"{what} must be a mapping (key: value lines)")
        return None

    def sequence(self, value: object, line: int, what: str) -> list[Any]:
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.problem(line, f"{what} must be a list (lines starting with '-')")
        return []

    def entries(
        self, raw: object, line: int, what: str, allowed: set[str]
    ) -> Iterator[Mapping[str, Any]]:
        """The mappings of a list such as `flags:`, each checked for unknown keys."""
        items = self.sequence(raw, line, what)
        for index, item in enumerate(items):
            data = self.mapping(item, _line(items, index), f"each entry of {what}")
            if data is not None:
                self.unknown_keys(data, allowed, f"an entry of {what}")
                yield data

    def number(self, data: Mapping[str, Any], key: str, what: str) -> float | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.problem(_line(data, key), f"{what}: {key!r} must be a number")
            return None
        return float(value)

    def boolean(self, data: Mapping[str, Any], key: str, what: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.problem(_line(data, key), f"{what}: {key!r} must be true or false")
            return default
        return value


def _read_review(reader: _Reader, data: Mapping[str, Any], what: str) -> Review | None:
    raw = data.get("reviewed")
    if raw is None:
        return None
    review = reader.mapping(raw, _line(data, "reviewed"), f"{what}: reviewed")
    if review is None:
        return None
    by = reader.text(review, "by", f"{what}: reviewed")
    on_raw = review.get("on")
    if isinstance(on_raw, date):
        on = on_raw
    else:
        try:
            on = date.fromisoformat(str(on_raw))
        except ValueError:
            reader.problem(_line(review, "on"), f"{what}: reviewed 'on' must be a date YYYY-MM-DD")
            return None
    return Review(by=by, on=on)


def _read_flags(reader: _Reader, raw: object, line: int) -> dict[str, Flag]:
    flags: dict[str, Flag] = {}
    for data in reader.entries(raw, line, "flags", _FLAG_KEYS):
        flag_id = reader.text(data, "id", "a flag")
        what = f"flag {flag_id!r}"
        level_raw = reader.text(data, "level", what)
        try:
            level = FlagLevel(level_raw)
        except ValueError:
            levels = ", ".join(FlagLevel)
            reader.problem(_line(data, "level"), f"{what}: level must be one of {levels}")
            level = FlagLevel.URGENT
        message = reader.text(data, "message", what)
        if flag_id in flags:
            reader.problem(_line(data, "id"), f"duplicate flag id {flag_id!r}")
            continue
        flags[flag_id] = Flag(
            id=flag_id,
            level=level,
            message=message,
            label=reader.text(data, "label", what, required=False) or flag_id,
            reviewed=_read_review(reader, data, what),
        )
        if data.get("reviewed") is None:
            reader.problem(_line(data), f"{what}: add 'reviewed: {{by: ..., on: YYYY-MM-DD}}'")
    return flags


def _read_options(reader: _Reader, data: Mapping[str, Any], what: str) -> tuple[Option, ...]:
    items = reader.sequence(data.get("options"), _line(data, "options"), f"{what}: options")
    options: list[Option] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        raw = reader.mapping(item, _line(items, index), f"{what}: each option")
        if raw is None:
            continue
        reader.unknown_keys(raw, _OPTION_KEYS, f"{what}: an option")
        option_id = reader.text(raw, "id", f"{what}: an option")
        if option_id in seen:
            reader.problem(_line(raw, "id"), f"{what}: duplicate option id {option_id!r}")
        seen.add(option_id)
        aliases = reader.sequence(raw.get("aliases"), _line(raw, "aliases"), "aliases")
        within = reader.number(raw, "within_days", f"{what}: option {option_id!r}")
        if within is not None and (within < 1 or within != int(within)):
            reader.problem(
                _line(raw, "within_days"), f"{what}: within_days must be a whole number > 0"
            )
            within = None
        options.append(
            Option(
                id=option_id,
                label=reader.text(raw, "label", f"{what}: option {option_id!r}"),
                flag=reader.text(raw, "flag", what, required=False) or None,
                weight=reader.number(raw, "weight", f"{what}: option {option_id!r}"),
                exclusive=reader.boolean(raw, "exclusive", what, False),
                paired=reader.boolean(raw, "paired", what, False),
                aliases=tuple(str(alias) for alias in aliases),
                within_days=int(within) if within is not None else None,
            )
        )
    return tuple(options)


def _read_when(reader: _Reader, data: Mapping[str, Any], what: str) -> tuple[Condition, ...]:
    raw = data.get("when")
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    conditions: list[Condition] = []
    for index, item in enumerate(items):
        line = _line(raw, index) if isinstance(raw, list) else _line(data, "when")
        cond = reader.mapping(item, line, f"{what}: when")
        if cond is None:
            continue
        ops = [key for key in cond if key != "step"]
        reader.unknown_keys(cond, {"step", *ConditionOp}, f"{what}: when")
        target = reader.text(cond, "step", f"{what}: when")
        known = [op for op in ops if op in set(ConditionOp)]
        if len(known) != 1:
            reader.problem(
                _line(cond),
                f"{what}: each 'when' needs 'step' and exactly one of {', '.join(ConditionOp)}",
            )
            continue
        conditions.append(Condition(target, ConditionOp(known[0]), cond[known[0]], _line(cond)))
    return tuple(conditions)


def _read_step(reader: _Reader, data: Mapping[str, Any]) -> Step | None:
    step_id = reader.text(data, "id", "a step")
    what = f"step {step_id!r}"
    type_raw = reader.text(data, "type", what)
    try:
        step_type = StepType(type_raw)
    except ValueError:
        if type_raw:
            reader.problem(
                _line(data, "type"),
                f"{what}: unknown type {type_raw!r}; use one of {', '.join(StepType)}",
            )
        return None
    kind = KINDS[step_type]
    reader.unknown_keys(data, _COMMON_STEP_KEYS | kind.keys, f"{what} ({type_raw})")
    section = reader.text(data, "section", what, required=False) or "other"
    if section not in SECTIONS:
        reader.problem(_line(data, "section"), f"{what}: section must be one of {SECTIONS}")
    options = _read_options(reader, data, what) if kind.has_options else ()
    if kind.has_options and not options:
        reader.problem(_line(data), f"{what}: a {type_raw} step needs at least one option")
    minimum = reader.number(data, "min", what)
    maximum = reader.number(data, "max", what)
    if step_type is StepType.NUMBER and (minimum is None or maximum is None or minimum >= maximum):
        reader.problem(_line(data), f"{what}: a number step needs 'min' lower than 'max'")
    max_length = reader.number(data, "max_length", what)
    if max_length is not None and (max_length < 1 or max_length != int(max_length)):
        reader.problem(_line(data, "max_length"), f"{what}: max_length must be a whole number > 0")
        max_length = None
    consents = (StepType.CONSENT, StepType.TREATMENT_CONSENT)
    version = reader.text(data, "version", what, required=step_type in consents)
    return Step(
        id=step_id,
        type=step_type,
        text=reader.text(data, "text", what),
        section=section,
        required=reader.boolean(data, "required", what, True),
        options=options,
        when=_read_when(reader, data, what),
        hint=reader.text(data, "hint", what, required=False) or None,
        minimum=minimum,
        maximum=maximum,
        integer=reader.boolean(data, "integer", what, True),
        max_length=int(max_length) if max_length else DEFAULT_TEXT_LIMIT,
        min_label=reader.text(data, "min_label", what, required=False) or None,
        max_label=reader.text(data, "max_label", what, required=False) or None,
        yes_flag=reader.text(data, "yes_flag", what, required=False) or None,
        consent_version=version or None,
        decline_message=reader.text(data, "decline_message", what, required=False) or None,
        questions_message=reader.text(data, "questions_message", what, required=False) or None,
        worst_text=reader.text(data, "worst_text", what, required=False) or None,
        label=reader.text(data, "label", what, required=False) or None,
        line=_line(data),
    )


def _read_scores(reader: _Reader, raw: object, line: int) -> tuple[Score, ...]:
    scores: list[Score] = []
    for index, item in enumerate(reader.sequence(raw, line, "scores")):
        data = reader.mapping(item, _line(raw, index), "each score")
        if data is None:
            continue
        reader.unknown_keys(data, _SCORE_KEYS, "a score")
        score_id = reader.text(data, "id", "a score")
        steps = reader.sequence(data.get("steps"), _line(data, "steps"), "score steps")
        bands: list[Band] = []
        band_items = reader.sequence(data.get("bands"), _line(data, "bands"), "score bands")
        for band_index, band_raw in enumerate(band_items):
            band = reader.mapping(band_raw, _line(band_items, band_index), "each band")
            if band is None:
                continue
            reader.unknown_keys(band, _BAND_KEYS, "a score band")
            low, high = reader.number(band, "from", "band"), reader.number(band, "to", "band")
            if low is None or high is None or low > high:
                reader.problem(_line(band), f"score {score_id!r}: a band needs 'from' <= 'to'")
                continue
            flag = reader.text(band, "flag", "band", required=False) or None
            bands.append(Band(low, high, reader.text(band, "label", "band"), flag))
        scores.append(
            Score(
                id=score_id,
                title=reader.text(data, "title", f"score {score_id!r}"),
                steps=tuple(str(step) for step in steps),
                bands=tuple(bands),
            )
        )
    return tuple(scores)


def _read_rules(reader: _Reader, raw: object, line: int) -> tuple[FlagRule, ...]:
    rules: list[FlagRule] = []
    for data in reader.entries(raw, line, "rules", _RULE_KEYS):
        flag = reader.text(data, "flag", "a rule")
        when = _read_when(reader, data, f"rule for flag {flag!r}")
        if not when:
            reader.problem(_line(data), f"rule for flag {flag!r} needs a 'when' list")
        rules.append(FlagRule(flag, when, _line(data)))
    return tuple(rules)


def parse_flow(data: object, file: str) -> tuple[Flow | None, list[Problem]]:
    """Build a `Flow` from parsed YAML or a stored definition; every problem found."""
    reader = _Reader(file)
    top = reader.mapping(data, _line(data), "the flow file")
    if top is None:
        return None, reader.problems
    reader.unknown_keys(top, _FLOW_KEYS, "the flow")
    steps: list[Step] = []
    raw_steps = reader.sequence(top.get("steps"), _line(top, "steps"), "steps")
    for index, item in enumerate(raw_steps):
        raw_step = reader.mapping(item, _line(raw_steps, index), "each step")
        step = _read_step(reader, raw_step) if raw_step is not None else None
        if step is not None:
            steps.append(step)
    if not raw_steps:
        reader.problem(_line(top), "the flow needs a non-empty 'steps' list")
    flow = Flow(
        id=reader.text(top, "id", "the flow"),
        version=reader.text(top, "version", "the flow"),
        title=reader.text(top, "title", "the flow"),
        steps=tuple(steps),
        flags=_read_flags(reader, top.get("flags"), _line(top, "flags")),
        scores=_read_scores(reader, top.get("scores"), _line(top, "scores")),
        rules=_read_rules(reader, top.get("rules"), _line(top, "rules")),
        url=reader.text(top, "url", "the flow", required=False),
        completion_message=reader.text(top, "completion_message", "the flow", required=False)
        or "Thank you. Your answers have been sent to the clinic.",
    )
    from bot.intake.flow_check import check_flow_logic

    reader.problems.extend(check_flow_logic(flow, file))
    return (flow if not reader.problems else None), reader.problems


def plain_definition(data: object) -> Any:
    """A JSON-compatible copy of parsed YAML (dates become ISO text)."""
    return json.loads(json.dumps(data, default=str))


def definition_hash(definition: object) -> str:
    """A stable fingerprint of a flow definition."""
    canonical = json.dumps(definition, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LoadedFlow:
    """A flow together with the definition it came from and that definition's hash."""

    flow: Flow
    definition: Any
    digest: str


def load_flow_file(path: Path) -> LoadedFlow:
    """Load and check a flow file; raises `ContentError` listing every problem."""
    data = load_located_yaml(path)
    flow, problems = parse_flow(data, display_path(path))
    if flow is None:
        raise ContentError(problems)
    definition = plain_definition(data)
    return LoadedFlow(flow, definition, definition_hash(definition))


def flow_from_definition(definition: object) -> Flow:
    """Rebuild a stored flow definition; raises `ContentError` if it no longer parses."""
    flow, problems = parse_flow(definition, "stored intake flow")
    if flow is None:
        raise ContentError(problems)
    return flow


def check_intake_flow(content_dir: Path) -> list[Problem]:
    """Problems in `content_dir/intake_flow.yaml` (none when the file is absent)."""
    path = content_dir / FLOW_FILE_NAME
    if not path.exists():
        return []
    try:
        data = load_located_yaml(path)
    except ContentError as exc:
        return list(exc.problems)
    return parse_flow(data, display_path(path))[1]
