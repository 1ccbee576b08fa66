"""The FAQ's answer policy, calibrated leave-one-set-out on the tuning sets.

Which answer threshold, margin and heading lead (`bot.faq.reading.HEADING_LEAD`) should the
bot use? Chosen on all tuning sets but one, and judged on the one left out, for each set in
turn: a value that only helps the sets it was chosen on shows up here as no gain (or a loss)
on the set left out. Sets: the real public questions (`benchmarks/data/real_questions_*.yaml`,
and `../shared/bench/real_questions/dev.yaml` when present, with the hand judgements) and the
style and probe files (`tests/data/faq_styles_*.yaml`, `tests/data/faq_probe*.yaml`). Each
message goes through the emergency screen and `MessageReader`, as a patient's does.

Per set, the score weighed is: share answered right - W x share confidently wrong - N x share
of unanswerable questions answered (default W=2, N=1: issue 18's bars ask >= 85 % right,
<= 4 % wrong, <= 15 % unanswerable answered), each set counting the same.

    python benchmarks/faq_calibration.py                  # W=2, N=1
    python benchmarks/faq_calibration.py --wrong 3 --unanswerable 1.5
    python benchmarks/faq_calibration.py --gate [--gate-train real]   # round 16, see below

Prints, per set left out, the values chosen on the others and the set's figures with the
shipped values and with the chosen ones.

`--gate` measures a learned answer/hold decision instead (issue 18 item 3): a logistic
regression over what the reader already knows of a single answer (the matcher's score,
lead, coverage and rank; the learned ranker's score, rank and lead; the share of the message
the ranker knows; whether a topic the clinic does not answer is close; whether the message
names the treatment or a needle; heading, question form, length), trained on every set but
one, each answer weighed by what it costs (right 1, wrong W, unanswerable answered N), with
the threshold under which an answer becomes a "did you mean" chosen on the same sets.
Reported per set left out: answers held that were right / wrong / to unanswerable items,
and the score right - W x wrong - N x unanswerable answered, in counts. `--gate-train real`
trains on the real gatherings only (the style and probe sets are then only measured).
A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import math
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import yaml
from real_questions import find_dev, load_judged, load_questions

from bot.clinic_content import load_content
from bot.faq.matcher import Candidate
from bot.faq.reading import HEADING_LEAD, FaqReading, MessageReader
from bot.faq.text import normalise

REPO_ROOT = Path(__file__).resolve().parent.parent
ANSWER = (0.42, 0.43, 0.44, 0.45, 0.46, 0.48)
MARGIN = (0.02, 0.03, 0.04, 0.05, 0.06)
HEADING = (0.05, 0.09, 0.15, 1.0)  # 1.0: headings of generic words are never answered

# One item: text, acceptable entries (empty: unanswerable), two answers expected, small talk.
Item = tuple[str, frozenset[str], bool, bool]
Values = tuple[float, float, float]


def tuning_sets() -> dict[str, list[Item]]:
    """Every tuning set, by name."""
    judged = load_judged()
    found: dict[str, list[Item]] = {}
    real = sorted((REPO_ROOT / "benchmarks" / "data").glob("real_questions_*.yaml"))
    dev = find_dev()
    for path in [*real, *([dev] if dev else [])]:
        name = path.stem.removeprefix("real_questions_")
        found[name] = [(q.text, q.acceptable, False, False) for q in load_questions(path, judged)]
    data = REPO_ROOT / "tests" / "data"
    for path in sorted(data.glob("faq_styles_*.yaml")) + sorted(data.glob("faq_probe*.yaml")):
        items: list[Item] = []
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            expect = item["expect"]
            wanted = frozenset(expect) if isinstance(expect, list) else frozenset([str(expect)])
            talk = expect == "smalltalk"
            if talk or expect == "fallback":
                wanted = frozenset()
            items.append((str(item["q"]), wanted, isinstance(expect, list), talk))
        found[path.stem] = items
    return found


def measure(reader: MessageReader, items: Sequence[Item]) -> Counter[str]:
    """Right / wrong / held among answerable items, answered among unanswerable ones."""
    count: Counter[str] = Counter()
    for text, wanted, two, talk in items:
        reading = reader.read(text)
        answers = set(reading.answers)
        if talk:
            continue  # small talk does not depend on the answer policy
        if not wanted:
            count["unanswerable"] += 1
            count["answered"] += bool(answers)
            continue
        count["answerable"] += 1
        right = answers == wanted if two else bool(answers & wanted)
        wrong = bool(answers - wanted) if two else bool(answers) and not right
        count["right"] += right
        count["wrong"] += wrong
    return count


def value(count: Counter[str], wrong_cost: float, unanswerable_cost: float) -> float:
    """The set's score under the weights."""
    answerable, unanswerable = max(1, count["answerable"]), max(1, count["unanswerable"])
    return (
        count["right"] / answerable
        - wrong_cost * count["wrong"] / answerable
        - unanswerable_cost * count["answered"] / unanswerable
    )


