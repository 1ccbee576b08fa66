"""Staff accounts: roles, Argon2id passwords, one-time set-password links, lock-out, sessions.

Tokens (set-password links and session cookies) are random and stored only as their
SHA-256 hash, so a copy of the database lets nobody sign in.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.console_tables import (
    LoginAttempt,
    StaffAccount,
    StaffPasswordToken,
    StaffSession,
)
from bot.storage.database import Database

Clock = Callable[[], datetime]
LOCK_AFTER_FAILURES = 10  # the tenth wrong password in a row locks the account
PASSWORD_LINK_LIFETIME = timedelta(hours=72)
SESSION_LIFETIME = timedelta(hours=8)  # one working day; then sign in again
# A session unused this long ends (a front-desk screen left signed in shows health data).
SESSION_IDLE = timedelta(minutes=30)
# A session used again is extended at most this often: one write a minute, not one per page.
SESSION_TOUCH_EVERY = timedelta(minutes=1)
MIN_PASSWORD_LENGTH = 12
# "aaaaaaaaaaaa" and "121212121212" are long enough and guessed at once.
MIN_DISTINCT_CHARACTERS = 5
# Sign-in attempts (address, e-mail, outcome) are kept this long for an admin looking into
# a lock-out, then deleted: the limit by address needs only ADDRESS_WINDOW.
LOGIN_ATTEMPT_RETENTION = timedelta(days=30)
# Per browser address: wrong passwords (any account) before further tries are refused.
ADDRESS_FAILURES_ALLOWED = 30
ADDRESS_WINDOW = timedelta(minutes=15)
# Argon2id (the library's default type) with its RFC 9106 low-memory profile.
_HASHER = PasswordHasher()
# Verified against when the e-mail is unknown, so a wrong address takes as long as a
# wrong password and does not reveal which addresses have accounts. Made when the first
# StaffAccounts is, not at import: every command that imports this module (the bot's
# start-up, `ims-bot --help`) would otherwise pay for a hash it never uses.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    """The hash an unknown address is checked against (made once per process)."""
    global _DUMMY_HASH  # one value per process; tests replace it
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))
    return _DUMMY_HASH


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    """The stored form of a one-time token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Role(StrEnum):
    """What a staff member may see; each role includes the one before it."""

    FRONT_DESK = "front_desk"  # appointments, reminders, contact requests, questions
    CLINICIAN = "clinician"  # + intakes
    ADMIN = "admin"  # + staff accounts and the audit log

    @property
    def rank(self) -> int:
        """Position in the order front desk < clinician < admin."""
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what `needed` may."""
        return self.rank >= needed.rank


def role_action(role: Role) -> str:
    """The audit action for giving an account `role` (the log keeps what it became)."""
    return f"staff_role_{role.value}"


class AccountError(Exception):
    """A staff command or form cannot be done; the message says why."""


@dataclass(frozen=True)
class Account:
    """A staff account as the console and the CLI see it."""

    id: int
    email: str
    role: Role
    disabled: bool
    locked: bool
    has_password: bool
    created_at: datetime

    @property
    def state(self) -> str:
        """One word for lists: active, disabled, locked or invited."""
        if self.disabled:
            return "disabled"
        if self.locked:
            return "locked"
        return "active" if self.has_password else "invited"


@dataclass(frozen=True)
class LoginResult:
    """What a password attempt did."""

    account: Account | None = None  # set when signed in
    locked_now: Account | None = None  # set when this attempt locked the account
    throttled: bool = False  # too many wrong passwords from this address


def _account(row: StaffAccount) -> Account:
    return Account(
        id=row.id,
        email=row.email,
        role=Role(row.role),
        disabled=row.disabled,
        locked=row.locked_at is not None,
        has_password=row.password_hash is not None,
        created_at=row.created_at,
    )


def normalise_email(raw: str) -> str:
    """Lower-cased, trimmed; AccountError when it does not look like an address."""
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in email):
        raise AccountError(f"{raw.strip()!r} is not an e-mail address")
    if len(email) > 254:
        raise AccountError("that e-mail address is too long")
    return email


@dataclass(frozen=True)
class SessionInfo:
    """A signed-in browser: whose it is and its form token."""

    account: Account
    csrf_token: str


class StaffAccounts:
    """Accounts, set-password links, sign-in with lock-out, and browser sessions."""

    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self._database = database
        self._clock = clock
        _dummy_hash()  # now, so that the first unknown address is not the slow one

    # --- accounts -------------------------------------------------------------

    async def add(self, email: str, role: Role) -> tuple[Account, str]:
        """Create an account without a password; returns it and a set-password token."""
        address = normalise_email(email)
        async with self._database.sessions.begin() as session:
            existing = await session.scalar(
                select(StaffAccount).where(StaffAccount.email == address)
            )
            if existing is not None and existing.disabled:
                raise AccountError(
                    f"{address} already has an account, disabled; use "
                    f"`ims-bot staff enable {address}` to let them back in"
                )
            if existing is not None:
                raise AccountError(
                    f"{address} already has an account; use `ims-bot staff reset {address}` "
                    "for a new set-password link"
                )
            row = StaffAccount(
                email=address, role=role.value, created_at=self._clock(), failed_logins=0
            )
            session.add(row)
            await session.flush()
            token = self._new_link(session, row.id)
            return _account(row), token

    def _new_link(self, session: object, account_id: int) -> str:
        token = secrets.token_urlsafe(32)
        session.add(  # type: ignore[attr-defined]
            StaffPasswordToken(
                account_id=account_id,
                token_hash=hash_token(token),
                expires_at=self._clock() + PASSWORD_LINK_LIFETIME,
            )
        )
        return token

    async def reset_link(self, email: str) -> tuple[Account, str]:
        """A new set-password token for an account (also how a locked account is reopened)."""
        address = normalise_email(email)
        async with self._database.sessions.begin() as session:
            row = await self._row(session, address)
            if row.disabled:
                raise AccountError(
                    f"{address} is disabled; enable it first (`ims-bot staff enable {address}`)"
                )
            await session.execute(
                delete(StaffPasswordToken).where(StaffPasswordToken.account_id == row.id)
            )
            return _account(row), self._new_link(session, row.id)

    async def all(self) -> list[Account]:
        """Every account, by e-mail."""
        async with self._database.sessions() as session:
            rows = await session.scalars(select(StaffAccount).order_by(StaffAccount.email))
            return [_account(row) for row in rows]

    async def get(self, account_id: int) -> Account | None:
        """One account by id."""
        async with self._database.sessions() as session:
            row = await session.get(StaffAccount, account_id)
            return _account(row) if row is not None else None

    async def disable(self, email: str) -> Account:
        """Disable an account and end its sessions at once (not the only enabled admin)."""
        address = normalise_email(email)
        async with self._database.sessions.begin() as session:
            row = await self._row(session, address)
            if row.disabled:
                raise AccountError(f"{address} is already disabled")
            await self._keep_an_admin(session, row)
            row.disabled = True
            await session.execute(delete(StaffSession).where(StaffSession.account_id == row.id))
            await session.execute(
                delete(StaffPasswordToken).where(StaffPasswordToken.account_id == row.id)
            )
            return _account(row)

    async def enable(self, email: str) -> Account:
        """Let a disabled account sign in again (with its password as it was; a new
        set-password link is `reset_link`)."""
        address = normalise_email(email)
        async with self._database.sessions.begin() as session:
            row = await self._row(session, address)
            if not row.disabled:
                raise AccountError(f"{address} is not disabled")
            row.disabled = False
            return _account(row)

    async def set_role(self, email: str, role: Role) -> Account:
        """Change an account's role; its open sessions see the new role at their next page.

        The last enabled admin keeps the role: someone must be able to manage accounts."""
        address = normalise_email(email)
        async with self._database.sessions.begin() as session:
            row = await self._row(session, address)
            if row.role == role.value:
                raise AccountError(f"{address} is already {role.value}")
            await self._keep_an_admin(session, row)
            row.role = role.value
            return _account(row)

    @staticmethod
    async def _keep_an_admin(session: AsyncSession, row: StaffAccount) -> None:
        """Refuse to take the last enabled admin away (by a role change or disabling it):
        someone must be able to manage accounts."""
        if row.role == Role.ADMIN.value and not row.disabled:
            admins = await session.scalar(
                select(func.count()).where(
                    StaffAccount.role == Role.ADMIN.value, StaffAccount.disabled.is_(False)
                )
            )
            if (admins or 0) <= 1:
                raise AccountError(
                    f"{row.email} is the only enabled admin; make another admin first"
                )

    @staticmethod
    async def _row(session: AsyncSession, address: str) -> StaffAccount:
        row = await session.scalar(select(StaffAccount).where(StaffAccount.email == address))
        if row is None:
            raise AccountError(f"no account for {address}; see `ims-bot staff list`")
        return row

    async def locked(self) -> list[Account]:
        """Accounts locked by wrong passwords (and not disabled)."""
        return [a for a in await self.all() if a.locked and not a.disabled]

    # --- passwords ---------------------------------------------------------------

    async def account_for_link(self, token: str) -> Account | None:
        """The account a set-password token belongs to, if it is valid and unused."""
        async with self._database.sessions() as session:
            link = await session.scalar(
                select(StaffPasswordToken).where(StaffPasswordToken.token_hash == hash_token(token))
            )
            if link is None or link.used_at is not None or link.expires_at < self._clock():
                return None
            row = await session.get(StaffAccount, link.account_id)
            return _account(row) if row is not None and not row.disabled else None

    async def set_password(self, token: str, password: str) -> Account:
        """Use a set-password token: store the new hash, unlock, end old sessions."""
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"use at least {MIN_PASSWORD_LENGTH} characters")
        if len(password) > 1024:
            raise AccountError("that password is too long")
        if len(set(password.lower())) < MIN_DISTINCT_CHARACTERS:
            raise AccountError(
                "that password repeats a few characters; use a few words or a longer mix"
            )
        now = self._clock()
        async with self._database.sessions.begin() as session:
            link = await session.scalar(
                select(StaffPasswordToken).where(StaffPasswordToken.token_hash == hash_token(token))
            )
            if link is None or link.used_at is not None or link.expires_at < now:
                raise AccountError("this link has expired or was already used; ask an admin")
            row = await session.get(StaffAccount, link.account_id)
            if row is None or row.disabled:
                raise AccountError("this account is disabled")
            name = row.email.partition("@")[0]
            if len(name) >= 3 and name in password.lower():
                raise AccountError("the password contains your e-mail address; choose another")
            link.used_at = now
            row.password_hash = _HASHER.hash(password)
            row.password_set_at = now
            row.failed_logins = 0
            row.locked_at = None
            await session.execute(delete(StaffSession).where(StaffSession.account_id == row.id))
            return _account(row)

    async def sign_in(self, email: str, password: str, client: str) -> LoginResult:
        """Check a password; count failures, lock on the tenth, throttle by address."""
        now = self._clock()
        address = email.strip().lower()[:254]
        async with self._database.sessions.begin() as session:
            await session.execute(
                delete(LoginAttempt).where(LoginAttempt.at < now - LOGIN_ATTEMPT_RETENTION)
            )
            recent_failures = await session.scalar(
                select(func.count())
                .select_from(LoginAttempt)
                .where(
                    LoginAttempt.client == client,
                    LoginAttempt.succeeded.is_(False),
                    LoginAttempt.at >= now - ADDRESS_WINDOW,
                )
            )
            if (recent_failures or 0) >= ADDRESS_FAILURES_ALLOWED:
                return LoginResult(throttled=True)
            row = await session.scalar(select(StaffAccount).where(StaffAccount.email == address))
            stored = row.password_hash if row is not None else None
            good = _verify(stored or _dummy_hash(), password) and stored is not None
            usable = row is not None and not row.disabled and row.locked_at is None
            session.add(
                LoginAttempt(at=now, email=address, client=client[:64], succeeded=good and usable)
            )
            if row is None or row.disabled:
                return LoginResult()
            if row.locked_at is not None:
                return LoginResult()
            if good:
                row.failed_logins = 0
                if stored is not None and _HASHER.check_needs_rehash(stored):
                    row.password_hash = _HASHER.hash(password)
                return LoginResult(account=_account(row))
            row.failed_logins += 1
            if row.failed_logins >= LOCK_AFTER_FAILURES:
                row.locked_at = now
                await session.execute(delete(StaffSession).where(StaffSession.account_id == row.id))
                return LoginResult(locked_now=_account(row))
            return LoginResult()

    # --- sessions ----------------------------------------------------------------

    async def open_session(self, account: Account) -> str:
        """A new session for `account`; returns the token for the cookie."""
        token = secrets.token_urlsafe(32)
        now = self._clock()
        async with self._database.sessions.begin() as session:
            await session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
            session.add(
                StaffSession(
                    token_hash=hash_token(token),
                    account_id=account.id,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    expires_at=now + SESSION_IDLE,
                )
            )
        return token

    async def session_for(self, token: str) -> SessionInfo | None:
        """The live session of a cookie token, with a usable account; None otherwise. A
        session in use is extended by SESSION_IDLE, up to SESSION_LIFETIME from sign-in."""
        now = self._clock()
        async with self._database.sessions.begin() as session:
            row = await session.get(StaffSession, hash_token(token))
            if row is None or row.expires_at < now:
                return None
            account = await session.get(StaffAccount, row.account_id)
            if account is None or account.disabled or account.locked_at is not None:
                return None
            extended = min(now + SESSION_IDLE, row.created_at + SESSION_LIFETIME)
            if extended - row.expires_at >= SESSION_TOUCH_EVERY:
                row.expires_at = extended
            return SessionInfo(_account(account), row.csrf_token)

    async def close_session(self, token: str) -> None:
        """End a session (sign out)."""
        async with self._database.sessions.begin() as session:
            await session.execute(
                delete(StaffSession).where(StaffSession.token_hash == hash_token(token))
            )


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
