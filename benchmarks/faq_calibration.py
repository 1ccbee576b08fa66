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

Prints, per set left out, the values chosen on the others and the set's figures with the
shipped values and with the chosen ones. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import yaml
from real_questions import find_dev, load_judged, load_questions

from bot.clinic_content import load_content
from bot.faq.matcher import Candidate
from bot.faq.reading import HEADING_LEAD, MessageReader

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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the leave-one-set-out calibration."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wrong", type=float, default=2.0, help="cost of a wrong answer (W)")
    parser.add_argument(
        "--unanswerable", type=float, default=1.0, help="cost of answering the unanswerable (N)"
    )
    args = parser.parse_args(argv)
    content = load_content(REPO_ROOT / "content")
    base = MessageReader.from_content(content)
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