def _figures(count: Counter[str]) -> str:
    return (
        f"right {count['right']:3}/{count['answerable']:<3} wrong {count['wrong']:2} "
        f"unanswerable answered {count['answered']:2}/{count['unanswerable']:<2}"
    )


_QUESTION_RE = re.compile(
    r"^(what|how|why|when|where|who|which|can|do|does|is|are|will|should|could|would)\b"
)
_NEEDLE_RE = re.compile(r"\bneedl\w*")
GATE_FEATURES = (
    "score",
    "lead",
    "first",
    "model score",
    "model first",
    "model gap",
    "coverage",
    "topical",
    "strangers",
    "foreign",
    "model share",
    "topic gap",
    "names treatment",
    "needle word",
    "heading",
    "words",
    "verbatim",
    "question mark",
    "question form",
    "not ranked",
)
GATE_THRESHOLDS = tuple(round(0.3 + 0.025 * i, 3) for i in range(27))
# (features, answered right, wrong on an answerable item, answered an unanswerable item)
Answer = tuple[list[float], bool, bool, bool]
_Floats = npt.NDArray[np.float64]


def gate_features(
    reader: MessageReader, names: re.Pattern[str], text: str, reading: FaqReading
) -> list[float]:
    """What the reader knows of its single answer to `text` (GATE_FEATURES' order)."""
    answer = reading.answers[0]
    ranked = reader.matcher.rank(text, limit=5)
    entries = [c for c in ranked if not c.out_of_scope]
    found = next((c for c in entries if c.faq_id == answer), None)
    rivals = [c.score for c in entries if c.faq_id != answer]
    topics = [c.score for c in ranked if c.out_of_scope]
    plain = normalise(text)
    model_score = found.model_score if found else 0.0
    return [
        reading.score,
        min(0.5, reading.score - (rivals[0] if rivals else 0.0)),
        float(bool(entries) and entries[0].faq_id == answer),
        model_score,
        float(found is not None and found.model_lead is not None),
        max([c.model_score for c in entries] or [0.0]) - model_score,
        found.coverage if found else 0.0,
        float(found.topical) if found else 0.0,
        min(found.strangers, 4) / 4 if found else 0.0,
        float(found.foreign) if found else 0.0,
        found.model_share if found else 0.0,
        max(topics or [0.0]) - reading.score,
        float(bool(names.search(plain))),
        float(bool(_NEEDLE_RE.search(plain))),
        float(text.strip().istitle()),
        math.log1p(len(plain.split())),
        float(reading.score >= 0.95),
        float("?" in text),
        float(bool(_QUESTION_RE.match(plain))),
        float(found is None),
    ]


def single_answers(
    reader: MessageReader, synonyms: Sequence[Sequence[str]], sets: dict[str, list[Item]]
) -> tuple[dict[str, list[Answer]], dict[str, Counter[str]]]:
    """Per set, every single answer the reader gives (features and how it fares), and the
    set's figures as shipped; `synonyms`: the content's groups (the one holding "ims"
    names the treatment)."""
    group = next((g for g in synonyms if "ims" in g), ["ims"])
    names = re.compile(r"\b(" + "|".join(re.escape(normalise(n)) for n in group) + r")\b")
    answers: dict[str, list[Answer]] = {}
    counts: dict[str, Counter[str]] = {}
    for name, items in sets.items():
        counts[name] = measure(reader, items)
        found: list[Answer] = []
        for text, wanted, two, talk in items:
            if two or talk:
                continue
            reading = reader.read(text)
            if reading.kind != "answer" or len(reading.answers) != 1:
                continue
            right = reading.answers[0] in wanted
            found.append(
                (
                    gate_features(reader, names, text, reading),
                    right,
                    bool(wanted) and not right,
                    not wanted,
                )
            )
        answers[name] = found
    return answers, counts


