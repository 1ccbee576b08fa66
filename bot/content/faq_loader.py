"""faq.yaml: schema checks and loading into `FaqContent`, with clinic placeholders filled.

Every problem is reported with its line, so a clinic can fix all of them in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.content.clinic import Clinic
from bot.content.model import FaqContent, FaqEntry, OutOfScopeTopic
from bot.content.problems import ContentError, Problem, display_path
from bot.content.schema import (
    ProblemLog,
    closest,
    did_you_mean,
    not_text_problem,
    read_yaml_with_problems,
)
from bot.content.yaml_source import LocatedDict, LocatedList, holding

FAQ_FILE = "faq.yaml"
TOP_LEVEL_KEYS = (
    "synonyms",
    "related_treatments",
    "other_treatments",
    "conditions",
    "matching",
    "entries",
    "out_of_scope",
)
OUT_OF_SCOPE_KEYS = ("id", "examples")
ENTRY_KEYS = ("id", "question", "alternates", "answer", "category", "follow_ups", "reviewed")
MATCHING_KEYS = ("answer", "suggest", "margin")
CONDITIONS_KEYS = ("entry", "names")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
MIN_ALTERNATES = 3
MIN_OUT_OF_SCOPE_EXAMPLES = 2
# Telegram allows 4096 characters per message; leave room for the title and buttons' text.
MAX_ANSWER_CHARS = 3500
PLACEHOLDER_PATTERN = re.compile(r"\{([^{}]*)\}")
# Looks like markup a clinic pasted from a web page; answers are plain text.
MARKUP_PATTERN = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|\*\*|__")
PHRASING_NOISE = re.compile(r"[^\w\s]")


def _clinic_values() -> dict[str, Callable[[Clinic], str]]:
    return {
        "clinic.name": lambda clinic: clinic.name,
        "clinic.phone": lambda clinic: clinic.phone,
        "clinic.email": lambda clinic: clinic.email,
        "clinic.website": lambda clinic: clinic.website,
        "clinic.booking_url": lambda clinic: clinic.booking_url,
        "clinic.locations": Clinic.render_locations,
        "clinic.prices": Clinic.render_prices,
        "clinic.cancellation_policy": lambda clinic: clinic.cancellation_policy,
        "clinic.late_cancellation_hours": lambda clinic: str(clinic.late_cancellation_hours),
        "clinic.emergency_number": lambda clinic: clinic.emergency_number,
    }


PLACEHOLDERS = _clinic_values()


def placeholder_problems(text: str) -> list[tuple[str, Callable[[str], bool]]]:
    """What is wrong with the placeholders in `text` (unknown names, stray braces), each
    with a test that finds the line of the file it is on."""
    problems: list[tuple[str, Callable[[str], bool]]] = []
    for found in PLACEHOLDER_PATTERN.finditer(text):
        name = found.group(1).strip()
        if name not in PLACEHOLDERS:
            guess = closest(name, PLACEHOLDERS)
            hint = (
                f" — did you mean {{{guess}}}?"
                if guess
                else " (known: " + ", ".join("{" + known + "}" for known in PLACEHOLDERS) + ")"
            )
            written = found.group(0)
            problems.append((f"unknown placeholder {written}{hint}", holding(written)))
    leftover = PLACEHOLDER_PATTERN.sub("", text)
    for brace in "{}":
        if brace in leftover:
            problems.append(
                (
                    f"stray '{brace}'; placeholders look like {{clinic.phone}}, "
                    "and braces cannot be used otherwise",
                    _stray_brace_on(brace),
                )
            )
    return problems


def _stray_brace_on(brace: str) -> Callable[[str], bool]:
    """A test for the line of the file with `brace` outside any placeholder."""
    return lambda line: brace in PLACEHOLDER_PATTERN.sub("", line)


def fill_placeholders(text: str, clinic: Clinic) -> str:
    """`text` with every known {clinic.*} placeholder replaced by the clinic's fact."""

    def replace(found: re.Match[str]) -> str:
        render = PLACEHOLDERS.get(found.group(1).strip())
        return render(clinic) if render else found.group(0)

    return PLACEHOLDER_PATTERN.sub(replace, text)


def normalise_phrasing(text: str) -> str:
    """A phrasing reduced for duplicate detection: lower case, no punctuation."""
    return " ".join(PHRASING_NOISE.sub(" ", text.casefold()).split())


