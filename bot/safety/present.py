"""Is a rule's emergency happening now? A learned judgement beside the rules (issue 17).

The rules fire on a danger sign's words; context rules set aside the history, denials, risk
questions, jokes and frames they were written for, and every new writer brings look-alikes
they were not ("face isn't drooping lol", "the intake asks about suicidal thoughts, I don't
have any"). This model was trained only on labelled messages in which an emergency rule's
terms are found (emergencies against harmless look-alikes: exactly the decision needed),
over the words the second opinion reads plus the screen's context cues in the ConText
tradition (negation, history, a hypothetical or a question, someone else, a frame, words of
now; `EmergencyDetector.context_cues`) as features it weighs rather than rules of their own.

When it is sure a rule's emergency is NOT happening now, the reply is the cautious one: the
feature's answer with the warning signs, which name 911, and a note to staff. It never
lowers a message in a language whose context words the screen does not read, one the
second opinion itself reads as an emergency, or one that tells a `never_lowered` word (a
sign after a treatment, "right now", a cry for help). The threshold and its
leave-one-set-out figures are in the card beside the weights (`python -m bot.safety.train`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.safety.second_opinion import LABELS, FeatureSpec, feature_hash, read_weights

JUDGE_WEIGHTS_FILE = Path(__file__).with_name("present_judge.npz")
JUDGE_CARD_FILE = Path(__file__).with_name("present_judge.json")
# What `faq match --json` and the staff note call a reply lowered by the judgement.
NOT_PRESENT = "not_present"
# The languages whose context words (history, denials, frames) the screen reads: elsewhere a
# rule's emergency always stands.
JUDGED_LANGUAGES = frozenset({"en", "fr", "und"})
_BENIGN = LABELS.index("benign")


def judge_features(spec: FeatureSpec, words: Sequence[str], cues: Mapping[str, bool]) -> list[int]:
    """The hashed features of a message: its words (as the second opinion reads them) and
    one feature per context cue, present or absent."""
    mask = spec.size - 1
    found = spec.features(words)
    found.extend(feature_hash(f"c {name} {int(value)}") & mask for name, value in cues.items())
    return found or [0]


@dataclass
class PresentJudge:
    """The trained judgement: P(not an emergency now) for a message a rule calls one."""

    spec: FeatureSpec
    weights: npt.NDArray[np.float32]  # (features, 3): emergency, urgent, benign
    bias: npt.NDArray[np.float32]
    threshold: float  # P(benign) at or above which a rule's emergency is lowered
    card: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(
        cls, weights_file: Path = JUDGE_WEIGHTS_FILE, card_file: Path = JUDGE_CARD_FILE
    ) -> PresentJudge:
        """The judgement shipped with the code (weights and its card)."""
        card = json.loads(card_file.read_text(encoding="utf-8"))
        spec = FeatureSpec(**card["features"])
        weights, bias = read_weights(weights_file, spec)
        return cls(spec, weights, bias, float(card["threshold"]), card)

    def not_present(self, words: Sequence[str], cues: Mapping[str, bool]) -> float:
        """P(no emergency now) of a normalised message with its context cues."""
        features = judge_features(self.spec, words, cues)
        scale = 1.0 / math.sqrt(len(features))
        scores = (self.weights[features].sum(axis=0) * scale + self.bias).tolist()
        top = max(scores)
        exp = [math.exp(score - top) for score in scores]
        return exp[_BENIGN] / sum(exp)


_LOADED: list[PresentJudge] = []


def load_present_judge() -> PresentJudge | None:
    """The shipped judgement, loaded once; None when its files are missing (no lowering)."""
    if not _LOADED:
        if not (JUDGE_WEIGHTS_FILE.exists() and JUDGE_CARD_FILE.exists()):
            return None
        _LOADED.append(PresentJudge.load())
    return _LOADED[0]
