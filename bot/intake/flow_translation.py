"""intake_flow_fr.yaml: the intake form's French version, a file a clinic can hand to a
translator and have a French-speaking clinician review.

It names the steps, options and flags of intake_flow.yaml by their ids and gives only what
a patient reads: each step's `text` (and `worst_text`, `hint`, `min_label`, `max_label`,
`decline_message`, `questions_message` where the English step has them), each option's
`label` (and French `aliases`, the words a patient may type for it), each flag's `message`
with its own `reviewed` line, the flow's `title` and `completion_message`, and a
`reviewed` line for the file. Everything else (order, conditions, flags raised, scores)
comes from intake_flow.yaml, so the two can never disagree on what an answer means.

Unlike the FAQ's French (where a missing entry is a note), the form is refused when the
French misses a step, an option, a flag or a text the English has, or names one the
English lacks: a French-speaking patient must never meet a half-French form.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bot.content.problems import Problem
from bot.content.schema import ProblemLog, did_you_mean, locate
from bot.content.yaml_source import LocatedDict
from bot.intake.flow import Flag, Flow, Option, Step
from bot.intake.flow_check import check_typed_names
from bot.intake.wording import FRENCH

FLOW_FRENCH_FILE_NAME = "intake_flow_fr.yaml"
_TOP_KEYS = ("language", "title", "completion_message", "reviewed", "flags", "steps")
_FLAG_KEYS = ("message", "reviewed")
_OPTION_KEYS = ("label", "aliases")
# Step texts a translation gives when (and only when) the English step has them.
_STEP_TEXTS = (
    "text",
    "worst_text",
    "hint",
    "min_label",
    "max_label",
    "decline_message",
    "questions_message",
)


def _empty(line: int) -> LocatedDict:
    empty = LocatedDict()
    empty.line, empty.key_lines = line, {}
    return empty


def _section(log: ProblemLog, top: LocatedDict, key: str) -> LocatedDict:
    """A mapping by id such as `steps:` (an empty one, reported, when absent or wrong)."""
    if key not in top:
        log.add(top.line, f"the French intake form needs a '{key}:' section (ids of {key})")
        return _empty(top.line)
    found = log.mapping(top[key], top.line_of(key), f"'{key}'")
    return found if found is not None else _empty(top.line_of(key))


def _extra(log: ProblemLog, given: LocatedDict, known: list[str], what: str) -> None:
    """Ids the French names that the English lacks."""
    for key in given:
        if str(key) not in known:
            log.add(
                given.line_of(key),
                f"{what} {key!r} is not in intake_flow.yaml{did_you_mean(str(key), known)}; "
                "remove it or add it to the English first",
            )


def _flags(log: ProblemLog, flow: Flow, top: LocatedDict) -> dict[str, Flag]:
    given = _section(log, top, "flags")
    _extra(log, given, list(flow.flags), "flag")
    flags: dict[str, Flag] = {}
    for flag_id, flag in flow.flags.items():
        what = f"flag {flag_id!r}"
        if flag_id not in given:
            log.add(given.line, f"{what} has no French message: add it under 'flags:'")
            flags[flag_id] = flag
            continue
        data = log.mapping(given[flag_id], given.line_of(flag_id), what)
        if data is None:
            continue
        log.unknown_keys(data, _FLAG_KEYS, what)
        message = log.text(data, "message", f"the French of {what}") or ""
        # The clinician reads the flag's label, in the clinic's language: it stays English.
        flags[flag_id] = replace(flag, message=message, reviewed=log.review(data, what))
    return flags


def _options(log: ProblemLog, step: Step, data: LocatedDict, what: str) -> tuple[Option, ...]:
    if not step.options:
        if "options" in data:
            log.add(data.line_of("options"), f"{what} has no options in intake_flow.yaml")
        return ()
    if "options" not in data:
        log.add(data.line, f"{what} has no French 'options:' (one label per option id)")
        return step.options
    given = log.mapping(data["options"], data.line_of("options"), f"the options of {what}")
    if given is None:
        return step.options
    _extra(log, given, [option.id for option in step.options], f"{what}: option")
    options: list[Option] = []
    for option in step.options:
        named = f"option {option.id!r} of {what}"
        if option.id not in given:
            log.add(given.line, f"{named} has no French label: add it under 'options:'")
            options.append(option)
            continue
        raw = given[option.id]
        if isinstance(raw, str) and raw.strip():  # the short form: `id: label`
            label = " ".join(raw.split())
            options.append(replace(option, label=label, aliases=(), line=given.line_of(option.id)))
            continue
        if not isinstance(raw, dict):
            log.add(
                given.line_of(option.id),
                f"{named}: write its French label as text (in quotes if it is yes, no, "
                "on or off), or as {label: ..., aliases: [...]}",
            )
            continue
        entry = log.mapping(raw, given.line_of(option.id), named)
        if entry is None:
            continue
        log.unknown_keys(entry, _OPTION_KEYS, named)
        aliases = log.optional_sequence(entry, "aliases")
        options.append(
            replace(
                option,
                label=log.text(entry, "label", named) or option.label,
                aliases=tuple(str(alias) for alias in aliases),
                line=entry.line_of("label"),
            )
        )
    return tuple(options)


def _step(log: ProblemLog, step: Step, given: LocatedDict) -> Step:
    what = f"step {step.id!r}"
    if step.id not in given:
        log.add(given.line, f"{what} has no French text: add it under 'steps:'")
        return replace(step, language=FRENCH)
    data = log.mapping(given[step.id], given.line_of(step.id), what)
    if data is None:
        return replace(step, language=FRENCH)
    english = {key: getattr(step, key) for key in _STEP_TEXTS}
    log.unknown_keys(data, (*(k for k, v in english.items() if v), "options"), what)
    texts: dict[str, Any] = {}
    for key, value in english.items():
        if not value:
            continue
        if key not in data:
            log.add(data.line, f"{what} has no French '{key}': the English step has one")
            continue
        texts[key] = log.text(data, key, what) or value
    options = _options(log, step, data, what)
    return replace(step, **texts, options=options, language=FRENCH)


def translate_flow(
    flow: Flow, data: object, file: str, today: date | None = None
) -> tuple[Flow | None, list[Problem]]:
    """`flow` in French from the French file's parsed YAML; every problem found (the flow
    is None when there is one)."""
    log = ProblemLog(file, today=today or date.today())
    located = locate(data)
    top = log.mapping(located, getattr(located, "line", 0) or 1, "the French intake form")
    if top is None:
        return None, log.problems
    log.unknown_keys(top, _TOP_KEYS, "the French intake form")
    language = log.text(top, "language", "the French intake form", required=False)
    if language and language != FRENCH:
        log.add(top.line_of("language"), f"language must be '{FRENCH}' in this file")
    log.review(top)
    given = _section(log, top, "steps")
    _extra(log, given, [step.id for step in flow.steps], "step")
    steps = tuple(_step(log, step, given) for step in flow.steps)
    for step in steps:
        data = given.get(step.id)
        options = data.get("options") if isinstance(data, LocatedDict) else None
        if isinstance(options, LocatedDict):
            names: dict[str, str] = {}
            for option in step.options:
                line = options.line_of(option.id) if option.id in options else options.line
                what = f"step {step.id!r}"
                check_typed_names(log, line, option.id, option.label, option.aliases, names, what)
    french = replace(
        flow,
        title=log.text(top, "title", "the French intake form") or flow.title,
        completion_message=log.text(top, "completion_message", "the French intake form")
        or flow.completion_message,
        steps=steps,
        flags=_flags(log, flow, top),
        language=FRENCH,
        translations={},
    )
    return (french if not log.problems else None), log.problems
