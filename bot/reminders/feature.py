"""The appointments feature in the conversation: links, buttons, check-in, staff commands."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.clinic_content import ClinicContent
from bot.config import Settings
from bot.content.clinic import Clinic
from bot.core.assistant import ChatRef, CommandSpec
from bot.core.features import FeatureHost, PeriodicJob
from bot.core.outbound import Outbound
from bot.core.replies import Button, Reply
from bot.core.staff_notes import StaffNotes
from bot.reminders import messages as msg
from bot.reminders.model import (
    Appointment,
    AppointmentInput,
    AppointmentStatus,
    Reminder,
    ReminderStatus,
)
from bot.reminders.outbox import OutboxPolicy, ReminderOutbox
from bot.reminders.planning import DEMO_KIND
from bot.reminders.repository import LINK_PREFIX, AppointmentRepository, LinkOutcome
from bot.reminders.sender import Clock, ReminderSender, SweepReport, utc_now
from bot.reminders.settings import ReminderSettings
from bot.reminders.types import AppointmentTypes
from bot.safety.emergency import EmergencyContent
from bot.safety.stage import SafetyReplies
from bot.storage.database import Database

logger = logging.getLogger(__name__)

UPCOMING_DAYS = 7
DEMO_LEAD = timedelta(minutes=10)  # the demo appointment starts this far ahead
DEMO_REMINDER_DELAY = timedelta(seconds=5)
DEMO_TYPE = "ims_treatment"
CHEST_PAIN_RULE = "chest_pain"
# What a link that links nothing says, by why (a key of the conversation's sentences).
LINK_REPLIES = {
    LinkOutcome.USED: "link_used",
    LinkOutcome.EXPIRED: "link_expired",
    LinkOutcome.UNKNOWN: "link_unknown",
    LinkOutcome.CANCELLED: "link_cancelled",
}


@dataclass
class Reminders:
    """The parts of the feature, shared by the conversation, the sweep and the CLI."""

    settings: ReminderSettings
    types: AppointmentTypes
    clinic: Clinic
    app_settings: Settings
    repository: AppointmentRepository
    outbox: ReminderOutbox
    sender: ReminderSender
    clock: Clock

    @property
    def tz(self) -> ZoneInfo:
        """The clinic's time zone."""
        return self.app_settings.clinic_timezone

    async def reminders_due_before(self, until: datetime) -> list[tuple[Reminder, Appointment]]:
        """Reminders still to go before `until`, with their appointments (for previews):
        read as of now, so what can no longer go is not listed, and nothing is written."""
        rows = await self.outbox.rows(
            (ReminderStatus.PENDING,), as_of=self.clock(), due_before=until, limit=10_000
        )
        found = []
        for reminder, _ in rows:
            appointment = await self.repository.get(reminder.appointment_id)
            if appointment is not None:
                found.append((reminder, appointment))
        return found


def build_reminders(
    settings: Settings,
    content: ClinicContent,
    database: Database,
    *,
    clock: Clock = utc_now,
) -> Reminders:
    """Assemble repository, outbox and sender from settings and content."""
    config = settings.reminders
    types = content.appointment_types
    tz = settings.clinic_timezone
    repository = AppointmentRepository(database, types, tz)
    outbox = ReminderOutbox(database, OutboxPolicy(config.grace, config.stale_claim))
    sender = ReminderSender(
        outbox,
        repository,
        types,
        content.clinic,
        tz,
        clock=clock,
        retry_initial=timedelta(seconds=settings.delivery.retry_initial_s),
        retry_max=timedelta(seconds=settings.delivery.retry_max_s),
    )
    return Reminders(config, types, content.clinic, settings, repository, outbox, sender, clock)


