"""Fakes of outside systems for tests: the Telegram Bot API server and its schema checks."""
