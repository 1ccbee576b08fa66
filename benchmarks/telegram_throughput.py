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
    python benchmarks/telegram_throughput.py --stages 600    # CPU time of each stage
    python benchmarks/telegram_throughput.py --core 400      # the core's CPU per message

`--core` prints the CPU time of `Assistant.handle_text` per message over three rounds of new
chats, and which of the hot modules were loaded compiled: the figure to compare two builds
of the same tree (pure Python and compiled) in alternating runs.

`--stages` runs the questions through the FAQ bot with a CPU-time counter around each
stage of the path (inclusive: a stage's figure holds the stages inside it) and prints
per update the microseconds and calls of each, beside the echo bot's whole update in the
same run; the counters' own cost is measured and printed (a shared machine moves wall
figures 2x, CPU time far less).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import importlib
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


# The modules that dominate the core's profile (`--profile`), whose build `--core` names.
HOT_MODULES = ("bot.faq.matcher", "bot.safety.emergency", "bot.safety.terms", "bot.faq.text")


async def core_cpu(messages: int, rounds: int = 3) -> None:
    """Print the core's CPU microseconds per message over `rounds` of `messages` new chats."""
    with tempfile.TemporaryDirectory() as folder:
        runtime = await bench_runtime(folder)
        questions = patient_questions()
        await core_rate(runtime, questions, WARM_UP)
        spent = []
        for _ in range(rounds):
            started = time.process_time_ns()
            await core_rate(runtime, questions, messages)
            spent.append((time.process_time_ns() - started) / messages / 1000)
        await runtime.close()
    compiled = [name for name in HOT_MODULES if not str(sys.modules[name].__file__).endswith(".py")]
    print(f"compiled: {', '.join(compiled) or 'none'}")
    print(
        f"core CPU us per message over {messages} new chats: "
        f"{', '.join(f'{us:.0f}' for us in spent)} (min {min(spent):.0f})"
    )


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