def _fit(features: _Floats, right: _Floats, weights: _Floats, l2: float) -> _Floats:
    """Logistic regression (an intercept, then one weight per standardised feature) by
    Newton's method with an L2 penalty."""
    design = np.c_[np.ones(len(features)), features]
    coefficients = np.zeros(design.shape[1])
    penalty = l2 * np.diag(np.r_[0.0, np.ones(design.shape[1] - 1)])
    for _ in range(30):
        chance = 1.0 / (1.0 + np.exp(-design @ coefficients))
        gradient = design.T @ (weights * (chance - right)) + penalty @ coefficients
        hessian = (design * (weights * chance * (1.0 - chance))[:, None]).T @ design + penalty
        coefficients -= np.linalg.solve(hessian, gradient)
    return coefficients


def _held_value(chance: _Floats, costs: _Floats, threshold: float) -> float:
    """What holding every answer scored under `threshold` gains (costs: what each answer
    is worth given: 1 right, -W wrong, -N unanswerable answered)."""
    return -float(costs[chance < threshold].sum())


def gate_loso(
    answers: dict[str, list[Answer]],
    counts: dict[str, Counter[str]],
    wrong_cost: float,
    unanswerable_cost: float,
    train_real_only: bool,
    l2: float = 1.0,
) -> None:
    """Print, per set left out, what the gate chosen on the other sets holds on it."""
    names = [n for n in answers if answers[n]]
    rows = [a for n in names for a in answers[n]]
    matrix = np.array([a[0] for a in rows], dtype=np.float64)
    mean, spread = matrix.mean(0), matrix.std(0) + 1e-9
    standard = (matrix - mean) / spread
    right = np.array([a[1] for a in rows], dtype=np.float64)
    costs = np.array([1.0 if a[1] else -wrong_cost if a[2] else -unanswerable_cost for a in rows])
    weights = np.where(costs > 0, 1.0, -costs)
    owner = np.array([n for n in names for _ in answers[n]])
    real = {n for n in names if not n.startswith("faq_")}
    print(
        f"learned answer/hold gate, {len(rows)} single answers in {len(names)} sets; "
        f"trained on {'the real gatherings' if train_real_only else 'every set'} but the one "
        f"left out; W={wrong_cost}, N={unanswerable_cost}, L2 {l2}"
    )
    pooled: dict[bool, Counter[str]] = {True: Counter(), False: Counter()}
    for name in names:
        train = owner != name
        if train_real_only:
            train &= np.isin(owner, sorted(real))
        coefficients = _fit(standard[train], right[train], weights[train], l2)
        design = np.c_[np.ones(len(standard)), standard]
        chance = 1.0 / (1.0 + np.exp(-design @ coefficients))
        threshold = max(
            GATE_THRESHOLDS,
            key=lambda t: (round(_held_value(chance[train], costs[train], t), 6), -t),
        )
        mine = owner == name
        held = mine & (chance < threshold)
        figures = counts[name]
        change = Counter(
            right=int((held & (costs > 0)).sum()),
            wrong=int((held & (costs == -wrong_cost)).sum()),
            answered=int((held & (costs == -unanswerable_cost)).sum()),
        )
        score = (
            figures["right"]
            - wrong_cost * figures["wrong"]
            - unanswerable_cost * figures["answered"]
        )
        gain = (
            -change["right"] + wrong_cost * change["wrong"] + unanswerable_cost * change["answered"]
        )
        side = pooled[name in real]
        side.update(figures)
        side.update({f"held {k}": v for k, v in change.items()})
        print(
            f"{name:20} threshold {threshold:.3f}  {_figures(figures)}  held right "
            f"{change['right']:2} wrong {change['wrong']:2} unanswerable {change['answered']:2}"
            f"  score {score:6.1f} -> {score + gain:6.1f}"
        )
    for is_real, total in pooled.items():
        gain = (
            -total["held right"]
            + wrong_cost * total["held wrong"]
            + unanswerable_cost * total["held answered"]
        )
        print(
            f"pooled, {'real gatherings and dev' if is_real else 'style and probe sets'}: "
            f"right {total['right']} -> {total['right'] - total['held right']} of "
            f"{total['answerable']}, wrong {total['wrong']} -> "
            f"{total['wrong'] - total['held wrong']}, unanswerable answered "
            f"{total['answered']} -> {total['answered'] - total['held answered']} of "
            f"{total['unanswerable']}; score gain {gain:+.1f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the leave-one-set-out calibration."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrong", type=float, default=2.0, help="cost of a wrong answer (W)")
    parser.add_argument(
        "--unanswerable", type=float, default=1.0, help="cost of answering the unanswerable (N)"
    )
    parser.add_argument(
        "--gate", action="store_true", help="measure a learned answer/hold decision instead"
    )
    parser.add_argument(
        "--gate-train",
        choices=("all", "real"),
        default="all",
        help="the sets the gate learns from (each fold leaves its set out)",
    )
    parser.add_argument("--l2", type=float, default=1.0, help="the gate's L2 penalty")
    args = parser.parse_args(argv)
    content = load_content(REPO_ROOT / "content")
    base = MessageReader.from_content(content)
    if args.gate:
        answers, counts = single_answers(base, content.faq.synonyms, tuning_sets())
        gate_loso(
            answers, counts, args.wrong, args.unanswerable, args.gate_train == "real", args.l2
        )
        return 0
    matcher = base.matcher
    shipped: Values = (matcher.thresholds.answer, matcher.thresholds.margin, HEADING_LEAD)
    ranks: dict[tuple[str, int], list[Candidate]] = {}
    rank = matcher.rank

    def remembered(text: str, limit: int = 5) -> list[Candidate]:
        # Thresholds do not change the ranking: every message is ranked once.
        key = (text, limit)
        if key not in ranks:
            ranks[key] = rank(text, limit)
        return ranks[key]

    matcher.rank = remembered  # type: ignore[method-assign]
    sets = tuning_sets()
    grid: list[Values] = [*itertools.product(ANSWER, MARGIN, HEADING)]
    if shipped not in grid:
        grid.append(shipped)
    counts: dict[Values, dict[str, Counter[str]]] = {}
    thresholds = matcher.thresholds
    for values in grid:
        answer, margin, heading = values
        matcher.thresholds = dataclasses.replace(thresholds, answer=answer, margin=margin)
        reader = MessageReader(matcher, base.detector, content.faq, heading_lead=heading)
        counts[values] = {name: measure(reader, items) for name, items in sets.items()}
    matcher.thresholds = thresholds

    def total(values: Values, names: Sequence[str]) -> float:
        return sum(value(counts[values][n], args.wrong, args.unanswerable) for n in names)

    print(
        f"{len(sets)} sets, {len(grid)} value sets (answer, margin, heading lead); "
        f"shipped {shipped}; W={args.wrong}, N={args.unanswerable}"
    )
    gains = 0.0
    for name in sets:
        others = [n for n in sets if n != name]
        # Ties go to the shipped values, then to the values nearest them.
        chosen = max(
            grid,
            key=lambda v: (
                round(total(v, others), 9),
                -sum(abs(a - b) for a, b in zip(v, shipped, strict=True)),
            ),
        )
        gain = value(counts[chosen][name], args.wrong, args.unanswerable) - value(
            counts[shipped][name], args.wrong, args.unanswerable
        )
        gains += gain
        print(
            f"{name:20} chosen {chosen!s:18} shipped: {_figures(counts[shipped][name])}"
            f"  chosen: {_figures(counts[chosen][name])}  gain {gain:+.3f}"
        )
    print(f"summed gain on the sets left out: {gains:+.3f} (> 0: the chosen values generalise)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
