"""Helpers shared by the safety tests: what the stage decides, and a labelled set."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import yaml

from bot.safety import SafetyStage
from bot.safety.second_opinion import SecondOpinion


def screen_level(stage: SafetyStage, text: str) -> str:
    """The stage's level for `text` (emergency, urgent, notice, caution), or "none"."""
    verdict = stage.screen(text)
    return verdict.level if verdict is not None else "none"


def with_thresholds(stage: SafetyStage, **changed: float) -> SafetyStage:
    """`stage` with its second opinion's thresholds changed (the stage and its replies)."""
    model = stage.second_opinion
    assert model is not None
    tuned = SecondOpinion(
        model.spec, model.weights, model.bias, replace(model.thresholds, **changed), model.card
    )
    return replace(
        stage, second_opinion=tuned, replies=replace(stage.replies, second_opinion=tuned)
    )


def labelled_items(path: Path, at_least: int) -> list[dict[str, str]]:
    """A labelled YAML set (`q`, `expect`, ...), checked to hold at least `at_least` items."""
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, list) and len(loaded) >= at_least
    return loaded


def missed_emergencies(stage: SafetyStage, items: list[dict[str, str]]) -> list[str]:
    """The set's emergencies that did not get the emergency reply."""
    return [
        i["q"]
        for i in items
        if i["expect"] == "emergency" and screen_level(stage, i["q"]) != "emergency"
    ]


def urgent_given_advice(stage: SafetyStage, items: list[dict[str, str]]) -> tuple[int, int]:
    """How many of the set's urgent problems got the urgent (or emergency) reply, of how many."""
    urgent = [i["q"] for i in items if i["expect"] == "urgent"]
    advised = sum(screen_level(stage, q) in ("urgent", "emergency") for q in urgent)
    return advised, len(urgent)


def false_alarms(stage: SafetyStage, items: list[dict[str, str]]) -> tuple[list[str], int]:
    """The set's harmless messages given the emergency reply, and how many there are."""
    benign = [i["q"] for i in items if i["expect"] == "benign"]
    return [q for q in benign if screen_level(stage, q) == "emergency"], len(benign)
