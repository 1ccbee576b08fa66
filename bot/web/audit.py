"""The console's audit log: who did what, when, to which record (never the record itself)."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy import select

from bot.storage.console_tables import AuditEntry
from bot.storage.database import Database
from bot.web.accounts import Account, Clock, utc_now


def command_line_actor() -> str:
    """Who ran an `ims-bot` command, for the audit log: the operating-system user."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or passwd
        user = f"uid {os.getuid()}"
    return f"{user} (command line)"


class Marked(Enum):
    """What a mark (an alert handled, an intake reviewed) did: only a change is audited,
    so a second click, or two people clicking at once, is not a second action."""

    NOW = "now"
    ALREADY = "already"


@dataclass(frozen=True)
class AuditRecord:
    """One line of the audit log."""

    at: datetime
    email: str
    action: str
    target: str | None
    id: int = 0  # the line's place in the log: older lines have smaller ids


class AuditLog:
    """Appends and reads audit lines."""

    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self._database = database
        self._clock = clock

    async def write(self, who: Account | str, action: str, target: str | None = None) -> None:
        """Record that `who` did `action` (e.g. view_intake) on `target` (e.g. intake:12)."""
        await self.write_many(who, action, [target])

    async def write_many(self, who: Account | str, action: str, targets: list[str | None]) -> None:
        """One line per target, in one transaction (e.g. every intake a list showed)."""
        account_id = who.id if isinstance(who, Account) else None
        email = (who.email if isinstance(who, Account) else who)[:254]
        now = self._clock()
        async with self._database.sessions.begin() as session:
            session.add_all(
                AuditEntry(at=now, account_id=account_id, email=email, action=action, target=t)
                for t in targets
            )

    async def recent(
        self,
        limit: int = 500,
        target: str | None = None,
        *,
        who: str | None = None,
        before: int | None = None,
    ) -> list[AuditRecord]:
        """The newest lines first; only those about `target`, by `who` (an e-mail, or the
        command line's actor) or older than line `before`, when given."""
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if target is not None:
            query = query.where(AuditEntry.target == target)
        if who is not None:
            query = query.where(AuditEntry.email == who)
        if before is not None:
            query = query.where(AuditEntry.id < before)
        async with self._database.sessions() as session:
            rows = await session.scalars(query)
            return [AuditRecord(row.at, row.email, row.action, row.target, row.id) for row in rows]
