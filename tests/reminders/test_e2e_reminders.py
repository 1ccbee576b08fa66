"""End to end through `ims-bot run` and the fake Bot API server: link, remind, confirm, errors."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fakes.bot_api_server import FakeBotApiServer
from tests.process_env import HANG_S, run_ims_bot
from tests.reminders.bot_process import (
    STAFF,
    bot_env,
    rows_by_chat,
    seed_due_reminders,
    start_bot,
    stop,
    wait_until,
)

PATIENT, BLOCKED, FLOODED, LINKER = 71001, 71002, 71003, 71004
WAIT_S = HANG_S
START_TIMEOUT_S = HANG_S


def add_appointment(env: dict[str, str], cwd: Path, ref: str, start: datetime) -> str:
    """`ims-bot appointments add` as the clinic runs it; returns the /start payload."""
    done = run_ims_bot(
        {**env, "TELEGRAM_BOT_USERNAME": "MapleSampleBot"},
        cwd,
        *("appointments", "add", "--at", start.isoformat(), "--ref", ref),
        *("--type", "ims_treatment", "--location", "riverside", "--clinician", "Alex Doe"),
        "--force",  # the test's clock may fall outside the sample opening hours
    )
    assert done.returncode == 0, done.stderr[-2000:]
    link = next(word for word in done.stdout.split() if word.startswith("https://t.me/"))
    assert link.startswith("https://t.me/MapleSampleBot?start=ap-")
    return link.split("?start=", 1)[1]


def link_directly(tmp_path: Path, ref: str, chat: int) -> None:
    with sqlite3.connect(tmp_path / "bot.sqlite3", timeout=10) as db:
        db.execute("UPDATE appointments SET chat_id = ? WHERE ref = ?", (chat, ref))


def appointment_status(tmp_path: Path, ref: str) -> tuple[str, int]:
    with sqlite3.connect(tmp_path / "bot.sqlite3", timeout=10) as db:
        row = db.execute("SELECT status, unreachable FROM appointments WHERE ref = ?", (ref,))
        status, unreachable = row.fetchone()
        return status, unreachable


@pytest.mark.e2e
def test_link_remind_confirm_and_telegram_errors(tmp_path: Path, server: FakeBotApiServer) -> None:
    env = bot_env(tmp_path, server)
    # The clinic's command prints a link; its appointment is days away (no reminder yet).
    cli_token = add_appointment(env, tmp_path, "E-LINK", datetime.now(UTC) + timedelta(days=3))
    # Three more, booked ten minutes ago, whose 2 h reminders are due now: they wait,
    # pending, until their patients open the links.
    tokens = seed_due_reminders(env, [PATIENT, BLOCKED, FLOODED], link=False, location="riverside")
    bot = start_bot(tmp_path, env)
    try:
        assert server.wait_until_polling(START_TIMEOUT_S), "the bot never polled"
        since = server.mark()
        server.push_command(LINKER, "start", [cli_token])
        greeting = server.wait_for(
            "sendMessage", lambda r: r.chat_id == LINKER, timeout=WAIT_S, since=since
        )
        assert "linked to your appointment" in greeting.visible_text
        assert any(
            str(b.get("callback_data", "")).startswith("intake:start") for b in greeting.buttons
        )
        # A forged link changes nothing and gets a polite answer.
        since = server.mark()
        server.push_command(PATIENT + 10, "start", ["ap-forgedforgedforgedforgedforged00"])
        forged = server.wait_for(
            "sendMessage", lambda r: r.chat_id == PATIENT + 10, timeout=WAIT_S, since=since
        )
        assert "don't recognise" in forged.visible_text

        # The patient opens their link: greeting, then the reminder that was waiting.
        server.push_command(PATIENT, "start", [tokens[PATIENT]])
        reminder = server.wait_for(
            "sendMessage",
            lambda r: r.ok and r.chat_id == PATIENT and "Appointment reminder" in r.visible_text,
            timeout=WAIT_S,
        )
        assert "Alex Doe" in reminder.visible_text and "Eat a light meal" in reminder.visible_text
        labels = [b["text"] for b in reminder.buttons]
        assert labels[:3] == ["Confirm", "Reschedule", "Cancel"] and "url" in reminder.buttons[3]

        # Flood control (429): the outbound waits retry_after and retries in the same
        # attempt (one claim of the row), delivering once.
        server.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        link_directly(tmp_path, f"S-{FLOODED}", FLOODED)
        wait_until(
            lambda: rows_by_chat(tmp_path, "remind_2h")[FLOODED][0] == "sent", WAIT_S, "retry"
        )
        assert rows_by_chat(tmp_path, "remind_2h")[FLOODED][1] == 1
        assert any(r.status == 429 and r.chat_id == FLOODED for r in server.calls("sendMessage"))

        # Blocked (403): failed, the patient marked unreachable, staff told.
        server.block_chat(BLOCKED)
        link_directly(tmp_path, f"S-{BLOCKED}", BLOCKED)
        staff_note = server.wait_for(
            "sendMessage",
            lambda r: r.chat_id == STAFF and "blocked the bot" in r.visible_text,
            timeout=WAIT_S,
        )
        assert f"S-{BLOCKED}" in staff_note.visible_text
        assert rows_by_chat(tmp_path, "remind_2h")[BLOCKED][0] == "failed"
        assert appointment_status(tmp_path, f"S-{BLOCKED}")[1] == 1
        # The patient unblocks the bot: their appointments are reachable again, so the
        # reminders still to come (the next-day check-in) are not skipped.
        server.unblock_chat(BLOCKED)
        wait_until(
            lambda: appointment_status(tmp_path, f"S-{BLOCKED}")[1] == 0, WAIT_S, "unblocked"
        )

        for chat in (PATIENT, FLOODED):
            got = [r for r in server.sent_to(chat) if "Appointment reminder" in r.visible_text]
            assert len(got) == 1

        # Tap Confirm on the reminder: the status changes.
        since = server.mark()
        confirm = reminder.buttons[0]["callback_data"]
        server.push_callback(PATIENT, confirm, reminder.result["message_id"])
        server.wait_for("answerCallbackQuery", timeout=WAIT_S, since=since)
        wait_until(
            lambda: appointment_status(tmp_path, f"S-{PATIENT}")[0] == "confirmed",
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
