"""Hostile and heavy update traffic against the real `ims-bot run` process.

Ordering and causality are asserted here; how fast the emergency reply arrives is
measured by `benchmarks/fault_delivery.py`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.fakes.bot_api_server import FakeBotApiServer, user_dict
from tests.faults.conftest import fault_env
from tests.process_env import HANG_S
from tests.reminders.bot_process import STAFF, start_bot, stop, wait_until

pytestmark = pytest.mark.e2e
REPLY_TIMEOUT_S = HANG_S
EMERGENCY_TEXT = "I suddenly can't control my bladder and my legs are numb"
POISON_MARKER = "poison-marker-knee-7731"
MAX_LOG_BYTES = 1_000_000


def test_a_staff_note_flood_does_not_hold_back_another_patients_emergency(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    tappers = [8100 + n for n in range(60)]
    for chat in tappers:  # all queued before the bot starts: one batch, as in a rush
        server.push_callback(chat, "faq:human", message_id=1)
    server.push_message(8999, EMERGENCY_TEXT)
    bot = start_bot(tmp_path, fault_env(tmp_path, server))
    try:
        emergency = server.wait_for(
            "sendMessage", lambda r: r.ok and r.chat_id == 8999, timeout=REPLY_TIMEOUT_S
        )
        assert "911" in emergency.visible_text or "emergency" in emergency.visible_text.lower()
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while time.monotonic() < deadline:
            staff_text = "\n".join(r.visible_text for r in server.sent_to(STAFF) if r.ok)
            if all(f"chat {chat}" in staff_text for chat in tappers):
                break
            time.sleep(0.2)
        sent = [r for r in server.calls("sendMessage") if r.ok]
        order = [r.chat_id for r in sent]
        # Every contact request reached staff, batched into a few messages, none lost.
        assert all(f"chat {chat}" in staff_text for chat in tappers)
        assert order.count(STAFF) <= 10
        # The emergency reply went out ahead of the other patients' replies still waiting
        # and of the staff backlog.
        last_tapper_reply = max(i for i, chat in enumerate(order) if chat in set(tappers))
        last_staff = max(i for i, chat in enumerate(order) if chat == STAFF)
        assert order.index(8999) < last_tapper_reply
        assert order.index(8999) < last_staff
    finally:
        stop(bot)


def _poison_updates(server: FakeBotApiServer) -> list[int]:
    """An update without `date`, and one whose chat has no `type`; their update ids."""
    no_date = server.push_update(
        {
            "message": {
                "message_id": 1,
                "from": user_dict(8201),
                "chat": {"id": 8201, "type": "private", "first_name": "Alex"},
                "text": f"no date {POISON_MARKER}",
            }
        }
    )
    no_type = server.push_update(
        {
            "message": {
                "message_id": 2,
                "date": int(time.time()),
                "from": user_dict(8202),
                "chat": {"id": 8202, "first_name": POISON_MARKER},
                "text": f"no chat type {POISON_MARKER}",
            }
        }
    )
    return [no_date, no_type]


def test_a_malformed_update_is_skipped_logged_once_and_polling_goes_on(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    server.push_message(8300, "does IMS hurt?")
    poisoned = _poison_updates(server)
    server.push_message(8301, "how long does a session take?")
    bot = start_bot(tmp_path, fault_env(tmp_path, server, LOG_LEVEL="DEBUG"))
    try:
        for chat in (8300, 8301):
            server.wait_for(
                "sendMessage", lambda r, c=chat: r.ok and r.chat_id == c, REPLY_TIMEOUT_S
            )
        server.push_message(8302, "is IMS the same as acupuncture?")  # polling goes on
        server.wait_for("sendMessage", lambda r: r.ok and r.chat_id == 8302, REPLY_TIMEOUT_S)
        # The poison was confirmed, not fetched again. The last update is confirmed by the
        # bot's next poll, which may come a moment after its reply: wait for it.
        wait_until(lambda: server.pending_updates == 0, REPLY_TIMEOUT_S, "every update confirmed")
    finally:
        stop(bot)
    log = (tmp_path / "bot-0.log").read_bytes()
    assert len(log) < MAX_LOG_BYTES
    assert POISON_MARKER.encode() not in log
    for update_id in poisoned:
        assert log.count(f"skipped update {update_id}:".encode()) == 1
