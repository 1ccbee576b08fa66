"""Train the safety screen's second opinion and measure it leave-one-set-out.

    python -m bot.safety.train            # train on every labelled set, write the weights
    python -m bot.safety.train --loso     # also measure: each set left out in turn
    python -m bot.safety.train --check    # exit 1 when the labelled data changed since training

Every file in tests/data that labels safety messages is one group (one writer or one
gathering): safety_*.yaml (expect: emergency | urgent | benign), emergency_stress.yaml
(emergencies), emergency_benign_stress.yaml (harmless look-alikes) and, as ordinary
questions, faq_*.yaml (their `expect: emergency` items are emergencies, the rest benign).
Leave-one-set-out trains on every group but one and scores the one left out, so each
figure is what the model does on a writer it never saw. Deterministic: fixed order, no
randomness, full-batch optimisation.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from bot.safety.present import (
    JUDGE_CARD_FILE,
    JUDGE_WEIGHTS_FILE,
    JUDGED_LANGUAGES,
    NOT_PRESENT,
    PresentJudge,
    judge_cues,
    judge_features,
    never_judged,
    never_lowered_told,
)
from bot.safety.second_opinion import (
    CARD_FILE,
    LABELS,
    WEIGHTS_FILE,
    FeatureSpec,
    Opinion,
    SecondOpinion,
    Thresholds,
    combined_level,
)
from bot.safety.terms import normalise_words

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / "tests" / "data"
SET_PATTERNS = (
    "safety_*.yaml",
    "emergency_stress.yaml",
    "emergency_benign_stress.yaml",
    "faq_*.yaml",
)
Floats = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Labelled:
    """One labelled message of one set."""

    text: str
    label: int  # index into LABELS
    group: str
    lang: str


@dataclass(frozen=True)
class TrainingSettings:
    """What the optimiser is told (recorded in the card)."""

    l2: float = 1e-6
    steps: int = 60
    learning_rate: float = 0.1


def labelled_paths(data_dir: Path = DATA_DIR) -> list[Path]:
    """The labelled sets, in a fixed order."""
    return sorted({path for pattern in SET_PATTERNS for path in data_dir.glob(pattern)})


def load_labelled(paths: Sequence[Path]) -> list[Labelled]:
    """Every message of `paths` with its label (emergency, urgent or benign)."""
    items: list[Labelled] = []
    for path in paths:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        default = "benign" if "benign" in path.stem else "emergency"
        for entry in entries:
            expect = str(entry.get("expect") or default)
            if path.name.startswith("faq_") and expect not in ("emergency", "urgent"):
                expect = "benign"  # an FAQ id or fallback: an ordinary question
            if expect not in LABELS:
                raise ValueError(f"{path.name}: unknown label {expect!r}")
            items.append(
                Labelled(
                    str(entry["q"]), LABELS.index(expect), path.stem, str(entry.get("lang") or "en")
                )
            )
    return items


def data_hash(paths: Sequence[Path]) -> str:
    """sha256 over the sets' names and bytes: changes when any labelled message does."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@dataclass(frozen=True)
class Rows:
    """Messages as hashed feature rows: row i owns indices[starts[i]:starts[i+1]]."""

    indices: npt.NDArray[np.int64]
    values: Floats
    starts: npt.NDArray[np.int64]
    row_of: npt.NDArray[np.int64]

    @classmethod
    def build(cls, words: Sequence[Sequence[str]], spec: FeatureSpec) -> Rows:
        # An empty message reads feature 0.
        return cls.of_features([spec.features(w) or [0] for w in words])

    @classmethod
    def of_features(cls, found: Sequence[Sequence[int]]) -> Rows:
        lengths = np.array([len(f) for f in found], dtype=np.int64)
        indices = np.fromiter(
            (i for f in found for i in f), dtype=np.int64, count=int(lengths.sum())
        )
        row_of = np.repeat(np.arange(len(found)), lengths)
        values = (1.0 / np.sqrt(lengths))[row_of].astype(np.float32)
        starts = np.concatenate([[0], np.cumsum(lengths)])
        return cls(indices, values, starts, row_of)

    def take(self, rows: npt.NDArray[np.int64]) -> Rows:
        lengths = (self.starts[1:] - self.starts[:-1])[rows]
        pick = np.concatenate([np.arange(self.starts[r], self.starts[r + 1]) for r in rows])
        starts = np.concatenate([[0], np.cumsum(lengths)])
        row_of = np.repeat(np.arange(len(rows)), lengths)
        return Rows(self.indices[pick], self.values[pick], starts, row_of)

    def scores(self, weights: Floats, bias: Floats) -> Floats:
        products = weights[self.indices] * self.values[:, None]
        summed = np.add.reduceat(products, self.starts[:-1], axis=0)
        return summed + bias


