"""TelegramOutbound: PTB errors become core delivery outcomes; pushed messages are paced."""

from __future__ import annotations

from pathlib import Path

import pytest
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application

from bot.channels.telegram.application import build_application, channel_of
from bot.channels.telegram.outbound import ChatPacer
from bot.core.outbound import (
    DeliveryRejected,
    DeliveryUnknown,
    RateLimited,
    RecipientUnreachable,
)
from bot.core.replies import Button, Reply
from tests.fakes.recording_request import RecordingRequest
from tests.telegram.channel_kit import STAFF_CHAT_ID, toy_runtime

PATIENT = 777
SECOND_STAFF_CHAT = -1004445556667


@pytest.fixture
async def app(tmp_path: Path, transport: RecordingRequest):  # type: ignore[no-untyped-def]
    """An initialised Application with two staff chats, on the recording transport."""
    runtime = toy_runtime(tmp_path, staff_chat_ids=frozenset({STAFF_CHAT_ID, SECOND_STAFF_CHAT}))
    application = build_application(runtime, request=transport)
    async with application:
        yield application


async def test_send_returns_the_message_id(app: Application, transport: RecordingRequest) -> None:
    outbound = channel_of(app).outbound
    reply = Reply("See you <tomorrow>", buttons=(Button("OK", "r:ok"),))
    message_id = await outbound.send(PATIENT, reply)
    [sent] = transport.sent()
    assert message_id == sent.result["message_id"]
    assert sent.text == "See you &lt;tomorrow&gt;" and sent.buttons[0]["callback_data"] == "r:ok"


@pytest.mark.parametrize(
    ("status", "description", "retry_after", "expected"),
    [
        (403, "Forbidden: bot was blocked by the user", None, RecipientUnreachable),
        (429, "Too Many Requests: retry after 7", 7, RateLimited),
        (400, "Bad Request: chat not found", None, DeliveryRejected),
        (502, "Bad Gateway", None, DeliveryUnknown),
    ],
)
async def test_telegram_errors_map_to_delivery_errors(
    app: Application,
    transport: RecordingRequest,
    status: int,
    description: str,
    retry_after: int | None,
    expected: type[Exception],
) -> None:
    transport.api.fail_next("sendMessage", status, description, retry_after=retry_after)
    with pytest.raises(expected) as caught:
        await channel_of(app).outbound.send(PATIENT, Reply("Reminder"))
    if isinstance(caught.value, RateLimited):
        assert caught.value.retry_after == 7


@pytest.mark.parametrize("error", [TimedOut(), NetworkError("connection reset")])
async def test_timeouts_and_network_errors_are_unknown(
    app: Application, transport: RecordingRequest, error: Exception
) -> None:
    transport.raise_next.append(error)
    with pytest.raises(DeliveryUnknown):
        await channel_of(app).outbound.send(PATIENT, Reply("Reminder"))


async def test_send_to_staff_reaches_every_staff_chat_despite_one_failure(
    app: Application, transport: RecordingRequest
) -> None:
    transport.api.block_chat(SECOND_STAFF_CHAT)
    await channel_of(app).outbound.send_to_staff(Reply("Patient cancelled"))
    assert [r.chat_id for r in transport.sent()] == [STAFF_CHAT_ID]
    assert len(transport.api.calls("sendMessage")) == 2  # the blocked chat was tried too


async def test_staff_note_waits_out_one_flood_pause(
    app: Application, transport: RecordingRequest
) -> None:
    transport.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    await channel_of(app).outbound.send_to_staff(Reply("Emergency reported by a patient"))
    assert sorted(r.chat_id for r in transport.sent()) == sorted([STAFF_CHAT_ID, SECOND_STAFF_CHAT])
    assert [r.status for r in transport.api.calls("sendMessage")].count(429) == 1


class FakeClock:
    """A clock that only moves when the pacer sleeps."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_pacer_spaces_messages_to_one_chat_by_a_second() -> None:
    clock = FakeClock()
    pacer = ChatPacer(clock=clock, sleep=clock.sleep)
    for _ in range(3):
        await pacer.wait_turn(1)
    assert clock.now == pytest.approx(102.0)


async def test_pacer_keeps_the_overall_rate_at_thirty_per_second() -> None:
    clock = FakeClock()
    pacer = ChatPacer(clock=clock, sleep=clock.sleep)
    for chat_id in range(61):
        await pacer.wait_turn(chat_id)
    # 61 different chats: the 61st may go only after two seconds at 30 per second.
    assert clock.now == pytest.approx(102.0)
    assert max(clock.sleeps) <= 1 / 30 + 1e-9
