"""Settings read from environment variables (and an optional `.env` file).

Every setting is validated up front so that a typo gives one clear line instead of a
traceback deep inside Telegram or SQLAlchemy.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CONTENT_DIR = PROJECT_ROOT / "content"
DEFAULT_DATA_DIR = Path(".ims-bot")
DEFAULT_TIMEZONE = "America/Toronto"
DEFAULT_UNANSWERED_RETENTION_DAYS = 90
DEFAULT_INTAKE_ABANDON_DAYS = 14
# How long a patient's messages reach staff after staff last wrote to them.
DEFAULT_HANDOFF_HOURS = 4.0
DEFAULT_REMINDER_SWEEP_SECONDS = 30.0
DEFAULT_CONSOLE_BIND = "127.0.0.1:8080"
# How late a reminder may still go out, and when a claimed send counts as interrupted.
# Here rather than in the outbox, so reading settings does not load the database layer.
DEFAULT_GRACE = timedelta(hours=12)
DEFAULT_STALE_CLAIM = timedelta(minutes=2)
# SEMANTIC_MATCHING's values (bot.faq.semantic re-exports them): here, so reading settings
# does not load numpy with the matcher.
SemanticMode = Literal["auto", "on", "off"]
SEMANTIC_MODES: tuple[SemanticMode, ...] = ("auto", "on", "off")


@dataclass(frozen=True)
class DeliverySettings:
    """Pacing limits and retry deadlines for outgoing messages (README: delivery contract)."""

    global_per_second: float = 30.0  # Telegram: about 30 messages a second in all
    chat_per_second: float = 1.0  # one message a second inside a private chat...
    chat_burst: int = 3  # ...after a short burst (a reply of two or three messages)
    group_per_minute: float = 20.0  # Telegram: 20 messages a minute inside a group
    retry_initial_s: float = 1.0  # first backoff after a refused connection or a 5xx
    retry_max_s: float = 30.0  # backoff cap
    reply_deadline_s: float = 120.0  # a patient's ordinary reply stops being useful
    emergency_deadline_s: float = 3600.0  # "until delivered": bounded only to end the task
    staff_deadline_s: float = 60.0  # one attempt round; undelivered notes stay queued
    reminder_deadline_s: float = 20.0  # in-sweep retries; then the outbox retries later
    staff_batch_chars: int = 3500  # staff notes queued together share one message


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable and the fix."""


@dataclass(frozen=True)
class ReminderSettings:
    """How often the outbox is swept and how late a reminder may go (pacing: DeliverySettings)."""

    sweep_interval: timedelta = timedelta(seconds=DEFAULT_REMINDER_SWEEP_SECONDS)
    grace: timedelta = DEFAULT_GRACE
    stale_claim: timedelta = DEFAULT_STALE_CLAIM
    bot_username: str | None = None