def softmax(scores: Floats) -> Floats:
    shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def fit(
    rows: Rows, labels: npt.NDArray[np.int64], spec: FeatureSpec, settings: TrainingSettings
) -> tuple[Floats, Floats]:
    """Class-weighted multinomial logistic regression, full-batch Adam from zero."""
    classes = len(LABELS)
    counts = np.bincount(labels, minlength=classes).astype(np.float64)
    class_weight = np.where(counts > 0, len(labels) / (classes * np.maximum(counts, 1)), 0.0)
    sample = (class_weight[labels] / len(labels)).astype(np.float32)
    target = np.eye(classes, dtype=np.float32)[labels]
    weights = np.zeros((spec.size, classes), dtype=np.float32)
    bias = np.zeros(classes, dtype=np.float32)
    moments = [
        np.zeros_like(weights),
        np.zeros_like(weights),
        np.zeros_like(bias),
        np.zeros_like(bias),
    ]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, settings.steps + 1):
        error = (softmax(rows.scores(weights, bias)) - target) * sample[:, None]
        spread = error[rows.row_of] * rows.values[:, None]
        grad_w = np.stack(
            [
                np.bincount(rows.indices, weights=spread[:, k], minlength=spec.size)
                for k in range(classes)
            ],
            axis=1,
        ).astype(np.float32)
        grad_w += settings.l2 * weights
        grad_b = error.sum(axis=0)
        for param, grad, m, v in (
            (weights, grad_w, moments[0], moments[1]),
            (bias, grad_b, moments[2], moments[3]),
        ):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            m_hat = m / (1 - beta1**step)
            v_hat = v / (1 - beta2**step)
            param -= settings.learning_rate * m_hat / (np.sqrt(v_hat) + eps)
    return weights, bias


def words_of(items: Sequence[Labelled]) -> list[list[str]]:
    return [normalise_words(item.text) for item in items]


def leave_one_set_out(
    items: Sequence[Labelled],
    spec: FeatureSpec,
    settings: TrainingSettings,
    log: bool = True,
    found: Sequence[Sequence[int]] | None = None,
) -> Floats:
    """Each message's probabilities from a model trained without its set (nor its text);
    `found`: each message's features, when they are not its words' (the judgement's)."""
    words = words_of(items)
    rows = Rows.build(words, spec) if found is None else Rows.of_features(found)
    labels = np.array([item.label for item in items], dtype=np.int64)
    keys = [" ".join(w) for w in words]
    out = np.zeros((len(items), len(LABELS)), dtype=np.float32)
    groups = sorted({item.group for item in items})
    for number, group in enumerate(groups, 1):
        held = np.array([i for i, item in enumerate(items) if item.group == group], dtype=np.int64)
        held_keys = {keys[i] for i in held}
        train = np.array(
            [i for i, item in enumerate(items) if item.group != group and keys[i] not in held_keys],
            dtype=np.int64,
        )
        started = time.perf_counter()
        weights, bias = fit(rows.take(train), labels[train], spec, settings)
        out[held] = softmax(rows.take(held).scores(weights, bias))
        if log:
            print(
                f"  [{number}/{len(groups)}] {group}: {time.perf_counter() - started:.0f} s",
                file=sys.stderr,
            )
    return out


# Leave-one-set-out figures of the second opinion, the rules and the two combined.

LANGUAGE_GROUPS = ("en", "fr", "other")
ORDINARY = "ordinary questions (faq_*)"


@dataclass(frozen=True)
class RulesSide:
    """What the rules alone decide for a message, whether they came near, its language."""

    level: str
    near: bool
    english: bool
    sensed: bool = False  # a rule's terms found (before context)
    # A health word, and nothing around it sets a problem aside
    # (`EmergencyDetector.may_be_a_present_problem`).
    told_as_present: bool = False

    never_lowered: bool = False  # a `never_lowered` word is told

    @property
    def set_aside(self) -> bool:
        """A rule's terms found and no emergency rule decided (context set them aside), with
        no `never_lowered` word (as `SafetyStage.screen` reads it)."""
        return self.sensed and self.level != "emergency" and not self.never_lowered


