"""Emergencies told in everyday words, and their harmless look-alikes (tests/data/safety_en4,
safety_fa5 (English and French) and safety_fa6, tuning sets: their first looks are logged in
tests/data/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety import EmergencyDetector, SafetyStage
from tests.safety.kit import (
    false_alarms,
    labelled_items,
    missed_emergencies,
    urgent_given_advice,
)

DATA = Path(__file__).resolve().parents[2] / "tests" / "data"
# safety_en4 (safety4en round), safety_fa5 (fa5 round) and safety_fa6 (safe6en round).
SETS = ("safety_en4.yaml", "safety_fa5.yaml", "safety_fa6.yaml")
FALSE_ALARM_CEILING = 0.03


@pytest.fixture(scope="module", params=SETS)
def items(request: pytest.FixtureRequest) -> list[dict[str, str]]:
    return labelled_items(DATA / str(request.param), 100)


def test_every_emergency_of_the_set_gets_the_emergency_reply(
    bundled_stage: SafetyStage, items: list[dict[str, str]]
) -> None:
    assert missed_emergencies(bundled_stage, items) == []


def test_every_urgent_problem_of_the_set_gets_same_day_advice_or_911(
    bundled_stage: SafetyStage, items: list[dict[str, str]]
) -> None:
    advised, urgent = urgent_given_advice(bundled_stage, items)
    assert advised == urgent


def test_look_alikes_rarely_get_the_911_reply(
    bundled_stage: SafetyStage, items: list[dict[str, str]]
) -> None:
    alarms, harmless = false_alarms(bundled_stage, items)
    assert len(alarms) <= FALSE_ALARM_CEILING * harmless, alarms


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("since my shoulder session I get winded climbing stairs and can't lie flat", None),
        ("ever since the needling my breathing's been short, maybe I pulled something?", None),
        ("Tonight's the night. I've written the letters.", None),
        ("took 30 of my gabapentin with vodka", "named_overdose"),
        ("my toddler swallowed some of my pills", "child_swallowed_medicine"),
        ("had my baby last week, soaking a pad every half hour, dizzy", "postpartum_bleeding"),
        ("he took a hit at hockey, now he's vomiting and confused", None),
    ],
)
def test_everyday_wordings_of_an_emergency(
    detector: EmergencyDetector, text: str, rule: str | None
) -> None:
    hit = detector.detect(text)
    assert hit is not None
    assert rule is None or hit.rule_id == rule


@pytest.mark.parametrize(
    "text",
    [
        "blood everywhere!! jk, one drop on my shirt",
        "I honestly thought I was having a stroke lol, turned out to be a pinched nerve",
        "not an overdose or anything but I took 2 Tylenol, ok before IMS?",
        "my back seized up this morning, just stiff",
        "out of breath after hill sprints like always, when's my next session?",
        "my chest gets tight when I run but it goes away as soon as I stop",
        "my husband's arm is stiff since his stroke in 2021, can IMS help?",
        "I had a seizure as a kid with a fever, never since. is that a problem for needling?",
    ],
)
def test_jokes_scares_and_exertion_told_as_usual_are_not_emergencies(
    detector: EmergencyDetector, text: str
) -> None:
    assert detector.detect(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "blood everywhere, not kidding, it won't stop",
        "it's not a stroke is it? his face is drooping on one side",
        "my chest gets tight when I run and now it won't go away, I'm sweating",
        "out of breath after sprints like always but now my lips are blue",
        "short of breath on the stairs because of my asthma, my inhaler isn't helping",
        "after my session I'm out of breath on the stairs, probably just out of shape lol",
        "my arm has been weak since 2021 and now suddenly my face is drooping",
        "he had a seizure last month and he's having another one",
        "I can't breathe, no kidding",
        "went running because I felt fine, now I can't breathe at all",
    ],
)
def test_the_same_grammar_never_hides_a_sign_that_is_still_there(
    detector: EmergencyDetector, text: str
) -> None:
    assert detector.detect(text) is not None


def test_an_unplaced_urgent_problem_is_sensed_but_a_risk_question_or_history_is_not(
    bundled_stage: SafetyStage,
) -> None:
    replies = bundled_stage.replies
    assert replies.urgent_fallback("my calf is swollen since yesterday and I fly a lot")
    assert replies.urgent_fallback("can you get an infection from ims") is None
    assert replies.urgent_fallback("history of DVT, is that a contraindication?") is None


@pytest.mark.parametrize(
    "text",
    [
        "whatever, the noose is tied in the shed. can you cancel thursday",
        "I've been stockpiling my tablets and I set the date",
        "his shotgun is loaded and he says he won't be around for the next visit",
        "the rope is over the beam, cancel my sessions",
        "she's seizing on the kitchen floor and it hasn't stopped",
        "convulsions right now, what do I do",
        "seizure happening right now",
    ],
)
def test_means_held_ready_and_a_seizure_going_on_now_are_emergencies(
    detector: EmergencyDetector, text: str
) -> None:
    assert detector.detect(text) is not None  # an earlier rule may be the one that answers


@pytest.mark.parametrize(
    "text",
    [
        "I sort my tablets for the week every sunday, fine to take them before a session?",
        "can IMS help after a seizure disorder diagnosis? mine is well controlled",
        "I've been seizure free since 2015, do I need to tell the physio?",
        "the rope climb at crossfit wrecked my forearms, can IMS help?",
    ],
)
def test_their_look_alikes_are_not(detector: EmergencyDetector, text: str) -> None:
    hit = detector.detect(text)
    assert hit is None or hit.rule_id not in ("means_ready", "seizure_now")