@dataclass
class _Seen:
    """Where each id and phrasing was first defined, for duplicate reports."""

    ids: dict[str, int]
    phrasings: dict[str, tuple[str, int]]  # normalised phrasing -> (entry id, line)
    # (id, line, first line) of each id used again; reported last, with what it explains.
    duplicates: list[tuple[str, int, int]] = field(default_factory=list)
    # (id, line, example) of each id that is not a valid id; reported last, like duplicates.
    invalid: list[tuple[str, int, str]] = field(default_factory=list)


def _read_synonyms(log: ProblemLog, root: LocatedDict) -> tuple[tuple[str, ...], ...]:
    groups = log.optional_sequence(root, "synonyms")
    result: list[tuple[str, ...]] = []
    first_line: dict[str, int] = {}
    for index, raw in enumerate(groups):
        line = groups.line_of(index)
        group = log.sequence(raw, line, "each synonym group")
        if group is None:
            continue
        terms: list[str] = []
        if len(group) < 2:
            log.add(line, "a synonym group needs at least two terms that mean the same thing")
            continue
        for term in group:
            if not isinstance(term, str | int) or not str(term).strip():
                log.add(line, f"synonym group has a term that is not text: {term!r}")
                continue
            word = " ".join(str(term).casefold().split())
            if word in first_line:
                log.add(
                    line,
                    f"synonym '{word}' is already in the group at line {first_line[word]}; "
                    "merge the two groups or remove one",
                )
                continue
            first_line[word] = line
            terms.append(word)
        if len(terms) >= 2:
            result.append(tuple(terms))
    return tuple(result)


def _read_related(
    log: ProblemLog, root: LocatedDict, key: str = "related_treatments"
) -> tuple[str, ...]:
    """The list of treatment names under `key`, case-folded, each once."""
    items = log.optional_sequence(root, key)
    names: list[str] = []
    for index, raw in enumerate(items):
        if not isinstance(raw, str) or not raw.strip():
            log.add(items.line_of(index), f"'{key}' has an entry that is not a name: {raw!r}")
            continue
        names.append(" ".join(raw.casefold().split()))
    return tuple(dict.fromkeys(names))


def _read_conditions(
    log: ProblemLog, root: LocatedDict, entry_ids: Collection[str]
) -> tuple[str | None, tuple[str, ...]]:
    """The entry answering "does IMS help <a condition>?" and the conditions' names, read
    from `conditions:` (both empty when absent)."""
    if root.get("conditions") is None:
        return None, ()
    conditions = log.mapping(root["conditions"], root.line_of("conditions"), "'conditions'")
    if conditions is None:
        return None, ()
    log.unknown_keys(conditions, CONDITIONS_KEYS, "'conditions'")
    entry_id = log.text(conditions, "entry", "'conditions'")
    if entry_id is not None and entry_id not in entry_ids:
        log.add(
            conditions.line_of("entry"),
            f"'conditions' names entry '{entry_id}', which faq.yaml does not have"
            + did_you_mean(entry_id, entry_ids),
        )
    names = _read_related(log, conditions, "names")
    if entry_id is not None and not names:
        log.add(conditions.line_of("names"), "'conditions' lists no names; add at least one")
    return entry_id, names


def _read_matching(
    log: ProblemLog, root: LocatedDict
) -> tuple[float | None, float | None, float | None]:
    if "matching" not in root or root["matching"] is None:
        return None, None, None
    matching = log.mapping(root["matching"], root.line_of("matching"), "'matching'")
    if matching is None:
        return None, None, None
    log.unknown_keys(matching, MATCHING_KEYS, "'matching'")
    answer = log.fraction(matching, "answer", "'matching'")
    suggest = log.fraction(matching, "suggest", "'matching'")
    margin = log.fraction(matching, "margin", "'matching'")
    if answer is not None and suggest is not None and suggest > answer:
        log.add(
            matching.line_of("suggest"),
            f"'suggest' ({suggest}) must not be above 'answer' ({answer}): "
            "suggestions are for scores too low to answer",
        )
    return answer, suggest, margin


