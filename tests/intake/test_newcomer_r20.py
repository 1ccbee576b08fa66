"""Intake faults a newcomer found in round 20: a photo or sticker sent in the middle of the
form left the patient without a way back to it, a rating with a half ("seven and a half")
was not read as a number, a question taking several answers hinted at one, and marking an
intake reviewed decrypted it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from cryptography.fernet import Fernet

from bot.core.assistant import ChatRef
from bot.intake.answers import normalise
from bot.intake.engine import IntakeEngine, Outcome, Typed
from bot.intake.flow_file import load_flow_file
from bot.intake.repository import IntakeRepository
from bot.intake.step_types import Refuse, kind_of
from bot.runtime import Runtime
from bot.storage.database import Database
from bot.storage.encryption import FieldCipher
from bot.web.audit import Marked
from bot.web.intakes import IntakeInbox
from tests.intake.kit import SHIPPED_FLOW, TYPED_ANSWERS, Patient, state_at

TODAY = date(2026, 12, 8)
NOW = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine() -> IntakeEngine:
    return IntakeEngine(load_flow_file(SHIPPED_FLOW).flow, today=lambda: TODAY, now=lambda: NOW)


async def _sent_a_sticker(patient: Patient, caption: str | None = None) -> None:
    patient.last = await patient.assistant.handle_non_text(patient.chat, caption, kind="sticker")


async def test_a_sticker_in_the_middle_of_the_form_gets_the_way_back_to_it(
    patient: Patient,
) -> None:
    await patient.start_and_answer_until("complaint")
    asked = patient.text
    await _sent_a_sticker(patient)
    assert patient.last[0].text.startswith("I can only read text messages")
    assert "intake form is waiting" in patient.last[-1].text
    await patient.tap("Back to my intake form")
    assert asked.split("\n")[0] in patient.text  # the same question again


async def test_a_photo_with_no_form_open_gets_only_the_note(patient: Patient) -> None:
    await _sent_a_sticker(patient)
    [note] = patient.last
    assert "form" not in note.text and not note.buttons


async def test_a_photo_while_the_form_is_stopped_for_now_offers_no_way_back(
    patient: Patient,
) -> None:
    await patient.start_and_answer_until("complaint")
    await patient.say("I don't want to do this anymore")
    await patient.say("yes")
    assert "answers so far are kept" in patient.text
    await _sent_a_sticker(patient)
    [note] = patient.last
    assert "form is waiting" not in note.text and not note.buttons


async def test_a_captioned_photo_at_a_question_gives_the_caption_to_the_form(
    patient: Patient,
) -> None:
    await patient.start_and_answer_until("complaint")
    await _sent_a_sticker(patient, "how much does it cost?")
    # The form read the caption and asked about it: its buttons are the way on.
    assert "Is that your answer to this question" in patient.last[0].text
    assert patient.last[-1].text.startswith("I read the words you sent with it")
    assert all("form is waiting" not in reply.text for reply in patient.last)


# --- a rating with a half ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "low"),
    [
        ("seven and a half", 7),
        ("7.5", 7),
        ("7,5", 7),
        ("7½", 7),
        ("7 1/2", 7),
        ("about 6 and a half", 6),
    ],
)
def test_a_rating_with_a_half_is_read_and_the_two_whole_numbers_offered(
    engine: IntakeEngine, typed: str, low: int
) -> None:
    result = engine.apply(state_at(engine, "pain_now"), Typed(typed))
    assert result.outcome is Outcome.INVALID and "pain_now" not in result.state.answers
    assert result.hint is not None
    assert f"{low} or {low + 1}" in result.hint and "for example 7" not in result.hint


def test_a_french_rating_with_a_half_is_read_too() -> None:
    flow = load_flow_file(SHIPPED_FLOW).flow.in_language("fr")
    step = flow.step("pain_now")
    assert step is not None
    effect = kind_of(step).typed(step, None, "sept et demi", normalise("sept et demi"), TODAY)
    assert isinstance(effect, Refuse) and "7 ou 8" in effect.hint


@pytest.mark.parametrize("typed", ["ten and a half", "a half", "and a half"])
def test_a_half_beyond_the_scale_or_without_a_number_gets_the_usual_hint(
    engine: IntakeEngine, typed: str
) -> None:
    result = engine.apply(state_at(engine, "pain_now"), Typed(typed))
    assert result.outcome is Outcome.INVALID
    assert result.hint is not None and "whole number from 0 to 10" in result.hint


def test_a_whole_number_in_words_is_still_the_answer(engine: IntakeEngine) -> None:
    result = engine.apply(state_at(engine, "pain_now"), Typed("seven"))
    assert result.state.answers["pain_now"] == 7


def test_an_age_with_a_half_asks_for_whole_years(engine: IntakeEngine) -> None:
    result = engine.apply(state_at(engine, "age"), Typed("forty two and a half"))
    assert result.hint == "Please type a whole number between 1 and 120."


async def test_a_rating_with_a_half_in_the_chat_names_the_two_numbers(runtime: Runtime) -> None:
    patient = Patient(runtime.assistant, chat=ChatRef(2001, first_name="Ana"))
    await patient.start_and_answer_until("pain_now")
    await patient.say("seven and a half")
    assert "7 or 8" in patient.text
    await patient.say("8")
    assert "at its worst" in patient.text


# --- the hint of a question that takes several answers -------------------------------------


@pytest.mark.parametrize("typed", ["🙂", "...", "?"])
@pytest.mark.parametrize("step_id", ["aggravating", "qualities", "regions"])
def test_a_question_taking_several_answers_never_hints_at_one_option(
    engine: IntakeEngine, step_id: str, typed: str
) -> None:
    result = engine.apply(state_at(engine, step_id), Typed(typed))
    assert result.outcome is Outcome.INVALID and result.hint is not None
    assert "one option" not in result.hint
    assert "that apply" in result.hint and "Done" in result.hint


def test_a_question_taking_one_answer_still_asks_for_one(engine: IntakeEngine) -> None:
    result = engine.apply(state_at(engine, "onset"), Typed("🙂"))
    assert result.hint is not None and "one option" in result.hint


# --- marking an intake reviewed ------------------------------------------------------------


async def test_marking_an_intake_reviewed_never_decrypts_its_answers(
    patient: Patient, database: Database
) -> None:
    await patient.start_and_answer_until("treatment_consent_by")
    await patient.say(TYPED_ANSWERS["treatment_consent_by"])
    await patient.tap("Send to the clinic")
    in_progress = Patient(patient.assistant, chat=ChatRef(4343, first_name="Lee"))
    await in_progress.start_and_answer_until("complaint")
    # A key that opens nothing: marking reads only where each intake stands.
    other_key = FieldCipher(Fernet.generate_key())
    inbox = IntakeInbox(database, IntakeRepository(database, other_key))
    assert await inbox.mark_reviewed(1, "dr@clinic.example") is Marked.NOW
    assert await inbox.mark_reviewed(1, "dr@clinic.example") is Marked.ALREADY
    assert await inbox.mark_new(1) is Marked.NOW
    assert await inbox.mark_new(1) is Marked.ALREADY
    # Not in the inbox: a form still being filled in, an intake that does not exist.
    assert await inbox.mark_reviewed(2, "dr@clinic.example") is None
    assert await inbox.mark_new(2) is None
    assert await inbox.mark_reviewed(99, "dr@clinic.example") is None
