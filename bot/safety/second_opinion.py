"""A learned second opinion beside the safety rules (issue 17).

A multinomial logistic regression (emergency / urgent / benign) over hashed features of the
text as the screen normalises it (`normalise_words`): words, word pairs, and character
3-5-grams inside each word (2-grams too in non-Latin words), so typos, romanised spellings
and other scripts are read. Trained by `python -m bot.safety.train` on every labelled
safety message; its weights and the figures that chose it live beside this module.

Scoring is linear, so each word's share (its own features) is computed once and kept: a
message costs a dictionary look-up per word and a hash per word pair.
"""

from __future__ import annotations

import itertools
import json
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

WEIGHTS_FILE = Path(__file__).with_name("second_opinion.npz")
CARD_FILE = Path(__file__).with_name("second_opinion.json")
LABELS = ("emergency", "urgent", "benign")
RULE_ID = "second_opinion"  # what a staff note and `faq match --json` name as the decider
_WORD_CACHE_LIMIT = 50_000  # words remembered with their share of the score
Opinion = Literal["emergency", "urgent"]


@dataclass(frozen=True)
class FeatureSpec:
    """Which features a model reads (the training script and inference share it)."""

    bits: int = 18
    char_min: int = 3
    char_max: int = 5
    word_pairs: bool = True
    words: bool = True

    @property
    def size(self) -> int:
        return 1 << self.bits

    def word_features(self, word: str) -> list[int]:
        """Hashed features of one word: the word itself and its character n-grams."""
        mask = self.size - 1
        found: list[int] = []
        if self.words:
            found.append(feature_hash("w " + word) & mask)
        padded = f"<{word}>"
        low = 2 if not word.isascii() else self.char_min
        for n in range(low, self.char_max + 1):
            for start in range(len(padded) - n + 1):
                found.append(feature_hash(padded[start : start + n]) & mask)
        return found

    def pair_feature(self, first: str, second: str) -> int:
        return feature_hash(f"p {first} {second}") & (self.size - 1)

    def features(self, words: Sequence[str]) -> list[int]:
        """Every hashed feature of a normalised message, repeats kept (the training rows)."""
        found: list[int] = []
        for word in words:
            found.extend(self.word_features(word))
        if self.word_pairs:
            found.extend(self.pair_feature(a, b) for a, b in itertools.pairwise(words))
        return found


def feature_hash(text: str) -> int:
    """A feature's hash: crc32, stable across runs and machines (Python's hash() is salted
    per process)."""
    return zlib.crc32(text.encode("utf-8"))