def _read_phrasings(
    log: ProblemLog, entry: LocatedDict, entry_id: str, what: str, seen: _Seen
) -> tuple[str | None, tuple[str, ...], tuple[int, ...]]:
    """The question and alternates, checking each for duplicates within and across entries."""
    question = log.text(entry, "question", what)
    alternates: list[str] = []
    lines: list[int] = [entry.line_of("question")]
    if "alternates" not in entry:
        log.missing(
            entry, "alternates", f"{what} is missing 'alternates' (at least {MIN_ALTERNATES})"
        )
    else:
        items = log.sequence(entry["alternates"], entry.line_of("alternates"), "'alternates'")
        for index, raw in enumerate(items or LocatedList()):
            line = items.line_of(index) if items is not None else entry.line
            if not isinstance(raw, str) or not raw.strip():
                log.add(line, not_text_problem(raw, "alternate", what))
                continue
            alternates.append(raw.strip())
            lines.append(line)
        if items is not None and len(alternates) < MIN_ALTERNATES:
            log.add(
                entry.line_of("alternates"),
                f"{what} has {len(alternates)} alternates; write at least {MIN_ALTERNATES} "
                "other ways a patient might ask",
            )
    phrasings = ([question] if question else []) + alternates
    phrasing_lines = lines if question else lines[1:]
    for text, line in zip(phrasings, phrasing_lines, strict=True):
        key = normalise_phrasing(text)
        if key in seen.phrasings:
            other_id, other_line = seen.phrasings[key]
            where = "this entry" if other_id == entry_id else f"entry '{other_id}'"
            log.add(line, f"phrasing {text!r} repeats line {other_line} ({where}); remove one")
        else:
            seen.phrasings[key] = (entry_id, line)
    return question, tuple(alternates), tuple(lines)


def _read_answer(
    log: ProblemLog, entry: LocatedDict, what: str, clinic: Clinic | None
) -> str | None:
    answer = log.text(entry, "answer", what)
    if answer is None:
        return None
    line = entry.line_of("answer")
    problems = placeholder_problems(answer)
    for message, on_line in problems:
        log.add(entry.line_within("answer", on_line), f"answer of {what}: {message}")
    markup = MARKUP_PATTERN.search(answer)
    if markup:
        log.add(
            entry.line_within("answer", holding(markup.group(0))),
            f"the answer of {what} contains markup {markup.group(0)!r}; write plain text "
            "(the bot formats messages itself)",
        )
    filled = fill_placeholders(answer, clinic) if clinic is not None else answer
    if len(filled) > MAX_ANSWER_CHARS:
        log.add(
            line,
            f"the answer of {what} is {len(filled)} characters with clinic facts filled in; "
            f"keep it under {MAX_ANSWER_CHARS} so it fits one Telegram message",
        )
    return None if problems else filled


def _read_follow_ups(log: ProblemLog, entry: LocatedDict, what: str) -> tuple[str, ...]:
    items = log.optional_sequence(entry, "follow_ups")
    result: list[str] = []
    for index, raw in enumerate(items):
        if not isinstance(raw, str) or not raw.strip():
            log.add(items.line_of(index), f"each follow-up of {what} must be an entry id")
            continue
        result.append(raw.strip())
    return tuple(result)


def _claim_id(
    log: ProblemLog, item: LocatedDict, item_id: str | None, seen: _Seen, example: str
) -> None:
    """Check an entry's or topic's id and record it; entries and topics share one namespace."""
    if item_id is None:
        return
    line = item.line_of("id")
    if not ID_PATTERN.match(item_id):
        seen.invalid.append((item_id, line, example))
    elif item_id in seen.ids:
        seen.duplicates.append((item_id, line, seen.ids[item_id]))
    else:
        seen.ids[item_id] = line


def _read_entry(
    log: ProblemLog, raw: object, line: int, clinic: Clinic | None, seen: _Seen
) -> FaqEntry | None:
    entry = log.mapping(raw, line, "each FAQ entry")
    if entry is None:
        return None
    before = len(log.problems)
    log.unknown_keys(entry, ENTRY_KEYS, "an FAQ entry")
    entry_id = log.text(entry, "id", f"the entry at line {line}")
    what = f"entry '{entry_id}'" if entry_id else f"the entry at line {line}"
    _claim_id(log, entry, entry_id, seen, "does_it_hurt")
    question, alternates, lines = _read_phrasings(log, entry, entry_id or "", what, seen)
    answer = _read_answer(log, entry, what, clinic)
    category = log.text(entry, "category", what)
    follow_ups = _read_follow_ups(log, entry, what)
    review = log.review(entry, what)
    if len(log.problems) > before:
        return None
    assert entry_id and question and answer and category
    return FaqEntry(
        id=entry_id,
        question=question,
        alternates=alternates,
        answer=answer,
        category=category,
        follow_ups=follow_ups,
        reviewed=review,
        line=entry.line,
        phrasing_lines=lines,
    )


