"""TelegramOutbound: the delivery contract per failure kind, the staff-note queue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from telegram.error import NetworkError, TimedOut
from telegram.ext import Application

from bot.channels.telegram.application import build_application
from bot.channels.telegram.outbound import TelegramOutbound
from bot.config import DeliverySettings
from bot.core.outbound import (
    ChannelUnavailable,
    DeliveryKind,
    DeliveryRejected,
    DeliveryUnknown,
    RateLimited,
    RecipientUnreachable,
)
from bot.core.replies import Button, Reply, staff_note
from tests.fakes.recording_request import RecordingRequest
from tests.telegram.channel_kit import STAFF_CHAT_ID, toy_runtime

PATIENT = 777
SECOND_STAFF_CHAT = -1004445556667
FAST = DeliverySettings(
    retry_initial_s=0.5,
    retry_max_s=4.0,
    reply_deadline_s=20.0,
    reminder_deadline_s=3.0,
    staff_deadline_s=5.0,
)


class VirtualTime:
    """A clock that moves only when the code under test sleeps (no real waiting)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
async def app(tmp_path: Path, transport: RecordingRequest) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """An initialised Application with two staff chats, on the recording transport."""
    runtime = toy_runtime(tmp_path, staff_chat_ids=frozenset({STAFF_CHAT_ID, SECOND_STAFF_CHAT}))
    application = build_application(runtime, request=transport)
    async with application:
        yield application


@pytest.fixture
def time_() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
def outbound(app: Application, time_: VirtualTime) -> TelegramOutbound:  # type: ignore[type-arg]
    """An unpaced outbound on the app's bot whose retries wait in virtual time."""
    sender = TelegramOutbound(app.bot, [STAFF_CHAT_ID, SECOND_STAFF_CHAT], FAST, sleep=time_.sleep)
    sender.delivery.clock = time_
    return sender


async def test_send_returns_the_message_id(
    outbound: TelegramOutbound, transport: RecordingRequest
) -> None:
    reply = Reply("See you <tomorrow>", buttons=(Button("OK", "r:ok"),))
    message_id = await outbound.send(PATIENT, reply)
    [sent] = transport.sent()
    assert message_id == sent.result["message_id"]
    assert sent.text == "See you &lt;tomorrow&gt;" and sent.buttons[0]["callback_data"] == "r:ok"


@pytest.mark.parametrize(
    ("status", "description", "expected"),
    [
        (403, "Forbidden: bot was blocked by the user", RecipientUnreachable),
        (400, "Bad Request: chat not found", DeliveryRejected),
    ],
)
async def test_final_answers_are_not_retried(
    outbound: TelegramOutbound,
    transport: RecordingRequest,
    status: int,
    description: str,
    expected: type[Exception],
) -> None:
    transport.api.fail_next("sendMessage", status, description)
    with pytest.raises(expected):
        await outbound.send(PATIENT, Reply("Reminder"), DeliveryKind.EMERGENCY)
    assert len(transport.api.calls("sendMessage")) == 1


