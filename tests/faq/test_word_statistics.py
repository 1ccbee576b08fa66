"""Word statistics frozen beside the content: an added entry does not reweigh other words."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.faq_statistics import (
    ENGLISH,
    FAQ_STATISTICS_FILE,
    read_statistics,
    write_statistics,
)
from bot.content.model import MatcherStatistics
from bot.faq.matcher import FaqMatcher
from tests.faq.conftest import SMALL_FAQ, SMALL_SYNONYMS

# An entry on a topic the small FAQ does not have, sharing only everyday words with it.
LOST_PROPERTY = (
    "lost_property",
    ["did I leave my umbrella at the clinic", "where do forgotten items go", "I lost my keys"],
)
QUESTION = "how much is a session"


def _score(matcher: FaqMatcher, text: str, faq_id: str) -> float:
    return next(c.score for c in matcher.rank(text, limit=10) if c.faq_id == faq_id)


@pytest.fixture
def frozen() -> MatcherStatistics:
    """The small FAQ's own statistics, as `ims-bot faq freeze-stats` would keep them."""
    return FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS).word_statistics("small")


def test_an_added_entry_leaves_other_questions_scores_as_they_were(
    frozen: MatcherStatistics,
) -> None:
    before = _score(FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS), QUESTION, "cost")
    grown = [*SMALL_FAQ, LOST_PROPERTY]
    # Weighed by its own content, the grown FAQ reweighs "how", "is", "a": the score moves.
    assert _score(FaqMatcher(grown, SMALL_SYNONYMS), QUESTION, "cost") != before
    kept = FaqMatcher(grown, SMALL_SYNONYMS, statistics=frozen)
    assert _score(kept, QUESTION, "cost") == before
    # The added entry itself is found by its own words.
    assert kept.match("I think I lost my umbrella").faq_id == "lost_property"


def test_frozen_statistics_of_the_same_content_change_no_score(
    frozen: MatcherStatistics,
) -> None:
    live = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS)
    kept = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, statistics=frozen)
    for text in ("does ims hurt", "do you reuse needles", "can I book online", "parking?"):
        assert [(c.faq_id, c.score) for c in kept.rank(text)] == [
            (c.faq_id, c.score) for c in live.rank(text)
        ]


def test_an_faq_grown_far_past_its_statistics_still_weighs_every_word_above_zero(
    frozen: MatcherStatistics,
) -> None:
    # Twenty new entries all about massage: more entries use "massage" than the frozen
    # statistics counted entries at all.
    grown = [*SMALL_FAQ] + [
        (f"massage_{n}", [f"massage question {n}", f"about massage {n}", f"massage {n}"])
        for n in range(20)
    ]
    matcher = FaqMatcher(grown, SMALL_SYNONYMS, statistics=frozen)
    best = matcher.rank("massage question 7", limit=1)[0]
    assert best.faq_id == "massage_7" and best.score > 0.5


def test_statistics_read_back_as_written(frozen: MatcherStatistics, tmp_path: Path) -> None:
    path = tmp_path / FAQ_STATISTICS_FILE
    write_statistics(path, {ENGLISH: frozen})
    parts, notes = read_statistics(path)
    assert parts == {ENGLISH: frozen} and notes == []
    # Single-use words are only counted; a matcher on what was read scores as the original.
    assert frozen.words.single_use > 0
    assert _score(
        FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, statistics=parts[ENGLISH]), QUESTION, "cost"
    ) == (_score(FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS), QUESTION, "cost"))


def test_unreadable_statistics_are_a_note_and_words_are_weighed_by_the_content(
    tmp_path: Path,
) -> None:
    path = tmp_path / FAQ_STATISTICS_FILE
    path.write_text('{"version": 1, "en": {"words": 3}}\n', encoding="utf-8")
    parts, notes = read_statistics(path)
    assert parts == {}
    assert [note.message.split(";")[0] for note in notes] == [
        "the FAQ's word statistics cannot be read, so words are weighed by today's content"
    ]
