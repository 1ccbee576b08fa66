"""Intake faults a newcomer found (round 9): words read as ages, a mood screen never asked
read as negative, "yes" at "continue or start over?" saved as an answer, Back on the body
map's sub-screens, a typed answer ticking an option it does not mean, stopping in words."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core.assistant import Assistant
from bot.intake.answers import parse_number, spelt_number
from bot.intake.conversation import IntakeConversation
from bot.intake.engine import IntakeEngine, IntakeState, Outcome, Tap, Typed, Verb
from bot.intake.flow_file import load_flow_file
from bot.intake.screens import screen
from bot.intake.step_types import Phase
from bot.intake.summary import build_summary, summary_text
from tests.intake.kit import SHIPPED_FLOW, Patient, state_at, typed_until

TODAY = date(2026, 12, 6)


@pytest.fixture(scope="module")
def engine() -> IntakeEngine:
    return IntakeEngine(load_flow_file(SHIPPED_FLOW).flow, today=lambda: TODAY)


at = state_at


def test_a_real_word_or_an_ordinal_is_not_an_age(engine: IntakeEngine) -> None:
    for word in ("done", "none", "gone", "tone", "sixth", "ninth"):
        assert spelt_number(word) is None, word
    assert spelt_number("fourty two") == 42 and spelt_number("quarente") == 40  # slips
    age = engine.flow.step("age")
    assert age is not None
    assert not hasattr(parse_number("6th", age), "value")
    assert getattr(parse_number("42yo", age), "value", None) == 42
    result = engine.apply(at(engine, "age"), Typed("done"))
    assert result.outcome is Outcome.INVALID and "age" not in result.state.answers


def test_a_mood_screen_never_asked_is_not_negative(engine: IntakeEngine) -> None:
    state = at(engine, "complaint")
    summary = build_summary(engine, state, intake_id=1, chat_id=2, submitted_at=datetime.now(UTC))
    assert not [score for score in summary["scores"] if "PHQ" in score["title"]]
    assert "negative" not in summary_text(summary, UTC)  # never asked: left out, not "0 negative"
    half = engine.apply(at(engine, "mood_interest"), Typed("not at all")).state
    partial = build_summary(engine, half, intake_id=1, chat_id=2, submitted_at=datetime.now(UTC))
    (phq,) = [score for score in partial["scores"] if "PHQ" in score["title"]]
    assert phq["band"] == "incomplete: 1 of 2 answered" and phq["complete"] is False


def test_back_on_the_body_maps_side_and_worst_screens_keeps_the_selection(
    engine: IntakeEngine,
) -> None:
    state = engine.apply(at(engine, "regions"), Typed("neck, shoulder, done")).state
    assert state.draft is not None and state.draft.phase is Phase.SIDE
    assert "« Back" in [b.label for b in screen(engine, state, lambda v, a: v).buttons]
    back = engine.apply(state, Typed("back"))
    assert back.outcome is Outcome.MOVED and back.state.current == "regions"
    assert back.state.draft is not None and back.state.draft.phase is Phase.SELECT
    assert back.state.draft.selected == ["neck", "shoulder"]
    worst = engine.apply(back.state, Typed("done")).state
    worst = engine.apply(worst, Typed("left")).state
    assert worst.draft is not None and worst.draft.phase is Phase.WORST
    tapped = engine.apply(worst, Tap(Verb.BACK, worst.revision))
    assert tapped.state.current == "regions" and tapped.state.draft is not None
    assert tapped.state.draft.phase is Phase.SIDE  # the side asked last, asked again
    assert tapped.state.draft.selected == ["neck", "shoulder"]


def test_a_typed_answer_does_not_tick_an_option_whose_limit_it_leaves_out(
    engine: IntakeEngine,
) -> None:
    step = engine.flow.step("heart_details")
    assert step is not None
    state = IntakeState(current=step.id, answers={}, history=[])
    state.draft = None
    result = engine.apply(state, Typed("high blood pressure, done"))
    assert result.state.draft is not None and "uncontrolled_bp" not in result.state.draft.selected
    assert "heart_details" not in result.state.answers
    assert "'Blood pressure not under control' (5)" in result.hint
    said = engine.apply(state, Typed("blood pressure not under control, done"))
    assert said.state.answers.get("heart_details") == ["uncontrolled_bp"]
    number = engine.apply(state, Typed("5, done"))
    assert number.state.answers.get("heart_details") == ["uncontrolled_bp"]


async def _at_complaint(patient: Patient) -> None:
    await patient.command("intake")
    for text in typed_until("complaint"):
        await patient.say(text)
    assert "main problem" in patient.text


async def test_yes_at_continue_or_start_over_continues(patient: Patient) -> None:
    await _at_complaint(patient)
    await patient.command("intake")
    assert "start over" in patient.text
    await patient.say("yes")
    assert "main problem" in patient.text and "Your answer so far" not in patient.text
    await patient.command("intake")
    await patient.say("maybe")
    assert "tap Continue" in patient.text and "start over?" in patient.text
    await patient.say("start over")
    assert "Do you agree" in patient.text  # a new form, from consent


async def test_stop_in_words_asks_keeps_the_answers_and_says_how_to_come_back(
    patient: Patient,
) -> None:
    await _at_complaint(patient)
    await patient.say("I don't want to do this anymore")
    assert "stop the form for now" in patient.text
    await patient.say("yes")
    assert "answers so far are kept" in patient.text and "/intake" in patient.text
    assert await patient.say("what is IMS?") == []  # no longer taken as an answer
    await patient.command("intake")
    await patient.say("continue")
    assert "main problem" in patient.text
    await patient.say("cancel")
    await patient.tap("No, carry on")
    assert "main problem" in patient.text


async def test_a_button_number_typed_at_continue_or_start_over(patient: Patient) -> None:
    await _at_complaint(patient)
    await patient.command("intake")
    await patient.say("1")
    assert "main problem" in patient.text


async def test_a_form_stopped_by_an_emergency_answer_can_be_picked_up_and_keeps_it(
    patient: Patient, wired: tuple[Assistant, IntakeConversation]
) -> None:
    await patient.command("intake")
    for text in typed_until("emergency_screen"):
        await patient.say(text)
    await patient.say("2, done")  # weakness worsening fast: an emergency flag
    assert "stopped the intake form" in patient.text
    await patient.command("intake")
    assert "was stopped because an answer can mean an emergency" in patient.text
    await patient.tap("Continue")
    assert "Safety check" in patient.text  # where it stopped, the answer shown
    await patient.say("none")  # it was a mistake: changed
    await patient.say("done")
    assert "Safety check" not in patient.text
    conversation = wired[1]
    (intake,) = await conversation.repository.for_chat(patient.chat.chat_id)
    engine = IntakeEngine(conversation.loaded.flow)
    summary = build_summary(
        engine, intake.state, intake_id=1, chat_id=2, submitted_at=datetime.now(UTC)
    )
    first = summary["flags"][0]
    assert first["level"] == "emergency" and "the patient carried on later" in first["label"]


async def test_a_form_stopped_by_a_typed_emergency_can_be_picked_up(
    patient: Patient, wired: tuple[Assistant, IntakeConversation]
) -> None:
    await _at_complaint(patient)
    await wired[1].on_emergency(patient.chat, "chest_pain")
    await patient.command("intake")
    await patient.tap("Continue")
    assert "main problem" in patient.text
    (intake,) = await wired[1].repository.for_chat(patient.chat.chat_id)
    assert intake.state.emergency_rule == "chest_pain"  # still on the record
