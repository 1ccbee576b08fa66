"""Questions the bot could not answer, kept for the clinic for a limited time."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import weakref
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from bot.storage.console_tables import UnansweredReview
from bot.storage.database import Database
from bot.storage.faq_tables import UnansweredQuestion

if TYPE_CHECKING:
    from bot.config import Settings

logger = logging.getLogger(__name__)

MAX_STORED_CHARS = 500  # enough to read the question; long stories are cut
# Questions are written together at most this long after the first of them: one
# transaction for a burst instead of one per question, off the patient's reply. A crash
# loses at most this much of the list (the patients were answered either way).
FLUSH_AFTER_S = 0.5


ASKER_SECRET_PURPOSE = "unanswered-asker-pseudonym"
# Keyed pseudonyms start with this letter; ones stored before they were keyed are 32 hex
# digits, and are converted the first time a keyed log touches the database.
KEYED_MARK = "k"


def _unkeyed_asker(chat_id: int) -> str:
    return hashlib.sha256(f"unanswered:{chat_id}".encode()).hexdigest()[:32]


def _keyed(unkeyed: str, secret: bytes) -> str:
    # Keyed over the old unkeyed form, so rows stored before convert without a chat id.
    digest = hmac.new(secret, unkeyed.encode("ascii"), hashlib.sha256).hexdigest()
    return KEYED_MARK + digest[: 32 - len(KEYED_MARK)]


def asker_key(chat_id: int, secret: bytes) -> str:
    """A keyed pseudonym of the asking chat: enough for /forget to find its questions,
    while the clinic's list shows wording only. Without the secret (derived from the data
    key, never stored in the database) the chat ids in the database cannot be tried
    against it."""
    return _keyed(_unkeyed_asker(chat_id), secret)


@dataclass(frozen=True)
class UnansweredRecord:
    """One stored question."""

    id: int
    asked_at: datetime
    text: str
    best_faq_id: str | None
    best_score: float
    # How staff closed it ("handled" or "dismissed" on the console); None: still open.
    state: str | None = None


@dataclass
class _Pending:
    """Questions not yet written to one database, shared by every log on it."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    timer: asyncio.Task[None] | None = None
    unkeyed_converted: bool = False


_pending: weakref.WeakKeyDictionary[Database, _Pending] = weakref.WeakKeyDictionary()


