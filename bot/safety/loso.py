"""Leave-one-set-out figures of the second opinion, the rules and the two combined.

The rules' side is each message through the safety stage and the FAQ's fallback net,
as `benchmarks/emergency_screen.py` decides it; the model's side is the probabilities a
model trained without the message's set gave it (`train.leave_one_set_out`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.safety.second_opinion import LABELS, Opinion, Thresholds, combined_level
from bot.safety.terms import normalise_words
from bot.safety.train import REPO_ROOT, Labelled

LANGUAGE_GROUPS = ("en", "fr", "other")
ORDINARY = "ordinary questions (faq_*)"


@dataclass(frozen=True)
class RulesSide:
    """What the rules alone decide for a message, whether they came near, its language."""

    level: str
    near: bool
    english: bool


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
    for item in items:
        words = normalise_words(item.text)
        near = stage.near_rules(item.text, words)
        english = stage.language_of(item.text).code in ("en", "und")
        verdict = stage.screen(item.text)
        if verdict is not None:
            levels.append(RulesSide(verdict.level, near, english))
            continue
        decision: str = matcher.match(item.text).decision
        if decision == "fallback" and stage.replies.unplaced_urgent_rule(item.text) is not None:
            decision = "urgent"  # what the FAQ conversation answers in place of "I don't know"
        levels.append(RulesSide(decision, near, english))
    logging.disable(logging.NOTSET)
    return levels


def opinions(
    probabilities: npt.NDArray[np.float32], rules: Sequence[RulesSide], thresholds: Thresholds
) -> list[Opinion | None]:
    """The model's opinion per message at the given thresholds."""
    return [
        thresholds.opinion(p[0], p[1], side.near, side.english)
        for p, side in zip(probabilities.tolist(), rules, strict=True)
    ]


@dataclass
class Counts:
    """Pooled counts for one slice of the labelled messages."""

    emergencies: int = 0
    emergency_reply: int = 0
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
            "emergency reply": _share(self.emergency_reply, self.emergencies),
            "urgent or 911": _share(self.urgent_or_emergency, self.urgents),
            "urgent -> I don't know": str(self.urgent_fallback),
            "harmless -> 911": _share(self.false_alarms, self.benign),
            "harmless -> urgent": _share(self.benign_urgent, self.benign),
        }


def _share(part: int, whole: int) -> str:
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
    found = opinions(probabilities, rules, thresholds)
    levels = [side.level for side in rules]
    combined = [
        combined_level(level, opinion) for level, opinion in zip(levels, found, strict=True)
    ]
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
        ("rules + second opinion (escalate only)", combined),
    ):
        report[name] = {key: counts.figures() for key, counts in tally(items, chosen).items()}
    return report


# How many false alarms one recovered emergency is worth when the thresholds are chosen
# (issue 17: a missed emergency is worse than a false alarm), and one recovered urgent
# problem against harmless messages sent to a doctor today.
EMERGENCY_WORTH = 3.0
URGENT_WORTH = 2.0
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
    items: Sequence[Labelled], probabilities: npt.NDArray[np.float32], rules: Sequence[RulesSide]
) -> tuple[Thresholds, list[str]]:
    """The thresholds that gain most over the rules on pooled LOSO, and the sweep's lines.

    Each threshold is swept on the messages it governs (those the rules came near or not
    in English; English ones they did not come near) and scored as recovered emergencies x
    EMERGENCY_WORTH (urgent problems x URGENT_WORTH) minus harmless messages raised."""
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
    ) -> float:
        best, best_gain = GRID[-1], -1e9
        for threshold in GRID:
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
    emergency = sweep(
        "emergency", p_emergency, gated, ("emergency",), ("emergency",), EMERGENCY_WORTH
    )
    alone = max(
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
    still = [g and p < emergency for g, p in zip(gated, p_emergency, strict=True)]
    urgent = sweep(
        "urgent", p_either, still, ("emergency", "urgent"), ("urgent", "emergency"), URGENT_WORTH
    )
    return Thresholds(emergency, urgent, alone), lines


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
