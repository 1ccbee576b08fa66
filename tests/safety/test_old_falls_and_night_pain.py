"""Two false alarms of one kind each: pain worse at night read as urgent on its own, and a
fall weeks back read as a fall now. Messages written for these tests."""

from __future__ import annotations

import pytest

from bot.safety import SafetyStage
from tests.safety.kit import screen_level


@pytest.mark.parametrize(
    "said",
    [
        "my lower back is worst at night, can IMS help?",
        "the ache in my shoulder is worse at night but fine once I'm up",
        "mon dos est pire la nuit, est-ce que l'IMS aide?",
    ],
)
def test_pain_worse_at_night_alone_is_no_urgent_flag(said: str, bundled_stage: SafetyStage) -> None:
    assert screen_level(bundled_stage, said) not in ("urgent", "emergency")


@pytest.mark.parametrize(
    "said",
    [
        "I'm 64 and this back pain is new, and it's worse at night",
        "had bowel cancer a few years back, my back is worst at night lately",
        "back pain worse at night and I've been losing weight without meaning to",
        "j'ai 72 ans, une nouvelle douleur au dos, pire la nuit",
    ],
)
def test_night_pain_with_a_second_flag_gets_same_day_advice(
    said: str, bundled_stage: SafetyStage
) -> None:
    assert screen_level(bundled_stage, said) in ("urgent", "emergency")


@pytest.mark.parametrize(
    "said",
    [
        "my knee has been sore for weeks since I fell skiing, it hurts on the stairs",
        "fell off a ladder about 3 weeks ago and my back still aches when I bend, can IMS help?",
        "came off my bike a couple of months ago, my neck is stiff since then",
    ],
)
def test_a_fall_weeks_back_with_the_ache_it_left_is_answered_with_the_warning_signs(
    said: str, bundled_stage: SafetyStage, rules_stage: SafetyStage
) -> None:
    assert screen_level(rules_stage, said) != "emergency"
    verdict = bundled_stage.screen(said)
    # Not the 911-first reply; the answer still closes on the warning signs naming 911.
    assert verdict is not None and verdict.level == "caution"
    assert any("911" in reply.text for reply in verdict.after)


@pytest.mark.parametrize(
    "said",
    [
        "fell off the roof this morning and my back really hurts",
        "fell off a ladder 3 weeks ago and now I can't feel my legs",
        "fell down the stairs two weeks ago and my back is getting worse and worse",
        "fell off my horse weeks ago, hit my head and now I'm confused and throwing up",
    ],
)
def test_a_fall_now_or_a_new_alarm_after_an_old_fall_keeps_the_emergency_reply(
    said: str, bundled_stage: SafetyStage
) -> None:
    assert screen_level(bundled_stage, said) == "emergency"