# The stages `--stages` times: (label, module, attribute path), outermost first. A label
# starting with spaces is inside the one above it.
STAGES: tuple[tuple[str, str, str], ...] = (
    ("PTB: Update.de_json + process_update (whole)", "telegram.ext", "Application.process_update"),
    ("    core: Assistant.handle_text", "bot.core.assistant", "Assistant.handle_text"),
    ("      safety stage", "bot.safety.stage", "SafetyStage.__call__"),
    ("        language detection", "bot.safety.stage", "detect_language"),
    ("        normalise_words", "bot.safety.stage", "normalise_words"),
    ("        emergency rules (sense)", "bot.safety.emergency", "EmergencyDetector.sense"),
    ("        urgent rules (detect)", "bot.safety.emergency", "EmergencyDetector.detect"),
    ("        second opinion (model)", "bot.safety.second_opinion", "SecondOpinion.may_decide"),
    ("          both: their rule hits (_hits)", "bot.safety.emergency", "EmergencyDetector._hits"),
    ("          word positions (_typed)", "bot.safety.emergency", "EmergencyDetector._typed"),
    (
        "          fuzzy phrases (_phrase_rules)",
        "bot.safety.emergency",
        "EmergencyDetector._phrase_rules",
    ),
    ("            trigram filter (candidates)", "bot.safety.emergency", "_PhraseGrams.candidates"),
    (
        "          rule keys (_possible_languages)",
        "bot.safety.emergency",
        "EmergencyDetector._possible_languages",
    ),
    (
        "          rule loop (matching_language)",
        "bot.safety.emergency",
        "_CompiledRule.matching_language",
    ),
    ("        risk question", "bot.safety.emergency", "EmergencyDetector.is_risk_question"),
    ("      FAQ answer (FaqConversation.answer)", "bot.faq.conversation", "FaqConversation.answer"),
    ("        read_question", "bot.faq.reading", "MessageReader.read_question"),
    ("          small talk", "bot.faq.reading", "small_talk_kind"),
    ("          question splitter", "bot.faq.reading", "question_parts"),
    ("          matcher rank (per pass)", "bot.faq.matcher", "FaqMatcher.rank"),
    ("            _scores (sentences, focus)", "bot.faq.matcher", "FaqMatcher._scores"),
    ("              _score_text (one signal set)", "bot.faq.matcher", "FaqMatcher._score_text"),
    ("                query analysis", "bot.faq.matcher", "FaqMatcher._analyse_query"),
    ("                query weights", "bot.faq.matcher", "FaqMatcher._prepare"),
    ("                word postings", "bot.faq.matcher", "_Postings.gather"),
    ("                trigram cosines", "bot.faq.matcher", "CharGramIndex.cosines"),
    ("                short list", "bot.faq.matcher", "FaqMatcher._shortlist"),
    ("                fuzzy (rapidfuzz on short list)", "bot.faq.matcher", "FaqMatcher._fuzzy_for"),
    ("            learned ranker (view)", "bot.faq.learned", "ContentRanker.view"),
    ("          decide + policy", "bot.faq.matcher", "FaqMatcher.decide"),
    ("        unanswered log", "bot.faq.unanswered", "UnansweredLog.record"),
    ("        answer reply", "bot.faq.replies", "FaqReplies.answer"),
    ("        suggest reply", "bot.faq.replies", "FaqReplies.suggest"),
    (
        "        urgent before fallback",
        "bot.safety.stage",
        "SafetyReplies.urgent_fallback",
    ),
    ("    deliver (render + send)", "bot.channels.telegram.handlers", "TelegramHandlers.deliver"),
    ("      render_reply", "bot.channels.telegram.handlers", "render_reply"),
    ("      staff note queue", "bot.channels.telegram.outbound", "TelegramOutbound.send_to_staff"),
    ("      Bot.send_message (PTB)", "telegram.ext", "ExtBot.send_message"),
    ("        keyboard to_dict (PTB generic)", "telegram", "InlineKeyboardMarkup.to_dict"),
    (
        "        keyboard to_dict (serialised once)",
        "bot.channels.telegram.rendering",
        "_SerialisedKeyboard.to_dict",
    ),
    ("        canned transport", "__main__", "CannedRequest.do_request"),
)


class StageClock:
    """CPU time spent inside each wrapped callable (a recursive call counted once)."""

    def __init__(self) -> None:
        self.spent: dict[str, int] = {}
        self.calls: dict[str, int] = {}
        self._active: dict[str, int] = {}
        self._undo: list[tuple[object, str, object]] = []

    def wrap(self, label: str, owner: object, name: str) -> None:
        """Count the time of `owner.name` under `label`."""
        own = not isinstance(owner, type) or name in owner.__dict__
        original = owner.__dict__[name] if own and isinstance(owner, type) else getattr(owner, name)
        self._undo.append((owner, name, original if own else None))
        function = original.__func__ if isinstance(original, staticmethod) else original
        clock, spent, calls, active = time.process_time_ns, self.spent, self.calls, self._active
        spent.setdefault(label, 0)
        calls.setdefault(label, 0)
        active.setdefault(label, 0)
        if asyncio.iscoroutinefunction(function):

            @functools.wraps(function)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                calls[label] += 1
                if active[label]:
                    return await function(*args, **kwargs)
                active[label] += 1
                started = clock()
                try:
                    return await function(*args, **kwargs)
                finally:
                    spent[label] += clock() - started
                    active[label] -= 1

            wrapped: Any = timed_async
        else:

            @functools.wraps(function)
            def timed(*args: Any, **kwargs: Any) -> Any:
                calls[label] += 1
                if active[label]:
                    return function(*args, **kwargs)
                active[label] += 1
                started = clock()
                try:
                    return function(*args, **kwargs)
                finally:
                    spent[label] += clock() - started
                    active[label] -= 1

            wrapped = timed
        if isinstance(original, staticmethod):
            wrapped = staticmethod(wrapped)
        setattr(owner, name, wrapped)

    def undo(self) -> None:
        """Put every wrapped callable back."""
        for owner, name, original in reversed(self._undo):
            if original is None:
                delattr(owner, name)  # it was inherited
            else:
                setattr(owner, name, original)
        self._undo.clear()


