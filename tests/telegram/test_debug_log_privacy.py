"""LOG_LEVEL=DEBUG never puts what a patient wrote into the log, whoever logs it.

PTB logs whole updates and request parameters at DEBUG, httpx and httpcore describe
requests; our levels on those loggers are one guard, the handlers' filter is the other:
a child logger set to DEBUG (by a library, or a person chasing a fault) still logs
nothing below INFO from them.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from telegram import Update

from bot.channels.telegram.application import build_application
from tests.fakes.bot_api_server import FakeBotApiServer
from tests.telegram.channel_kit import bot_log_at, load_update, toy_runtime

PATIENT_WORDS = "tingling-down-my-left-calf-marker"
# Loggers a person might turn up to see what the bot sends and receives.
TURNED_UP = ("telegram.ext", "telegram.Bot", "telegram._bot", "httpx", "httpcore.http11")


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The bot's logging at LOG_LEVEL=DEBUG, its output kept in a buffer."""
    saved_levels = {name: logging.getLogger(name).level for name in TURNED_UP}
    try:
        with bot_log_at("DEBUG") as buffer:
            yield buffer
    finally:
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


async def test_a_patient_message_at_debug_leaves_no_patient_text_in_the_log(
    tmp_path: Path, fake_api: FakeBotApiServer, debug_log: io.StringIO
) -> None:
    for name in TURNED_UP:
        logging.getLogger(name).setLevel(logging.DEBUG)
    runtime = toy_runtime(tmp_path, telegram_api_base_url=fake_api.base_url)
    application = build_application(runtime, with_post_init=False)
    async with application:
        update = load_update("text", text=f"since Tuesday {PATIENT_WORDS}")
        await application.process_update(Update.de_json(update, application.bot))
    sent = fake_api.wait_for("sendMessage", lambda r: r.ok)
    assert PATIENT_WORDS in sent.visible_text  # the toy bot echoed it: it was in the request
    log = debug_log.getvalue()
    assert "DEBUG" in log  # the level was really on
    assert PATIENT_WORDS not in log
