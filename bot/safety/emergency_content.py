"""Loading and checking content/emergency.yaml, with `file:line: what to fix` problems."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.content.model import Review
from bot.content.problems import ContentError, Problem, display_path
from bot.content.schema import ProblemLog, read_yaml_with_problems
from bot.content.yaml_source import LocatedDict, LocatedList
from bot.safety.emergency import EmergencyContent, EmergencyRule
from bot.safety.terms import PREFIX_MARK, parse_term

EMERGENCY_FILE = "emergency.yaml"
MAX_MESSAGE_CHARS = 1500  # one short chat message; the reply must be read at a glance
MIN_PREFIX_CHARS = 3  # "a*" would match half the language
_TOP_KEYS = ("reviewed", "message", "not_typos", "not_examples", "rules")
_RULE_KEYS = ("id", "description", "message", "all_of", "phrases", "examples", "not_examples")
_REVIEW_KEYS = ("by", "on")
_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class _Reader(ProblemLog):
    """The shared content problem log plus the few readers emergency rules need."""

    def message(self, mapping: LocatedDict, where: str, required: bool) -> str | None:
        message = self.text(mapping, "message", where, required=required)
        if message is not None and len(message) > MAX_MESSAGE_CHARS:
            self.add(
                mapping.line_of("message"),
                f"'message' in {where} is {len(message)} characters; keep it under "
                f"{MAX_MESSAGE_CHARS} so it is read at a glance",
            )
        return message

    def phrases(self, mapping: LocatedDict, key: str, where: str) -> tuple[tuple[str, int], ...]:
        """A list of texts under `key` with their lines (empty when absent)."""
        return self.text_list(self.optional_sequence(mapping, key), key, where)

    def text_list(self, value: LocatedList, key: str, where: str) -> tuple[tuple[str, int], ...]:
        """The texts of a YAML list with their lines; a problem for each item that is not text."""
        found: list[tuple[str, int]] = []
        for index, item in enumerate(value):
            is_text = isinstance(item, str | int | float) and not isinstance(item, bool)
            if is_text and str(item).strip():
                found.append((str(item).strip(), value.line_of(index)))
            else:
                self.add(value.line_of(index), f"each item of '{key}' in {where} must be text")
        return tuple(found)

    def terms(self, texts: tuple[tuple[str, int], ...], where: str) -> tuple[str, ...]:
        """The texts that work as terms (have a word; prefixes long enough)."""
        return tuple(term for term, line in texts if self.term_ok(term, line, where))

    def term_ok(self, term: str, line: int, where: str) -> bool:
        words = parse_term(term)
        if not words:
            self.add(line, f"term {term!r} in {where} has no letters or digits")
            return False
        short = [w.text for w in words if w.prefix and len(w.text) < MIN_PREFIX_CHARS]
        if short:
            self.add(
                line,
                f"prefix {short[0] + PREFIX_MARK!r} in {where} is too short; "
                f"use at least {MIN_PREFIX_CHARS} letters before {PREFIX_MARK}",
            )
            return False
        return True

    def groups(self, rule: LocatedDict, where: str) -> tuple[tuple[str, ...], ...]:
        if "all_of" not in rule:
            return ()
        value = self.sequence(rule["all_of"], rule.line_of("all_of"), f"'all_of' in {where}")
        if not value:
            if value is not None:
                self.add(rule.line_of("all_of"), f"'all_of' in {where} has no groups")
            return ()
        groups: list[tuple[str, ...]] = []
        for index, group in enumerate(value):
            what = f"each group of 'all_of' in {where}"
            items = self.sequence(group, value.line_of(index), what)
            terms = self.terms(self.text_list(items, "all_of", where), where) if items else ()
            if terms:
                groups.append(terms)
            elif items is not None:
                self.add(value.line_of(index), f"{what} needs at least one term")
        return tuple(groups)


def _review(reader: _Reader, top: LocatedDict) -> Review | None:
    value = top.get("reviewed")
    if not isinstance(value, LocatedDict):
        reader.add(
            top.line_of("reviewed"),
            "the file needs 'reviewed' with 'by' (who checked it) and 'on' (YYYY-MM-DD)",
        )
        return None
    reader.unknown_keys(value, _REVIEW_KEYS, "'reviewed'")
    by = reader.text(value, "by", "'reviewed'")
    on = value.get("on")
    if isinstance(on, datetime):
        on = on.date()
    if isinstance(on, str):
        try:
            on = date.fromisoformat(on.strip())
        except ValueError:
            on = None
    if not isinstance(on, date):
        reader.add(value.line_of("on"), "'on' in 'reviewed' must be a date such as 2026-11-15")
        return None
    return Review(by=by, on=on) if by is not None else None


def _rule(reader: _Reader, raw: Any, line: int) -> EmergencyRule | None:
    if not isinstance(raw, LocatedDict):
        reader.add(line, "each rule must be a mapping with 'id', 'description', 'examples', ...")
        return None
    rule_id = reader.text(raw, "id", "a rule")
    where = f"rule {rule_id!r}" if rule_id else "this rule"
    if rule_id is not None and not _RULE_ID.match(rule_id):
        reader.add(
            raw.line_of("id"),
            f"rule id {rule_id!r} must be lower case letters, digits and _ (e.g. chest_pain)",
        )
    reader.unknown_keys(raw, _RULE_KEYS, where)
    description = reader.text(raw, "description", where)
    message = reader.message(raw, where, required=False)
    groups = reader.groups(raw, where)
    phrases = reader.terms(reader.phrases(raw, "phrases", where), where)
    if "all_of" not in raw and "phrases" not in raw:
        reader.add(raw.line, f"{where} needs 'all_of' groups or 'phrases' to match on")
    examples = reader.phrases(raw, "examples", where)
    if not examples:
        reader.add(
            raw.line_of("examples"),
            f"{where} needs 'examples': messages that must trigger it (they are tested)",
        )
    not_examples = reader.phrases(raw, "not_examples", where)
    if rule_id is None or description is None:
        return None
    return EmergencyRule(
        id=rule_id,
        description=description,
        all_of=groups,
        phrases=phrases,
        examples=tuple(text for text, _ in examples),
        not_examples=tuple(text for text, _ in not_examples),
        message=message,
        line=raw.line,
        example_lines=tuple(line for _, line in examples),
        not_example_lines=tuple(line for _, line in not_examples),
    )


def _rules(reader: _Reader, top: LocatedDict) -> tuple[EmergencyRule, ...]:
    value = top.get("rules")
    if not isinstance(value, LocatedList) or not value:
        reader.add(top.line_of("rules"), "the file needs 'rules', a non-empty list of rules")
        return ()
    rules: list[EmergencyRule] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(value):
        rule = _rule(reader, raw, value.line_of(index))
        if rule is None:
            continue
        if rule.id in seen:
            reader.add(
                rule.line, f"duplicate rule id {rule.id!r} (first used on line {seen[rule.id]})"
            )
            continue
        seen[rule.id] = rule.line
        rules.append(rule)
    return tuple(rules)


def _read(content_dir: Path) -> tuple[EmergencyContent | None, list[Problem]]:
    """The content (None when unusable) and every problem in its schema."""
    path = content_dir / EMERGENCY_FILE
    top, problems = read_yaml_with_problems(path)
    if problems:
        return None, problems
    reader = _Reader(display_path(path))
    if not isinstance(top, LocatedDict):
        reader.add(1, "the file must be a mapping with 'reviewed', 'message' and 'rules'")
        return None, reader.problems
    reader.unknown_keys(top, _TOP_KEYS, "the file")
    review = _review(reader, top)
    message = reader.message(top, "the file", required=True)
    not_typos = reader.phrases(top, "not_typos", "the file")
    not_examples = reader.phrases(top, "not_examples", "the file")
    rules = _rules(reader, top)
    if review is None or message is None or not rules or reader.problems:
        return None, reader.problems
    content = EmergencyContent(
        message=message,
        rules=rules,
        reviewed=review,
        not_examples=tuple(text for text, _ in not_examples),
        not_example_lines=tuple(line for _, line in not_examples),
        not_typos=tuple(text for text, _ in not_typos),
        file=reader.file,
    )
    return content, reader.problems


def load_emergency_content(content_dir: Path) -> EmergencyContent:
    """The clinic's emergency rules and replies; `ContentError` lists every problem."""
    content, problems = _read(content_dir)
    if content is None or problems:
        raise ContentError(problems)
    return content


