"""What the front desk reads: appointments with their reminders, and patients' questions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content.clinic import Clinic
from bot.content.model import FaqContent
from bot.core.dates import clinic_time
from bot.faq.matcher import FaqMatcher
from bot.faq.text import stem, stop_stems, words
from bot.faq.unanswered import UnansweredLog, UnansweredRecord
from bot.reminders.messages import SAFETY_CHEST, SAFETY_OK, SORENESS_HIGH
from bot.reminders.model import (
    Appointment,
    AppointmentStatus,
    CancelledBy,
    Reminder,
    ReminderStatus,
)
from bot.reminders.outbox import ReminderOutbox
from bot.reminders.planning import CHECK_IN_KIND
from bot.reminders.repository import AppointmentRepository
from bot.reminders.sender import sender_silence
from bot.storage.console_tables import UnansweredReview
from bot.storage.database import Database
from bot.web.accounts import Clock, utc_now

UPCOMING_DAYS = 7
# Two questions share a group when their content words (stemmed, stop words left out)
# overlap this much (Dice coefficient): "where do I park" and "is there parking at the
# clinic" share one of their three.
GROUP_SIMILARITY = 0.6
NEAREST_ENTRIES = 3
REVIEW_STATES = ("handled", "dismissed")
REMINDER_TROUBLE = frozenset({ReminderStatus.FAILED, ReminderStatus.UNKNOWN})


@dataclass(frozen=True)
class CheckIn:
    """What the patient answered through the bot: the reminder's buttons (confirmed,
    asked to reschedule, cancelled) and the next-day check-in after a treatment."""

    reply: str | None  # "confirmed", "asked to reschedule", "cancelled"; None: no answer
    # The next-day check-in: "not planned", "planned", "sent, no answer yet", "answered",
    # or the reminder's trouble ("failed", "skipped"...).
    next_day: str
    soreness: int | None = None
    chest_pain: bool = False  # chest pain or breathlessness reported: an emergency
    fine: bool = False  # no chest pain or breathlessness

    @property
    def answered(self) -> bool:
        """Whether the next-day check-in holds answers (health information: audited)."""
        return self.soreness is not None or self.chest_pain or self.fine

    @property
    def high_soreness(self) -> bool:
        """Soreness high enough for the clinic to call the patient."""
        return self.soreness is not None and self.soreness >= SORENESS_HIGH

    @property
    def problem(self) -> bool:
        """Whether the patient reported something the clinic should act on."""
        return self.chest_pain or self.high_soreness


_REPLIES = {
    AppointmentStatus.CONFIRMED: "confirmed",
    AppointmentStatus.RESCHEDULE_REQUESTED: "asked to reschedule",
    AppointmentStatus.CANCELLED: "cancelled",
}


def check_in_of(appointment: Appointment, reminders: tuple[Reminder, ...]) -> CheckIn:
    """The patient's answers about `appointment`, as the front desk reads them."""
    planned = next((r for r in reminders if r.kind == CHECK_IN_KIND), None)
    soreness, safety = appointment.check_in_soreness, appointment.check_in_safety
    if soreness is not None or safety is not None:
        next_day = "answered"
    elif planned is None:
        next_day = "not planned"
    elif planned.status is ReminderStatus.SENT:
        next_day = "sent, no answer yet"
    elif planned.status is ReminderStatus.PENDING:
        next_day = "planned"
    else:
        next_day = planned.status.value
    # A cancellation the clinic made is not the patient's answer.
    by_clinic = appointment.cancelled_by is CancelledBy.CLINIC
    answered = appointment.chat_id is not None and not by_clinic
    return CheckIn(
        reply=_REPLIES.get(appointment.status) if answered else None,
        next_day=next_day,
        soreness=soreness,
        chest_pain=safety == SAFETY_CHEST,
        fine=safety == SAFETY_OK,
    )


@dataclass(frozen=True)
class AppointmentView:
    """One appointment with its reminders and what needs attention."""

    appointment: Appointment
    local_start: datetime
    location: str
    reminders: tuple[Reminder, ...]
    late_cancellation: bool
    unreachable: bool
    check_in: CheckIn

    @property
    def cancelled_by(self) -> str:
        """Who cancelled, as staff read it ("by the patient"); empty when not known."""
        return _CANCELLED_BY.get(self.appointment.cancelled_by, "")

    @property
    def attention(self) -> bool:
        """Whether the row is highlighted."""
        return self.late_cancellation or self.unreachable or self.check_in.problem


_CANCELLED_BY: dict[CancelledBy | None, str] = {
    CancelledBy.PATIENT: "by the patient",
    CancelledBy.CLINIC: "by the clinic",
}


@dataclass
class DayGroup:
    """One day's appointments at one location."""

    day: str
    location: str
    rows: list[AppointmentView] = field(default_factory=list)


