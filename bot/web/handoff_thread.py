"""The conversation staff open with a patient by writing to them under an alert.

After staff write, the chat is in a handoff until a time (`Settings.handoff_window` of the
clinic's open hours after the last staff message, with a cap), or until staff or the
patient end it. Its messages, both ways,
are kept under the alert, the text encrypted like every other patient text; /mydata
counts them and /forget erases them. Nothing here logs a message's text.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from bot.storage.console_tables import Handoff, HandoffMessage
from bot.storage.database import Database
from bot.storage.encryption import FieldCipher
from bot.web.accounts import Clock, utc_now

PATIENT = "patient"
STAFF = "staff"
BOT = "bot"  # what the bot did in the conversation (it ended, say)

_ACTIVE_COLUMNS = (Handoff.__table__.c.event_id, Handoff.__table__.c.until)
_ACTIVE_SQL = f"SELECT event_id, until FROM {Handoff.__tablename__} WHERE chat_id = ?"


@dataclass(frozen=True)
class OpenHandoff:
    """A chat whose messages reach staff now."""

    chat_id: int
    event_id: int
    until: datetime


@dataclass(frozen=True)
class ThreadMessage:
    """One message of a conversation, decrypted for the page that shows it."""

    at: datetime
    sender: str  # PATIENT, STAFF or BOT
    author: str | None
    text: str
    safety: str | None  # the safety reply the patient got at once ("emergency", "urgent")


class HandoffThread:
    """Opens, finds and ends handoffs, and keeps their messages (encrypted)."""

    def __init__(
        self,
        database: Database,
        cipher: FieldCipher,
        window: timedelta,
        clock: Clock = utc_now,
        ends: Callable[[datetime], datetime] | None = None,
    ) -> None:
        """`ends`: when a handoff opened (or renewed) at a moment ends (default: `window`
        later; the console counts the clinic's open hours, `HandoffWords.handoff_end`)."""
        self._database = database
        self._cipher = cipher
        self.window = window
        self._clock = clock
        self._ends = ends or (lambda opened: opened + window)
        self._from_sql = database.row_converter(_ACTIVE_COLUMNS)

    async def active(self, chat_id: int) -> OpenHandoff | None:
        """The chat's handoff if its messages reach staff now.

        Asked for every message of every chat, so it reads the file directly when it can
        (and sees handoffs the console, another process, opened)."""
        rows = self._database.read_now(_ACTIVE_SQL, (chat_id,))
        if rows is None:
            async with self._database.sessions() as session:
                row = await session.get(Handoff, chat_id)
            found = (row.event_id, row.until) if row is not None else None
        else:
            found = self._from_sql(rows[0]) if rows else None
        if found is None or found[1] <= self._clock():
            return None
        return OpenHandoff(chat_id, found[0], found[1])

    async def open(self, chat_id: int, event_id: int) -> bool:
        """Open (or extend) the chat's handoff under `event_id`, for the window from now;
        True when it was not open (the patient has not yet been told how it works)."""
        now = self._clock()
        async with self._database.sessions.begin() as session:
            row = await session.get(Handoff, chat_id)
            if row is None:
                session.add(Handoff(chat_id=chat_id, event_id=event_id, opened_at=now,
                                    until=self._ends(now)))  # fmt: skip
                return True
            was_open = row.until > now
            if not was_open:
                row.opened_at = now
            row.event_id = event_id
            row.until = self._ends(now)
            return not was_open

    async def close(self, chat_id: int) -> OpenHandoff | None:
        """End the chat's handoff now; the handoff that was open, if one was."""
        now = self._clock()
        async with self._database.sessions.begin() as session:
            row = await session.get(Handoff, chat_id)
            if row is None or row.until <= now:
                return None
            ended = OpenHandoff(chat_id, row.event_id, row.until)
            row.until = now
            return ended

    async def add(
        self,
        event_id: int,
        chat_id: int,
        sender: str,
        text: str,
        *,
        author: str | None = None,
        safety: str | None = None,
    ) -> None:
        """Keep one message of the conversation under its alert (the text encrypted)."""
        async with self._database.sessions.begin() as session:
            session.add(
                HandoffMessage(
                    event_id=event_id, chat_id=chat_id, at=self._clock(), sender=sender,
                    author=(author or None) and author[:254],
                    body=self._cipher.encrypt_text(text), safety=safety,
                )
            )  # fmt: skip

    async def with_messages(self, event_ids: Collection[int]) -> list[int]:
        """Which of these alerts have a conversation under them (nothing decrypted)."""
        if not event_ids:
            return []
        async with self._database.sessions() as session:
            found = await session.scalars(
                select(HandoffMessage.event_id)
                .where(HandoffMessage.event_id.in_(list(event_ids)))
                .distinct()
            )
            return sorted(found)

    async def of_events(self, event_ids: Collection[int]) -> dict[int, list[ThreadMessage]]:
        """The conversation under each of these alerts, oldest message first."""
        if not event_ids:
            return {}
        async with self._database.sessions() as session:
            rows = await session.scalars(
                select(HandoffMessage)
                .where(HandoffMessage.event_id.in_(list(event_ids)))
                .order_by(HandoffMessage.id)
            )
            threads: dict[int, list[ThreadMessage]] = {}
            for row in rows:
                threads.setdefault(row.event_id, []).append(
                    ThreadMessage(row.at, row.sender, row.author,
                                  self._cipher.decrypt_text(row.body), row.safety)
                )  # fmt: skip
            return threads

    async def open_under(self, event_ids: Collection[int]) -> dict[int, OpenHandoff]:
        """The handoffs open now under these alerts, by alert."""
        if not event_ids:
            return {}
        async with self._database.sessions() as session:
            rows = await session.scalars(
                select(Handoff).where(
                    Handoff.event_id.in_(list(event_ids)), Handoff.until > self._clock()
                )
            )
            return {row.event_id: OpenHandoff(row.chat_id, row.event_id, row.until) for row in rows}

    async def describe(self, chat_id: int, language: str = "en") -> list[str]:
        """What is kept of the chat's conversations with staff (for /mydata)."""
        async with self._database.sessions() as session:
            count, first = (
                await session.execute(
                    select(func.count(), func.min(HandoffMessage.at)).where(
                        HandoffMessage.chat_id == chat_id
                    )
                )
            ).one()
        if not count:
            return []
        day = f"{first:%Y-%m-%d}"
        if language == "fr":
            plural = "s" if count > 1 else ""
            return [f"{count} message{plural} conservé{plural} (chiffré{plural}), depuis le {day}"]
        noun = "message" if count == 1 else "messages"
        # /mydata puts the registry's title ("Conversations with the clinic team") first.
        return [f"{count} {noun} stored (encrypted), since {day}"]

    async def erase(self, chat_id: int) -> int:
        """Delete the chat's conversations and end its handoff (for /forget)."""
        async with self._database.sessions.begin() as session:
            messages = await session.execute(
                delete(HandoffMessage).where(HandoffMessage.chat_id == chat_id)
            )
            handoffs = await session.execute(delete(Handoff).where(Handoff.chat_id == chat_id))
            return sum(int(getattr(result, "rowcount", 0) or 0) for result in (messages, handoffs))
