"""Tables for appointments, their one-time link tokens and the reminder outbox."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UtcDateTime


class AppointmentRow(Base):
    """One appointment, keyed by the clinic's own reference; times in UTC."""

    __tablename__ = "appointments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    type_id: Mapped[str] = mapped_column(String(32))
    location_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    clinician: Mapped[str | None] = mapped_column(String(120), nullable=True)
    status: Mapped[str] = mapped_column(String(24), default="booked")
    chat_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    # The linked patient's language ("fr", "en"): their reminders are written in it.
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    unreachable: Mapped[bool] = mapped_column(Boolean, default=False)
    # Cancelled with the patient's own button: a re-import that still lists the appointment
    # unchanged does not undo it (the clinic's system has not caught up yet).
    cancelled_by_patient: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who cancelled ("patient", "clinic"; None: not cancelled, or not known) and when, for
    # the front desk; kept when the export catches up with a patient's cancellation.
    cancelled_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    check_in_soreness: Mapped[int | None] = mapped_column(Integer, nullable=True)
    check_in_safety: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LinkTokenRow(Base):
    """A one-time link token, stored only as its SHA-256 hash."""

    __tablename__ = "appointment_link_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(
        ForeignKey("appointments.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    used_by_chat: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ReminderRow(Base):
    """One message the bot owes a patient: the outbox row that is the source of truth."""

    __tablename__ = "reminders"
    __table_args__ = (
        UniqueConstraint("appointment_id", "kind", name="uq_reminders_appointment_kind"),
        Index("ix_reminders_status_due", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    retry_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    claim_token: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    message_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # When staff were told this unknown or failed reminder may not have arrived.
    staff_notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReminderSweepRow(Base):
    """When a sender that reaches every patient (the bot) last swept the outbox: one row,
    so a console serving on its own can tell staff that no reminders are going out."""

    __tablename__ = "reminder_sweeps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    swept_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
