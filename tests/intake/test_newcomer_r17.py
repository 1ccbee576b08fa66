"""Intake faults a newcomer found (round 16, mended in round 17): a side question typed at
a free-text step saved as the answer, a bare number there taken for a button, the consent
note sent before the form, "10 years" counted in days, "everywhere" not a place, a review
of 30 buttons, and who gave consent to treatment not recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core.assistant import ChatRef
from bot.intake.engine import REVIEW, IntakeEngine, Outcome, Tap, Typed
from bot.intake.fhir import questionnaire_response
from bot.intake.flow_file import load_flow_file
from bot.intake.screens import screen
from bot.intake.summary import build_summary, summary_text
from bot.runtime import Runtime
from tests.intake.kit import (
    SHIPPED_FLOW,
    TYPED_PATH,
    Patient,
    state_at,
    typed_path,
    typed_until,
)

TODAY = date(2026, 12, 7)
NOW = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine() -> IntakeEngine:
    return IntakeEngine(load_flow_file(SHIPPED_FLOW).flow, today=lambda: TODAY, now=lambda: NOW)


def _buttons(engine: IntakeEngine, state: object) -> list[str]:
    return [b.label for b in screen(engine, state, lambda v, a: f"{v}|{a}").buttons]  # type: ignore[arg-type]


# --- 1. a side question at a free-text step ------------------------------------------------


async def test_a_side_question_at_a_free_text_step_is_answered_and_the_step_asked_again(
    runtime: Runtime,
) -> None:
    patient = Patient(runtime.assistant, chat=ChatRef(1701, first_name="Ana"))
    await patient.start_and_answer_until("complaint")
    await patient.say("how much does it cost?")
    # Not saved as the main problem: the patient is asked which it is.
    assert "or a question you would like us to answer first" in patient.text
    await patient.tap("It's a question")
    assert "$" in patient.text  # the FAQ's price answer (the sample clinic's prices)
    assert "main problem" in patient.last[-1].text  # and the step asked again
    await patient.say("Burning pain in my shoulder blade")
    assert "Where do you feel the pain" in patient.text


def test_a_question_about_their_own_pain_can_be_saved_as_the_answer(
    engine: IntakeEngine,
) -> None:
    asked = engine.apply(state_at(engine, "complaint"), Typed("is it nerve pain?"))
    assert asked.outcome is Outcome.UPDATED and "complaint" not in asked.state.answers
    save = next(b for b in _buttons(engine, asked.state) if b.startswith("Yes, save"))
    assert "is it nerve pain?" in save
    saved = engine.apply(asked.state, Tap("o", asked.state.revision, "confirm"))
    assert saved.state.answers["complaint"] == "is it nerve pain?"
    typed_yes = engine.apply(asked.state, Typed("yes"))
    assert typed_yes.state.answers["complaint"] == "is it nerve pain?"


@pytest.mark.parametrize(
    "text", ["When I bend over it gets worse", "Where my neck meets my shoulder", "Sore neck"]
)
def test_a_plain_answer_at_a_free_text_step_is_saved_without_asking(
    engine: IntakeEngine, text: str
) -> None:
    result = engine.apply(state_at(engine, "complaint"), Typed(text))
    assert result.outcome is Outcome.ANSWERED and result.state.answers["complaint"] == text


async def test_an_emergency_typed_as_a_question_still_gets_911_first(runtime: Runtime) -> None:
    patient = Patient(runtime.assistant, chat=ChatRef(1702, first_name="Bo"))
    await patient.start_and_answer_until("complaint")
    await patient.say("is it normal that I cant control my bladder since this morning?")
    assert "911" in patient.last[0].text
    assert "or a question" not in patient.text


# --- 5. a bare number at a free-text step ------------------------------------------------------


@pytest.mark.parametrize("text", ["5", "12"])
def test_a_bare_number_at_a_free_text_step_is_the_answer(engine: IntakeEngine, text: str) -> None:
    result = engine.apply(state_at(engine, "complaint"), Typed(text))
    assert result.outcome is Outcome.ANSWERED and result.state.answers["complaint"] == text


# --- 2. the consent note -------------------------------------------------------------------


async def test_the_consent_note_goes_with_the_form_and_never_for_a_form_not_sent(
    runtime: Runtime,
) -> None:
    patient = Patient(runtime.assistant, chat=ChatRef(1703, first_name="Cy"))
    await patient.start_and_answer_until("treatment_consent")
    await patient.tap("I have questions first")
    await patient.tap("The patient")
    assert patient.staff == []  # not before the form is sent
    await patient.say("stop")
    await patient.tap("Yes")  # stopped for now, then started over: nothing sent
    assert patient.staff == []
    await patient.command("intake")
    await patient.tap("Start over")
    assert patient.staff == []
    for text in typed_until("treatment_consent"):
        await patient.say(text)
    await patient.tap("No")
    await patient.tap("The patient")
    assert patient.staff == []
    await patient.tap("Send to the clinic")
    consent, summary = patient.staff
    assert "answered No to consent" in consent.text and "NOT GIVEN" in summary.text
    assert "No needling will be done without your agreement" in patient.text


# --- 3. durations --------------------------------------------------------------------------


def test_ten_years_is_ten_calendar_years_and_reads_as_the_patient_said_it(
    engine: IntakeEngine,
) -> None:
    state = engine.apply(state_at(engine, "duration"), Typed("10 years")).state
    value = state.answers["duration"]
    # Before: 3,650 days back, 2016-12-10 (leap days lost).
    assert value == {"date": "2016-12-07", "typed": "10 years", "option": "over_1_year"}
    for text in TYPED_PATH[len(typed_until("duration")) + 1 :]:
        state = engine.apply(state, Typed(text)).state
    summary = build_summary(engine, state, intake_id=1, chat_id=2, submitted_at=NOW)
    assert "More than a year (typed: “10 years”)" in summary_text(summary, UTC)
    response = questionnaire_response(engine, state, intake_id=1, authored=NOW)
    [duration] = [item for item in response["item"] if item["linkId"] == "duration"]
    assert duration["answer"] == [{"valueString": "10 years (began about 2016-12-07)"}]


@pytest.mark.parametrize(
    ("text", "began"),
    [
        ("2 years", "2024-12-07"),
        ("18 months", "2025-06-07"),
        ("a year and a half", "2025-06-07"),
        ("3 weeks", "2026-11-16"),
        ("since yesterday", "2026-12-06"),
    ],
)
def test_durations_count_back_on_the_calendar(engine: IntakeEngine, text: str, began: str) -> None:
    state = engine.apply(state_at(engine, "duration"), Typed(text)).state
    assert state.answers["duration"]["date"] == began  # type: ignore[index]


# --- 4. pain everywhere ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["everywhere", "all over", "whole body", "pain all over my body"])
def test_pain_everywhere_is_a_place(engine: IntakeEngine, text: str) -> None:
    result = engine.apply(state_at(engine, "regions"), Typed(f"{text}, done"))
    assert result.outcome is Outcome.ANSWERED, result.hint
    assert result.state.answers["regions"] == {
        "regions": [{"region": "widespread", "side": "centre"}],
        "worst": "widespread",
    }


# --- 6. the review on a phone --------------------------------------------------------------


def test_the_review_has_a_few_buttons_and_every_answer_stays_editable(
    engine: IntakeEngine,
) -> None:
    state = engine.start()
    for text in TYPED_PATH:
        state = engine.apply(state, Typed(text)).state
    assert state.current == REVIEW
    buttons = _buttons(engine, state)
    assert len(buttons) <= 7, buttons  # before: one "Change N" per answer, 30 and more
    assert "Send to the clinic ✔" in buttons
    items = engine.review_items(state)
    editable = []
    for page, _ in enumerate(engine.review_pages(state)):
        opened = engine.apply(state, Tap("e", state.revision, f"p{page}")).state
        labels = _buttons(engine, opened)
        assert len(labels) <= 9
        editable += [label for label in labels if label.startswith("Change ")]
        back = engine.apply(opened, Tap("b", opened.revision)).state
        assert back.current == REVIEW and back.draft is None
    assert len(editable) == len(items)


# --- 7. who gave consent ---------------------------------------------------------------------


def test_who_gave_consent_is_in_the_summary_and_fhir(engine: IntakeEngine) -> None:
    state = engine.start()
    for text in typed_path(treatment_consent_by="a parent or legal guardian"):
        state = engine.apply(state, Typed(text)).state
    assert state.current == REVIEW
    assert state.treatment_consent is not None
    assert state.treatment_consent["given_by"] == "parent_guardian"
    state = engine.apply(state, Typed("send")).state
    summary = build_summary(engine, state, intake_id=1, chat_id=2, submitted_at=NOW)
    assert "agreed (given by: a parent or legal guardian;" in summary_text(summary, UTC)
    response = questionnaire_response(engine, state, intake_id=1, authored=NOW)
    [consent] = [i for i in response["item"] if i["linkId"] == "treatment_consent"]
    nested = {i["linkId"]: i["answer"][0] for i in consent["answer"][0]["item"]}
    assert nested["treatment_consent.given_by"]["valueCoding"]["code"] == "parent_guardian"


def test_back_from_who_gave_consent_asks_the_consent_again(engine: IntakeEngine) -> None:
    state = engine.apply(state_at(engine, "treatment_consent"), Typed("I agree")).state
    assert "Who is giving this answer?" in screen(engine, state, lambda v, a: v).text
    back = engine.apply(state, Typed("back")).state
    assert (
        back.current == "treatment_consent"
        and "collapsed lung" in screen(engine, back, lambda v, a: v).text
    )
