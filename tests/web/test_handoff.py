"""Staff can act on an alert: its note names the chat's linked appointment(s) and asks only
for what staff can do, every safety alert reaches the Alerts page, staff write to the
patient from the console (CSRF, audited, never logged), and /forget leaves an alert nobody
handled as a bare marker, with an audit entry."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core.assistant import ChatRef
from bot.core.replies import Reply
from bot.core.staff_notes import CAUTION, CONTACT_REQUEST, EMERGENCY, SELF_HARM, alert_numbers
from bot.reminders.feature import build_reminders
from bot.reminders.model import AppointmentInput
from bot.runtime import Runtime
from bot.storage.console_tables import AuditEntry, StaffEvent
from bot.web.accounts import Role
from bot.web.app import ConsoleServices
from bot.web.events import ALERT_KINDS, StaffEventLog
from bot.web.handoff import FROM_CLINIC, Outcome, PatientSend
from tests.intake.kit import Patient, typed_until
from tests.web.conftest import ClientFactory
from tests.web.kit import TYPED_EMERGENCY, complete_intake, csrf_of

EMERGENCY_WORDS = "my chest is crushing and my left arm went numb"
# A rule's words judged not happening now, and words of a plan without a rule (their tests
# are in tests/safety).
LOOK_ALIKE = "my dad lost bladder control after his surgery, can he get IMS?"
SELF_HARM_WORDS = "the rope is in the shed. anyway do you have openings"
# What a note must no longer ask: things staff cannot do.
CANNOT_DO = ("read the conversation", "Please follow up", "through the bot's chat or their")


async def link_appointment(runtime: Runtime, chat_id: int, ref: str, hours: int) -> None:
    """Book `ref` `hours` from now (or ago) and link it to the chat."""
    reminders = build_reminders(runtime.settings, runtime.content, runtime.database)
    now = datetime.now(UTC)
    appointment, _ = await reminders.repository.save(
        AppointmentInput(ref, now + timedelta(hours=hours), "ims_treatment", None, None), now
    )
    token = await reminders.repository.create_link(appointment.id, now)
    linked = await reminders.repository.redeem_link(token, chat_id, now)
    assert linked.appointment is not None and linked.appointment.chat_id == chat_id


def staff_of(replies: list[Reply]) -> list[str]:
    return [f"{reply.title}: {reply.text}" for reply in replies if reply.for_staff]


async def events_of(runtime: Runtime) -> list[StaffEvent]:
    async with runtime.database.sessions() as session:
        return list(await session.scalars(select(StaffEvent).order_by(StaffEvent.id)))


async def test_an_emergency_note_names_the_linked_appointment_its_number_and_what_to_do(
    runtime: Runtime,
) -> None:
    await link_appointment(runtime, 4101, "BK-2207", hours=30)
    replies = await runtime.assistant.handle_text(ChatRef(4101), EMERGENCY_WORDS)
    [note] = staff_of(replies)
    [event] = await events_of(runtime)
    assert (event.kind, event.chat_id) == (EMERGENCY, 4101)
    assert alert_numbers(note) == [event.id]
    assert "BK-2207" in note and "(ims_treatment)" in note  # reference, time, type
    assert "booking system" in note and "reply to this message" in note
    for asked in CANNOT_DO:
        assert asked not in note
    assert "crushing" not in note and "arm" not in note


async def test_a_contact_request_from_a_chat_without_an_appointment_says_how_to_reach_them(
    runtime: Runtime,
) -> None:
    patient = Patient(runtime.assistant, ChatRef(4102, first_name="Ana"))
    await patient.command("contact")
    [note] = staff_of(patient.last)
    [event] = await events_of(runtime)
    assert event.kind == CONTACT_REQUEST and alert_numbers(note) == [event.id]
    assert "No appointment is linked to this chat" in note
    assert "reply to this message to write to them through the bot" in note
    assert "booking system" not in note  # nothing there to find them by
    for asked in CANNOT_DO:
        assert asked not in note


async def test_with_the_console_on_the_appointment_stays_in_the_console(
    console_runtime: Runtime,
) -> None:
    await link_appointment(console_runtime, 4103, "BK-2208", hours=30)
    replies = await console_runtime.assistant.handle_text(ChatRef(4103), EMERGENCY_WORDS)
    [note] = staff_of(replies)
    assert "BK-2208" not in note and "/events" in note and alert_numbers(note)


@pytest.mark.parametrize(
    ("said", "kind", "title"),
    [
        (LOOK_ALIKE, CAUTION, "answered cautiously"),
        (SELF_HARM_WORDS, SELF_HARM, "self-harm words"),
    ],
)
async def test_cautious_and_self_harm_alerts_reach_the_alerts_page_and_can_be_handled(
    runtime: Runtime, said: str, kind: str, title: str
) -> None:
    await link_appointment(runtime, 4104, "BK-2209", hours=-20)
    replies = await runtime.assistant.handle_text(ChatRef(4104), said)
    [note] = [reply for reply in replies if reply.for_staff]
    assert title in (note.title or "")
    [event] = await events_of(runtime)
    assert event.kind == kind and event.kind in ALERT_KINDS
    assert alert_numbers(note.text) == [event.id] and "BK-2209" in note.text
    for asked in CANNOT_DO:
        assert asked not in note.text
    log = StaffEventLog(runtime.database)
    [shown] = await log.recent(ALERT_KINDS)
    assert shown.id == event.id and shown.handled_at is None
    assert await log.mark_handled(event.id, "desk@clinic.example")
    [shown] = await log.recent(ALERT_KINDS)
    assert shown.handled_by == "desk@clinic.example"


async def test_forget_keeps_an_unhandled_alert_as_a_bare_marker_and_audits_the_erase(
    runtime: Runtime,
) -> None:
    chat = ChatRef(4105)
    await complete_intake(runtime, chat.chat_id)
    await runtime.assistant.handle_command(chat, "contact")  # handled below
    await runtime.assistant.handle_text(chat, SELF_HARM_WORDS)  # nobody handled it yet
    contact, self_harm = await events_of(runtime)
    await StaffEventLog(runtime.database).mark_handled(contact.id, "desk@clinic.example")
    await runtime.assistant.handle_command(chat, "forget")
    replies = await runtime.assistant.handle_text(chat, "yes")
    assert replies and "deleted" in replies[0].text.lower()

    [marker] = await events_of(runtime)  # the handled one is gone
    assert marker.id == self_harm.id and marker.kind == SELF_HARM
    assert marker.chat_id is None and marker.rule is None and marker.intake_id is None
    assert marker.erased_at is not None and marker.at == self_harm.at
    [shown] = await StaffEventLog(runtime.database).recent(ALERT_KINDS)
    assert shown.erased and shown.handled_at is None
    assert await StaffEventLog(runtime.database).describe(chat.chat_id) == []
    async with runtime.database.sessions() as session:
        audit = list(await session.scalars(select(AuditEntry)))
    erased = sorted(entry.target or "" for entry in audit if entry.action.startswith("erased"))
    assert erased == ["event:" + str(self_harm.id), "intake:1"]
    assert all("patient" in entry.email for entry in audit)


async def test_staff_write_to_the_patient_from_the_alerts_page(
    console_runtime: Runtime,
    services: ConsoleServices,
    client_as: ClientFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await link_appointment(console_runtime, 4106, "BK-2210", hours=4)
    await console_runtime.assistant.handle_text(ChatRef(4106), EMERGENCY_WORDS)
    [event] = await events_of(console_runtime)
    sent: list[tuple[int, Reply]] = []

    async def send(chat_id: int, reply: Reply) -> object:
        sent.append((chat_id, reply))
        return None

    services.messenger.send = send
    words = "Hello from Maplebrook, did you reach the emergency department? <b>Call us</b>"
    async with client_as(Role.FRONT_DESK) as desk:
        page = await desk.get("/events")
        assert "BK-2210" in page.text and f"Message for alert #{event.id}" in page.text
        token = csrf_of(page.text)
        refused = await desk.post(f"/events/{event.id}/reply", data={"message": words})
        assert refused.status_code == 403 and sent == []
        with caplog.at_level(logging.DEBUG):
            done = await desk.post(
                f"/events/{event.id}/reply", data={"message": words, "csrf_token": token}
            )
        assert done.status_code == 200, done.text
        assert f"Sent to the patient of alert #{event.id}" in done.text
        empty = await desk.post(
            f"/events/{event.id}/reply", data={"message": "  ", "csrf_token": token}
        )
        assert empty.status_code == 400
        missing = await desk.post("/events/999/reply", data={"message": "x", "csrf_token": token})
        assert missing.status_code == 404
    message, notice = sent
    assert message == (4106, Reply(words, title=FROM_CLINIC["en"]))
    assert "goes to the clinic team" in notice[1].text  # told once how the handoff works
    assert "Maplebrook, did you" not in caplog.text  # what staff typed is never logged
    actions = [(r.action, r.target) for r in await services.audit.recent(50)]
    assert ("reply_to_patient", f"event:{event.id}") in actions
    async with console_runtime.database.sessions() as session:
        assert await session.scalar(select(StaffEvent.rule)) == event.rule  # no text stored


async def typed_emergency_in_intake(runtime: Runtime) -> list[str]:
    """The staff notes of a patient's emergency typed as an intake answer."""
    patient = Patient(runtime.assistant, chat=ChatRef(4107, first_name="Sam"))
    await patient.command("intake")
    for text in typed_until("emergency_screen"):
        await patient.say(text)
    replies = await patient.say(TYPED_EMERGENCY)
    assert "911" in patient.text
    return staff_of(replies)


