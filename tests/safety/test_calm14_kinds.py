"""Look-alikes of round 12's blind English set, by family, each beside the same words told with
a sign now: a denial with "didn't", a blocked nose, blood named only in a reading, a question
whether a treatment helps someone (no cry for help)."""

from __future__ import annotations

import pytest

from bot.safety import SafetyStage
from tests.safety.kit import screen_level


@pytest.mark.parametrize(
    ("calm", "alarmed"),
    [
        (
            "I didn't pass out or hit my head, just twisted my ankle on the stairs",
            "didn't hit my head, but I blacked out for a minute after the fall, now I'm confused",
        ),
        (
            "can't breathe through my nose since this cold started, ok to lie face down?",
            "can't breathe through my nose and my throat is closing up after the peanuts",
        ),
        (
            "my blood sugar drops a lot in the afternoon, should I eat before the session?",
            "my blood sugar is fine but the cut on my arm is bleeding a lot and won't stop",
        ),
    ],
)
def test_the_rules_spare_a_denial_a_blocked_nose_and_a_blood_reading(
    rules_stage: SafetyStage, calm: str, alarmed: str
) -> None:
    assert screen_level(rules_stage, calm) != "emergency"
    assert screen_level(rules_stage, alarmed) == "emergency"


def test_a_question_whether_ims_helps_someone_is_no_cry_for_help(
    bundled_stage: SafetyStage,
) -> None:
    asked = "my uncle overdosed years ago and is sober now; could IMS help him with his sciatica?"
    assert screen_level(bundled_stage, asked) != "emergency"
    cried = "my uncle overdosed years ago, now he's blue and barely breathing, help him"
    assert screen_level(bundled_stage, cried) == "emergency"


def test_a_place_and_a_word_for_someone_left_behind_is_a_farewell(
    rules_stage: SafetyStage,
) -> None:
    farewell = "standing on the overpass now. tell my brother it wasn't his fault"
    assert screen_level(rules_stage, farewell) == "emergency"
    claim = "rear-ended on the overpass, the other driver said it was not my fault, neck is sore"
    assert screen_level(rules_stage, claim) != "emergency"
