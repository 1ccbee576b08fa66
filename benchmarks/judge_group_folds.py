"""Grouped folds for the safety models: does a new training set help the writers it is not?

`python -m bot.safety.train --loso` fits one model per labelled set (about 65 fits of each
model, over an hour on a loaded machine). This benchmark puts the sets (writers, gatherings)
into FOLDS groups of about equal size and fits one model per fold, so that every set is still
scored only by models trained without it, for two arms at once:

- base: tests/data as it is; the candidate set is scored but never trained on;
- new: tests/data with the candidate set added (both models learn from it);
- judge: the candidate set added to the judgement's training only (the second opinion as in base).

For each arm: the judgement's threshold chosen as `bot.safety.train --loso` chooses it (the
lowest of its grid at which no labelled emergency or urgent problem is lowered), and per set
the emergencies answered 911-first, the urgent problems given the urgent (or 911) reply and
the harmless messages given the 911-first reply, with the second opinion at its stored
thresholds and the judgement at the chosen threshold and at 0.94 (round 14's).

    python benchmarks/judge_group_folds.py NEW_SET.yaml [--folds 6] [--out DIR]
    python benchmarks/judge_group_folds.py NEW_SET.yaml --dated   # the "dated" cue on top

Probabilities are cached in --out (delete the folder after changing data or code).
A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import pickle
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.safety import present
from bot.safety import train as safety_train
from bot.safety.second_opinion import LABELS, FeatureSpec, Thresholds

# round 15's candidate cue, measured here before it joins present.JUDGE_CUES
DATED = re.compile(
    r" (?:(?:back )?in|since|on|last|early|late|mid|this past) (?:january|february|march|april|"
    r"june|july|august|september|october|november|december) |"
    r" (?:january|february|march|april|june|july|august|september|october|november|"
    r"december) \d{1,2}(?:st|nd|rd|th)? |"
    r" (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday) the \d{1,2}(?:st|nd|rd|th)? "
)
ROUND14_THRESHOLD = 0.94


def balanced_folds(groups: list[str], folds: int) -> dict[str, int]:
    """Each set's fold: largest sets first, each into the fold holding fewest messages."""
    size: dict[str, int] = defaultdict(int)
    for group in groups:
        size[group] += 1
    load = [0] * folds
    fold_of: dict[str, int] = {}
    for group in sorted(size, key=lambda g: (-size[g], g)):
        chosen = min(range(folds), key=lambda k: (load[k], k))
        fold_of[group] = chosen
        load[chosen] += size[group]
    return fold_of


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("new_set", type=Path)
    parser.add_argument("--folds", type=int, default=6)
    parser.add_argument("--out", type=Path, default=Path("/tmp/judge_group_folds"))
    parser.add_argument("--dated", action="store_true", help="add the candidate 'dated' cue")
    parser.add_argument("--arms", default="base,new,judge")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    suffix = "_dated" if args.dated else ""
    if args.dated:
        present.JUDGE_CUES["dated"] = DATED
    new_path = args.new_set.resolve()
    items = safety_train.load_labelled([*safety_train.labelled_paths(), new_path])
    sides = safety_train.judge_sides(items)
    rules_file = args.out / "rules.pkl"
    if rules_file.exists():
        rules = pickle.loads(rules_file.read_bytes())
    else:
        rules = safety_train.rules_levels(items)
        rules_file.write_bytes(pickle.dumps(rules))
    fold_of = balanced_folds([item.group for item in items], args.folds)
    fold = np.array([fold_of[item.group] for item in items])
    is_new = np.array([item.group == new_path.stem for item in items])
    spec, settings = FeatureSpec(), safety_train.TrainingSettings()
    words = safety_train.words_of(items)
    keys = [" ".join(w) for w in words]
    labels = np.array([item.label for item in items], dtype=np.int64)
    rows = safety_train.Rows.build(words, spec)
    judged, found = safety_train.judge_training(items, sides, spec)
    judged_at = np.array(judged)
    judge_rows = safety_train.Rows.of_features(found)
    thresholds = Thresholds(**safety_train.stored_card()["thresholds"])

    def folds_of(
        arm: str, second: bool
    ) -> tuple[npt.NDArray[np.float32] | None, npt.NDArray[np.float32]]:
        second_p = np.zeros((len(items), len(LABELS)), dtype=np.float32) if second else None
        not_now = np.full(len(items), np.nan, dtype=np.float32)
        for k in range(args.folds):
            held = np.where(fold == k)[0]
            held_keys = {keys[i] for i in held}
            unseen = np.array(
                [fold[i] != k and keys[i] not in held_keys for i in range(len(items))]
            )
            judge_learns = ~is_new | (arm in ("new", "judge"))
            trains = unseen & judge_learns
            started = time.perf_counter()
            if second_p is not None:
                train = np.where(unseen & (~is_new | (arm == "new")))[0]  # second opinion
                weights, bias = safety_train.fit(rows.take(train), labels[train], spec, settings)
                second_p[held] = safety_train.softmax(rows.take(held).scores(weights, bias))
            j_train = np.array([j for j, i in enumerate(judged_at) if trains[i]])
            j_held = np.array([j for j, i in enumerate(judged_at) if fold[i] == k])
            weights, bias = safety_train.fit(
                judge_rows.take(j_train), labels[judged_at[j_train]], spec, settings
            )
            scores = safety_train.softmax(judge_rows.take(j_held).scores(weights, bias))
            not_now[judged_at[j_held]] = scores[:, LABELS.index("benign")]
            print(f"  {arm} fold {k}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        return second_p, not_now

    report: dict[str, Any] = {}
    for arm in args.arms.split(","):
        second_file = args.out / f"{'base' if arm == 'judge' else arm}_second.npy"
        judge_file = args.out / f"{arm}_judge{suffix}.npy"
        if second_file.exists():
            second = np.load(second_file)
            not_now = np.load(judge_file) if judge_file.exists() else folds_of(arm, False)[1]
        else:
            fresh, not_now = folds_of(arm, True)
            assert fresh is not None
            second = fresh
            np.save(second_file, second)
        np.save(judge_file, not_now)
        chosen, sweep = safety_train.choose_judge_threshold(
            items, sides, rules, not_now, second[:, 0], thresholds
        )
        levels = safety_train.stage_levels(second, rules, thresholds)
        per_threshold: dict[str, Any] = {}
        for threshold in sorted({chosen, ROUND14_THRESHOLD}):
            lowered = safety_train.judge_lowers(
                sides, rules, not_now, second[:, 0], thresholds, threshold
            )
            table: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            for item, level, low in zip(items, levels, lowered, strict=True):
                label, row = LABELS[item.label], table[item.group]
                final = "caution" if low and level == "emergency" else level
                row[label] += 1
                row[f"{label} 911-first"] += final == "emergency"
                row[f"{label} urgent or 911"] += final in ("urgent", "emergency")
                row[f"{label} lowered"] += bool(low)
            per_threshold[str(threshold)] = {g: dict(r) for g, r in sorted(table.items())}
        report[arm] = {"threshold": chosen, "sweep": sweep, "per set": per_threshold}
        print(f"{arm}: judge threshold {chosen}", file=sys.stderr)
    (args.out / f"report{suffix}.json").write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps({arm: report[arm]["sweep"] for arm in report}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