def rules_levels(items: Sequence[Labelled]) -> list[RulesSide]:
    """What the rules alone decide for each message (emergency, urgent, notice, ...)."""
    import logging

    from bot.clinic_content import load_content
    from bot.faq.matcher import FaqMatcher
    from bot.safety.stage import build_safety_stage

    logging.disable(logging.WARNING)  # the stage logs each decision
    content = load_content(REPO_ROOT / "content")
    stage = build_safety_stage(content.emergency, content.clinic.phone, use_second_opinion=False)
    matcher = FaqMatcher.from_content(content.faq)
    levels: list[RulesSide] = []
    detector = stage.content.detector()
    for item in items:
        words = normalise_words(item.text)
        near = stage.near_rules(item.text, words) or detector.self_harm_cue(words)
        english = stage.language_of(item.text).code in ("en", "und")
        sensed = detector.sense(item.text, words)[1]
        guarded = detector.never_lowered(words)
        verdict = stage.screen(item.text)
        if verdict is not None:
            levels.append(RulesSide(verdict.level, near, english, sensed, False, guarded))
            continue
        present = detector.may_be_a_present_problem(item.text)
        decision: str = matcher.match(item.text).decision
        if decision == "fallback" and stage.replies.unplaced_urgent_rule(item.text) is not None:
            decision = "urgent"  # what the FAQ conversation answers in place of "I don't know"
        levels.append(RulesSide(decision, near, english, sensed, present, guarded))
    logging.disable(logging.NOTSET)
    return levels


def opinions(
    probabilities: npt.NDArray[np.float32], rules: Sequence[RulesSide], thresholds: Thresholds
) -> list[Opinion | None]:
    """The model's opinion per message at the given thresholds."""
    return [
        thresholds.opinion(p[0], p[1], side.near, side.english, side.set_aside)
        for p, side in zip(probabilities.tolist(), rules, strict=True)
    ]


# Replies a feature gives without naming 911 (issue 17: no emergency may get one).
NO_911 = frozenset({"answer", "suggest"})


def stage_levels(
    probabilities: npt.NDArray[np.float32], rules: Sequence[RulesSide], thresholds: Thresholds
) -> list[str]:
    """What the stage answers with the second opinion beside the rules: its raises, the
    warning signs under an English answer it finds close to an emergency (caution), the
    urgent reply in place of a fallback it finds close to urgent."""
    found = opinions(probabilities, rules, thresholds)
    levels: list[str] = []
    for p, side, opinion in zip(probabilities.tolist(), rules, found, strict=True):
        level = combined_level(side.level, opinion) or "none"
        if level in NO_911 and side.english and p[0] >= thresholds.caution:
            level = "caution"
        elif (
            level == "fallback"
            and side.told_as_present
            and p[0] + p[1] >= thresholds.fallback_urgent
        ):
            level = "urgent"
        levels.append(level)
    return levels


# Replies whose text names 911: the emergency reply, the other-language notice, the cautious
# answer's warning signs, the urgent reply's "if it gets worse", the fallback's and "did you
# mean"'s last line (issue 17: no silent miss).
NAMES_911 = frozenset({"emergency", "notice", "caution", "urgent", "fallback", "suggest"})


@dataclass
class Counts:
    """Pooled counts for one slice of the labelled messages (also the benchmark's tally)."""

    emergencies: int = 0
    emergency_reply: int = 0
    named_911: int = 0
    urgents: int = 0
    urgent_or_emergency: int = 0
    urgent_fallback: int = 0
    benign: int = 0
    false_alarms: int = 0
    benign_urgent: int = 0

    def add(self, label: str, level: str | None) -> None:
        if label == "emergency":
            self.emergencies += 1
            self.emergency_reply += level == "emergency"
            self.named_911 += level in NAMES_911
        elif label == "urgent":
            self.urgents += 1
            self.urgent_or_emergency += level in ("urgent", "emergency")
            self.urgent_fallback += level == "fallback"
        else:
            self.benign += 1
            self.false_alarms += level == "emergency"
            self.benign_urgent += level == "urgent"

    def figures(self) -> dict[str, str]:
        return {
            "emergency reply": share(self.emergency_reply, self.emergencies),
            "urgent or 911": share(self.urgent_or_emergency, self.urgents),
            "urgent -> I don't know": str(self.urgent_fallback),
            "harmless -> 911": share(self.false_alarms, self.benign),
            "harmless -> urgent": share(self.benign_urgent, self.benign),
        }


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f} %)" if whole else "-"