def check_emergency_content(content_dir: Path) -> list[Problem]:
    """Every problem in emergency.yaml, including examples that do not behave as promised."""
    content, problems = _read(content_dir)
    if content is None:
        return problems
    return problems + example_problems(content)


def example_problems(content: EmergencyContent) -> list[Problem]:
    """Examples that miss their rule, and not-examples that trigger any rule."""
    detector = content.detector()
    problems: list[Problem] = []
    for rule in content.rules:
        for text, line in zip(rule.examples, rule.example_lines, strict=True):
            if rule.id not in detector.matching_rule_ids(text):
                problems.append(
                    Problem(
                        content.file,
                        line,
                        f"example {text!r} does not trigger rule {rule.id!r}; "
                        "add a term or phrase that covers it",
                    )
                )
        problems.extend(_false_alarms(content, rule.not_examples, rule.not_example_lines))
    problems.extend(_false_alarms(content, content.not_examples, content.not_example_lines))
    return problems


def _false_alarms(
    content: EmergencyContent, texts: tuple[str, ...], lines: tuple[int, ...]
) -> list[Problem]:
    detector = content.detector()
    problems: list[Problem] = []
    for text, line in zip(texts, lines, strict=True):
        triggered = detector.matching_rule_ids(text)
        if triggered:
            problems.append(
                Problem(
                    content.file,
                    line,
                    f"not-example {text!r} triggers rule {triggered[0]!r}; "
                    "narrow that rule's terms or list a real word under `not_typos`",
                )
            )
    return problems
