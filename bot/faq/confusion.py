"""Content check: phrasings the matcher would confuse with another entry.

Each phrasing is left out of the index and matched against everything else, as if a
patient had typed it. When another entry (or an out-of-scope topic) wins, or comes within
the answer margin, the clinic should reword the phrasing or move it to the entry it
really belongs to. A phrasing the emergency screen catches is reported too: the screen
runs first, so that entry's answer could never be reached by it.
"""

from __future__ import annotations

from bot.content.model import FaqContent, FaqEntry
from bot.content.problems import Problem
from bot.faq.matcher import Candidate, FaqMatcher
from bot.safety.emergency import EmergencyDetector

RANK_DEPTH = 5
QUOTE_CHARS = 60
# A phrasing's rivals score about the same with or without it in the index, so only
# phrasings whose best rival comes this close to the answer threshold get the (slower)
# leave-one-out check.
PREFILTER_SLACK = 0.05
# Left out, a phrasing is compared with its own entry's few other phrasings, so a lower
# own score is normal; only a rival this close to verbatim means it is in the wrong place.
NEAR_DUPLICATE = 0.8
# Leaving a phrasing out of the index is the slow part (about 10 ms), so it is
# done only for phrasings whose best rival already scores this well with it in. Leaving a
# phrasing out raised its best rival by at most 0.07 over a sample of the shipped FAQ's
# 190 candidates; this floor leaves twice that slack below NEAR_DUPLICATE.
LEAVE_ONE_OUT_FLOOR = NEAR_DUPLICATE - 0.15


def _quote(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def _line(entry: FaqEntry, phrasing_index: int) -> int:
    if phrasing_index < len(entry.phrasing_lines):
        return entry.phrasing_lines[phrasing_index]
    return entry.line


def _problem(faq: FaqContent, entry: FaqEntry, index: int, own: float, rival: Candidate) -> Problem:
    kind = "question" if index == 0 else "alternate"
    if rival.out_of_scope:
        what = f"out-of-scope topic '{rival.faq_id}'"
        fix = "reword it, or narrow that topic's examples"
    else:
        what = f"entry '{rival.faq_id}'"
        fix = "reword it or move it"
    return Problem(
        faq.file,
        _line(entry, index),
        f"{kind} '{_quote(entry.phrasings[index])}' of '{entry.id}' is too close to {what} "
        f"(scores {own:.2f} vs {rival.score:.2f}): {fix}",
    )


def _rival(ranked: list[Candidate], faq_id: str) -> tuple[float, Candidate | None]:
    """The own entry's score and the best other entry."""
    own = next((c.score for c in ranked if c.faq_id == faq_id), 0.0)
    return own, next((c for c in ranked if c.faq_id != faq_id), None)


def check_confusable_phrasings(faq: FaqContent) -> list[Problem]:
    """A problem for each phrasing that another entry matches as well as its own.

    Two cases: typed verbatim, the phrasing would not get its own answer (another entry
    ties with it within the margin); or, left out of the index, another entry matches it
    almost verbatim while its own entry would not even be suggested.
    """
    return in_faq_order([ConfusableCheck(faq).run()])


class ConfusableCheck:
    """`check_confusable_phrasings` in parts that processes can share: the index is built
    once, then each part checks every `parts`-th phrasing."""

    def __init__(self, faq: FaqContent) -> None:
        self._faq = faq
        # Ties between the clinic's own wordings are a lexical matter.
        self._reference = FaqMatcher.from_content(faq, learned=False)

    def run(self, part: int = 0, parts: int = 1) -> list[tuple[int, Problem]]:
        """The problems of every `parts`-th phrasing from the `part`-th on, each with the
        phrasing's place in the FAQ (to put the parts' problems back in order)."""
        faq, reference = self._faq, self._reference
        limits = reference.thresholds
        phrasings = [
            (entry_index, entry, phrasing_index, text)
            for entry_index, entry in enumerate(faq.entries)
            for phrasing_index, text in enumerate(entry.phrasings)
        ]
        problems: list[tuple[int, Problem]] = []
        for place in range(part, len(phrasings), parts):
            entry_index, entry, phrasing_index, text = phrasings[place]
            own, rival = _rival(reference.rank(text, RANK_DEPTH), entry.id)
            if rival is None or rival.score < limits.answer - PREFILTER_SLACK:
                continue
            if own - rival.score < limits.margin:
                problems.append((place, _problem(faq, entry, phrasing_index, own, rival)))
                continue
            if rival.score < LEAVE_ONE_OUT_FLOOR:
                continue
            left_out = reference.without_phrasing(entry_index, phrasing_index)
            own, rival = _rival(left_out.rank(text, RANK_DEPTH), entry.id)
            if rival is not None and rival.score >= NEAR_DUPLICATE and own < limits.suggest:
                problems.append((place, _problem(faq, entry, phrasing_index, own, rival)))
        return problems


def in_faq_order(parts: list[list[tuple[int, Problem]]]) -> list[Problem]:
    """The problems of all parts of a `ConfusableCheck`, in the FAQ's order."""
    found = sorted((item for part in parts for item in part), key=lambda item: item[0])
    return [problem for _, problem in found]


def check_phrasings_screened_as_emergency(
    faq: FaqContent, detector: EmergencyDetector, part: int = 0, parts: int = 1
) -> list[Problem]:
    """A problem for each phrasing the emergency screen answers before the matcher sees it.

    With `parts` > 1, only every `parts`-th phrasing from the `part`-th on is screened (for
    processes sharing the work)."""
    problems: list[Problem] = []
    phrasings = [(e, i, text) for e in faq.entries for i, text in enumerate(e.phrasings)]
    for entry, index, text in phrasings[part::parts]:
        hit = detector.detect(text)
        if hit is None:
            continue
        kind = "question" if index == 0 else "alternate"
        problems.append(
            Problem(
                faq.file,
                _line(entry, index),
                f"{kind} '{_quote(text)}' of '{entry.id}' gets the emergency reply (rule "
                f"'{hit.rule_id}'), so it can never reach this answer: reword it, or "
                "remove it if it describes an emergency",
            )
        )
    return problems