@dataclass(frozen=True)
class ConsoleSettings:
    """The staff web console: where it listens, its public address, its cookie key."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = 8080
    public_base_url: str = "http://127.0.0.1:8080"
    secret_key: str | None = None  # None: a key file in the data folder

    def __repr__(self) -> str:  # never show the secret key
        return f"ConsoleSettings(enabled={self.enabled}, bind={self.host}:{self.port})"


def parse_console_settings(env: Mapping[str, str]) -> ConsoleSettings:
    """CONSOLE_ENABLED, CONSOLE_BIND, PUBLIC_BASE_URL and CONSOLE_SECRET_KEY, validated."""
    raw_enabled = env.get("CONSOLE_ENABLED", "").strip().lower()
    if raw_enabled not in {"", "0", "1", "true", "false", "yes", "no", "on", "off"}:
        raise ConfigError(
            f"CONSOLE_ENABLED: {raw_enabled!r} is not one of 1/0, true/false; set it to 1 to "
            "serve the console beside the bot, or 0"
        )
    bind = env.get("CONSOLE_BIND", "").strip() or DEFAULT_CONSOLE_BIND
    host, sep, port_text = bind.rpartition(":")
    if not sep or not host or not port_text.isdecimal():
        raise ConfigError(f"CONSOLE_BIND: {bind!r} must be HOST:PORT, e.g. 127.0.0.1:8080")
    if not 0 < int(port_text) < 65536:
        raise ConfigError(
            f"CONSOLE_BIND: port {port_text} is not a port; use a number from 1 to 65535, "
            "e.g. 127.0.0.1:8080"
        )
    base = (env.get("PUBLIC_BASE_URL", "").strip() or f"http://{bind}").rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise ConfigError(
            f"PUBLIC_BASE_URL: {base!r} must start with https:// (or http:// for local use)"
        )
    secret = env.get("CONSOLE_SECRET_KEY", "").strip() or None
    if secret is not None and len(secret) < 32:
        raise ConfigError(
            "CONSOLE_SECRET_KEY: too short; use at least 32 random characters "
            "(e.g. from `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    return ConsoleSettings(
        enabled=raw_enabled in {"1", "true", "yes", "on"},
        host=host.strip("[]"),
        port=int(port_text),
        public_base_url=base,
        secret_key=secret,
    )


@dataclass(frozen=True)
class Settings:
    """Validated runtime configuration."""

    telegram_bot_token: str | None
    telegram_api_base_url: str | None
    database_url: str
    content_dir: Path
    clinic_timezone: ZoneInfo
    staff_chat_ids: frozenset[int]
    data_dir: Path
    unanswered_retention_days: int = DEFAULT_UNANSWERED_RETENTION_DAYS
    data_encryption_key: str | None = None
    log_level: str = "INFO"
    # Sentence-embedding matching: auto = on when the optional extra is installed.
    semantic_matching: SemanticMode = "auto"
    reminders: ReminderSettings = field(default_factory=ReminderSettings)
    # An unfinished intake untouched this long is marked abandoned.
    intake_abandon_after: timedelta = timedelta(days=DEFAULT_INTAKE_ABANDON_DAYS)
    # After staff write to a patient, the patient's messages reach staff this long.
    handoff_window: timedelta = timedelta(hours=DEFAULT_HANDOFF_HOURS)
    delivery: DeliverySettings = field(default_factory=DeliverySettings)
    console: ConsoleSettings = field(default_factory=ConsoleSettings)

    def __repr__(self) -> str:  # never show the token or key in a traceback or log
        return (
            f"Settings(database_url={self.database_url!r}, content_dir={str(self.content_dir)!r}, "
            f"clinic_timezone={self.clinic_timezone.key!r}, "
            f"staff_chats={len(self.staff_chat_ids)}, "
            f"telegram={'set' if self.telegram_bot_token else 'unset'})"
        )

    def is_staff_chat(self, chat_id: int) -> bool:
        """Whether a chat is one of the configured staff chats."""
        return chat_id in self.staff_chat_ids


def _parse_chat_ids(raw: str) -> frozenset[int]:
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError:
            raise ConfigError(
                f"STAFF_CHAT_IDS: {part!r} is not a chat id; give whole numbers separated by "
                "commas, e.g. STAFF_CHAT_IDS=-1001234567890,42"
            ) from None
    return frozenset(ids)


_Number = TypeVar("_Number", int, float)


def _parse_positive(name: str, raw: str, kind: Callable[[str], _Number], what: str) -> _Number:
    fix = f"set it to {what} greater than 0, or unset it for the default"
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not {what}; {fix}") from None
    if not value > 0:  # also refuses nan
        raise ConfigError(f"{name}: {raw!r} is not greater than 0; {fix}")
    if not math.isfinite(value):  # "inf" would switch a limit or a deadline off
        raise ConfigError(f"{name}: {raw!r} is not a finite number; {fix}")
    return value


def _positive_number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    return _parse_positive(name, raw, float, "a number") if raw else default


def reminder_settings(env: Mapping[str, str]) -> ReminderSettings:
    """The `IMS_REMINDER_*` settings (and the bot's username for appointment links)."""
    return ReminderSettings(
        sweep_interval=timedelta(
            seconds=_positive_number(
                env, "IMS_REMINDER_SWEEP_SECONDS", DEFAULT_REMINDER_SWEEP_SECONDS
            )
        ),
        grace=timedelta(
            minutes=_positive_number(
                env, "IMS_REMINDER_GRACE_MINUTES", DEFAULT_GRACE.total_seconds() / 60
            )
        ),
        stale_claim=timedelta(
            seconds=_positive_number(
                env, "IMS_REMINDER_STALE_SECONDS", DEFAULT_STALE_CLAIM.total_seconds()
            )
        ),
        bot_username=bot_username_setting(env.get("TELEGRAM_BOT_USERNAME") or ""),
    )


# A Telegram username: 5 to 32 letters, digits and underscores, starting with a letter.
_BOT_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}")
_BOT_LINK_PREFIXES = ("https://t.me/", "http://t.me/", "t.me/", "@")


