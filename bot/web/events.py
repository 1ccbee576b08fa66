"""Staff events (emergency, urgent, cautious answers, self-harm words, check-ins, contact
requests) for the console, and the staff-note policy wired from settings. An event holds a
time, a chat id and a rule, never text; /forget leaves an alert nobody handled yet as a bare
marker (its kind and time) until someone does."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update

from bot.core.staff_notes import (
    CAUTION,
    CHECK_IN,
    CONTACT_REQUEST,
    EMERGENCY,
    SELF_HARM,
    URGENT,
    AppointmentLookup,
    StaffNotes,
)
from bot.reminders.messages import staff_line
from bot.reminders.repository import AppointmentRepository
from bot.storage.console_tables import StaffEvent
from bot.storage.database import Database
from bot.web.accounts import Clock, utc_now
from bot.web.audit import Marked

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.core.features import FeatureHost

KIND_LABELS = {
    EMERGENCY: "Emergency",
    URGENT: "Urgent",
    CONTACT_REQUEST: "Contact request",
    CHECK_IN: "Check-in call-back",
    CAUTION: "Answered cautiously",
    SELF_HARM: "Self-harm words",
}
FRENCH_KIND_LABELS = {
    EMERGENCY: "Urgence vitale",
    URGENT: "Urgence",
    CONTACT_REQUEST: "Demande de contact",
    CHECK_IN: "Rappel après le suivi",
    CAUTION: "Réponse prudente",
    SELF_HARM: "Mots d'automutilation",
}
# The kinds on the Alerts page's first table (contact requests have their own).
ALERT_KINDS = (EMERGENCY, URGENT, CHECK_IN, CAUTION, SELF_HARM)
# The appointments linked to each of several chats, as staff read them (the Alerts page).
AppointmentsOfChats = Callable[[Collection[int]], Awaitable[dict[int, list[str]]]]
# The appointments an alert names: the nearest to now, past or to come, cancelled ones left out.
APPOINTMENTS_NAMED = 3


@dataclass(frozen=True)
class EventRecord:
    """One stored event."""

    id: int
    at: datetime
    kind: str
    chat_id: int | None  # None: erased at the patient's request
    rule: str | None
    intake_id: int | None
    handled_at: datetime | None
    handled_by: str | None
    erased_at: datetime | None = None

    @property
    def label(self) -> str:
        """The kind as staff read it."""
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def erased(self) -> bool:
        """Whether the patient's /forget left only this marker (no chat, no rule)."""
        return self.erased_at is not None


class StaffEventLog:
    """Records and lists staff events; part of /mydata and /forget (they name a chat)."""

    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self._database = database
        self._clock = clock

    async def record(self, kind: str, chat_id: int, rule: str | None, intake_id: int | None) -> int:
        """Store one event (the `EventSink` of `StaffNotes`); its number."""
        row = StaffEvent(
            at=self._clock(), kind=kind, chat_id=chat_id, rule=(rule or None) and rule[:64],
            intake_id=intake_id,
        )  # fmt: skip
        async with self._database.sessions.begin() as session:
            session.add(row)
            await session.flush()
            return row.id

    async def waiting(self, kind: str, chat_id: int, since: datetime) -> bool:
        """Whether an event of `kind` for this chat, recorded since `since`, is not handled
        yet (the `WaitingLookup` of `StaffNotes`)."""
        async with self._database.sessions() as session:
            found = await session.scalar(
                select(StaffEvent.id)
                .where(
                    StaffEvent.kind == kind,
                    StaffEvent.chat_id == chat_id,
                    StaffEvent.at >= since,
                    StaffEvent.handled_at.is_(None),
                )
                .limit(1)
            )
        return found is not None

    async def get(self, event_id: int) -> EventRecord | None:
        """One event, or None."""
        async with self._database.sessions() as session:
            row = await session.get(StaffEvent, event_id)
            return _record(row) if row is not None else None

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

    async def mark_handled(self, event_id: int, by: str) -> Marked | None:
        """Mark an event handled (who marked it first stays); None when it does not exist."""
        async with self._database.sessions.begin() as session:
            # Marked only if nobody has yet: two people clicking at once change it once.
            changed = await session.execute(
                update(StaffEvent)
                .where(StaffEvent.id == event_id, StaffEvent.handled_at.is_(None))
                .values(handled_at=self._clock(), handled_by=by)
            )
            if changed.rowcount:  # type: ignore[attr-defined]
                return Marked.NOW
            exists = await session.scalar(select(StaffEvent.id).where(StaffEvent.id == event_id))
            return Marked.ALREADY if exists is not None else None

    async def describe(self, chat_id: int, language: str = "en") -> list[str]:
        """What is held about a chat (for /mydata), in `language`."""
        async with self._database.sessions() as session:
            rows = list(
                await session.scalars(select(StaffEvent).where(StaffEvent.chat_id == chat_id))
            )
        # One line per kind and day, with how many: a chat with many alerts in a day reads
        # as a count, not as the same line again and again.
        days = Counter((row.kind, f"{row.at:%Y-%m-%d}") for row in rows)
        if language == "fr":
            return [
                f"{FRENCH_KIND_LABELS.get(kind, kind)} notée le {day}"
                + (f" ({count} fois)" if count > 1 else "")
                for (kind, day), count in days.items()
            ]
        return [
            f"{KIND_LABELS.get(kind, kind)} noted {day}"
            + (f" ({count} times)" if count > 1 else "")
            for (kind, day), count in days.items()
        ]

    async def markers_left(self, chat_id: int) -> list[str]:
        """The alerts /forget would leave as markers (unhandled), as the audit names them."""
        async with self._database.sessions() as session:
            ids = await session.scalars(
                select(StaffEvent.id).where(
                    StaffEvent.chat_id == chat_id, StaffEvent.handled_at.is_(None)
                )
            )
            return [f"event:{event_id}" for event_id in ids]

    async def erase(self, chat_id: int) -> int:
        """Delete a chat's handled events (for /forget); an alert nobody handled yet stays as
        a marker (kind and time, no chat, rule or intake) so staff still see that it was
        raised, until someone marks it handled."""
        async with self._database.sessions.begin() as session:
            deleted = await session.execute(
                delete(StaffEvent).where(
                    StaffEvent.chat_id == chat_id, StaffEvent.handled_at.is_not(None)
                )
            )
            kept = await session.execute(
                update(StaffEvent)
                .where(StaffEvent.chat_id == chat_id)
                .values(chat_id=None, rule=None, intake_id=None, erased_at=self._clock())
            )
            return sum(int(getattr(result, "rowcount", 0) or 0) for result in (deleted, kept))


