"""The word statistics to freeze beside the content (bot.content.faq_statistics): each
FAQ language's matcher built on today's content, weighing words by that content alone."""

from __future__ import annotations

from dataclasses import replace

from bot.content.faq_statistics import ENGLISH, FRENCH, wording_fingerprint
from bot.content.model import FaqContent, MatcherStatistics
from bot.faq.french import FrenchFaq
from bot.faq.matcher import FaqMatcher


def todays_statistics(
    faq: FaqContent, faq_fr: FaqContent | None = None
) -> dict[str, MatcherStatistics]:
    """The statistics of `faq` (and of its French version `faq_fr`), by language."""
    english = replace(faq, word_statistics=None)
    parts = {ENGLISH: FaqMatcher.from_content(english).word_statistics(wording_fingerprint(faq))}
    if faq_fr is not None:
        french = FrenchFaq(replace(faq_fr, word_statistics=None), english)
        parts[FRENCH] = french.matcher.word_statistics(wording_fingerprint(faq_fr))
    return parts