def bot_username_setting(raw: str) -> str | None:
    """TELEGRAM_BOT_USERNAME as appointment links need it: '@' or a t.me link in front is
    dropped; anything else that is no username is refused, since every link built on it
    would open nothing."""
    name = raw.strip()
    for prefix in _BOT_LINK_PREFIXES:
        name = name.removeprefix(prefix)
    if not name:
        return None
    if not _BOT_USERNAME.fullmatch(name):
        raise ConfigError(
            f"TELEGRAM_BOT_USERNAME: {raw.strip()!r} is not a bot's username; give the name "
            "@BotFather gave it (5 to 32 letters, digits or _), e.g. MapleClinicBot"
        )
    return name


def intake_abandon_after(env: Mapping[str, str]) -> timedelta:
    """IMS_INTAKE_ABANDON_DAYS: the idle time after which an unfinished intake is abandoned."""
    name = "IMS_INTAKE_ABANDON_DAYS"
    raw = env.get(name, "").strip()
    days = (
        _parse_positive(name, raw, int, "a whole number of days")
        if raw
        else DEFAULT_INTAKE_ABANDON_DAYS
    )
    return timedelta(days=days)


def _parse_token(raw: str | None) -> str | None:
    if raw is None or not raw.strip():
        return None
    token = raw.strip()
    head, sep, tail = token.partition(":")
    if not sep or not head.isdigit() or len(tail) < 20:
        # Do not echo the value: it may be a real (if mangled) secret.
        raise ConfigError(
            "TELEGRAM_BOT_TOKEN: does not look like a bot token (expected '<digits>:<secret>' "
            "as given by @BotFather); unset it to use the console chat"
        )
    return token


def parse_semantic_mode(raw: str) -> SemanticMode:
    """SEMANTIC_MATCHING's value (empty means auto), or ConfigError naming the choices."""
    value = raw.strip().lower() or "auto"
    for mode in SEMANTIC_MODES:
        if value == mode:
            return mode
    raise ConfigError(
        f"SEMANTIC_MATCHING: {raw!r} is not one of {', '.join(SEMANTIC_MODES)}; set it to one "
        "of them, or unset it for auto"
    )


def environment(read_dotenv: bool = True) -> dict[str, str]:
    """The process environment over the values of `.env` (when read), as settings see them."""
    if not read_dotenv:
        return dict(os.environ)
    from dotenv import dotenv_values

    file_values = {k: v for k, v in dotenv_values(".env").items() if v is not None}
    return {**file_values, **os.environ}


def single_setting(name: str) -> str:
    """One setting from the environment or `.env` ('' when unset), without validating the
    others: a bad token must not stop a command that never uses it."""
    return environment().get(name, "")


def data_dir_setting(env: Mapping[str, str]) -> Path:
    """IMS_DATA_DIR from `env`, else the default folder: where the bot keeps its files."""
    return Path(env.get("IMS_DATA_DIR", "") or DEFAULT_DATA_DIR)


def _check_data_dir(data_dir: Path, *, database_derived: bool) -> None:
    """IMS_DATA_DIR must be (or become) a folder: refuse a file anywhere on its path."""
    derived = (
        " (DATABASE_URL is not set, so the database is kept there too)" if database_derived else ""
    )
    for place in (data_dir, *data_dir.parents):
        if place.exists():
            if not place.is_dir():
                raise ConfigError(
                    f"IMS_DATA_DIR: {str(place)!r} is a file, not a folder; set IMS_DATA_DIR "
                    f"to a folder where the bot may keep its files{derived}"
                )
            return


