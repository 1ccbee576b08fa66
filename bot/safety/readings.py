"""The screen's reading of who, when and what for, as content a clinic can read and edit.

`content/emergency.yaml`'s `context` holds, beside its phrase lists, a small grammar: named
word lists per language (`word_lists`) and word patterns built from them, in three kinds:
figures of speech set aside before the rules run ("choking on these forms"), calm readings
under which named rules do not fire ("out of breath on the stairs like always"), and settled
states that read as past history unless an alarm word is told ("my heart checked out fine").

A pattern is a line of words, read left to right over the normalised message:

    word          the word itself ("fine"); `word*` any word starting so ("sweat*")
    {list}        any word or phrase of the named word list, in any language
    (a b|c)       one of the alternatives, each itself a pattern
    x?            `x` (a word, a list or a group) may be left out
    ...3          up to three words of anything
    !(a|b) x      `x`, but not right after "a" or "b" (also `!{list} x`)
    #+            any number written in digits ("3 weeks"); in a word, `#` is one digit
                  ("19##": a year from 1900 to 1999)
    => rest       what follows must come next but is not part of the match (not set aside)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from bot.safety.terms import PREFIX_MARK, normalise_text

_TOKEN = re.compile(r"\.\.\.\d+|!\(|!\{[^}\s]*\}|\{[^}\s]*\}|=>|[()|?]|[^\s()|?{}]+")
MAX_GAP = 9  # "...N": more than this many free words would join unrelated clauses
ALL_RULES = "all"  # a calm reading's `rules: [all]`
DIGIT_MARK = "#"
ANY_NUMBER = "#+"


class PatternError(ValueError):
    """A pattern that cannot be read, with what to fix."""


@dataclass(frozen=True)
class WordLists:
    """Named word lists, each with its words per language (file order)."""

    by_name: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)

    def words(self, name: str) -> tuple[str, ...]:
        """Every language's words of list `name`, once each, in file order."""
        seen: dict[str, None] = {}
        for words in self.by_name[name].values():
            seen.update(dict.fromkeys(words))
        return tuple(seen)

    def normalised(self, name: str) -> tuple[str, ...]:
        """The words of list `name` as the screen reads them; none when it is not written."""
        if name not in self.by_name:
            return ()
        return tuple(word for word in map(normalise_text, self.words(name)) if word)


def compile_pattern(text: str, lists: WordLists) -> str:
    """The regular expression (over a padded normalised text) that `text` describes."""
    tokens = _TOKEN.findall(text)
    body, at = _sequence(tokens, 0, lists, top=True)
    if at != len(tokens):
        raise PatternError(f"unexpected {tokens[at]!r} in pattern {text!r}")
    if not body:
        raise PatternError(f"pattern {text!r} has no words")
    return body


def _sequence(tokens: list[str], at: int, lists: WordLists, *, top: bool) -> tuple[str, int]:
    parts: list[str] = []
    while at < len(tokens) and tokens[at] not in ("|", ")"):
        token = tokens[at]
        if token == "=>":
            if not top:
                raise PatternError("'=>' belongs outside parentheses")
            rest, at = _sequence(tokens, at + 1, lists, top=True)
            if not rest:
                raise PatternError("'=>' needs words after it")
            parts.append(f"(?={rest})")
            continue
        if token.startswith("!"):
            words = _behind(tokens, at, lists)
            at = at + 1 if token.startswith("!{") else _group_end(tokens, at) + 1
            parts.append("".join(f"(?<!{re.escape(w)} )" for w in words))
            continue
        atom, at = _atom(tokens, at, lists)
        if at < len(tokens) and tokens[at] == "?":
            atom, at = f"(?:{atom})?", at + 1
        parts.append(atom)
    return "".join(parts), at


