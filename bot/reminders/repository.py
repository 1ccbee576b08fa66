"""Appointments in the database: create, update by clinic reference, cancel, link to chats.

Every change to an appointment's time or status replans its reminder rows in the same
transaction, so the outbox never disagrees with the appointment.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.dates import day_and_time
from bot.reminders.model import (
    Appointment,
    AppointmentInput,
    AppointmentStatus,
    CancelledBy,
    Reminder,
    ReminderStatus,
)
from bot.reminders.planning import CHECK_IN_KIND, PlannedReminder, plan_reminders
from bot.reminders.types import AppointmentTypes
from bot.storage.database import Database
from bot.storage.reminder_tables import AppointmentRow, LinkTokenRow, ReminderRow

LINK_PREFIX = "ap-"  # tells our deep links apart from other features' payloads
TOKEN_BYTES = 24  # 32 URL-safe characters: with the prefix well under Telegram's 64
DEFAULT_LINK_LIFETIME = timedelta(days=30)
CANCELLED_REASON = "appointment cancelled"
# Rows in these states are never touched by replanning: a send is in flight.
IN_FLIGHT = frozenset({ReminderStatus.SENDING})
# At an unchanged time only these are planned again (a reopened appointment's cancelled
# reminders come back); one already sent, skipped or failed is never reset and sent twice.
REPLANNED_IN_PLACE = frozenset({ReminderStatus.PENDING.value, ReminderStatus.CANCELLED.value})
QUERY_CHUNK = 500  # SQLite limits the number of bound parameters per statement


FRENCH_STATUS = {
    "booked": "réservé",
    "confirmed": "confirmé",
    "reschedule_requested": "changement d'heure demandé",
    "cancelled": "annulé",
    "completed": "terminé",
}


def hash_token(token: str) -> str:
    """The stored form of a link token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def to_appointment(row: AppointmentRow) -> Appointment:
    """A plain value from a row."""
    return Appointment(
        id=row.id,
        ref=row.ref,
        starts_at=row.starts_at,
        duration=timedelta(minutes=row.duration_minutes),
        type_id=row.type_id,
        location_id=row.location_id,
        clinician=row.clinician,
        status=AppointmentStatus(row.status),
        chat_id=row.chat_id,
        unreachable=row.unreachable,
        language=row.language,
        check_in_soreness=row.check_in_soreness,
        check_in_safety=row.check_in_safety,
        cancelled_by=CancelledBy(row.cancelled_by) if row.cancelled_by else None,
        cancelled_at=row.cancelled_at,
    )


def to_reminder(row: ReminderRow) -> Reminder:
    """A plain value from a row."""
    return Reminder(
        id=row.id,
        appointment_id=row.appointment_id,
        kind=row.kind,
        due_at=row.due_at,
        status=ReminderStatus(row.status),
        attempts=row.attempts,
        reason=row.reason,
        sent_at=row.sent_at,
    )


class ProgressBar(Protocol):
    """Anything with tqdm's `update(n)`."""

    def update(self, n: int = 1) -> object:
        """Advance by `n` rows."""
        ...


class Change(StrEnum):
    """What saving an appointment did."""

    CREATED = "created"
    MOVED = "moved"
    UPDATED = "updated"
    CANCELLED = "cancelled"
    UNCHANGED = "unchanged"
    # Still booked in the export, cancelled by the patient in the bot: staff should
    # cancel it in their booking system too.
    KEPT_CANCELLED = "cancelled by the patient, still in the export"


class LinkOutcome(StrEnum):
    """What redeeming a link token did."""

    LINKED = "linked"
    ALREADY_YOURS = "already_yours"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class LinkResult:
    """The outcome of a link token and, when it worked, the appointment."""

    outcome: LinkOutcome
    appointment: Appointment | None = None


