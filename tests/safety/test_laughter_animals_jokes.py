"""Round-12 look-alike families read by the rules (figures of speech and calm readings), and
their emergencies told beside the same words. Messages written for these tests."""

from __future__ import annotations

import pytest

from bot.safety import SafetyStage
from bot.safety.present import judge_cues
from bot.safety.terms import normalise_words
from tests.safety.kit import screen_level


@pytest.mark.parametrize(
    "said",
    [
        "my nephew's jokes at dinner had me laughing so much I couldn't breathe haha",
        "couldn't catch my breath, we were laughing at the cat videos all night",
        "that meme!! i'm wheezing lol",
        "the insurance company has me tearing my hair out, do you direct bill?",
        "my husband is pulling his hair out over his sciatica, can IMS help him?",
    ],
)
def test_laughter_and_hair_tearing_are_figures_not_signs(
    said: str, rules_stage: SafetyStage
) -> None:
    assert screen_level(rules_stage, said) != "emergency"


@pytest.mark.parametrize(
    "said",
    [
        "we were laughing and now she can't breathe and her lips are going blue",
        "i was laughing but now i really can't breathe, help",
        "sudden tearing pain through my back, feels like it's ripping, I'm sweating",
    ],
)
def test_laughter_with_an_alarm_and_tearing_pain_stay_emergencies(
    said: str, rules_stage: SafetyStage, bundled_stage: SafetyStage
) -> None:
    assert screen_level(rules_stage, said) == "emergency"
    assert screen_level(bundled_stage, said) == "emergency"


@pytest.mark.parametrize(
    "said",
    [
        "our old collie collapsed and we're at the vet, I need to move my 4pm",
        "the barn cat got into poison, vet is on the way, sorry to cancel",
        "our black lab was hit by a car and is bleeding, at the vet now, can't come in",
        "my cockatiel choked on a seed but coughed it up and is fine now, running late",
        "the kitten had a seizure but she's back to normal, wanted to let you know I'm late",
    ],
)
def test_an_animals_emergency_is_not_the_patients(said: str, rules_stage: SafetyStage) -> None:
    assert screen_level(rules_stage, said) != "emergency"


@pytest.mark.parametrize(
    "said",
    [
        # A person beside the animal.
        "at the vet with our dog and my husband just collapsed, he isn't answering",
        "the dog choked on a toy but got it out, now I'm choking on my drink and can't breathe",
        "our puppy coughed it up but my son is still choking and can't talk",
        # A retraction doubted at once is read as told.
        "heart attack lol jk. maybe? my chest is so tight and my arm's numb",
        "just kidding about the stroke... or not, half my face feels droopy",
        "jk idk my chest is crushing and i'm sweaty",
    ],
)
def test_a_person_now_beside_the_same_words_still_gets_911(
    said: str, rules_stage: SafetyStage
) -> None:
    assert screen_level(rules_stage, said) == "emergency"


def test_a_retraction_not_doubted_still_sets_the_joke_aside(rules_stage: SafetyStage) -> None:
    said = "I'm having a heart attack lol jk, just sore from the gym. can I book Thursday?"
    assert screen_level(rules_stage, said) != "emergency"


@pytest.mark.parametrize(
    ("said", "checked"),
    [
        ("my sister choked on a grape but coughed it up, she's totally fine", True),
        ("false alarm, the parrot is ok", True),
        ("my sister is choking on a grape", False),
    ],
)
def test_the_judgement_reads_an_event_over_and_well(said: str, checked: bool) -> None:
    assert judge_cues({}, normalise_words(said))["x checked"] is checked
