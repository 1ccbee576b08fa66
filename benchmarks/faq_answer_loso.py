"""Leave-one-set-out choice of the FAQ's answer gate (round 10, issue 18).

The matcher suggests ("did you mean") or falls back when it is unsure; on the real-question
sets the entry it lists first is sometimes the right one. The answer gate measured here
(`AnswerGate`, not shipped: see benchmarks/README.md, round 10) is a logistic model over what
the matcher and the learned ranker say of a ranking (`GATE_FEATURES`: scores, leads,
coverage, agreement, the question's first word, length; no word of the message and no entry
id), trained on every labelled set but one, and its threshold
is chosen on those sets too (inner leave-one-set-out, score right - COST_OF_WRONG x wrong,
and the wrong answers it adds kept under MAX_WRONG_SHARE of the answerable items). Then the
set left out is read through the whole reader (emergency screen, small talk, two parts,
the reader's own guards) with that fold's gate, and the figures are pooled.

Sets: the real-question files (benchmarks/data/real_questions_*.yaml, with the hand
judgements of real_questions_judged.yaml) and the style sets (tests/data/faq_styles_*.yaml,
single questions), each one writer or one gathering.

    python benchmarks/faq_answer_loso.py              # LOSO tables, what each threshold adds
    python benchmarks/faq_answer_loso.py --rows       # and every promotable item (not blind)

A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import math
import re
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.faq_learned_loso import COST_OF_WRONG, fold_row
from benchmarks.faq_policy_loso import tuning_sets
from benchmarks.real_questions import RealQuestion, Tally
from bot.clinic_content import load_content
from bot.faq.matcher import MAX_SUGGESTIONS, Candidate, FaqMatcher, MatchResult, decide
from bot.faq.reading import MessageReader

REPO_ROOT = Path(__file__).resolve().parent.parent
MAX_WRONG_SHARE = 0.01  # wrong answers the gate may add, as a share of the answerable items
L2 = 1.0  # ridge penalty on the standardised weights
THRESHOLDS = tuple(round(0.5 + 0.025 * i, 3) for i in range(19))  # 0.5 .. 0.95

_Floats = npt.NDArray[np.float64]

GATE_FEATURES = (
    "score",  # the matcher's score for its first entry
    "lead",  # its lead over the first rival that has its essential words
    "coverage",  # share of the message's informative words the entry uses
    "essential",  # the message has the words nearly all the entry's wordings share
    "topical",  # the entry uses a word of the message that is not generic
    "vague",  # the message asks only for a kind of answer
    "strangers",  # real words the FAQ never uses (up to 3)
    "foreign",  # a word naming a subject no entry is about
    "model_score",  # the learned ranker's score for the entry
    "model_share",  # how much of the message the ranker's score rests on
    "agree",  # the learned ranker ranks the same entry first
    "agree_lead",  # its lead when it does
    "other_lead",  # its lead when it ranks another candidate first
    "model_gap",  # its score for the entry minus its best for another candidate
    "topic_gap",  # the entry's score minus the closest out-of-scope topic's (1 when none)
    "model_topic",  # the ranker ranks an out-of-scope topic first
    "asks_what",  # the message's first word, by kind
    "asks_how",
    "asks_yes_no",
    "asks_why",
    "asks_other_wh",
    "question_mark",
    "capitalised",  # share of words written with a capital (clinic headings)
    "length",  # log(1 + words)
)
_HEADS = (
    r"^(what|whats|wat)\b",
    r"^how\b",
    r"^(is|are|does|do|did|can|could|will|would|should|am|may)\b",
    r"^why\b",
    r"^(where|when|who|which)\b",
)


def gate_features(text: str, ranked: Sequence[Candidate]) -> tuple[float, ...]:
    """The gate's features of a message and its ranking (first candidate an entry)."""
    best = ranked[0]
    rivals = [c for c in ranked[1:] if c.essential_words]
    lead = best.score - (rivals[0].score if rivals else 0.0)
    topic = next((c for c in ranked if c.out_of_scope), None)
    chosen = next((c for c in ranked if c.model_lead is not None), None)
    agree = chosen is best
    others = [c.model_score for c in ranked[1:] if not c.out_of_scope]
    plain = text.strip().lower()
    said = text.split()
    return (
        best.score,
        lead,
        best.coverage,
        float(best.essential_words),
        float(best.topical),
        float(best.vague),
        float(min(best.strangers, 3)),
        float(best.foreign),
        best.model_score,
        best.model_share,
        float(agree),
        (best.model_lead or 0.0) if agree else 0.0,
        (chosen.model_lead or 0.0) if chosen is not None and not agree else 0.0,
        best.model_score - max(others, default=0.0),
        min(1.0, best.score - topic.score) if topic is not None else 1.0,
        float(chosen is not None and chosen.out_of_scope),
        *(float(bool(re.match(head, plain))) for head in _HEADS),
        float("?" in text),
        sum(1 for w in said if w[:1].isupper()) / max(1, len(said)),
        math.log1p(len(said)),
    )


