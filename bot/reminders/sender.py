"""The sweep: housekeeping, then claim -> send -> mark, one row at a time.

Claiming one row just before sending it means a crash leaves at most the one message
in flight ambiguous (recorded as unknown), never a whole batch. Pacing and short
retries are the outbound's (the channel's one pacing layer); when the channel is still
down or asks to slow down past the reminder's deadline, the row goes back to pending
with a backoff and the sweep stops until the next one. Unknown and failed reminders
are told to staff once, by a sweep that found the channel working.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content.clinic import Clinic
from bot.core.outbound import (
    ChannelUnavailable,
    DeliveryKind,
    DeliveryRejected,
    DeliveryUnknown,
    Outbound,
    RateLimited,
    RecipientUnreachable,
)
from bot.core.replies import Reply, staff_note
from bot.reminders.messages import message_for, staff_alert
from bot.reminders.model import ClaimedReminder
from bot.reminders.outbox import ReminderOutbox
from bot.reminders.planning import in_quiet_hours
from bot.reminders.repository import AppointmentRepository
from bot.reminders.types import AppointmentTypes

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
DEFAULT_MAX_PER_SWEEP = 2_000  # a long backlog is worked off over several sweeps
RETRY_INITIAL = timedelta(seconds=5)  # the channel was down: first wait before retrying
RETRY_MAX = timedelta(minutes=5)
MAX_LISTED = 20  # unknown/failed reminders listed in one staff note
SILENCE_MIN = timedelta(minutes=2)


def utc_now() -> datetime:
    """The current time, UTC."""
    return datetime.now(UTC)


@dataclass
class SweepReport:
    """What one sweep did (for logs, tests and benchmarks)."""

    sent: int = 0
    unknown: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0
    cancelled: int = 0


class ReminderSender:
    """Sends due reminders from the outbox through an `Outbound`."""

    def __init__(
        self,
        outbox: ReminderOutbox,
        appointments: AppointmentRepository,
        types: AppointmentTypes,
        clinic: Clinic,
        tz: ZoneInfo,
        *,
        clock: Clock = utc_now,
        max_per_sweep: int = DEFAULT_MAX_PER_SWEEP,
        retry_initial: timedelta = RETRY_INITIAL,
        retry_max: timedelta = RETRY_MAX,
    ) -> None:
        self._outbox = outbox
        self._appointments = appointments
        self._types = types
        self._clinic = clinic
        self._tz = tz
        self._clock = clock
        self._max_per_sweep = max_per_sweep
        self._retry_initial = retry_initial
        self._retry_max = retry_max

    async def reconcile(self, outbound: Outbound) -> SweepReport:
        """Settle what happened while the bot was down (claims left in flight -> unknown).

        Staff hear of unknown rows from the next sweep that finds the channel working.
        """
        counts = await self._outbox.housekeep(self._clock())
        return SweepReport(
            unknown=counts.unknown, skipped=counts.skipped, cancelled=counts.cancelled
        )

    async def sweep(self, outbound: Outbound) -> SweepReport:
        """Housekeep, then send every due reminder the outbound reaches (up to the per-sweep
        maximum)."""
        report = await self.reconcile(outbound)
        only_chat = outbound.only_chat
        if only_chat is None:  # the shell's sweeps for its own chat send no patient anything
            await self._outbox.record_sweep(self._clock())
        claim = await self._next_claim(only_chat)
        handled = 0
        while claim is not None:
            handled += 1
            sent, message_id = await self._deliver(claim, outbound, report)
            if report.deferred:
                break  # the channel is down or slowing us: the next sweep tries again
            last = handled >= self._max_per_sweep
            if sent and not last:
                # Recording this delivery and claiming the next row share one commit.
                claim = await self._outbox.mark_sent_and_claim_next(
                    claim,
                    message_id,
                    self._clock(),
                    demo_only=self._quiet_now(),
                    only_chat=only_chat,
                )
            elif sent:
                await self._outbox.mark_sent(claim, message_id, self._clock())
                claim = None
            else:
                claim = None if last else await self._next_claim(only_chat)
        if not report.deferred:
            await self.tell_staff_of_problems(outbound)
        return report

    async def tell_staff_of_problems(self, outbound: Outbound) -> int:
        """One staff note listing unknown and failed reminders not yet told (those of the
        chats the outbound reaches: its staff are the ones it tells); how many."""
        problems = await self._outbox.unnoticed_problems(
            limit=MAX_LISTED, only_chat=outbound.only_chat
        )
        if not problems:
            return 0
        lines = [
            f"{ref}: {reminder.kind} reminder {reminder.status.value} ({reminder.reason or ''})"
            for reminder, ref in problems
        ]
        await outbound.send_to_staff(
            staff_alert_text(
                "These reminders may not have reached the patient; please check with them:\n"
                + "\n".join(lines)
            )
        )
        await self._outbox.mark_staff_notified([r.id for r, _ in problems], self._clock())
        return len(problems)

    def _quiet_now(self) -> bool:
        # Planned reminders never fall in quiet hours; anything due then is a catch-up
        # that can wait for the morning (the grace decides whether it still goes).
        return in_quiet_hours(self._clock(), self._types.quiet_hours, self._tz)

    async def _next_claim(self, only_chat: int | None) -> ClaimedReminder | None:
        return await self._outbox.claim_next(
            self._clock(), demo_only=self._quiet_now(), only_chat=only_chat
        )

    async def _deliver(
        self, claim: ClaimedReminder, outbound: Outbound, report: SweepReport
    ) -> tuple[bool, int | None]:
        """Send one claimed reminder; (delivered, message id). Failures are marked here."""
        appointment = claim.appointment
        chat_id = appointment.chat_id
        if chat_id is None:  # unlinked between housekeeping and claim (/forget)
            await self._outbox.mark_failed(claim, "patient unlinked the chat", self._clock())
            report.failed += 1
            return False, None
        reply = message_for(
            claim.reminder.kind,
            appointment,
            self._types.get(appointment.type_id),
            self._clinic,
            self._tz,
        )
        try:
            message_id = await outbound.send(chat_id, reply, DeliveryKind.REMINDER)
        except RateLimited as exc:
            retry_at = self._clock() + timedelta(seconds=exc.retry_after)
            await self._outbox.retry_later(claim, retry_at, self._clock(), "rate limited")
            report.deferred += 1
        except ChannelUnavailable:
            await self._outbox.retry_later(
                claim, self._clock() + self._backoff(claim), self._clock(), "channel down"
            )
            report.deferred += 1
        except RecipientUnreachable:
            await self._outbox.mark_failed(claim, "patient blocked the bot (403)", self._clock())
            await self._appointments.mark_chat_unreachable(chat_id, self._clock())
            await outbound.send_to_staff(
                staff_alert(
                    "A patient has blocked the bot, so reminders cannot reach them. "
                    "Please contact them another way.",
                    appointment,
                    self._tz,
                )
            )
            report.failed += 1
        except DeliveryUnknown:
            # Told to staff by tell_staff_of_problems, once the channel answers again.
            await self._outbox.mark_unknown(
                claim, "timed out after sending; may or may not have arrived", self._clock()
            )
            report.unknown += 1
        except DeliveryRejected as exc:
            await self._outbox.mark_failed(claim, f"rejected: {exc}", self._clock())
            report.failed += 1
        else:
            report.sent += 1
            return True, message_id
        return False, None

    def _backoff(self, claim: ClaimedReminder) -> timedelta:
        """Exponential in the row's attempts, capped."""
        steps = min(max(claim.reminder.attempts - 1, 0), 16)
        return min(self._retry_initial * (1 << steps), self._retry_max)


def sender_silence(last_sweep: datetime | None, now: datetime, interval: timedelta) -> bool:
    """Whether no sender reaching the patients has swept lately: several sweep intervals
    (and at least two minutes, for a slow sweep) have gone by since the last one."""
    quiet_for = max(3 * interval, SILENCE_MIN)
    return last_sweep is None or now - last_sweep > quiet_for


def staff_alert_text(text: str) -> Reply:
    """A general note for staff about reminders."""
    return staff_note(text, title="Reminders")
