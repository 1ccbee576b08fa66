"""The clinic's treatment's names and questions asking what a thing is.

"What is dry needling?" asks what the clinic's treatment is when "dry needling" is in the
synonym group holding "ims" (one treatment, many names): the reader (bot.faq.reading)
answers it with the entry whose wordings most often ask what one of those names is. The
tables here are read from the content alone, so `ims-bot content check` can note (without
a matcher) when an edit to the group or to those wordings switches that reading off.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from bot.content.model import FaqContent
from bot.content.problems import Problem
from bot.core.text import WORDS_CACHE_SIZE, normalise, word_set
from bot.faq.matcher import slips_forgiven
from bot.faq.text import SynonymMap, analyse, generic_stems

# The clinic's treatment's name; its synonym group holds its other names.
TREATMENT_NAME = "ims"
# "What is sciatica?", "Plantar fasciitis explained", "what does whiplash mean": a question
# asking what a thing is (the reader answers it only with an entry that says what that
# thing is: one of its wordings asks what the same subject is).
_DEFINITION_RES = (
    re.compile(r"^(?:(?:so|but|and|ok|okay) )?what is (?:(?:a|an|the) )?(?P<subject>.+)$"),
    re.compile(r"^what does (?:(?:a|an|the) )?(?P<subject>.+) mean$"),
    re.compile(r"^(?P<subject>.+) (?:explained|meaning|definition|defined)$"),
)
# Words that make the rest a question, not a name ("what is it used for").
_NOT_A_NAME = word_set(
    """it this that your my our their his her its you i we they used for to of in on with
    and or best right wrong cost price like actually really exactly involved done needed
    required included covered expected happening going"""
)
# A subject word this long may be a slip of the subject an entry defines (as many slips as
# the matcher forgives in a word of that length).
MIN_SUBJECT_SLIP_LENGTH = 3
MAX_DEFINED_WORDS = 3  # a longer rest is a question of its own, not a name
# Words after a name that do not narrow it ("what is dry needling anyway?").
_AFTER_A_NAME = word_set("anyway anyways exactly actually really then though please")
MAX_NAME_WORDS = 4  # "myofascial trigger point needling"
# French "qu'est-ce que le dry needling ?" in canonical words (bot/faq/french.py).
_FRENCH_DEFINITION_RE = re.compile(r"^what (?:the|a|an) (?P<subject>.+)$")


def defined_subject(plain: str, synonyms: SynonymMap) -> frozenset[str]:
    """The subject words of normalised `plain` when it asks only what a thing is."""
    named = _subject_words(plain, _DEFINITION_RES, MAX_DEFINED_WORDS)
    if named is None:
        return frozenset()  # "what is TDN used to treat", "what is your address"
    return frozenset(analyse(" ".join(named), synonyms)) - generic_stems()


def _subject_words(
    plain: str,
    patterns: tuple[re.Pattern[str], ...],
    max_words: int,
    trailing: frozenset[str] = frozenset(),
) -> list[str] | None:
    """The words of the thing normalised `plain` asks the meaning of (by the first of
    `patterns` it matches, `trailing` words dropped from its end), or None when it asks
    something else or names more than `max_words` words."""
    for pattern in patterns:
        found = pattern.match(plain)
        if found is None:
            continue
        named = found.group("subject").split()
        while named and named[-1] in trailing:
            named.pop()
        if not named or len(named) > max_words or any(w in _NOT_A_NAME for w in named):
            return None
        return named
    return None


def definitions(
    plain: dict[str, tuple[str, ...]], synonyms: SynonymMap
) -> dict[str, list[frozenset[str]]]:
    """Per entry, the subjects its normalised wordings (`plain`) ask what they are."""
    return {
        entry_id: [found for p in wordings if (found := defined_subject(p, synonyms))]
        for entry_id, wordings in plain.items()
    }


def treatment_entries(
    defines: dict[str, list[frozenset[str]]], treatment: frozenset[str]
) -> frozenset[str]:
    """The entries one of whose wordings asks what the treatment (its stems) is."""
    return frozenset(
        entry_id
        for entry_id, subjects in defines.items()
        if any(treatment <= found for found in subjects)
    )


def _treatment_group(faq: FaqContent) -> tuple[str, ...]:
    """The synonym group holding the treatment's name ("ims"), or ()."""
    return next(
        (g for g in faq.synonyms if any(normalise(name) == TREATMENT_NAME for name in g)), ()
    )


def treatment_names(
    faq: FaqContent | None, plain: dict[str, tuple[str, ...]], entries: frozenset[str]
) -> dict[str, str]:
    """The clinic's treatment's names (its synonym group: "IMS", "dry needling", "trigger
    point needling", "Gunn IMS") -> the entry saying what the treatment is, the one of
    `entries` (the treatment entries) whose wordings (`plain`) most often ask what one of
    those names is. One treatment, many names: "what is dry needling?" asks what the
    clinic's treatment is; only a question that compares the names reaches a comparison
    entry."""
    if faq is None:
        return {}
    names = {normalise(name) for name in _treatment_group(faq)} - {""}
    asking = sorted(
        (
            (sum(1 for p in plain[entry_id] if name_asked(p) in names), entry_id)
            for entry_id in entries
        ),
        reverse=True,
    )
    if not asking or asking[0][0] == 0:
        return {}
    return dict.fromkeys(names, asking[0][1])