@dataclasses.dataclass(frozen=True)
class AnswerGate:
    """A logistic model of whether the first entry of a ranking the matcher would only
    suggest is the right answer; answered from `threshold` up."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def answers(self, text: str, ranked: Sequence[Candidate]) -> bool:
        """Whether the first candidate of `ranked` is answered."""
        z = self.bias + sum(
            w * x for w, x in zip(self.weights, gate_features(text, ranked), strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))) >= self.threshold


@dataclasses.dataclass(frozen=True)
class Row:
    """One item the matcher would not answer, with the entry it lists first."""

    set_name: str
    text: str
    features: tuple[float, ...]
    first: str
    right: bool  # the first entry is acceptable
    answerable: bool


def fit(rows: Sequence[Row], l2: float = L2) -> tuple[_Floats, float]:
    """Logistic regression (Newton steps, ridge on standardised features): weights and bias
    on the raw features."""
    x = np.array([r.features for r in rows], dtype=np.float64)
    y = np.array([r.right for r in rows], dtype=np.float64)
    mean, spread = x.mean(axis=0), x.std(axis=0)
    spread[spread < 1e-9] = 1.0
    z = np.hstack([np.ones((len(rows), 1)), (x - mean) / spread])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w, -30, 30)))
        gradient = z.T @ (p - y) + penalty * w
        hessian = (z * (p * (1 - p))[:, None]).T @ z + np.diag(penalty) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = w[1:] / spread
    bias = float(w[0] - (w[1:] * mean / spread).sum())
    return weights, bias


def probabilities(rows: Sequence[Row], weights: _Floats, bias: float) -> _Floats:
    """The gate's probability for each row."""
    x = np.array([r.features for r in rows], dtype=np.float64)
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x @ weights + bias, -30, 30))))


def gain(rows: Sequence[Row], p: _Floats, threshold: float) -> tuple[int, int, int]:
    """Right answers added, wrong answers added (answerable), unanswerable answered."""
    on = p >= threshold
    right = sum(1 for r, o in zip(rows, on, strict=True) if o and r.right)
    wrong = sum(1 for r, o in zip(rows, on, strict=True) if o and not r.right and r.answerable)
    none = sum(1 for r, o in zip(rows, on, strict=True) if o and not r.answerable)
    return right, wrong, none


def choose_threshold(rows: Sequence[Row], answerable: int, sets: Sequence[str]) -> float:
    """The threshold with the best inner leave-one-set-out score over `sets`."""
    predicted = np.zeros(len(rows))
    for held in sets:
        inside = [i for i, r in enumerate(rows) if r.set_name == held]
        train = [r for r in rows if r.set_name != held]
        if not inside or not train:
            continue
        weights, bias = fit(train)
        predicted[inside] = probabilities([rows[i] for i in inside], weights, bias)
    best, best_score = 1.01, 0.0
    for threshold in THRESHOLDS:
        right, wrong, none = gain(rows, predicted, threshold)
        if wrong + none > MAX_WRONG_SHARE * answerable:
            continue
        score = right - COST_OF_WRONG * (wrong + none)
        if score > best_score:
            best, best_score = threshold, score
    return best


def collect(
    matcher: FaqMatcher, detector: object, sets: dict[str, list[RealQuestion]]
) -> list[Row]:
    """Every item whose ranking the matcher (and the shipped policy) would not answer, with
    an entry first."""
    rows = []
    for name, questions in sets.items():
        for question in questions:
            if detector.detect(question.text) is not None:  # type: ignore[attr-defined]
                continue
            ranked = matcher.rank(question.text, limit=MAX_SUGGESTIONS + 1)
            if not ranked or ranked[0].out_of_scope:
                continue
            if decide(ranked, matcher.thresholds).decision == "answer":
                continue
            rows.append(
                Row(
                    name,
                    question.text,
                    gate_features(question.text, ranked),
                    ranked[0].faq_id,
                    ranked[0].faq_id in question.acceptable,
                    bool(question.acceptable),
                )
            )
    return rows


def read_all(reader: MessageReader, questions: Sequence[RealQuestion]) -> Tally:
    """The tally of `questions` read as a patient's messages."""
    tally = Tally()
    for question in questions:
        tally.add(question, reader.read(question.text))
    return tally


