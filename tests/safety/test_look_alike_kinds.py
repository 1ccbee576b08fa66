"""Both directions of the readings of content/emergency.yaml's `context` written for the kinds
of tests/data/safety_fa6.yaml (its set-wide bars are in test_english_kinds.py)."""

from __future__ import annotations

import pytest

from bot.safety import SafetyStage
from tests.safety.kit import screen_level


@pytest.mark.parametrize(
    ("calm", "alarmed"),
    [
        # A figure of speech, and the same words beside a sign told now.
        (
            "the parking fees gave my husband a heart attack when he saw them",
            "the parking fees are steep but my husband is having a heart attack right now",
        ),
        (
            "packed my meds for the cottage, can I still come Monday?",
            "my meds are ready, I counted them out, tonight is the night",
        ),
        (
            "said goodbye to everyone at my leaving party, last shift was friday",
            "said goodbye to everyone, I won't be around after tonight",
        ),
        # Someone else's signs at work, in a story or at the vet; then one's own.
        (
            "our dog collapsed at the park and we're at the vet, need to cancel",
            "our dog is at the vet and I just collapsed in the waiting room, can't breathe",
        ),
        (
            "I'm a respiratory therapist, I see people who can't breathe all day, my neck is sore",
            "I'm a respiratory therapist and I can't breathe right now, my chest is tight",
        ),
        (
            "watching a movie where a guy has a stroke, made me book my dad a checkup",
            "was watching a movie and now my face is drooping and my arm is weak",
        ),
        # A settled state, and one with an alarm told beside it.
        (
            "got back from the ER last night, they ruled out a heart attack, it's my ribs",
            "they ruled out a heart attack last week but the chest pain is crushing right now",
        ),
        # A list of signs read and denied, and then a sign after all.
        (
            "I read the signs include bladder trouble and saddle numbness, I have none of that",
            "I read the signs include saddle numbness, had none of that but now I can't pee",
        ),
        # A carried EpiPen asked about, and one needed.
        (
            "my daughter carries an EpiPen for nuts, is there anything at the clinic to watch for?",
            "my daughter carries an EpiPen and her throat is swelling after she ate a cookie",
        ),
        # Numb from the dentist, and numb with a stroke sign.
        (
            "the dentist's freezing still hasn't worn off, can't feel half my lip",
            "after the dentist my face is drooping on one side and my speech is slurred",
        ),
    ],
)
def test_a_reading_spares_its_look_alike_but_not_a_sign_told_now(
    bundled_stage: SafetyStage, calm: str, alarmed: str
) -> None:
    assert screen_level(bundled_stage, calm) != "emergency"
    assert screen_level(bundled_stage, alarmed) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "in case I ever pass out during a session, do you have someone trained in first aid?",
        "hypothetically, if a needle hit a lung, how would they know?",
    ],
)
def test_an_imagined_sign_in_a_question_is_no_report(bundled_stage: SafetyStage, text: str) -> None:
    assert screen_level(bundled_stage, text) != "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "my face drooped and my speech slurred for 10 minutes, it's gone now",
        "I had a sudden worst headache an hour ago, it's gone now",
        "had crushing chest pain for 20 minutes, it went away, should I still come in?",
        "took like 30 tylenol on purpose earlier, feel fine now but idk",
    ],
)
def test_a_danger_sign_that_has_passed_still_escalates(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) == "emergency"
