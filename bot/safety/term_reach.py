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
from bot.safety.emergency import ENGLISH, EmergencyContent, EmergencyDetector, EmergencyRule

# Listed in one problem at most this many: the rest are counted.
LISTED = 8
_NOT_TERMS = frozenset({"examples", "not_examples", "message", "description", "id"})


@dataclass(frozen=True, order=True)
class CaughtNotExample(Problem):
    """A not-example a rule triggers, with the rule and the text (`grouped_by_term` names
    the term that caught it)."""

    rule_id: str = ""
    text: str = ""
    # The language of the rule's words that matched it.
    language: str = "en"


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
        tuple(EmergencyRule(str(n), term.text, all_of=((term.text,),)) for n, term in terms),
        "",
        tier.not_typos,
    )
    held = [
        {int(number) for number in detector.matching_rule_ids(problem.text)} for problem in found
    ]
    reach = Counter(number for numbers in held for number in numbers)
    by_cause: dict[tuple[int, ...], list[CaughtNotExample]] = {}
    unexplained: list[Problem] = []
    for problem, numbers in zip(found, held, strict=True):
        cause = _cause(problem.language, numbers, terms, reach)
        if cause is None:
            unexplained.append(_plain(problem))  # a phrase read despite a slip: the rule
            continue
        by_cause.setdefault(cause, []).append(problem)
    located = _located_rule(path, rule.id)
    problems = unexplained
    for cause, items in by_cause.items():
        named = " + ".join(repr(terms[number][1].text) for number in cause)
        what = f"term {named}" if len(cause) == 1 else f"terms {named} (together)"
        lines = [
            line
            for number in cause
            if located is not None and (line := _term_line(located, terms[number][1], rule))
        ]
        at = f" (line{'s' if len(lines) > 1 else ''} {', '.join(map(str, lines))})" if lines else ""
        if len(items) == 1:
            [one] = items
            problems.append(
                Problem(
                    one.file,
                    one.line,
                    f"not-example {one.text!r} triggers rule {rule.id!r} through its {what}"
                    f"{at}; narrow {'that term' if len(cause) == 1 else 'one of them'} or list a "
                    "real word under `not_typos`",
                )
            )
            continue
        items.sort(key=lambda item: item.line)
        listed = "; ".join(f"{item.text!r} (line {item.line})" for item in items[:LISTED])
        more = f"; and {len(items) - LISTED} more" if len(items) > LISTED else ""
        problems.append(
            Problem(
                items[0].file,
                lines[0] if lines else rule.line,
                f"{what} of rule {rule.id!r} {'is' if len(cause) == 1 else 'are'} too broad: "
                f"{'it triggers' if len(cause) == 1 else 'they trigger'} the rule on "
                f"{len(items)} not-examples: {listed}{more}; narrow the term (more words, "
                "no '*') or list a real word it takes for a typo under `not_typos`",
            )
        )
    return problems


@dataclass(frozen=True)
class _Term:
    """One term or phrase of a rule, where it is written: its language and its all_of
    group (None for a phrase)."""

    text: str
    language: str
    group: int | None


def _cause(
    language: str, numbers: set[int], terms: list[tuple[int, _Term]], reach: Counter[int]
) -> tuple[int, ...] | None:
    """The term(s) of the matched language that made the rule fire on a text holding
    `numbers`: a phrase alone, else the held term of every all_of group (each group's
    widest); None when the text holds neither (read despite a slip)."""
    mine = [(n, term) for n, term in terms if term.language == language and n in numbers]
    if not mine:  # matched in another language's words
        mine = [(n, term) for n, term in terms if n in numbers]
    phrases = [n for n, term in mine if term.group is None]
    if phrases:
        return (max(phrases, key=lambda n: (reach[n], -n)),)
    groups = (
        {term.group for _, term in terms if term.language == mine[0][1].language} if mine else set()
    )
    chosen: list[int] = []
    for group in sorted(g for g in groups if g is not None):
        in_group = [n for n, term in mine if term.group == group]
        if not in_group:
            return None
        chosen.append(max(in_group, key=lambda n: (reach[n], -n)))
    return tuple(chosen) or None


def _plain(problem: Problem) -> Problem:
    """The problem as every other is (sorted, compared and cached with them)."""
    return Problem(problem.file, problem.line, problem.message)


def _terms(rule: EmergencyRule) -> list[tuple[int, _Term]]:
    """Every term and phrase of `rule`, in every language, numbered in file order."""
    terms: dict[tuple[str, str], _Term] = {}
    for section in rule.by_language():
        for group, words in enumerate(section.all_of):
            for word in words:
                terms.setdefault((section.language, word), _Term(word, section.language, group))
        for phrase in section.phrases:
            terms.setdefault((section.language, phrase), _Term(phrase, section.language, None))
    return list(enumerate(terms.values()))


def _term_line(located: LocatedDict, term: _Term, rule: EmergencyRule) -> int | None:
    """The line where `term` is written in its own language's part of the rule (English:
    the rule outside its other languages' sections)."""
    if term.language != ENGLISH:
        return _line_of(located.get(term.language), term.text)
    others = frozenset(section.language for section in rule.translations)
    return _line_of(located, term.text, _NOT_TERMS | others)


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


def _line_of(node: object, term: str, skipped: frozenset[str] = _NOT_TERMS) -> int | None:
    """The line where `term` is written under `node` (not under its `skipped` keys)."""
    wanted = term.strip().lower()
    if isinstance(node, LocatedDict):
        for key, value in node.items():
            if key in skipped:
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
