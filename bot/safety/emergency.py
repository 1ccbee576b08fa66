"""The emergency screen: recognise an emergency described in free text, and answer it.

Runs on every message before anything else, so it is pure (no Telegram), fast and never
raises. Rules come from content/emergency.yaml (see README.md, "Emergency screen"). The
screen errs on the side of caution: a sentence such as "no chest pain" still triggers it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz import fuzz, process

from bot.content.model import Review
from bot.core.replies import Reply
from bot.safety.terms import (
    CompiledTerm,
    TermIndex,
    TermWord,
    compile_term,
    normalise_text,
    normalise_words,
    parse_term,
)

logger = logging.getLogger(__name__)

# A long phrase also matches character by character (catching "short ofbreath", "dont
# wantto live") when its normalised form has at least this many characters and scores at
# least this high; shorter phrases would match too much inside ordinary sentences.
MIN_FUZZY_PHRASE_CHARS = 15
PHRASE_CUTOFF = 94.0
PHRASE_LENGTH_SLACK = 2  # a phrase may be this much longer than the text (missing spaces)
CLINIC_PHONE_LINE = "For anything that is not an emergency, the clinic's number is {phone}."


@dataclass(frozen=True)
class EmergencyRule:
    """One emergency sign: the words that reveal it and the phrases that prove it works."""

    id: str
    description: str
    # Every group must have one of its terms in the text ...
    all_of: tuple[tuple[str, ...], ...] = ()
    # ... or any one of these phrases appears.
    phrases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    not_examples: tuple[str, ...] = ()
    message: str | None = None  # replaces the general emergency message for this rule
    line: int = 0
    example_lines: tuple[int, ...] = ()
    not_example_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class EmergencyHit:
    """An emergency was recognised: which rule, and the message to show."""

    rule_id: str
    message: str


@dataclass(frozen=True)
class EmergencyContent:
    """The reviewed emergency rules and replies of a clinic."""

    message: str
    rules: tuple[EmergencyRule, ...]
    reviewed: Review
    # Ordinary clinic questions that must never trigger any rule.
    not_examples: tuple[str, ...] = ()
    not_example_lines: tuple[int, ...] = ()
    # Real words that look like a typo of a term ("ladder" near "bladder").
    not_typos: tuple[str, ...] = ()
    file: str = "content/emergency.yaml"

    def detector(self) -> EmergencyDetector:
        """The detector for these rules (built once, then shared)."""
        return self._detector

    @cached_property
    def _detector(self) -> EmergencyDetector:
        return EmergencyDetector(self.rules, self.message, self.not_typos)


@dataclass(frozen=True)
class _TermGroup:
    """Terms of which one must be present: one-word terms as a set, longer ones in order."""

    single: frozenset[int]
    # Longer terms by their first word, so only those whose first word is present are tried.
    several_by_start: dict[int, tuple[CompiledTerm, ...]]
    several_starts: frozenset[int]

    @classmethod
    def of(cls, terms: tuple[CompiledTerm, ...]) -> _TermGroup:
        by_start: dict[int, list[CompiledTerm]] = {}
        for term in terms:
            if len(term.word_ids) > 1:
                by_start.setdefault(term.word_ids[0], []).append(term)
        return cls(
            single=frozenset(t.word_ids[0] for t in terms if len(t.word_ids) == 1),
            several_by_start={start: tuple(group) for start, group in by_start.items()},
            several_starts=frozenset(by_start),
        )

    def found_in(self, positions: dict[int, list[int]], present: frozenset[int]) -> bool:
        """Whether a term is in the text (`present`: the keys of `positions`, as a set)."""
        if not self.single.isdisjoint(present):
            return True
        starts = self.several_starts & present
        return any(
            term.found_in(positions) for start in starts for term in self.several_by_start[start]
        )


@dataclass(frozen=True)
class _CompiledRule:
    rule: EmergencyRule
    message: str
    groups: tuple[_TermGroup, ...]
    phrases: _TermGroup

    def matches(
        self, positions: dict[int, list[int]], present: frozenset[int], phrase_hit: bool
    ) -> bool:
        if phrase_hit or self.phrases.found_in(positions, present):
            return True
        return bool(self.groups) and all(
            group.found_in(positions, present) for group in self.groups
        )


@dataclass
class EmergencyDetector:
    """Finds the first rule (in file order) that a text triggers."""

    rules: tuple[EmergencyRule, ...]
    default_message: str
    not_typos: tuple[str, ...] = ()
    _compiled: tuple[_CompiledRule, ...] = field(init=False, repr=False)
    _index: TermIndex = field(init=False, repr=False)
    _fuzzy_phrases: list[str] = field(init=False, repr=False)
    _fuzzy_phrase_rule: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        parsed = {term: parse_term(term) for term in _all_terms(self.rules)}
        self._index = TermIndex((words for words in parsed.values() if words), self.not_typos)
        self._compiled = tuple(self._compile(rule, parsed) for rule in self.rules)
        self._fuzzy_phrases = []
        self._fuzzy_phrase_rule = []
        for number, rule in enumerate(self.rules):
            for phrase in rule.phrases:
                padded = _padded(normalise_text(phrase))
                if len(padded) - 2 >= MIN_FUZZY_PHRASE_CHARS and not _has_marks(parsed[phrase]):
                    self._fuzzy_phrases.append(padded)
                    self._fuzzy_phrase_rule.append(number)

    def _compile(
        self, rule: EmergencyRule, parsed: dict[str, tuple[TermWord, ...]]
    ) -> _CompiledRule:
        def terms(texts: tuple[str, ...]) -> _TermGroup:
            return _TermGroup.of(
                tuple(compile_term(self._index, parsed[t]) for t in texts if parsed[t])
            )

        return _CompiledRule(
            rule=rule,
            message=rule.message or self.default_message,
            groups=tuple(terms(group) for group in rule.all_of),
            phrases=terms(rule.phrases),
        )

    def detect(self, text: str) -> EmergencyHit | None:
        """The emergency `text` describes, or None; never raises."""
        try:
            return self._detect(text)
        except Exception as error:  # the screen must never take the conversation down
            # Only the error's type: its message or traceback could quote the patient.
            logger.error("emergency screen failed (%s); message not screened", type(error).__name__)
            return None

    def matching_rule_ids(self, text: str) -> list[str]:
        """Ids of every rule `text` triggers (for content checks and tests)."""
        words = normalise_words(text)
        positions = self._index.positions(words)
        present = frozenset(positions)
        phrase_rules = self._phrase_rules(" ".join(words))
        return [
            compiled.rule.id
            for number, compiled in enumerate(self._compiled)
            if compiled.matches(positions, present, number in phrase_rules)
        ]

    def _detect(self, text: str) -> EmergencyHit | None:
        words = normalise_words(text)
        if not words:
            return None
        positions = self._index.positions(words)
        present = frozenset(positions)
        phrase_rules = self._phrase_rules(" ".join(words))
        for number, compiled in enumerate(self._compiled):
            if compiled.matches(positions, present, number in phrase_rules):
                return EmergencyHit(compiled.rule.id, compiled.message)
        return None

    def _phrase_rules(self, normalised: str) -> set[int]:
        if not normalised or not self._fuzzy_phrases:
            return set()
        padded = _padded(normalised)
        # partial_ratio also finds a short text inside a long phrase ("no" in "no reason to
        # live"); only phrases that fit in the text may match.
        longest = len(padded) + PHRASE_LENGTH_SLACK
        # Every fitting phrase is scored: a prefilter on its ends would skip a long phrase
        # typed with a slip at each end, and a missed emergency costs more than the time.
        fitting = {i: p for i, p in enumerate(self._fuzzy_phrases) if len(p) <= longest}
        if not fitting:
            return set()
        hits = process.extract(
            padded, fitting, scorer=fuzz.partial_ratio, score_cutoff=PHRASE_CUTOFF, limit=None
        )
        return {self._fuzzy_phrase_rule[index] for _, _, index in hits}


def _has_marks(words: tuple[TermWord, ...]) -> bool:
    # A phrase written with `=` or `*` says exactly which words count: no character fuzz.
    return any(word.exact or word.prefix for word in words)


def _padded(normalised: str) -> str:
    # Spaces on both sides keep a phrase from matching inside a longer word.
    return f" {normalised} "


def _all_terms(rules: tuple[EmergencyRule, ...]) -> set[str]:
    terms: set[str] = set()
    for rule in rules:
        terms.update(rule.phrases)
        for group in rule.all_of:
            terms.update(group)
    return terms


def emergency_replies(hit: EmergencyHit, clinic_phone: str | None) -> list[Reply]:
    """The patient's reply to an emergency: the emergency message, then the clinic's phone."""
    text = hit.message.strip()
    if clinic_phone and clinic_phone.strip():
        text = f"{text}\n\n{CLINIC_PHONE_LINE.format(phone=clinic_phone.strip())}"
    return [Reply(text=text)]