def main(argv: Sequence[str] | None = None) -> int:
    """Print the LOSO tables and guards, and the gate fitted on every set."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", action="store_true", help="print every promotable item")
    args = parser.parse_args(argv)
    real, styles = tuning_sets()
    every = {**real, **styles}
    content = load_content(REPO_ROOT / "content")
    matcher = FaqMatcher.from_content(content.faq)
    thresholds = matcher.thresholds
    ranking = functools.lru_cache(maxsize=None)(matcher.rank)
    detector = content.emergency.detector()
    detect = functools.lru_cache(maxsize=None)(detector.detect)
    memo = type("Memo", (), {"detect": staticmethod(detect)})()
    asked = [""]
    gates: list[AnswerGate | None] = [None]

    def rank(text: str, limit: int = 5) -> list[Candidate]:
        asked[0] = text
        return ranking(text, limit)

    def gated(ranked: Sequence[Candidate]) -> MatchResult:
        """The shipped decision, or the gate's answer when it trusts the first entry."""
        result = decide(ranked, thresholds)
        gate = gates[0]
        if (
            gate is None
            or result.decision == "answer"
            or not ranked
            or ranked[0].out_of_scope
            or not gate.answers(asked[0], ranked)
        ):
            return result
        return MatchResult("answer", ranked[0].faq_id, ranked[0].score, result.suggestions)

    matcher.rank = rank  # type: ignore[method-assign]
    matcher.decide = gated  # type: ignore[method-assign]
    rows = collect(matcher, memo, every)
    reader = MessageReader(matcher, memo, content.faq)
    before = {name: read_all(reader, questions) for name, questions in every.items()}

    def gate_on(names: Sequence[str]) -> AnswerGate | None:
        train = [r for r in rows if r.set_name in names]
        answerable = sum(before[n].answerable for n in names)
        threshold = choose_threshold(train, answerable, names)
        weights, bias = fit(train)
        if threshold > 1.0:
            return None
        return AnswerGate(tuple(float(w) for w in weights), bias, threshold)

    after: dict[str, Tally] = {}
    chosen: dict[str, float | None] = {}
    for held in every:
        gates[0] = gate_on([n for n in every if n != held])
        chosen[held] = gates[0].threshold if gates[0] is not None else None
        after[held] = read_all(reader, every[held])
    gates[0] = None
    for title, names in (("Real questions", list(real)), ("Style sets", list(styles))):
        print(f"{title}, leave one set out (shipped -> gate fitted on the other sets):")
        print(
            f"{'set':16} {'answerable':>10} {'right':>11} {'wrong':>9} {'none answered':>15}"
            "  threshold"
        )
        pooled = [0] * 7
        for name in names:
            row = fold_row(before[name], after[name])
            pooled = [a + b for a, b in zip(pooled, row, strict=True)]
            print(
                f"{name:16} {row[0]:>10} {row[1]:>4} -> {row[2]:<4} {row[3]:>3} -> {row[4]:<3} "
                f"{row[5]:>3} -> {row[6]:<3}/{before[name].unanswerable:<4}  {chosen[name]}"
            )
        none = sum(before[n].unanswerable for n in names)
        print(
            f"{'pooled':16} {pooled[0]:>10} {pooled[1]:>4} -> {pooled[2]:<4} {pooled[3]:>3} -> "
            f"{pooled[4]:<3} {pooled[5]:>3} -> {pooled[6]:<3}/{none:<4}"
        )
    promotable = [r for r in rows if r.set_name in real]
    print(
        f"real items the matcher would not answer, first entry right: "
        f"{sum(r.right for r in promotable)} of {len(promotable)}"
        f" ({sum(not r.answerable for r in promotable)} unanswerable)"
    )
    # Pooled leave-one-set-out probabilities: what each threshold would add.
    predicted = np.zeros(len(rows))
    for held in every:
        inside = [i for i, r in enumerate(rows) if r.set_name == held]
        weights, bias = fit([r for r in rows if r.set_name != held])
        predicted[inside] = probabilities([rows[i] for i in inside], weights, bias)
    for title, names in (("real", set(real)), ("styles", set(styles))):
        mask = [r.set_name in names for r in rows]
        chosen_rows = [r for r, m in zip(rows, mask, strict=True) if m]
        p = predicted[np.array(mask)]
        cells = []
        for threshold in (0.5, 0.6, 0.7, 0.8, 0.9):
            right, wrong, none = gain(chosen_rows, p, threshold)
            cells.append(f"{threshold}: +{right} right, +{wrong} wrong, +{none} none")
        print(f"{title}, pooled LOSO probability at: " + "; ".join(cells))
    if args.rows:
        weights, bias = fit(rows)
        named = zip(GATE_FEATURES, weights, strict=True)
        print("weights (every set): " + ", ".join(f"{n}={w:.3g}" for n, w in named))
        p = probabilities(rows, weights, bias)
        for r, q in sorted(zip(rows, p, strict=True), key=lambda pair: -pair[1]):
            mark = "right" if r.right else ("NONE" if not r.answerable else "wrong")
            print(f"  {q:.2f} {mark:5} {r.set_name:14} {r.first:28} {r.text[:90]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
