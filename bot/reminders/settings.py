"""Reminder settings (parsed with every other setting in `bot.config`) and link URLs."""

from __future__ import annotations

from bot.config import ReminderSettings

__all__ = ["PLACEHOLDER_BOT_USERNAME", "ReminderSettings", "link_url"]

PLACEHOLDER_BOT_USERNAME = "YourClinicBot"


def link_url(bot_username: str | None, payload: str) -> str:
    """The t.me link that opens the bot with `/start <payload>`."""
    return f"https://t.me/{bot_username or PLACEHOLDER_BOT_USERNAME}?start={payload}"
