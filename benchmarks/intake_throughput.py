"""Intake throughput: answers per second through the engine, with storage, and through PTB.

Each layer is measured in the same run and reported as a ratio to the pure engine, so the
figures compare across machines:

1. engine    - the pure state machine (no storage): the baseline;
2. storage   - the full runtime's Assistant (emergency screen, intake route, encrypted
               SQLite write before every reply) on a real SQLite file;
3. telegram  - the real PTB Application with an in-process recording transport (no
               network), every answer a Telegram Update; measured without and with the
               pacing layer (Telegram's limits: ~30 messages/s overall, ~1/s in one chat;
               the paced run feeds every patient at once, so the overall limit caps it);

plus the database size per completed intake (file bytes after a checkpoint and VACUUM,
divided by the number of intakes). The storage layer is also reported per second of this
process's CPU time (`storage_cpu_answers_per_s`): on a shared machine the wall-clock rate
depends on what else runs, the CPU rate much less.

    python benchmarks/intake_throughput.py [--intakes 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bot.config import load_settings  # noqa: E402
from bot.core.assistant import ChatRef  # noqa: E402
from bot.intake.engine import IntakeEngine, Tap, Typed  # noqa: E402
from bot.intake.flow_file import load_flow_file  # noqa: E402
from bot.runtime import build_runtime  # noqa: E402
from tests.intake.kit import SHIPPED_FLOW, TEST_KEY, TYPED_PATH  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results" / "intake_throughput.json"
TOKEN = "123456:BENCH-token-for-offline-runs-0123456789"
# The consent tapped, the rest of the typed path, then submit.
ANSWERS_PER_INTAKE = len(TYPED_PATH) + 1
AFTER_CONSENT = TYPED_PATH[1:]


def bench_engine(intakes: int) -> float:
    """Answers per second through the pure engine."""
    engine = IntakeEngine(load_flow_file(SHIPPED_FLOW).flow)
    started = time.perf_counter()
    for _ in range(intakes):
        state = engine.start()
        state = engine.apply(state, Tap("o", state.revision, "0")).state
        for text in AFTER_CONSENT:
            state = engine.apply(state, Typed(text)).state
        state = engine.apply(state, Typed("submit")).state
    return intakes * ANSWERS_PER_INTAKE / (time.perf_counter() - started)


def _settings(folder: Path, token: str | None = None) -> Any:
    folder.mkdir(parents=True, exist_ok=True)  # a DATABASE_URL's folder must exist
    env = {
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bench.sqlite3'}",
        "IMS_DATA_DIR": str(folder / "data"),
        "DATA_ENCRYPTION_KEY": TEST_KEY,
        "STAFF_CHAT_IDS": "-1001",
    }
    if token:
        env["TELEGRAM_BOT_TOKEN"] = token
    return load_settings(env, read_dotenv=False)


def _database_bytes(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("VACUUM")
    return path.stat().st_size


async def bench_storage(intakes: int, folder: Path) -> tuple[float, float, float]:
    """Answers per second through the runtime's Assistant (wall clock, and CPU time of
    this process), and DB bytes per intake."""
    runtime = await build_runtime(_settings(folder))
    assistant = runtime.assistant
    await runtime.close()
    empty = _database_bytes(folder / "bench.sqlite3")
    runtime = await build_runtime(_settings(folder))
    assistant = runtime.assistant
    started, cpu_started = time.perf_counter(), time.process_time()
    for number in range(intakes):
        chat = ChatRef(10_000 + number)
        replies = await assistant.handle_command(chat, "intake")
        await assistant.handle_action(chat, replies[-1].buttons[0].action)
        for text in AFTER_CONSENT:
            await assistant.handle_text(chat, text)
        replies = await assistant.handle_text(chat, "send")
        assert any("sent to the clinic" in r.text for r in replies), replies[0].text
    rate = intakes * ANSWERS_PER_INTAKE / (time.perf_counter() - started)
    cpu_rate = intakes * ANSWERS_PER_INTAKE / (time.process_time() - cpu_started)
    await runtime.close()
    per_intake = (_database_bytes(folder / "bench.sqlite3") - empty) / intakes
    return rate, cpu_rate, per_intake


async def bench_telegram(intakes: int, folder: Path, *, rate_limited: bool) -> float:
    """Answers per second through the real PTB Application (recording transport)."""
    from telegram import Update

    from bot.channels.telegram.application import build_application, channel_of
    from tests.fakes.recording_request import RecordingRequest
    from tests.telegram.channel_kit import load_update

    runtime = await build_runtime(_settings(folder, TOKEN))
    transport = RecordingRequest()
    application = build_application(runtime, request=transport, rate_limited=rate_limited)
    update_id = 0

    async def feed(update: dict[str, Any]) -> None:
        nonlocal update_id
        update_id += 1
        update["update_id"] = update_id
        await application.process_update(Update.de_json(update, application.bot))

    def with_chat(update: dict[str, Any], chat_id: int) -> dict[str, Any]:
        body = update.get("message") or update["callback_query"]["message"]
        body["chat"]["id"] = chat_id
        (update.get("message") or update["callback_query"])["from"]["id"] = chat_id
        return update

    async def one_intake(chat_id: int) -> None:
        command = load_update("command_help", text="/intake")
        command["message"]["entities"][0]["length"] = len("/intake")
        await feed(with_chat(command, chat_id))
        tap = with_chat(load_update("callback"), chat_id)
        sent = [r for r in transport.requests if r.chat_id == chat_id and r.ok]
        if not sent[-1].buttons:
            raise SystemExit([(r.method, r.visible_text[:80]) for r in sent])
        tap["callback_query"]["data"] = sent[-1].buttons[0]["callback_data"]
        tap["callback_query"]["message"]["message_id"] = sent[-1].result["message_id"]
        await feed(tap)
        for text in [*AFTER_CONSENT, "send"]:
            await feed(with_chat(load_update("text", text=text), chat_id))

    async with application:
        started = time.perf_counter()
        if rate_limited:
            # Telegram's limits allow about one message a second inside one chat, so the
            # paced run feeds every patient at once (as a busy morning would) and the
            # global limit of ~30 messages a second is what caps it.
            await asyncio.gather(*(one_intake(20_000 + n) for n in range(intakes)))
        else:
            for number in range(intakes):
                await one_intake(20_000 + number)
        rate = intakes * ANSWERS_PER_INTAKE / (time.perf_counter() - started)
        await channel_of(application).outbound.staff.flush()
    await runtime.close()
    return rate


async def run(intakes: int) -> dict[str, Any]:
    """All three measurements in one run."""
    engine_rate = bench_engine(intakes * 5)
    with tempfile.TemporaryDirectory() as folder:
        storage_rate, storage_cpu_rate, bytes_per_intake = await bench_storage(
            intakes, Path(folder) / "s"
        )
        telegram_rate = await bench_telegram(intakes, Path(folder) / "t", rate_limited=False)
        limited_rate = await bench_telegram(intakes, Path(folder) / "l", rate_limited=True)
    return {
        "intakes": intakes,
        "answers_per_intake": ANSWERS_PER_INTAKE,
        "engine_answers_per_s": round(engine_rate, 1),
        "storage_answers_per_s": round(storage_rate, 1),
        "storage_cpu_answers_per_s": round(storage_cpu_rate, 1),
        "telegram_answers_per_s": round(telegram_rate, 1),
        "telegram_rate_limited_answers_per_s": round(limited_rate, 1),
        "storage_vs_engine": round(storage_rate / engine_rate, 4),
        "telegram_vs_storage": round(telegram_rate / storage_rate, 3),
        "db_bytes_per_completed_intake": round(bytes_per_intake),
    }


def main() -> None:
    """Run and print (and save) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--intakes", type=int, default=30, help="completed intakes per layer")
    args = parser.parse_args()
    figures = asyncio.run(run(args.intakes))
    print(json.dumps(figures, indent=2))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