@dataclass
class ImportSummary:
    """Counts of what an import changed (or would change)."""

    changes: dict[Change, int] = field(default_factory=lambda: dict.fromkeys(Change, 0))

    def count(self, change: Change) -> None:
        """Record one change."""
        self.changes[change] += 1

    def __str__(self) -> str:
        return ", ".join(
            f"{n} {change.value}"
            for change, n in self.changes.items()
            if n or change is not Change.KEPT_CANCELLED
        )


class AppointmentRepository:
    """Appointments, link tokens and reminder planning on one database."""

    def __init__(self, database: Database, types: AppointmentTypes, tz: ZoneInfo) -> None:
        self._database = database
        self._types = types
        self._tz = tz

    # --- saving ------------------------------------------------------------------

    async def save(self, item: AppointmentInput, now: datetime) -> tuple[Appointment, Change]:
        """Create or update the appointment with `item.ref`; replans its reminders."""
        async with self._database.sessions.begin() as session:
            row, change = await self._save(session, item, now)
            return to_appointment(row), change

    async def save_many(
        self,
        items: Sequence[AppointmentInput],
        now: datetime,
        *,
        dry_run: bool = False,
        progress: ProgressBar | None = None,
    ) -> ImportSummary:
        """Save every item in one transaction (all or nothing); with `dry_run`, roll back."""
        summary = ImportSummary()
        async with self._database.sessions() as session:
            transaction = await session.begin()
            try:
                with session.no_autoflush:
                    await self._save_batch(session, items, now, summary, progress)
                await session.flush()
            except BaseException:
                await transaction.rollback()
                raise
            if dry_run:
                await transaction.rollback()
            else:
                await transaction.commit()
        return summary

    async def _save_batch(
        self,
        session: AsyncSession,
        items: Sequence[AppointmentInput],
        now: datetime,
        summary: ImportSummary,
        progress: ProgressBar | None,
    ) -> None:
        """Bulk path: preload existing rows, insert new ones together, then plan them."""
        existing = await _rows_by_ref(session, [item.ref for item in items])
        planned = await _reminders_by_appointment(session, [row.id for row in existing.values()])
        created: list[AppointmentInput] = []
        for item in items:
            row = existing.get(item.ref)
            if row is None:
                created.append(item)
                summary.count(Change.CANCELLED if item.cancelled else Change.CREATED)
            else:
                duration = self._duration(item)
                change = await self._update(
                    session, row, item, duration, now, planned.get(row.id, [])
                )
                summary.count(change)
            if progress is not None:
                progress.update(1)
        await session.flush()
        await self._insert_new(session, created, now)

    async def _insert_new(
        self, session: AsyncSession, items: list[AppointmentInput], now: datetime
    ) -> None:
        """Insert new appointments and their reminders as two executemany batches."""
        if not items:
            return
        values = [_column_values(self._new_row(item, now)) for item in items]
        await session.execute(insert(AppointmentRow), values)
        rows = await _rows_by_ref(session, [item.ref for item in items])
        reminders = [
            _column_values(_new_reminder(row.id, plan, now))
            for row in rows.values()
            for plan in self._plans(row, now)
        ]
        if reminders:
            await session.execute(insert(ReminderRow), reminders)

    def _plans(self, row: AppointmentRow, now: datetime) -> list[PlannedReminder]:
        """The reminders an appointment should have now (none when cancelled)."""
        appointment_type = self._types.get(row.type_id)
        if row.status == AppointmentStatus.CANCELLED.value or appointment_type is None:
            return []
        return plan_reminders(
            row.starts_at, appointment_type, self._types.quiet_hours, self._tz, now
        )

    def _duration(self, item: AppointmentInput) -> timedelta:
        appointment_type = self._types.get(item.type_id)
        if appointment_type is None:
            raise ValueError(f"unknown appointment type {item.type_id!r}")
        return item.duration or appointment_type.duration

    def _new_row(self, item: AppointmentInput, now: datetime) -> AppointmentRow:
        duration = self._duration(item)
        status = AppointmentStatus.CANCELLED if item.cancelled else AppointmentStatus.BOOKED
        return AppointmentRow(
            ref=item.ref,
            starts_at=item.starts_at,
            duration_minutes=int(duration.total_seconds() // 60),
            type_id=item.type_id,
            location_id=item.location_id,
            clinician=item.clinician,
            status=status.value,
            unreachable=False,
            cancelled_by_patient=False,
            cancelled_by=CancelledBy.CLINIC.value if item.cancelled else None,
            cancelled_at=now if item.cancelled else None,
            created_at=now,
            updated_at=now,
        )

    async def _save(
        self, session: AsyncSession, item: AppointmentInput, now: datetime
    ) -> tuple[AppointmentRow, Change]:
        row = await session.scalar(select(AppointmentRow).where(AppointmentRow.ref == item.ref))
        if row is None:
            row = self._new_row(item, now)
            session.add(row)
            await session.flush()
            await self._replan(session, row, now, moved=True, existing_rows=[])
            return row, Change.CANCELLED if item.cancelled else Change.CREATED
        return row, await self._update(session, row, item, self._duration(item), now)

    async def _update(
        self,
        session: AsyncSession,
        row: AppointmentRow,
        item: AppointmentInput,
        duration: timedelta,
        now: datetime,
        existing_rows: list[ReminderRow] | None = None,
    ) -> Change:
        cancelled = row.status == AppointmentStatus.CANCELLED.value
        if item.cancelled:
            # The export has caught up with a patient's cancellation: from now on a booked
            # row at the same time is the clinic booking it again.
            row.cancelled_by_patient = False
            if cancelled:
                return Change.UNCHANGED
            await self._cancel(session, row, now, CancelledBy.CLINIC, existing_rows)
            return Change.CANCELLED
        moved = row.starts_at != item.starts_at or row.type_id != item.type_id
        details = (
            int(duration.total_seconds() // 60),
            item.location_id,
            item.clinician,
        ) != (row.duration_minutes, row.location_id, row.clinician)
        if cancelled and row.cancelled_by_patient and not moved:
            # The booking system still lists what the patient cancelled: it has not been
            # told yet. Their cancellation stands; the summary points staff to it.
            return Change.KEPT_CANCELLED
        reopened = cancelled
        if not (moved or details or reopened):
            return Change.UNCHANGED
        row.starts_at = item.starts_at
        row.type_id = item.type_id
        row.duration_minutes = int(duration.total_seconds() // 60)
        row.location_id = item.location_id
        row.clinician = item.clinician
        row.updated_at = now
        if moved or reopened:
            _set_status(row, AppointmentStatus.BOOKED)
            row.cancelled_by_patient = False
            await self._replan(session, row, now, moved=moved, existing_rows=existing_rows)
            return Change.MOVED
        return Change.UPDATED

    async def _replan(
        self,
        session: AsyncSession,
        row: AppointmentRow,
        now: datetime,
        *,
        moved: bool,
        existing_rows: list[ReminderRow] | None = None,
    ) -> None:
        """Bring the reminder rows in line with the appointment's time, type and status."""
        if existing_rows is None:
            existing_rows = list(
                await session.scalars(
                    select(ReminderRow).where(ReminderRow.appointment_id == row.id)
                )
            )
        existing = {r.kind: r for r in existing_rows}
        plans = self._plans(row, now)
        planned_kinds = {plan.kind for plan in plans}
        for plan in plans:
            target = existing.get(plan.kind)
            if target is None:
                session.add(_new_reminder(row.id, plan, now))
            elif ReminderStatus(target.status) not in IN_FLIGHT and (
                moved or target.status in REPLANNED_IN_PLACE
            ):
                _reset(target, plan, now)
        for kind, target in existing.items():
            if kind not in planned_kinds and target.status == ReminderStatus.PENDING.value:
                target.status = ReminderStatus.CANCELLED.value
                target.reason = (
                    CANCELLED_REASON
                    if row.status == AppointmentStatus.CANCELLED.value
                    else "no longer planned"
                )
                target.updated_at = now

    async def _cancel(
        self,
        session: AsyncSession,
        row: AppointmentRow,
        now: datetime,
        by: CancelledBy,
        existing_rows: list[ReminderRow] | None = None,
    ) -> None:
        _set_status(row, AppointmentStatus.CANCELLED)
        row.cancelled_by = by.value
        row.cancelled_at = now
        row.updated_at = now
        await self._replan(session, row, now, moved=False, existing_rows=existing_rows)

    async def set_status(
        self, appointment_id: int, status: AppointmentStatus, now: datetime
    ) -> Appointment | None:
        """Change an appointment's status as the patient answered (cancelling cancels its
        pending reminders and is kept through re-imports that still list it)."""
        async with self._database.sessions.begin() as session:
            row = await session.get(AppointmentRow, appointment_id)
            if row is None:
                return None
            if status is AppointmentStatus.CANCELLED:
                row.cancelled_by_patient = True
                await self._cancel(session, row, now, CancelledBy.PATIENT)
            else:
                _set_status(row, status)
                row.updated_at = now
            return to_appointment(row)

    async def add_reminder(self, appointment_id: int, kind: str, due_at: datetime) -> None:
        """Add one extra pending reminder row (the console demo uses this)."""
        async with self._database.sessions.begin() as session:
            session.add(_new_reminder(appointment_id, PlannedReminder(kind, due_at), due_at))

    # --- reading -----------------------------------------------------------------

    async def get(self, appointment_id: int) -> Appointment | None:
        """The appointment with this id, if any."""
        async with self._database.sessions() as session:
            row = await session.get(AppointmentRow, appointment_id)
            return to_appointment(row) if row is not None else None

    async def get_by_ref(self, ref: str) -> Appointment | None:
        """The appointment with the clinic's reference `ref`, if any."""
        async with self._database.sessions() as session:
            row = await session.scalar(select(AppointmentRow).where(AppointmentRow.ref == ref))
            return to_appointment(row) if row is not None else None

    async def between(
        self, start: datetime, end: datetime, *, include_cancelled: bool = False
    ) -> list[Appointment]:
        """Appointments starting in [start, end), earliest first."""
        query = (
            select(AppointmentRow)
            .where(AppointmentRow.starts_at >= start, AppointmentRow.starts_at < end)
            .order_by(AppointmentRow.starts_at)
        )
        if not include_cancelled:
            query = query.where(AppointmentRow.status != AppointmentStatus.CANCELLED.value)
        async with self._database.sessions() as session:
            return [to_appointment(row) for row in await session.scalars(query)]

    async def has_reminders_to_come(self, appointment_id: int) -> bool:
        """Whether a reminder before the visit is still to be sent (not the check-in)."""
        async with self._database.sessions() as session:
            found = await session.scalar(
                select(ReminderRow.id)
                .where(
                    ReminderRow.appointment_id == appointment_id,
                    ReminderRow.status == ReminderStatus.PENDING.value,
                    ReminderRow.kind != CHECK_IN_KIND,
                )
                .limit(1)
            )
        return found is not None

    async def chat_owns_ref(self, chat_id: int, ref: str) -> bool:
        """Whether the appointment `ref` is linked to `chat_id` (buttons naming it)."""
        appointment = await self.get_by_ref(ref)
        return appointment is not None and appointment.chat_id == chat_id

    async def for_chat(self, chat_id: int) -> list[Appointment]:
        """Every appointment linked to `chat_id`, earliest first."""
        return (await self.for_chats((chat_id,)))[chat_id]

    async def for_chats(self, chat_ids: Collection[int]) -> dict[int, list[Appointment]]:
        """Every appointment linked to each of `chat_ids`, earliest first, in one query."""
        found: dict[int, list[Appointment]] = {chat_id: [] for chat_id in chat_ids}
        if not found:
            return found
        async with self._database.sessions() as session:
            rows = await session.scalars(
                select(AppointmentRow)
                .where(AppointmentRow.chat_id.in_(list(found)))
                .order_by(AppointmentRow.starts_at)
            )
            for row in rows:
                if row.chat_id is not None:
                    found[row.chat_id].append(to_appointment(row))
        return found

    async def reminders_of(self, appointment_id: int) -> list[Reminder]:
        """The reminder rows of one appointment, by due time."""
        async with self._database.sessions() as session:
            rows = await session.scalars(
                select(ReminderRow)
                .where(ReminderRow.appointment_id == appointment_id)
                .order_by(ReminderRow.due_at)
            )
            return [to_reminder(row) for row in rows]

    # --- check-in answers --------------------------------------------------------

    async def record_check_in(
        self, appointment_id: int, *, soreness: int | None = None, safety: str | None = None
    ) -> None:
        """Store the patient's next-day check-in answers."""
        async with self._database.sessions.begin() as session:
            row = await session.get(AppointmentRow, appointment_id)
            if row is None:
                return
            if soreness is not None:
                row.check_in_soreness = soreness
            if safety is not None:
                row.check_in_safety = safety

    # --- links -------------------------------------------------------------------

    async def create_link(
        self, appointment_id: int, now: datetime, lifetime: timedelta = DEFAULT_LINK_LIFETIME
    ) -> str:
        """A new one-time link payload for the appointment (only its hash is stored)."""
        token = LINK_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        async with self._database.sessions.begin() as session:
            session.add(
                LinkTokenRow(
                    appointment_id=appointment_id,
                    token_hash=hash_token(token),
                    expires_at=now + lifetime,
                )
            )
        return token

    async def redeem_link(
        self, token: str, chat_id: int, now: datetime, language: str | None = None
    ) -> LinkResult:
        """Link `chat_id` (whose patient reads `language`) to the token's appointment; used,
        expired or forged change nothing."""
        async with self._database.sessions.begin() as session:
            link = await session.scalar(
                select(LinkTokenRow).where(LinkTokenRow.token_hash == hash_token(token))
            )
            if link is None:
                return LinkResult(LinkOutcome.UNKNOWN)
            row = await session.get(AppointmentRow, link.appointment_id)
            if row is None:
                return LinkResult(LinkOutcome.UNKNOWN)
            if link.used_at is not None:
                if link.used_by_chat == chat_id:
                    return LinkResult(LinkOutcome.ALREADY_YOURS, to_appointment(row))
                return LinkResult(LinkOutcome.USED)
            if link.expires_at <= now:
                return LinkResult(LinkOutcome.EXPIRED)
            if row.status == AppointmentStatus.CANCELLED.value:
                return LinkResult(LinkOutcome.CANCELLED)
            # Conditional update: two taps racing on one token cannot both win.
            claimed = await session.execute(
                update(LinkTokenRow)
                .where(LinkTokenRow.id == link.id, LinkTokenRow.used_at.is_(None))
                .values(used_at=now, used_by_chat=chat_id)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return LinkResult(LinkOutcome.USED)
            row.chat_id = chat_id
            row.language = language
            row.unreachable = False
            row.updated_at = now
            return LinkResult(LinkOutcome.LINKED, to_appointment(row))

    async def mark_chat_unreachable(self, chat_id: int, now: datetime) -> int:
        """Flag every appointment of a chat that blocked the bot; how many were flagged."""
        async with self._database.sessions.begin() as session:
            result = await session.execute(
                update(AppointmentRow)
                .where(AppointmentRow.chat_id == chat_id)
                .values(unreachable=True, updated_at=now)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    async def mark_chat_reachable(self, chat_id: int, now: datetime) -> int:
        """Clear the flag on every appointment of a chat that unblocked the bot (its
        reminders still to come go again); how many were cleared."""
        async with self._database.sessions.begin() as session:
            result = await session.execute(
                update(AppointmentRow)
                .where(AppointmentRow.chat_id == chat_id, AppointmentRow.unreachable.is_(True))
                .values(unreachable=False, updated_at=now)
            )
            return int(result.rowcount)  # type: ignore[attr-defined]

    # --- personal data -----------------------------------------------------------

    async def describe_chat(self, chat_id: int, language: str = "en") -> list[str]:
        """/mydata lines: the appointments linked to this chat, in `language`."""
        lines = []
        for appointment in await self.for_chat(chat_id):
            when = day_and_time(appointment.starts_at, self._tz, language)
            status = appointment.status.value
            if language == "fr":
                status = FRENCH_STATUS.get(status, status)
                lines.append(
                    f"rendez-vous du {when} ({status}), lié à cette conversation pour les rappels"
                )
            else:
                lines.append(f"Appointment on {when} ({status}) linked to this chat for reminders")
        return lines

    async def erase_chat(self, chat_id: int) -> int:
        """/forget: unlink the chat from its appointments and drop its pending reminders."""
        async with self._database.sessions.begin() as session:
            ids = list(
                await session.scalars(
                    select(AppointmentRow.id).where(AppointmentRow.chat_id == chat_id)
                )
            )
            if not ids:
                return 0
            await session.execute(
                update(ReminderRow)
                .where(
                    ReminderRow.appointment_id.in_(ids),
                    ReminderRow.status == ReminderStatus.PENDING.value,
                )
                .values(status=ReminderStatus.SKIPPED.value, reason="patient asked to be forgotten")
            )
            await session.execute(
                update(AppointmentRow)
                .where(AppointmentRow.id.in_(ids))
                .values(chat_id=None, language=None, check_in_soreness=None, check_in_safety=None)
            )
            await session.execute(delete(LinkTokenRow).where(LinkTokenRow.used_by_chat == chat_id))
            return len(ids)


async def _rows_by_ref(session: AsyncSession, refs: list[str]) -> dict[str, AppointmentRow]:
    found: dict[str, AppointmentRow] = {}
    for start in range(0, len(refs), QUERY_CHUNK):
        chunk = refs[start : start + QUERY_CHUNK]
        rows = await session.scalars(select(AppointmentRow).where(AppointmentRow.ref.in_(chunk)))
        found.update((row.ref, row) for row in rows)
    return found


async def _reminders_by_appointment(
    session: AsyncSession, ids: list[int]
) -> dict[int, list[ReminderRow]]:
    found: dict[int, list[ReminderRow]] = {}
    for start in range(0, len(ids), QUERY_CHUNK):
        chunk = ids[start : start + QUERY_CHUNK]
        rows = await session.scalars(
            select(ReminderRow).where(ReminderRow.appointment_id.in_(chunk))
        )
        for row in rows:
            found.setdefault(row.appointment_id, []).append(row)
    return found


def _set_status(row: AppointmentRow, status: AppointmentStatus) -> None:
    """A new status; leaving "cancelled" forgets who cancelled and when."""
    row.status = status.value
    if status is not AppointmentStatus.CANCELLED:
        row.cancelled_by = None
        row.cancelled_at = None


def _column_values(row: AppointmentRow | ReminderRow) -> dict[str, object]:
    """The column values set on an unsaved row, for a bulk INSERT."""
    # Every column but the id, so all rows of a batch share one set of keys.
    return {
        column.key: getattr(row, column.key)
        for column in row.__table__.columns
        if not column.primary_key
    }


def _new_reminder(appointment_id: int, plan: PlannedReminder, now: datetime) -> ReminderRow:
    return ReminderRow(
        appointment_id=appointment_id,
        kind=plan.kind,
        due_at=plan.due_at,
        status=(ReminderStatus.SKIPPED if plan.skip_reason else ReminderStatus.PENDING).value,
        attempts=0,
        reason=plan.skip_reason,
        updated_at=now,
    )


def _reset(row: ReminderRow, plan: PlannedReminder, now: datetime) -> None:
    row.due_at = plan.due_at
    row.status = (ReminderStatus.SKIPPED if plan.skip_reason else ReminderStatus.PENDING).value
    row.reason = plan.skip_reason
    row.attempts = 0
    row.retry_at = None
    row.claim_token = None
    row.claimed_at = None
    row.sent_at = None
    row.message_id = None
    row.updated_at = now