async def test_an_emergency_typed_as_an_intake_answer_sends_one_staff_note(
    runtime: Runtime,
) -> None:
    """One event, one note: the safety alert's note says the intake was stopped (it was two
    notes, the alert's and the intake's, for one message)."""
    [note] = await typed_emergency_in_intake(runtime)
    [event] = await events_of(runtime)
    assert alert_numbers(note) == [event.id] and "reply to this message" in note
    assert "intake #1" in note and "intake was stopped" in note


async def test_with_the_console_on_too_an_emergency_in_an_intake_sends_one_note(
    console_runtime: Runtime,
) -> None:
    [note] = await typed_emergency_in_intake(console_runtime)
    [event] = await events_of(console_runtime)
    assert alert_numbers(note) == [event.id]
    assert "intake was stopped" in note and "/intakes/1" in note


def recording_send(sent: list[tuple[int, Reply]]) -> PatientSend:
    async def send(chat_id: int, reply: Reply) -> object:
        sent.append((chat_id, reply))
        return None

    return send


ANNA = "Hi, this is Anna from the clinic, can you tell me what happened?"
PATIENT_ANSWER = "I am at home <b>now</b>, feeling better"


async def test_the_alerts_page_shows_the_conversation_under_the_alert_and_staff_end_it(
    console_runtime: Runtime, services: ConsoleServices, client_as: ClientFactory
) -> None:
    chat = ChatRef(4108)
    await console_runtime.assistant.handle_text(chat, EMERGENCY_WORDS)
    [event] = await events_of(console_runtime)
    sent: list[tuple[int, Reply]] = []
    services.messenger.send = recording_send(sent)
    async with client_as(Role.FRONT_DESK) as desk:
        token = csrf_of((await desk.get("/events")).text)
        done = await desk.post(
            f"/events/{event.id}/reply", data={"message": ANNA, "csrf_token": token}
        )
        assert done.status_code == 200

    replies = await console_runtime.assistant.handle_text(chat, PATIENT_ANSWER)
    assert replies[0].text == "Passed on to the clinic team."
    [note] = staff_of(replies)
    assert "feeling better" not in note  # with the console on, the words stay in it
    assert f"/events#alert-{event.id}" in note and alert_numbers(note) == [event.id]

    async with client_as(None) as anonymous:
        assert (await anonymous.get("/events")).status_code == 303  # sign in first
    async with client_as(Role.FRONT_DESK) as desk:
        page = await desk.get("/events")
        thread = page.text[page.text.index(f'id="thread-{event.id}"') :]
        assert ANNA in thread and "I am at home &lt;b&gt;now&lt;/b&gt;" in thread
        assert "End the conversation" in thread
        views = [(a.action, a.target) for a in await services.audit.recent(50)]
        assert ("view_handoff", f"event:{event.id}") in views
        refused = await desk.post(f"/events/{event.id}/close", data={})
        assert refused.status_code == 403
        closed = await desk.post(
            f"/events/{event.id}/close", data={"csrf_token": csrf_of(page.text)}
        )
        assert closed.status_code == 200 and "is closed" in closed.text
        assert "End the conversation" not in closed.text
    assert "ended this conversation" in sent[-1][1].text  # the patient is told
    after = await console_runtime.assistant.handle_text(chat, "does ims hurt")
    assert staff_of(after) == [] and after[0].title == "Does IMS hurt?"


