"""Key rotation for encrypted intake fields: detect rows under another key, re-encrypt them.

A changed DATA_ENCRYPTION_KEY must never silently abandon what was stored under the old
one: start-up counts rows the current key cannot read and says what to do, and
`ims-bot intake rekey --old-key …` re-encrypts every such row under the current key.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from bot.storage.database import Database
from bot.storage.encryption import DecryptionError, FieldCipher
from bot.storage.intake_tables import IntakeSession

# What to do about intakes stored with an earlier key (said at start and by the CLI).
REKEY_HINT = "run `ims-bot intake rekey --old-key=<the previous key>`"


@dataclass(frozen=True)
class RekeyReport:
    """What a rekey pass did."""

    rekeyed: int = 0  # read with the old key, now under the current one
    current: int = 0  # already readable with the current key
    unreadable: int = 0  # neither key reads them: kept untouched


def _readable(cipher: FieldCipher, token: bytes | None) -> bool:
    if token is None:
        return True
    try:
        cipher.decrypt_text(token)
    except DecryptionError:
        return False
    return True


async def count_unreadable(database: Database, cipher: FieldCipher) -> int:
    """How many intake rows `cipher` cannot read (stored under another key)."""
    async with database.sessions() as session:
        rows = await session.execute(select(IntakeSession.state, IntakeSession.summary))
        return sum(
            1
            for state, summary in rows.all()
            if not (_readable(cipher, state) and _readable(cipher, summary))
        )


def _rekeyed(token: bytes | None, old: FieldCipher, new: FieldCipher) -> bytes | None:
    if token is None or _readable(new, token):
        return token
    return new.encrypt_text(old.decrypt_text(token))


async def rekey(database: Database, new: FieldCipher, old: FieldCipher) -> RekeyReport:
    """Re-encrypt under `new` every intake row that only `old` can read (one transaction)."""
    rekeyed = current = unreadable = 0
    async with database.sessions.begin() as session:
        rows = await session.execute(
            select(IntakeSession.id, IntakeSession.state, IntakeSession.summary)
        )
        for row_id, state, summary in rows.all():
            if _readable(new, state) and _readable(new, summary):
                current += 1
                continue
            try:
                values = {
                    "state": _rekeyed(state, old, new),
                    "summary": _rekeyed(summary, old, new),
                }
            except DecryptionError:
                unreadable += 1
                continue
            await session.execute(
                update(IntakeSession).where(IntakeSession.id == row_id).values(**values)
            )
            rekeyed += 1
    if rekeyed:
        await database.scrub()  # the old ciphertexts do not linger in the WAL
    return RekeyReport(rekeyed, current, unreadable)
