"""Saving intakes: every answer is written (encrypted) before the patient gets a reply."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.core.recent import RecentMemory
from bot.intake.engine import IntakeState, Status
from bot.intake.flow_file import LoadedFlow
from bot.storage.database import Database
from bot.storage.encryption import DecryptionError, FieldCipher
from bot.storage.intake_tables import IntakeFlowVersion, IntakeSession

Clock = Callable[[], datetime]
# Served by the chat_id index; the status test is done on the chat's few rows.
_HAS_OPEN_SQL = (
    f"SELECT 1 FROM {IntakeSession.__tablename__} WHERE chat_id = ? AND status = ? LIMIT 1"
)
_COLUMNS = tuple(IntakeSession.__table__.columns)
_LATEST_OPEN_SQL = (
    f"SELECT {', '.join(column.name for column in _COLUMNS)} "
    f"FROM {IntakeSession.__tablename__} WHERE chat_id = ? AND status = ? ORDER BY id DESC LIMIT 1"
)
_SAVED_COLUMNS = ("status", "updated_at", "submitted_at", "state", "summary")
_CREATED_COLUMNS = (
    "chat_id", "flow_digest", "flow_version", "status", "appointment_ref", "started_at",
    "updated_at", "state",
)  # fmt: skip
_CREATE_SQL = (
    f"INSERT INTO {IntakeSession.__tablename__} ({', '.join(_CREATED_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _CREATED_COLUMNS)})"
)
_SAVE_SQL = (
    f"UPDATE {IntakeSession.__tablename__} SET "
    f"{', '.join(f'{name} = ?' for name in _SAVED_COLUMNS)} WHERE id = ?"
)
# Open intakes whose last stored state this process wrote or read (see `_known`).
KNOWN_STATES = 256


class IntakeRecord(NamedTuple):
    """An intake row as read on the hot path, by either route (the SQLite file directly or
    the async session), with the column types the session gives: one record type, so the
    rest of the repository cannot tell the routes apart."""

    id: int
    chat_id: int
    flow_digest: str
    flow_version: str
    status: str
    appointment_ref: str | None
    started_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    state: bytes
    summary: bytes | None


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


@dataclass
class StoredIntake:
    """An intake as the conversation and the CLI see it (decrypted)."""

    id: int
    chat_id: int
    flow_digest: str
    flow_version: str
    status: Status
    started_at: datetime
    updated_at: datetime
    state: IntakeState
    appointment_ref: str | None = None
    submitted_at: datetime | None = None
    summary: dict[str, Any] | None = None


class IntakeRepository:
    """Intake sessions and flow versions in the database, answers encrypted."""

    def __init__(self, database: Database, cipher: FieldCipher, clock: Clock = utc_now) -> None:
        self._database = database
        self._cipher = cipher
        self._clock = clock
        # Intake id -> (chat, the state's stored ciphertext, that state). Every answer reads
        # the open intake back; when the row still holds the very ciphertext this process
        # last wrote or read, its state is that one, so it is not decrypted and parsed
        # again. Fernet tokens carry a random IV, so any other write (another process,
        # another key) has other bytes and is decrypted as usual.
        self._known: RecentMemory[int, tuple[int, bytes, IntakeState]] = RecentMemory(KNOWN_STATES)
        # Flow versions are never deleted, so one known to be stored stays stored.
        self._stored_flows: set[str] = set()
        self._flow_lock = asyncio.Lock()
        # The driver's own conversions (dates as SQLite text, bytes), for the direct
        # reads and writes below: rows read back exactly as the session reads them.
        self._from_sql = database.row_converter(_COLUMNS)
        self._to_sql = self._bind_processors(_SAVED_COLUMNS)
        self._to_sql_created = self._bind_processors(_CREATED_COLUMNS)

    def _bind_processors(self, names: tuple[str, ...]) -> list[Callable[[Any], Any] | None]:
        dialect = self._database.engine.dialect
        return [
            IntakeSession.__table__.c[name].type.dialect_impl(dialect).bind_processor(dialect)
            for name in names
        ]

    async def remember_flow(self, loaded: LoadedFlow) -> None:
        """Keep a copy of a flow definition, once per distinct hash."""
        if loaded.digest in self._stored_flows:
            return
        async with self._flow_lock:  # one chat of this process stores it, the rest wait
            if loaded.digest in self._stored_flows:
                return
            try:
                async with self._database.sessions.begin() as session:
                    if await session.get(IntakeFlowVersion, loaded.digest) is None:
                        session.add(
                            IntakeFlowVersion(
                                digest=loaded.digest,
                                flow_id=loaded.flow.id,
                                version=loaded.flow.version,
                                definition=json.dumps(loaded.definition),
                                created_at=self._clock(),
                            )
                        )
            except IntegrityError:
                pass  # another process stored the same version a moment earlier
            self._stored_flows.add(loaded.digest)

    async def flow_definition(self, digest: str) -> Any | None:
        """The stored definition with `digest`, if any."""
        async with self._database.sessions() as session:
            row = await session.get(IntakeFlowVersion, digest)
            return json.loads(row.definition) if row is not None else None

    def _remember(self, intake_id: int, chat_id: int, token: bytes, state: IntakeState) -> None:
        """Keep the state just written or read, while the intake is open."""
        if state.status is not Status.IN_PROGRESS:
            self._known.pop(intake_id, None)
            return
        self._known.remember(intake_id, (chat_id, token, state.copy()))

    def _state_of(self, row: IntakeSession | IntakeRecord) -> IntakeState:
        """The row's state: decrypted, or this process's copy when the row holds exactly
        the ciphertext it last wrote or read."""
        known = self._known.get(row.id)
        if known is not None and known[1] == row.state:
            return known[2].copy()
        state = IntakeState.from_json(self._cipher.decrypt_json(row.state))
        self._remember(row.id, row.chat_id, row.state, state)
        return state

    def _forget(self, *, intake_id: int | None = None, chat_id: int | None = None) -> None:
        """Drop kept states of deleted intakes: no patient data outlives its row."""
        if intake_id is not None:
            self._known.pop(intake_id, None)
        if chat_id is not None:
            for key in [k for k, (chat, _, _) in self._known.items() if chat == chat_id]:
                del self._known[key]

    def _stored(self, row: IntakeSession | IntakeRecord) -> StoredIntake:
        state = self._state_of(row)
        # The status column is authoritative: the abandon sweep updates it without the key.
        state.status = Status(row.status)
        return StoredIntake(
            id=row.id,
            chat_id=row.chat_id,
            flow_digest=row.flow_digest,
            flow_version=row.flow_version,
            status=Status(row.status),
            started_at=row.started_at,
            updated_at=row.updated_at,
            state=state,
            appointment_ref=row.appointment_ref,
            submitted_at=row.submitted_at,
            summary=self._cipher.decrypt_json(row.summary) if row.summary else None,
        )

    async def create(
        self,
        chat_id: int,
        loaded: LoadedFlow,
        state: IntakeState,
        appointment_ref: str | None = None,
    ) -> StoredIntake:
        """Start a new intake for `chat_id` on `loaded`."""
        await self.remember_flow(loaded)
        now = self._clock()
        token = self._cipher.encrypt_json(state.to_json())
        values = (
            chat_id, loaded.digest, loaded.flow.version, state.status.value, appointment_ref,
            now, now, token,
        )  # fmt: skip
        # One INSERT straight to the file when it can, as every answer's save.
        parameters = [
            value if convert is None else convert(value)
            for value, convert in zip(values, self._to_sql_created, strict=True)
        ]
        intake_id = self._database.insert_now(_CREATE_SQL, parameters)
        if intake_id is None:
            async with self._database.sessions.begin() as session:
                row = IntakeSession(**dict(zip(_CREATED_COLUMNS, values, strict=True)))
                session.add(row)
                await session.flush()
                intake_id = row.id
        record = IntakeRecord(
            intake_id, chat_id, loaded.digest, loaded.flow.version, state.status.value,
            appointment_ref, now, now, None, token, None,
        )  # fmt: skip
        self._remember(intake_id, chat_id, token, state)
        return self._stored(record)

    async def save(self, intake: StoredIntake) -> None:
        """Write the intake's state, status and summary."""
        now = self._clock()
        intake.updated_at = now
        intake.status = intake.state.status
        if intake.status is Status.SUBMITTED and intake.submitted_at is None:
            intake.submitted_at = now
        token = self._cipher.encrypt_json(intake.state.to_json())
        values: dict[str, Any] = {
            "status": intake.status.value,
            "updated_at": now,
            "submitted_at": intake.submitted_at,
            "state": token,
            "summary": (
                self._cipher.encrypt_json(intake.summary) if intake.summary is not None else None
            ),
        }
        # Every answer is saved here: one UPDATE by key, straight to the file when it can.
        parameters = [
            value if convert is None else convert(value)
            for value, convert in zip(values.values(), self._to_sql, strict=True)
        ]
        # Forgotten first: should the write fail, no kept state may claim to be stored.
        self._known.pop(intake.id, None)
        if self._database.write_now(_SAVE_SQL, (*parameters, intake.id)) is None:
            async with self._database.sessions.begin() as session:
                await session.execute(
                    update(IntakeSession).where(IntakeSession.id == intake.id).values(**values)
                )
        self._remember(intake.id, intake.chat_id, token, intake.state)

    async def get(self, intake_id: int) -> StoredIntake | None:
        """The intake with `intake_id`, if any."""
        async with self._database.sessions() as session:
            row = await session.get(IntakeSession, intake_id)
            return self._stored(row) if row is not None else None

    async def status_of(self, intake_id: int) -> Status | None:
        """Where the intake with `intake_id` stands (None: no such intake), read without
        decrypting its answers."""
        async with self._database.sessions() as session:
            status = await session.scalar(
                select(IntakeSession.status).where(IntakeSession.id == intake_id)
            )
        return Status(status) if status is not None else None

    async def latest_open(self, chat_id: int) -> StoredIntake | None:
        """The chat's newest in-progress intake, if any.

        Read for every answer, so straight from the file when it can (as `has_open`)."""
        rows = self._database.read_now(_LATEST_OPEN_SQL, (chat_id, Status.IN_PROGRESS.value))
        if rows is None:
            async with self._database.sessions() as session:
                result = await session.execute(
                    select(*_COLUMNS)
                    .where(
                        IntakeSession.chat_id == chat_id,
                        IntakeSession.status == Status.IN_PROGRESS.value,
                    )
                    .order_by(IntakeSession.id.desc())
                    .limit(1)
                )
                found = result.first()
            return self._stored(IntakeRecord._make(found)) if found is not None else None
        return self._stored(self._converted(rows[0])) if rows else None

    def _converted(self, values: tuple[Any, ...]) -> IntakeRecord:
        """A row read from the file directly, converted by SQLAlchemy's own column
        processors (dates from SQLite text), so it equals what the session reads."""
        return IntakeRecord._make(self._from_sql(values))

    async def has_open(self, chat_id: int) -> bool:
        """Whether the chat has an in-progress intake (no decryption needed).

        Asked for every typed message of every chat, so it reads the file directly when it
        can (microseconds, and it sees intakes other processes started or closed).
        """
        rows = self._database.read_now(_HAS_OPEN_SQL, (chat_id, Status.IN_PROGRESS.value))
        if rows is not None:
            return bool(rows)
        async with self._database.sessions() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(IntakeSession)
                .where(
                    IntakeSession.chat_id == chat_id,
                    IntakeSession.status == Status.IN_PROGRESS.value,
                )
            )
            return bool(count)

    async def for_chat(self, chat_id: int) -> list[StoredIntake]:
        """Every intake of a chat, oldest first."""
        async with self._database.sessions() as session:
            rows = await session.scalars(
                select(IntakeSession)
                .where(IntakeSession.chat_id == chat_id)
                .order_by(IntakeSession.id)
            )
            return [self._stored(row) for row in rows]

    async def all(self) -> list[StoredIntake]:
        """Every intake, oldest first."""
        async with self._database.sessions() as session:
            rows = await session.scalars(select(IntakeSession).order_by(IntakeSession.id))
            return [self._stored(row) for row in rows]

    async def listing(self) -> list[tuple[IntakeSession, StoredIntake | None]]:
        """Every intake row, oldest first, with its decrypted form (None when the current
        key cannot read it: listing still works whatever the key)."""
        async with self._database.sessions() as session:
            rows = list(await session.scalars(select(IntakeSession).order_by(IntakeSession.id)))
        listed: list[tuple[IntakeSession, StoredIntake | None]] = []
        for row in rows:
            try:
                listed.append((row, self._stored(row)))
            except DecryptionError:
                listed.append((row, None))
        return listed

    async def sent_for_chat(self, chat_id: int) -> list[str]:
        """The chat's intakes that reached the clinic (submitted, or stopped by an emergency),
        as the staff audit names them ("intake:12"): what an erase takes from the inbox."""
        async with self._database.sessions() as session:
            ids = await session.scalars(
                select(IntakeSession.id).where(
                    IntakeSession.chat_id == chat_id,
                    IntakeSession.status.in_(
                        (Status.SUBMITTED.value, Status.STOPPED_EMERGENCY.value)
                    ),
                )
            )
            return [f"intake:{intake_id}" for intake_id in ids]

    async def delete_for_chat(self, chat_id: int) -> int:
        """Delete every intake of a chat; how many were removed."""
        self._forget(chat_id=chat_id)
        async with self._database.sessions.begin() as session:
            result = await session.execute(
                delete(IntakeSession).where(IntakeSession.chat_id == chat_id)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def delete(self, intake_id: int) -> None:
        """Delete one intake (e.g. when consent is declined)."""
        self._forget(intake_id=intake_id)
        async with self._database.sessions.begin() as session:
            await session.execute(delete(IntakeSession).where(IntakeSession.id == intake_id))

    async def mark_abandoned(self, idle_since: datetime) -> int:
        """Mark in-progress intakes not touched since `idle_since` abandoned; how many."""
        async with self._database.sessions.begin() as session:
            result = await session.execute(
                update(IntakeSession)
                .where(
                    IntakeSession.status == Status.IN_PROGRESS.value,
                    IntakeSession.updated_at < idle_since,
                )
                .values(status=Status.ABANDONED.value)
            )
            return int(getattr(result, "rowcount", 0) or 0)
