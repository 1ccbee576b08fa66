"""Questions the bot could not answer, kept for the clinic for a limited time."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from bot.storage.database import Database
from bot.storage.faq_tables import UnansweredQuestion

MAX_STORED_CHARS = 500  # enough to read the question; long stories are cut


def asker_key(chat_id: int) -> str:
    """A pseudonym of the asking chat: enough for /forget to find its questions, while
    the clinic's list shows wording only, never a chat id."""
    return hashlib.sha256(f"unanswered:{chat_id}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class UnansweredRecord:
    """One stored question."""

    id: int
    asked_at: datetime
    text: str
    best_faq_id: str | None
    best_score: float


class UnansweredLog:
    """Stores unanswered questions (without who asked) and forgets them after a while."""

    def __init__(self, database: Database, retention: timedelta) -> None:
        self._database = database
        self.retention = retention

    async def record(
        self,
        text: str,
        best_faq_id: str | None,
        best_score: float,
        now: datetime,
        *,
        chat_id: int | None = None,
    ) -> None:
        """Keep `text` for the clinic, and drop anything older than the retention."""
        async with self._database.sessions.begin() as session:
            session.add(
                UnansweredQuestion(
                    asked_at=now,
                    asker=asker_key(chat_id) if chat_id is not None else None,
                    text=text.strip()[:MAX_STORED_CHARS],
                    best_faq_id=best_faq_id,
                    best_score=round(best_score, 4),
                )
            )
            await session.execute(
                delete(UnansweredQuestion).where(UnansweredQuestion.asked_at < now - self.retention)
            )

    async def purge(self, now: datetime) -> int:
        """Delete questions older than the retention; returns how many were deleted."""
        async with self._database.sessions.begin() as session:
            result = await session.execute(
                delete(UnansweredQuestion).where(UnansweredQuestion.asked_at < now - self.retention)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def count_for_chat(self, chat_id: int) -> int:
        """How many questions of this chat are kept."""
        async with self._database.sessions() as session:
            count = await session.scalar(
                select(func.count()).where(UnansweredQuestion.asker == asker_key(chat_id))
            )
        return int(count or 0)

    async def erase_chat(self, chat_id: int) -> int:
        """Delete every question this chat asked; how many."""
        async with self._database.sessions.begin() as session:
            result = await session.execute(
                delete(UnansweredQuestion).where(UnansweredQuestion.asker == asker_key(chat_id))
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def list(self, since: datetime | None = None) -> list[UnansweredRecord]:
        """Stored questions, newest first."""
        query = select(UnansweredQuestion).order_by(UnansweredQuestion.asked_at.desc())
        if since is not None:
            query = query.where(UnansweredQuestion.asked_at >= since)
        async with self._database.sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            UnansweredRecord(row.id, row.asked_at, row.text, row.best_faq_id, row.best_score)
            for row in rows
        ]
