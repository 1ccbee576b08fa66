"""Intake faults a newcomer found (round 16): an emergency typed during the form stopped it
without telling the patient, free text in the clinician's summary not marked as the
patient's words, multi-choice answers whose labels ran together, numbers typed with spaces
at a multi-choice question, and the stopped form's date written another way."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.core.assistant import ChatRef
from bot.intake.engine import IntakeEngine, Typed
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
    finally:
        await runtime.close()


def _answered(engine: IntakeEngine, step_id: str, text: str) -> dict[str, object]:
    state = engine.apply(state_at(engine, step_id), Typed(text)).state
    return build_summary(engine, state, intake_id=1, chat_id=2, submitted_at=datetime.now(UTC))