def make_data_dir(data_dir: Path) -> None:
    """Create IMS_DATA_DIR if it is missing; a folder that cannot be made is a setting's
    problem, told as one (not an unexpected error)."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ConfigError(
            f"IMS_DATA_DIR: cannot create {str(data_dir)!r} ({error.strerror}); set "
            "IMS_DATA_DIR to a folder the bot may write to"
        ) from None


_URL_EXAMPLE = "e.g. sqlite+aiosqlite:///path/to/bot.sqlite3"
_PASSWORD_PARAMETER = re.compile(r"(password=)[^&]*", re.IGNORECASE)


def _shown(url: str) -> str:
    """`url` as a message may quote it, whatever its shape: from the user's ':' to the last
    '@' masked (a password may hold an unencoded '@' or '/', and the scheme may have one
    slash or none), and any password= parameter masked."""
    scheme, colon, rest = url.partition(":")
    if not colon:
        return _PASSWORD_PARAMETER.sub(r"\1***", url)
    body = rest.lstrip("/")
    slashes = rest[: len(rest) - len(body)]
    at = body.rfind("@")
    user_colon = body.find(":", 0, at) if at != -1 else -1
    if user_colon != -1:
        body = f"{body[: user_colon + 1]}***{body[at:]}"
    return _PASSWORD_PARAMETER.sub(r"\1***", f"{scheme}:{slashes}{body}")


def _seconds(raw: object) -> float | None:
    """A positive, finite number of seconds written as `raw`, or None."""
    try:
        seconds = float(str(raw))
    except ValueError:
        return None
    return seconds if 0 < seconds < float("inf") else None


def clinic_timezone_setting(name: str) -> ZoneInfo:
    """CLINIC_TIMEZONE as a region's zone. Abbreviations and fixed offsets (EST, MST, UTC,
    Etc/GMT+5) are refused: they ignore daylight saving, so a Toronto clinic set to EST
    would get every summer reminder an hour off."""
    try:
        timezone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"CLINIC_TIMEZONE: {name!r} is not a known time zone; use an IANA name "
            "such as America/Toronto or Europe/London"
        ) from None
    region = name.removeprefix("posix/").removeprefix("right/")
    if "/" not in region or region.startswith("Etc/"):
        raise ConfigError(
            f"CLINIC_TIMEZONE: {name!r} is an abbreviation or fixed offset that ignores "
            "daylight saving; use the clinic's region name, such as America/Toronto"
        )
    return timezone


def database_url_setting(raw: str, data_dir: Path) -> str:
    """DATABASE_URL checked with SQLAlchemy's own URL parsing: a URL it reads (password
    never quoted), the async SQLite driver for the familiar sqlite:// spelling, and for
    SQLite a file (not the in-memory database, not a host, not a URI filename, which the
    bot's direct SQLite connections would read as another file) in a folder that exists
    or is the bot's data folder."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(raw)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number...
        raise ConfigError(
            f"DATABASE_URL: {_shown(raw)!r} is not a database URL, {_URL_EXAMPLE}"
        ) from None
    if url.get_backend_name().lower() != "sqlite":
        return raw  # another database: the storage layer checks its driver
    given = _shown(raw)  # quoted in messages as the clinic wrote it, password masked
    if url.drivername.lower() in ("sqlite", "sqlite+pysqlite"):
        # Storage is async; accept the familiar sync spellings and use the async driver.
        raw = "sqlite+aiosqlite" + raw[raw.index("://") :]
    timeout = url.query.get("timeout")
    if timeout is not None and _seconds(timeout) is None:
        raise ConfigError(
            f"DATABASE_URL: {given!r}: timeout {str(timeout)!r} is not a number of seconds; "
            "write it as e.g. ?timeout=5 (how long a write waits for another to finish)"
        )
    if url.host or url.port:
        raise ConfigError(
            f"DATABASE_URL: {given!r} names a host, but SQLite reads a file: put three "
            f"slashes before its path, {_URL_EXAMPLE}"
        )
    database = url.database or ""
    uri_path = database.removeprefix("file:") if database.startswith("file:") else None
    mode = url.query.get("mode")
    if database in ("", ":memory:") or uri_path in ("", ":memory:") or mode == "memory":
        raise ConfigError(
            f"DATABASE_URL: {given!r} is an in-memory database, so every answer would be lost "
            f"when the bot stops; give a file, {_URL_EXAMPLE}"
        )
    if uri_path is not None:
        raise ConfigError(
            f"DATABASE_URL: {given!r} is a SQLite URI filename ('file:...'), which the bot "
            f"does not read; give the file's path, {_URL_EXAMPLE}"
        )
    folder = Path(database).parent
    # A mistyped path must not quietly start a new, empty database; only the bot's own
    # data folder is created for it.
    if not folder.exists() and folder.resolve() != data_dir.resolve():
        raise ConfigError(
            f"DATABASE_URL: the folder {str(folder)!r} does not exist; check the path "
            "or create the folder"
        )
    if folder.exists() and not folder.is_dir():
        raise ConfigError(f"DATABASE_URL: {str(folder)!r} is a file, not a folder; check the path")
    if Path(database).is_dir():
        raise ConfigError(
            f"DATABASE_URL: {database!r} is a folder, not the database file; name a file in "
            f"it, e.g. sqlite+aiosqlite:///{Path(database) / 'ims-bot.sqlite3'}"
        )
    return raw


DELIVERY_VARIABLES = {
    "global_per_second": "IMS_SEND_PER_SECOND",
    "chat_per_second": "IMS_SEND_CHAT_PER_SECOND",
    "group_per_minute": "IMS_SEND_GROUP_PER_MINUTE",
    "retry_initial_s": "IMS_RETRY_INITIAL_SECONDS",
    "retry_max_s": "IMS_RETRY_MAX_SECONDS",
    "reply_deadline_s": "IMS_REPLY_DEADLINE_SECONDS",
    "emergency_deadline_s": "IMS_EMERGENCY_DEADLINE_SECONDS",
    "staff_deadline_s": "IMS_STAFF_DEADLINE_SECONDS",
    "reminder_deadline_s": "IMS_REMINDER_DEADLINE_SECONDS",
}


def delivery_settings(env: Mapping[str, str]) -> DeliverySettings:
    """Pacing and retry settings from `IMS_SEND_*`, `IMS_RETRY_*` and `*_DEADLINE_SECONDS`."""
    defaults = DeliverySettings()
    values = {
        attribute: _positive_number(env, name, getattr(defaults, attribute))
        for attribute, name in DELIVERY_VARIABLES.items()
    }
    return DeliverySettings(**values)  # type: ignore[arg-type]


def load_settings(env: Mapping[str, str] | None = None, *, read_dotenv: bool = True) -> Settings:
    """Build `Settings` from `env` (default: the process environment plus `.env`)."""
    if env is None:
        env = environment(read_dotenv)

    data_dir = data_dir_setting(env)
    database_url = env.get("DATABASE_URL", "").strip()
    _check_data_dir(data_dir, database_derived=not database_url)
    if database_url:
        database_url = database_url_setting(database_url, data_dir)
    else:
        database_url = f"sqlite+aiosqlite:///{data_dir / 'ims-bot.sqlite3'}"

    content_dir = Path(env.get("CONTENT_DIR", "") or BUNDLED_CONTENT_DIR)
    if not content_dir.is_dir():
        raise ConfigError(
            f"CONTENT_DIR: {str(content_dir)!r} is not a folder; point it at the clinic's "
            "content folder, or unset it for the bundled sample"
        )

    timezone = clinic_timezone_setting(env.get("CLINIC_TIMEZONE", "").strip() or DEFAULT_TIMEZONE)

    base_url = env.get("TELEGRAM_API_BASE_URL", "").strip() or None
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"TELEGRAM_API_BASE_URL: {base_url!r} does not start with http:// or https://; "
            "fix it, or unset it to talk to Telegram itself"
        )

    retention_raw = env.get("UNANSWERED_RETENTION_DAYS", "").strip()
    retention = (
        _parse_positive("UNANSWERED_RETENTION_DAYS", retention_raw, int, "a whole number")
        if retention_raw
        else DEFAULT_UNANSWERED_RETENTION_DAYS
    )

    log_level = (env.get("LOG_LEVEL", "") or "INFO").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
        raise ConfigError(
            f"LOG_LEVEL: {log_level!r} is not a level; set it to one of DEBUG, INFO, WARNING, ERROR"
        )

    return Settings(
        semantic_matching=parse_semantic_mode(env.get("SEMANTIC_MATCHING", "")),
        telegram_bot_token=_parse_token(env.get("TELEGRAM_BOT_TOKEN")),
        telegram_api_base_url=base_url,
        database_url=database_url,
        content_dir=content_dir,
        clinic_timezone=timezone,
        staff_chat_ids=_parse_chat_ids(env.get("STAFF_CHAT_IDS", "")),
        data_dir=data_dir,
        unanswered_retention_days=retention,
        data_encryption_key=env.get("DATA_ENCRYPTION_KEY") or None,
        log_level=log_level,
        reminders=reminder_settings(env),
        intake_abandon_after=intake_abandon_after(env),
        handoff_window=timedelta(
            hours=_positive_number(env, "IMS_HANDOFF_HOURS", DEFAULT_HANDOFF_HOURS)
        ),
        delivery=delivery_settings(env),
        console=parse_console_settings(env),
    )
