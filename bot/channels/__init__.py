"""Channels: thin adapters that turn the core's replies into a medium (Telegram, console)."""