def read_weights(
    weights_file: Path, spec: FeatureSpec
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Weights (stored as int8 with one scale) and biases of a model with `spec`'s features."""
    with np.load(weights_file, allow_pickle=False) as stored:
        weights = stored["weights"].astype(np.float32) * np.float32(stored["scale"])
        bias = stored["bias"].astype(np.float32)
    if weights.shape != (spec.size, len(LABELS)):
        raise ValueError(f"{weights_file.name}: weights do not match the card's features")
    return weights, bias


@dataclass(frozen=True)
class Thresholds:
    """When the model's probabilities decide (chosen by leave-one-set-out, see the card).

    `emergency` and `urgent` apply where the rules came near (a rule's terms were found and
    context set them aside, or the urgent net sensed a present problem) or the message is
    not English; `emergency_alone` applies to an English message the rules did not come
    near at all, where ordinary chat outside health (CLINC150) asks for far more certainty."""

    emergency: float
    urgent: float
    emergency_alone: float
    # Where a rule's terms were found and context set them aside (history, a denial, a
    # question, a frame): the rules read it as no emergency, so the model needs more.
    emergency_set_aside: float = 0.94
    # An English message no rule came near, answered by a feature: at this P(emergency) the
    # answer carries the warning signs (which name 911); above 1: never.
    caution: float = 1.1
    # A message the FAQ cannot answer: at this P(emergency) + P(urgent) the urgent reply
    # (see a doctor today, 811, 911 if it gets worse) replaces "I don't know"; above 1: never.
    fallback_urgent: float = 1.1

    def opinion(
        self,
        emergency: float,
        urgent: float,
        near_rules: bool,
        english: bool,
        set_aside: bool = False,
    ) -> Opinion | None:
        """The model's opinion on a message with these probabilities."""
        gated = near_rules or not english
        needed = self.emergency_set_aside if set_aside else self.emergency
        if emergency >= (needed if gated else self.emergency_alone):
            return "emergency"
        if gated and emergency + urgent >= self.urgent:
            return "urgent"
        return None


@dataclass
class SecondOpinion:
    """The trained model: probabilities per message and the thresholds that decide."""

    spec: FeatureSpec
    weights: npt.NDArray[np.float32]  # (features, 3)
    bias: npt.NDArray[np.float32]  # (3,)
    thresholds: Thresholds
    card: dict[str, Any] = field(default_factory=dict)
    _word_cache: dict[str, tuple[float, float, float, int]] = field(default_factory=dict)

    @classmethod
    def load(cls, weights_file: Path = WEIGHTS_FILE, card_file: Path = CARD_FILE) -> SecondOpinion:
        """The model shipped with the code (weights and its card)."""
        card = json.loads(card_file.read_text(encoding="utf-8"))
        spec = FeatureSpec(**card["features"])
        weights, bias = read_weights(weights_file, spec)
        return cls(spec, weights, bias, Thresholds(**card["thresholds"]), card)

    def probabilities(self, words: Sequence[str]) -> tuple[float, float, float]:
        """P(emergency), P(urgent), P(benign) for a normalised message."""
        e = u = b = 0.0
        count = 0
        cache = self._word_cache
        for word in words:
            share = cache.get(word)
            if share is None:
                share = self._word_share(word)
            e += share[0]
            u += share[1]
            b += share[2]
            count += share[3]
        if self.spec.word_pairs and len(words) > 1:
            pair = self.spec.pair_feature
            rows = self.weights[[pair(a, c) for a, c in itertools.pairwise(words)]]
            e_p, u_p, b_p = rows.sum(axis=0).tolist()
            e += e_p
            u += u_p
            b += b_p
            count += len(words) - 1
        scale = 1.0 / math.sqrt(count) if count else 0.0
        bias = self.bias
        scores = (e * scale + bias[0], u * scale + bias[1], b * scale + bias[2])
        top = max(scores)
        exp = [math.exp(score - top) for score in scores]
        total = sum(exp)
        return exp[0] / total, exp[1] / total, exp[2] / total

    def _word_share(self, word: str) -> tuple[float, float, float, int]:
        features = self.spec.word_features(word)
        e, u, b = self.weights[features].sum(axis=0).tolist()
        share = (e, u, b, len(features))
        if len(self._word_cache) >= _WORD_CACHE_LIMIT:
            self._word_cache.clear()
        self._word_cache[word] = share
        return share

    def may_decide(self, words: Sequence[str]) -> tuple[float, float] | None:
        """P(emergency) and P(urgent) when either could decide anything, else None (most
        messages: the caller then skips asking whether the rules came near)."""
        if not enough_to_judge(words):
            return None
        emergency, urgent, _ = self.probabilities(words)
        low = self.thresholds
        lowest = min(low.emergency, low.emergency_alone, low.emergency_set_aside, low.caution)
        if emergency < lowest and emergency + urgent < min(low.urgent, low.fallback_urgent):
            return None
        return emergency, urgent


# A message shorter than this is too little for the model: its probabilities then rest on one
# or two words, and a greeting or an answer ("bonsoir", "non", "merci beaucoup") read as an
# emergency. The rules still screen it. Chinese and Japanese are written without spaces, so
# there the characters count.
MIN_WORDS = 4
MIN_CJK_CHARACTERS = 6


def enough_to_judge(words: Sequence[str]) -> bool:
    """Whether a normalised message says enough for the model to give an opinion."""
    if len(words) >= MIN_WORDS:
        return True
    ideographs = sum(1 for word in words for ch in word if "\u3040" <= ch <= "\u9fff")
    return ideographs >= MIN_CJK_CHARACTERS


_LOADED: list[SecondOpinion] = []


def load_second_opinion() -> SecondOpinion | None:
    """The shipped model, loaded once; None when its files are missing (the rules still run)."""
    if not _LOADED:
        if not (WEIGHTS_FILE.exists() and CARD_FILE.exists()):
            return None
        _LOADED.append(SecondOpinion.load())
    return _LOADED[0]


def combined_level(rules_level: str | None, opinion: Opinion | None) -> str | None:
    """The stage's level with the second opinion beside the rules: escalate only.

    The rules' emergency always stands; the model raises a message to emergency, or a
    message the rules leave below urgent to urgent, and never lowers anything."""
    if rules_level == "emergency" or opinion == "emergency":
        return "emergency"
    if rules_level == "urgent" or opinion == "urgent":
        return "urgent"
    return rules_level