@pytest.mark.parametrize("kind", list(DeliveryKind))
async def test_429_is_retried_after_the_wait_telegram_asked_for(
    outbound: TelegramOutbound, transport: RecordingRequest, time_: VirtualTime, kind: DeliveryKind
) -> None:
    transport.api.fail_next("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2)
    assert await outbound.send(PATIENT, Reply("Hello"), kind) is not None
    assert [r.status for r in transport.api.calls("sendMessage")] == [429, 200]
    assert time_.sleeps == [2.0]


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_retried_with_growing_backoff(
    outbound: TelegramOutbound, transport: RecordingRequest, time_: VirtualTime, status: int
) -> None:
    transport.api.fail_next("sendMessage", status, "Server Error", count=3)
    await outbound.send(PATIENT, Reply("Hello"), DeliveryKind.REPLY)
    assert [r.status for r in transport.api.calls("sendMessage")] == [status] * 3 + [200]
    assert time_.sleeps == [0.5, 1.0, 2.0]


@pytest.mark.parametrize(
    "error",
    [
        NetworkError("httpx.ConnectError: All connection attempts failed"),
        NetworkError("httpx.ReadError: connection reset by peer"),
    ],
)
async def test_refused_and_reset_connections_are_retried(
    outbound: TelegramOutbound, transport: RecordingRequest, error: Exception
) -> None:
    transport.raise_next.extend([error, error])
    await outbound.send(PATIENT, Reply("Hello"), DeliveryKind.REMINDER)
    assert len(transport.sent()) == 1


async def test_a_reminder_gives_up_at_its_deadline_as_unavailable(
    outbound: TelegramOutbound, transport: RecordingRequest, time_: VirtualTime
) -> None:
    transport.api.fail_next("sendMessage", 502, "Bad Gateway", count=50)
    with pytest.raises(ChannelUnavailable):
        await outbound.send(PATIENT, Reply("Reminder"), DeliveryKind.REMINDER)
    assert sum(time_.sleeps) <= FAST.reminder_deadline_s
    assert transport.sent() == []


async def test_a_timeout_after_sending_is_unknown_and_not_resent(
    outbound: TelegramOutbound, transport: RecordingRequest
) -> None:
    transport.raise_next.append(TimedOut())
    with pytest.raises(DeliveryUnknown):
        await outbound.send(PATIENT, Reply("Reminder"), DeliveryKind.REPLY)
    assert transport.api.calls("sendMessage") == []  # tried once, never again


async def test_a_timeout_before_sending_is_retried(
    outbound: TelegramOutbound, transport: RecordingRequest
) -> None:
    error = TimedOut()
    error.__cause__ = httpx.ConnectTimeout("connect timed out")
    transport.raise_next.append(error)
    await outbound.send(PATIENT, Reply("Reminder"), DeliveryKind.REMINDER)
    assert len(transport.sent()) == 1


async def test_an_emergency_reply_is_resent_even_after_a_timeout(
    outbound: TelegramOutbound, transport: RecordingRequest
) -> None:
    transport.raise_next.extend([TimedOut(), TimedOut()])
    await outbound.send(PATIENT, Reply("Call 911"), DeliveryKind.EMERGENCY)
    assert [r.text for r in transport.sent()] == ["Call 911"]


async def test_rate_limited_past_the_deadline_is_reported(
    outbound: TelegramOutbound, transport: RecordingRequest
) -> None:
    transport.api.fail_next("sendMessage", 429, "Too Many Requests", retry_after=3600)
    with pytest.raises(RateLimited) as caught:
        await outbound.send(PATIENT, Reply("Reminder"), DeliveryKind.REMINDER)
    assert caught.value.retry_after == 3600


async def test_send_to_staff_returns_at_once_and_reaches_every_staff_chat_despite_one_block(
    outbound: TelegramOutbound, transport: RecordingRequest
) -> None:
    transport.api.block_chat(SECOND_STAFF_CHAT)
    await outbound.send_to_staff(staff_note("Patient cancelled"))
    assert transport.sent() == []  # queued, not sent inline
    assert await outbound.staff.flush(timeout=5)
    assert [r.chat_id for r in transport.sent()] == [STAFF_CHAT_ID]
    assert len(transport.api.calls("sendMessage")) == 2  # the blocked chat was tried too


async def test_a_staff_note_that_cannot_be_sent_stays_queued_until_it_can(
    outbound: TelegramOutbound, transport: RecordingRequest, time_: VirtualTime
) -> None:
    # Long enough to outlast one staff deadline round (5 s of virtual time).
    transport.api.fail_next("sendMessage", 502, "Bad Gateway", count=30)
    await outbound.send_to_staff(staff_note("Emergency reported by a patient"))
    assert await outbound.staff.flush(timeout=10)
    delivered = sorted(r.chat_id for r in transport.sent())
    assert delivered == sorted([STAFF_CHAT_ID, SECOND_STAFF_CHAT])


async def test_queued_staff_notes_are_batched_and_none_is_lost(
    outbound: TelegramOutbound, transport: RecordingRequest
) -> None:
    transport.api.fail_next("sendMessage", 502, "Bad Gateway", count=4)
    for number in range(40):
        await outbound.send_to_staff(staff_note(f"contact request {number}", title="Call back"))
    assert await outbound.staff.flush(timeout=10)
    to_staff = [r for r in transport.sent() if r.chat_id == STAFF_CHAT_ID]
    assert len(to_staff) < 10
    text = "\n".join(r.text for r in to_staff)
    assert all(f"contact request {number}\n" in text + "\n" for number in range(40))
