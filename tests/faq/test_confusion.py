"""The content check for phrasings the matcher would confuse."""

from __future__ import annotations

from dataclasses import replace

from bot.content.model import FaqContent, FaqEntry, OutOfScopeTopic
from bot.faq.confusion import check_confusable_phrasings

from .conftest import SMALL_FAQ, SMALL_SYNONYMS

LINES_PER_ENTRY = 10


def content(extra_alternate: tuple[str, str] | None = None) -> FaqContent:
    """The small test FAQ as content, entry i's phrasings on lines 10*i+1, 10*i+2, ..."""
    entries = []
    for index, (faq_id, phrasings) in enumerate(SMALL_FAQ):
        texts = list(phrasings)
        if extra_alternate and extra_alternate[0] == faq_id:
            texts.append(extra_alternate[1])
        first = LINES_PER_ENTRY * index + 1
        lines = tuple(range(first, first + len(texts)))
        entries.append(
            FaqEntry(faq_id, texts[0], tuple(texts[1:]), "answer", "general", phrasing_lines=lines)
        )
    synonyms = tuple(tuple(group) for group in SMALL_SYNONYMS)
    return FaqContent(tuple(entries), synonyms=synonyms, file="faq.yaml")


def test_distinct_entries_raise_no_problem() -> None:
    assert check_confusable_phrasings(content()) == []


def test_alternate_that_belongs_to_another_entry_is_reported_at_its_line() -> None:
    faq = content(("does_it_hurt", "how much does one session cost"))
    problems = check_confusable_phrasings(faq)
    # The misplaced alternate, and the cost question it now shadows.
    assert [(p.file, p.line) for p in problems] == [("faq.yaml", 14), ("faq.yaml", 31)]
    message = problems[0].message
    assert "alternate 'how much does one session cost' of 'does_it_hurt'" in message
    assert "too close to entry 'cost'" in message
    assert message.endswith("reword it or move it")


def test_alternate_an_out_of_scope_topic_would_take_over_is_reported() -> None:
    shop = OutOfScopeTopic("shop", ("how much does a foam roller cost", "do you sell braces"))
    faq = replace(
        content(("cost", "how much does a foam roller cost to buy")), out_of_scope=(shop,)
    )
    problems = check_confusable_phrasings(faq)
    assert [p.line for p in problems] == [34]  # the cost entry's fourth phrasing
    assert "too close to out-of-scope topic 'shop'" in problems[0].message
    assert problems[0].message.endswith("reword it, or narrow that topic's examples")
