"""The delivery contract under injected faults, with the real `ims-bot run` process.

Outages and errors are injected by the fake Bot API server: refused connections,
dropped connections (resets), 5xx and 429 answers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes.bot_api_server import FakeBotApiServer
from tests.faults.conftest import fault_env
from tests.process_env import HANG_S
from tests.reminders.bot_process import (
    STAFF,
    START_TIMEOUT_S,
    deliveries,
    rows_by_chat,
    seed_due_reminders,
    start_bot,
    stop,
    wait_until,
)

pytestmark = pytest.mark.e2e
FINISH_TIMEOUT_S = HANG_S
EMERGENCY_TEXT = "I suddenly can't control my bladder and my legs are numb"
QUESTION = "does IMS hurt?"


def test_reminders_due_during_an_outage_are_delivered_once_after_it(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    env = fault_env(tmp_path, server)
    chats = [7100 + n for n in range(5)]
    bot = start_bot(tmp_path, env)
    try:
        assert server.wait_until_polling(START_TIMEOUT_S), "the bot never polled"
        # Refused until the test ends the outage (a timed outage could end, on a busy
        # machine, before the reminders were even seeded).
        server.refuse_connections(FINISH_TIMEOUT_S)
        seed_due_reminders(env, chats)  # due now, while Telegram is unreachable
        wait_until(
            lambda: any(tries for _, tries in rows_by_chat(tmp_path, "remind_2h").values()),
            FINISH_TIMEOUT_S,
            "a sweep to run into the refused connections",
        )
        assert deliveries(server, chats) == {}
        server.accept_connections()
        wait_until(
            lambda: all(s == "sent" for s, _ in rows_by_chat(tmp_path, "remind_2h").values()),
            FINISH_TIMEOUT_S,
            "every reminder sent after the outage",
        )
        assert deliveries(server, chats) == dict.fromkeys(chats, 1)
        # Nothing was lost or doubtful, so staff have nothing to check.
        notes = [r for r in server.sent_to(STAFF) if "may not have reached" in r.visible_text]
        assert notes == []
    finally:
        stop(bot)


def test_reminders_survive_5xx_and_resets(tmp_path: Path, server: FakeBotApiServer) -> None:
    env = fault_env(tmp_path, server)
    chats = [7200 + n for n in range(5)]
    bot = start_bot(tmp_path, env)
    try:
        assert server.wait_until_polling(START_TIMEOUT_S), "the bot never polled"
        server.fail_next("sendMessage", 502, "Bad Gateway", count=2)
        server.drop_next("sendMessage", count=1)
        server.fail_next("sendMessage", 500, "Internal Server Error", count=1)
        seed_due_reminders(env, chats)
        wait_until(
            lambda: all(s == "sent" for s, _ in rows_by_chat(tmp_path, "remind_2h").values()),
            FINISH_TIMEOUT_S,
            "every reminder sent",
        )
        assert deliveries(server, chats) == dict.fromkeys(chats, 1)
    finally:
        stop(bot)


def test_every_patient_and_every_emergency_gets_its_real_reply_through_429_and_500(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    env = fault_env(tmp_path, server)
    patients = [7300 + n for n in range(10)]
    bot = start_bot(tmp_path, env)
    try:
        assert server.wait_until_polling(START_TIMEOUT_S), "the bot never polled"
        server.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        server.fail_next("sendMessage", 500, "Internal Server Error", count=2)
        server.drop_next("sendMessage")
        for chat in patients:
            text = EMERGENCY_TEXT if chat % 2 else QUESTION
            server.push_message(chat, text)
        for chat in patients:
            reply = server.wait_for(
                "sendMessage", lambda r, c=chat: r.ok and r.chat_id == c, timeout=FINISH_TIMEOUT_S
            )
            assert "went wrong" not in reply.visible_text
            if chat % 2:
                assert "911" in reply.visible_text or "emergency" in reply.visible_text.lower()
        failed = [r for r in server.calls("sendMessage") if not r.ok]
        assert len(failed) >= 3  # the faults really were hit
        assert not server.violations, server.violations
    finally:
        stop(bot)