async def test_a_patient_filling_in_the_intake_finishes_it_during_a_handoff(
    console_runtime: Runtime, services: ConsoleServices
) -> None:
    patient = Patient(console_runtime.assistant, chat=ChatRef(4111, first_name="Lee"))
    await patient.command("contact")
    [event] = await events_of(console_runtime)
    answers = typed_until("duration")
    await patient.command("intake")
    for text in answers[:3]:
        await patient.say(text)
    sent: list[tuple[int, Reply]] = []
    services.messenger.send = recording_send(sent)
    assert await services.messenger.write(event.id, ANNA, "anna@clinic.example") is Outcome.SENT
    _, (_, notice) = sent
    # The rule is told with the notice: the open form keeps the answers until it is done.
    assert "intake form is still open" in notice.text and "type stop" in notice.text
    for text in answers[3:]:
        replies = await patient.say(text)
        assert "Passed on" not in patient.text and staff_of(replies) == []
    assert "How long" in patient.text  # the form moved on to its next question
    # Stopped for now: what they write goes to the team again.
    await patient.say("stop")
    await patient.say("yes")
    assert "stopped the form for now" in patient.text
    replies = await patient.say("thanks, talk soon")
    assert patient.text == "Passed on to the clinic team."
    [note] = staff_of(replies)
    assert alert_numbers(note) == [event.id]
    [messages] = (await services.thread.of_events([event.id])).values()
    assert [m.text for m in messages if m.sender == "patient"] == ["thanks, talk soon"]