def _record(row: StaffEvent) -> EventRecord:
    return EventRecord(
        row.id, row.at, row.kind, row.chat_id, row.rule, row.intake_id, row.handled_at,
        row.handled_by, row.erased_at,
    )  # fmt: skip


def linked_appointments_of(
    repository: AppointmentRepository, tz: ZoneInfo, clock: Clock = utc_now
) -> AppointmentsOfChats:
    """Lines naming the appointments linked to each chat (reference, time, clinician, type),
    read in one query: the nearest to now first chosen, then told in time order."""

    async def lookup(chat_ids: Collection[int]) -> dict[int, list[str]]:
        now = clock()
        named: dict[int, list[str]] = {}
        for chat_id, linked in (await repository.for_chats(chat_ids)).items():
            found = [a for a in linked if not a.is_cancelled]
            nearest = sorted(found, key=lambda a: abs(a.starts_at - now))[:APPOINTMENTS_NAMED]
            named[chat_id] = [staff_line(a, tz) for a in sorted(nearest, key=lambda a: a.starts_at)]
        return named

    return lookup


def linked_appointments(
    repository: AppointmentRepository, tz: ZoneInfo, clock: Clock = utc_now
) -> AppointmentLookup:
    """`linked_appointments_of` for one chat (what a staff note names)."""
    of_chats = linked_appointments_of(repository, tz, clock)

    async def lookup(chat_id: int) -> list[str]:
        return (await of_chats((chat_id,)))[chat_id]

    return lookup


def staff_notes_from(
    settings: Settings, log: StaffEventLog, appointments: AppointmentLookup | None = None
) -> StaffNotes:
    """The staff-note policy for these settings: bare notes and links when the console is on;
    alerts name the chat's linked appointments with `appointments`."""
    console = settings.console
    url = console.public_base_url if console.enabled else None
    if appointments is None:
        return StaffNotes(console_url=url, record=log.record, waiting=log.waiting)
    return StaffNotes(
        console_url=url, record=log.record, appointments=appointments, waiting=log.waiting
    )


def register_staff_events(
    host: FeatureHost, database: Database, notes: StaffNotes | None = None
) -> StaffEventLog:
    """Record every safety alert (emergency, urgent, cautious answer, self-harm words: chat
    and rule, never the text) through `notes`, which words its staff note, and cover the
    events in /mydata, /forget."""
    log = StaffEventLog(database)
    notes = notes if notes is not None else StaffNotes(record=log.record, waiting=log.waiting)
    host.assistant.set_alert_recorder(notes.safety_alert)
    host.personal_data.register(
        "Staff notices",
        log.describe,
        log.erase,
        titles={"fr": "Avis au personnel"},
        describe_in=log.describe,
        staff_trace=log.markers_left,
    )
    return log
