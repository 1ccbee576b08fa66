"""Intake faults a newcomer found (round 10): an urgent problem typed during the form left no
flag, a real word read as a region by its typo, "back" at the body map, consent typed
without the comma, free text at choice steps, sides in a list, pain ratings that disagree,
and a typed number after a side question in the console."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from bot.channels.console import ConsoleOutput
from bot.core.assistant import ChatRef
from bot.intake.engine import IntakeEngine, IntakeState, Outcome, Tap, Typed, Verb
from bot.intake.flow_file import load_flow_file
from bot.intake.repository import IntakeRepository
from bot.intake.screens import screen
from bot.intake.step_types import Phase
from bot.intake.summary import intake_flags
from bot.runtime import build_runtime
from bot.storage.encryption import load_cipher
from tests.intake.kit import SHIPPED_FLOW, Patient, runtime_settings, state_at

TODAY = date(2026, 12, 7)
URGENT_TEXT = (
    "since my last needling session I have a fever and the needle spot is red, hot and swollen"
)


@pytest.fixture(scope="module")
def engine() -> IntakeEngine:
    return IntakeEngine(load_flow_file(SHIPPED_FLOW).flow, today=lambda: TODAY)


at = state_at


async def test_an_urgent_problem_typed_during_the_form_is_flagged_and_the_form_goes_on(
    tmp_path: Path,
) -> None:
    runtime = await build_runtime(runtime_settings(tmp_path))
    try:
        patient = Patient(runtime.assistant, chat=ChatRef(881, first_name="Ana"))
        await patient.command("intake")
        for text in ["yes", "me", "50"]:
            await patient.say(text)
        await patient.say(URGENT_TEXT)
        assert "today" in patient.text and patient.staff  # the urgent reply and staff note
        assert "waiting" in patient.text  # the form goes on: a way back to it
        await patient.tap("Back to my intake form")
        assert "main problem" in patient.text
        repository = IntakeRepository(runtime.database, load_cipher(runtime.settings))
        intake = await repository.latest_open(881)
        assert intake is not None and "complaint" not in intake.state.answers
        flags = intake_flags(IntakeEngine(load_flow_file(SHIPPED_FLOW).flow), intake.state)
        assert [(f.level, f.id) for f in flags] == [("urgent", "typed:needle_site_infection")]
    finally:
        await runtime.close()


def test_urgent_rules_survive_storage(engine: IntakeEngine) -> None:
    state = at(engine, "complaint")
    state.urgent_rules.append("needle_site_infection")
    again = IntakeState.from_json(state.to_json())
    assert again.urgent_rules == ["needle_site_infection"]
    assert "urgent_rules" not in engine.start().to_json()  # old forms read as before


def test_consent_typed_as_its_button_reads_with_or_without_the_comma(
    engine: IntakeEngine,
) -> None:
    for typed in ("yes I agree", "Yes, I agree", "yes - i agree", "I agree"):
        result = engine.apply(engine.start(), Typed(typed))
        assert result.outcome is Outcome.ANSWERED, typed
    for typed in ("sure", "ok"):  # consent must be explicit
        assert engine.apply(engine.start(), Typed(typed)).outcome is Outcome.INVALID, typed
    french = IntakeEngine(engine.flow.in_language("fr"), today=lambda: TODAY)
    for typed in ("Oui, j'accepte", "oui j accepte", "oui j'accepte"):
        assert french.apply(french.start(), Typed(typed)).outcome is Outcome.ANSWERED, typed
    assert engine.apply(engine.start(), Typed("yes I wonder")).outcome is Outcome.INVALID


def test_a_real_word_near_a_region_is_asked_not_recorded(engine: IntakeEngine) -> None:
    for typed, label in (("heat", "Head"), ("hear", "Head"), ("chess", "Chest")):
        result = engine.apply(at(engine, "regions"), Typed(typed))
        draft = result.state.draft
        assert draft is not None and draft.selected == [], typed
        shown = screen(engine, result.state, lambda v, a: f"{v}:{a}")
        assert f"Did you mean {label}?" in shown.text
        yes = next(b for b in shown.buttons if b.label == f"Yes, {label}")
        revision = result.state.revision
        tapped = engine.apply(result.state, Tap(Verb.OPTION, revision, yes.action.split(":")[1]))
        assert tapped.state.draft is not None and tapped.state.draft.selected
    said_no = engine.apply(engine.apply(at(engine, "regions"), Typed("heat")).state, Typed("no"))
    assert said_no.state.draft is not None and said_no.state.draft.selected == []
    for slip in ("kneee", "shoulders", "necks", "left hips"):  # slips and plurals still read
        result = engine.apply(at(engine, "regions"), Typed(slip))
        assert result.state.draft is not None and result.state.draft.selected, slip


def test_back_at_the_body_map_is_asked_and_a_pending_selection_is_never_dropped_unsaid(
    engine: IntakeEngine,
) -> None:
    chosen = engine.apply(at(engine, "regions"), Typed("head, neck")).state
    asked = engine.apply(chosen, Typed("back"))
    assert asked.state.current == "regions" and asked.state.draft is not None
    assert asked.state.draft.selected == ["head", "neck"]
    assert "instruction" in screen(engine, asked.state, lambda v, a: v).text
    area = engine.apply(asked.state, Typed("no"))
    assert area.state.current == "regions" and "Lower back" in area.hint
    assert area.state.draft is not None and area.state.draft.selected == ["head", "neck"]
    went = engine.apply(engine.apply(chosen, Typed("back")).state, Typed("yes"))
    assert went.outcome is Outcome.MOVED and went.state.current == "complaint"
    assert "Not saved: Head, Neck" in went.hint
    tapped = engine.apply(chosen, Tap(Verb.BACK, chosen.revision))
    assert tapped.outcome is Outcome.MOVED and "Not saved: Head, Neck" in tapped.hint
    sided = engine.apply(at(engine, "regions"), Typed("shoulder, neck, done")).state
    assert sided.draft is not None and sided.draft.phase is Phase.SIDE
    back = engine.apply(sided, Typed("back"))  # on the side screen "back" is the instruction
    assert back.state.draft is not None and back.state.draft.phase is Phase.SELECT


def test_a_side_word_applies_to_the_region_it_precedes(engine: IntakeEngine) -> None:
    typed = "neck, right shoulder blade, right forearm"
    result = engine.apply(at(engine, "regions"), Typed(typed))
    draft = result.state.draft
    assert draft is not None
    assert draft.sides == {"shoulder_blade": "right", "forearm": "right"}
    done = engine.apply(result.state, Typed("done")).state.draft
    assert done is not None and done.phase is Phase.WORST  # no side left to ask


async def test_a_number_after_a_side_question_answers_the_form(patient: Patient) -> None:
    await patient.command("intake")
    await patient.say("yes")
    await patient.say("how much does it cost?")
    assert "FAQ answer" in patient.text
    output = ConsoleOutput(io.StringIO(), json_mode=False)
    output.begin_batch()
    for reply in patient.last:
        output.show(reply)
    assert output.typed_answer  # the console passes "1" on as text, not as a button
    await patient.say("1")
    assert "How old are you?" in patient.text


@pytest.mark.parametrize(
    "question", ["est-ce que ça fait mal", "est ce que ça fait mal", "Est-ce que c'est cher"]
)
async def test_a_french_side_question_during_the_form_is_answered(
    patient: Patient, question: str
) -> None:
    await patient.command("intake")
    await patient.say("yes")
    await patient.say(question)
    assert "FAQ answer" in patient.text and "waiting" in patient.text


def test_pain_ratings_that_disagree_with_the_pain_now_are_asked_once(
    engine: IntakeEngine,
) -> None:
    state = engine.apply(at(engine, "pain_now"), Typed("8")).state
    asked = engine.apply(state, Typed("2"))
    assert asked.outcome is Outcome.UPDATED and "pain_worst" not in asked.state.answers
    shown = screen(engine, asked.state, lambda v, a: f"{v}:{a}")
    assert "Is 2/10 right?" in shown.text
    kept = engine.apply(asked.state, Typed("yes")).state
    assert kept.answers["pain_worst"] == 2 and kept.current == "pain_least"
    again = engine.apply(asked.state, Typed("2")).state  # typed again: what they mean
    assert again.answers["pain_worst"] == 2
    changed = engine.apply(engine.apply(asked.state, Typed("no")).state, Typed("9")).state
    assert changed.answers["pain_worst"] == 9
    least = engine.apply(changed, Typed("9"))  # least above now (8): asked too
    assert least.outcome is Outcome.UPDATED and "pain_least" not in least.state.answers
    tapped = engine.apply(least.state, Tap(Verb.OPTION, least.state.revision, "confirm"))
    assert tapped.state.answers["pain_least"] == 9
    fine = engine.apply(engine.apply(state, Typed("9")).state, Typed("3"))
    assert fine.outcome is Outcome.ANSWERED  # worst 9, least 3: nothing to ask


def test_free_text_at_choice_steps_is_read_where_clear(engine: IntakeEngine) -> None:
    def answer(step_id: str, typed: str) -> object:
        return engine.apply(at(engine, step_id), Typed(typed)).state.answers.get(step_id)

    assert answer("completed_by", "it's me") == "self"
    assert answer("completed_by", "not me") is None  # a negation is asked about
    assert answer("onset", "gradually I think") == "gradual"
    assert answer("pain_now", "about a 6") == 6
    assert answer("pain_now", "I'd say 7 today") == 7
    for unclear in ("6 or 7", "3 days", "about 6-7"):
        assert answer("pain_now", unclear) is None, unclear
    duration = answer("duration", "since last summer")
    assert isinstance(duration, dict) and duration["option"] == "6_to_12_months"
    worst = engine.apply(at(engine, "regions"), Typed("neck, left shoulder, done")).state
    assert worst.draft is not None and worst.draft.phase is Phase.WORST
    picked = engine.apply(worst, Typed("the neck mostly")).state.answers["regions"]
    assert isinstance(picked, dict) and picked["worst"] == "neck"
    both = engine.apply(worst, Typed("neck and shoulder mostly"))
    assert both.outcome is Outcome.INVALID  # two named: asked
