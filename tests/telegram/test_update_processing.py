"""How updates are taken in: concurrency across chats, order within one, edits, poison."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.channels.telegram.application import (
    ChatOrderedUpdateProcessor,
    PoisonSafeBot,
    build_application,
)
from tests.fakes.recording_request import RecordingRequest
from tests.telegram.channel_kit import PATIENT_CHAT_ID, TEST_TOKEN, load_update, toy_runtime


def text_update(update_id: int, chat_id: int, text: str) -> Update:
    data = load_update("text", text=text)
    data["update_id"] = update_id
    data["message"]["chat"]["id"] = chat_id
    return Update.de_json(data, None)


async def test_one_chats_updates_run_in_order_while_other_chats_run_alongside() -> None:
    processor = ChatOrderedUpdateProcessor(max_concurrent=8)
    events: list[str] = []
    first_started = asyncio.Event()
    release_first = asyncio.Event()

    async def handle(name: str, block: bool = False) -> None:
        events.append(f"start {name}")
        if block:
            first_started.set()
            await release_first.wait()
        events.append(f"end {name}")

    tasks = [
        asyncio.create_task(processor.process_update(text_update(1, 10, "a"), handle("a1", True))),
        asyncio.create_task(processor.process_update(text_update(2, 10, "b"), handle("a2"))),
        asyncio.create_task(processor.process_update(text_update(3, 20, "c"), handle("b1"))),
    ]
    await first_started.wait()
    await asyncio.wait_for(asyncio.shield(tasks[2]), timeout=5)  # chat 20 is not held back
    assert "end b1" in events and "start a2" not in events  # chat 10's second waits
    release_first.set()
    await asyncio.gather(*tasks)
    assert events.index("end a1") < events.index("start a2")


async def test_a_long_backlog_in_one_chat_does_not_use_up_the_slots() -> None:
    processor = ChatOrderedUpdateProcessor(max_concurrent=2)
    gate = asyncio.Event()
    done: list[int] = []

    async def slow(chat: int) -> None:
        await gate.wait()
        done.append(chat)

    async def quick(chat: int) -> None:
        done.append(chat)

    backlog = [
        asyncio.create_task(processor.process_update(text_update(n, 10, "x"), slow(10)))
        for n in range(20)
    ]
    await asyncio.sleep(0)
    other = processor.process_update(text_update(99, 30, "y"), quick(30))
    await asyncio.wait_for(other, timeout=5)
    assert done == [30]
    gate.set()
    await asyncio.gather(*backlog)


def edited(text: str) -> dict[str, Any]:
    data = load_update("text", text=text)
    data["edited_message"] = {**data.pop("message"), "edit_date": 1763750100}
    return data


async def shown_for(
    tmp_path: Path, transport: RecordingRequest, *updates: dict[str, Any]
) -> list[str]:
    """What the patient is shown for `updates`, processed in order by the real Application."""
    application: Application = build_application(toy_runtime(tmp_path), request=transport)  # type: ignore[type-arg]
    async with application:
        for update in updates:
            await application.process_update(Update.de_json(update, application.bot))
    return [r.visible_text for r in transport.sent()]


async def test_an_edited_message_is_not_a_new_question(
    tmp_path: Path, transport: RecordingRequest
) -> None:
    shown = await shown_for(
        tmp_path,
        transport,
        edited("edited: does IMS hurt?"),
        load_update("text", text="new question"),
    )
    assert shown == ["You said: new question"]


async def test_an_edit_that_adds_an_emergency_gets_the_emergency_reply(
    tmp_path: Path, transport: RecordingRequest
) -> None:
    # "my back hurts" answered, then edited to add chest pain: the danger is not ignored.
    shown = await shown_for(
        tmp_path,
        transport,
        load_update("text", text="my back hurts"),
        edited("my back hurts and chest pain"),
    )
    assert shown == ["You said: my back hurts", "Call 911 now."]


async def test_an_edited_photo_caption_that_adds_an_emergency_gets_the_emergency_reply(
    tmp_path: Path, transport: RecordingRequest
) -> None:
    photo = load_update("photo", caption="my shoulder")
    caption_edit = load_update("photo", caption="my shoulder and now chest pain")
    caption_edit["update_id"] = photo["update_id"] + 1
    caption_edit["edited_message"] = {**caption_edit.pop("message"), "edit_date": 1763750100}
    shown = await shown_for(tmp_path, transport, photo, caption_edit)
    assert shown[-1] == "Call 911 now."


def poison_batch() -> list[dict[str, Any]]:
    good = load_update("text", text="fine")
    no_date = json.loads(json.dumps(good))
    no_date["update_id"] = good["update_id"] + 1
    del no_date["message"]["date"]
    no_date["message"]["text"] = "secret words"
    no_type = json.loads(json.dumps(good))
    no_type["update_id"] = good["update_id"] + 2
    del no_type["message"]["chat"]["type"]
    return [good, no_date, no_type]


class CannedUpdates(RecordingRequest):
    """getUpdates answers one canned batch; everything else as the recording transport."""

    def __init__(self, batch: list[dict[str, Any]]) -> None:
        super().__init__()
        self.batch = batch

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        if url.endswith("/getUpdates"):
            return 200, json.dumps({"ok": True, "result": self.batch}).encode()
        return await super().do_request(url, method, *args, **kwargs)


async def test_a_malformed_update_is_replaced_by_an_empty_one_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    batch = poison_batch()
    transport = CannedUpdates(batch)
    bot = PoisonSafeBot(TEST_TOKEN, request=transport, get_updates_request=transport)
    caplog.set_level(logging.INFO)
    async with bot:
        for _ in range(2):
            updates = await bot.get_updates()
            assert [u.update_id for u in updates] == [u["update_id"] for u in batch]
            assert updates[0].effective_chat is not None
            assert updates[0].effective_chat.id == PATIENT_CHAT_ID
            assert updates[1].effective_message is None and updates[2].effective_message is None
    skipped = [r.getMessage() for r in caplog.records if "skipped update" in r.getMessage()]
    assert len(skipped) == 2  # once per update, not once per poll
    assert all("secret" not in r.getMessage() for r in caplog.records)
