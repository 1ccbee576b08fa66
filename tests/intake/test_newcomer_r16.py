"""Intake faults a newcomer found (round 16): an emergency typed during the form stopped it
without telling the patient, free text in the clinician's summary not marked as the
patient's words, multi-choice answers whose labels ran together, numbers typed with spaces
at a multi-choice question, and the stopped form's date written another way."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.core.assistant import ChatRef
from bot.core.dates import long_date
from bot.intake.engine import IntakeEngine, Typed
from bot.intake.flow import StepType
from bot.intake.flow_file import load_flow_file
from bot.intake.summary import build_summary, summary_text
from bot.runtime import build_runtime
from tests.intake.kit import SHIPPED_FLOW, Patient, runtime_settings, state_at

TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def engine() -> IntakeEngine:
    return IntakeEngine(load_flow_file(SHIPPED_FLOW).flow, today=lambda: TODAY)


async def test_an_emergency_typed_as_an_answer_tells_the_patient_the_form_stopped(
    tmp_path: Path,
) -> None:
    runtime = await build_runtime(runtime_settings(tmp_path))
    try:
        patient = Patient(runtime.assistant, chat=ChatRef(1601, first_name="Lea"))
        await patient.command("intake")
        for text in ["yes", "me", "50"]:
            await patient.say(text)
        assert "main problem" in patient.text
        await patient.say("since this morning I cant feel my legs and I wet myself")
        assert "911" in patient.text
        # Below the emergency reply: the form is stopped, so what they type next is no
        # longer an answer to it (before, they went on answering into the FAQ).
        assert "stopped the intake form" in patient.text
        assert patient.text.index("911") < patient.text.index("stopped the intake form")
        await patient.command("intake")
        assert "was stopped because an answer can mean an emergency" in patient.text
        # The day it began as every other date a patient reads: "7 December 2026", on the
        # clinic's calendar (it read "07 December 2026", and the UTC day).
        today = datetime.now(UTC).astimezone(runtime.settings.clinic_timezone).date()
        assert f"Your intake form from {long_date(today)} was stopped" in patient.text
    finally:
        await runtime.close()


def _answered(engine: IntakeEngine, step_id: str, text: str) -> dict[str, object]:
    state = engine.apply(state_at(engine, step_id), Typed(text)).state
    return build_summary(engine, state, intake_id=1, chat_id=2, submitted_at=datetime.now(UTC))


def test_free_text_in_the_clinicians_summary_is_quoted_as_the_patients_words(
    engine: IntakeEngine,
) -> None:
    summary = _answered(engine, "complaint", "Burning pain, none of the pills help")
    text = summary_text(summary, UTC)
    # A label of the form is never quoted; what the patient typed always is.
    assert "Main problem in own words: “Burning pain, none of the pills help”" in text
    assert "Text in “quotes” is what the patient typed" in text
    assert "Who is filling in this form? Me, the patient\n" in text


def test_a_typed_needling_safety_detail_is_quoted_among_the_contraindications(
    engine: IntakeEngine,
) -> None:
    state = state_at(engine, "health_screen")
    for text in ["pacemaker, done", "a pacemaker since 2019"]:
        state = engine.apply(state, Typed(text)).state
    summary = build_summary(engine, state, intake_id=1, chat_id=2, submitted_at=datetime.now(UTC))
    assert "Which device do you have: “a pacemaker since 2019”" in summary["precautions"]


def test_chosen_options_whose_labels_hold_commas_stay_apart(engine: IntakeEngine) -> None:
    state = state_at(engine, "health_screen")
    state = engine.apply(state, Typed("heart, pregnant, done")).state
    summary = build_summary(engine, state, intake_id=1, chat_id=2, submitted_at=datetime.now(UTC))
    assert (
        "Needling-safety conditions: Heart or blood-vessel problem, high BP; "
        "Pregnant or might be pregnant" in summary_text(summary, UTC)
    )


def test_button_numbers_typed_with_spaces_tick_each_option(engine: IntakeEngine) -> None:
    state = engine.apply(state_at(engine, "aggravating"), Typed("1 4")).state
    assert state.draft is not None and state.draft.selected == ["sitting", "bending_lifting"]
    ticked = engine.apply(state_at(engine, "qualities"), Typed("1 3")).state
    assert engine.apply(ticked, Typed("done")).state.answers["qualities"] == [
        "burning",
        "pins_needles",
    ]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_consent_to_treatment_names_the_assessment_the_benefit_and_the_other_choices(
    engine: IntakeEngine, language: str
) -> None:
    flow = engine.flow.in_language(language)
    (consent,) = [step for step in flow.steps if step.type is StepType.TREATMENT_CONSENT]
    text = consent.text.lower()
    # What informed consent to needling asks besides the risks: what the assessment
    # involves, what IMS may do (and that nothing is promised), and the other choices.
    said = {
        "en": ["touching and pressing", "may ease pain", "no result is promised", "other choices"],
        "fr": ["en touchant et en pressant", "peut soulager", "aucun résultat", "autres choix"],
    }[language]
    for words in said:
        assert words in text, words
    assert consent.consent_version == "ims-consent-2026-12-2"  # a new text, a new version


def test_pregnancy_asks_how_many_weeks_and_the_clinician_reads_it(engine: IntakeEngine) -> None:
    # clinical.md asks each needling-safety yes with its detail: the weeks of a pregnancy
    # matter to whether, and where, a clinician needles.
    state = engine.apply(state_at(engine, "health_screen"), Typed("pregnant, done")).state
    assert state.current == "pregnancy_details"
    state = engine.apply(state, Typed("about 20 weeks")).state
    summary = build_summary(engine, state, intake_id=1, chat_id=2, submitted_at=datetime.now(UTC))
    assert "Pregnancy: weeks: “about 20 weeks”" in summary["precautions"]


@pytest.mark.parametrize("typed", ["yesterday", "since yesterday", "depuis hier"])
def test_a_pain_that_began_yesterday_is_a_start_date(engine: IntakeEngine, typed: str) -> None:
    state = engine.apply(state_at(engine, "duration"), Typed(typed)).state
    assert state.answers["duration"] == {
        "date": "2026-12-06",
        "typed": typed,
        "option": "under_6_weeks",
    }
