"""The one pacing layer: most urgent first, per-chat and global limits, 429 holds."""

from __future__ import annotations

import asyncio

from bot.channels.telegram.pacing import PriorityPacer
from bot.config import DeliverySettings
from bot.core.outbound import DeliveryKind

GROUP = -100123


async def grant_order(pacer: PriorityPacer, requests: list[tuple[int, DeliveryKind]]) -> list[int]:
    """Queue every request while the pacer is held; the order in which turns are granted."""
    order: list[int] = []

    async def one(index: int, chat_id: int, kind: DeliveryKind) -> None:
        await pacer.turn(chat_id, kind)
        order.append(index)

    pacer.hold(0.05)  # nothing goes until all are queued
    await asyncio.gather(*(one(i, c, k) for i, (c, k) in enumerate(requests)))
    return order


async def test_the_most_urgent_kind_goes_first_and_oldest_first_within_a_kind() -> None:
    pacer = PriorityPacer(DeliverySettings(global_per_second=1000, chat_per_second=1000))
    requests = [
        (1, DeliveryKind.REMINDER),
        (2, DeliveryKind.STAFF),
        (3, DeliveryKind.REPLY),
        (4, DeliveryKind.STAFF),
        (5, DeliveryKind.EMERGENCY),
        (6, DeliveryKind.REPLY),
    ]
    assert await grant_order(pacer, requests) == [4, 2, 5, 1, 3, 0]


async def test_a_chat_at_its_limit_does_not_hold_back_other_chats() -> None:
    limits = DeliverySettings(global_per_second=1000, chat_per_second=2, chat_burst=1)
    pacer = PriorityPacer(limits)
    requests = [(1, DeliveryKind.EMERGENCY)] * 3 + [(2, DeliveryKind.REMINDER)]
    order = await grant_order(pacer, requests)
    # Chat 1's second and third messages wait half a second each; chat 2's goes meanwhile.
    assert order.index(3) < order.index(1) and order[0] == 0


async def test_a_chat_gets_its_burst_at_once_and_then_waits() -> None:
    frozen = 500.0  # time stands still: only the burst can be granted
    limits = DeliverySettings(global_per_second=1000, chat_per_second=1, chat_burst=3)
    pacer = PriorityPacer(limits, clock=lambda: frozen)
    for _ in range(3):
        await asyncio.wait_for(pacer.turn(1, DeliveryKind.REPLY), timeout=5)
    fourth = asyncio.create_task(pacer.turn(1, DeliveryKind.REPLY))
    await asyncio.sleep(0.1)
    assert not fourth.done()
    await asyncio.wait_for(pacer.turn(2, DeliveryKind.REPLY), timeout=5)  # another chat goes
    fourth.cancel()


async def test_the_per_chat_limit_spaces_one_chats_messages_after_its_burst() -> None:
    limits = DeliverySettings(global_per_second=1000, chat_per_second=20, chat_burst=3)
    pacer = PriorityPacer(limits)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(6):
        await pacer.turn(1, DeliveryKind.REPLY)
    assert loop.time() - started >= 3 / 20 - 0.005  # three after the burst, 1/20 s apart


async def test_a_group_chat_gets_its_own_slower_limit() -> None:
    limits = DeliverySettings(global_per_second=1000, group_per_minute=600, chat_burst=1)
    pacer = PriorityPacer(limits)
    loop = asyncio.get_running_loop()
    await pacer.turn(GROUP, DeliveryKind.STAFF)
    started = loop.time()
    await pacer.turn(GROUP, DeliveryKind.STAFF)
    assert loop.time() - started >= 0.09  # 600 a minute: one per 0.1 s


async def test_the_global_limit_spaces_different_chats() -> None:
    limits = DeliverySettings(global_per_second=20)
    pacer = PriorityPacer(limits)
    loop = asyncio.get_running_loop()
    started = loop.time()
    for chat_id in range(30):  # a burst of 20, then 10 more at 20 a second
        await pacer.turn(chat_id, DeliveryKind.REMINDER)
    assert loop.time() - started >= 0.45


async def test_a_429_holds_every_send_for_its_retry_after() -> None:
    pacer = PriorityPacer(DeliverySettings(global_per_second=1000))
    loop = asyncio.get_running_loop()
    pacer.hold(0.2)
    started = loop.time()
    await pacer.turn(1, DeliveryKind.EMERGENCY)
    assert loop.time() - started >= 0.19


async def test_a_cancelled_waiter_gives_up_its_turn() -> None:
    pacer = PriorityPacer(DeliverySettings(global_per_second=1000))
    pacer.hold(0.05)
    waiting = asyncio.create_task(pacer.turn(1, DeliveryKind.REPLY))
    await asyncio.sleep(0)
    waiting.cancel()
    await pacer.turn(2, DeliveryKind.REMINDER)
    assert pacer.waiting == 0
