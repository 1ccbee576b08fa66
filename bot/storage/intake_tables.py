"""Tables for the intake questionnaire.

Answers and summaries are health data: they are stored only encrypted (see
`bot.storage.encryption`). Status, dates and the chat id stay readable so the clinic can
list intakes and mark old ones abandoned without the key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UtcDateTime


class IntakeFlowVersion(Base):
    """A copy of every flow definition an intake was started on, keyed by its hash."""

    __tablename__ = "intake_flow_versions"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    flow_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(64))
    definition: Mapped[str] = mapped_column(Text)  # the flow as JSON
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class IntakeSession(Base):
    """One patient's intake, from consent to submission (or emergency stop)."""

    __tablename__ = "intake_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    flow_digest: Mapped[str] = mapped_column(ForeignKey("intake_flow_versions.digest"))
    flow_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(24), index=True)
    appointment_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    state: Mapped[bytes] = mapped_column(LargeBinary)  # encrypted engine state (answers)
    summary: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)  # encrypted
