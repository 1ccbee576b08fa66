"""Which term of a rule makes it catch its not-examples, for the content check.

A term that reaches too far ("chest" alone, a stem that takes ordinary words) makes its
rule fire on many not-examples at once. One problem per not-example, each naming only the
rule, sends a clinic through the file one line at a time; one problem at the term's line,
listing the not-examples it caught, says what to narrow.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.content.problems import ContentError, Problem
from bot.content.yaml_source import LocatedDict, LocatedList, load_located_yaml
from bot.safety.emergency import EmergencyContent, EmergencyDetector, EmergencyRule

# Listed in one problem at most this many: the rest are counted.
LISTED = 8
_NOT_TERMS = frozenset({"examples", "not_examples", "message", "description", "id"})


@dataclass(frozen=True, order=True)
class CaughtNotExample(Problem):
    """A not-example a rule triggers, with the rule and the text (`grouped_by_term` names
    the term that caught it)."""

    rule_id: str = ""
    text: str = ""


def grouped_by_term(
    problems: Sequence[Problem], tiers: Sequence[EmergencyContent], content_dir: Path
) -> list[Problem]:
    """`problems` with the not-examples a rule caught regrouped by the rule's term that
    caught them: one problem at the term's line for a term that caught two or more, and
    the term named in the problem of one it caught alone. Every problem returned is a
    plain `Problem`."""
    caught: dict[tuple[str, str], list[CaughtNotExample]] = {}
    kept: list[Problem] = []
    for problem in problems:
        if isinstance(problem, CaughtNotExample):
            caught.setdefault((problem.file, problem.rule_id), []).append(problem)
        else:
            kept.append(problem)
    for (file, rule_id), found in caught.items():
        tier = next((tier for tier in tiers if tier.file == file), None)
        rule = tier.rule(rule_id) if tier is not None else None
        if tier is None or rule is None:
            kept.extend(_plain(problem) for problem in found)
            continue
        kept.extend(_by_term(found, rule, tier, content_dir / Path(file).name))
    return kept


def _by_term(
    found: list[CaughtNotExample], rule: EmergencyRule, tier: EmergencyContent, path: Path
) -> list[Problem]:
    terms = _terms(rule)
    # One detector whose every "rule" is one term of `rule`: which terms each text holds.
    detector = EmergencyDetector(
        tuple(EmergencyRule(str(number), term, all_of=((term,),)) for number, term in terms),
        "",
        tier.not_typos,
    )
    held = [
        [int(number) for number in detector.matching_rule_ids(problem.text)] for problem in found
    ]
    reach = Counter(number for numbers in held for number in numbers)
    by_term: dict[int, list[CaughtNotExample]] = {}
    unexplained: list[Problem] = []
    for problem, numbers in zip(found, held, strict=True):
        if not numbers:
            unexplained.append(_plain(problem))  # a phrase read despite a slip: the rule
            continue
        # The term that caught the most of them is the one to narrow.
        widest = max(numbers, key=lambda number: (reach[number], -number))
        by_term.setdefault(widest, []).append(problem)
    located = _located_rule(path, rule.id)
    problems = unexplained
    for number, items in by_term.items():
        term = terms[number][1]
        line = _line_of(located, term) if located is not None else None
        at = f" (line {line})" if line else ""
        if len(items) == 1:
            [one] = items
            problems.append(
                Problem(
                    one.file,
                    one.line,
                    f"not-example {one.text!r} triggers rule {rule.id!r} through its term "
                    f"{term!r}{at}; narrow that term or list a real word under `not_typos`",
                )
            )
            continue
        items.sort(key=lambda item: item.line)
        listed = "; ".join(f"{item.text!r} (line {item.line})" for item in items[:LISTED])
        more = f"; and {len(items) - LISTED} more" if len(items) > LISTED else ""
        problems.append(
            Problem(
                items[0].file,
                line or rule.line,
                f"term {term!r} of rule {rule.id!r} is too broad: it triggers the rule on "
                f"{len(items)} not-examples: {listed}{more}; narrow the term (more words, "
                "no '*') or list a real word it takes for a typo under `not_typos`",
            )
        )
    return problems


def _plain(problem: Problem) -> Problem:
    """The problem as every other is (sorted, compared and cached with them)."""
    return Problem(problem.file, problem.line, problem.message)


def _terms(rule: EmergencyRule) -> list[tuple[int, str]]:
    """Every term and phrase of `rule`, in every language, numbered in file order."""
    texts: list[str] = []
    for section in rule.by_language():
        for group in section.all_of:
            texts.extend(group)
        texts.extend(section.phrases)
    return list(enumerate(dict.fromkeys(texts)))


def _located_rule(path: Path, rule_id: str) -> LocatedDict | None:
    """The rule's mapping in the file as written, with its lines (None if unreadable)."""
    try:
        top = load_located_yaml(path)
    except (ContentError, OSError):
        return None
    rules = top.get("rules") if isinstance(top, LocatedDict) else None
    if not isinstance(rules, LocatedList):
        return None
    return next(
        (rule for rule in rules if isinstance(rule, LocatedDict) and rule.get("id") == rule_id),
        None,
    )


def _line_of(node: object, term: str) -> int | None:
    """The line where `term` is written under `node` (not in its examples)."""
    wanted = term.strip().lower()
    if isinstance(node, LocatedDict):
        for key, value in node.items():
            if key in _NOT_TERMS:
                continue
            if isinstance(value, str) and value.strip().lower() == wanted:
                return node.line_of(key)
            found = _line_of(value, term)
            if found is not None:
                return found
    elif isinstance(node, LocatedList):
        for index, value in enumerate(node):
            if isinstance(value, str) and value.strip().lower() == wanted:
                return node.line_of(index)
            found = _line_of(value, term)
            if found is not None:
                return found
    return None
