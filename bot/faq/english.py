"""Which words are real English words, from pyspellchecker's English frequency list.

The matcher asks two things of a word the FAQ never uses. Is it a real word ("prime",
"bank", "mattress")? Then it is what the patient is asking about, and it must not be
"repaired" into the FAQ word one letter away ("price", "back"). Or is it no word at all
("terified", "ther", "assesment")? Then it is most likely a slip, and it should not
weigh like a topic the clinic does not cover. A rare word one slip away from a far more
common FAQ word ("cots" next to "cost") is taken for a slip too: frequencies tell.
"""

from __future__ import annotations

from functools import cache

from spellchecker import SpellChecker


@cache
def english_frequencies() -> dict[str, int]:
    """How often each English word occurs in the list's source texts (loaded once)."""
    frequencies = SpellChecker(language="en", distance=1).word_frequency
    return {word: int(count) for word, count in frequencies.items()}


@cache
def english_words() -> frozenset[str]:
    """The shared English word list, lower case (about 160,000 words; loaded once)."""
    return frozenset(english_frequencies())
