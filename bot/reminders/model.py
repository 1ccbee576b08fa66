"""Appointment and reminder values the rest of the feature passes around (no ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class AppointmentStatus(StrEnum):
    """Where an appointment stands."""

    BOOKED = "booked"
    CONFIRMED = "confirmed"
    RESCHEDULE_REQUESTED = "reschedule_requested"
    CANCELLED = "cancelled"
    COMPLETED = "completed"


class CancelledBy(StrEnum):
    """Who cancelled an appointment."""

    PATIENT = "patient"  # with the reminder's Cancel button
    CLINIC = "clinic"  # in the clinic's booking system (the export), or added cancelled


class ReminderStatus(StrEnum):
    """Where a reminder stands in the outbox."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class AppointmentInput:
    """An appointment as the clinic gives it (command line, CSV or calendar file)."""

    ref: str
    starts_at: datetime  # aware
    type_id: str
    duration: timedelta | None = None  # None: the type's default
    location_id: str | None = None
    clinician: str | None = None
    cancelled: bool = False


@dataclass(frozen=True)
class Appointment:
    """A stored appointment."""

    id: int
    ref: str
    starts_at: datetime  # UTC
    duration: timedelta
    type_id: str
    location_id: str | None
    clinician: str | None
    status: AppointmentStatus
    chat_id: int | None
    unreachable: bool
    language: str | None = None  # the linked patient's ("fr", "en"); None: English
    # The patient's answers at the next-day check-in (None: not answered).
    check_in_soreness: int | None = None  # 0-10
    check_in_safety: str | None = None  # "ok", or "chest": chest pain or breathlessness
    # Who cancelled it and when (None: not cancelled, or cancelled before this was kept).
    cancelled_by: CancelledBy | None = None
    cancelled_at: datetime | None = None

    @property
    def is_cancelled(self) -> bool:
        """Whether the appointment was cancelled."""
        return self.status is AppointmentStatus.CANCELLED


@dataclass(frozen=True)
class Reminder:
    """A stored outbox row."""

    id: int
    appointment_id: int
    kind: str
    due_at: datetime
    status: ReminderStatus
    attempts: int
    reason: str | None
    sent_at: datetime | None


@dataclass(frozen=True)
class ClaimedReminder:
    """A reminder this process has claimed and must now send and mark."""

    reminder: Reminder
    appointment: Appointment
    claim_token: str
