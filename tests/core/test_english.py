"""The English word list the matcher reads."""

from __future__ import annotations

from spellchecker import SpellChecker

from bot.core.english import english_frequencies, english_words


def test_the_list_read_directly_is_the_one_pyspellchecker_builds() -> None:
    built = SpellChecker(language="en", distance=1).word_frequency
    assert english_frequencies() == {word: int(count) for word, count in built.items()}
    assert {"mattress", "prime", "bank"} <= english_words()
    assert "terified" not in english_words()
