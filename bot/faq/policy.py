"""How the learned ranker's opinion joins the lexical matcher's decision.

Wrong answers cost more than a "did you mean", so the learned ranker (bot.faq.learned)
never answers on its own. It can:

* promote: when the matcher would only suggest or fall back, but the ranker is confident
  about an entry that the matcher also ranks near the top (and whose essential words the
  message has), that entry is answered;
* hold back: when the matcher would answer one entry and the ranker is confident about
  another among the matcher's candidates, both are offered as "did you mean"; when it is
  confident the message is about a topic the clinic does not answer here, the answer
  becomes a "did you mean" too;
* doubt: when the matcher would answer with a score just above its threshold an entry the
  ranker barely recognises, while the ranker prefers another of the matcher's candidates
  (even without the confidence to hold back), both are offered as "did you mean";
* contest: when the matcher's answer leads its next entry by a hair and the ranker ranks
  another of the matcher's candidates first, the two opinions disagree on a close call:
  both are offered as "did you mean".

A message whose best match is a topic the clinic does not answer here still falls back.
The numbers were chosen by leave-one-set-out over the real-question sets (benchmarks/
README.md, "A ranker learned from the content" and "Issue 18, faq9 round"), among the
settings that keep every labelled set's figures; `None` switches a branch off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

# The matcher's best phrasing match this close to verbatim is not doubted: the message is
# one of the entry's own wordings (a fixed bound, not tuned).
VERBATIM_SCORE = 0.95


class Ranked(Protocol):
    """What the policy reads of a matcher candidate (bot.faq.matcher.Candidate)."""

    @property
    def faq_id(self) -> str: ...
    @property
    def score(self) -> float: ...
    @property
    def out_of_scope(self) -> bool: ...
    @property
    def essential_words(self) -> bool: ...
    @property
    def topical(self) -> bool: ...
    @property
    def model_score(self) -> float: ...
    @property
    def model_lead(self) -> float | None: ...
    @property
    def model_share(self) -> float: ...


C = TypeVar("C", bound=Ranked)
Overrule = tuple[Literal["answer", "suggest"], str | None, tuple[C, ...]]


@dataclass(frozen=True)
class LearnedPolicy:
    """When the learned ranker changes the matcher's decision."""

    promote_score: float | None = 0.3  # the ranker's score for the entry it ranks first
    promote_lead: float = 0.1  # its lead over the ranker's runner-up
    promote_rank: int = 1  # the entry's place among the matcher's entries (1 = first)
    promote_floor: float = 0.3  # the matcher's own score for the entry
    # The ranker's score for the entry once the message's real words that the content
    # never uses count in its length (`model_score` x `model_share`): a short message about
    # something the FAQ never mentions ("where is the bathroom") is not promoted on the one
    # word it knows. None: not checked.
    promote_known: float | None = 0.24
    # Whether only an entry that uses a word of the message other than stop and generic
    # words ("long", "take", "work", "benefits") is promoted: an answer resting on generic
    # words alone ("how long does physiotherapy take?" -> session_length) is a "did you mean".
    promote_topical: bool = False
    hold_score: float | None = 0.55  # ranker's score for another entry to hold an answer
    hold_lead: float = 0.1
    # The ranker's score for a topic the clinic does not answer here, ranked first by it and
    # among the matcher's candidates, to hold an answer back as "did you mean".
    topic_score: float | None = None
    # Doubt: an answer the ranker scores below this, while it ranks another of the
    # matcher's candidates first, is held back as "did you mean" when the matcher's score
    # is below `doubt_score`.
    doubt_model: float | None = 0.2
    doubt_score: float = 0.55
    doubt_lead: float = 0.05  # the ranker's lead for the entry it ranks first
    # Contest: an answer leading the matcher's next entry (one whose essential words the
    # message has) by less than `contest_lead`, while the ranker ranks another of the
    # matcher's candidates first with at least `contest_model_lead`, and scores the answer
    # below `contest_model` (None: any score), is a "did you mean".
    contest_lead: float | None = 0.06
    contest_model_lead: float = 0.0
    contest_model: float | None = 0.3

    def decide(
        self, ranked: Sequence[C], entries: tuple[C, ...], answered: bool
    ) -> Overrule[C] | None:
        """The decision the ranker's opinion calls for, or None to keep the matcher's."""
        if not ranked or ranked[0].out_of_scope:
            return None
        chosen = next((c for c in ranked if c.model_lead is not None), None)
        if chosen is None or chosen.model_lead is None or not entries:
            return None
        if answered and (
            self._doubted(entries[0], chosen) or self._contested(ranked, entries[0], chosen)
        ):
            return "suggest", None, entries
        if chosen.out_of_scope:
            if answered and self.topic_score is not None and chosen.model_score >= self.topic_score:
                return "suggest", None, entries
            return None
        best = entries[0]
        if answered:
            if (
                self.hold_score is None
                or chosen.faq_id == best.faq_id
                or best.score >= VERBATIM_SCORE
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
            or (self.promote_topical and not chosen.topical)
            or (
                self.promote_known is not None
                and chosen.model_score * chosen.model_share < self.promote_known
            )
        ):
            return None
        places = [c.faq_id for c in ranked if not c.out_of_scope]
        if places.index(chosen.faq_id) >= self.promote_rank:
            return None
        return "answer", chosen.faq_id, entries

    def _doubted(self, best: Ranked, chosen: Ranked) -> bool:
        """Whether the matcher's answer `best` is one the ranker barely recognises while it
        ranks another of the matcher's candidates (`chosen`) first, with a matcher score
        too low to stand alone."""
        return (
            self.doubt_model is not None
            and chosen.faq_id != best.faq_id
            and (chosen.model_lead or 0.0) >= self.doubt_lead
            and best.model_score < self.doubt_model
            and best.score < min(self.doubt_score, VERBATIM_SCORE)
        )

    def _contested(self, ranked: Sequence[Ranked], best: Ranked, chosen: Ranked) -> bool:
        """Whether the matcher's answer `best` barely leads its next entry while the ranker
        ranks another of the matcher's entries (`chosen`) first: a close call the two
        opinions disagree on."""
        if (
            self.contest_lead is None
            or chosen.faq_id == best.faq_id
            or chosen.out_of_scope
            or (chosen.model_lead or 0.0) < self.contest_model_lead
            or (self.contest_model is not None and best.model_score >= self.contest_model)
            or best.score >= VERBATIM_SCORE
        ):
            return False
        rivals = [c.score for c in ranked[1:] if c.essential_words]
        return best.score - (rivals[0] if rivals else 0.0) < self.contest_lead
