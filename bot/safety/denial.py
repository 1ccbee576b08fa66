"""A patient's denial of a sign ("no numbness, no bladder stuff, just pain").

A denial opener ("no", "without", "pas de", "sin"...) followed by the name of a sign says that
the sign is absent, and so does a sign named and then called fine ("breathing is fine", "heart's
ok", "je respire bien"); the words it covers run to the end of the clause, a contrast ("but",
"just", "mais") or a new subject ("I", "he"), at most `MAX_DENIED_WORDS` words. A negation is
often the symptom itself ("no feeling down there", "no puedo respirar"): loss words and
pronouns or verbs after the opener are never read as a denial, and the screen accepts a
denial only when the sign it sets aside is still found once the opener alone is dropped.
The words come from the clinic's `denial_*` word lists (content/emergency.yaml, `context`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.safety.readings import WordLists
from bot.safety.terms import normalise_words

MAX_DENIED_WORDS = 6
# Punctuation that ends a clause (the words themselves carry no punctuation once normalised).
# Words before a sign's subject that make "... fine" no denial ("not breathing normal").
_NEGATIONS = frozenset(
    {"not", "isnt", "arent", "wasnt", "no", "never", "barely", "hardly", "cant", "pas", "ne"}
)
_CLAUSE_BREAK = re.compile(r"[,.;:!?\n()\[\]،؛。，；！？—–]+| - ")


@dataclass(frozen=True)
class DenialWords:
    """The words a denial is read with: the `denial_*` word lists of content/emergency.yaml's
    `context` (every language's words together; a missing list reads as empty)."""

    # Openers as word sequences, longest first so "no tengo" is tried before "no".
    openers: tuple[tuple[str, ...], ...] = ()
    # English "no", "none", "zero": a denial only at a clause's start or after one of
    # `after_no` ("I have no...", "but no..."), never after a noun ("dor no peito").
    at_clause_start: frozenset[tuple[str, ...]] = frozenset()
    # English "not": a denial only as a clause's first word ("not dizzy, not faint").
    first_word: frozenset[tuple[str, ...]] = frozenset()
    after_no: frozenset[str] = frozenset()
    # Words of languages where "no" is "in the" or negates a verb: with one in the
    # message, the clause-start openers are not read.
    not_english: frozenset[str] = frozenset()
    # "Not a/an" denies only as "not an overdose or anything".
    not_a: tuple[tuple[str, ...], ...] = ()
    or_anything: tuple[tuple[str, ...], ...] = ()
    ends: frozenset[str] = frozenset()
    losses: frozenset[str] = frozenset()
    difficulties: frozenset[str] = frozenset()
    report_words: frozenset[str] = frozenset()
    comparisons: frozenset[str] = frozenset()
    # "Breathing is (totally) fine": a sign's subject, linking words, then a state of fine.
    fine_subjects: frozenset[str] = frozenset()
    fine_links: frozenset[str] = frozenset()
    fine_states: frozenset[str] = frozenset()

    @classmethod
    def of(cls, lists: WordLists) -> DenialWords:
        """The denial words of a clinic's word lists."""

        words = lists.normalised

        def sequences(name: str) -> tuple[tuple[str, ...], ...]:
            return tuple(tuple(word.split()) for word in words(name))

        return cls(
            openers=tuple(sorted(sequences("denial_openers"), key=len, reverse=True)),
            at_clause_start=frozenset(sequences("denial_openers_at_clause_start")),
            first_word=frozenset(sequences("denial_openers_first_word")),
            after_no=frozenset(words("denial_after_no")),
            not_english=frozenset(words("denial_not_english")),
            not_a=sequences("denial_not_a"),
            or_anything=sequences("denial_or_anything"),
            ends=frozenset(words("denial_ends")),
            losses=frozenset(words("denial_losses")),
            difficulties=frozenset(words("denial_difficulties")),
            report_words=frozenset(words("denial_report_words")),
            comparisons=frozenset(words("denial_comparisons")),
            fine_subjects=frozenset(words("denial_fine_subjects")),
            fine_links=frozenset(words("denial_fine_links")),
            fine_states=frozenset(words("denial_fine_states")),
        )


@dataclass(frozen=True)
class Denial:
    """A message with its denied signs left out, and with only the openers left out."""

    without_denied: list[str]
    without_openers: list[str]


def find_denials(text: str, lists: DenialWords) -> Denial | None:
    """The message's words without the signs it denies, or None when it denies none."""
    without_denied: list[str] = []
    without_openers: list[str] = []
    found = False
    english = lists.not_english.isdisjoint(normalise_words(text))
    for clause in _CLAUSE_BREAK.split(text):
        words = normalise_words(clause)
        at = 0
        while at < len(words):
            fine = _called_fine(words, at, lists)
            if fine:
                found = True
                without_openers.append(words[at])  # the subject: the sign's own word
                at += fine
                continue
            opener = _opener_at(words, at, lists, english=english)
            end = _denied_end(words, at + opener, lists) if opener else at
            if end > at + opener:
                found = True
                without_openers.extend(words[at + opener : end])
                at = end
                continue
            without_denied.append(words[at])
            without_openers.append(words[at])
            at += 1
    return Denial(without_denied, without_openers) if found else None


def _opener_at(words: list[str], at: int, lists: DenialWords, *, english: bool) -> int:
    """How many words of a denial opener start at `at` (0 when none)."""
    for not_a in lists.not_a:
        here = tuple(words[at : at + len(not_a)]) == not_a
        if english and here and _or_anything(words[at + len(not_a) :], lists):
            return len(not_a)
    for opener in lists.openers:
        if opener in lists.first_word and not (english and at == 0):
            continue
        if opener in lists.at_clause_start and not (
            english and (at == 0 or words[at - 1] in lists.after_no)
        ):
            continue
        if tuple(words[at : at + len(opener)]) == opener:
            return len(opener)
    return 0


def _called_fine(words: list[str], at: int, lists: DenialWords) -> int:
    """How many words "breathing is (totally) fine" takes from `at` (0 when the word at `at`
    is no sign's subject called fine): the state must end its clause or come before a word
    of `denial_ends` ("breathing's fine but my chest is crushing" denies the breathing only)."""
    subject = words[at]
    if subject not in lists.fine_subjects or (at > 0 and words[at - 1] in _NEGATIONS):
        return 0
    end = at + 1
    while end < len(words) and end - at <= 3 and words[end] in lists.fine_links:
        end += 1
    # "breathing normal" may be the sign ("not breathing normal"): a link word, or the
    # subject's own contraction ("breathing's fine", "heart's ok"), must say it is a state.
    contracted = subject.endswith("s") and subject[:-1] in lists.fine_subjects
    if end == at + 1 and not contracted:
        return 0
    if end >= len(words) or words[end] not in lists.fine_states:
        return 0
    end += 1
    if end < len(words) and words[end] not in lists.ends:
        return 0
    return end - at


def _or_anything(words: list[str], lists: DenialWords) -> bool:
    """Whether "or anything" follows within a few words ("not an overdose or anything")."""
    head = words[: MAX_DENIED_WORDS + 2]
    return any(
        tuple(head[i : i + len(tail)]) == tail
        for tail in lists.or_anything
        for i in range(len(head) - len(tail) + 1)
    )


def _denied_end(words: list[str], start: int, lists: DenialWords) -> int:
    """Where the words a denial covers end (`start` when it covers none)."""
    if start >= len(words) or words[start] in lists.report_words:
        return start
    end = start
    while end < len(words) and end - start < MAX_DENIED_WORDS and words[end] not in lists.ends:
        end += 1
    denied = words[start:end]
    if not lists.comparisons.isdisjoint(denied):
        return start  # "never had pain like this before": a new sign
    if not lists.losses.isdisjoint(denied) and lists.difficulties.isdisjoint(denied):
        return start  # "no bladder control" is a loss; "no shortness of breath" is a denial
    return end
