"""End to end through `ims-bot run` and the fake Bot API server: link, remind, confirm, errors."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fakes.api_schema import BotApiSchema
from tests.fakes.bot_api_server import FakeBotApiServer
from tests.reminders.bot_process import (
    STAFF,
    bot_env,
    rows_by_chat,
    start_bot,
    stop,
    wait_until,
)

PATIENT, BLOCKED, FLOODED = 71001, 71002, 71003
WAIT_S = 20.0
LEAD = timedelta(hours=2, seconds=15)  # the 2 h reminder falls due in a few seconds


@pytest.fixture
def server() -> Iterator[FakeBotApiServer]:
    fake = FakeBotApiServer(schema=BotApiSchema()).start()
    try:
        yield fake
    finally:
        fake.stop()


def add_appointment(env: dict[str, str], cwd: Path, ref: str, start: datetime) -> str:
    """`ims-bot appointments add` as the clinic runs it; returns the /start payload."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "appointments",
            "add",
            "--at",
            start.isoformat(),
            "--ref",
            ref,
            "--type",
            "ims_treatment",
            "--location",
            "riverside",
            "--clinician",
            "Alex Doe",
        ],
        env={**env, "TELEGRAM_BOT_USERNAME": "MapleSampleBot"},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    link = next(word for word in done.stdout.split() if word.startswith("https://t.me/"))
    assert link.startswith("https://t.me/MapleSampleBot?start=ap-")
    return link.split("?start=", 1)[1]


def appointment_status(tmp_path: Path, ref: str) -> tuple[str, int]:
    with sqlite3.connect(tmp_path / "bot.sqlite3", timeout=10) as db:
        row = db.execute("SELECT status, unreachable FROM appointments WHERE ref = ?", (ref,))
        status, unreachable = row.fetchone()
        return status, unreachable


@pytest.mark.e2e
def test_link_remind_confirm_and_telegram_errors(tmp_path: Path, server: FakeBotApiServer) -> None:
    env = bot_env(tmp_path, server)
    start = datetime.now(UTC) + LEAD
    tokens = {
        chat: add_appointment(env, tmp_path, f"E-{chat}", start)
        for chat in (PATIENT, BLOCKED, FLOODED)
    }
    bot = start_bot(tmp_path, env)
    try:
        server.wait_for("getUpdates", timeout=WAIT_S)
        for chat, token in tokens.items():
            since = server.mark()
            server.push_command(chat, "start", [token])
            greeting = server.wait_for(
                "sendMessage", lambda r, c=chat: r.chat_id == c, timeout=WAIT_S, since=since
            )
            assert "linked to your appointment" in greeting.visible_text
            assert any(b.get("callback_data") == "intake:start" for b in greeting.buttons)
        # A forged link changes nothing and gets a polite answer.
        since = server.mark()
        server.push_command(PATIENT + 10, "start", ["ap-forgedforgedforgedforgedforged00"])
        forged = server.wait_for(
            "sendMessage", lambda r: r.chat_id == PATIENT + 10, timeout=WAIT_S, since=since
        )
        assert "don't recognise" in forged.visible_text

        server.block_chat(BLOCKED)
        server.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)

        reminder = server.wait_for(
            "sendMessage",
            lambda r: r.ok and r.chat_id == PATIENT and "Appointment reminder" in r.visible_text,
            timeout=WAIT_S + 15,
        )
        assert "Alex Doe" in reminder.visible_text and "Eat a light meal" in reminder.visible_text
        labels = [b["text"] for b in reminder.buttons]
        assert labels[:3] == ["Confirm", "Reschedule", "Cancel"] and "url" in reminder.buttons[3]

        # Flood control: the 429'd reminder was retried and arrived exactly once.
        wait_until(
            lambda: all(
                s in {"sent", "failed"} for s, _ in rows_by_chat(tmp_path, "remind_2h").values()
            ),
            WAIT_S,
            "all reminders to settle",
        )
        assert any(r.method == "sendMessage" and r.status == 429 for r in server.requests)
        rows = rows_by_chat(tmp_path, "remind_2h")
        assert rows[PATIENT][0] == rows[FLOODED][0] == "sent"
        assert max(rows[PATIENT][1], rows[FLOODED][1]) == 2  # one of them needed a second try
        for chat in (PATIENT, FLOODED):
            got = [r for r in server.sent_to(chat) if "Appointment reminder" in r.visible_text]
            assert len(got) == 1

        # Blocked (403): unreachable, failed, and staff told.
        assert rows[BLOCKED][0] == "failed"
        assert appointment_status(tmp_path, f"E-{BLOCKED}")[1] == 1
        staff_notes = server.wait_for(
            "sendMessage",
            lambda r: r.chat_id == STAFF and "blocked the bot" in r.visible_text,
            timeout=WAIT_S,
        )
        assert f"E-{BLOCKED}" in staff_notes.visible_text

        # Tap Confirm on the reminder: the status changes.
        since = server.mark()
        confirm = reminder.buttons[0]["callback_data"]
        server.push_callback(PATIENT, confirm, reminder.result["message_id"])
        server.wait_for("answerCallbackQuery", timeout=WAIT_S, since=since)
        wait_until(
            lambda: appointment_status(tmp_path, f"E-{PATIENT}")[0] == "confirmed",
            WAIT_S,
            "confirmed",
        )
        thanks = server.wait_for(
            "sendMessage", lambda r: r.chat_id == PATIENT, timeout=WAIT_S, since=since
        )
        assert "confirmed" in thanks.visible_text
        assert not server.violations, server.violations
    finally:
        stop(bot)
