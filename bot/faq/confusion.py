"""Content check: phrasings the matcher would confuse with another entry.

Each phrasing is left out of the index and matched against everything else, as if a
patient had typed it. When another entry wins, or comes within the answer margin, the
clinic should reword the phrasing or move it to the entry it really belongs to.
"""

from __future__ import annotations

from bot.content.model import FaqContent, FaqEntry
from bot.content.problems import Problem
from bot.faq.matcher import FaqMatcher

RANK_DEPTH = 5
QUOTE_CHARS = 60
# A phrasing's rivals score about the same with or without it in the index, so only
# phrasings whose best rival comes this close to the suggest threshold get the (slower)
# leave-one-out check.
PREFILTER_SLACK = 0.05


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _without(faq: FaqContent, entry_index: int, phrasing_index: int) -> list[tuple[str, list[str]]]:
    """All entries' phrasings, minus one phrasing of one entry."""
    result: list[tuple[str, list[str]]] = []
    for index, entry in enumerate(faq.entries):
        phrasings = list(entry.phrasings)
        if index == entry_index:
            del phrasings[phrasing_index]
        result.append((entry.id, phrasings))
    return result


def _line(entry: FaqEntry, phrasing_index: int) -> int:
    if phrasing_index < len(entry.phrasing_lines):
        return entry.phrasing_lines[phrasing_index]
    return entry.line


def check_confusable_phrasings(faq: FaqContent) -> list[Problem]:
    """A problem for each phrasing that matches another entry as well as its own."""
    reference = FaqMatcher.from_content(faq)
    thresholds = reference.thresholds
    problems: list[Problem] = []
    for entry_index, entry in enumerate(faq.entries):
        for phrasing_index, text in enumerate(entry.phrasings):
            rival = next(
                (c for c in reference.rank(text, RANK_DEPTH) if c.faq_id != entry.id), None
            )
            if rival is None or rival.score < thresholds.suggest - PREFILTER_SLACK:
                continue
            matcher = FaqMatcher(
                _without(faq, entry_index, phrasing_index), faq.synonyms, thresholds
            )
            ranked = matcher.rank(text, RANK_DEPTH)
            own = next((c.score for c in ranked if c.faq_id == entry.id), 0.0)
            rival = next((c for c in ranked if c.faq_id != entry.id), None)
            if rival is None or rival.score < thresholds.suggest:
                continue  # nothing else would be offered for this phrasing
            if rival.score > own or own - rival.score < thresholds.margin:
                kind = "question" if phrasing_index == 0 else "alternate"
                problems.append(
                    Problem(
                        faq.file,
                        _line(entry, phrasing_index),
                        f"{kind} '{_quote(text)}' of '{entry.id}' is too close to entry "
                        f"'{rival.faq_id}' (scores {own:.2f} vs {rival.score:.2f}): "
                        "reword it or move it",
                    )
                )
    return problems