def slice_of(item: Labelled) -> str:
    if item.group.startswith("faq_") and LABELS[item.label] == "benign":
        return ORDINARY
    return item.lang if item.lang in ("en", "fr") else "other"


def tally(items: Sequence[Labelled], levels: Sequence[str | None]) -> dict[str, Counts]:
    """Counts per language group (safety sets), ordinary questions, and all pooled."""
    slices: dict[str, Counts] = {name: Counts() for name in (*LANGUAGE_GROUPS, ORDINARY, "all")}
    for item, level in zip(items, levels, strict=True):
        label = LABELS[item.label]
        slices[slice_of(item)].add(label, level)
        slices["all"].add(label, level)
    return slices


def loso_report(
    items: Sequence[Labelled],
    probabilities: npt.NDArray[np.float32],
    thresholds: Thresholds,
    rules: Sequence[RulesSide],
) -> dict[str, Any]:
    """Pooled LOSO figures for the model alone, the rules alone and the combination."""
    levels = [side.level for side in rules]
    combined = stage_levels(probabilities, rules, thresholds)
    # The model alone: its opinion at the thresholds for a message the rules came near.
    alone = [
        Thresholds(thresholds.emergency, thresholds.urgent, thresholds.emergency).opinion(
            p[0], p[1], True, True
        )
        for p in probabilities.tolist()
    ]
    report: dict[str, Any] = {"thresholds": asdict(thresholds)}
    for name, chosen in (
        ("model alone", [level or "none" for level in alone]),
        ("rules alone (optimistic: tuned on these sets)", levels),
        ("rules + second opinion (escalate only, with its cautions)", combined),
    ):
        report[name] = {key: counts.figures() for key, counts in tally(items, chosen).items()}
    return report


# How many false alarms one recovered emergency is worth when the thresholds are chosen
# (issue 17: a missed emergency is worse than a false alarm), and one recovered urgent
# problem against harmless messages sent to a doctor today.
EMERGENCY_WORTH = 3.0
URGENT_WORTH = 2.0
# One English emergency answered without 911 that the warning signs reach, against harmless
# answers that carry them (a paragraph under the answer, not the 911-first reply); and the
# grid of that sweep and of the urgent reply in place of a fallback.
CAUTION_WORTH = 10.0
# Where context set a rule's words aside: pooled LOSO chooses 0.995 (no emergency recovered
# between 0.94 and 0.995, 12 harmless raised at 0.94, 3 at 0.98), but the shipped model reads
# a labelled heart attack told as a joke ("i think im having a heart attack lol jk. maybe.
# pressure + left arm + sweaty for 30 min") at 0.982, and issue 17 names that kind as a
# missed 911-first. Chosen after looking: not blind.
SET_ASIDE_CEILING = 0.98
# CLINC150's 5,500 ordinary chat questions (no labelled set reads like them) reach P(emergency)
# >= 0.95 in 17, >= 0.98 in 7 (2 of them the emergency replies above the English-alone floor):
# the warning signs under "email my boss, tell him i wont be in today" are noise. Chosen
# after looking (not blind); pooled LOSO at 0.98 still gives 911 to 1 of the 2 emergencies
# answered without it that 0.95 reaches, and to no harmless message.
CAUTION_FLOOR = 0.98
CAUTION_GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99, 1.1)
# English messages no rule came near: LOSO alone would choose far lower, but CLINC150's
# ordinary chat (5,500 test questions, at most 2 given 911) reads 4 at 0.995, 1 at 0.999, 0 at
# 0.9995
# with this model (`benchmarks/emergency_screen.py`). Chosen after looking: not blind.
ALONE_FLOOR = 0.9995
GRID = (
    *tuple(round(0.5 + 0.02 * step, 2) for step in range(25)),
    0.99,
    0.995,
    0.998,
    0.999,
    0.9995,
)


