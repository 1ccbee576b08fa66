"""End to end: `ims-bot run` as a real process, polling the fake Bot API server on loopback."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.fakes.bot_api_server import FakeBotApiServer, RecordedRequest
from tests.process_env import HANG_S, process_env

E2E_TOKEN = "123456:e2e-fake-token-abcdefghijklmnop"
PATIENT = 424242
STAFF = -1009876543210
STRANGER_GROUP = -1005550001111
FAQ_QUESTION = "hi, quick question: does IMS hurt?"
EMERGENCY_TEXT = "I suddenly can't control my bladder and my legs are numb"
START_TIMEOUT_S = HANG_S
POLL_STEP_S = 0.5
STOP_TIMEOUT_S = HANG_S
REPLY_TIMEOUT_S = HANG_S
KEY_BYTES = 32  # DATA_ENCRYPTION_KEY: 32 url-safe base64-encoded bytes


def bot_environment(server: FakeBotApiServer, tmp_path: Path) -> dict[str, str]:
    """The environment `ims-bot run` gets: fake Telegram, a fresh SQLite file, one staff chat."""
    return process_env(
        tmp_path,
        TELEGRAM_BOT_TOKEN=E2E_TOKEN,
        TELEGRAM_API_BASE_URL=server.base_url,
        STAFF_CHAT_IDS=str(STAFF),
        DATA_ENCRYPTION_KEY=base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode(),
    )


Launcher = Callable[[], "subprocess.Popen[str]"]


@pytest.fixture
def launch_bot(fake_api: FakeBotApiServer, tmp_path: Path) -> Iterator[Launcher]:
    """Starts `python -m bot run` against the fake server; kills what a test leaves running."""
    processes: list[subprocess.Popen[str]] = []

    def launch() -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"],
            env=bot_environment(fake_api, tmp_path),
            cwd=tmp_path,  # no stray .env from the repository
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        return process

    try:
        yield launch
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()


@pytest.fixture
def running_bot(launch_bot: Launcher) -> subprocess.Popen[str]:
    """One bot process, started at once."""
    return launch_bot()


def stop_cleanly(process: subprocess.Popen[str]) -> str:
    """SIGTERM, as a service manager sends; asserts exit code 0 and returns stderr."""
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=STOP_TIMEOUT_S)
    assert process.returncode == 0, stderr[-2000:]
    return stderr


def wait_until_polling(
    server: FakeBotApiServer, process: subprocess.Popen[str], after: int = 0
) -> None:
    """Block until the bot polls (beyond `after` earlier polls); fail if it exits first."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the bot exited with {process.returncode}: {process.communicate()[1]}")
        if server.wait_until_polling(timeout=POLL_STEP_S, after=after):
            return
    process.kill()
    pytest.fail(f"the bot did not poll within {START_TIMEOUT_S} s: {process.communicate()[1]}")


def reply_to(server: FakeBotApiServer, chat_id: int, since: int) -> RecordedRequest:
    """The next message the bot sends to `chat_id` after position `since`."""
    return server.wait_for(
        "sendMessage", lambda r: r.chat_id == chat_id, timeout=REPLY_TIMEOUT_S, since=since
    )


@pytest.mark.e2e
def test_patient_conversation_end_to_end(
    fake_api: FakeBotApiServer, running_bot: subprocess.Popen[str]
) -> None:
    wait_until_polling(fake_api, running_bot)
    assert fake_api.calls("setMyCommands"), "command menu set at start"

    # /start: a welcome with buttons.
    since = fake_api.mark()
    fake_api.push_command(PATIENT, "start")
    welcome = reply_to(fake_api, PATIENT, since)
    assert welcome.buttons, "the welcome offers buttons"

    # An FAQ question typed the way patients do.
    since = fake_api.mark()
    fake_api.push_message(PATIENT, FAQ_QUESTION)
    answer = reply_to(fake_api, PATIENT, since)
    assert answer.visible_text.startswith("Does IMS hurt?")
    assert answer.text.startswith("<b>")

    # A tap on "Talk to a person" under the answer: contact for the patient, a note for staff.
    since = fake_api.mark()
    tap = next(b for b in answer.buttons if b.get("callback_data") == "faq:human")
    fake_api.push_callback(PATIENT, tap["callback_data"], answer.result["message_id"])
    fake_api.wait_for("answerCallbackQuery", timeout=REPLY_TIMEOUT_S, since=since)
    assert reply_to(fake_api, PATIENT, since).ok
    assert reply_to(fake_api, STAFF, since).ok

    # A follow-up button of the answer opens another answer.
    since = fake_api.mark()
    follow_up = next(b for b in answer.buttons if b.get("callback_data", "").startswith("faq:a:"))
    fake_api.push_callback(PATIENT, follow_up["callback_data"], answer.result["message_id"])
    assert reply_to(fake_api, PATIENT, since).visible_text.startswith(follow_up["text"])

    # An emergency described in chat beats everything else.
    since = fake_api.mark()
    fake_api.push_message(PATIENT, EMERGENCY_TEXT)
    emergency = reply_to(fake_api, PATIENT, since)
    assert "911" in emergency.visible_text or "emergency" in emergency.visible_text.lower()

    # A photo gets the polite "text only" answer; a stranger's group gets nothing.
    fake_api.push_message(STRANGER_GROUP, "does IMS hurt?", chat_type="supergroup")
    since = fake_api.mark()
    fake_api.push_non_text(PATIENT, "photo")
    assert reply_to(fake_api, PATIENT, since).visible_text.startswith("I can only read text")

    # Everything queued was fetched and confirmed; stop like a service manager does.
    stderr = stop_cleanly(running_bot)
    assert fake_api.pending_updates == 0
    first_poll = fake_api.calls("getUpdates")[0].params
    assert sorted(first_poll["allowed_updates"]) == [
        "callback_query",
        "edited_message",
        "message",
        "my_chat_member",
    ]
    assert not [r for r in fake_api.requests if r.chat_id == STRANGER_GROUP]
    assert fake_api.violations == []
    assert "e2e-fake-token" not in stderr
    assert FAQ_QUESTION not in stderr and EMERGENCY_TEXT not in stderr  # no patient text


@pytest.mark.e2e
def test_messages_sent_while_the_bot_is_down_are_answered_once(
    fake_api: FakeBotApiServer, launch_bot: Launcher
) -> None:
    fake_api.push_command(PATIENT, "help")  # before the bot ever started
    first = launch_bot()
    wait_until_polling(fake_api, first)
    reply_to(fake_api, PATIENT, since=0)
    stop_cleanly(first)

    fake_api.push_message(PATIENT, FAQ_QUESTION)  # during a restart
    since = fake_api.mark()
    polls_before = fake_api.polls_started
    second = launch_bot()
    wait_until_polling(fake_api, second, after=polls_before)
    assert reply_to(fake_api, PATIENT, since).visible_text.startswith("Does IMS hurt?")
    stop_cleanly(second)
    # /help was confirmed before the restart: it was not answered a second time.
    assert len(fake_api.sent_to(PATIENT)) == 2
    assert fake_api.violations == []
