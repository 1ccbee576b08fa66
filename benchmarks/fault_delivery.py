"""Delivery under injected faults: how many replies and reminders arrive, and how late.

The real `ims-bot run` process polls the fake Bot API server on loopback, with the real
pacing limits and the default retry settings. Each scenario runs twice in the same
invocation, without faults (the baseline) and with `--failure-rate` of sendMessage calls
answered by a transient fault (429 retry_after 1, 500, 502 or a dropped connection):

- mixed: `--patients` patients ask at once (every fifth text is an emergency) while
  `--reminders` reminders fall due; arrivals and lateness (from the update being queued,
  or the reminder falling due, to Telegram accepting the message) per kind;
- flood: 60 patients tap "Talk to a person" and then another patient reports an
  emergency; how long the emergency reply takes (the bar: within 3 s).

    python benchmarks/fault_delivery.py [--patients 40] [--reminders 20] [--failure-rate 0.2]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests.fakes.bot_api_server import FakeBotApiServer  # noqa: E402
from tests.reminders.bot_process import (  # noqa: E402
    START_TIMEOUT_S,
    bot_env,
    rows_by_chat,
    seed_due_reminders,
    start_bot,
    stop,
)

RESULTS = Path(__file__).resolve().parent / "results" / "fault_delivery.json"
EMERGENCY_TEXT = "I suddenly can't control my bladder and my legs are numb"
QUESTIONS = (
    "does IMS hurt?",
    "how long does a session take?",
    "is IMS the same as acupuncture?",
    "how many sessions will I need?",
)
SETTLE_S = 120.0
FLOOD_TAPS = 60


def percentile(values: list[float], share: float) -> float | None:
    """The `share` percentile (nearest rank), or None without values."""
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
    return round(ordered[index], 3)


def first_ok_at(server: FakeBotApiServer, chat_id: int) -> float | None:
    times = [r.at for r in server.calls("sendMessage") if r.ok and r.chat_id == chat_id]
    return min(times) if times else None


def summary(lateness: list[float], expected: int) -> dict[str, Any]:
    return {
        "expected": expected,
        "arrived": len(lateness),
        "p50_s": percentile(lateness, 0.5),
        "p99_s": percentile(lateness, 0.99),
        "max_s": round(max(lateness), 3) if lateness else None,
    }


def wait_for(check: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not check():
        time.sleep(0.2)


def mixed(folder: Path, patients: int, reminders: int, rate: float) -> dict[str, Any]:
    """Patients' questions and emergencies plus due reminders, with `rate` faults."""
    with FakeBotApiServer() as server:
        env = bot_env(folder, server)
        bot = start_bot(folder, env)
        try:
            if not server.wait_until_polling(START_TIMEOUT_S):
                raise SystemExit("the bot never polled")
            server.fail_randomly("sendMessage", rate, seed=16)
            pushed: dict[int, float] = {}
            emergencies = set()
            for number in range(patients):
                chat = 50_000 + number
                emergency = number % 5 == 0
                text = EMERGENCY_TEXT if emergency else QUESTIONS[number % len(QUESTIONS)]
                if emergency:
                    emergencies.add(chat)
                pushed[chat] = time.monotonic()
                server.push_message(chat, text)
            reminder_chats = [60_000 + n for n in range(reminders)]
            due_at = time.monotonic()
            seed_due_reminders(env, reminder_chats)

            def settled() -> bool:
                rows = rows_by_chat(folder, "remind_2h")
                done = all(s in ("sent", "unknown", "failed") for s, _ in rows.values())
                return done and all(first_ok_at(server, c) for c in pushed)

            wait_for(settled, SETTLE_S)
        finally:
            stop(bot)
        replies, urgent = [], []
        for chat, at in pushed.items():
            arrived = first_ok_at(server, chat)
            if arrived is not None:
                (urgent if chat in emergencies else replies).append(arrived - at)
        sent_reminders = []
        for chat in reminder_chats:
            arrived = first_ok_at(server, chat)
            if arrived is not None:
                sent_reminders.append(arrived - due_at)
        faults = sum(1 for r in server.calls("sendMessage") if not r.ok)
        delivered = sum(1 for r in server.calls("sendMessage") if r.ok)
        return {
            "failure_rate": rate,
            "faults_injected": faults,
            "messages_delivered": delivered,
            "replies": summary(replies, patients - len(emergencies)),
            "emergency_replies": summary(urgent, len(emergencies)),
            "reminders": summary(sent_reminders, reminders),
            "reminder_statuses": dict(
                Counter(s for s, _ in rows_by_chat(folder, "remind_2h").values())
            ),
        }


def flood(folder: Path, rate: float) -> dict[str, Any]:
    """60 contact requests, then another patient's emergency: how late is its reply."""
    with FakeBotApiServer() as server:
        bot = start_bot(folder, bot_env(folder, server))
        try:
            if not server.wait_until_polling(START_TIMEOUT_S):
                raise SystemExit("the bot never polled")
            server.fail_randomly("sendMessage", rate, seed=61)
            for number in range(FLOOD_TAPS):
                server.push_callback(70_000 + number, "faq:human", message_id=1)
            time.sleep(0.5)  # the taps are being handled when the emergency comes in
            pushed = time.monotonic()
            server.push_message(79_999, EMERGENCY_TEXT)
            wait_for(lambda: first_ok_at(server, 79_999) is not None, SETTLE_S)
            arrived = first_ok_at(server, 79_999)
            staff_before = sum(1 for r in server.calls("sendMessage") if r.ok and r.chat_id < 0)
        finally:
            stop(bot)
        return {
            "failure_rate": rate,
            "emergency_reply_s": round(arrived - pushed, 3) if arrived else None,
            "staff_messages_when_it_arrived": staff_before,
        }


def run(patients: int, reminders: int, rate: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as root:
        folders = [Path(root) / name for name in ("m0", "m1", "f0", "f1")]
        for folder in folders:
            folder.mkdir()
        baseline = mixed(folders[0], patients, reminders, 0.0)
        faulty = mixed(folders[1], patients, reminders, rate)
        flood_baseline = flood(folders[2], 0.0)
        flood_faulty = flood(folders[3], rate)

    def ratio(kind: str) -> float | None:
        a, b = faulty[kind]["p50_s"], baseline[kind]["p50_s"]
        return round(a / b, 2) if a is not None and b else None

    return {
        "mixed_baseline": baseline,
        "mixed_with_faults": faulty,
        "p50_ratio_faults_to_baseline": {k: ratio(k) for k in ("replies", "reminders")},
        "flood_baseline": flood_baseline,
        "flood_with_faults": flood_faulty,
    }


def main() -> None:
    """Run and print (and save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=40)
    parser.add_argument("--reminders", type=int, default=20)
    parser.add_argument("--failure-rate", type=float, default=0.2)
    args = parser.parse_args()
    figures = run(args.patients, args.reminders, args.failure_rate)
    text = json.dumps(figures, indent=2)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