def choose_thresholds(
    items: Sequence[Labelled],
    probabilities: npt.NDArray[np.float32],
    rules: Sequence[RulesSide],
    fixed: Thresholds | None = None,
) -> tuple[Thresholds, list[str]]:
    """The thresholds that gain most over the rules on pooled LOSO, and the sweep's lines.

    Each threshold is swept on the messages it governs (those the rules came near or not
    in English; English ones they did not come near) and scored as recovered emergencies x
    EMERGENCY_WORTH (urgent problems x URGENT_WORTH) minus harmless messages raised.
    `fixed`: keep its emergency, urgent and English-alone thresholds (swept before) and
    choose only the later ones (set aside, caution, urgent in place of a fallback)."""
    labels = [LABELS[item.label] for item in items]
    p_emergency = probabilities[:, 0].tolist()
    p_either = (probabilities[:, 0] + probabilities[:, 1]).tolist()
    gated = [side.near or not side.english for side in rules]
    lines: list[str] = []

    def sweep(
        name: str,
        scores: list[float],
        governed: list[bool],
        below: tuple[str, ...],
        wanted: tuple[str, ...],
        worth: float,
        grid: tuple[float, ...] = GRID,
    ) -> float:
        best, best_gain = grid[-1], -1e9
        for threshold in grid:
            raised = [
                lab
                for lab, side, p, g in zip(labels, rules, scores, governed, strict=True)
                if g and p >= threshold and side.level not in below
            ]
            gained = sum(lab in wanted for lab in raised)
            alarms = raised.count("benign")
            lines.append(f"{name} >= {threshold}: +{gained} recovered, +{alarms} harmless raised")
            if worth * gained - alarms > best_gain:
                best, best_gain = threshold, worth * gained - alarms
        return best

    not_english_alone = [not g for g in gated]
    set_aside = [side.set_aside for side in rules]
    if fixed is not None:
        emergency = fixed.emergency
    else:
        emergency = sweep(
            "emergency", p_emergency, gated, ("emergency",), ("emergency",), EMERGENCY_WORTH
        )
    # Then, where context set a rule's terms aside, whether to ask the model for more.
    emergency_set_aside = min(SET_ASIDE_CEILING, sweep(
        "emergency_set_aside", p_emergency, set_aside, ("emergency",), ("emergency",),
        EMERGENCY_WORTH, tuple(t for t in GRID if t >= emergency),
    ))  # fmt: skip
    alone = (
        fixed.emergency_alone
        if fixed is not None
        else max(
            ALONE_FLOOR,
            sweep(
                "emergency_alone",
                p_emergency,
                not_english_alone,
                ("emergency",),
                ("emergency",),
                EMERGENCY_WORTH,
            ),
        )
    )
    still = [
        g and p < (emergency_set_aside if a else emergency)
        for g, a, p in zip(gated, set_aside, p_emergency, strict=True)
    ]
    urgent = (
        fixed.urgent
        if fixed is not None
        else sweep(
            "urgent",
            p_either,
            still,
            ("emergency", "urgent"),
            ("urgent", "emergency"),
            URGENT_WORTH,
        )
    )
    chosen = Thresholds(emergency, urgent, alone, emergency_set_aside)
    # What the rules and the model's raises still answer without 911 (an English answer or
    # "did you mean"), or with the plain "I don't know".
    left = stage_levels(probabilities, rules, chosen)
    english_answers = [
        level in NO_911 and side.english for level, side in zip(left, rules, strict=True)
    ]
    caution = max(
        CAUTION_FLOOR,
        sweep(
            "caution", p_emergency, english_answers, (), ("emergency",), CAUTION_WORTH, CAUTION_GRID
        ),
    )
    fallbacks = [
        level == "fallback" and side.told_as_present
        for level, side in zip(left, rules, strict=True)
    ]
    fallback_urgent = sweep(
        "fallback_urgent", p_either, fallbacks, (), ("urgent", "emergency"), URGENT_WORTH,
        CAUTION_GRID,
    )  # fmt: skip
    return replace(chosen, caution=caution, fallback_urgent=fallback_urgent), lines


def deescalation(
    items: Sequence[Labelled], probabilities: npt.NDArray[np.float32], rules: Sequence[RulesSide]
) -> dict[str, str]:
    """What lowering a rule's emergency would cost where the model is sure it is none:
    false alarms removed against emergencies lost (allowed only at 1 in 500 or fewer)."""
    labels = [LABELS[item.label] for item in items]
    emergencies = labels.count("emergency")
    found: dict[str, str] = {}
    for threshold in (0.001, 0.005, 0.01, 0.02, 0.05):
        lowered = [
            lab
            for lab, side, p in zip(labels, rules, probabilities[:, 0].tolist(), strict=True)
            if side.level == "emergency" and p < threshold
        ]
        found[f"P(emergency) < {threshold}"] = (
            f"{lowered.count('benign')} false alarms removed, "
            f"{lowered.count('emergency')}/{emergencies} emergencies lost"
        )
    return found


