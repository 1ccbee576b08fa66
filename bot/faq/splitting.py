"""The questions one message asks: "does it hurt and how much is it?" is two.

A message is split at its question marks, or before an "and" / "also" that starts a new
question; small talk is no part, and a part of one word is no question of its own.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.core.small_talk import small_talk_kind
from bot.core.text import WORDS_CACHE_SIZE, normalise, word_set

MIN_PART_WORDS = 2  # a part shorter than this is no question of its own ("and you?")
# A part after "and" / "also" must start like a question to be one ("and how much is
# it"), so "can I have IMS and exercise the same day" stays one question.
QUESTION_STARTS = word_set(
    """how what when where why who which whats hows wheres whos do does did is are am
    can could will would should shall may might r u any"""
)
JOINERS = frozenset({"and", "also", "plus", "n", "nd", "an"})
_QUESTION_END_RE = re.compile(r"(?<=\?)\s*")


def question_parts(text: str, *, no_small_talk: bool = False) -> list[str]:
    """The questions a message asks, in order: its "?"-ended sentences with whatever follows
    the last one ("is IMS ok? also I'm on heparin"), or its parts either side of an "and" /
    "also" that starts a new question. Small talk is no part ("does it hurt? thanks");
    one part means one question. `no_small_talk`: the caller found `text` is none."""
    pieces = [part.strip() for part in _QUESTION_END_RE.split(text) if part.strip()]
    # A signed thanks ends a long message as one of its parts ("... different? Thank you,
    # Hilda"): the parts are read, and were tuned, that way.
    pieces = [
        part
        for part in pieces
        if (no_small_talk and part == text) or small_talk_kind(part, signed=False) is None
    ]
    if len(pieces) >= 2 and any(part.endswith("?") for part in pieces):
        parts = pieces
    else:
        parts = _split_at_joiner(pieces[0] if pieces else text)
    return [part for part in parts if len(normalise(part).split()) >= MIN_PART_WORDS]


def _split_at_joiner(text: str) -> list[str]:
    """`text` split before the first "and"/"also" that starts a question, if one does."""
    raw = text.split()
    for index in range(1, len(raw) - 1):
        joiner = _normalised_word(raw[index])
        following = _normalised_word(raw[index + 1]).split()
        if joiner in JOINERS and following and following[0] in QUESTION_STARTS:
            left, right = " ".join(raw[:index]), " ".join(raw[index + 1 :])
            return [left.rstrip(",;"), right]
    return [text]


@lru_cache(maxsize=WORDS_CACHE_SIZE)
def _normalised_word(word: str) -> str:
    """One typed word, normalised: words recur from message to message, messages seldom."""
    return normalise(word)


# "I'm on blood thinners and I'm also diabetic, can I still do IMS?": two things told, then
# one question about both. The told part is split at its first "and" / "also", and each
# half, a few words long, is asked the shared question.
_CLAUSE_END_RE = re.compile(r"[.,;:!]\s+|\s+-+\s+")
_TOLD_JOINER_RE = re.compile(
    r"\s*\b(?:and also|and|also|as well as|plus)\b\s*|\.\s+also\s+", re.IGNORECASE
)
MAX_TOLD_WORDS = 8  # a longer half tells a story, whose "and" joins anything


def shared_question_parts(text: str) -> list[tuple[str, str]]:
    """The two things `text` tells before one question about both, each with the question
    (("I'm on blood thinners", "can I still do IMS?"), ("I'm also diabetic", ...)); else
    none."""
    breaks = list(_CLAUSE_END_RE.finditer(text.rstrip()))
    if not breaks:
        return []
    last = breaks[-1]
    told, question = text[: last.start()].strip(), text[last.end() :].strip()
    if not question.endswith("?") and _first_word(question) not in QUESTION_STARTS:
        return []
    halves = [half.strip(" ,;.") for half in _TOLD_JOINER_RE.split(told, maxsplit=1)]
    if len(halves) != 2 or not all(
        0 < len(normalise(half).split()) <= MAX_TOLD_WORDS for half in halves
    ):
        return []
    if any(_first_word(half) in QUESTION_STARTS for half in halves):
        return []  # "what is it, and does it hurt": two questions, split elsewhere
    return [(half, question) for half in halves]


def _first_word(text: str) -> str:
    found = normalise(text).split()
    return found[0] if found else ""
