"""A PTB transport that answers in-process, as the fake Bot API server would, without HTTP.

Give it to `ApplicationBuilder().request(...)` (see `bot.channels.telegram.application.
build_application(runtime, request=...)`) and drive the real Application with
`process_update`. Every call is checked against the Bot API schema and recorded in the
wrapped `FakeBotApiServer` (`transport.api.requests`, `transport.api.violations`), so
the same assertions and failure injection (`fail_next`, `block_chat`) work as in the
end-to-end tests. `raise_next` makes the next calls fail before "reaching" Telegram
(e.g. `TimedOut()`).
"""

from __future__ import annotations

import json
from typing import Any

from telegram.request import BaseRequest, RequestData

from tests.fakes.api_schema import BotApiSchema
from tests.fakes.bot_api_server import FakeBotApiServer, RecordedRequest

READ_TIMEOUT_S = 1.0


class RecordingRequest(BaseRequest):
    """Answers Bot API calls from a (not started) FakeBotApiServer; no network."""

    def __init__(self, schema: BotApiSchema | None = None) -> None:
        self.api = FakeBotApiServer(schema=schema)
        self.raise_next: list[Exception] = []

    @property
    def read_timeout(self) -> float:
        """The default read timeout PTB adds to long-poll timeouts."""
        return READ_TIMEOUT_S

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Record and answer one call; `url` ends with `/bot<token>/<method>`."""
        if self.raise_next:
            raise self.raise_next.pop(0)
        prefix, api_method = url.rsplit("/", 2)[-2:]
        params: dict[str, Any] = dict(request_data.json_parameters) if request_data else {}
        if request_data is not None and request_data.contains_files:
            for name, file in request_data.multipart_data.items():
                params[name] = {"file_name": file[0], "size": len(file[1])}
        status, body = self.api.handle(prefix.removeprefix("bot"), api_method, params)
        return status, json.dumps(body).encode()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every call made so far."""
        return self.api.requests

    def sent(self, method: str = "sendMessage") -> list[RecordedRequest]:
        """Successful calls to `method`."""
        return [r for r in self.api.requests if r.method == method and r.ok]
