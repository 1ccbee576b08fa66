"""What the patient and staff read about appointments: plain text plus buttons."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content.clinic import Clinic, Location
from bot.core.replies import MAX_ACTION_BYTES, Button, Reply, staff_note
from bot.reminders.model import Appointment
from bot.reminders.planning import CHECK_IN_KIND
from bot.reminders.types import AppointmentType

ACTION_PREFIX = "appt"
CONFIRM = "c"
RESCHEDULE = "r"
CANCEL = "x"
CANCEL_SURE = "xy"
KEEP = "k"
SORENESS = "s"
SAFETY = "y"
SAFETY_OK = "ok"
SAFETY_CHEST = "chest"
SORENESS_SCALE = range(11)
SORENESS_HIGH = 8  # at or above: ask the clinic to check in with the patient


def action(verb: str, appointment_id: int, *extra: str | int) -> str:
    """Callback data for an appointment button, e.g. `appt:c:42`."""
    return ":".join([ACTION_PREFIX, verb, str(appointment_id), *map(str, extra)])


def when_text(starts_at: datetime, tz: ZoneInfo) -> str:
    """Day, date and time in the clinic's time zone, e.g. `Tuesday 10 March 2026 at 10:00`."""
    local = starts_at.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B %Y} at {local:%H:%M}"


def _place(appointment: Appointment, clinic: Clinic) -> Location | None:
    if appointment.location_id is not None:
        return clinic.location(appointment.location_id)
    return clinic.locations[0] if len(clinic.locations) == 1 else None


def details(
    appointment: Appointment, kind: AppointmentType | None, clinic: Clinic, tz: ZoneInfo
) -> list[str]:
    """The lines describing an appointment: what, when, where, with whom."""
    label = kind.label if kind is not None else "Appointment"
    lines = [f"{label}: {when_text(appointment.starts_at, tz)} ({tz.key} time)"]
    place = _place(appointment, clinic)
    if place is not None:
        lines.append(f"Where: {place.name}, {place.address}")
    if appointment.clinician:
        lines.append(f"With: {appointment.clinician}")
    return lines


def _map_button(appointment: Appointment, clinic: Clinic) -> tuple[Button, ...]:
    place = _place(appointment, clinic)
    if place is None or not place.map_url:
        return ()
    return (Button("Map", url=place.map_url),)


def answer_buttons(appointment: Appointment) -> tuple[Button, ...]:
    """Confirm / Reschedule / Cancel for an appointment."""
    return (
        Button("Confirm", action(CONFIRM, appointment.id)),
        Button("Reschedule", action(RESCHEDULE, appointment.id)),
        Button("Cancel", action(CANCEL, appointment.id)),
    )


def reminder_message(
    appointment: Appointment, kind: AppointmentType | None, clinic: Clinic, tz: ZoneInfo
) -> Reply:
    """The reminder before an appointment, with preparation notes and answer buttons."""
    lines = details(appointment, kind, clinic, tz)
    if kind is not None and kind.preparation:
        lines += ["", f"Before you come: {kind.preparation}"]
    lines += ["", "Please let us know if you can make it."]
    return Reply(
        "\n".join(lines),
        buttons=answer_buttons(appointment) + _map_button(appointment, clinic),
        title="Appointment reminder",
    )


def check_in_message(appointment: Appointment) -> Reply:
    """The morning-after question: how sore, 0 to 10."""
    return Reply(
        "How are you feeling after yesterday's IMS treatment? Some muscle soreness for a "
        "day or two is common. How sore are you right now, from 0 (not at all) to 10 "
        "(the worst you can imagine)?",
        buttons=tuple(Button(str(n), action(SORENESS, appointment.id, n)) for n in SORENESS_SCALE),
        title="Checking in",
    )


def safety_question(appointment: Appointment) -> Reply:
    """The short safety check that follows the soreness answer."""
    return Reply(
        "One more question: since your treatment, have you had chest pain, or found it "
        "hard to catch your breath?",
        buttons=(
            Button("No, neither", action(SAFETY, appointment.id, SAFETY_OK)),
            Button("Yes", action(SAFETY, appointment.id, SAFETY_CHEST)),
        ),
    )


def message_for(
    reminder_kind: str,
    appointment: Appointment,
    kind: AppointmentType | None,
    clinic: Clinic,
    tz: ZoneInfo,
) -> Reply:
    """The message an outbox row of `reminder_kind` sends."""
    if reminder_kind == CHECK_IN_KIND:
        return check_in_message(appointment)
    return reminder_message(appointment, kind, clinic, tz)


def greeting(
    appointment: Appointment,
    kind: AppointmentType | None,
    clinic: Clinic,
    tz: ZoneInfo,
    first_name: str | None,
    *,
    reminders_to_come: bool = True,
    passed: bool = False,
) -> Reply:
    """What a patient sees after opening their appointment link.

    Booked too close for any reminder, it is the confirmation itself and says so; opened
    after the visit's time, it says that instead of promising anything.
    """
    hello = f"Hello {first_name}!" if first_name else "Hello!"
    if passed:
        lines = [
            f"{hello} This link is for an appointment with {clinic.name} whose time has passed:",
            "",
            *details(appointment, kind, clinic, tz),
            "",
            f"If you need another visit, please call the clinic: {clinic.phone}.",
        ]
        return Reply("\n".join(lines))
    promise = (
        "I'll send you a reminder before your visit."
        if reminders_to_come
        else "Your visit is soon, so this message is your confirmation: please keep it."
    )
    lines = [
        f"{hello} This chat is now linked to your appointment with {clinic.name}.",
        "",
        *details(appointment, kind, clinic, tz),
        "",
        f"{promise} You can fill in the intake form now, so your clinician can read it "
        "before you arrive.",
    ]
    buttons = (Button("Fill in my intake form", action=intake_action(appointment)),)
    return Reply("\n".join(lines), buttons=buttons + _map_button(appointment, clinic))


def intake_action(appointment: Appointment) -> str:
    """Start the intake tied to this appointment (its reference reaches the clinician)."""
    action = f"intake:start:{appointment.ref}"
    fits = len(action.encode("utf-8")) <= MAX_ACTION_BYTES and ":" not in appointment.ref
    return action if fits else "intake:start"


def late_cancel_reply(clinic: Clinic) -> Reply:
    """Inside the late-cancellation window: the policy and the phone, no cancel button."""
    return Reply(
        f"{clinic.cancellation_policy}\n\nYour appointment is less than "
        f"{clinic.late_cancellation_hours} hours away, so please call us to cancel or move "
        f"it: {clinic.phone}."
    )


def in_late_window(appointment: Appointment, clinic: Clinic, now: datetime) -> bool:
    """Whether cancelling now would be late under the clinic's policy."""
    return appointment.starts_at - now < timedelta(hours=clinic.late_cancellation_hours)


def staff_line(appointment: Appointment, tz: ZoneInfo) -> str:
    """One line identifying an appointment for staff (reference and time, no patient text)."""
    local = appointment.starts_at.astimezone(tz)
    who = f", {appointment.clinician}" if appointment.clinician else ""
    return f"{appointment.ref} — {local:%a %d %b %H:%M}{who} ({appointment.type_id})"


def staff_alert(text: str, appointment: Appointment, tz: ZoneInfo) -> Reply:
    """A note for the staff chats about one appointment."""
    return staff_note(f"{text}\n{staff_line(appointment, tz)}", title="Appointments")
