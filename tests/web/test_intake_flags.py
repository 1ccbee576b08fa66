"""The console shows every flag the export shows, from the same record: an emergency typed
in the chat that stopped the form, urgent flags and the clinician's attention flags."""

from __future__ import annotations

import html
from datetime import UTC

from bot.core.assistant import ChatRef
from bot.intake.summary import summary_text
from bot.runtime import Runtime
from bot.web.accounts import Role
from bot.web.app import ConsoleServices
from tests.intake.kit import Patient, typed_path
from tests.web.conftest import ClientFactory
from tests.web.kit import complete_intake, stop_intake_with_typed_emergency

TYPED_FLAG = "Emergency typed in the chat (rule chest_pain); the form was stopped"


def export_flags(summary: dict[str, object]) -> list[str]:
    """The RED FLAGS lines of `intake export` (text)."""
    lines = summary_text(summary, UTC).splitlines()
    start = lines.index("RED FLAGS") + 1
    end = lines.index("", start)
    return [line.removeprefix("- ") for line in lines[start:end] if line != "- none reported"]


async def test_a_form_stopped_by_a_typed_emergency_reads_as_stopped_in_inbox_and_page(
    client_as: ClientFactory, console_runtime: Runtime, services: ConsoleServices
) -> None:
    await complete_intake(console_runtime, 1001, urgent=True)
    await stop_intake_with_typed_emergency(console_runtime, 1002)
    detail = await services.inbox.detail(2)
    assert detail is not None
    assert export_flags(detail.summary)[0] == f"EMERGENCY: {TYPED_FLAG}"
    assert detail.summary["scores"] == []  # stopped before the PHQ-2: no "negative screen"
    async with client_as(Role.CLINICIAN) as clinician:
        inbox = html.unescape((await clinician.get("/intakes")).text)
        assert inbox.index('href="/intakes/2"') < inbox.index('href="/intakes/1"')
        row = inbox[inbox.index('href="/intakes/2"') : inbox.index('href="/intakes/1"')]
        assert f"EMERGENCY: {TYPED_FLAG}" in row and "STOPPED BY AN EMERGENCY" in row
        red_flags = row.split('data-label="Red flags">')[1].split("</td>")[0]
        assert f"EMERGENCY: {TYPED_FLAG}" in red_flags and "none" not in red_flags
        assert "treatment: not recorded" in row  # the form ended before that question
        page = html.unescape((await clinician.get("/intakes/2")).text)
        assert "None reported" not in page
        alert = page[page.index('role="alert"') : page.index("Red flags")]
        assert "STOPPED BY AN EMERGENCY" in alert and TYPED_FLAG in alert
        assert "PHQ-2" not in page and "last answer" in page


async def test_every_flag_of_the_export_is_on_the_page_attention_included(
    client_as: ClientFactory, console_runtime: Runtime, services: ConsoleServices
) -> None:
    patient = Patient(console_runtime.assistant, chat=ChatRef(1003))
    await patient.command("intake")
    answers = typed_path(
        urgent_screen="cancer, done",
        mood_interest="nearly every day",
        mood_down="nearly every day",
    )
    for text in answers:
        await patient.say(text)
    await patient.tap("Send to the clinic")
    detail = await services.inbox.detail(1)
    assert detail is not None
    flags = export_flags(detail.summary)
    assert any(flag.startswith("ATTENTION: Positive PHQ-2") for flag in flags), flags
    async with client_as(Role.CLINICIAN) as clinician:
        inbox = html.unescape((await clinician.get("/intakes")).text)
        page = html.unescape((await clinician.get("/intakes/1")).text)
    for flag in flags:
        assert flag in inbox, flag
        level, label = flag.split(": ", 1)
        assert f">{level}</span> {label}" in page, flag
