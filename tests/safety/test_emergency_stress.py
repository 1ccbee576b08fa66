"""The emergency screen on two stress sets written by people who never saw its rules.

tests/data/emergency_stress.yaml holds 303 emergencies in as many wordings as its writer
could find (euphemisms, clinical shorthand, third person, emergencies buried in admin
questions); tests/data/emergency_benign_stress.yaml holds 250 ordinary messages built to
share words with emergencies. The first set's misses were read and fixed, so it guards
against regressions rather than measuring recall on new wording (the held-out sets do
that). The second measures false alarms: the screen errs on the side of alarm by design,
so it has a ceiling, not a zero.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.safety import EmergencyDetector

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
EMERGENCIES_FILE = DATA_DIR / "emergency_stress.yaml"
BENIGN_FILE = DATA_DIR / "emergency_benign_stress.yaml"
SUICIDE_CATEGORY = "suicide_self_harm"
SUICIDE_RULE = "suicide_self_harm"
# 23 of 250 today (9.2 %): figures of speech, old injuries and chest or breathing words,
# each flagged because the screen cannot tell them from the real thing. A rule change that
# adds false alarms shows up here.
BENIGN_FALSE_ALARM_CEILING = 0.10


def _items(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as stream:
        items = yaml.safe_load(stream)
    assert isinstance(items, list) and items, f"{path} holds no items"
    return items


@pytest.fixture(scope="module")
def emergencies() -> list[dict[str, str]]:
    return _items(EMERGENCIES_FILE)


def test_every_stress_emergency_gets_the_emergency_reply(
    detector: EmergencyDetector, emergencies: list[dict[str, str]]
) -> None:
    missed = [item["q"] for item in emergencies if detector.detect(item["q"]) is None]
    assert missed == []


def test_suicidal_stress_messages_get_the_crisis_reply(
    detector: EmergencyDetector, emergencies: list[dict[str, str]]
) -> None:
    suicidal = [item["q"] for item in emergencies if item["category"] == SUICIDE_CATEGORY]
    assert len(suicidal) >= 20
    other_rule = [
        q for q in suicidal if (hit := detector.detect(q)) is None or hit.rule_id != SUICIDE_RULE
    ]
    assert other_rule == []


def test_ordinary_look_alikes_rarely_raise_an_alarm(detector: EmergencyDetector) -> None:
    benign = _items(BENIGN_FILE)
    alarms = [item["q"] for item in benign if detector.detect(item["q"]) is not None]
    assert len(benign) >= 200
    assert len(alarms) / len(benign) <= BENIGN_FALSE_ALARM_CEILING, alarms