def _report_duplicates(log: ProblemLog, seen: _Seen, missing: list[str]) -> None:
    """Each id used twice; follow-up ids that no entry has are most likely what a copied
    entry was meant to be called, so they are named here rather than reported first."""
    hint = ""
    if missing:
        names = ", ".join(f"'{target}'" for target in dict.fromkeys(missing))
        hint = f"; follow-ups name {names}, which no entry has: is this entry meant to be that?"
    for item_id, line, first in seen.duplicates:
        log.add(
            line,
            f"duplicate id '{item_id}' (first used at line {first}); "
            "ids must be unique across entries and out-of-scope topics" + hint,
        )
    for item_id, line, example in seen.invalid:
        meant = _as_id(item_id)
        named = f"; follow-ups name '{meant}': write the id as that" if meant in missing else ""
        log.add(
            line,
            f"id {item_id!r} must be 2–41 lower-case letters, digits or _, "
            f"starting with a letter (e.g. {example})" + named,
        )


def _as_id(text: str) -> str:
    """What a mistyped id most likely meant: lower case, other characters as _."""
    return re.sub(r"[^a-z0-9_]", "_", text.strip().lower())


def _check_follow_ups(
    log: ProblemLog,
    entries: LocatedList,
    known: dict[str, int],
    *,
    report_missing: bool = True,
    explained: Collection[str] = (),
) -> list[str]:
    """Follow-ups must name another existing entry, once each; the ids named but missing
    (not reported when `explained` by a mistyped id, or at all without `report_missing`)."""
    missing: list[str] = []
    for raw in entries:
        if not isinstance(raw, LocatedDict) or not isinstance(raw.get("follow_ups"), LocatedList):
            continue
        entry_id = raw.get("id")
        items: LocatedList = raw["follow_ups"]
        listed: set[str] = set()
        for index, target in enumerate(items):
            if not isinstance(target, str):
                continue
            line = items.line_of(index)
            if target == entry_id:
                log.add(line, f"entry '{entry_id}' lists itself as a follow-up; remove it")
            elif target not in known:
                missing.append(target)
                if report_missing and target not in explained:
                    hint = did_you_mean(target, known)
                    words = target.replace(",", " ").split()
                    if len(words) > 1 and all(word in known for word in words):
                        # A '- ' left out between two lines joins them into one text.
                        hint = (
                            f" — it holds {len(words)} ids on one line: give each its own "
                            "'- ' line, or write them as [a, b]"
                        )
                    message = f"follow-up '{target}' of entry '{entry_id}' is not an entry id"
                    log.add(line, message + hint)
            elif target in listed:
                log.add(line, f"follow-up '{target}' is listed twice in entry '{entry_id}'")
            listed.add(target)
    return missing