async def test_mydata_counts_the_conversation_and_forget_erases_it_keeping_the_marker(
    console_runtime: Runtime, services: ConsoleServices
) -> None:
    chat = ChatRef(4109)
    await console_runtime.assistant.handle_text(chat, SELF_HARM_WORDS)  # nobody handled it
    [event] = await events_of(console_runtime)
    services.messenger.send = recording_send([])
    assert await services.messenger.write(event.id, ANNA, "desk@clinic.example") is Outcome.SENT
    await console_runtime.assistant.handle_text(chat, PATIENT_ANSWER)
    mydata = await console_runtime.assistant.handle_command(chat, "mydata")
    assert "Conversations with the clinic team: 2 messages stored (encrypted)" in mydata[0].text
    assert "Conversation with the clinic team" not in mydata[0].text  # the title once

    await console_runtime.assistant.handle_command(chat, "forget")
    await console_runtime.assistant.handle_text(chat, "yes")
    assert await services.thread.of_events([event.id]) == {}
    assert await services.thread.active(chat.chat_id) is None
    [marker] = await events_of(console_runtime)
    assert marker.id == event.id and marker.chat_id is None  # the unhandled alert's marker
    after = await console_runtime.assistant.handle_text(chat, "does ims hurt")
    assert staff_of(after) == []  # no handoff any more: the FAQ answers


async def test_mydata_counts_alerts_of_one_kind_and_day_on_one_line(runtime: Runtime) -> None:
    chat = ChatRef(4110)
    for _ in range(3):
        await runtime.assistant.handle_text(chat, SELF_HARM_WORDS)
    lines = (await runtime.personal_data.describe(chat.chat_id))["Staff notices"]
    assert len(lines) == 1 and lines[0].endswith("(3 times)")
