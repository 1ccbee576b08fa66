"""faq_fr.yaml: the FAQ's French version, a file a clinic can hand to a translator.

Each entry names an entry of faq.yaml by its `id` and gives its French `question`,
`alternates`, `answer` and its own `reviewed` line (a translation is checked like an
answer). Categories, follow-ups and clinic facts come from faq.yaml; `categories` maps
faq.yaml's category names to French ones, `synonyms` are French word groups. The same
field readers as faq.yaml report every problem at file:line; an entry of faq.yaml
without a French version is only a note (French speakers asking it get the French
"did you mean" or fallback), never an error.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.content.clinic import Clinic
from bot.content.faq_loader import (
    _read_answer,
    _read_out_of_scope,
    _read_phrasings,
    _read_related,
    _read_synonyms,
    _Seen,
)
from bot.content.model import FaqContent, FaqEntry
from bot.content.problems import Problem, display_path
from bot.content.schema import ProblemLog, did_you_mean, read_yaml_with_problems
from bot.content.yaml_source import LocatedDict

FAQ_FRENCH_FILE = "faq_fr.yaml"
TOP_LEVEL_KEYS = (
    "language",
    "synonyms",
    "related_treatments",
    "other_treatments",
    "categories",
    "entries",
    "out_of_scope",
)
ENTRY_KEYS = ("id", "question", "alternates", "answer", "reviewed")
LANGUAGES = ("fr",)


def _read_categories(log: ProblemLog, root: LocatedDict, english: FaqContent) -> dict[str, str]:
    """faq.yaml's category names -> their French names."""
    if "categories" not in root:
        return {}
    mapping = log.mapping(root["categories"], root.line_of("categories"), "'categories'")
    if mapping is None:
        return {}
    known = english.categories
    names: dict[str, str] = {}
    for key, value in mapping.items():
        line = mapping.line_of(key)
        if key not in known:
            log.add(
                line, f"category {key!r} is not a category of faq.yaml" + did_you_mean(key, known)
            )
        elif not isinstance(value, str) or not value.strip():
            log.add(line, f"the French name of category {key!r} must be non-empty text")
        else:
            names[str(key)] = value.strip()
    return names


def _read_entry(
    log: ProblemLog,
    raw: object,
    line: int,
    english: FaqContent,
    clinic: Clinic | None,
    seen: _Seen,
) -> FaqEntry | None:
    entry = log.mapping(raw, line, "each French entry")
    if entry is None:
        return None
    before = len(log.problems)
    log.unknown_keys(entry, ENTRY_KEYS, "a French entry")
    entry_id = log.text(entry, "id", f"the entry at line {line}")
    what = f"French entry '{entry_id}'" if entry_id else f"the entry at line {line}"
    source = english.get(entry_id) if entry_id else None
    if entry_id and source is None:
        known = [item.id for item in english.entries]
        log.add(
            entry.line_of("id"),
            f"{what} is not an entry of faq.yaml" + did_you_mean(entry_id, known),
        )
    elif entry_id and entry_id in seen.ids:
        log.add(
            entry.line_of("id"),
            f"{what} is translated twice (first at line {seen.ids[entry_id]}); remove one",
        )
        # Its wordings are the first one's again: the id says it, not one line per wording.
        seen = _Seen({}, {})
    elif entry_id:
        seen.ids[entry_id] = entry.line_of("id")
    question, alternates, lines = _read_phrasings(log, entry, entry_id or "", what, seen)
    answer = _read_answer(log, entry, what, clinic)
    review = log.review(entry, what)
    if len(log.problems) > before or source is None:
        return None
    assert question and answer
    return replace(
        source,
        question=question,
        alternates=alternates,
        answer=answer,
        reviewed=review,
        line=entry.line,
        phrasing_lines=lines,
    )


def parse_faq_translation(
    data: object,
    file: str,
    english: FaqContent,
    clinic: Clinic | None,
    today: date | None = None,
) -> tuple[FaqContent | None, list[Problem], list[Problem]]:
    """The French FAQ (entries in faq.yaml's order, follow-ups to translated entries only),
    every problem, and the notes (entries of faq.yaml with no French version)."""
    log = ProblemLog(file, today=today or date.today())
    root = log.mapping(data, 1, "faq_fr.yaml (it should start with 'entries:')")
    if root is None:
        return None, log.problems, []
    log.unknown_keys(root, TOP_LEVEL_KEYS, "faq_fr.yaml")
    language = root.get("language", "fr")
    if language not in LANGUAGES:
        log.add(root.line_of("language"), f"language {language!r} is not one the bot reads; use fr")
    synonyms = _read_synonyms(log, root)
    related = _read_related(log, root)
    others = _read_related(log, root, "other_treatments")
    categories = _read_categories(log, root, english)
    if "entries" not in root:
        log.missing(root, "entries", "faq_fr.yaml is missing 'entries' (the French versions)")
        return None, log.problems, []
    items = log.sequence(root["entries"], root.line_of("entries"), "'entries'")
    if items is None:
        return None, log.problems, []
    seen = _Seen(ids={}, phrasings={})
    found: dict[str, FaqEntry] = {}
    # French answers quote the clinic's facts in French ("135 $", "du lundi au jeudi").
    french_clinic = clinic.in_french() if clinic is not None else None
    for index, raw in enumerate(items):
        entry = _read_entry(log, raw, items.line_of(index), english, french_clinic, seen)
        if entry is not None:
            found[entry.id] = entry
    # French examples of topics the clinic does not answer here: a French question on one
    # gets the French "not here" reply, as faq.yaml's topics give English ones.
    topics = _read_out_of_scope(log, root, seen)
    if log.problems:
        return None, sorted(log.problems), []
    missing = [entry.id for entry in english.entries if entry.id not in found]
    notes = []
    if missing:
        notes.append(
            Problem(
                file,
                1,
                f"note: {len(missing)} of {len(english.entries)} entries have no French version "
                "yet (French questions about them get the French 'did you mean' or fallback): "
                + ", ".join(missing),
            )
        )
    entries = tuple(
        replace(
            found[entry.id],
            category=categories.get(entry.category, entry.category),
            follow_ups=tuple(f for f in entry.follow_ups if f in found),
        )
        for entry in english.entries
        if entry.id in found
    )
    content = FaqContent(
        entries=entries,
        synonyms=synonyms,
        related_treatments=related,
        other_treatments=others,
        answer_threshold=english.answer_threshold,
        suggest_threshold=english.suggest_threshold,
        margin=english.margin,
        file=file,
        out_of_scope=tuple(topics),
    )
    return content, [], notes


def read_faq_translation(
    path: Path, english: FaqContent, clinic: Clinic | None, today: date | None = None
) -> tuple[FaqContent | None, list[Problem], list[Problem]]:
    """Parse and check the French FAQ at `path`; never raises for bad content."""
    data, problems = read_yaml_with_problems(path)
    if problems:
        return None, problems, []
    return parse_faq_translation(data, display_path(path), english, clinic, today)