class AppointmentConversation:
    """Answers appointment links, buttons and staff commands."""

    def __init__(
        self,
        reminders: Reminders,
        emergency: EmergencyContent,
        staff_notes: StaffNotes | None = None,
    ) -> None:
        self._r = reminders
        self._tz = reminders.tz
        self._emergency = emergency
        self._notes = staff_notes or StaffNotes()

    # --- links -------------------------------------------------------------------

    async def on_deep_link(self, chat: ChatRef, payload: str) -> list[Reply] | None:
        """`/start ap-...`: link this chat to the appointment; None for other payloads."""
        if not payload.startswith(LINK_PREFIX):
            return None
        result = await self._r.repository.redeem_link(
            payload, chat.chat_id, self._r.clock(), language=chat.reply_language
        )
        if result.appointment is None:
            key = LINK_REPLIES.get(result.outcome, LINK_REPLIES[LinkOutcome.UNKNOWN])
            return [Reply(msg.said(key, chat.reply_language))]
        appointment = result.appointment
        kind = self._r.types.get(appointment.type_id)
        to_come = await self._r.repository.has_reminders_to_come(appointment.id)
        return [
            msg.greeting(
                appointment,
                kind,
                self._r.clinic,
                self._tz,
                chat.first_name,
                reminders_to_come=to_come,
                passed=msg.has_passed(appointment, self._r.clock()),
            )
        ]

    # --- buttons -----------------------------------------------------------------

    async def on_action(self, chat: ChatRef, rest: str) -> list[Reply]:
        """A tapped appointment button: `<verb>:<appointment id>[:<value>]`."""
        verb, _, tail = rest.partition(":")
        id_text, _, value = tail.partition(":")
        appointment = await self._own_appointment(chat, id_text)
        if appointment is None:
            return [Reply(msg.said("not_yours", chat.reply_language))]
        handlers = {
            msg.CONFIRM: self._confirm,
            msg.RESCHEDULE: self._reschedule,
            msg.CANCEL: self._cancel,
            msg.CANCEL_SURE: self._cancel_sure,
            msg.KEEP: self._keep,
        }
        if verb in handlers:
            if msg.has_passed(appointment, self._r.clock()):
                # A button of an old reminder: confirming or cancelling a past visit would
                # mislead the front desk (and a late-cancellation warning would be wrong).
                return [self._passed_reply(appointment)]
            stamped = msg.stamped_start(value)
            moved = value != msg.time_stamp(appointment) and not appointment.is_cancelled
            if stamped is not None and moved:
                # A button sent for the time before staff moved the visit: its answer was
                # about that time, so it changes nothing; the new time is asked afresh.
                return [self._moved_reply(appointment, stamped)]
            return await handlers[verb](appointment)
        if verb == msg.SORENESS:
            return await self._soreness(appointment, value)
        if verb == msg.SAFETY:
            return await self._safety(chat, appointment, value)
        return [Reply(msg.said("not_yours", chat.reply_language))]

    def _passed_reply(self, appointment: Appointment) -> Reply:
        clinic = self._r.clinic
        return Reply(
            msg.said(
                "has_passed",
                appointment.language,
                when=msg.when_text(appointment.starts_at, self._tz, appointment.language),
                phone=clinic.phone,
                booking_url=clinic.booking_url,
            )
        )

    def _moved_reply(self, appointment: Appointment, stamped: datetime) -> Reply:
        language = appointment.language
        old = msg.when_text(stamped, self._tz, language)
        when = msg.when_text(appointment.starts_at, self._tz, language)
        return Reply(
            msg.said("moved", language, old=old, when=when),
            buttons=msg.answer_buttons(appointment, language),
        )

    async def _own_appointment(self, chat: ChatRef, id_text: str) -> Appointment | None:
        if not id_text.isdigit():
            return None
        appointment = await self._r.repository.get(int(id_text))
        if appointment is None or appointment.chat_id != chat.chat_id:
            return None
        return appointment

    async def _confirm(self, appointment: Appointment) -> list[Reply]:
        language = appointment.language
        if appointment.is_cancelled:
            return [Reply(msg.said("was_cancelled", language))]
        await self._r.repository.set_status(
            appointment.id, AppointmentStatus.CONFIRMED, self._r.clock()
        )
        when = msg.when_text(appointment.starts_at, self._tz, language)
        return [Reply(msg.said("confirmed", language, when=when))]

    async def _reschedule(self, appointment: Appointment) -> list[Reply]:
        language = appointment.language
        if appointment.is_cancelled:
            return [Reply(msg.said("was_cancelled", language))]
        if msg.in_late_window(appointment, self._r.clinic, self._r.clock()):
            return [
                msg.late_cancel_reply(self._r.clinic, appointment.language),
                self._staff("late reschedule request", appointment),
            ]
        # A second tap on the same button repeats the answer, not the front desk's note.
        asked_before = appointment.status is AppointmentStatus.RESCHEDULE_REQUESTED
        await self._r.repository.set_status(
            appointment.id, AppointmentStatus.RESCHEDULE_REQUESTED, self._r.clock()
        )
        clinic = self._r.clinic
        asked = Reply(
            msg.said(
                "reschedule_asked", language, phone=clinic.phone, booking_url=clinic.booking_url
            )
        )
        if asked_before:
            return [asked]
        return [asked, self._staff("The patient asked to reschedule.", appointment)]

    async def _cancel(self, appointment: Appointment) -> list[Reply]:
        language = appointment.language
        if appointment.is_cancelled:
            return [Reply(msg.said("already_cancelled", language))]
        if msg.in_late_window(appointment, self._r.clinic, self._r.clock()):
            return [
                msg.late_cancel_reply(self._r.clinic, appointment.language),
                self._staff(
                    "The patient tried to cancel inside the late-cancellation window "
                    "and was asked to phone.",
                    appointment,
                ),
            ]
        when = msg.when_text(appointment.starts_at, self._tz, language)
        return [
            Reply(
                msg.said("cancel_sure", language, when=when),
                buttons=(
                    Button(
                        msg.said("yes_cancel", language),
                        msg.answer_action(msg.CANCEL_SURE, appointment),
                    ),
                    Button(msg.said("no_keep", language), msg.answer_action(msg.KEEP, appointment)),
                ),
                replace_previous=True,
            )
        ]

    async def _cancel_sure(self, appointment: Appointment) -> list[Reply]:
        language = appointment.language
        if appointment.is_cancelled:
            return [Reply(msg.said("already_cancelled", language))]
        if msg.in_late_window(appointment, self._r.clinic, self._r.clock()):
            return await self._cancel(appointment)
        await self._r.repository.set_status(
            appointment.id, AppointmentStatus.CANCELLED, self._r.clock()
        )
        return [
            Reply(
                msg.said(
                    "cancelled",
                    language,
                    phone=self._r.clinic.phone,
                    booking_url=self._r.clinic.booking_url,
                ),
                replace_previous=True,
            ),
            self._staff("The patient cancelled this appointment.", appointment),
        ]

    async def _keep(self, appointment: Appointment) -> list[Reply]:
        language = appointment.language
        if appointment.is_cancelled:
            # A "keep it" from an older question, tapped after the cancel went through.
            return [Reply(msg.said("was_cancelled", language), replace_previous=True)]
        when = msg.when_text(appointment.starts_at, self._tz, language)
        return [Reply(msg.said("kept", language, when=when), replace_previous=True)]

    async def _soreness(self, appointment: Appointment, value: str) -> list[Reply]:
        if not value.isdigit() or int(value) not in msg.SORENESS_SCALE:
            return [msg.check_in_message(appointment)]
        score = int(value)
        # The same score tapped again (a double tap, an old message) was noted already.
        noted_before = appointment.check_in_soreness == score
        await self._r.repository.record_check_in(appointment.id, soreness=score)
        replies = [
            Reply(msg.said("soreness_noted", appointment.language, score=score)),
            msg.safety_question(appointment),
        ]
        if score >= msg.SORENESS_HIGH and not noted_before:
            replies.append(
                await self._check_in_note(
                    appointment,
                    f"soreness {score}/10 after IMS",
                    f"Next-day check-in: soreness {score}/10.",
                    emergency=False,
                )
            )
        return replies

    async def _safety(self, chat: ChatRef, appointment: Appointment, value: str) -> list[Reply]:
        if value == msg.SAFETY_OK:
            await self._r.repository.record_check_in(appointment.id, safety=msg.SAFETY_OK)
            return [
                Reply(msg.said("safety_fine", appointment.language, phone=self._r.clinic.phone))
            ]
        if value != msg.SAFETY_CHEST:
            return [msg.safety_question(appointment)]
        await self._r.repository.record_check_in(appointment.id, safety=msg.SAFETY_CHEST)
        return [
            *self._emergency_reply(appointment.language),
            await self._check_in_note(
                appointment,
                "chest pain or breathlessness after IMS",
                "URGENT: at the next-day check-in the patient reported chest pain or "
                "breathlessness after IMS. They were shown the emergency message.",
                emergency=True,
            ),
        ]

    def _emergency_reply(self, language: str | None = None) -> list[Reply]:
        return emergency_message(self._r.clinic, self._emergency, language)

    def _staff(self, text: str, appointment: Appointment) -> Reply:
        """A staff note about `appointment`."""
        return msg.staff_alert(text, appointment, self._tz)

    async def _check_in_note(
        self, appointment: Appointment, finding: str, full_text: str, *, emergency: bool
    ) -> Reply:
        """A check-in that needs staff: on the console's Alerts page, and a note saying
        what was reported and how soon to call, with the appointment's line."""
        note = await self._notes.check_in(
            appointment.chat_id or 0, finding, emergency=emergency, full_text=full_text
        )
        return msg.staff_alert(note.text, appointment, self._tz)

    # --- staff commands ----------------------------------------------------------

    async def today(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """/today: today's appointments in clinic time."""
        now = self._r.clock()
        local = now.astimezone(self._tz)
        start = local.replace(hour=0, minute=0, second=0, microsecond=0)
        return [await self._listing("Today", start, start + timedelta(days=1))]

    async def upcoming(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """/upcoming: the next seven days."""
        now = self._r.clock()
        return [
            await self._listing(
                f"Next {UPCOMING_DAYS} days", now, now + timedelta(days=UPCOMING_DAYS)
            )
        ]

    async def _listing(self, title: str, start: datetime, end: datetime) -> Reply:
        appointments = await self._r.repository.between(start, end, include_cancelled=True)
        if not appointments:
            return Reply("No appointments.", title=title)
        return Reply("\n".join(staff_row(a, self._tz) for a in appointments), title=title)

    async def demo(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """/demo_reminder: a demo appointment for this chat, with a reminder in a moment."""
        now = self._r.clock()
        ref = f"DEMO-{chat.chat_id}-{int(now.timestamp())}"
        locations = self._r.clinic.locations
        item = AppointmentInput(
            ref=ref,
            starts_at=now + DEMO_LEAD,
            type_id=DEMO_TYPE,
            location_id=locations[0].id if locations else None,
            clinician="Demo Clinician",
        )
        appointment, _ = await self._r.repository.save(item, now)
        token = await self._r.repository.create_link(appointment.id, now)
        await self._r.repository.redeem_link(token, chat.chat_id, now, chat.reply_language)
        await self._r.repository.add_reminder(appointment.id, DEMO_KIND, now + DEMO_REMINDER_DELAY)
        minutes = int(DEMO_LEAD.total_seconds() // 60)
        return [
            Reply(
                f"Demo appointment {ref} booked {minutes} minutes from now. Its reminder will "
                "appear here at the next reminder sweep (within a minute)."
            )
        ]


def staff_row(appointment: Appointment, tz: ZoneInfo) -> str:
    """One line per appointment for /today and /upcoming."""
    linked = "linked" if appointment.chat_id is not None else "not linked"
    if appointment.unreachable:
        linked = "UNREACHABLE"
    return f"{msg.staff_line(appointment, tz)} — {appointment.status.value}, {linked}"


def emergency_message(
    clinic: Clinic, emergency: EmergencyContent, language: str | None = None
) -> list[Reply]:
    """The safety stage's emergency reply for chest pain or breathlessness (in French for
    a patient who reads French)."""
    replies = SafetyReplies(emergency, clinic.phone, clinic.emergency_number)
    return replies.emergency(CHEST_PAIN_RULE, "fr" if language == "fr" else "en")


def register_reminders(
    host: FeatureHost,
    settings: Settings,
    content: ClinicContent,
    database: Database,
    *,
    clock: Clock = utc_now,
    staff_notes: StaffNotes | None = None,
) -> Reminders:
    """Add the appointments feature to the host: links, buttons, commands, jobs, data."""
    reminders = build_reminders(settings, content, database, clock=clock)
    conversation = AppointmentConversation(reminders, content.emergency, staff_notes)
    assistant = host.assistant
    assistant.add_deep_link_handler(conversation.on_deep_link)
    assistant.add_action(msg.ACTION_PREFIX, conversation.on_action)
    for name, description, handler in (
        ("today", "Today's appointments (staff)", conversation.today),
        ("upcoming", "Appointments in the next 7 days (staff)", conversation.upcoming),
        (
            "demo_reminder",
            "Book a demo appointment and send its reminder (staff)",
            conversation.demo,
        ),
    ):
        assistant.add_command(CommandSpec(name, description, handler, staff_only=True))
    host.personal_data.register(
        "appointments",
        reminders.repository.describe_chat,
        reminders.repository.erase_chat,
        titles={"fr": "Rendez-vous"},
        describe_in=reminders.repository.describe_chat,
    )

    async def reachable_again(chat_id: int) -> None:
        cleared = await reminders.repository.mark_chat_reachable(chat_id, clock())
        if cleared:
            logger.info("a patient unblocked the bot: %d appointment(s) reachable again", cleared)

    assistant.add_unblock_listener(reachable_again)
    host.jobs.append(PeriodicJob("reminders", reminders.settings.sweep_interval, _sweep(reminders)))
    host.startup.append(_reconcile(reminders))
    return reminders


def _sweep(reminders: Reminders) -> Callable[[Outbound], Awaitable[None]]:
    async def run(outbound: Outbound) -> None:
        report = await reminders.sender.sweep(outbound)
        if report != SweepReport():
            logger.info("reminder sweep: %s", report)

    return run


def _reconcile(reminders: Reminders) -> Callable[[Outbound], Awaitable[None]]:
    async def run(outbound: Outbound) -> None:
        report = await reminders.sender.reconcile(outbound)
        logger.info("reminders reconciled at start-up: %s", report)

    return run
