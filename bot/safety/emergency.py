"""The emergency screen: recognise an emergency described in free text, and answer it.

Runs on every message before anything else, so it is pure (no Telegram), fast and never
raises. Rules come from content/emergency.yaml (see README.md, "Emergency screen"). The
screen errs on the side of caution: a sentence such as "no chest pain" still triggers it.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import numpy.typing as npt
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
# Before the costly partial_ratio, a phrase must share enough character trigrams with the
# text. A window within k insertions or deletions of the phrase keeps all but at most
# GRAM_SIZE * k of the phrase's trigrams (the q-gram lemma), so a phrase that shares fewer
# cannot score PHRASE_CUTOFF: the filter skips only phrases that could never match.
GRAM_SIZE = 3
EDIT_BOUND_SLACK = 1e-6
_CODE_BITS = 21  # Unicode code points fit in 21 bits, so a trigram fits in one int64
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
    _grams: _PhraseGrams = field(init=False, repr=False)

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
        self._grams = _PhraseGrams(self._fuzzy_phrases)

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
        # Every fitting phrase that could reach the cutoff is scored: a prefilter on its ends
        # would skip a long phrase typed with a slip at each end, while the trigram count
        # only skips phrases no slips could bring to the cutoff.
        fitting = {int(i): self._fuzzy_phrases[i] for i in self._grams.candidates(padded, longest)}
        if not fitting:
            return set()
        hits = process.extract(
            padded, fitting, scorer=fuzz.partial_ratio, score_cutoff=PHRASE_CUTOFF, limit=None
        )
        return {self._fuzzy_phrase_rule[index] for _, _, index in hits}


class _PhraseGrams:
    """The character trigrams of each fuzzy phrase, to count how many a text contains."""

    def __init__(self, phrases: list[str]) -> None:
        codes = [_gram_codes(phrase) for phrase in phrases]
        flat = np.concatenate(codes) if codes else np.zeros(0, dtype=np.int64)
        self._known, self._gram_of = np.unique(flat, return_inverse=True)
        self._phrase_of = np.repeat(np.arange(len(phrases)), [len(c) for c in codes])
        self._count = len(phrases)
        self._needed = np.array([_grams_needed(len(phrase)) for phrase in phrases])
        self._lengths = np.array([len(phrase) for phrase in phrases], dtype=np.intp)

    def candidates(self, padded: str, longest: int) -> list[int]:
        """Phrases of at most `longest` characters that could reach the cutoff in `padded`:
        shorter phrases sharing enough trigrams; any other (partial_ratio then slides the
        text over the phrase, and the count does not apply)."""
        fits = self._lengths <= longest
        keep = fits & ((self._lengths >= len(padded)) | self._possible(padded))
        return [int(i) for i in np.flatnonzero(keep)]

    def _possible(self, padded: str) -> npt.NDArray[np.bool_]:
        """Per phrase: whether it shares enough trigrams with `padded` to reach the cutoff."""
        codes = _gram_codes(padded)
        spot = np.minimum(np.searchsorted(self._known, codes), max(len(self._known) - 1, 0))
        present = np.zeros(len(self._known), dtype=np.float64)
        if len(self._known):
            present[spot[self._known[spot] == codes]] = 1.0
        shared = np.bincount(self._phrase_of, weights=present[self._gram_of], minlength=self._count)
        return np.asarray(shared >= self._needed)


def _gram_codes(padded: str) -> npt.NDArray[np.int64]:
    """Each character trigram of `padded` as one integer (its three code points)."""
    points = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    if len(points) < GRAM_SIZE:
        return np.zeros(0, dtype=np.int64)
    return np.asarray((points[:-2] << (2 * _CODE_BITS)) | (points[1:-1] << _CODE_BITS) | points[2:])


def _grams_needed(length: int) -> int:
    """Trigrams a phrase of `length` characters keeps in any window it scores the cutoff on."""
    # ratio = 1 - distance / (length + window), window <= length: so the distance is at most
    # 2 * length * (1 - cutoff); the epsilon keeps a distance exactly on the bound.
    most_edits = math.floor(2 * length * (1.0 - PHRASE_CUTOFF / 100.0) + EDIT_BOUND_SLACK)
    return length - GRAM_SIZE + 1 - GRAM_SIZE * most_edits


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
    return [Reply(text=text, urgent=True)]
