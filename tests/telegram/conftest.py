"""Fixtures for the Telegram channel tests: the fake Bot API server and its schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.api_schema import SCHEMA_PATH, BotApiSchema
from tests.fakes.bot_api_server import FakeBotApiServer
from tests.fakes.recording_request import RecordingRequest


@pytest.fixture(scope="session")
def api_schema() -> BotApiSchema:
    """The Bot API schema; tests needing it skip when the shared file is absent."""
    if not SCHEMA_PATH.is_file():
        pytest.skip(f"Bot API schema not available at {SCHEMA_PATH}")
    return BotApiSchema(SCHEMA_PATH)


@pytest.fixture
def fake_api(api_schema: BotApiSchema) -> Iterator[FakeBotApiServer]:
    """A running fake Bot API server on loopback."""
    server = FakeBotApiServer(schema=api_schema).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def transport(api_schema: BotApiSchema) -> RecordingRequest:
    """The in-process recording transport with schema checks."""
    return RecordingRequest(schema=api_schema)
