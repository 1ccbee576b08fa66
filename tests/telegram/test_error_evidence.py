"""A failure leaves its traceback in the log: token masked, patient text absent."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram import Update
from telegram.error import NetworkError

from bot.channels.console import ConsoleChannel, ConsoleOutput
from bot.channels.telegram.application import build_application
from bot.core.assistant import Assistant, ChatRef
from bot.core.features import FeatureHost
from bot.core.replies import Reply
from bot.logging_setup import REDACTED, WITHHELD, describe_exception
from bot.runtime import Runtime
from tests.fakes.recording_request import RecordingRequest
from tests.telegram.channel_kit import TEST_TOKEN, bot_log_at, load_update, make_settings

PATIENT_WORDS = "numbness-in-my-saddle-area-marker"


def parse_answer(text: str) -> int:
    """Fails the way a parser would: quoting its input in the message."""
    raise ValueError(f"cannot read {text!r} as a number")


async def failing_route(chat: ChatRef, text: str) -> list[Reply] | None:
    """Fails while talking to Telegram, after a parse error that quoted the patient."""
    try:
        parse_answer(text)
    except ValueError as error:
        raise NetworkError(f"POST https://api.telegram.org/bot{TEST_TOKEN}/sendMessage") from error
    return None


def failing_runtime(tmp_path: Path) -> Runtime:
    assistant = Assistant()
    assistant.add_text_route("failing", failing_route)
    return Runtime(
        settings=make_settings(tmp_path),
        content=None,  # type: ignore[arg-type]
        database=None,  # type: ignore[arg-type]
        host=FeatureHost(assistant),
    )


@pytest.fixture
def bot_log() -> Iterator[io.StringIO]:
    """The bot's own logging set-up (token filter included), its output kept in a buffer."""
    with bot_log_at("INFO", [TEST_TOKEN]) as buffer:
        yield buffer


def assert_evidence_without_secrets(log: str) -> None:
    assert "Traceback (most recent call last)" in log
    assert "in failing_route" in log and "in parse_answer" in log  # where it failed
    assert "ValueError" in log and "telegram.error.NetworkError" in log
    assert REDACTED in log and TEST_TOKEN not in log
    assert TEST_TOKEN.partition(":")[2] not in log
    assert PATIENT_WORDS not in log
    assert WITHHELD in log


async def test_telegram_error_handler_logs_the_traceback_without_token_or_patient_text(
    tmp_path: Path, bot_log: io.StringIO, transport: RecordingRequest
) -> None:
    application = build_application(failing_runtime(tmp_path), request=transport)
    async with application:
        update = load_update("text", text=PATIENT_WORDS)
        await application.process_update(Update.de_json(update, application.bot))
    log = bot_log.getvalue()
    assert "error while handling update 840001004" in log
    assert_evidence_without_secrets(log)
    sent = [r.visible_text for r in transport.api.requests if r.method == "sendMessage"]
    assert any(text.startswith("Sorry, something went wrong") for text in sent)


async def test_console_logs_the_traceback_without_token_or_patient_text(
    tmp_path: Path, bot_log: io.StringIO
) -> None:
    lines = [PATIENT_WORDS, None]

    async def read_line() -> str | None:
        await asyncio.sleep(0)
        return lines.pop(0)

    output = ConsoleOutput(io.StringIO(), json_mode=False)
    channel = ConsoleChannel(failing_runtime(tmp_path), output, ChatRef(1), read_line, False)
    await channel.run()
    log = bot_log.getvalue()
    assert "console: could not handle a message" in log
    assert_evidence_without_secrets(log)


def test_a_log_that_cannot_be_written_prints_no_patient_text(
    bot_log: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    bot_log.close()  # as when the pipe behind stderr is gone
    try:
        parse_answer(PATIENT_WORDS)
    except ValueError as error:
        logging.getLogger("tests.closed").error("failed:\n%s", describe_exception(error))
    assert PATIENT_WORDS not in capsys.readouterr().err


def test_messages_of_request_errors_are_kept_and_others_withheld() -> None:
    try:
        raise KeyError(PATIENT_WORDS)
    except KeyError as error:
        assert PATIENT_WORDS not in describe_exception(error)
    try:
        raise ConnectionResetError("peer reset the connection")
    except ConnectionResetError as error:
        assert "ConnectionResetError: peer reset the connection" in describe_exception(error)
