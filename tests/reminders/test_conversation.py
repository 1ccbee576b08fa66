"""Links, buttons, check-in and staff commands through the real conversation core."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clinic_content import ClinicContent
from bot.core.assistant import Assistant, ChatRef
from bot.core.features import FeatureHost
from bot.core.replies import Reply
from bot.core.staff_notes import CHECK_IN, EMERGENCY, StaffNotes
from bot.reminders import messages as msg
from bot.reminders.feature import Reminders, build_reminders, register_reminders
from bot.reminders.model import AppointmentInput, AppointmentStatus, ReminderStatus
from bot.runtime import Runtime
from bot.storage.database import Database
from bot.web.events import StaffEventLog
from tests.reminders.conftest import (
    STAFF_CHAT,
    FakeClock,
    RecordingOutbound,
    make_settings,
)

TORONTO = ZoneInfo("America/Toronto")
PATIENT = ChatRef(chat_id=777, first_name="Sam")
STRANGER = ChatRef(chat_id=888)
STAFF = ChatRef(chat_id=STAFF_CHAT, is_staff=True, is_private=False)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TORONTO)


@pytest.fixture
def runtime(
    tmp_path: Path, content: ClinicContent, database: Database, clock: FakeClock
) -> Runtime:
    settings = make_settings(tmp_path)
    host = FeatureHost(Assistant())
    register_reminders(host, settings, content, database, clock=clock)
    return Runtime(settings, content, database, host)


@pytest.fixture
def feature(runtime: Runtime, clock: FakeClock) -> Reminders:
    """A second handle on the same database and clock, for arranging and checking."""
    return build_reminders(runtime.settings, runtime.content, runtime.database, clock=clock)


async def booked_link(feature: Reminders, start: datetime, ref: str = "B-1") -> tuple[int, str]:
    item = AppointmentInput(
        ref, start, "ims_treatment", location_id="riverside", clinician="Alex Doe"
    )
    appointment, _ = await feature.repository.save(item, feature.clock())
    return appointment.id, await feature.repository.create_link(appointment.id, feature.clock())


async def linked(runtime: Runtime, feature: Reminders, clock: FakeClock) -> int:
    """Book an appointment on 10 June 15:00 (from 1 June) and link PATIENT to it."""
    clock.set(local(2026, 6, 1, 12, 0))
    appointment_id, token = await booked_link(feature, local(2026, 6, 10, 15, 0))
    await runtime.assistant.handle_deep_link(PATIENT, token)
    return appointment_id


def patient_text(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies if not r.for_staff)


def staff_text(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies if r.for_staff)


async def test_opening_the_link_links_and_greets(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    clock.set(local(2026, 6, 1, 12, 0))
    appointment_id, token = await booked_link(feature, local(2026, 6, 10, 15, 0))
    assert len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()
    replies = await runtime.assistant.handle_deep_link(PATIENT, token)
    assert replies is not None
    text = patient_text(replies)
    assert "Hello Sam" in text and "Wednesday 10 June 2026 at 15:00" in text
    assert "120 Example Street" in text and "Alex Doe" in text
    appointment = await feature.repository.get(appointment_id)
    assert appointment is not None and appointment.chat_id == PATIENT.chat_id
    # The intake offered here is tied to this appointment's reference.
    intake_button = f"intake:start:{appointment.ref}"
    assert any(b.action == intake_button for b in replies[0].buttons)


async def test_a_link_opened_after_the_visit_says_its_time_has_passed(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    clock.set(local(2026, 6, 1, 12, 0))
    _, token = await booked_link(feature, local(2026, 6, 3, 15, 0))
    clock.set(local(2026, 6, 4, 9, 0))  # the patient opens it the day after
    replies = await runtime.assistant.handle_deep_link(PATIENT, token)
    assert replies is not None
    text = patient_text(replies)
    assert "whose time has passed" in text and "Wednesday 3 June 2026 at 15:00" in text
    assert "confirmation" not in text and "reminder" not in text
    assert not replies[0].buttons  # no intake for a visit that is over


async def test_used_expired_and_forged_links_change_nothing(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    clock.set(local(2026, 6, 1, 12, 0))
    appointment_id, token = await booked_link(feature, local(2026, 6, 10, 15, 0))
    await runtime.assistant.handle_deep_link(PATIENT, token)
    used = await runtime.assistant.handle_deep_link(STRANGER, token)
    assert used is not None and "already been used" in patient_text(used)
    forged = await runtime.assistant.handle_deep_link(STRANGER, "ap-" + "x" * 32)
    assert forged is not None and "don't recognise" in patient_text(forged)
    _, old_token = await booked_link(feature, local(2026, 8, 10, 15, 0), ref="B-2")
    clock.advance(days=31)
    expired = await runtime.assistant.handle_deep_link(STRANGER, old_token)
    assert expired is not None and "expired" in patient_text(expired)
    appointment = await feature.repository.get(appointment_id)
    assert appointment is not None and appointment.chat_id == PATIENT.chat_id
    assert await feature.repository.for_chat(STRANGER.chat_id) == []
    # Payloads of other features are not ours.
    assert await runtime.assistant.handle_deep_link(STRANGER, "intake") is None


async def test_a_french_phone_is_told_in_french_when_a_link_or_button_is_not_its_own(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    appointment_id = await linked(runtime, feature, clock)
    french = ChatRef(chat_id=889, language_code="fr-CA")
    [refused] = await runtime.assistant.handle_action(french, f"appt:c:{appointment_id}")
    assert refused.text.startswith("Je ne trouve pas ce rendez-vous")
    replies = await runtime.assistant.handle_deep_link(french, "ap-not-a-real-link")
    assert replies is not None and replies[0].text.startswith("Je ne reconnais pas ce lien")


async def test_confirm_changes_status(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    appointment_id = await linked(runtime, feature, clock)
    replies = await runtime.assistant.handle_action(PATIENT, f"appt:c:{appointment_id}")
    assert "confirmed" in patient_text(replies)
    appointment = await feature.repository.get(appointment_id)
    assert appointment is not None and appointment.status is AppointmentStatus.CONFIRMED


async def test_someone_elses_or_malformed_buttons_are_refused(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    appointment_id = await linked(runtime, feature, clock)
    for action in (f"appt:x:{appointment_id}", "appt:c:abc", "appt:", "appt:zz:1", "appt:c:999999"):
        replies = await runtime.assistant.handle_action(STRANGER, action)
        assert "can't find that appointment" in patient_text(replies)
    appointment = await feature.repository.get(appointment_id)
    assert appointment is not None and appointment.status is AppointmentStatus.BOOKED


async def test_cancel_outside_late_window_asks_then_cancels_and_tells_staff(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    appointment_id = await linked(runtime, feature, clock)
    ask = await runtime.assistant.handle_action(PATIENT, f"appt:x:{appointment_id}")
    assert [b.label for b in ask[0].buttons] == ["Yes, cancel it", "No, keep it"]
    done = await runtime.assistant.handle_action(PATIENT, ask[0].buttons[0].action)
    assert "cancelled" in patient_text(done) and "B-1" in staff_text(done)
    rows = await feature.repository.reminders_of(appointment_id)
    assert {r.status for r in rows} == {ReminderStatus.CANCELLED}


async def test_a_stale_keep_it_after_the_cancel_says_it_was_cancelled(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    appointment_id = await linked(runtime, feature, clock)
    first = await runtime.assistant.handle_action(PATIENT, f"appt:x:{appointment_id}")
    second = await runtime.assistant.handle_action(PATIENT, f"appt:x:{appointment_id}")
    await runtime.assistant.handle_action(PATIENT, first[0].buttons[0].action)
    keep = await runtime.assistant.handle_action(PATIENT, second[0].buttons[1].action)
    assert "was cancelled" in patient_text(keep) and "stays booked" not in patient_text(keep)
    appointment = await feature.repository.get(appointment_id)
    assert appointment is not None and appointment.status is AppointmentStatus.CANCELLED


async def test_cancel_inside_late_window_shows_policy_and_phone(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    appointment_id = await linked(runtime, feature, clock)
    clock.set(local(2026, 6, 9, 15, 1))  # 23 h 59 min before: inside the 24 h window
    replies = await runtime.assistant.handle_action(PATIENT, f"appt:x:{appointment_id}")
    text = patient_text(replies)
    assert runtime.content.clinic.phone in text and "24 hours" in text
    assert not any(b.action for r in replies for b in r.buttons)
    assert "late-cancellation" in staff_text(replies)
    # A stale "yes, cancel" button tapped now is refused the same way.
    replies = await runtime.assistant.handle_action(PATIENT, f"appt:xy:{appointment_id}")
    assert runtime.content.clinic.phone in patient_text(replies)
    appointment = await feature.repository.get(appointment_id)
    assert appointment is not None and appointment.status is AppointmentStatus.BOOKED
    clock.set(local(2026, 6, 9, 14, 59))  # just outside
    outside = await runtime.assistant.handle_action(PATIENT, f"appt:x:{appointment_id}")
    assert outside[0].buttons


@pytest.mark.parametrize("verb", ["c", "r", "x", "xy", "k"])
async def test_a_button_of_an_old_reminder_tapped_after_the_visit_changes_nothing(
    runtime: Runtime, feature: Reminders, clock: FakeClock, verb: str
) -> None:
    appointment_id = await linked(runtime, feature, clock)
    clock.set(local(2026, 6, 10, 15, 0))  # the visit's time has come
    replies = await runtime.assistant.handle_action(PATIENT, f"appt:{verb}:{appointment_id}")
    text = patient_text(replies)
    assert "has passed" in text and runtime.content.clinic.phone in text
    assert "confirmed" not in text and "24 hours" not in text
    assert staff_text(replies) == ""
    appointment = await feature.repository.get(appointment_id)
    assert appointment is not None and appointment.status is AppointmentStatus.BOOKED


async def reminder_then_moved(runtime: Runtime, feature: Reminders, clock: FakeClock) -> Reply:
    """The reminder of PATIENT's 10 June 15:00 visit, as the sender words it; then staff
    move the visit to 12 June 9:30."""
    appointment_id = await linked(runtime, feature, clock)
    appointment = await feature.repository.get(appointment_id)
    assert appointment is not None
    kind = feature.types.get(appointment.type_id)
    reminder = msg.reminder_message(appointment, kind, feature.clinic, TORONTO)
    await staff_move_the_visit(feature)
    return reminder


async def staff_move_the_visit(feature: Reminders) -> None:
    """A new booking-system export moves B-1 to 12 June 9:30."""
    moved = AppointmentInput(
        "B-1",
        local(2026, 6, 12, 9, 30),
        "ims_treatment",
        location_id="riverside",
        clinician="Alex Doe",
    )
    await feature.repository.save(moved, feature.clock())


@pytest.mark.parametrize("label", ["Confirm", "Reschedule", "Cancel"])
async def test_a_button_of_the_reminder_before_staff_moved_the_visit_changes_nothing(
    runtime: Runtime, feature: Reminders, clock: FakeClock, label: str
) -> None:
    """The patient answers the 10 June reminder after staff moved the visit to 12 June:
    the answer was about 10 June, so the new appointment's state is left as it is; the
    reply names both times and asks again for the new one."""
    reminder = await reminder_then_moved(runtime, feature, clock)
    [button] = [b for b in reminder.buttons if b.label == label]
    replies = await runtime.assistant.handle_action(PATIENT, button.action)
    text = patient_text(replies)
    assert "Wednesday 10 June 2026 at 15:00" in text and "Friday 12 June 2026 at 9:30" in text
    assert "moved" in text and staff_text(replies) == ""
    [appointment] = await feature.repository.between(
        local(2026, 6, 1, 0, 0), local(2026, 6, 30, 0, 0)
    )
    assert appointment.status is AppointmentStatus.BOOKED
    # The buttons under the reply are for the new time: they work.
    [confirm] = [b for b in replies[0].buttons if b.label == "Confirm"]
    confirmed = await runtime.assistant.handle_action(PATIENT, confirm.action)
    assert "confirmed for Friday 12 June 2026 at 9:30" in patient_text(confirmed)


async def test_a_cancel_question_asked_before_staff_moved_the_visit_cancels_nothing(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    appointment_id = await linked(runtime, feature, clock)
    ask = await runtime.assistant.handle_action(PATIENT, f"appt:x:{appointment_id}")
    await staff_move_the_visit(feature)
    replies = await runtime.assistant.handle_action(PATIENT, ask[0].buttons[0].action)
    assert "Friday 12 June 2026 at 9:30" in patient_text(replies) and not staff_text(replies)
    appointment = await feature.repository.get(appointment_id)
    assert appointment is not None and appointment.status is AppointmentStatus.BOOKED


async def test_reschedule_request_tells_staff(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    appointment_id = await linked(runtime, feature, clock)
    replies = await runtime.assistant.handle_action(PATIENT, f"appt:r:{appointment_id}")
    assert "reschedule" in staff_text(replies)
    appointment = await feature.repository.get(appointment_id)
    assert appointment is not None
    assert appointment.status is AppointmentStatus.RESCHEDULE_REQUESTED
    # A second tap (a double tap, or the old reminder's button) answers, but tells staff once.
    again = await runtime.assistant.handle_action(PATIENT, f"appt:r:{appointment_id}")
    assert "contact you" in patient_text(again) and staff_text(again) == ""


async def test_next_day_check_in_and_chest_pain_escalates(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    appointment_id = await linked(runtime, feature, clock)
    outbound = RecordingOutbound()
    clock.set(local(2026, 6, 11, 10, 0))
    await runtime.jobs[0].run(outbound)
    check_in = outbound.to(PATIENT.chat_id)[-1]
    assert [b.label for b in check_in.buttons] == [str(n) for n in range(11)]
    replies = await runtime.assistant.handle_action(PATIENT, check_in.buttons[9].action)
    assert "soreness 9" in patient_text(replies) and "9/10" in staff_text(replies)
    safety = next(r for r in replies if r.buttons)
    yes = next(b for b in safety.buttons if b.label == "Yes")
    replies = await runtime.assistant.handle_action(PATIENT, yes.action)
    assert "911" in patient_text(replies)
    assert "URGENT" in staff_text(replies)
    bad = await runtime.assistant.handle_action(PATIENT, f"appt:s:{appointment_id}:42")
    assert bad[0].buttons  # the question again, nothing stored


async def test_staff_commands_are_staff_only(
    runtime: Runtime, feature: Reminders, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    clock.set(local(2026, 6, 10, 9, 0))
    await booked_link(feature, local(2026, 6, 10, 15, 0))
    await booked_link(feature, local(2026, 6, 12, 15, 0), ref="B-2")
    today = await runtime.assistant.handle_command(STAFF, "today")
    assert "B-1" in today[0].text and "B-2" not in today[0].text
    upcoming = await runtime.assistant.handle_command(STAFF, "upcoming")
    assert "B-1" in upcoming[0].text and "B-2" in upcoming[0].text
    refused = await runtime.assistant.handle_command(PATIENT, "today")
    assert "staff only" in refused[0].text and "B-1" not in refused[0].text
    assert "refused staff command" in caplog.text


async def test_demo_reminder_appears_in_the_chat(runtime: Runtime, clock: FakeClock) -> None:
    clock.set(local(2026, 6, 10, 12, 0))
    console = ChatRef(chat_id=1, is_staff=True)
    replies = await runtime.assistant.handle_command(console, "demo_reminder")
    assert "Demo appointment" in replies[0].text
    outbound = RecordingOutbound()
    clock.advance(seconds=10)
    await runtime.jobs[0].run(outbound)
    assert [r.title for r in outbound.to(1)] == ["Appointment reminder"]


async def test_mydata_and_forget_cover_appointment_links(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    appointment_id = await linked(runtime, feature, clock)
    described = await runtime.personal_data.describe(PATIENT.chat_id)
    assert described["appointments"]
    assert await runtime.personal_data.erase(PATIENT.chat_id) >= 1
    assert (await runtime.personal_data.describe(PATIENT.chat_id))["appointments"] == []
    outbound = RecordingOutbound()
    clock.set(local(2026, 6, 8, 15, 0))
    await runtime.jobs[0].run(outbound)
    assert outbound.sent == []
    appointment = await feature.repository.get(appointment_id)
    assert appointment is not None and appointment.chat_id is None


async def test_with_the_console_on_a_check_in_note_says_what_was_reported_and_alerts_list_it(
    tmp_path: Path, content: ClinicContent, database: Database, clock: FakeClock
) -> None:
    host = FeatureHost(Assistant())
    events = StaffEventLog(database)
    notes = StaffNotes(console_url="https://console.clinic.example", record=events.record)
    register_reminders(
        host, make_settings(tmp_path), content, database, clock=clock, staff_notes=notes
    )
    runtime = Runtime(make_settings(tmp_path), content, database, host)
    feature = build_reminders(runtime.settings, content, database, clock=clock)
    await linked(runtime, feature, clock)
    outbound = RecordingOutbound()
    clock.set(local(2026, 6, 11, 10, 0))
    await runtime.jobs[0].run(outbound)
    check_in = outbound.to(PATIENT.chat_id)[-1]
    sore = await runtime.assistant.handle_action(PATIENT, check_in.buttons[9].action)
    assert "soreness 9/10" in staff_text(sore) and "call them back today" in staff_text(sore)
    tapped_again = await runtime.assistant.handle_action(PATIENT, check_in.buttons[9].action)
    assert staff_text(tapped_again) == "" and "9" in patient_text(tapped_again)
    safety = next(r for r in sore if r.buttons)
    yes = next(b for b in safety.buttons if b.label == "Yes")
    chest = await runtime.assistant.handle_action(PATIENT, yes.action)
    note = staff_text(chest)
    assert note.startswith("URGENT") and "chest pain" in note and "Call them now" in note
    # The appointments page lists from today: the alert points at the Alerts page.
    assert "https://console.clinic.example/events" in note and "/appointments" not in note
    assert "911" in patient_text(chest)  # the patient still gets the emergency reply
    listed = await events.recent((EMERGENCY, CHECK_IN))
    assert [(event.kind, event.rule, event.chat_id) for event in listed] == [
        (EMERGENCY, "chest pain or breathlessness after IMS", PATIENT.chat_id),
        (CHECK_IN, "soreness 9/10 after IMS", PATIENT.chat_id),
    ]


async def test_a_patient_whose_app_is_french_gets_links_reminders_and_policy_in_french(
    runtime: Runtime, feature: Reminders, clock: FakeClock
) -> None:
    french = ChatRef(chat_id=779, first_name="Élise", language_code="fr-CA")
    clock.set(local(2026, 6, 1, 12, 0))
    appointment_id, token = await booked_link(feature, local(2026, 6, 10, 15, 0))
    replies = await runtime.assistant.handle_deep_link(french, token)
    assert replies is not None
    text = patient_text(replies)
    assert text.startswith("Bonjour Élise! Cette conversation est maintenant liée")
    assert "Physiothérapie et IMS Maplebrook" in text  # clinic.yaml's French name
    assert "mercredi 10 juin 2026 à 15 h" in text
    assert "Lieu : Clinique d'exemple Maplebrook, Riverside" in text
    appointment = await feature.repository.get(appointment_id)
    assert appointment is not None and appointment.language == "fr"
    kind = runtime.content.appointment_types.get(appointment.type_id)
    reminder = msg.message_for("reminder", appointment, kind, runtime.content.clinic, TORONTO)
    assert reminder.title == "Rappel de rendez-vous"
    assert [b.label for b in reminder.buttons][:3] == ["Confirmer", "Changer l'heure", "Annuler"]
    assert "Wednesday" not in reminder.text and "Sample Clinic" not in reminder.text
    assert "mercredi 10 juin 2026 à 15 h" in reminder.text
    # The type, its preparation and the time zone in French too (appointment_types.yaml).
    assert reminder.text.startswith("Traitement IMS : mercredi 10 juin 2026 à 15 h")
    assert "IMS treatment" not in reminder.text and "Eat a light meal" not in reminder.text
    assert "Avant de venir : Prenez un repas léger" in reminder.text
    assert "(heure de l'Est)" in reminder.text and "America/" not in reminder.text
    confirmed = await runtime.assistant.handle_action(french, f"appt:c:{appointment_id}")
    assert patient_text(confirmed) == (
        "Merci, votre rendez-vous du mercredi 10 juin 2026 à 15 h est confirmé. À bientôt!"
    )
    check_in = msg.message_for("check_in", appointment, kind, runtime.content.clinic, TORONTO)
    assert check_in.text.startswith("Comment vous sentez-vous")
    chest = await runtime.assistant.handle_action(french, f"appt:y:{appointment_id}:chest")
    assert "911" in patient_text(chest) and "appelez" in patient_text(chest).lower()
    clock.set(local(2026, 6, 9, 15, 1))  # inside the late-cancellation window
    late = patient_text(await runtime.assistant.handle_action(french, f"appt:x:{appointment_id}"))
    assert "Votre rendez-vous est dans moins de 24 heures" in late
    assert late.startswith(runtime.content.clinic.in_french().cancellation_policy)
