"""Staff answer an alert from the Telegram staff chat: a reply to the alert's note, confirmed
with a button, reaches the patient as from the clinic team; `/reply N` sends at once; staff
talk under other messages stays in the staff chat. The real PTB Application, the whole
runtime on a SQLite file, and the fake Bot API server on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.channels.telegram.application import (
    TelegramApplication,
    build_application,
    channel_of,
    run_post_init,
)
from bot.config import Settings, load_settings
from bot.runtime import build_runtime
from bot.web.audit import AuditLog
from tests.fakes.bot_api_server import FakeBotApiServer, RecordedRequest

TOKEN = "123456:staff-reply-fake-token-abcdefghij"
STAFF = -1002233445566
PATIENT = 7301
WAIT_S = 20.0
STAFF_WORDS = "Hi, this is Robin at the clinic. Did you get to the emergency department?"


def settings_for(fake_api: FakeBotApiServer, tmp_path: Path, staff: int = STAFF) -> Settings:
    """The bot's settings on the fake Bot API, a SQLite file and one staff chat."""
    return load_settings(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
            "IMS_DATA_DIR": str(tmp_path / "data"),
            "STAFF_CHAT_IDS": str(staff),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fake_api.base_url,
            "DATA_ENCRYPTION_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=",
        },
        read_dotenv=False,
    )


@asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[TelegramApplication]:
    """The bot started as `ims-bot run` starts it (without polling: the test hands it each
    update the fake server holds)."""
    runtime = await build_runtime(settings)
    application = build_application(runtime)
    try:
        async with application:
            await run_post_init(application)
            yield application
    finally:
        await runtime.close()


@pytest.fixture
async def bot(fake_api: FakeBotApiServer, tmp_path: Path) -> AsyncIterator[TelegramApplication]:
    """The bot on the fake Bot API."""
    async with running_bot(settings_for(fake_api, tmp_path)) as application:
        yield application


async def deliver(
    app: TelegramApplication, fake: FakeBotApiServer, message: dict[str, Any]
) -> None:
    """Hand the update the fake server queued for `message` to the bot; staff notes sent."""
    updates = await app.bot.get_updates(timeout=0)
    [update] = [u for u in updates if u.message and u.message.message_id == message["message_id"]]
    await app.process_update(update)
    await app.bot.get_updates(offset=update.update_id + 1, timeout=0)
    await channel_of(app).outbound.staff.flush(timeout=WAIT_S)


async def tap(app: TelegramApplication, fake: FakeBotApiServer, chat: int, label: str) -> None:
    """Tap the newest button labelled `label` in `chat`."""
    sent = [r for r in fake.sent_to(chat) if any(b.get("text") == label for b in r.buttons)]
    button = next(b for b in sent[-1].buttons if b.get("text") == label)
    fake.push_callback(chat, button["callback_data"], sent[-1].result["message_id"], staff_user())
    updates = await app.bot.get_updates(timeout=0)
    for update in updates:
        await app.process_update(update)
    if updates:
        await app.bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)


def to_chat(fake: FakeBotApiServer, chat: int, since: int) -> list[RecordedRequest]:
    return fake.sent_to(chat, since)


def staff_user() -> dict[str, Any]:
    return {"id": 9001, "is_bot": False, "first_name": "Robin"}


async def test_a_reply_to_an_alert_note_reaches_the_patient_after_send(
    bot: TelegramApplication, fake_api: FakeBotApiServer
) -> None:
    pushed = fake_api.push_message(PATIENT, "my chest is crushing and my left arm went numb")
    await deliver(bot, fake_api, pushed)
    [note] = to_chat(fake_api, STAFF, 0)
    assert "Alert #1" in note.visible_text and "reply to this message" in note.visible_text
    held = fake_api.message(STAFF, note.result["message_id"])
    assert held is not None

    # Staff talk under the note among themselves first: nothing is sent, nothing asked.
    since = fake_api.mark()
    chat_talk = fake_api.push_message(
        STAFF, "I'll call them", user=staff_user(), chat_type="supergroup", reply_to=held
    )
    await deliver(bot, fake_api, chat_talk)
    asked = to_chat(fake_api, STAFF, since)
    assert [r.buttons for r in asked] and to_chat(fake_api, PATIENT, since) == []
    await tap(bot, fake_api, STAFF, "Don't send")
    assert to_chat(fake_api, PATIENT, since) == []

    since = fake_api.mark()
    reply = fake_api.push_message(
        STAFF, STAFF_WORDS, user=staff_user(), chat_type="supergroup", reply_to=held
    )
    await deliver(bot, fake_api, reply)
    [question] = to_chat(fake_api, STAFF, since)
    assert "patient of alert #1" in question.visible_text
    assert to_chat(fake_api, PATIENT, since) == []  # not before "Send"
    await tap(bot, fake_api, STAFF, "Send")
    message, notice = to_chat(fake_api, PATIENT, since)
    assert message.visible_text == f"Message from the clinic team\n\n{STAFF_WORDS}"
    assert "goes to the clinic team" in notice.visible_text and "/bot" in notice.visible_text
    edits = [r for r in fake_api.calls("editMessageText") if r.chat_id == STAFF]
    assert "Sent to the patient of alert #1" in edits[-1].visible_text
    # A second tap on the same button sends nothing more.
    await tap(bot, fake_api, STAFF, "Send")
    assert len(to_chat(fake_api, PATIENT, since)) == 2
    runtime = channel_of(bot).runtime
    audit = await AuditLog(runtime.database).recent(20)
    assert [(a.action, a.target) for a in audit if a.action.startswith("reply")] == [
        ("reply_to_patient", "event:1")
    ]
    assert "Robin" in audit[0].email


async def test_reply_command_and_replies_to_other_messages(
    bot: TelegramApplication, fake_api: FakeBotApiServer
) -> None:
    pushed = fake_api.push_message(PATIENT, "/contact")
    await deliver(bot, fake_api, pushed)
    since = fake_api.mark()
    command = fake_api.push_message(
        STAFF, "/reply 1 We will call you at 3 pm today.", user=staff_user(),
        chat_type="supergroup",
    )  # fmt: skip
    await deliver(bot, fake_api, command)
    message, _notice = to_chat(fake_api, PATIENT, since)
    assert message.visible_text.endswith("We will call you at 3 pm today.")
    [told] = to_chat(fake_api, STAFF, since)
    assert told.visible_text == "Sent to the patient of alert #1."

    # A number no alert can have is read as a typing slip, not looked up (the database
    # cannot hold it): the usage line, and nothing reaches the patient.
    since = fake_api.mark()
    too_long = fake_api.push_message(
        STAFF, "/reply 99999999999999999999 Hello", user=staff_user(), chat_type="supergroup"
    )
    await deliver(bot, fake_api, too_long)
    [usage] = to_chat(fake_api, STAFF, since)
    assert usage.visible_text.startswith("Write /reply, the alert's number and your message")
    assert to_chat(fake_api, PATIENT, since) == []

    # A reply to a bot message that names no alert is staff talk: no answer at all.
    since = fake_api.mark()
    other = await bot.bot.send_message(STAFF, "Today: 3 appointments")
    held = fake_api.message(STAFF, other.message_id)
    talk = fake_api.push_message(
        STAFF, "thanks", user=staff_user(), chat_type="supergroup", reply_to=held
    )
    await deliver(bot, fake_api, talk)
    await asyncio.sleep(0)
    assert [r.visible_text for r in to_chat(fake_api, STAFF, since)] == ["Today: 3 appointments"]
    assert to_chat(fake_api, PATIENT, since) == []