def _atom(tokens: list[str], at: int, lists: WordLists) -> tuple[str, int]:
    token = tokens[at]
    if token == "(":
        alternatives: list[str] = []
        at += 1
        while True:
            body, at = _sequence(tokens, at, lists, top=False)
            if not body:
                raise PatternError("an empty alternative inside '( )'")
            alternatives.append(body)
            if at >= len(tokens):
                raise PatternError("'(' without its ')'")
            if tokens[at] == ")":
                return f"(?:{'|'.join(alternatives)})", at + 1
            at += 1  # "|"
    if token.startswith("..."):
        count = int(token[3:])
        if not 1 <= count <= MAX_GAP:
            raise PatternError(f"'{token}': allow 1 to {MAX_GAP} free words")
        return rf"(?:\S+ ){{0,{count}}}?", at + 1
    if token.startswith("{"):
        return f"(?:{'|'.join(_word(w) for w in _list(token[1:-1], lists))})", at + 1
    if token in ("?", ")", "|"):
        raise PatternError(f"{token!r} has nothing before it")
    return _word(token), at + 1


def _word(text: str) -> str:
    if text == ANY_NUMBER:
        return r"\d+ "
    if DIGIT_MARK in text:
        digits = (re.escape(normalise_text(part)) for part in text.split(DIGIT_MARK))
        return r"\d".join(digits) + " "
    if "\\" in text:
        # A regular-expression escape ("\\d+") would be read as its letters ("d").
        raise PatternError(
            f"{text!r}: patterns are words, not regular expressions; write #+ for a number"
        )
    prefix = text.endswith(PREFIX_MARK)
    normalised = normalise_text(text.rstrip(PREFIX_MARK))
    if not normalised:
        raise PatternError(f"{text!r} has no letters or digits")
    return re.escape(normalised) + (r"\w* " if prefix else " ")


def _list(name: str, lists: WordLists) -> tuple[str, ...]:
    if name not in lists.by_name:
        known = ", ".join(sorted(lists.by_name)) or "none"
        raise PatternError(f"no word list {name!r} in 'word_lists' (known: {known})")
    return lists.words(name)


def _group_end(tokens: list[str], at: int) -> int:
    """Where the ")" closing the group opened at `at` is."""
    depth = 0
    for index in range(at, len(tokens)):
        if tokens[index] in ("(", "!("):
            depth += 1
        elif tokens[index] == ")":
            depth -= 1
            if depth == 0:
                return index
    raise PatternError("'!(' without its ')'")


def _behind(tokens: list[str], at: int, lists: WordLists) -> tuple[str, ...]:
    """The plain word phrases of a `!(a|b c)` or `!{list}` (fixed words only)."""
    token = tokens[at]
    if token.startswith("!{"):
        phrases = _list(token[2:-1], lists)
    else:
        inside = tokens[at + 1 : _group_end(tokens, at)]
        phrases = tuple(" ".join(p) for p in _split_on_bars(inside))
    normalised = tuple(normalise_text(p) for p in phrases)
    if not all(normalised) or any(PREFIX_MARK in p or "..." in p for p in phrases):
        raise PatternError("'!( )' takes plain words only, e.g. !(not|never)")
    return normalised


def _split_on_bars(tokens: list[str]) -> list[list[str]]:
    groups: list[list[str]] = [[]]
    for token in tokens:
        if token == "|":
            groups.append([])
        elif token in ("(", ")", "?", "=>") or token.startswith(("{", "...")):
            raise PatternError("'!( )' takes plain words only, e.g. !(not|never)")
        else:
            groups[-1].append(token)
    return groups


@dataclass(frozen=True)
class PatternSet:
    """Patterns found as one: any of them, the first written winning where they overlap."""

    patterns: tuple[str, ...] = ()
    compiled: tuple[str, ...] = ()
    lines: tuple[int, ...] = ()

    @cached_property
    def _regex(self) -> re.Pattern[str] | None:
        if not self.compiled:
            return None
        return re.compile(" (?:" + "|".join(self.compiled) + ")")

    def found(self, padded: str) -> bool:
        """Whether any pattern is in `padded` (a normalised text with a space at each end)."""
        return self._regex is not None and self._regex.search(padded) is not None

    def before_first(self, padded: str) -> str:
        """`padded` up to where the first pattern is found (all of it when none is)."""
        found = None if self._regex is None else self._regex.search(padded)
        return padded if found is None else padded[: found.start()]

    def removed(self, padded: str) -> str:
        """`padded` with every match of the patterns replaced by a space."""
        return padded if self._regex is None else self._regex.sub(" ", padded)


