"""Saving intakes: every answer is written (encrypted) before the patient gets a reply."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

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

    async def remember_flow(self, loaded: LoadedFlow) -> None:
        """Keep a copy of a flow definition, once per distinct hash."""
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
            pass  # another chat (or process) stored the same version a moment earlier

    async def flow_definition(self, digest: str) -> Any | None:
        """The stored definition with `digest`, if any."""
        async with self._database.sessions() as session:
            row = await session.get(IntakeFlowVersion, digest)
            return json.loads(row.definition) if row is not None else None

    def _stored(self, row: IntakeSession) -> StoredIntake:
        state = IntakeState.from_json(self._cipher.decrypt_json(row.state))
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
        async with self._database.sessions.begin() as session:
            row = IntakeSession(
                chat_id=chat_id,
                flow_digest=loaded.digest,
                flow_version=loaded.flow.version,
                status=state.status.value,
                appointment_ref=appointment_ref,
                started_at=now,
                updated_at=now,
                state=self._cipher.encrypt_json(state.to_json()),
            )
            session.add(row)
            await session.flush()
            return self._stored(row)

    async def save(self, intake: StoredIntake) -> None:
        """Write the intake's state, status and summary."""
        now = self._clock()
        intake.updated_at = now
        intake.status = intake.state.status
        if intake.status is Status.SUBMITTED and intake.submitted_at is None:
            intake.submitted_at = now
        values: dict[str, Any] = {
            "status": intake.status.value,
            "updated_at": now,
            "submitted_at": intake.submitted_at,
            "state": self._cipher.encrypt_json(intake.state.to_json()),
            "summary": (
                self._cipher.encrypt_json(intake.summary) if intake.summary is not None else None
            ),
        }
        async with self._database.sessions.begin() as session:
            await session.execute(
                update(IntakeSession).where(IntakeSession.id == intake.id).values(**values)
            )

    async def get(self, intake_id: int) -> StoredIntake | None:
        """The intake with `intake_id`, if any."""
        async with self._database.sessions() as session:
            row = await session.get(IntakeSession, intake_id)
            return self._stored(row) if row is not None else None

    async def latest_open(self, chat_id: int) -> StoredIntake | None:
        """The chat's newest in-progress intake, if any."""
        async with self._database.sessions() as session:
            row = await session.scalar(
                select(IntakeSession)
                .where(
                    IntakeSession.chat_id == chat_id,
                    IntakeSession.status == Status.IN_PROGRESS.value,
                )
                .order_by(IntakeSession.id.desc())
                .limit(1)
            )
            return self._stored(row) if row is not None else None

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

    async def delete_for_chat(self, chat_id: int) -> int:
        """Delete every intake of a chat; how many were removed."""
        async with self._database.sessions.begin() as session:
            result = await session.execute(
                delete(IntakeSession).where(IntakeSession.chat_id == chat_id)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    async def delete(self, intake_id: int) -> None:
        """Delete one intake (e.g. when consent is declined)."""
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
