"""What a patient does in a conversation with staff besides typing a new message: sends a
photo or a voice note, edits a message, erases their data with /forget; and an old
"Yes, delete everything" button. The real PTB Application and runtime on a SQLite file,
the fake Bot API server on loopback."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.telegram.application import TelegramApplication, channel_of
from bot.core.privacy import CONFIRMATION_STANDS
from tests.fakes.bot_api_server import FakeBotApiServer
from tests.telegram.test_handoff_conversation import staff_say
from tests.telegram.test_staff_reply import deliver, running_bot, settings_for, to_chat

STAFF_CHAT = -1002233445577
CHAT = 7401  # the chat test_handoff_conversation's helpers write from
EMERGENCY_WORDS = "my chest is crushing and my left arm went numb"
CAPTION = "the needle spot on my back looks like this today"
FIRST = "I can come on Tuesday at 9"
CHANGED = "Sorry, I meant Thursday at 9, my knee is swollen again"


@pytest.fixture
async def talking(fake_api: FakeBotApiServer, tmp_path: Path) -> AsyncIterator[TelegramApplication]:
    """The bot where an alert for the patient came and staff wrote to them:
    the conversation is open."""
    async with running_bot(settings_for(fake_api, tmp_path, STAFF_CHAT)) as app:
        await deliver(app, fake_api, fake_api.push_message(CHAT, EMERGENCY_WORDS))
        await staff_say(app, fake_api, "/reply 1 Hi, this is Anna from the clinic. How are you?")
        yield app


async def handle_pending(app: TelegramApplication) -> None:
    """Hand the bot every update the fake server holds (an edit, a tap); staff notes sent."""
    updates = await app.bot.get_updates(timeout=0)
    for update in updates:
        await app.process_update(update)
    await app.bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    await channel_of(app).outbound.staff.flush(timeout=20)


def texts(fake: FakeBotApiServer, chat: int, since: int) -> list[str]:
    return [r.visible_text for r in to_chat(fake, chat, since)]


async def test_a_photo_and_a_voice_note_in_a_conversation_with_staff(
    fake_api: FakeBotApiServer, talking: TelegramApplication, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    app = talking
    since = fake_api.mark()
    photo = fake_api.push_non_text(CHAT, "photo")
    await deliver(app, fake_api, photo)
    told = "\n".join(texts(fake_api, CHAT, since))
    # Told plainly, not the assistant's "I can only read text messages".
    assert "photos, voice messages and files do not" in told and "613-555-0142" in told
    assert "911" in told and "/help" not in told
    [note] = texts(fake_api, STAFF_CHAT, since)
    assert "sent a photo" in note and "did not reach you" in note and "alert #1" in note

    since = fake_api.mark()
    await deliver(app, fake_api, fake_api.push_non_text(CHAT, "voice"))
    assert "sent a voice message" in texts(fake_api, STAFF_CHAT, since)[0]

    # A photo with a caption: the caption is typed text, and reaches staff as such.
    since = fake_api.mark()
    await deliver(app, fake_api, fake_api.push_non_text(CHAT, "photo", caption=CAPTION))
    staff = "\n".join(texts(fake_api, STAFF_CHAT, since))
    assert CAPTION in staff and "sent a photo" in staff
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert CAPTION not in logged


async def test_an_edited_message_in_a_conversation_with_staff_reaches_them(
    fake_api: FakeBotApiServer, talking: TelegramApplication
) -> None:
    app = talking
    first = fake_api.push_message(CHAT, FIRST)
    await deliver(app, fake_api, first)
    since = fake_api.mark()
    fake_api.push_edit(first, CHANGED)
    await handle_pending(app)
    assert texts(fake_api, CHAT, since) == ["Passed on to the clinic team."]
    [note] = texts(fake_api, STAFF_CHAT, since)
    assert "changed a message" in note and CHANGED in note


async def test_forget_in_a_conversation_tells_staff_and_ends_it(
    fake_api: FakeBotApiServer, talking: TelegramApplication, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    app = talking
    await deliver(app, fake_api, fake_api.push_message(CHAT, FIRST))
    await deliver(app, fake_api, fake_api.push_message(CHAT, "/forget"))
    since = fake_api.mark()
    await deliver(app, fake_api, fake_api.push_message(CHAT, "yes"))
    assert "I deleted everything" in texts(fake_api, CHAT, since)[0]
    [note] = texts(fake_api, STAFF_CHAT, since)
    assert "alert #1 erased their data with /forget" in note
    assert "conversation has ended" in note
    assert FIRST not in note and str(CHAT) not in note  # no patient text, no chat

    # Ended cleanly: the patient's next message goes to the assistant, not staff; staff
    # writing again are told the bot no longer knows the chat.
    since = fake_api.mark()
    await deliver(app, fake_api, fake_api.push_message(CHAT, "does ims hurt"))
    assert texts(fake_api, CHAT, since)[0].startswith("Does IMS hurt?")
    assert texts(fake_api, STAFF_CHAT, since) == []
    since = fake_api.mark()
    await staff_say(app, fake_api, "/reply 1 Are you still there?")
    assert "erased their data" in texts(fake_api, STAFF_CHAT, since)[-1]
    assert texts(fake_api, CHAT, since) == []
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("bot"))
    assert FIRST not in logged


async def test_an_old_yes_button_asks_again_instead_of_erasing(
    fake_api: FakeBotApiServer, tmp_path: Path
) -> None:
    settings = settings_for(fake_api, tmp_path, STAFF_CHAT)
    async with running_bot(settings) as app:
        await deliver(app, fake_api, fake_api.push_message(CHAT, "what is the wifi password"))
        since = fake_api.mark()
        await deliver(app, fake_api, fake_api.push_message(CHAT, "/forget"))
        [question] = to_chat(fake_api, CHAT, since)
    # After a restart, a tap on the question's button from long ago (its stamp moved back,
    # as a message sent an hour ago carries), and on one from before buttons were stamped.
    asked_long_ago = int(time.time() - CONFIRMATION_STANDS.total_seconds() - 3600)
    async with running_bot(settings) as app:
        for data in (f"forget:yes:{asked_long_ago}", "forget:yes"):
            since = fake_api.mark()
            fake_api.push_callback(CHAT, data, question.result["message_id"])
            await handle_pending(app)
            [asked_again] = to_chat(fake_api, CHAT, since)
            assert "Nothing was deleted yet" in asked_again.visible_text
            assert "Are you sure?" in asked_again.visible_text
        since = fake_api.mark()
        await deliver(app, fake_api, fake_api.push_message(CHAT, "/mydata"))
        assert "Unanswered questions" in texts(fake_api, CHAT, since)[0]  # nothing erased
