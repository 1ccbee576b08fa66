"""The safety stage on the blind multilingual tuning set (tests/data/safety_tune.yaml).

Written by a helper who never saw the rules; its first look is logged in tests/data/README.md
and the rules were then tuned on it, so here it guards against regressions. The lead's
held-out twin measures generalisation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety import SafetyStage, build_safety_stage, load_emergency_content
from tests.safety.kit import false_alarms, labelled_items, missed_emergencies, urgent_given_advice

REPO = Path(__file__).resolve().parents[2]
TUNE = REPO / "tests" / "data" / "safety_tune.yaml"
FALSE_ALARM_CEILING = 0.03
URGENT_FLOOR = 0.85


@pytest.fixture(scope="module")
def stage() -> SafetyStage:
    return build_safety_stage(load_emergency_content(REPO / "content"), "604-555-0123")


@pytest.fixture(scope="module")
def items() -> list[dict[str, str]]:
    return labelled_items(TUNE, 300)


def test_every_emergency_in_every_language_gets_the_emergency_reply(
    stage: SafetyStage, items: list[dict[str, str]]
) -> None:
    assert missed_emergencies(stage, items) == []


def test_urgent_problems_get_same_day_advice(
    stage: SafetyStage, items: list[dict[str, str]]
) -> None:
    advised, urgent = urgent_given_advice(stage, items)
    assert advised >= URGENT_FLOOR * urgent


def test_harmless_messages_rarely_get_the_911_reply(
    stage: SafetyStage, items: list[dict[str, str]]
) -> None:
    alarms, benign = false_alarms(stage, items)
    assert len(alarms) <= FALSE_ALARM_CEILING * benign, alarms