class AppointmentBoard:
    """Today and the next days, per location, with each reminder's state."""

    def __init__(
        self,
        repository: AppointmentRepository,
        clinic: Clinic,
        tz: ZoneInfo,
        outbox: ReminderOutbox,
        sweep_interval: timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self._repository = repository
        self._sweep_interval = sweep_interval
        # Reads reminders as the sender would settle them now: the console may run without
        # the bot, and a page view writes nothing.
        self._outbox = outbox
        self._clinic = clinic
        self._tz = tz
        self._clock = clock

    async def sender_warning(self) -> str | None:
        """What staff must know when no reminder sender runs (the console alone never sends
        reminders; the bot does); None while the bot's sender sweeps."""
        last = await self._outbox.last_sweep()
        if not sender_silence(last, self._clock(), self._sweep_interval):
            return None
        since = "yet" if last is None else f"since {clinic_time(last, self._tz)}"
        return (
            f"Reminders are not going out: no reminder sender has run {since}. The bot "
            "sends them (ims-bot run); this console does not. Start the bot, or ask whoever "
            "runs it."
        )

    async def groups(self, days: int = UPCOMING_DAYS) -> list[DayGroup]:
        """Appointments from the start of yesterday (clinic time: yesterday's treatments
        get their check-in today), grouped by day and location."""
        now = self._clock()
        now_local = now.astimezone(self._tz)
        today = now_local.replace(hour=0, minute=0, second=0, microsecond=0)
        start = today - timedelta(days=1)
        found = await self._repository.between(
            start, today + timedelta(days=days + 1), include_cancelled=True
        )
        late_window = timedelta(hours=self._clinic.late_cancellation_hours)
        reminders_of = await self._outbox.reminders_of([a.id for a in found], as_of=now)
        groups: dict[tuple[str, str], DayGroup] = {}
        for appointment in found:
            reminders = tuple(reminders_of.get(appointment.id, ()))
            location = self._clinic.location(appointment.location_id or "")
            place = location.name if location else (appointment.location_id or "No location")
            local = appointment.starts_at.astimezone(self._tz)
            cancelled_at = appointment.cancelled_at if appointment.is_cancelled else None
            view = AppointmentView(
                appointment=appointment,
                local_start=local,
                location=place,
                reminders=reminders,
                # Late cancellation is the patient's (the clinic's own is not charged).
                late_cancellation=cancelled_at is not None
                and appointment.cancelled_by is not CancelledBy.CLINIC
                and appointment.starts_at - cancelled_at < late_window,
                unreachable=appointment.unreachable
                or any(r.status in REMINDER_TROUBLE for r in reminders),
                check_in=check_in_of(appointment, reminders),
            )
            day = _day_name(local, now_local)
            key = (local.date().isoformat(), place)
            groups.setdefault(key, DayGroup(day, place)).rows.append(view)
        return [groups[key] for key in sorted(groups)]


def _day_name(local: datetime, now_local: datetime) -> str:
    days = (local.date() - now_local.date()).days
    return {0: "Today", -1: "Yesterday"}.get(days, f"{local:%A %d %B}")


@dataclass(frozen=True)
class NearEntry:
    """A FAQ entry close to a group of questions."""

    faq_id: str
    question: str
    score: float


@dataclass
class QuestionGroup:
    """Unanswered questions worded alike, with the FAQ entries nearest to them."""

    questions: list[UnansweredRecord]
    nearest: list[NearEntry] = field(default_factory=list)

    @property
    def latest(self) -> datetime:
        """When the newest question of the group was asked."""
        return max(q.asked_at for q in self.questions)


def content_stems(text: str) -> frozenset[str]:
    """The stems of a question's content words."""
    stops = stop_stems()
    return frozenset(s for s in (stem(w) for w in words(text)) if s not in stops)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice coefficient of two word sets (0 when either is empty)."""
    return 2 * len(a & b) / (len(a) + len(b)) if a and b else 0.0


class QuestionBoard:
    """Unanswered questions grouped by similarity, with review state."""

    def __init__(
        self,
        database: Database,
        log: UnansweredLog,
        faq: FaqContent,
        matcher: Callable[[], FaqMatcher],
        clock: Clock = utc_now,
    ) -> None:
        self._database = database
        self._log = log
        self._faq = faq
        self._matcher = matcher
        self._clock = clock

    def _nearest(self, text: str) -> list[NearEntry]:
        found = []
        for candidate in self._matcher().rank(text, NEAREST_ENTRIES):
            entry = self._faq.get(candidate.faq_id)
            if entry is not None:
                found.append(NearEntry(entry.id, entry.question, candidate.score))
        return found[:NEAREST_ENTRIES]

    async def groups(self) -> list[QuestionGroup]:
        """Open questions (not handled or dismissed), grouped; biggest, then newest, first."""
        await self._log.purge(self._clock())
        records = [r for r in await self._log.list() if r.state is None]
        groups: list[tuple[frozenset[str], QuestionGroup]] = []
        for record in records:
            key = content_stems(record.text)
            for head, group in groups:
                if similarity(head, key) >= GROUP_SIMILARITY:
                    group.questions.append(record)
                    break
            else:
                groups.append((key, QuestionGroup([record])))
        result = [group for _, group in groups]
        for group in result:
            group.nearest = self._nearest(group.questions[0].text)
        return sorted(result, key=lambda g: (-len(g.questions), -g.latest.timestamp()))

    async def mark(self, question_ids: list[int], state: str, by: str) -> list[int]:
        """Mark questions handled or dismissed; the ids of those marked now."""
        if state not in REVIEW_STATES:
            raise ValueError(state)
        known = {r.id for r in await self._log.list()}
        marked: list[int] = []
        async with self._database.sessions.begin() as session:
            for question_id in question_ids:
                if (
                    question_id in known
                    and await session.get(UnansweredReview, question_id) is None
                ):
                    session.add(
                        UnansweredReview(
                            question_id=question_id, state=state, at=self._clock(), by=by
                        )
                    )
                    marked.append(question_id)
        return marked