def _owner(module: str, path: str) -> tuple[object, str]:
    *outer, name = path.split(".")
    owner: object = (
        sys.modules[__name__] if module == "__main__" else importlib.import_module(module)
    )
    for part in outer:
        owner = getattr(owner, part)
    getattr(owner, name)  # AttributeError when this version of the code lacks it
    return owner, name


async def _update_cpu(app: Application, questions: list[str], count: int) -> float:  # type: ignore[type-arg]
    """CPU microseconds per update over `count` new chats (after a warm-up)."""
    for update in updates_for(questions, WARM_UP):
        await app.process_update(Update.de_json(update, app.bot))
    updates = updates_for(questions, count)
    started = time.process_time_ns()
    for update in updates:
        await app.process_update(Update.de_json(update, app.bot))
    return (time.process_time_ns() - started) / count / 1000


async def stage_table(messages: int) -> None:
    """Print the CPU time of every stage of the FAQ path per update, and the echo bot's."""
    with tempfile.TemporaryDirectory() as folder:
        runtime = await bench_runtime(folder)
        questions = patient_questions()
        faq_app = build_application(runtime, request=CannedRequest(), rate_limited=False)
        echo_app = echo_application()
        async with echo_app, faq_app:
            plain = [await _update_cpu(faq_app, questions, messages) for _ in range(2)]
            echo = [await _update_cpu(echo_app, questions, messages) for _ in range(2)]
            stages = StageClock()
            for label, module, path in STAGES:
                try:
                    owner, name = _owner(module, path)
                except AttributeError:
                    continue  # a stage this version of the code does not have
                stages.wrap(label, owner, name)
            for update in updates_for(questions, WARM_UP):
                await faq_app.process_update(Update.de_json(update, faq_app.bot))
            for label in stages.spent:
                stages.spent[label] = stages.calls[label] = 0
            timed = await _update_cpu(faq_app, questions, messages)
            stages.undo()
        await runtime.close()
    # The counters' own cost: an empty call wrapped the same way, per call.
    probe = StageClock()
    holder = type("Probe", (), {"nothing": staticmethod(lambda: None)})
    probe.wrap("probe", holder, "nothing")
    started = time.process_time_ns()
    for _ in range(20_000):
        holder.nothing()
    per_call = (time.process_time_ns() - started) / 20_000 / 1000
    echo_us, faq_us = min(echo), min(plain)
    print(f"{messages} updates, each from a new chat; CPU us per update (min of 2 runs)")
    print(
        f"echo bot, whole update: {echo_us:.0f} us; FAQ bot, whole update: {faq_us:.0f} us "
        f"(ratio {echo_us / faq_us:.3f}); with the counters: {timed:.0f} us"
    )
    print(f"a counted call costs about {per_call:.2f} us of its own\n")
    print(f"{'stage':<58} {'us/update':>9} {'calls':>6} {'x echo':>7}")
    for label, _, _ in STAGES:
        if label not in stages.spent:
            print(f"{label:<58} {'-':>9}")
            continue
        spent = stages.spent[label] / messages / 1000
        print(
            f"{label:<58} {spent:>9.0f} {stages.calls[label] / messages:>6.2f} "
            f"{spent / echo_us:>7.2f}"
        )


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
    parser.add_argument(
        "--stages", type=int, metavar="N", help="CPU time of each stage over N new chats instead"
    )
    parser.add_argument(
        "--core", type=int, metavar="N", help="the core's CPU per message over N new chats"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.core:
        asyncio.run(core_cpu(args.core))
        return 0
    if args.stages:
        asyncio.run(stage_table(args.stages))
        return 0
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