# The present-emergency judgement (bot/safety/present.py): trained only on messages in which
# an emergency rule's terms are found, measured leave-one-set-out on the rules' emergencies.


@dataclass(frozen=True)
class JudgeSide:
    """What the judgement reads of a message, and whether it may lower it at all."""

    sensed: bool  # a rule's terms found, before context
    hit: bool  # a rule decided emergency
    judged: bool  # in a language the judgement reads, matched by an English or French rule
    never_lowered: bool
    enough_words: bool  # the second opinion gives an opinion (see `enough_to_judge`)
    cues: tuple[tuple[str, bool], ...] = ()
    rule_id: str = ""  # the rule that decided emergency
    self_harm: bool = False  # a `self_harm_cues` word is told

    @property
    def guarded(self) -> bool:
        """Whether the judgement may not lower it at all (`never_judged`)."""
        return self.never_lowered or never_judged(self.rule_id, dict(self.cues), self.self_harm)


def judge_sides(items: Sequence[Labelled]) -> list[JudgeSide]:
    """Each message's side of the judgement, read with the clinic's content."""
    import logging

    from bot.clinic_content import load_content
    from bot.safety.language import detect_language
    from bot.safety.second_opinion import enough_to_judge

    logging.disable(logging.WARNING)
    detector = load_content(REPO_ROOT / "content").emergency.detector()
    sides: list[JudgeSide] = []
    for item in items:
        words = normalise_words(item.text)
        hit, sensed = detector.sense(item.text, words)
        if not sensed:
            sides.append(JudgeSide(False, False, False, False, enough_to_judge(words)))
            continue
        code = detect_language(item.text).code
        judged = hit is not None and code in JUDGED_LANGUAGES and hit.language in ("en", "fr")
        sides.append(
            JudgeSide(
                True,
                hit is not None,
                judged,
                never_lowered_told(detector.never_lowered, item.text, words),
                enough_to_judge(words),
                tuple(judge_cues(detector.context_cues(item.text, words), words).items()),
                hit.rule_id if hit is not None else "",
                detector.self_harm_cue(words),
            )
        )
    logging.disable(logging.NOTSET)
    return sides


def judge_training(
    items: Sequence[Labelled], sides: Sequence[JudgeSide], spec: FeatureSpec
) -> tuple[list[int], list[list[int]]]:
    """Which messages the judgement learns from (a rule's terms found) and their features."""
    chosen = [i for i, side in enumerate(sides) if side.sensed]
    found = [
        judge_features(spec, normalise_words(items[i].text), dict(sides[i].cues)) for i in chosen
    ]
    return chosen, found


def judge_loso(
    items: Sequence[Labelled], sides: Sequence[JudgeSide], spec: FeatureSpec, log: bool = True
) -> Floats:
    """P(benign) of each message the judgement reads from a model trained without its set
    (NaN for the others)."""
    chosen, found = judge_training(items, sides, spec)
    probabilities = leave_one_set_out(
        [items[i] for i in chosen], spec, TrainingSettings(), log=log, found=found
    )
    out = np.full(len(items), np.nan, dtype=np.float32)
    out[chosen] = probabilities[:, LABELS.index("benign")]
    return out


def judge_lowers(
    sides: Sequence[JudgeSide],
    rules: Sequence[RulesSide],
    not_present: Floats,
    second: Floats,
    thresholds: Thresholds,
    threshold: float,
) -> list[bool]:
    """Whether the stage would answer each message cautiously in place of the rules'
    emergency (as `SafetyStage._judged_not_present` decides)."""
    return [
        side.hit
        and rule.level == "emergency"
        and side.judged
        and not side.guarded
        and float(p) >= threshold
        and not (side.enough_words and float(e) >= thresholds.emergency)
        for side, rule, p, e in zip(
            sides, rules, not_present.tolist(), second.tolist(), strict=True
        )
    ]


