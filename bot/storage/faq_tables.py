"""Tables for the FAQ feature."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.base import Base, UtcDateTime


class UnansweredQuestion(Base):
    """A question the bot could not answer, kept for the clinic for a limited time.

    No chat id is stored: the clinic needs the wording, not who asked. `asker` is a
    keyed pseudonym of the chat (bot.faq.unanswered.asker_key), so /forget can delete
    that chat's questions.
    """

    __tablename__ = "unanswered_questions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    text: Mapped[str] = mapped_column(Text)
    best_faq_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    best_score: Mapped[float] = mapped_column(Float, default=0.0)
    asker: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
