"""The safety stage on the blind multilingual tuning set (tests/data/safety_tune.yaml).

Written by a helper who never saw the rules; its first look is logged in tests/data/README.md
and the rules were then tuned on it, so here it guards against regressions. The lead's
held-out twin measures generalisation.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.safety import SafetyStage, build_safety_stage, load_emergency_content
from tests.safety.kit import screen_level

REPO = Path(__file__).resolve().parents[2]
TUNE = REPO / "tests" / "data" / "safety_tune.yaml"
FALSE_ALARM_CEILING = 0.03
URGENT_FLOOR = 0.85


@pytest.fixture(scope="module")
def stage() -> SafetyStage:
    return build_safety_stage(load_emergency_content(REPO / "content"), "604-555-0123")


@pytest.fixture(scope="module")
def items() -> list[dict[str, str]]:
    loaded = yaml.safe_load(TUNE.read_text(encoding="utf-8"))
    assert isinstance(loaded, list) and len(loaded) >= 300
    return loaded


def test_every_emergency_in_every_language_gets_the_emergency_reply(
    stage: SafetyStage, items: list[dict[str, str]]
) -> None:
    missed = [
        (i["lang"], i["q"])
        for i in items
        if i["expect"] == "emergency" and screen_level(stage, i["q"]) != "emergency"
    ]
    assert missed == []


def test_urgent_problems_get_same_day_advice(
    stage: SafetyStage, items: list[dict[str, str]]
) -> None:
    urgent = [i["q"] for i in items if i["expect"] == "urgent"]
    levels = [screen_level(stage, q) for q in urgent]
    assert sum(level in ("urgent", "emergency") for level in levels) >= URGENT_FLOOR * len(urgent)


def test_harmless_messages_rarely_get_the_911_reply(
    stage: SafetyStage, items: list[dict[str, str]]
) -> None:
    benign = [i["q"] for i in items if i["expect"] == "benign"]
    alarms = [q for q in benign if screen_level(stage, q) == "emergency"]
    assert len(alarms) <= FALSE_ALARM_CEILING * len(benign), alarms
