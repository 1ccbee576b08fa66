"""An intake answer is read in the light of the question it answers: at a step that asks
about past events or standing conditions (`answers_tell: history`), a danger sign in the
answer is history, so the form goes on under the warning signs (911 if any happen now),
unless the answer tells something happening now. Real runtime, real SQLite."""

from __future__ import annotations

from collections.abc import AsyncIterator
from itertools import count
from pathlib import Path

import pytest

from bot.core.assistant import ANSWERS_TELL_HISTORY, ChatRef
from bot.intake.flow_file import load_flow_file
from bot.runtime import Runtime, build_runtime
from tests.intake.kit import FRENCH_ANSWERS, SHIPPED_FLOW, Patient, runtime_settings, typed_until

_CHATS = count(16_100)
# The screens before "Briefly, what happened, and when?", with an injury as the onset.
INJURY = [*typed_until("onset"), "after an injury"]
INJURY_FR = [*list(FRENCH_ANSWERS.values())[: list(FRENCH_ANSWERS).index("onset")], "blessure"]
# The screens before "What surgery did you have, where on the body, and when?".
SURGERY = [*typed_until("health_screen"), "surgery in the last 6 months, done"]
MEDICINES = typed_until("medicines")


@pytest.fixture
async def runtime(tmp_path: Path) -> AsyncIterator[Runtime]:
    built = await build_runtime(runtime_settings(tmp_path))
    try:
        yield built
    finally:
        await built.close()


async def _at(runtime: Runtime, answers: list[str], french: bool = False) -> Patient:
    chat = ChatRef(next(_CHATS), first_name="Noor", language_code="fr" if french else None)
    patient = Patient(runtime.assistant, chat=chat)
    await (patient.press("intake:start:fr") if french else patient.command("intake"))
    for text in answers:
        await patient.say(text)
    return patient


def _went_on(patient: Patient, next_question: str) -> None:
    """The answer was taken: the next question, the warning signs naming 911 below it, a
    note for staff, and no emergency reply."""
    text = patient.text
    assert next_question in text
    assert not _emergency_replied(patient)
    assert "911" in text and text.index(next_question) < text.index("911")
    assert "stopped the intake form" not in text
    assert any(
        "cautiously" in reply.text or "not happening now" in reply.text for reply in patient.staff
    )


def _emergency_replied(patient: Patient) -> bool:
    return any(reply.urgent and reply.safety_tier == "emergency" for reply in patient.last)


def _stopped(patient: Patient) -> None:
    assert _emergency_replied(patient)
    assert "911" in patient.text
    assert "stopped the intake form" in patient.text


def test_the_shipped_form_marks_its_questions_about_history() -> None:
    steps = {step.id: step for step in load_flow_file(SHIPPED_FLOW).flow.steps}
    for step_id in ("onset_details", "medicines", "surgery_details", "reaction_details"):
        assert steps[step_id].answers_tell == ANSWERS_TELL_HISTORY
    # A question about now is read as any message.
    for step_id in ("complaint", "pregnancy_details", "goals"):
        assert steps[step_id].answers_tell is None


@pytest.mark.parametrize(
    "answer", ["fell off a ladder in october", "I fell off a ladder in October"]
)
async def test_an_injury_told_at_what_happened_lets_the_form_go_on(
    runtime: Runtime, answer: str
) -> None:
    patient = await _at(runtime, INJURY)
    assert "Briefly, what happened, and when?" in patient.text
    await patient.say(answer)
    _went_on(patient, "Have you had this pain before?")


async def test_a_french_injury_told_at_what_happened_lets_the_form_go_on(runtime: Runtime) -> None:
    patient = await _at(runtime, INJURY_FR, french=True)
    assert "que s'est-il passé, et quand?" in patient.text
    await patient.say("j'ai mal au bas du dos depuis un accident de ski")
    _went_on(patient, "Avez-vous déjà eu cette douleur avant?")


@pytest.mark.parametrize(
    ("before", "next_question"),
    [(MEDICINES, "Needling safety. Which of these apply"), (SURGERY, "little interest")],
)
@pytest.mark.parametrize(
    "answer", ["asthma, sometimes short of breath", "I had a seizure last week"]
)
async def test_a_standing_condition_told_at_a_needling_safety_question_lets_the_form_go_on(
    runtime: Runtime, before: list[str], next_question: str, answer: str
) -> None:
    patient = await _at(runtime, before)
    await patient.say(answer)
    _went_on(patient, next_question)


async def test_a_place_without_fever_is_taken_as_the_answer(runtime: Runtime) -> None:
    patient = await _at(runtime, SURGERY)
    await patient.say("on my left shin, no fever")
    assert "little interest" in patient.text
    assert "911" not in patient.text and "811" not in patient.text


@pytest.mark.parametrize("before", [INJURY, MEDICINES, SURGERY])
@pytest.mark.parametrize(
    "answer",
    [
        "I'm having chest pain right now",
        "he can't breathe",
        "I'm bleeding a lot since the needling",
    ],
)
async def test_something_happening_now_still_stops_the_form(
    runtime: Runtime, before: list[str], answer: str
) -> None:
    patient = await _at(runtime, before)
    await patient.say(answer)
    _stopped(patient)


@pytest.mark.parametrize(
    "text",
    [
        "fell off a ladder in october",
        "j'ai mal au bas du dos depuis un accident de ski",
        "asthma, sometimes short of breath",
        "I had a seizure last week",
        "I'm having chest pain right now",
        "he can't breathe",
    ],
)
async def test_the_same_words_outside_the_intake_are_read_as_before(
    runtime: Runtime, text: str
) -> None:
    patient = Patient(runtime.assistant, chat=ChatRef(next(_CHATS), first_name="Sam"))
    await patient.say(text)
    assert _emergency_replied(patient)
