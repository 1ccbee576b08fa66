"""`ims-bot run` with CONSOLE_ENABLED: the console is served beside the Telegram bot, and
nothing the bot sends to the staff chat carries a patient's typed text or an intake answer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.fakes.bot_api_server import FakeBotApiServer, RecordedRequest
from tests.process_env import HANG_S, console_settings
from tests.telegram.test_e2e_telegram import (
    PATIENT,
    REPLY_TIMEOUT_S,
    STAFF,
    bot_environment,
    stop_cleanly,
    wait_until_polling,
)
from tests.web.kit import HOSTILE_COMPLAINT, free_port, intake_answers

EMERGENCY_WORDS = "my chest is crushing and my left arm went numb"


def has_button(label: str) -> object:
    def check(request: RecordedRequest) -> bool:
        return request.chat_id == PATIENT and any(
            label in button.get("text", "") for button in request.buttons
        )

    return check


def tap(server: FakeBotApiServer, label: str, since: int) -> None:
    """Tap the newest button with `label` sent to the patient after `since`."""
    message = server.wait_for("sendMessage", has_button(label), REPLY_TIMEOUT_S, since)  # type: ignore[arg-type]
    button = next(b for b in message.buttons if label in b.get("text", ""))
    server.push_callback(PATIENT, button["callback_data"], message.result["message_id"])


@pytest.mark.e2e
def test_console_beside_the_bot_and_a_staff_chat_without_health_information(
    fake_api: FakeBotApiServer, tmp_path: Path
) -> None:
    port = free_port()
    env = bot_environment(fake_api, tmp_path)
    env.update(
        console_settings(port, "https://console.clinic.example"),
        IMS_SEND_CHAT_PER_SECOND="1000",  # the per-chat pace is tested on its own
    )
    bot = subprocess.Popen(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_polling(fake_api, bot)
        login = httpx.get(f"http://127.0.0.1:{port}/login", timeout=HANG_S)
        assert login.status_code == 200 and "Sign in" in login.text
        assert httpx.get(f"http://127.0.0.1:{port}/intakes", timeout=HANG_S).status_code == 303

        answers = intake_answers(urgent=True, contraindication=True, complaint=HOSTILE_COMPLAINT)
        since = fake_api.mark()
        fake_api.push_command(PATIENT, "intake")
        fake_api.wait_for("sendMessage", lambda r: r.chat_id == PATIENT, REPLY_TIMEOUT_S, since)
        for text in answers:
            since = fake_api.mark()
            fake_api.push_message(PATIENT, text)
            fake_api.wait_for("sendMessage", lambda r: r.chat_id == PATIENT, REPLY_TIMEOUT_S, since)
        tap(fake_api, "Send to the clinic", since)
        note = fake_api.wait_for(
            "sendMessage", lambda r: r.chat_id == STAFF, REPLY_TIMEOUT_S, since
        )
        assert "New intake #1" in note.visible_text
        assert "https://console.clinic.example/intakes/1" in note.text

        since = fake_api.mark()
        fake_api.push_message(PATIENT, EMERGENCY_WORDS)
        fake_api.wait_for("sendMessage", lambda r: r.chat_id == PATIENT, REPLY_TIMEOUT_S, since)
        since = fake_api.mark()
        fake_api.push_command(PATIENT, "contact")
        fake_api.wait_for("sendMessage", lambda r: r.chat_id == STAFF, REPLY_TIMEOUT_S, since)
        stderr = stop_cleanly(bot)
    finally:
        if bot.poll() is None:
            bot.kill()
            bot.communicate()

    staff_messages = [r.visible_text for r in fake_api.sent_to(STAFF)]
    assert len(staff_messages) >= 2
    typed = [t for t in [*answers, EMERGENCY_WORDS] if len(t) > 4]
    typed += ["Burning", "cancer", "Epilepsy", "shoulder"]  # answer labels as summarised
    for message in staff_messages:
        for text in typed:
            assert text.lower() not in message.lower(), (text, message)
    assert "crushing" not in stderr and "Burning" not in stderr
    assert "Traceback" not in stderr, stderr[-3000:]  # the console stopped with the bot
    assert fake_api.violations == []
