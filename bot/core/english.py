"""Which words are real English words, from pyspellchecker's English frequency list.

The matcher asks two things of a word the FAQ never uses. Is it a real word ("prime",
"bank", "mattress")? Then it is what the patient is asking about, and it must not be
"repaired" into the FAQ word one letter away ("price", "back"). Or is it no word at all
("terified", "ther", "assesment")? Then it is most likely a slip, and it should not
weigh like a topic the clinic does not cover. A rare word one slip away from a far more
common FAQ word ("cots" next to "cost") is taken for a slip too: frequencies tell.
"""

from __future__ import annotations

import gzip
import json
import pkgutil
from functools import cache

# pyspellchecker's English list, read as its SpellChecker reads it.
WORD_LIST = ("spellchecker", "resources/en.json.gz")


@cache
def english_frequencies() -> dict[str, int]:
    """How often each English word occurs in the list's source texts (loaded once).

    Read straight from the packaged list, lower-cased as pyspellchecker does (counts of
    words that differ only in case added up): building a SpellChecker also indexes its
    letters and totals for spelling correction, which we never use, and takes about four
    times as long (the matcher's build, and so every start and content check, waits on it).
    """
    packed = pkgutil.get_data(*WORD_LIST)
    if packed is None:  # pragma: no cover - a loader that cannot read package data
        from spellchecker import SpellChecker

        return {word: int(n) for word, n in SpellChecker(language="en").word_frequency.items()}
    listed: dict[str, int] = json.loads(gzip.decompress(packed).decode("utf-8"))
    frequencies = {word.lower(): count for word, count in listed.items()}
    if len(frequencies) != len(listed):  # words that differ only in case: counts added up
        frequencies = {}
        for word, count in listed.items():
            frequencies[word.lower()] = frequencies.get(word.lower(), 0) + count
    return frequencies


@cache
def english_words() -> frozenset[str]:
    """The shared English word list, lower case (about 160,000 words; loaded once)."""
    return frozenset(english_frequencies())


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def one_slip_away(word: str) -> set[str]:
    """Every string one deletion, swap, change or insertion of a letter away from `word`."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {left + right[1:] for left, right in splits if right}
    swaps = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    changes = {left + c + right[1:] for left, right in splits if right for c in _LETTERS}
    inserts = {left + c + right for left, right in splits for c in _LETTERS}
    return deletes | swaps | changes | inserts
