"""PTB's own HTTP client against the fake server: files, edits, errors and timeouts."""

from __future__ import annotations

import io

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import Forbidden, TimedOut
from telegram.request import HTTPXRequest

from bot.channels.telegram.outbound import TelegramOutbound
from bot.core.outbound import DeliveryUnknown, RecipientUnreachable
from bot.core.replies import Reply
from tests.fakes.bot_api_server import FakeBotApiServer

TOKEN = "123456:ptb-against-fake-server-abcdefgh"
SHORT_READ_TIMEOUT_S = 0.3
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make_bot(server: FakeBotApiServer, read_timeout: float = 5.0) -> Bot:
    """A PTB Bot talking HTTP to the fake server."""
    request = HTTPXRequest(read_timeout=read_timeout, connect_timeout=5.0)
    return Bot(TOKEN, base_url=server.base_url, request=request)


async def test_send_photo_and_document_as_multipart(fake_api: FakeBotApiServer) -> None:
    async with make_bot(fake_api) as bot:
        photo = await bot.send_photo(7, io.BytesIO(PNG_BYTES), caption="Your <b>link</b>")
        document = await bot.send_document(7, io.BytesIO(PNG_BYTES), filename="qr.png")
    assert photo.photo and photo.caption == "Your <b>link</b>"  # no parse_mode: literal
    assert document.document is not None
    [photo_call] = fake_api.calls("sendPhoto")
    assert photo_call.params["photo"]["size"] == len(PNG_BYTES)
    assert fake_api.calls("sendDocument")[0].params["document"]["file_name"] == "qr.png"
    assert fake_api.violations == []


async def test_edit_reply_markup_and_commands_round_trip(fake_api: FakeBotApiServer) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="i:done")]])
    async with make_bot(fake_api) as bot:
        sent = await bot.send_message(7, "Pick", reply_markup=keyboard)
        edited = await bot.edit_message_reply_markup(7, sent.message_id, reply_markup=None)
        assert not isinstance(edited, bool) and edited.reply_markup is None
        await bot.set_my_commands([("start", "Start over")])
        assert [c.command for c in await bot.get_my_commands()] == ["start"]
        assert await bot.delete_my_commands()
        assert (await bot.get_webhook_info()).url == ""
    assert fake_api.violations == []


async def test_blocked_chat_and_timeout_through_the_outbound(fake_api: FakeBotApiServer) -> None:
    fake_api.block_chat(8)
    fake_api.delay_next("sendMessage", seconds=SHORT_READ_TIMEOUT_S * 4)
    async with make_bot(fake_api, read_timeout=SHORT_READ_TIMEOUT_S) as bot:
        outbound = TelegramOutbound(bot, staff_chat_ids=())
        with pytest.raises(DeliveryUnknown) as caught:
            await outbound.send(7, Reply("Reminder: tomorrow 9:00"))
        assert isinstance(caught.value.__cause__, TimedOut)
        with pytest.raises(RecipientUnreachable) as blocked:
            await outbound.send(8, Reply("Reminder"))
        assert isinstance(blocked.value.__cause__, Forbidden)
    # The timed-out message did arrive: that is why its outcome is "unknown".
    delivered = fake_api.wait_for("sendMessage", lambda r: r.chat_id == 7 and r.ok)
    assert delivered.visible_text == "Reminder: tomorrow 9:00"
