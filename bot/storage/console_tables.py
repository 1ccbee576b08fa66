"""Tables for the staff web console: accounts, sessions, audit, review state, staff events.

Health information is stored here only encrypted: the messages of a conversation staff
opened with a patient (`HandoffMessage.body`). The console reads intakes through the intake
repository (decrypting one only for the request that shows it), and staff events hold a
rule name and a chat id, never what the patient wrote.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UtcDateTime


class StaffAccount(Base):
    """A person who signs in to the console, with one role."""

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)  # Argon2id
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)  # wrong in a row
    locked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    password_set_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class StaffPasswordToken(Base):
    """A one-time set-password link, stored only as its SHA-256 hash."""

    __tablename__ = "staff_password_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class StaffSession(Base):
    """A signed-in browser: the cookie carries the token, the row only its hash."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True
    )
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class LoginAttempt(Base):
    """One password attempt (for throttling by address and for the audit)."""

    __tablename__ = "staff_login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    email: Mapped[str] = mapped_column(String(254))
    client: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)


class AuditEntry(Base):
    """Who did what in the console, and when (every view of an intake among them)."""

    __tablename__ = "staff_audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    account_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    email: Mapped[str] = mapped_column(String(254))  # kept if the account is removed
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(64), nullable=True)  # e.g. intake:12


class IntakeReview(Base):
    """A clinician marked an intake reviewed; gone with the intake."""

    __tablename__ = "intake_reviews"

    intake_id: Mapped[int] = mapped_column(
        ForeignKey("intake_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reviewed_by: Mapped[str] = mapped_column(String(254))


class UnansweredReview(Base):
    """Staff dismissed an unanswered question or marked it handled."""

    __tablename__ = "unanswered_reviews"

    question_id: Mapped[int] = mapped_column(
        ForeignKey("unanswered_questions.id", ondelete="CASCADE"), primary_key=True
    )
    state: Mapped[str] = mapped_column(String(16))  # handled | dismissed
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    by: Mapped[str] = mapped_column(String(254))


class StaffEvent(Base):
    """Something staff must know about (emergency, urgent, contact request): no text."""

    __tablename__ = "staff_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(24))  # emergency | urgent | contact_request...
    # None: a marker left by /forget (the alert was not yet handled; no chat named).
    chat_id: Mapped[int | None] = mapped_column(BigInteger, index=True, nullable=True)
    rule: Mapped[str | None] = mapped_column(String(64), nullable=True)
    intake_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    handled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    handled_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class Handoff(Base):
    """A chat in a conversation with staff: its messages reach staff until `until` (staff
    wrote to it under alert `event_id`; closing sets `until` to the time it was closed)."""

    __tablename__ = "handoffs"

    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    until: Mapped[datetime] = mapped_column(UtcDateTime)


class HandoffMessage(Base):
    """One message of a conversation between staff and a patient, under its alert."""

    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer, index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    sender: Mapped[str] = mapped_column(String(16))  # patient | staff | bot
    author: Mapped[str | None] = mapped_column(String(254), nullable=True)  # staff: who
    body: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted text
    # The safety reply the patient's message got at once (emergency, urgent), if any.
    safety: Mapped[str | None] = mapped_column(String(16), nullable=True)
