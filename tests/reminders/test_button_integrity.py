"""Buttons naming an appointment are checked against what the tapping chat owns."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.core.assistant import ChatRef
from bot.reminders.model import AppointmentInput
from bot.runtime import Runtime
from bot.storage.intake_tables import IntakeSession

OWNER = 6100
STRANGER = 6200


async def book_and_link(runtime: Runtime, ref: str, chat_id: int) -> None:
    from bot.reminders.repository import AppointmentRepository
    from bot.reminders.types import load_appointment_types

    now = datetime.now(UTC)
    repository = AppointmentRepository(
        runtime.database,
        load_appointment_types(runtime.settings.content_dir),
        runtime.settings.clinic_timezone,
    )
    item = AppointmentInput(ref, now + timedelta(days=3), "ims_treatment")
    appointment, _ = await repository.save(item, now)
    token = await repository.create_link(appointment.id, now)
    await repository.redeem_link(token, chat_id, now)


async def intake_refs(runtime: Runtime, chat_id: int) -> list[str | None]:
    async with runtime.database.sessions() as session:
        rows = await session.scalars(
            select(IntakeSession.appointment_ref).where(IntakeSession.chat_id == chat_id)
        )
        return list(rows)


async def test_a_forged_intake_button_does_not_link_someone_elses_appointment(
    runtime: Runtime,
) -> None:
    await book_and_link(runtime, "REF-OWNED", OWNER)
    replies = await runtime.assistant.handle_action(ChatRef(STRANGER), "intake:start:REF-OWNED")
    assert replies  # the stranger still gets an intake, just not linked to that appointment
    assert await intake_refs(runtime, STRANGER) == [None]


async def test_the_owner_of_the_appointment_gets_the_linked_intake(runtime: Runtime) -> None:
    await book_and_link(runtime, "REF-MINE", OWNER)
    await runtime.assistant.handle_action(ChatRef(OWNER), "intake:start:REF-MINE")
    assert await intake_refs(runtime, OWNER) == ["REF-MINE"]


async def test_an_appointment_button_of_another_chat_is_refused(runtime: Runtime) -> None:
    await book_and_link(runtime, "REF-X", OWNER)
    from sqlalchemy import select as select_

    from bot.storage.reminder_tables import AppointmentRow

    async with runtime.database.sessions() as session:
        appointment_id = await session.scalar(
            select_(AppointmentRow.id).where(AppointmentRow.ref == "REF-X")
        )
    [reply] = await runtime.assistant.handle_action(ChatRef(STRANGER), f"appt:x:{appointment_id}")
    assert "can't find that appointment" in reply.text


async def test_a_booking_too_close_for_reminders_is_confirmed_when_the_patient_links(
    runtime: Runtime,
) -> None:
    from bot.reminders.repository import AppointmentRepository
    from bot.reminders.types import load_appointment_types

    now = datetime.now(UTC)
    repository = AppointmentRepository(
        runtime.database,
        load_appointment_types(runtime.settings.content_dir),
        runtime.settings.clinic_timezone,
    )
    appointment, _ = await repository.save(
        AppointmentInput("SOON-1", now + timedelta(minutes=10), "ims_treatment"), now
    )
    token = await repository.create_link(appointment.id, now)
    [greeting] = await runtime.assistant.handle_command(ChatRef(OWNER), "start", [token])
    assert "this message is your confirmation" in greeting.text
    assert "I'll send you a reminder" not in greeting.text
