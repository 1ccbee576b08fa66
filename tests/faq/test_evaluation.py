"""Quality figures and threshold tuning of the evaluation module."""

from __future__ import annotations

from bot.faq.evaluation import (
    EMERGENCY,
    FALLBACK,
    LabelledQuestion,
    Outcome,
    TuningGoal,
    summarise,
    sweep,
    tune_thresholds,
)
from bot.faq.matcher import Candidate, MatchThresholds


def outcome(expect: str, *ranked: tuple[str, float], rule: str | None = None) -> Outcome:
    return Outcome(
        LabelledQuestion(f"q {expect}", expect),
        tuple(Candidate(i, s) for i, s in ranked),
        rule,
    )


OUTCOMES = [
    outcome("a", ("a", 0.9), ("b", 0.2)),  # answered right
    outcome("b", ("a", 0.8), ("b", 0.3)),  # answered wrong
    outcome("c", ("c", 0.5), ("a", 0.1)),  # suggested (between thresholds)
    outcome(FALLBACK, ("a", 0.2)),  # falls back
    outcome(FALLBACK, ("b", 0.7), ("a", 0.1)),  # out of scope but answered: wrong
    outcome(EMERGENCY, rule="chest_pain"),
    outcome(EMERGENCY, ("a", 0.9)),  # missed emergency
]
THRESHOLDS = MatchThresholds(answer=0.6, suggest=0.4, margin=0.1)


def test_summarise_counts_each_rate() -> None:
    report = summarise(OUTCOMES, THRESHOLDS)
    assert (report.in_scope, report.out_of_scope, report.emergencies) == (3, 2, 2)
    assert report.accuracy == 1 / 3
    assert report.top1 == 2 / 3
    assert report.suggest_rate == 1 / 3
    assert report.suggest_hit_rate == 1 / 3
    assert report.confidently_wrong == 3 / 7  # b, the answered fallback, the missed emergency
    assert report.fallback_rate == 1 / 2
    assert report.emergency_recall == 1 / 2
    assert {(c.expected, c.got) for c in report.confusions} == {
        ("b", "answer:a"),
        ("c", "suggest"),
        (FALLBACK, "answer:b"),
        (EMERGENCY, "answer:a"),
    }


def test_empty_denominators_give_none() -> None:
    report = summarise([outcome("a", ("a", 0.9))], THRESHOLDS)
    assert report.fallback_rate is None
    assert report.emergency_recall is None


def test_sweep_trades_answers_for_safety() -> None:
    rows = sweep(OUTCOMES, THRESHOLDS, answers=(0.5, 0.95), margins=(0.0,))
    low, high = rows
    assert (low.accuracy or 0) > (high.accuracy or 0)
    assert (low.confidently_wrong or 0) > (high.confidently_wrong or 0)


def test_tuning_meets_the_goal_when_it_can() -> None:
    goal = TuningGoal(min_fallback_rate=1.0, max_confidently_wrong=0.2)
    tuned = tune_thresholds(OUTCOMES, goal, answers=(0.1, 0.3, 0.5, 0.75, 0.85, 0.95))
    report = summarise(OUTCOMES, tuned)
    assert report.fallback_rate == 1.0
    assert (report.confidently_wrong or 0) <= 0.2
    assert tuned.suggest <= tuned.answer
