"""/forget leaves nothing behind: not in the database file, its WAL, nor a DEBUG log."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from tests.fakes.bot_api_server import FakeBotApiServer, RecordedRequest
from tests.faults.conftest import fault_env
from tests.process_env import HANG_S
from tests.reminders.bot_process import START_TIMEOUT_S, start_bot, stop

pytestmark = pytest.mark.e2e
PATIENT = 9100
WAIT_S = HANG_S
FAQ_MARKER = "zorbleflax"
INTAKE_MARKER = "quintaphrex"


def reply_after(server: FakeBotApiServer, since: int, containing: str = "") -> RecordedRequest:
    return server.wait_for(
        "sendMessage",
        lambda r: r.ok and r.chat_id == PATIENT and containing in r.visible_text,
        timeout=WAIT_S,
        since=since,
    )


def test_forget_leaves_no_trace_of_what_the_patient_typed(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    env = fault_env(tmp_path, server, LOG_LEVEL="DEBUG")
    bot = start_bot(tmp_path, env)
    try:
        assert server.wait_until_polling(START_TIMEOUT_S), "the bot never polled"
        since = server.mark()
        server.push_message(PATIENT, f"does the {FAQ_MARKER} gadget void my warranty?")
        reply_after(server, since)

        since = server.mark()
        server.push_command(PATIENT, "intake")
        offer = reply_after(server, since)
        since = server.mark()
        server.push_callback(PATIENT, offer.buttons[0]["callback_data"], offer.result["message_id"])
        reply_after(server, since)
        since = server.mark()
        server.push_message(PATIENT, f"what does {INTAKE_MARKER} mean for my shoulder?")
        reply_after(server, since)

        since = server.mark()
        server.push_command(PATIENT, "mydata")
        mydata = reply_after(server, since, "hold about you")
        assert "Unanswered questions" in mydata.visible_text

        since = server.mark()
        server.push_command(PATIENT, "forget")
        confirm = reply_after(server, since, "Are you sure")
        since = server.mark()
        server.push_callback(
            PATIENT, confirm.buttons[0]["callback_data"], confirm.result["message_id"]
        )
        server.wait_for(
            "editMessageText",
            lambda r: r.ok and "deleted everything" in r.visible_text,
            timeout=WAIT_S,
            since=since,
        )
        os.kill(bot.pid, signal.SIGTERM)
        bot.wait(timeout=WAIT_S)
    finally:
        stop(bot)
    files = [tmp_path / "bot.sqlite3", tmp_path / "bot.sqlite3-wal", tmp_path / "bot-0.log"]
    for path in files:
        if path.exists():
            data = path.read_bytes()
            for marker in (FAQ_MARKER, INTAKE_MARKER):
                assert marker.encode() not in data, f"{marker} found in {path.name}"
    assert (tmp_path / "bot-0.log").stat().st_size > 0