# The threshold is the lowest of the grid at which pooled LOSO moves no labelled emergency and
# no urgent problem to the cautious reply. Issue 17 allows 1 in 300 (JUDGE_BOUND); the
# emergencies moved at that bound ("jvais me tuer", a seizure that won't stop, bowel
# accidents with sciatica in both legs) are ones no clinician would accept, so the choice
# keeps a margin below it. Chosen after looking at the sweep: not blind.
JUDGE_BOUND = 1 / 300
JUDGE_GRID = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.92, 0.93, 0.94, 0.95, 0.96, 0.97, 0.98, 0.99, 0.995)


def choose_judge_threshold(
    items: Sequence[Labelled],
    sides: Sequence[JudgeSide],
    rules: Sequence[RulesSide],
    not_present: Floats,
    second: Floats,
    thresholds: Thresholds,
) -> tuple[float, list[str]]:
    """The lowest threshold whose pooled LOSO moves no emergency and no urgent problem to
    the cautious reply, and the sweep's lines (every threshold of the grid)."""
    labels = [LABELS[item.label] for item in items]
    emergencies = labels.count("emergency")
    lines: list[str] = []
    chosen = JUDGE_GRID[-1]
    clean = True
    for threshold in reversed(JUDGE_GRID):
        lowered = judge_lowers(sides, rules, not_present, second, thresholds, threshold)
        moved = [lab for lab, low in zip(labels, lowered, strict=True) if low]
        lost, urgent = moved.count("emergency"), moved.count("urgent")
        bound = "within" if lost <= emergencies * JUDGE_BOUND and not urgent else "beyond"
        lines.append(
            f"judge P(not now) >= {threshold}: {moved.count('benign')} false alarms removed, "
            f"{lost}/{emergencies} emergencies and {urgent} urgent moved to the cautious reply "
            f"({bound} 1 in 300)"
        )
        clean = clean and not lost and not urgent
        if clean:
            chosen = threshold
    return chosen, lines


def judge_report(
    items: Sequence[Labelled], rules: Sequence[RulesSide], lowered: Sequence[bool]
) -> dict[str, Any]:
    """Per language group and per set: false alarms removed, the emergencies moved (their
    text, for a clinician to accept each), urgent problems moved."""
    groups: dict[str, dict[str, int]] = {}
    by_set: dict[str, dict[str, int]] = {}
    moved: list[str] = []
    for item, rule, low in zip(items, rules, lowered, strict=True):
        label = LABELS[item.label]
        for key, table in ((slice_of(item), groups), (item.group, by_set)):
            counts = table.setdefault(
                key, {"false alarms": 0, "removed": 0, "emergency moved": 0, "urgent moved": 0}
            )
            counts["false alarms"] += label == "benign" and rule.level == "emergency"
            counts["removed"] += label == "benign" and low
            counts["emergency moved"] += label == "emergency" and low
            counts["urgent moved"] += label == "urgent" and low
        if low and label != "benign":
            moved.append(f"{item.group} ({label}): {item.text}")
    return {
        "per language group": groups,
        "per set (sets where it moved something)": {
            key: value
            for key, value in sorted(by_set.items())
            if value["removed"] or value["emergency moved"] or value["urgent moved"]
        },
        "emergencies moved to the cautious reply": moved,
    }


