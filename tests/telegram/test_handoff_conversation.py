"""The two-way handoff over Telegram: after staff write to the patient of an alert, the
patient's messages reach the staff chat (a note staff can reply to) instead of the FAQ, the
safety stage still answers an emergency at once, a restart in the middle loses nothing, and
the patient (a button) or staff (`/close N`) end it. The real PTB Application and runtime
on a SQLite file, the fake Bot API server on loopback."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.application import (
    TelegramApplication,
    channel_of,
)
from bot.storage.encryption import load_cipher
from bot.web.audit import AuditLog
from bot.web.handoff_thread import BOT, PATIENT, STAFF, HandoffThread
from tests.fakes.bot_api_server import FakeBotApiServer
from tests.telegram.test_staff_reply import (
    deliver,
    running_bot,
    settings_for,
    staff_user,
    tap,
    to_chat,
)

STAFF_CHAT = -1002233445577
CHAT = 7401
EMERGENCY_WORDS = "my chest is crushing and my left arm went numb"
ANNA = "Hi, this is Anna from the clinic, can you tell me what happened?"
ANSWER = "Thank you, I am home now and feeling better. Can I keep my visit on Thursday?"
ANNA_AGAIN = "Yes, Thursday stands. Rest today."
LATER = "Also, does IMS hurt?"
WORSE = "now my chest is crushing again and I cannot breathe"


async def say(app: TelegramApplication, fake: FakeBotApiServer, text: str) -> None:
    await deliver(app, fake, fake.push_message(CHAT, text))


async def staff_say(
    app: TelegramApplication, fake: FakeBotApiServer, text: str, reply_to: Any = None
) -> None:
    pushed = fake.push_message(
        STAFF_CHAT, text, user=staff_user(), chat_type="supergroup", reply_to=reply_to
    )
    await deliver(app, fake, pushed)


def texts(fake: FakeBotApiServer, chat: int, since: int) -> list[str]:
    return [r.visible_text for r in to_chat(fake, chat, since)]


async def test_the_patients_answers_reach_staff_until_they_go_back_to_the_bot(
    fake_api: FakeBotApiServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = settings_for(fake_api, tmp_path, STAFF_CHAT)
    caplog.set_level(logging.DEBUG, logger="bot")
    async with running_bot(settings) as app:
        await say(app, fake_api, EMERGENCY_WORDS)
        since = fake_api.mark()
        await staff_say(app, fake_api, f"/reply 1 {ANNA}")
        message, notice = texts(fake_api, CHAT, since)
        assert message.endswith(ANNA)
        # Told once: where messages go, when to expect an answer, 911, the way back.
        assert "goes to the clinic team" in notice and "911" in notice and "/bot" in notice
        assert "clinic is open now" in notice or "clinic is closed now" in notice

        since = fake_api.mark()
        await say(app, fake_api, ANSWER)
        assert texts(fake_api, CHAT, since) == ["Passed on to the clinic team."]
        [note] = to_chat(fake_api, STAFF_CHAT, since)
        assert ANSWER in note.visible_text and "alert #1" in note.visible_text

        # Staff reply to the patient's note: asked to confirm, then sent; no second notice.
        held = fake_api.message(STAFF_CHAT, note.result["message_id"])
        since = fake_api.mark()
        await staff_say(app, fake_api, ANNA_AGAIN, reply_to=held)
        await tap(app, fake_api, STAFF_CHAT, "Send")
        [again] = texts(fake_api, CHAT, since)
        assert again.endswith(ANNA_AGAIN)

    # A restart in the middle of the handoff: the next message still reaches staff.
    async with running_bot(settings) as app:
        since = fake_api.mark()
        await say(app, fake_api, LATER)
        assert texts(fake_api, CHAT, since) == ["Passed on to the clinic team."]
        [note] = to_chat(fake_api, STAFF_CHAT, since)
        assert LATER in note.visible_text

        # Safety first: an emergency gets the 911 reply at once, and staff are told so.
        since = fake_api.mark()
        await say(app, fake_api, WORSE)
        first, *_ = texts(fake_api, CHAT, since)
        assert "911" in first
        staff = "\n".join(texts(fake_api, STAFF_CHAT, since))
        assert WORSE in staff and "emergency reply at once" in staff

        since = fake_api.mark()
        await tap_patient(app, fake_api, "Back to the assistant")
        assert "back with the assistant" in texts(fake_api, CHAT, since)[0]
        assert "went back to the assistant" in "\n".join(texts(fake_api, STAFF_CHAT, since))

        since = fake_api.mark()
        await say(app, fake_api, "does ims hurt")
        assert texts(fake_api, CHAT, since)[0].startswith("Does IMS hurt?")
        assert to_chat(fake_api, STAFF_CHAT, since) == []

        # Staff write again (a new handoff, told again), then end it with /close.
        since = fake_api.mark()
        await staff_say(app, fake_api, "/reply 1 One more thing: bring your shoes.")
        assert len(to_chat(fake_api, CHAT, since)) == 2
        since = fake_api.mark()
        await staff_say(app, fake_api, "/close 1")
        [ended] = texts(fake_api, CHAT, since)
        assert "ended this conversation" in ended
        assert "is closed" in texts(fake_api, STAFF_CHAT, since)[0]
        since = fake_api.mark()
        await say(app, fake_api, "where are you located")
        assert to_chat(fake_api, STAFF_CHAT, since) == []

        runtime = channel_of(app).runtime
        thread = HandoffThread(runtime.database, load_cipher(settings), settings.handoff_window)
        [messages] = (await thread.of_events([1])).values()
        assert [m.sender for m in messages] == [
            STAFF,
            PATIENT,
            STAFF,
            PATIENT,
            PATIENT,
            BOT,
            STAFF,
            BOT,
        ]
        assert [m.text for m in messages][:5] == [ANNA, ANSWER, ANNA_AGAIN, LATER, WORSE]
        assert [m.safety for m in messages][3:5] == [None, "emergency"]
        audit = [(a.action, a.target) for a in await AuditLog(runtime.database).recent(20)]
        assert ("close_handoff", "event:1") in audit

    # Stored encrypted: no word of either side in the database file; none in the log.
    raw = b"".join(
        bytes(str(row), "utf-8")
        for row in sqlite3.connect(tmp_path / "bot.sqlite3").execute(
            "SELECT body, author, sender FROM handoff_messages"
        )
    )
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    for words in (ANNA, ANSWER, LATER, "bring your shoes"):
        assert words.encode() not in raw
        assert words not in ours


async def tap_patient(app: TelegramApplication, fake: FakeBotApiServer, label: str) -> None:
    """The patient taps the newest button labelled `label` in their chat."""
    sent = [r for r in fake.sent_to(CHAT) if any(b.get("text") == label for b in r.buttons)]
    button = next(b for b in sent[-1].buttons if b.get("text") == label)
    fake.push_callback(CHAT, button["callback_data"], sent[-1].result["message_id"])
    updates = await app.bot.get_updates(timeout=0)
    for update in updates:
        await app.process_update(update)
    if updates:
        await app.bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    await channel_of(app).outbound.staff.flush(timeout=20)
