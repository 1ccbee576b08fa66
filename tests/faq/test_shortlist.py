"""Retrieve, then rerank: only the entries the cheap signals rank best get the fuzzy signal."""

from __future__ import annotations

import pytest

from bot.clinic_content import load_content
from bot.faq.evaluation import load_labelled
from bot.faq.matcher import FaqMatcher, MatchResult
from tests.faq.conftest import CONTENT_DIR, DEV_FILE, LABELLED_FILE


@pytest.fixture(scope="module")
def matcher() -> FaqMatcher:
    return FaqMatcher.from_content(load_content(CONTENT_DIR).faq)


def _decisions(matcher: FaqMatcher, texts: list[str]) -> list[MatchResult]:
    return [matcher.match(text) for text in texts]


def test_the_shortlist_changes_no_answer_or_suggestion(matcher: FaqMatcher) -> None:
    texts = [q.query for path in (LABELLED_FILE, DEV_FILE) for q in load_labelled(path)]
    shortlisted = _decisions(matcher, texts)
    every = matcher.fuzzy_shortlist
    try:
        matcher.fuzzy_shortlist = len(matcher.faq_ids) + 1000  # every entry: no shortlist
        scored_in_full = _decisions(matcher, texts)
    finally:
        matcher.fuzzy_shortlist = every
    for text, short, full in zip(texts, shortlisted, scored_in_full, strict=True):
        assert (short.decision, short.faq_id) == (full.decision, full.faq_id), text
        # What the patient sees: the answer and its score, or the "did you mean" list (an
        # answer's runners-up and a fallback's closest entries are not shown).
        if full.decision == "answer":
            assert short.score == full.score, text
        if full.decision == "suggest":
            assert short.suggestions == full.suggestions, text


def test_a_slip_still_finds_its_entry(matcher: FaqMatcher) -> None:
    # The fuzzy signal matters most for slips; the entry they mean is on the short list.
    result = matcher.match("how much dose a sesion cost")
    assert result.decision == "answer"
    assert result.faq_id is not None and "cost" in result.faq_id
