"""`FaqMatcher.without_phrasing` ranks exactly as a matcher built without that phrasing."""

from __future__ import annotations

import pytest

from bot.clinic_content import load_content
from bot.content.model import FaqContent
from bot.faq.matcher import FaqMatcher

from .conftest import CONTENT_DIR, SMALL_FAQ, SMALL_SYNONYMS

TOPICS = [("shop", ["do you sell foam rollers", "how much does a brace cost"])]


def rebuilt(
    entries: list[tuple[str, list[str]]],
    entry: int,
    phrasing: int,
    reference: FaqMatcher,
    synonyms: list[list[str]] | tuple[tuple[str, ...], ...],
    topics: list[tuple[str, list[str]]],
) -> FaqMatcher:
    """A matcher built from scratch without the phrasing, on the reference's scale and
    word statistics (the shipped FAQ's are frozen in content/faq_statistics.json)."""
    others = [
        (faq_id, [p for i, p in enumerate(texts) if not (index == entry and i == phrasing)])
        for index, (faq_id, texts) in enumerate(entries)
    ]
    matcher = FaqMatcher(
        others,
        synonyms,
        reference.thresholds,
        out_of_scope=topics,
        statistics=reference._statistics,
    )
    matcher._scale = reference._scale  # the one thing left out: see without_phrasing
    return matcher


def test_every_phrasing_left_out_ranks_as_a_rebuilt_index() -> None:
    reference = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, out_of_scope=TOPICS)
    queries = [text for _, texts in SMALL_FAQ for text in texts] + ["how much is a brace"]
    for entry, (_, texts) in enumerate(SMALL_FAQ):
        for phrasing in range(len(texts)):
            left_out = reference.without_phrasing(entry, phrasing)
            fresh = rebuilt(SMALL_FAQ, entry, phrasing, reference, SMALL_SYNONYMS, TOPICS)
            for query in queries:
                assert left_out.rank(query, 5) == fresh.rank(query, 5), (entry, phrasing, query)


@pytest.fixture(scope="module")
def shipped() -> tuple[FaqContent, FaqMatcher, FaqMatcher]:
    """The shipped FAQ, the reference matcher the cases leave phrasings out of, and a
    second matcher built the same way that no case touches (building one takes about a
    second of CPU)."""
    faq = load_content(CONTENT_DIR).faq
    return faq, FaqMatcher.from_content(faq), FaqMatcher.from_content(faq)


@pytest.mark.parametrize("entry", [0, 7, 20, 35])
def test_shipped_faq_left_out_ranks_as_a_rebuilt_index(
    entry: int, shipped: tuple[FaqContent, FaqMatcher, FaqMatcher]
) -> None:
    faq, reference, untouched = shipped
    entries = [(e.id, list(e.phrasings)) for e in faq.entries]
    topics = [(t.id, list(t.examples)) for t in faq.out_of_scope]
    text = entries[entry][1][1]
    left_out = reference.without_phrasing(entry, 1)
    fresh = rebuilt(entries, entry, 1, reference, faq.synonyms, topics)
    assert left_out.rank(text, 5) == fresh.rank(text, 5)
    assert left_out.rank(text, 5) != reference.rank(text, 5)  # leaving it out mattered
    assert reference.rank(text, 5) == untouched.rank(text, 5)  # the reference is unchanged
