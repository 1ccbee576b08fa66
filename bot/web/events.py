"""Staff events (emergency, urgent, contact request) for the console, and the staff-note
policy wired from settings. An event holds a time, a chat id and a rule, never text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from bot.core.assistant import ChatRef
from bot.core.replies import Reply
from bot.core.staff_notes import CHECK_IN, EMERGENCY, URGENT, StaffNotes
from bot.storage.console_tables import StaffEvent
from bot.storage.database import Database
from bot.web.accounts import Clock, utc_now

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.features import FeatureHost

KIND_LABELS = {
    "emergency": "Emergency",
    "urgent": "Urgent",
    "contact_request": "Contact request",
    CHECK_IN: "Check-in call-back",
}
FRENCH_KIND_LABELS = {
    "emergency": "Urgence vitale",
    "urgent": "Urgence",
    "contact_request": "Demande de contact",
    CHECK_IN: "Rappel après le suivi",
}


@dataclass(frozen=True)
class EventRecord:
    """One stored event."""

    id: int
    at: datetime
    kind: str
    chat_id: int
    rule: str | None
    intake_id: int | None
    handled_at: datetime | None
    handled_by: str | None

    @property
    def label(self) -> str:
        """The kind as staff read it."""
        return KIND_LABELS.get(self.kind, self.kind)


class StaffEventLog:
    """Records and lists staff events; part of /mydata and /forget (they name a chat)."""

    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self._database = database
        self._clock = clock

    async def record(
        self, kind: str, chat_id: int, rule: str | None, intake_id: int | None
    ) -> None:
        """Store one event (the `EventSink` of `StaffNotes`)."""
        async with self._database.sessions.begin() as session:
            session.add(
                StaffEvent(
                    at=self._clock(), kind=kind, chat_id=chat_id, rule=rule, intake_id=intake_id
                )
            )

    async def recent(self, kinds: tuple[str, ...], limit: int = 200) -> list[EventRecord]:
        """The newest events of these kinds first."""
        async with self._database.sessions() as session:
            rows = await session.scalars(
                select(StaffEvent)
                .where(StaffEvent.kind.in_(kinds))
                .order_by(StaffEvent.id.desc())
                .limit(limit)
            )
            return [_record(row) for row in rows]

    async def mark_handled(self, event_id: int, by: str) -> bool:
        """Mark an event handled; False when it does not exist."""
        async with self._database.sessions.begin() as session:
            row = await session.get(StaffEvent, event_id)
            if row is None:
                return False
            if row.handled_at is None:
                row.handled_at = self._clock()
                row.handled_by = by
            return True

    async def describe(self, chat_id: int, language: str = "en") -> list[str]:
        """What is held about a chat (for /mydata), in `language`."""
        async with self._database.sessions() as session:
            rows = list(
                await session.scalars(select(StaffEvent).where(StaffEvent.chat_id == chat_id))
            )
        if language == "fr":
            return [
                f"{FRENCH_KIND_LABELS.get(row.kind, row.kind)} notée le {row.at:%Y-%m-%d}"
                for row in rows
            ]
        return [f"{KIND_LABELS.get(row.kind, row.kind)} noted {row.at:%Y-%m-%d}" for row in rows]

    async def erase(self, chat_id: int) -> int:
        """Delete a chat's events (for /forget)."""
        async with self._database.sessions.begin() as session:
            result = await session.execute(delete(StaffEvent).where(StaffEvent.chat_id == chat_id))
            return int(getattr(result, "rowcount", 0) or 0)


def _record(row: StaffEvent) -> EventRecord:
    return EventRecord(
        row.id, row.at, row.kind, row.chat_id, row.rule, row.intake_id, row.handled_at,
        row.handled_by,
    )  # fmt: skip


def staff_notes_from(settings: Settings, log: StaffEventLog) -> StaffNotes:
    """The staff-note policy for these settings: bare notes and links when the console is on."""
    console = settings.console
    return StaffNotes(
        console_url=console.public_base_url if console.enabled else None, record=log.record
    )


def register_staff_events(host: FeatureHost, database: Database) -> StaffEventLog:
    """Record every emergency and urgent reply the safety stage gives (chat and rule, never
    the text), and cover the events in /mydata, /forget."""
    log = StaffEventLog(database)

    async def on_emergency(chat: ChatRef, rule_id: str) -> list[Reply]:
        await log.record(EMERGENCY, chat.chat_id, rule_id, None)
        return []

    async def on_urgent(chat: ChatRef, rule_id: str) -> list[Reply]:
        await log.record(URGENT, chat.chat_id, rule_id, None)
        return []

    host.assistant.add_emergency_listener(on_emergency)
    host.assistant.add_urgent_listener(on_urgent)
    host.personal_data.register(
        "Staff notices",
        log.describe,
        log.erase,
        titles={"fr": "Avis au personnel"},
        describe_in=log.describe,
    )
    return log
