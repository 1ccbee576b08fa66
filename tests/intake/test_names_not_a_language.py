"""An intake free-text answer is screened for emergencies, but a name (or a short answer no
detector can read) is saved, not refused with "I can only read English and French"."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.assistant import Assistant
from bot.intake.conversation import IntakeConversation
from bot.intake.flow_file import LoadedFlow, load_flow_file
from bot.intake.repository import IntakeRepository
from bot.safety import build_safety_stage, load_emergency_content
from bot.safety.emergency import EmergencyContent
from bot.storage.database import Database
from tests.intake.kit import PATIENT, REPO, SHIPPED_FLOW, Patient, RecordingFaq, build_conversation

NOTICE = "I can only read English and French"
# Names from many origins, as people type them (with and without their marks and scripts).
NAMES = [
    "Nguyen Thi Mai Anh",
    "Nguyễn Thị Mai Anh",
    "Xiaoming Zhang Wei",
    "Zhang Wei",
    "Wei Ling Chen",
    "Gurpreet Kaur Sandhu",
    "Harpreet Singh Gill",
    "Aisha Bibi",
    "Mohammed Al-Sayed",
    "José Luis García Márquez",
    "João Pedro Santos",
    "Oluwaseun Adeyemi",
    "Siobhán Ní Bhriain",
    "Kim Min-jun",
    "Le Thi Hoa",
    "Dmitri Ivanov",
    "Giuseppe Russo",
    "Maria dos Santos Ferreira",
    "Tran Van Bao Long",
    "张伟",
    "陳大文",
    "ਗੁਰਪ੍ਰੀਤ ਕੌਰ",
    "محمد علی رضایی",
    "김민준",
    "Дмитрий Иванов",
]


def _flow_with_name_step(tmp_path: Path) -> Path:
    """The shipped flow with a step that asks for the patient's name after "who is filling in"."""
    shipped = SHIPPED_FLOW.read_text(encoding="utf-8")
    step = (
        "  - id: patient_name\n"
        "    label: Patient's full name\n"
        "    type: text\n"
        "    section: about\n"
        "    text: What is the patient's full name, as on their health card?\n"
        "    max_length: 120\n"
    )
    marker = "  - id: age\n"
    assert marker in shipped
    path = tmp_path / "intake_flow.yaml"
    path.write_text(shipped.replace(marker, step + marker, 1), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def name_flow(tmp_path_factory: pytest.TempPathFactory) -> LoadedFlow:
    """The flow with the name step, read once for the module (a loaded flow is read-only)."""
    return load_flow_file(_flow_with_name_step(tmp_path_factory.mktemp("flow")))


@pytest.fixture(scope="module")
def emergency_content() -> EmergencyContent:
    """The clinic's emergency rules, read once for the module (read-only; its detector,
    built on first use, is kept with it: about two seconds of CPU per test otherwise)."""
    return load_emergency_content(REPO / "content")


@pytest.fixture
def screened(
    database: Database,
    repository: IntakeRepository,
    name_flow: LoadedFlow,
    emergency_content: EmergencyContent,
) -> tuple[Assistant, IntakeConversation]:
    """The intake with the clinic's real safety stage in front of it."""
    assistant, conversation = build_conversation(
        database, repository, name_flow, faq=RecordingFaq()
    )
    assistant.set_safety_screen(build_safety_stage(emergency_content, "604-555-0100"))
    return assistant, conversation


async def _at_name_step(screened: tuple[Assistant, IntakeConversation]) -> Patient:
    patient = Patient(screened[0])
    await patient.command("intake")
    await patient.say("yes")  # consent
    await patient.say("me")  # who is filling in
    assert "full name" in patient.text
    return patient


async def _at_complaint_step(screened: tuple[Assistant, IntakeConversation]) -> Patient:
    patient = await _at_name_step(screened)
    await patient.say("Zhang Wei")
    await patient.say("42")  # age
    return patient


@pytest.mark.parametrize("name", NAMES)
async def test_a_name_is_saved_not_refused(
    screened: tuple[Assistant, IntakeConversation], repository: IntakeRepository, name: str
) -> None:
    patient = await _at_name_step(screened)
    await patient.say(name)
    assert NOTICE not in patient.text
    assert "How old" in patient.text or "age" in patient.text.lower()  # the next question
    stored = await repository.latest_open(PATIENT)
    assert stored is not None and stored.state.answers["patient_name"] == name


async def test_an_emergency_in_a_name_step_still_gets_the_emergency_reply(
    screened: tuple[Assistant, IntakeConversation], repository: IntakeRepository
) -> None:
    patient = await _at_name_step(screened)
    await patient.say("张伟 我胸口很痛，喘不上气")
    assert "911" in patient.text and NOTICE not in patient.text
    assert any("emergency" in reply.text.lower() for reply in patient.staff)
    stored = await repository.latest_open(PATIENT)
    assert stored is None or "patient_name" not in stored.state.answers


async def test_a_short_romanised_answer_is_saved_at_any_text_step(
    screened: tuple[Assistant, IntakeConversation], repository: IntakeRepository
) -> None:
    patient = await _at_complaint_step(screened)
    await patient.say("kamar dard")  # the main problem, in two romanised Hindi words
    assert NOTICE not in patient.text
    stored = await repository.latest_open(PATIENT)
    assert stored is not None and stored.state.answers["complaint"] == "kamar dard"


async def test_a_long_message_in_another_language_still_gets_the_notice(
    screened: tuple[Assistant, IntakeConversation], repository: IntakeRepository
) -> None:
    patient = await _at_complaint_step(screened)
    await patient.say("Tengo un dolor de espalda muy fuerte desde hace dos semanas y no duermo")
    assert NOTICE in patient.text and "911" in patient.text
    stored = await repository.latest_open(PATIENT)
    assert stored is not None and "complaint" not in stored.state.answers


async def test_outside_an_intake_a_name_like_message_still_gets_the_notice(
    screened: tuple[Assistant, IntakeConversation],
) -> None:
    patient = Patient(screened[0])
    await patient.say("Xin chào, tôi muốn hỏi về giá của một buổi điều trị")
    assert NOTICE in patient.text