def entry_for_name(names: dict[str, str], asked: str | None) -> str | None:
    """The entry `names` (name -> entry) gives the name `asked`, with a slip forgiven in
    each of its words ("what is dry neddling"), or None."""
    if not asked:
        return None
    if asked in names:
        return names[asked]
    words = asked.split()
    return next(
        (
            entry_id
            for name, entry_id in sorted(names.items())
            if len(name.split()) == len(words)
            and all(w == n or slip_of(w, n) for w, n in zip(words, name.split(), strict=True))
        ),
        None,
    )


def treatment_name_notes(faq: FaqContent) -> list[Problem]:
    """What `ims-bot content check` notes (the content still loads) for a clinic whose
    synonyms or wordings leave the reading of "what is <a name of the treatment>?" off:
    no synonym group holds "ims"; no entry's wording asks what one of its names is; a
    wording of the entry that answers that reading asks what a name is that the group does
    not hold (taken out of the group, "what is dry needling?" reaches that entry only by
    its wording, and a slip in it no more); or a wording of another entry asks what a name
    of the treatment is (such questions go to the answering entry)."""
    group = _treatment_group(faq)
    first_line = faq.entries[0].line if faq.entries else 0
    if not group:
        return [
            Problem(
                faq.file,
                first_line,
                f"no synonym group holds '{TREATMENT_NAME}': questions asking what a name of "
                "the treatment is ('what is dry needling?') are read by their wording alone; "
                f"put the treatment's names in one synonym group with '{TREATMENT_NAME}'",
            )
        ]
    synonyms = SynonymMap(faq.synonyms)
    plain = {entry.id: tuple(normalise(p) for p in entry.phrasings) for entry in faq.entries}
    treatment = frozenset(analyse(TREATMENT_NAME, synonyms))
    named = treatment_names(faq, plain, treatment_entries(definitions(plain, synonyms), treatment))
    if not named:
        return [
            Problem(
                faq.file,
                first_line,
                f"no entry's wording asks what '{TREATMENT_NAME}' or another name in its "
                'synonym group is ("What is IMS?"), so no entry answers "what is dry '
                'needling?" as the treatment: add that wording to the entry saying what it is',
            )
        ]
    answering = next(iter(named.values()))
    problems = []
    for entry in faq.entries:
        for index, wording in enumerate(entry.phrasings):
            asked = name_asked(plain[entry.id][index])
            message = _name_wording_problem(named, answering, entry.id, wording, asked)
            if message is not None:
                line = entry.phrasing_lines[index] if index < len(entry.phrasing_lines) else 0
                problems.append(Problem(faq.file, line or entry.line, message))
    return problems


def _name_wording_problem(
    named: dict[str, str], answering: str, entry_id: str, wording: str, asked: str | None
) -> str | None:
    """What is wrong with `wording` of `entry_id`, which asks what `asked` is, for the
    reading of "what is <name>?" (`named`: the treatment's names -> `answering`, the entry
    that reading answers)."""
    if asked is None:
        return None
    reached = entry_for_name(named, asked)
    if entry_id != answering:
        if reached is None:
            return None
        return (
            f"'{wording}' of '{entry_id}' asks what a name of the treatment is, but such "
            f"questions are answered by '{answering}' (the entry with most of those wordings): "
            "move the wording there"
        )
    if reached == answering or any(re.search(rf"\b{re.escape(n)}\b", asked) for n in named):
        return None  # a name and more ("the IMS therapy physios offer") is no name alone
    return (
        f"'{wording}' of '{entry_id}' asks what '{asked}' is, but that name is not in the "
        f"synonym group holding '{TREATMENT_NAME}': other wordings of \"what is {asked}?\" "
        f"may not reach '{entry_id}'; add the name to that group (out of any other)"
    )


def name_asked(plain: str) -> str | None:
    """The name normalised `plain` asks the meaning of, as written ("what is dry needling"
    -> "dry needling"), or None when it asks something else."""
    patterns = (*_DEFINITION_RES, _FRENCH_DEFINITION_RE)
    named = _subject_words(plain, patterns, MAX_NAME_WORDS, _AFTER_A_NAME)
    return " ".join(named) if named is not None else None


@lru_cache(maxsize=WORDS_CACHE_SIZE)
def slip_of(word: str, other: str) -> bool:
    """Whether stem `word` is one slip from stem `other` (two from a long one)."""
    if min(len(word), len(other)) < MIN_SUBJECT_SLIP_LENGTH:
        return False
    allowed = slips_forgiven(len(other))
    return Levenshtein.distance(word, other, score_cutoff=allowed) <= allowed
