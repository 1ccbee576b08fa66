"""FAQ answers per second through the real PTB Application, as a ratio to a bare echo bot.

Both applications get the same in-process transport (canned Bot API answers, no
network) and the same Update JSON; each message is a patient question from the
labelled set. The echo bot is PTB with one MessageHandler that replies with the text,
so the ratio is the share of PTB's own speed our channel + FAQ keep. Flood limits
(the pacing layer) are off in both: they cap Telegram traffic, not our cost. Every
measurement gets chats the bot has never seen (as when a clinic's link goes out), so
nothing remembered about a chat from an earlier round flatters the figure. Besides the
wall-clock ratio, the ratio of this process's CPU time per update is reported: the
transport never waits, so CPU time is the cost, and other work on a shared machine moves
it far less than it moves the wall clock.

    python benchmarks/telegram_throughput.py [--messages 400] [--rounds 3]
    python benchmarks/telegram_throughput.py --profile 500   # cProfile of the core
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import itertools
import json
import logging
import pstats
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters
from telegram.request import BaseRequest, RequestData

from bot.channels.telegram.application import build_application
from bot.config import load_settings
from bot.core.assistant import Assistant, ChatRef
from bot.core.features import FeatureHost
from bot.core.replies import Button, Reply
from bot.runtime import Runtime, build_runtime

REPO_ROOT = Path(__file__).resolve().parent.parent
LABELLED = REPO_ROOT / "tests" / "data" / "faq_labelled.yaml"
RESULTS = Path(__file__).resolve().parent / "results" / "telegram_throughput.json"
TOKEN = "123456:benchmark-token-not-secret-abcdef"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
WARM_UP = 20
TARGET_RATIO = 0.5


class CannedRequest(BaseRequest):
    """Answers every Bot API call at once with a plausible result; counts the calls."""

    def __init__(self) -> None:
        self.calls = 0
        self._message_id = 0

    @property
    def read_timeout(self) -> float:
        """Unused: nothing waits."""
        return 1.0

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        """A getMe user, a sent Message, or True."""
        self.calls += 1
        api_method = url.rsplit("/", 1)[-1]
        params = request_data.parameters if request_data else {}
        result: Any = True
        if api_method == "getMe":
            result = BOT_USER
        elif api_method in {"sendMessage", "editMessageText"}:
            self._message_id += 1
            chat_id = int(params.get("chat_id", 1))
            result = {
                "message_id": self._message_id,
                "from": BOT_USER,
                "chat": {"id": chat_id, "type": "private", "first_name": "P"},
                "date": int(time.time()),
                "text": str(params.get("text", "")),
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()


def patient_questions() -> list[str]:
    """In-scope questions from the labelled set (what patients type)."""
    items = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    return [item["q"] for item in items if item["expect"] not in {"fallback", "emergency"}]


_first_chat = itertools.count(10_000, 1_000_000)


def updates_for(questions: list[str], count: int) -> list[dict[str, Any]]:
    """`count` text-message updates from private chats never used before, cycling the
    questions."""
    updates = []
    first = next(_first_chat)
    for n in range(count):
        chat_id = first + n
        user = {"id": chat_id, "is_bot": False, "first_name": "Pat"}
        message = {
            "message_id": 1,
            "from": user,
            "chat": {"id": chat_id, "type": "private", "first_name": "Pat"},
            "date": int(time.time()),
            "text": questions[n % len(questions)],
        }
        updates.append({"update_id": n + 1, "message": message})
    return updates


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The baseline handler: send the text back."""
    if update.effective_message and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def echo_application() -> Application:  # type: ignore[type-arg]
    """PTB with one echo handler on the canned transport."""
    request = CannedRequest()
    app = ApplicationBuilder().token(TOKEN).request(request).get_updates_request(request).build()
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return app


async def rate(
    app: Application,  # type: ignore[type-arg]
    questions: list[str],
    count: int,
) -> tuple[float, float]:
    """Updates from `count` new chats processed by `app` (after a warm-up) per second of
    wall clock and per second of this process's CPU time."""
    for update in updates_for(questions, WARM_UP):
        await app.process_update(Update.de_json(update, app.bot))
    updates = updates_for(questions, count)
    started, cpu = time.perf_counter(), time.process_time()
    for update in updates:
        await app.process_update(Update.de_json(update, app.bot))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return len(updates) / wall, len(updates) / cpu


