"""Crash safety: SIGKILL mid-batch and two processes on one database, at a real fake server."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.fakes.bot_api_server import FakeBotApiServer
from tests.process_env import HANG_S
from tests.reminders.bot_process import (
    bot_env,
    deliveries,
    rows_by_chat,
    seed_due_reminders,
    start_bot,
    stop,
    wait_until,
)

SETTLED = {"sent", "unknown"}
FINISH_TIMEOUT_S = HANG_S


def all_settled(tmp_path: Path) -> bool:
    rows = rows_by_chat(tmp_path, "remind_2h")
    return bool(rows) and all(status in SETTLED for status, _ in rows.values())


def assert_exactly_once_or_unknown(
    tmp_path: Path, server: FakeBotApiServer, chats: list[int]
) -> int:
    """Every due reminder sent exactly once, or recorded unknown; returns the unknown count."""
    rows = rows_by_chat(tmp_path, "remind_2h")
    delivered = deliveries(server, chats)
    assert set(rows) == set(chats)
    unknown = 0
    for chat in chats:
        status, _ = rows[chat]
        assert status in SETTLED, (chat, status)
        assert delivered[chat] <= 1, f"chat {chat} got {delivered[chat]} reminders"
        if status == "sent":
            assert delivered[chat] == 1
        else:
            unknown += 1
    return unknown


@pytest.mark.e2e
def test_sigkill_mid_batch_then_restart_loses_and_doubles_nothing(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    chats = [5000 + n for n in range(30)]
    env = bot_env(tmp_path, server, IMS_SEND_PER_SECOND="10")
    seed_due_reminders(env, chats)
    # Every send is processed at once but answered late, so the kill is likely to land
    # between "Telegram has it" and "the database says sent".
    server.delay_next("sendMessage", 0.15, count=1000)
    first = start_bot(tmp_path, env)
    try:
        wait_until(lambda: len(deliveries(server, chats)) >= 8, FINISH_TIMEOUT_S, "the first sends")
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        stop(first)
    killed_at = len(deliveries(server, chats))
    assert killed_at < len(chats), "the batch finished before the kill; slow it down"
    second = start_bot(tmp_path, env)
    try:
        wait_until(lambda: all_settled(tmp_path), FINISH_TIMEOUT_S, "every reminder to settle")
    finally:
        stop(second)
    unknown = assert_exactly_once_or_unknown(tmp_path, server, chats)
    assert unknown <= 1  # only the one message in flight at the kill can be ambiguous
    assert sum(deliveries(server, chats).values()) >= len(chats) - unknown


@pytest.mark.e2e
def test_two_processes_on_one_database_send_each_reminder_once(
    tmp_path: Path, server: FakeBotApiServer
) -> None:
    chats = [6000 + n for n in range(40)]
    env = bot_env(tmp_path, server, IMS_SEND_PER_SECOND="20")
    seed_due_reminders(env, chats)
    processes = [start_bot(tmp_path, env), start_bot(tmp_path, env)]
    try:
        wait_until(lambda: all_settled(tmp_path), FINISH_TIMEOUT_S, "every reminder to settle")
    finally:
        for process in processes:
            stop(process)
    assert assert_exactly_once_or_unknown(tmp_path, server, chats) == 0
    assert sorted(deliveries(server, chats).elements()) == chats
