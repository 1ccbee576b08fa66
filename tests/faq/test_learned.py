"""The ranker learned from the content's own wordings, and the policy joining it to the
matcher."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.content.clinic import load_clinic
from bot.content.faq_loader import load_faq
from bot.faq.learned import ContentRanker, RankerSettings
from bot.faq.matcher import Candidate, FaqMatcher, MatchThresholds, decide
from bot.faq.policy import LearnedPolicy

CLINIC_YAML = Path(__file__).resolve().parents[2] / "content" / "clinic.yaml"

# A clinic's own ids and wordings, nothing like the sample FAQ's.
CLINIC_FAQ = [
    (
        "parking_lot",
        ["Where can I park?", "is there parking nearby", "car park for patients", "street parking"],
    ),
    (
        "dog_policy",
        ["Can I bring my dog?", "are pets allowed inside", "service animals welcome", "my puppy"],
    ),
    (
        "wheelchair",
        ["Is the clinic wheelchair accessible?", "do you have a ramp", "elevator", "walker access"],
    ),
]
PARKING = CLINIC_FAQ[0][1][1:]


def faq_yaml(parking_alternates: list[str]) -> str:
    """A small faq.yaml whose parking entry has `parking_alternates`."""
    lines = ["entries:"]
    for faq_id, phrasings in CLINIC_FAQ:
        alternates = parking_alternates if faq_id == "parking_lot" else phrasings[1:]
        lines += [f"  - id: {faq_id}", f"    question: {phrasings[0]}", "    alternates:"]
        lines += [f"      - {text}" for text in alternates]
        lines += [
            "    answer: A plain answer.",
            "    category: Visiting",
            "    reviewed: {by: Dr. Test, on: 2026-01-05}",
        ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("kind", ["bayes", "nearest", "centroid"])
def test_ranker_learns_a_clinics_own_ids(kind: str) -> None:
    ranker = ContentRanker(CLINIC_FAQ, settings=RankerSettings(kind=kind))  # type: ignore[arg-type]
    view = ranker.view("are dogs allowed in the clinic")
    assert ranker.ids[view.best] == "dog_policy"
    assert view.lead > 0.0
    assert ranker.view("zzz qqq").best == -1


def test_ranker_learns_an_alternate_added_to_the_content_file(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    clinic = load_clinic(CLINIC_YAML)
    question = "bicycle storage?"
    path.write_text(faq_yaml(PARKING), "utf-8")
    before = ContentRanker.from_faq(load_faq(path, clinic)).view(question)
    assert before.best == -1  # no wording of the content shares a word with it
    path.write_text(faq_yaml([*PARKING, "can I lock a bicycle outside"]), "utf-8")
    after_ranker = ContentRanker.from_faq(load_faq(path, clinic))
    after = after_ranker.view(question)
    assert after_ranker.ids[after.best] == "parking_lot"


def test_a_phrasing_weighs_in_its_entrys_centroid_as_given() -> None:
    # benchmarks/faq_learned_loso.py --varied adds labelled questions at a lower weight.
    entries = [(faq_id, [*phrasings, "bicycle rack"]) for faq_id, phrasings in CLINIC_FAQ[:1]]
    entries += CLINIC_FAQ[1:]
    count = sum(len(phrasings) for _, phrasings in entries)

    def bicycle_score(weight: float) -> float:
        weights = [1.0] * count
        weights[len(entries[0][1]) - 1] = weight
        ranker = ContentRanker(entries, phrase_weights=weights)
        return float(ranker.view("bicycle rack").scores[0])

    assert bicycle_score(0.0) == 0.0
    assert 0.0 < bicycle_score(0.5) < bicycle_score(1.0)


def test_typo_shares_character_grams_with_the_word() -> None:
    ranker = ContentRanker(CLINIC_FAQ, settings=RankerSettings(char_share=0.5, kind="nearest"))
    view = ranker.view("wheelchiar")
    assert ranker.ids[view.best] == "wheelchair"


def candidate(
    faq_id: str,
    score: float,
    model_score: float = 0.0,
    model_lead: float | None = None,
    *,
    out_of_scope: bool = False,
    essential_words: bool = True,
    model_share: float = 1.0,
    topical: bool = True,
) -> Candidate:
    return Candidate(
        faq_id,
        score,
        out_of_scope=out_of_scope,
        essential_words=essential_words,
        topical=topical,
        model_score=model_score,
        model_lead=model_lead,
        model_share=model_share,
    )


POLICY = LearnedPolicy(
    promote_score=0.8, promote_lead=0.3, promote_rank=2, promote_floor=0.3, hold_score=0.9
)
THRESHOLDS = MatchThresholds(answer=0.5, suggest=0.4, margin=0.05, learned=POLICY)


def test_agreement_keeps_the_answer() -> None:
    ranked = [candidate("cost", 0.7, 0.95, 0.9), candidate("booking", 0.3, 0.02)]
    result = decide(ranked, THRESHOLDS)
    assert (result.decision, result.faq_id) == ("answer", "cost")


def test_confident_disagreement_holds_the_answer_back_as_two_suggestions() -> None:
    ranked = [candidate("cost", 0.7, 0.01), candidate("booking", 0.3, 0.95, 0.94)]
    result = decide(ranked, THRESHOLDS)
    assert result.decision == "suggest"
    assert [c.faq_id for c in result.suggestions] == ["cost", "booking"]
    # Unsure, the ranker leaves the matcher's answer alone.
    ranked = [candidate("cost", 0.7, 0.4), candidate("booking", 0.3, 0.6, 0.2)]
    assert decide(ranked, THRESHOLDS).faq_id == "cost"


def test_confident_ranker_promotes_a_suggestion_near_the_top() -> None:
    ranked = [candidate("cost", 0.45, 0.05), candidate("booking", 0.43, 0.95, 0.9)]
    plain = MatchThresholds(answer=0.5, suggest=0.4, margin=0.05)
    assert decide(ranked, plain).decision == "suggest"  # the matcher alone
    result = decide(ranked, THRESHOLDS)
    assert (result.decision, result.faq_id) == ("answer", "booking")
    # A fallback too, when the entry is still near the top of the matcher's list.
    low = [candidate("cost", 0.35, 0.9, 0.85)]
    assert decide(low, plain).decision == "fallback"
    assert decide(low, THRESHOLDS).faq_id == "cost"
    # But not below the matcher's floor for it.
    assert decide([candidate("cost", 0.2, 0.9, 0.85)], THRESHOLDS).decision == "fallback"
    # Unsure (score or lead below the policy's), it stays a suggestion.
    weak = [candidate("cost", 0.45, 0.05), candidate("booking", 0.43, 0.7, 0.6)]
    assert decide(weak, THRESHOLDS).decision == "suggest"


def test_promotion_needs_the_matcher_near_the_top_and_the_essential_words() -> None:
    far = [
        candidate("cost", 0.45),
        candidate("booking", 0.44),
        candidate("parking", 0.43, 0.95, 0.9),
    ]
    assert decide(far, THRESHOLDS).decision == "suggest"
    lacking = [
        candidate("cost", 0.45),
        candidate("compare", 0.44, 0.95, 0.9, essential_words=False),
    ]
    assert decide(lacking, THRESHOLDS).decision == "suggest"
    unsure = [candidate("cost", 0.45), candidate("booking", 0.44, 0.95, 0.1)]
    assert decide(unsure, THRESHOLDS).decision == "suggest"


def test_promotion_needs_the_ranker_to_know_enough_of_the_message() -> None:
    checked = dataclasses.replace(
        THRESHOLDS, learned=dataclasses.replace(POLICY, promote_known=0.5)
    )
    unchecked = dataclasses.replace(
        THRESHOLDS, learned=dataclasses.replace(POLICY, promote_known=None)
    )
    known = [candidate("cost", 0.45, 0.05), candidate("booking", 0.43, 0.95, 0.9)]
    assert decide(known, checked).faq_id == "booking"
    # The same scores, but most of the message is words the content never uses: the
    # ranker's confidence rests on the one word it knows.
    stranger = [
        candidate("cost", 0.45, 0.05, model_share=0.4),
        candidate("booking", 0.43, 0.95, 0.9, model_share=0.4),
    ]
    assert decide(stranger, unchecked).faq_id == "booking"
    assert decide(stranger, checked).decision == "suggest"


def test_promotion_on_generic_words_only_can_be_switched_off() -> None:
    # "how long does physiotherapy take?": the ranker's entry shares only "long" / "take".
    generic = [candidate("cost", 0.45, 0.05), candidate("booking", 0.43, 0.95, 0.9, topical=False)]
    assert decide(generic, THRESHOLDS).faq_id == "booking"
    topical_only = dataclasses.replace(
        THRESHOLDS, learned=dataclasses.replace(POLICY, promote_topical=True)
    )
    assert decide(generic, topical_only).decision == "suggest"
    topical = [candidate("cost", 0.45, 0.05), candidate("booking", 0.43, 0.95, 0.9)]
    assert decide(topical, topical_only).faq_id == "booking"


def test_model_share_counts_real_words_the_content_never_uses() -> None:
    matcher = FaqMatcher(CLINIC_FAQ, model=ContentRanker(CLINIC_FAQ))
    own = matcher.rank("where can I park", limit=3)[0]
    other = matcher.rank("where can I park my helicopter", limit=3)[0]
    assert own.faq_id == other.faq_id == "parking_lot"
    assert own.model_share == 1.0
    assert 0.0 < other.model_share < own.model_share
    # A slip or a word of no English word list is not counted as another subject.
    assert matcher.rank("where can I park xqzvw", limit=3)[0].model_share == 1.0


def test_a_topic_the_clinic_does_not_answer_still_falls_back() -> None:
    ranked = [
        candidate("massage", 0.6, 0.1, out_of_scope=True),
        candidate("cost", 0.45, 0.95, 0.9),
    ]
    result = decide(ranked, THRESHOLDS)
    assert result.decision == "fallback" and result.faq_id is None
    unsure = [candidate("cost", 0.1, 0.05, 0.01)]
    assert decide(unsure, THRESHOLDS).decision == "fallback"


def test_matcher_from_content_carries_the_ranker_but_leave_one_out_does_not() -> None:
    matcher = FaqMatcher(CLINIC_FAQ, model=ContentRanker(CLINIC_FAQ))
    ranked = matcher.rank("can my dog come along", limit=3)
    chosen = [c for c in ranked if c.model_lead is not None]
    assert [c.faq_id for c in chosen] == ["dog_policy"]
    assert matcher.without_phrasing(0, 1).model is None


DOUBTING = LearnedPolicy(promote_score=None, hold_score=0.9, doubt_model=0.25, doubt_score=0.7)


def test_an_answer_the_ranker_barely_recognises_is_doubted() -> None:
    plain = MatchThresholds(answer=0.5, suggest=0.4, margin=0.05)
    doubting = dataclasses.replace(plain, learned=DOUBTING)
    # The ranker prefers another candidate, without the confidence to hold the answer back,
    # and scores the matcher's answer low: "did you mean" both.
    ranked = [candidate("cost", 0.6, 0.1), candidate("booking", 0.3, 0.5, 0.2)]
    assert decide(ranked, plain).faq_id == "cost"
    result = decide(ranked, doubting)
    assert result.decision == "suggest"
    assert [c.faq_id for c in result.suggestions] == ["cost", "booking"]
    # Not when the matcher is sure, the ranker agrees, or the ranker knows the answer well.
    sure = [candidate("cost", 0.8, 0.1), candidate("booking", 0.3, 0.5, 0.2)]
    agreed = [candidate("cost", 0.6, 0.2, 0.1), candidate("booking", 0.3, 0.1)]
    known = [candidate("cost", 0.6, 0.3), candidate("booking", 0.3, 0.5, 0.2)]
    for kept in (sure, agreed, known):
        assert decide(kept, doubting).faq_id == "cost"
    # No rival among the matcher's candidates: nothing to doubt the answer with.
    alone = [candidate("cost", 0.6, 0.1), candidate("booking", 0.3, 0.05)]
    assert decide(alone, doubting).faq_id == "cost"


CONTESTING = LearnedPolicy(
    promote_score=None,
    hold_score=0.9,
    doubt_model=None,
    contest_lead=0.05,
    contest_model_lead=0.1,
    contest_model=0.3,
)


def test_a_close_call_the_ranker_disagrees_with_is_a_did_you_mean() -> None:
    plain = MatchThresholds(answer=0.5, suggest=0.4, margin=0.02)
    contesting = dataclasses.replace(plain, learned=CONTESTING)
    # The matcher's answer leads its next entry by 0.03; the ranker ranks a third first.
    ranked = [
        candidate("difference_physio", 0.88, 0.2),
        candidate("ims_vs_other_treatments", 0.85, 0.25),
        candidate("ims_vs_acupuncture", 0.8, 0.45, 0.2),
    ]
    assert decide(ranked, plain).faq_id == "difference_physio"
    result = decide(ranked, contesting)
    assert result.decision == "suggest"
    assert result.suggestions[0].faq_id == "difference_physio"
    assert "ims_vs_acupuncture" in [c.faq_id for c in result.suggestions]
    # Not with a clear lead, with the ranker agreeing, barely leaning or knowing the answer
    # well, nor when the close rival lacks the message's essential words.
    clear = [ranked[0], candidate("ims_vs_other_treatments", 0.8, 0.25), ranked[2]]
    agreed = [candidate("difference_physio", 0.88, 0.45, 0.2), *ranked[1:2]]
    leaning = [*ranked[:2], candidate("ims_vs_acupuncture", 0.8, 0.3, 0.05)]
    known = [candidate("difference_physio", 0.88, 0.35), *ranked[1:]]
    no_rival = [
        ranked[0],
        candidate("ims_vs_other_treatments", 0.85, 0.25, essential_words=False),
        candidate("ims_vs_acupuncture", 0.7, 0.45, 0.2),
    ]
    for kept in (clear, agreed, leaning, known, no_rival):
        assert decide(kept, contesting).faq_id == "difference_physio"
