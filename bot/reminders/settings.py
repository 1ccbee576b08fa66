"""Reminder settings from `IMS_REMINDER_*` environment variables, checked up front."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from bot.config import ConfigError
from bot.reminders.outbox import DEFAULT_GRACE, DEFAULT_STALE_CLAIM

DEFAULT_SWEEP_SECONDS = 30.0
PLACEHOLDER_BOT_USERNAME = "YourClinicBot"


@dataclass(frozen=True)
class ReminderSettings:
    """How often the outbox is swept and how late a reminder may go (pacing: DeliverySettings)."""

    sweep_interval: timedelta = timedelta(seconds=DEFAULT_SWEEP_SECONDS)
    grace: timedelta = DEFAULT_GRACE
    stale_claim: timedelta = DEFAULT_STALE_CLAIM
    bot_username: str | None = None


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw!r} is not a number") from None
    if value <= 0:
        raise ConfigError(f"{name}: must be greater than 0, got {raw}")
    return value


def reminder_settings(env: Mapping[str, str]) -> ReminderSettings:
    """Settings from `env` (the process environment or `Settings.extra`)."""
    return ReminderSettings(
        sweep_interval=timedelta(
            seconds=_number(env, "IMS_REMINDER_SWEEP_SECONDS", DEFAULT_SWEEP_SECONDS)
        ),
        grace=timedelta(
            minutes=_number(env, "IMS_REMINDER_GRACE_MINUTES", DEFAULT_GRACE.total_seconds() / 60)
        ),
        stale_claim=timedelta(
            seconds=_number(env, "IMS_REMINDER_STALE_SECONDS", DEFAULT_STALE_CLAIM.total_seconds())
        ),
        bot_username=(env.get("TELEGRAM_BOT_USERNAME") or "").strip().lstrip("@") or None,
    )


def link_url(bot_username: str | None, payload: str) -> str:
    """The t.me link that opens the bot with `/start <payload>`."""
    return f"https://t.me/{bot_username or PLACEHOLDER_BOT_USERNAME}?start={payload}"
