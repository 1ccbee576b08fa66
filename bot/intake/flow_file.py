"""Reading and checking `intake_flow.yaml`: every problem as `file:line: what to fix`.

The same parser reads a stored copy of a flow (plain JSON, no line numbers), so an
intake that started on an older version of the file keeps running on that version.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from bot.content.problems import ContentError, Problem, display_path
from bot.content.schema import (
    ProblemLog,
    locate,
    placeholders_shown_as_written,
    read_yaml_with_problems,
)
from bot.content.yaml_source import LocatedDict, LocatedList
from bot.core.assistant import ANSWER_READINGS
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
from bot.intake.flow_check import check_flow_logic, check_typed_names
from bot.intake.flow_translation import FLOW_FRENCH_FILE_NAME, translate_flow
from bot.intake.step_types import KINDS, MultiKind, kind_of
from bot.intake.wording import FRENCH

FLOW_FILE_NAME = "intake_flow.yaml"
# The key a stored definition keeps its translations under (never a key of the file).
TRANSLATIONS_KEY = "translations"
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
# Telegram shows a button's text on one line and cuts what does not fit with "…"; a phone
# about 375 px wide fits about 40 characters on a full-width button (the bot gives a long
# label a row of its own). A ticked answer of a multi-choice step starts with "✅ ".
PHONE_BUTTON_CHARS = 40
TICK_CHARS = 2
SCALE_MIN, SCALE_MAX = 0, 10

_FLOW_KEYS = {
    "id", "version", "title", "url", "completion_message", "steps", "flags", "scores", "rules",
}  # fmt: skip
_COMMON_STEP_KEYS = {
    "id",
    "type",
    "text",
    "section",
    "required",
    "when",
    "hint",
    "label",
    "answers_tell",
}
_OPTION_KEYS = {"id", "label", "flag", "weight", "exclusive", "paired", "aliases", "within_days"}
_FLAG_KEYS = {"id", "level", "label", "message", "reviewed"}
_SCORE_KEYS = {"id", "title", "steps", "bands"}
_BAND_KEYS = {"from", "to", "label", "flag"}
_RULE_KEYS = {"flag", "when"}


def _flags(log: ProblemLog, top: LocatedDict) -> dict[str, Flag]:
    flags: dict[str, Flag] = {}
    for data in _entries(log, top, "flags", _FLAG_KEYS):
        flag_id = log.text(data, "id", "a flag") or ""
        what = f"flag {flag_id!r}"
        level_raw = log.text(data, "level", what) or ""
        try:
            level = FlagLevel(level_raw)
        except ValueError:
            levels = ", ".join(FlagLevel)
            log.add(data.line_of("level"), f"{what}: level must be one of {levels}")
            level = FlagLevel.URGENT
        message = log.text(data, "message", what) or ""
        label = log.text(data, "label", what, required=False) or flag_id
        reviewed = log.review(data, what)
        if flag_id in flags:
            log.add(data.line_of("id"), f"duplicate flag id {flag_id!r}")
            continue
        flags[flag_id] = Flag(flag_id, level, message, label=label, reviewed=reviewed)
    return flags


def _entries(
    log: ProblemLog, parent: LocatedDict, key: str, allowed: Collection[str]
) -> Iterator[LocatedDict]:
    """The mappings of a list such as `flags:`, each checked for unknown keys."""
    items = log.optional_sequence(parent, key)
    for index, item in enumerate(items):
        data = log.mapping(item, items.line_of(index), f"each entry of '{key}'")
        if data is not None:
            log.unknown_keys(data, allowed, f"an entry of '{key}'")
            yield data


def _whole_number(log: ProblemLog, data: LocatedDict, key: str, what: str) -> int | None:
    """An optional whole number above zero."""
    value = log.number(data, key, what)
    if value is not None and (value < 1 or value != int(value)):
        log.add(data.line_of(key), f"{what}: {key} must be a whole number > 0")
        return None
    return int(value) if value is not None else None


def _check_bounds(
    log: ProblemLog, data: LocatedDict, what: str, minimum: float | None, maximum: float | None
) -> None:
    """A number step's bounds: one problem, the cause (a bound written but not a number is
    already reported by `log.number`; its effect on the order would only mislead)."""
    missing = [key for key in ("min", "max") if data.get(key) is None]
    if missing:
        log.add(data.line, f"{what}: a number step needs {' and '.join(map(repr, missing))}")
    elif minimum is not None and maximum is not None and minimum >= maximum:
        log.add(data.line, f"{what}: a number step needs 'min' lower than 'max'")


def _options(log: ProblemLog, data: LocatedDict, what: str) -> tuple[Option, ...]:
    items = log.optional_sequence(data, "options")
    options: list[Option] = []
    seen: set[str] = set()
    names: dict[str, str] = {}  # a typed name -> the option it picks
    for index, item in enumerate(items):
        raw = log.mapping(item, items.line_of(index), f"each option of {what}")
        if raw is None:
            continue
        log.unknown_keys(raw, _OPTION_KEYS, f"an option of {what}")
        option_id = log.text(raw, "id", f"an option of {what}") or ""
        if option_id in seen:
            log.add(raw.line_of("id"), f"{what}: duplicate option id {option_id!r}")
        seen.add(option_id)
        named = f"option {option_id!r} of {what}"
        aliases = log.optional_sequence(raw, "aliases")
        line = raw.line_of("aliases") if "aliases" in raw else raw.line_of("label")
        check_typed_names(
            log,
            line,
            option_id,
            str(raw.get("label", "")),
            [str(alias) for alias in aliases],
            names,
            what,
        )
        options.append(
            Option(
                id=option_id,
                label=log.text(raw, "label", named) or "",
                flag=log.text(raw, "flag", named, required=False) or None,
                weight=log.number(raw, "weight", named),
                exclusive=log.boolean(raw, "exclusive", named, default=False),
                paired=log.boolean(raw, "paired", named, default=False),
                aliases=tuple(str(alias) for alias in aliases),
                within_days=_whole_number(log, raw, "within_days", named),
                line=raw.line_of("label"),
            )
        )
    return tuple(options)


def _when(log: ProblemLog, data: LocatedDict, what: str) -> tuple[Condition, ...]:
    raw = data.get("when")
    if raw is None:
        return ()
    items = raw if isinstance(raw, LocatedList) else None
    conditions: list[Condition] = []
    for index, item in enumerate(items if items is not None else [raw]):
        line = items.line_of(index) if items is not None else data.line_of("when")
        cond = log.mapping(item, line, f"{what}: when")
        if cond is None:
            continue
        ops = [key for key in cond if key != "step"]
        log.unknown_keys(cond, ("step", *ConditionOp), f"{what}: when")
        target = log.text(cond, "step", f"{what}: when") or ""
        known = [op for op in ops if op in set(ConditionOp)]
        if len(known) != 1:
            log.add(
                cond.line,
                f"{what}: each 'when' needs 'step' and exactly one of {', '.join(ConditionOp)}",
            )
            continue
        conditions.append(Condition(target, ConditionOp(known[0]), cond[known[0]], cond.line))
    return tuple(conditions)


def _optional_text(log: ProblemLog, data: LocatedDict, key: str, what: str) -> str | None:
    return log.text(data, key, what, required=False) or None


def _step(log: ProblemLog, data: LocatedDict) -> Step | None:
    step_id = log.text(data, "id", "a step") or ""
    what = f"step {step_id!r}"
    type_raw = log.text(data, "type", what) or ""
    try:
        step_type = StepType(type_raw)
    except ValueError:
        if type_raw:
            log.add(
                data.line_of("type"),
                f"{what}: unknown type {type_raw!r}; use one of {', '.join(StepType)}",
            )
        return None
    kind = KINDS[step_type]
    log.unknown_keys(data, _COMMON_STEP_KEYS | kind.keys, f"{what} ({type_raw})")
    section = log.text(data, "section", what, required=False) or "other"
    if section not in SECTIONS:
        log.add(data.line_of("section"), f"{what}: section must be one of {SECTIONS}")
    options = _options(log, data, what) if kind.has_options else ()
    if kind.has_options and not options:
        log.add(data.line, f"{what}: a {type_raw} step needs at least one option")
    minimum = log.number(data, "min", what)
    maximum = log.number(data, "max", what)
    if {"min", "max"} <= kind.keys:  # bounds the file must give
        _check_bounds(log, data, what, minimum, maximum)
    max_length = _whole_number(log, data, "max_length", what)
    version = log.text(data, "version", what, required=kind.versioned)
    answers_tell = _optional_text(log, data, "answers_tell", what)
    if answers_tell is not None and answers_tell not in ANSWER_READINGS:
        log.add(
            data.line_of("answers_tell"),
            f"{what}: answers_tell must be one of {', '.join(ANSWER_READINGS)}",
        )
        answers_tell = None
    return Step(
        id=step_id,
        type=step_type,
        text=log.text(data, "text", what) or "",
        section=section,
        required=log.boolean(data, "required", what, default=True),
        options=options,
        when=_when(log, data, what),
        hint=_optional_text(log, data, "hint", what),
        minimum=minimum,
        maximum=maximum,
        integer=log.boolean(data, "integer", what, default=True),
        max_length=max_length or DEFAULT_TEXT_LIMIT,
        min_label=_optional_text(log, data, "min_label", what),
        max_label=_optional_text(log, data, "max_label", what),
        yes_flag=_optional_text(log, data, "yes_flag", what),
        consent_version=version or None,
        decline_message=_optional_text(log, data, "decline_message", what),
        questions_message=_optional_text(log, data, "questions_message", what),
        worst_text=_optional_text(log, data, "worst_text", what),
        label=_optional_text(log, data, "label", what),
        answers_tell=answers_tell,
        line=data.line,
    )


def _scores(log: ProblemLog, top: LocatedDict) -> tuple[Score, ...]:
    scores: list[Score] = []
    for data in _entries(log, top, "scores", _SCORE_KEYS):
        score_id = log.text(data, "id", "a score") or ""
        what = f"score {score_id!r}"
        steps = log.optional_sequence(data, "steps")
        bands: list[Band] = []
        for band in _entries(log, data, "bands", _BAND_KEYS):
            low, high = log.number(band, "from", what), log.number(band, "to", what)
            if low is None or high is None or low > high:
                log.add(band.line, f"{what}: a band needs 'from' <= 'to'")
                continue
            flag = log.text(band, "flag", f"a band of {what}", required=False) or None
            bands.append(Band(low, high, log.text(band, "label", f"a band of {what}") or "", flag))
        title = log.text(data, "title", what) or ""
        scores.append(Score(score_id, title, tuple(str(step) for step in steps), tuple(bands)))
    return tuple(scores)


def _rules(log: ProblemLog, top: LocatedDict) -> tuple[FlagRule, ...]:
    rules: list[FlagRule] = []
    for data in _entries(log, top, "rules", _RULE_KEYS):
        flag = log.text(data, "flag", "a rule") or ""
        when = _when(log, data, f"rule for flag {flag!r}")
        if not when:
            log.add(data.line, f"rule for flag {flag!r} needs a 'when' list")
        rules.append(FlagRule(flag, when, data.line))
    return tuple(rules)


def parse_flow(
    data: object, file: str, today: date | None = None
) -> tuple[Flow | None, list[Problem]]:
    """Build a `Flow` from parsed YAML or a stored definition; every problem found."""
    log = ProblemLog(file, today=today or date.today())
    located = locate(data)
    top = log.mapping(located, getattr(located, "line", 0) or 1, "the flow file")
    if top is None:
        return None, log.problems
    log.unknown_keys(top, _FLOW_KEYS, "the flow")
    steps: list[Step] = []
    broken: set[str] = set()
    raw_steps = log.optional_sequence(top, "steps")
    for index, item in enumerate(raw_steps):
        raw_step = log.mapping(item, raw_steps.line_of(index), "each step")
        step = _step(log, raw_step) if raw_step is not None else None
        if step is not None:
            steps.append(step)
        elif raw_step is not None and isinstance(raw_step.get("id"), str):
            broken.add(raw_step["id"])
    if not raw_steps:
        log.add(top.line, "the flow needs a non-empty 'steps' list")
    flow = Flow(
        id=log.text(top, "id", "the flow") or "",
        version=log.text(top, "version", "the flow") or "",
        title=log.text(top, "title", "the flow") or "",
        steps=tuple(steps),
        flags=_flags(log, top),
        scores=_scores(log, top),
        rules=_rules(log, top),
        url=log.text(top, "url", "the flow", required=False) or "",
        completion_message=log.text(top, "completion_message", "the flow", required=False)
        or "Thank you. Your answers have been sent to the clinic.",
    )
    log.problems.extend(check_flow_logic(flow, file, frozenset(broken)))
    return (flow if not log.problems else None), log.problems


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


def read_flow_file(path: Path) -> tuple[LoadedFlow | None, list[Problem]]:
    """A flow file read once, with its French version beside it when there is one
    (`intake_flow_fr.yaml`): the flow (None when either has a problem) and every problem."""
    data, problems = read_yaml_with_problems(path)
    if problems:
        return None, problems
    shown = placeholders_shown_as_written(data, display_path(path))
    flow, problems = parse_flow(data, display_path(path))
    if flow is None or shown:
        return None, [*problems, *shown]
    definition = plain_definition(data)
    french_path = path.with_name(FLOW_FRENCH_FILE_NAME)
    if path.name == FLOW_FILE_NAME and french_path.exists():
        french_data, problems = read_yaml_with_problems(french_path)
        problems = problems or placeholders_shown_as_written(french_data, display_path(french_path))
        if problems:
            return None, problems
        french, problems = translate_flow(flow, french_data, display_path(french_path))
        if french is None:
            return None, problems
        flow = replace(flow, translations={FRENCH: french})
        # Stored with the form, so a form begun in French goes on in the French it began in.
        definition = {**definition, TRANSLATIONS_KEY: {FRENCH: plain_definition(french_data)}}
    return LoadedFlow(flow, definition, definition_hash(definition)), []


def long_button_labels(flow: Flow, files: Mapping[str, str]) -> list[Problem]:
    """A note for each step with option labels a phone's button cannot show whole, in each
    language (`files`: the file each language's labels are read from, by language), at
    the first such label's line, naming each one's line."""
    notes: list[Problem] = []
    for language, shown in {flow.language: flow, **flow.translations}.items():
        for step in shown.steps:
            ticked = isinstance(kind_of(step), MultiKind)  # its chosen answers show a tick
            room = PHONE_BUTTON_CHARS - (TICK_CHARS if ticked else 0)
            long = [option for option in step.options if len(option.label) > room]
            if not long:
                continue
            which = ", ".join(
                f"{option.id!r} ({len(option.label)}, line {option.line})" for option in long
            )
            notes.append(
                Problem(
                    files.get(language, ""),
                    long[0].line,
                    f"step {step.id!r}: {_count(len(long), 'option label')} longer than "
                    f"the {room} characters a phone shows on a button (the rest is cut with "
                    f"'…'): {which}; shorten each to {room} or fewer and put any detail in "
                    "the question's text",
                )
            )
    return notes


def _count(number: int, noun: str) -> str:
    return f"1 {noun} is" if number == 1 else f"{number} {noun}s are"


def load_flow_file(path: Path) -> LoadedFlow:
    """Load and check a flow file; raises `ContentError` listing every problem."""
    loaded, problems = read_flow_file(path)
    if loaded is None:
        raise ContentError(problems)
    return loaded


def flow_from_definition(definition: object) -> Flow:
    """Rebuild a stored flow definition (with its translations); raises `ContentError` if
    it no longer parses."""
    translations: dict[str, Any] = {}
    if isinstance(definition, dict) and TRANSLATIONS_KEY in definition:
        definition = dict(definition)
        translations = dict(definition.pop(TRANSLATIONS_KEY) or {})
    flow, problems = parse_flow(definition, "stored intake flow")
    if flow is None:
        raise ContentError(problems)
    translated: dict[str, Flow] = {}
    for language, data in translations.items():
        # A stored review date is never "in the future" for the form it was stored with.
        french, problems = translate_flow(flow, data, f"stored intake flow ({language})")
        if french is None:
            raise ContentError(problems)
        translated[str(language)] = french
    return replace(flow, translations=translated) if translated else flow


def check_intake_flow(content_dir: Path) -> list[Problem]:
    """Problems in `content_dir/intake_flow.yaml` and its French version (none when the
    file is absent)."""
    path = content_dir / FLOW_FILE_NAME
    return read_flow_file(path)[1] if path.exists() else []