class UnansweredLog:
    """Stores unanswered questions (without who asked) and forgets them after a while."""

    def __init__(
        self,
        database: Database,
        retention: timedelta,
        flush_after: float = FLUSH_AFTER_S,
        *,
        asker_secret: bytes | None = None,
    ) -> None:
        """`asker_secret` is needed to keep, count or erase a chat's questions; listing
        and purging work without it."""
        self._database = database
        self.retention = retention
        self._flush_after = flush_after
        self._asker_secret = asker_secret
        pending = _pending.get(database)
        if pending is None:
            pending = _pending[database] = _Pending()
            database.on_close(self.flush)
        self._pending = pending

    @classmethod
    def for_settings(cls, database: Database, settings: Settings) -> UnansweredLog:
        """The log as the bot keeps it: the clinic's retention, the keyed pseudonyms."""
        from bot.storage.encryption import derived_secret

        return cls(
            database,
            timedelta(days=settings.unanswered_retention_days),
            asker_secret=derived_secret(settings, ASKER_SECRET_PURPOSE),
        )

    def _asker(self, chat_id: int) -> str:
        if self._asker_secret is None:
            raise ValueError(
                "a chat's questions need the asker secret (UnansweredLog.for_settings)"
            )
        return asker_key(chat_id, self._asker_secret)

    async def record(
        self,
        text: str,
        best_faq_id: str | None,
        best_score: float,
        now: datetime,
        *,
        chat_id: int | None = None,
    ) -> None:
        """Keep `text` for the clinic (written shortly, with others asked meanwhile), and
        drop anything older than the retention."""
        self._pending.rows.append(
            {
                "asked_at": now,
                "asker": self._asker(chat_id) if chat_id is not None else None,
                "text": text.strip()[:MAX_STORED_CHARS],
                "best_faq_id": best_faq_id,
                "best_score": round(best_score, 4),
            }
        )
        if self._pending.timer is None:
            self._pending.timer = asyncio.get_running_loop().create_task(self._flush_later())

    async def _flush_later(self) -> None:
        await asyncio.sleep(self._flush_after)
        await self.flush()

    async def flush(self) -> None:
        """Write the questions recorded but not yet stored, in one transaction."""
        pending = self._pending
        timer, pending.timer = pending.timer, None
        if timer is not None and timer is not asyncio.current_task():
            timer.cancel()
        rows, pending.rows = pending.rows, []
        await self._convert_unkeyed()
        if not rows:
            return
        newest = max(row["asked_at"] for row in rows)
        try:
            async with self._database.sessions.begin() as session:
                await session.execute(insert(UnansweredQuestion), rows)
                await session.execute(
                    delete(UnansweredQuestion).where(
                        UnansweredQuestion.asked_at < newest - self.retention
                    )
                )
        except SQLAlchemyError as error:
            # The type only: the message would quote the questions.
            name = type(error).__name__
            logger.error("could not store %d unanswered questions (%s)", len(rows), name)

    async def purge(self, now: datetime) -> int:
        """Delete questions older than the retention; returns how many were deleted."""
        await self.flush()
        async with self._database.sessions.begin() as session:
            result = await session.execute(
                delete(UnansweredQuestion).where(UnansweredQuestion.asked_at < now - self.retention)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def count_for_chat(self, chat_id: int) -> int:
        """How many questions of this chat are kept."""
        asker = self._asker(chat_id)
        await self.flush()
        async with self._database.sessions() as session:
            count = await session.scalar(
                select(func.count()).where(UnansweredQuestion.asker == asker)
            )
        return int(count or 0)

    async def erase_chat(self, chat_id: int) -> int:
        """Delete every question this chat asked (waiting ones too); how many."""
        asker = self._asker(chat_id)
        await self.flush()
        async with self._database.sessions.begin() as session:
            result = await session.execute(
                delete(UnansweredQuestion).where(UnansweredQuestion.asker == asker)
            )
        return int(getattr(result, "rowcount", 0) or 0)

    async def _convert_unkeyed(self) -> None:
        """Key the pseudonyms stored before they were keyed (once per database and
        process): the same chat keeps one pseudonym, so /forget still finds them."""
        secret = self._asker_secret
        if secret is None or self._pending.unkeyed_converted:
            return
        self._pending.unkeyed_converted = True
        async with self._database.sessions.begin() as session:
            found = await session.execute(
                select(UnansweredQuestion.asker)
                .where(UnansweredQuestion.asker.is_not(None))
                .where(UnansweredQuestion.asker.not_like(f"{KEYED_MARK}%"))
                .distinct()
            )
            for (unkeyed,) in found.all():
                if unkeyed is None:
                    continue
                await session.execute(
                    update(UnansweredQuestion)
                    .where(UnansweredQuestion.asker == unkeyed)
                    .values(asker=_keyed(unkeyed, secret))
                )

    async def list(self, since: datetime | None = None) -> list[UnansweredRecord]:
        """Stored questions, newest first, each with how staff closed it (if they did)."""
        await self.flush()
        query = (
            select(UnansweredQuestion, UnansweredReview.state)
            .outerjoin(UnansweredReview, UnansweredReview.question_id == UnansweredQuestion.id)
            .order_by(UnansweredQuestion.asked_at.desc())
        )
        if since is not None:
            query = query.where(UnansweredQuestion.asked_at >= since)
        async with self._database.sessions() as session:
            rows = (await session.execute(query)).all()
        return [
            UnansweredRecord(row.id, row.asked_at, row.text, row.best_faq_id, row.best_score, state)
            for row, state in rows
        ]