@dataclass(frozen=True)
class FigureOfSpeech:
    """Words that look like a sign but name something else: set aside before the rules run."""

    name: str
    patterns: PatternSet
    line: int = 0
    # Words that keep the figure from being read ("pills ready for the trip… tonight").
    unless: PatternSet = field(default_factory=PatternSet)


@dataclass(frozen=True)
class CalmReading:
    """A reading under which some rules do not fire: every `all_of` set is found and no
    `none_of` pattern is ("breathless on the stairs like always", with no alarm word)."""

    name: str
    rules: tuple[str, ...]
    all_of: tuple[PatternSet, ...]
    none_of: PatternSet = field(default_factory=PatternSet)
    line: int = 0

    def calms(self, rule_id: str) -> bool:
        """Whether the reading keeps rule `rule_id` from firing."""
        return rule_id in self.rules or ALL_RULES in self.rules

    def applies(self, padded: str) -> bool:
        """Whether the reading fits `padded` (a normalised text with a space at each end)."""
        return all(part.found(padded) for part in self.all_of) and not self.none_of.found(padded)


@dataclass(frozen=True)
class Frame:
    """A frame a sign can be told in without happening to anyone now: a show, a course, a
    form, a hypothetical ("our training says call 911 if bleeding won't stop"). It holds a
    sentence that has one of its `markers`; with `signs`, only those sign words are
    framed (sport talk frames "choked in the final", never a head injury at the game)."""

    name: str
    markers: PatternSet
    signs: PatternSet = field(default_factory=PatternSet)
    line: int = 0


@dataclass(frozen=True)
class ContextGrammar:
    """The clinic's grammar beside the context phrase lists (empty when none is written)."""

    word_lists: WordLists = field(default_factory=WordLists)
    figures_of_speech: tuple[FigureOfSpeech, ...] = ()
    calm_readings: tuple[CalmReading, ...] = ()
    # A settled state ("my heart checked out fine") reads as past history unless one of
    # `settled_unless` is told beside it.
    settled: PatternSet = field(default_factory=PatternSet)
    settled_unless: PatternSet = field(default_factory=PatternSet)
    # Words that keep a sign now even beside history words ("ever since the needling").
    now_despite_history: PatternSet = field(default_factory=PatternSet)
    # An answer to a question about history is read as history when it tells one of
    # `told_history` (a past event, a standing condition) and none of `turn_to_now` (a
    # history set against something new: "but this is different", "this morning").
    told_history: PatternSet = field(default_factory=PatternSet)
    turn_to_now: PatternSet = field(default_factory=PatternSet)
    # Where a hypothetical clause starts ("if", "in case", "si"): in a risk question, a sign
    # after it is imagined.
    hypothetical: PatternSet = field(default_factory=PatternSet)
    # Words that keep a rule's emergency from ever being judged "not happening now" (a sign
    # after a treatment, "right now", a cry for help): the 911 reply stands.
    never_lowered: PatternSet = field(default_factory=PatternSet)
    # Words of a plan, a means, a place or a farewell that may tell of suicide without the
    # word: never a rule of their own (too many harmless readings), they make the learned
    # second opinion read the message as one the rules came near, and a reply that is not
    # the emergency one then carries the crisis line (9-8-8) and 911.
    self_harm_cues: PatternSet = field(default_factory=PatternSet)
    # Frames a sign is told in, and what breaks one: a present, first-person or witnessed
    # report in the clause that tells the sign ("I'm watching a film and my chest is crushing").
    frames: tuple[Frame, ...] = ()
    frame_breakers: PatternSet = field(default_factory=PatternSet)
    # The urgent net: a report of a present health problem (a sign word and someone it is
    # happening to now), for messages no rule or FAQ entry answers.
    urgent_net: CalmReading | None = None

    def frames_of(self, padded: str) -> tuple[Frame, ...]:
        """The frames whose markers are in `padded` (a normalised sentence, padded)."""
        return tuple(frame for frame in self.frames if frame.markers.found(padded))

    def without_figures(self, padded: str) -> tuple[str, bool]:
        """`padded` without the figures of speech, and whether any was there."""
        found = False
        for figure in self.figures_of_speech:
            if figure.patterns.found(padded) and not figure.unless.found(padded):
                padded, found = figure.patterns.removed(padded), True
        return padded, found
