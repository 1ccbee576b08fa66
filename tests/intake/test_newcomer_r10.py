"""Intake faults a newcomer found (round 10): an urgent problem typed during the form left no
flag, a real word read as a region by its typo, "back" at the body map, consent typed
without the comma, free text at choice steps, sides in a list, pain ratings that disagree,
and a typed number after a side question in the console."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.core.assistant import ChatRef
from bot.intake.engine import IntakeEngine, IntakeState, Outcome, Tap, Typed, Verb
from bot.intake.flow_file import load_flow_file
from bot.intake.repository import IntakeRepository
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