def _read_topic_examples(
    log: ProblemLog, topic: LocatedDict, topic_id: str, what: str, seen: _Seen
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """A topic's examples; each must be new text, never one of an entry's phrasings."""
    if "examples" not in topic:
        log.missing(
            topic,
            "examples",
            f"{what} is missing 'examples' (questions the clinic does not answer)",
        )
        return (), ()
    items = log.sequence(topic["examples"], topic.line_of("examples"), f"'examples' of {what}")
    examples: list[str] = []
    lines: list[int] = []
    for index, raw in enumerate(items or LocatedList()):
        line = items.line_of(index) if items is not None else topic.line
        if not isinstance(raw, str) or not raw.strip():
            log.add(line, not_text_problem(raw, "example", what))
            continue
        key = normalise_phrasing(raw)
        if key in seen.phrasings:
            other_id, other_line = seen.phrasings[key]
            log.add(
                line,
                f"example {raw.strip()!r} of {what} repeats line {other_line} ('{other_id}'); "
                "a question is either answered or out of scope: remove one",
            )
            continue
        seen.phrasings[key] = (topic_id, line)
        examples.append(raw.strip())
        lines.append(line)
    if items is not None and len(examples) < MIN_OUT_OF_SCOPE_EXAMPLES:
        log.add(
            topic.line_of("examples"),
            f"{what} has {len(examples)} example{'' if len(examples) == 1 else 's'}; "
            f"write at least {MIN_OUT_OF_SCOPE_EXAMPLES}",
        )
    return tuple(examples), tuple(lines)


def _read_out_of_scope(log: ProblemLog, root: LocatedDict, seen: _Seen) -> list[OutOfScopeTopic]:
    """Topics the clinic does not answer here; their ids share the entries' namespace."""
    topics: list[OutOfScopeTopic] = []
    items = log.optional_sequence(root, "out_of_scope")
    for index, raw in enumerate(items):
        line = items.line_of(index)
        topic = log.mapping(raw, line, "each out-of-scope topic")
        if topic is None:
            continue
        before = len(log.problems)
        log.unknown_keys(topic, OUT_OF_SCOPE_KEYS, "an out-of-scope topic")
        topic_id = log.text(topic, "id", f"the out-of-scope topic at line {line}")
        what = f"out-of-scope topic '{topic_id}'" if topic_id else f"the topic at line {line}"
        _claim_id(log, topic, topic_id, seen, "other_treatments")
        examples, lines = _read_topic_examples(log, topic, topic_id or "", what, seen)
        if len(log.problems) == before and topic_id:
            topics.append(OutOfScopeTopic(topic_id, examples, topic.line, lines))
    return topics


def parse_faq(
    data: object, file: str, clinic: Clinic | None, today: date | None = None
) -> tuple[FaqContent | None, list[Problem]]:
    """`FaqContent` from parsed faq.yaml, plus every problem (content is None if any)."""
    log = ProblemLog(file, today=today or date.today())
    root = log.mapping(data, 1, "faq.yaml (it should start with 'entries:')")
    if root is None:
        return None, log.problems
    log.unknown_keys(root, TOP_LEVEL_KEYS, "faq.yaml")
    synonyms = _read_synonyms(log, root)
    related = _read_related(log, root)
    others = _read_related(log, root, "other_treatments")
    answer, suggest, margin = _read_matching(log, root)
    if "entries" not in root:
        log.missing(root, "entries", "faq.yaml is missing 'entries' (the questions and answers)")
        return None, log.problems
    items = log.sequence(root["entries"], root.line_of("entries"), "'entries'")
    if items is None:
        return None, log.problems
    if not items:
        log.add(items.line, "'entries' is empty; add at least one question and answer")
    seen = _Seen(ids={}, phrasings={})
    entries: list[FaqEntry] = []
    for index, raw in enumerate(items):
        entry = _read_entry(log, raw, items.line_of(index), clinic, seen)
        if entry is not None:
            entries.append(entry)
    # With an id used twice or mistyped, a follow-up to a missing id is its effect.
    missing = _check_follow_ups(
        log,
        items,
        seen.ids,
        report_missing=not seen.duplicates,
        explained={_as_id(item_id) for item_id, _line, _example in seen.invalid},
    )
    topics = _read_out_of_scope(log, root, seen)
    condition_entry, condition_names = _read_conditions(log, root, seen.ids)
    _report_duplicates(log, seen, missing)
    if log.problems:
        return None, sorted(log.problems)
    content = FaqContent(
        entries=tuple(entries),
        synonyms=synonyms,
        related_treatments=related,
        other_treatments=others,
        condition_names=condition_names,
        condition_entry=condition_entry,
        answer_threshold=answer,
        suggest_threshold=suggest,
        margin=margin,
        file=file,
        out_of_scope=tuple(topics),
    )
    return content, []


def read_faq(
    path: Path, clinic: Clinic | None, today: date | None = None
) -> tuple[FaqContent | None, list[Problem]]:
    """Parse and check the FAQ file at `path`; never raises for bad content."""
    data, problems = read_yaml_with_problems(path)
    if problems:
        return None, problems
    return parse_faq(data, display_path(path), clinic, today)


def load_faq(path: Path, clinic: Clinic) -> FaqContent:
    """The FAQ in `path` with `clinic`'s facts filled in; raises `ContentError` on problems."""
    content, problems = read_faq(path, clinic)
    if content is None:
        raise ContentError(problems)
    return content
