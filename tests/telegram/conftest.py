"""Fixtures for the Telegram channel tests: the fake Bot API server and its schema."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.api_schema import BotApiSchema
from tests.fakes.bot_api_server import FakeBotApiServer
from tests.fakes.recording_request import RecordingRequest


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
