"""The reminder outbox: claim a due row atomically, then mark what happened to it.

A row moves pending -> sending (claimed with a random token by one process) -> sent,
unknown, failed or back to pending (flood control, the channel down: retried later until
the appointment starts or the grace runs out). The claim is a conditional UPDATE
on `status = 'pending'`, so two processes sharing the database never both send a row.
A row left in `sending` (the process died mid-send, or a send hung) becomes `unknown`
after STALE_CLAIM and is shown to staff; it is never sent again automatically.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, not_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import DEFAULT_GRACE, DEFAULT_STALE_CLAIM
from bot.reminders.model import AppointmentStatus, ClaimedReminder, Reminder, ReminderStatus
from bot.reminders.planning import CHECK_IN_KIND, DEMO_KIND
from bot.reminders.repository import to_appointment, to_reminder
from bot.storage.database import Database
from bot.storage.reminder_tables import AppointmentRow, ReminderRow, ReminderSweepRow

UNKNOWN_REASON = "sending was interrupted; delivery not confirmed (check with the patient)"
PASSED_REASON = "appointment passed before it was sent"
AFTER_START_KINDS = (CHECK_IN_KIND,)  # kinds that are due after the appointment starts


@dataclass(frozen=True)
class SweepCounts:
    """What one housekeeping pass changed."""

    unknown: int = 0
    skipped: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class OutboxPolicy:
    """How late a reminder may still go, and when a claim counts as abandoned."""

    grace: timedelta = DEFAULT_GRACE
    stale_claim: timedelta = DEFAULT_STALE_CLAIM


SWEEP_ROW_ID = 1  # reminder_sweeps holds one row, made by its migration


class ReminderOutbox:
    """Claims and marks reminder rows on one database."""

    def __init__(self, database: Database, policy: OutboxPolicy | None = None) -> None:
        self._database = database
        self.policy = policy or OutboxPolicy()

    # --- is a sender running --------------------------------------------------------

    async def record_sweep(self, now: datetime) -> None:
        """Note that a sender reaching every patient is sweeping (its heartbeat)."""
        async with self._database.sessions.begin() as session:
            await session.execute(
                update(ReminderSweepRow)
                .where(ReminderSweepRow.id == SWEEP_ROW_ID)
                .values(swept_at=now)
            )

    async def last_sweep(self) -> datetime | None:
        """When such a sender last swept (None: never, on this database)."""
        async with self._database.sessions() as session:
            row = await session.get(ReminderSweepRow, SWEEP_ROW_ID)
            return row.swept_at if row is not None else None

    # --- housekeeping ------------------------------------------------------------

    async def housekeep(self, now: datetime) -> SweepCounts:
        """Abandoned claims -> unknown; due rows that must not go -> skipped or cancelled.

        Only the sender runs this: whatever only shows reminders (the console, the CLI)
        reads them `as_of` now instead, so a row whose appointment has passed reads
        "skipped" with its reason even while no sender runs, and a read writes nothing."""
        async with self._database.sessions.begin() as session:
            unknown = await self._expire_claims(session, now)
            counts = Counter[ReminderStatus]()
            for condition, status, reason in self._settle_rules(now):
                counts[status] += await _settle_pending(session, now, condition, status, reason)
        return SweepCounts(
            unknown=unknown,
            skipped=counts[ReminderStatus.SKIPPED],
            cancelled=counts[ReminderStatus.CANCELLED],
        )

    def _settle_rules(self, now: datetime) -> list[tuple[Any, ReminderStatus, str]]:
        """(appointment condition, status, reason) of the due rows that must not go, in the
        order a row is told why; `_claim` never takes a row one of them matches."""
        cancelled = (
            AppointmentRow.status == AppointmentStatus.CANCELLED.value,
            ReminderStatus.CANCELLED,
            "appointment cancelled",
        )
        skipped = [(rule, ReminderStatus.SKIPPED, reason) for rule, reason in self._skip_rules(now)]
        return [cancelled, *skipped]

    def _skip_rules(self, now: datetime) -> list[tuple[Any, str]]:
        grace_minutes = int(self.policy.grace.total_seconds() // 60)
        return [
            # An unlinked patient may still open their link: wait until it is too late.
            (
                and_(
                    AppointmentRow.chat_id.is_(None),
                    or_(
                        AppointmentRow.starts_at <= now,
                        ReminderRow.due_at < now - self.policy.grace,
                    ),
                ),
                "patient had not linked a chat in time",
            ),
            (AppointmentRow.unreachable.is_(True), "patient blocked the bot"),
            (
                and_(
                    ReminderRow.kind.not_in(AFTER_START_KINDS),
                    ReminderRow.kind != DEMO_KIND,
                    AppointmentRow.starts_at <= now,
                ),
                PASSED_REASON,
            ),
            (
                ReminderRow.due_at < now - self.policy.grace,
                f"missed by more than the {grace_minutes}-minute grace (bot was offline)",
            ),
        ]

    def _abandoned(self, now: datetime) -> ColumnElement[bool]:
        return and_(
            ReminderRow.status == ReminderStatus.SENDING.value,
            ReminderRow.claimed_at < now - self.policy.stale_claim,
        )

    async def _expire_claims(self, session: AsyncSession, now: datetime) -> int:
        result = await session.execute(
            update(ReminderRow)
            .where(self._abandoned(now))
            .values(status=ReminderStatus.UNKNOWN.value, reason=UNKNOWN_REASON, updated_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def _as_settled(self, now: datetime) -> tuple[ColumnElement[str], ColumnElement[str | None]]:
        """A row's status and reason as `housekeep(now)` would leave them, as expressions
        over a reminder row joined to its appointment: the same rules, nothing written."""
        due = and_(ReminderRow.status == ReminderStatus.PENDING.value, ReminderRow.due_at <= now)
        settled = [
            (self._abandoned(now), ReminderStatus.UNKNOWN, UNKNOWN_REASON),
            *(
                (and_(due, rule), status, reason)
                for rule, status, reason in self._settle_rules(now)
            ),
        ]
        status = case(
            *((rule, literal(status.value)) for rule, status, _ in settled),
            else_=ReminderRow.status,
        )
        reason = case(
            *((rule, literal(reason)) for rule, _, reason in settled), else_=ReminderRow.reason
        )
        return status, reason

    # --- claiming and marking ----------------------------------------------------

    async def claim_next(
        self, now: datetime, *, demo_only: bool = False, only_chat: int | None = None
    ) -> ClaimedReminder | None:
        """Claim the earliest due row for this process (for `only_chat` when given), or
        None when nothing is due."""
        async with self._database.sessions.begin() as session:
            return await self._claim(session, now, demo_only, only_chat)

    async def mark_sent_and_claim_next(
        self,
        claim: ClaimedReminder,
        message_id: int | None,
        now: datetime,
        *,
        demo_only: bool = False,
        only_chat: int | None = None,
    ) -> ClaimedReminder | None:
        """`mark_sent` and `claim_next` in one transaction (one commit per message)."""
        async with self._database.sessions.begin() as session:
            await _mark_in(session, claim, now, SENT_FROM, **_sent_values(message_id, now))
            return await self._claim(session, now, demo_only, only_chat)

    async def _claim(
        self, session: AsyncSession, now: datetime, demo_only: bool, only_chat: int | None
    ) -> ClaimedReminder | None:
        """The earliest due row no settle rule stops (housekeeping may not have run since
        its appointment passed), claimed in `session`."""
        may_go = not_(or_(*(condition for condition, _, _ in self._settle_rules(now))))
        if only_chat is not None:
            may_go = and_(may_go, AppointmentRow.chat_id == only_chat)
        return await _claim(session, now, demo_only, may_go)

    async def mark_sent(
        self, claim: ClaimedReminder, message_id: int | None, now: datetime
    ) -> None:
        """Record a delivery (also over an `unknown` set while the send was slow)."""
        await self._mark(claim, now, SENT_FROM, **_sent_values(message_id, now))

    async def mark_unknown(self, claim: ClaimedReminder, reason: str, now: datetime) -> None:
        """Record that delivery may or may not have happened."""
        await self._mark(
            claim,
            now,
            (ReminderStatus.SENDING,),
            status=ReminderStatus.UNKNOWN.value,
            reason=reason,
        )

    async def mark_failed(self, claim: ClaimedReminder, reason: str, now: datetime) -> None:
        """Record a permanent failure."""
        await self._mark(
            claim, now, (ReminderStatus.SENDING,), status=ReminderStatus.FAILED.value, reason=reason
        )

    async def retry_later(
        self, claim: ClaimedReminder, retry_at: datetime, now: datetime, reason: str
    ) -> None:
        """Give the row back (nothing was delivered): pending again, not before `retry_at`.

        No attempt limit: housekeeping settles it as skipped once the appointment has
        started or the grace has run out, so a long outage never sends it too late.
        """
        await self._mark(
            claim,
            now,
            (ReminderStatus.SENDING,),
            status=ReminderStatus.PENDING.value,
            retry_at=retry_at,
            claim_token=None,
            reason=reason,
        )

    async def unnoticed_problems(
        self, limit: int = 50, *, only_chat: int | None = None
    ) -> list[tuple[Reminder, str]]:
        """Unknown and failed rows staff have not been told about, with their references
        (only `only_chat`'s when given)."""
        query = (
            select(ReminderRow, AppointmentRow.ref)
            .join(AppointmentRow, AppointmentRow.id == ReminderRow.appointment_id)
            .where(
                ReminderRow.status.in_([ReminderStatus.UNKNOWN.value, ReminderStatus.FAILED.value]),
                ReminderRow.staff_notified_at.is_(None),
            )
            .order_by(ReminderRow.due_at)
            .limit(limit)
        )
        if only_chat is not None:
            query = query.where(AppointmentRow.chat_id == only_chat)
        async with self._database.sessions() as session:
            result = await session.execute(query)
            return [(to_reminder(row), ref) for row, ref in result.all()]

    async def mark_staff_notified(self, reminder_ids: list[int], now: datetime) -> None:
        """Record that staff have been told about these rows (never told twice)."""
        async with self._database.sessions.begin() as session:
            await session.execute(
                update(ReminderRow)
                .where(ReminderRow.id.in_(reminder_ids))
                .values(staff_notified_at=now)
            )

    async def _mark(
        self,
        claim: ClaimedReminder,
        now: datetime,
        from_states: tuple[ReminderStatus, ...],
        **values: object,
    ) -> None:
        async with self._database.sessions.begin() as session:
            await _mark_in(session, claim, now, from_states, **values)

    # --- reporting ---------------------------------------------------------------

    # A read takes `as_of`: each row is read as housekeeping would leave it then (a passed
    # appointment's reminder reads "skipped" with its reason) without writing it; None
    # reads the rows as stored.

    def _read_as(
        self, as_of: datetime | None
    ) -> tuple[ColumnElement[str], ColumnElement[str | None]]:
        if as_of is None:
            return ReminderRow.status.expression, ReminderRow.reason.expression
        return self._as_settled(as_of)

    async def counts(self, as_of: datetime | None = None) -> Counter[str]:
        """How many rows are in each status."""
        status, _ = self._read_as(as_of)
        query = (
            select(status, func.count())
            .select_from(ReminderRow)
            .outerjoin(AppointmentRow, AppointmentRow.id == ReminderRow.appointment_id)
            .group_by(status)
        )
        async with self._database.sessions() as session:
            rows = await session.execute(query)
            return Counter({read: count for read, count in rows.all()})

    async def rows(
        self,
        statuses: tuple[ReminderStatus, ...],
        *,
        as_of: datetime | None = None,
        due_before: datetime | None = None,
        limit: int = 200,
    ) -> list[tuple[Reminder, str]]:
        """Rows in `statuses` with their appointment's clinic reference, by due time."""
        status, reason = self._read_as(as_of)
        query = (
            select(ReminderRow, AppointmentRow.ref, status, reason)
            .join(AppointmentRow, AppointmentRow.id == ReminderRow.appointment_id)
            .where(status.in_([s.value for s in statuses]))
            .order_by(ReminderRow.due_at)
            .limit(limit)
        )
        if due_before is not None:
            query = query.where(ReminderRow.due_at < due_before)
        async with self._database.sessions() as session:
            result = await session.execute(query)
            return [(_read(row, now_as, why), ref) for row, ref, now_as, why in result.all()]

    async def reminders_of(
        self, appointment_ids: list[int], as_of: datetime | None = None
    ) -> dict[int, list[Reminder]]:
        """The reminder rows of these appointments, by due time."""
        status, reason = self._read_as(as_of)
        query = (
            select(ReminderRow, status, reason)
            .join(AppointmentRow, AppointmentRow.id == ReminderRow.appointment_id)
            .where(ReminderRow.appointment_id.in_(appointment_ids))
            .order_by(ReminderRow.due_at)
        )
        found: dict[int, list[Reminder]] = {}
        async with self._database.sessions() as session:
            for row, now_as, why in (await session.execute(query)).all():
                found.setdefault(row.appointment_id, []).append(_read(row, now_as, why))
        return found


def _read(row: ReminderRow, status: str, reason: str | None) -> Reminder:
    """A stored row as a `Reminder` with the status and reason it is read as."""
    return replace(to_reminder(row), status=ReminderStatus(status), reason=reason)


async def _settle_pending(
    session: AsyncSession,
    now: datetime,
    condition: object,
    status: ReminderStatus,
    reason: str,
) -> int:
    """Move due pending rows whose appointment matches `condition` to `status`."""
    matches = exists().where(
        AppointmentRow.id == ReminderRow.appointment_id,
        condition,  # type: ignore[arg-type]
    )
    result = await session.execute(
        update(ReminderRow)
        .where(
            ReminderRow.status == ReminderStatus.PENDING.value,
            ReminderRow.due_at <= now,
            matches,
        )
        .values(status=status.value, reason=reason, updated_at=now)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


# A delivery may be recorded over `unknown`: a slow send can outlive STALE_CLAIM.
SENT_FROM = (ReminderStatus.SENDING, ReminderStatus.UNKNOWN)


def _sent_values(message_id: int | None, now: datetime) -> dict[str, object]:
    return {
        "status": ReminderStatus.SENT.value,
        "sent_at": now,
        "message_id": message_id,
        "reason": None,
    }


async def _mark_in(
    session: AsyncSession,
    claim: ClaimedReminder,
    now: datetime,
    from_states: tuple[ReminderStatus, ...],
    **values: object,
) -> None:
    """Update a claimed row, only if this claim still owns it."""
    await session.execute(
        update(ReminderRow)
        .where(
            ReminderRow.id == claim.reminder.id,
            ReminderRow.claim_token == claim.claim_token,
            ReminderRow.status.in_([state.value for state in from_states]),
        )
        .values(updated_at=now, **values)
    )


async def _claim(
    session: AsyncSession, now: datetime, demo_only: bool, may_go: Any
) -> ClaimedReminder | None:
    """Claim the earliest due row whose appointment meets `may_go` with a fresh token
    (conditional UPDATE), in `session`."""
    token = secrets.token_hex(16)
    due = select(ReminderRow.id).where(
        ReminderRow.status == ReminderStatus.PENDING.value,
        ReminderRow.due_at <= now,
        or_(ReminderRow.retry_at.is_(None), ReminderRow.retry_at <= now),
        exists().where(
            AppointmentRow.id == ReminderRow.appointment_id,
            AppointmentRow.chat_id.is_not(None),
            AppointmentRow.unreachable.is_(False),
            may_go,
        ),
    )
    if demo_only:
        due = due.where(ReminderRow.kind == DEMO_KIND)
    claimed_id = await session.scalar(
        update(ReminderRow)
        .where(
            ReminderRow.id == due.order_by(ReminderRow.due_at).limit(1).scalar_subquery(),
            ReminderRow.status == ReminderStatus.PENDING.value,
        )
        .values(
            status=ReminderStatus.SENDING.value,
            claim_token=token,
            claimed_at=now,
            attempts=ReminderRow.attempts + 1,
            updated_at=now,
        )
        .returning(ReminderRow.id)
    )
    if claimed_id is None:
        return None
    found = await session.execute(
        select(ReminderRow, AppointmentRow)
        .join(AppointmentRow, AppointmentRow.id == ReminderRow.appointment_id)
        .where(ReminderRow.id == claimed_id)
    )
    row, appointment = found.one()
    return ClaimedReminder(to_reminder(row), to_appointment(appointment), token)