def stub_runtime(runtime: Runtime) -> Runtime:
    """The runtime with an Assistant that answers every text with one typical FAQ reply."""
    entry = runtime.content.faq.entries[0]
    reply = Reply(
        entry.answer,
        title=entry.question,
        buttons=tuple(Button(f"Related question {n}", f"faq:a:{n}") for n in range(3)),
    )

    async def answer(chat: ChatRef, text: str) -> list[Reply]:
        return [reply]

    assistant = Assistant()
    assistant.add_text_route("stub", answer)
    return replace(runtime, host=FeatureHost(assistant))


async def core_rate(runtime: Runtime, questions: list[str], count: int) -> float:
    """The same questions straight into the Assistant: the core's cost without Telegram."""
    updates = updates_for(questions, count)
    chats = [ChatRef(u["message"]["chat"]["id"], first_name="Pat") for u in updates]
    questions = [u["message"]["text"] for u in updates]
    started = time.perf_counter()
    for chat, question in zip(chats, questions, strict=True):
        await runtime.assistant.handle_text(chat, question)
    return len(updates) / (time.perf_counter() - started)


async def bench_runtime(folder: str) -> Runtime:
    """The whole bot on a fresh database in `folder`."""
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_URL": f"sqlite+aiosqlite:///{folder}/bench.sqlite3",
            "IMS_DATA_DIR": folder,
            "DATA_ENCRYPTION_KEY": "x" * 43 + "=",
        },
        read_dotenv=False,
    )
    return await build_runtime(settings)


async def profile_core(messages: int) -> None:
    """Print where `Assistant.handle_text` spends its time over `messages` new chats."""
    with tempfile.TemporaryDirectory() as folder:
        runtime = await bench_runtime(folder)
        questions = patient_questions()
        await core_rate(runtime, questions, WARM_UP)
        profiler = cProfile.Profile()
        profiler.enable()
        await core_rate(runtime, questions, messages)
        profiler.disable()
        await runtime.close()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(40)


async def main_async(messages: int, rounds: int) -> dict[str, Any]:
    """Measure echo and FAQ rates alternately; report medians and the ratio."""
    with tempfile.TemporaryDirectory() as folder:
        runtime = await bench_runtime(folder)
        questions = patient_questions()
        faq_app = build_application(runtime, request=CannedRequest(), rate_limited=False)
        echo_app = echo_application()
        stub_app = build_application(
            stub_runtime(runtime), request=CannedRequest(), rate_limited=False
        )
        echo_rates, faq_rates, core_rates, channel_rates = [], [], [], []
        async with echo_app, faq_app, stub_app:
            for _ in range(rounds):
                echo_rates.append(await rate(echo_app, questions, messages))
                core_rates.append(await core_rate(runtime, questions, messages))
                faq_rates.append(await rate(faq_app, questions, messages))
                channel_rates.append((await rate(stub_app, questions, messages))[0])
        await runtime.close()
    echo_rate = statistics.median(wall for wall, _ in echo_rates)
    faq_rate = statistics.median(wall for wall, _ in faq_rates)
    echo_cpu = statistics.median(cpu for _, cpu in echo_rates)
    faq_cpu = statistics.median(cpu for _, cpu in faq_rates)
    core, channel = statistics.median(core_rates), statistics.median(channel_rates)
    return {
        "messages_per_round": messages,
        "rounds": rounds,
        "echo_updates_per_s": round(echo_rate, 1),
        "faq_answers_per_s": round(faq_rate, 1),
        "ratio_to_echo": round(faq_rate / echo_rate, 3),
        "cpu_ratio_to_echo": round(faq_cpu / echo_cpu, 3),
        # Where the time goes: the Assistant alone (FAQ, intake check, storage), and the
        # channel alone (PTB + rendering a typical FAQ answer from a stub Assistant).
        "core_only_answers_per_s": round(core, 1),
        "channel_only_answers_per_s": round(channel, 1),
        "channel_only_ratio_to_echo": round(channel / echo_rate, 3),
        "target_ratio": TARGET_RATIO,
    }


def main() -> int:
    """Run the benchmark, print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--profile", type=int, metavar="N", help="profile the core over N new chats instead"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.profile:
        asyncio.run(profile_core(args.profile))
        return 0
    report = asyncio.run(main_async(args.messages, args.rounds))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0 if report["ratio_to_echo"] >= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