def write_model(
    weights: Floats,
    bias: Floats,
    spec: FeatureSpec,
    card: dict[str, Any],
    weights_file: Path = WEIGHTS_FILE,
    card_file: Path = CARD_FILE,
) -> None:
    """Weights as int8 with one scale (compact), the card as JSON beside them."""
    scale = float(np.abs(weights).max()) / 127 or 1.0
    quantised = np.round(weights / scale).astype(np.int8)
    np.savez_compressed(weights_file, weights=quantised, scale=np.float32(scale), bias=bias)
    card = {**card, "features": asdict(spec)}
    card_file.write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def stored_card(card_file: Path = CARD_FILE) -> dict[str, Any]:
    return json.loads(card_file.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def judge_hash(paths: Sequence[Path]) -> str:
    """The judgement's data: the labelled sets and the emergency content whose terms and
    context cues choose and describe the messages it learns from."""
    return data_hash([*paths, REPO_ROOT / "content" / "emergency.yaml"])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the safety screen's second opinion.")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the data changed since training"
    )
    parser.add_argument("--loso", action="store_true", help="measure leave-one-set-out first")
    parser.add_argument(
        "--loso-probabilities",
        metavar="NPY",
        type=Path,
        help="with --loso: reuse (or, when missing, save) the out-of-set probabilities",
    )
    parser.add_argument(
        "--judge-probabilities",
        metavar="NPY",
        type=Path,
        help="with --loso: reuse (or save) the judgement's out-of-set P(not now)",
    )
    parser.add_argument(
        "--judge-only",
        action="store_true",
        help="with --loso: measure the judgement only, at the second opinion's stored thresholds",
    )
    parser.add_argument(
        "--keep-thresholds",
        action="store_true",
        help="with --loso: keep the stored emergency, urgent and English-alone thresholds",
    )
    args = parser.parse_args(argv)
    paths = labelled_paths()
    current = data_hash(paths)
    if args.check:
        judge_card = stored_card(JUDGE_CARD_FILE) if JUDGE_CARD_FILE.exists() else {}
        if stored_card().get("data_hash") != current or (
            judge_card.get("data_hash") != judge_hash(paths)
        ):
            print(
                "The labelled safety data changed since the second opinion was trained: "
                "run `python -m bot.safety.train`."
            )
            return 1
        print("second opinion: trained on the current labelled data")
        return 0
    spec, settings = FeatureSpec(), TrainingSettings()
    items = load_labelled(paths)
    card = stored_card() if CARD_FILE.exists() else {}
    judge_card = stored_card(JUDGE_CARD_FILE) if JUDGE_CARD_FILE.exists() else {}
    sides = judge_sides(items)
    if args.loso:
        probabilities = _cached(
            args.loso_probabilities, lambda: leave_one_set_out(items, spec, settings)
        )
        rules = rules_levels(items)
        if args.judge_only:
            thresholds = Thresholds(**card["thresholds"])
        else:
            fixed = Thresholds(**card["thresholds"]) if args.keep_thresholds else None
            thresholds, sweep = choose_thresholds(items, probabilities, rules, fixed)
            print("\n".join(sweep))
            card["thresholds"] = asdict(thresholds)
            card["loso"] = loso_report(items, probabilities, thresholds, rules)
            card["loso"]["lowering a rule's emergency (not done)"] = deescalation(
                items, probabilities, rules
            )
            print(json.dumps(card["loso"], indent=2, ensure_ascii=False))
        not_present = _cached(args.judge_probabilities, lambda: judge_loso(items, sides, spec))
        second = probabilities[:, 0]
        threshold, judge_sweep = choose_judge_threshold(
            items, sides, rules, not_present, second, thresholds
        )
        lowered = judge_lowers(sides, rules, not_present, second, thresholds, threshold)
        judge_card["threshold"] = threshold
        judge_card["loso"] = {"sweep": judge_sweep, **judge_report(items, rules, lowered)}
        print(json.dumps(judge_card["loso"], indent=2, ensure_ascii=False))
    words = words_of(items)
    labels = np.array([item.label for item in items], dtype=np.int64)
    weights, bias = fit(Rows.build(words, spec), labels, spec, settings)
    card.update(
        data_hash=current,
        training_sets=[path.name for path in paths],
        messages={label: int((labels == i).sum()) for i, label in enumerate(LABELS)},
        training=asdict(settings),
    )
    card.setdefault("thresholds", {"emergency": 0.9, "urgent": 0.9, "emergency_alone": 0.999})
    write_model(weights, bias, spec, card)
    SecondOpinion.load()  # what was written loads
    chosen, found = judge_training(items, sides, spec)
    weights, bias = fit(Rows.of_features(found), labels[chosen], spec, settings)
    judge_card.update(
        kind=NOT_PRESENT,
        data_hash=judge_hash(paths),
        messages={label: int((labels[chosen] == i).sum()) for i, label in enumerate(LABELS)},
        training=asdict(settings),
    )
    judge_card.setdefault("threshold", JUDGE_GRID[-1])
    write_model(weights, bias, spec, judge_card, JUDGE_WEIGHTS_FILE, JUDGE_CARD_FILE)
    PresentJudge.load()
    for written in (WEIGHTS_FILE, JUDGE_WEIGHTS_FILE):
        print(f"wrote {written.name} ({written.stat().st_size // 1024} KB) and its card")
    return 0


def _cached(path: Path | None, compute: Callable[[], Floats]) -> Floats:
    """`compute()`, read from (or saved to) `path` when one is given."""
    if path is not None and path.exists():
        return np.load(path)  # type: ignore[no-any-return]
    found = compute()
    if path is not None:
        np.save(path, found)
    return found


if __name__ == "__main__":
    sys.exit(main())
