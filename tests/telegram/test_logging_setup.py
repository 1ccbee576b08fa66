"""The token never reaches a log line, whoever logs it and however."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import REDACTED, TokenRedactingFilter, configure_logging

TOKEN = "987654:AAH-secret_part-of-the-token-xyz"
OTHER_TOKEN_SHAPE = "1234567:ZZZZZZZZZZZZZZZZZZZZZZZZZ"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    """A logger whose handler carries the redacting filter, writing to a buffer."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(TokenRedactingFilter([TOKEN]))
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


def test_token_in_message_args_and_urls_is_masked(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.info("GET https://api.telegram.org/bot%s/getUpdates", TOKEN)
    logger.info(f"plain {TOKEN} in the message")
    logger.info("dict %(url)s", {"url": f"https://x/bot{TOKEN}/sendMessage"})
    logger.info("object %s", ValueError(f"bad url bot{TOKEN}"))
    logger.info("shape %s", OTHER_TOKEN_SHAPE)
    output = stream.getvalue()
    assert TOKEN not in output and "secret_part" not in output
    assert OTHER_TOKEN_SHAPE not in output
    assert output.count(REDACTED) == 5


def test_token_in_a_traceback_is_masked(captured: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = captured
    try:
        raise RuntimeError(f"https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError:
        logger.exception("request failed")
    output = stream.getvalue()
    assert "Traceback" in output and TOKEN not in output


def test_numbers_and_plain_text_pass_unchanged(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, stream = captured
    logger.info("update %s from chat %d took %.1f s", 840001004, -1001122334455, 0.25)
    assert stream.getvalue().strip() == "update 840001004 from chat -1001122334455 took 0.2 s"


def test_configure_logging_installs_the_filter_and_quiets_httpx() -> None:
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    try:
        configure_logging("DEBUG", [TOKEN])
        assert logging.getLogger("httpx").level == logging.WARNING
        # PTB logs whole updates (patient text) at DEBUG: it stays at INFO.
        assert logging.getLogger("telegram").level == logging.INFO
        assert all(
            any(isinstance(f, TokenRedactingFilter) for f in handler.filters)
            for handler in root.handlers
        )
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
