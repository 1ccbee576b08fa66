"""How the learned ranker's opinion joins the lexical matcher's decision.

Wrong answers cost more than a "did you mean", so the learned ranker (bot.faq.learned)
never answers on its own. It can:

* promote: when the matcher would only suggest or fall back, but the ranker is confident
  about an entry that the matcher also ranks near the top (and whose essential words the
  message has), that entry is answered;
* hold back: when the matcher would answer one entry and the ranker is confident about
  another among the matcher's candidates, both are offered as "did you mean"; when it is
  confident the message is about a topic the clinic does not answer here, the answer
  becomes a "did you mean" too.

A message whose best match is a topic the clinic does not answer here still falls back.
The numbers were chosen by leave-one-set-out over the real-question sets (benchmarks/
README.md, "A ranker learned from the content"); `None` switches a branch off.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.faq.learned import ModelView
    from bot.faq.matcher import Candidate

Overrule = tuple[Literal["answer", "suggest"], "str | None", "tuple[Candidate, ...]"]


@dataclass(frozen=True)
class LearnedPolicy:
    """When the learned ranker changes the matcher's decision."""

    promote_score: float | None = 0.3  # the ranker's score for the entry it ranks first
    promote_lead: float = 0.1  # its lead over the ranker's runner-up
    promote_rank: int = 1  # the entry's place among the matcher's entries (1 = first)
    promote_floor: float = 0.3  # the matcher's own score for the entry
    hold_score: float | None = 0.5  # ranker's score for another entry to hold an answer
    hold_lead: float = 0.1
    # The ranker's score for a topic the clinic does not answer here, ranked first by it and
    # among the matcher's candidates, to hold an answer back as "did you mean".
    topic_score: float | None = None

    def decide(
        self,
        ranked: Sequence[Candidate],
        entries: tuple[Candidate, ...],
        answered: bool,
    ) -> Overrule | None:
        """The decision the ranker's opinion calls for, or None to keep the matcher's."""
        if not ranked or ranked[0].out_of_scope:
            return None
        chosen = next((c for c in ranked if c.model_lead is not None), None)
        if chosen is None or chosen.model_lead is None or not entries:
            return None
        if chosen.out_of_scope:
            if answered and self.topic_score is not None and chosen.model_score >= self.topic_score:
                return "suggest", None, entries
            return None
        best = entries[0]
        if answered:
            if (
                self.hold_score is None
                or chosen.faq_id == best.faq_id
                or chosen.model_score < self.hold_score
                or chosen.model_lead < self.hold_lead
            ):
                return None
            return "suggest", None, (best, chosen)
        if (
            self.promote_score is None
            or chosen.model_score < self.promote_score
            or chosen.model_lead < self.promote_lead
            or chosen.score < self.promote_floor
            or not chosen.essential_words
        ):
            return None
        places = [c.faq_id for c in ranked if not c.out_of_scope]
        if places.index(chosen.faq_id) >= self.promote_rank:
            return None
        return "answer", chosen.faq_id, entries


def second_opinion(
    ranked: list[Candidate], view: ModelView, position: Mapping[str, int]
) -> list[Candidate]:
    """`ranked` with the learned ranker's score (and lead, for its first) on each candidate;
    `position` gives each entry's index in the view."""
    noted = []
    for candidate in ranked:
        index = position.get(candidate.faq_id, -1)
        score = float(view.scores[index]) if index >= 0 else 0.0
        lead = view.lead if index == view.best and index >= 0 else None
        noted.append(dataclasses.replace(candidate, model_score=score, model_lead=lead))
    return noted
