"""Resident memory of a running bot: `ims-bot run` against the fake Bot API server.

Starts the bot as its own process, reads its RSS from /proc once it polls, then after
N patient questions (each from its own chat) have all been answered. The baseline, in
the same run, is a bare python-telegram-bot echo bot polling the same server, so the
figure says what the clinic assistant adds on top of PTB itself.

    python benchmarks/memory.py [--messages 1000]

With `--semantic` (needs the optional extra:
`pip install -e '.[semantic]'`) the same run measures three processes: the echo bot, the
bot with SEMANTIC_MATCHING=off and the bot with SEMANTIC_MATCHING=on (sentence-embedding
model loaded, FAQ index encoded); results go to benchmarks/results/memory_semantic.json.

    python benchmarks/memory.py --semantic
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # the fake server lives with the tests

from bot.faq.semantic import (  # noqa: E402
    INSTALL_HINT,
    SemanticUnavailable,
    semantic_extra_installed,
)
from tests.fakes.bot_api_server import FakeBotApiServer  # noqa: E402

LABELLED = REPO_ROOT / "tests" / "data" / "faq_labelled.yaml"
RESULTS = Path(__file__).resolve().parent / "results" / "memory.json"
TOKEN = "123456:memory-benchmark-token-abcdefgh"
START_TIMEOUT_S = 60.0
ANSWER_TIMEOUT_S = 300.0
# Loading the model and encoding the FAQ at start-up, and encoding every message, take longer.
SEMANTIC_START_TIMEOUT_S = 300.0
SEMANTIC_ANSWER_TIMEOUT_S = 1800.0
FIRST_CHAT = 20_000
KIB = 1024
ECHO_BOT = """
import sys
from telegram.ext import ApplicationBuilder, MessageHandler, filters
async def echo(update, context):
    await update.effective_message.reply_text(update.effective_message.text)
app = ApplicationBuilder().token(sys.argv[1]).base_url(sys.argv[2]).build()
app.add_handler(MessageHandler(filters.TEXT, echo))
app.run_polling()
"""


def rss_kib(pid: int) -> dict[str, int]:
    """Current (VmRSS) and peak (VmHWM) resident memory of a process, in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            fields[key] = int(value.split()[0])
    return fields


def questions() -> list[str]:
    """Patient questions from the labelled set, in scope and out of scope."""
    items = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    return [item["q"] for item in items if item["expect"] != "emergency"]


def wait_polling(
    server: FakeBotApiServer,
    process: subprocess.Popen[bytes],
    start_timeout: float = START_TIMEOUT_S,
) -> None:
    """Block until `process` polls the server; raise if it exits first."""
    deadline = time.monotonic() + start_timeout
    while not server.wait_until_polling(timeout=0.5):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"bot did not start (exit code {process.poll()})")


def measure(
    command: list[str],
    env: dict[str, str],
    messages: int,
    cwd: str,
    start_timeout: float = START_TIMEOUT_S,
    answer_timeout: float = ANSWER_TIMEOUT_S,
) -> dict[str, Any]:
    """RSS after start and after `messages` questions were answered, for one bot process."""
    texts = questions()
    with FakeBotApiServer() as server:
        env = {**env, "TELEGRAM_API_BASE_URL": server.base_url}
        command = [part.replace("{base_url}", server.base_url) for part in command]
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_polling(server, process, start_timeout)
            time.sleep(1.0)  # let start-up work (command menu, reconcile) settle
            at_start = rss_kib(process.pid)
            since = server.mark()
            started = time.monotonic()
            for n in range(messages):
                server.push_message(FIRST_CHAT + n, texts[n % len(texts)])
            last_chat = FIRST_CHAT + messages - 1
            server.wait_for(
                "sendMessage", lambda r: r.chat_id == last_chat, answer_timeout, since=since
            )
            elapsed = time.monotonic() - started
            after = rss_kib(process.pid)
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    return {
        "rss_after_start_mib": round(at_start["VmRSS"] / KIB, 1),
        "rss_after_messages_mib": round(after["VmRSS"] / KIB, 1),
        "peak_rss_mib": round(after["VmHWM"] / KIB, 1),
        "seconds_for_messages": round(elapsed, 1),
    }


def measure_semantic(env: dict[str, str], messages: int, folder: str) -> dict[str, Any]:
    """Echo bot, lexical bot and semantic bot in one run, with their ratios."""
    echo = measure([sys.executable, "-c", ECHO_BOT, TOKEN, "{base_url}"], env, messages, folder)
    bot = [sys.executable, "-m", "bot", "run"]
    database = env["DATABASE_URL"]  # the semantic bot gets its own, fresh database
    lexical = measure(bot, {**env, "SEMANTIC_MATCHING": "off"}, messages, folder)
    semantic = measure(
        bot,
        {**env, "SEMANTIC_MATCHING": "on", "DATABASE_URL": f"{database}-semantic"},
        messages,
        folder,
        SEMANTIC_START_TIMEOUT_S,
        SEMANTIC_ANSWER_TIMEOUT_S,
    )
    after = "rss_after_messages_mib"
    return {
        "messages": messages,
        "echo_bot": echo,
        "ims_bot_lexical": lexical,
        "ims_bot_semantic": semantic,
        "semantic_to_lexical_after_messages": round(semantic[after] / lexical[after], 2),
        "semantic_to_echo_after_messages": round(semantic[after] / echo[after], 2),
        "lexical_to_echo_after_messages": round(lexical[after] / echo[after], 2),
        "semantic_minus_lexical_mib": round(semantic[after] - lexical[after], 1),
    }


def main() -> int:
    """Measure the echo baseline and the clinic assistant; print and save the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument(
        "--semantic", action="store_true", help="also measure the bot with the encoder on"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "DATABASE_URL": f"sqlite+aiosqlite:///{folder}/memory.sqlite3",
            "IMS_DATA_DIR": folder,
            "DATA_ENCRYPTION_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "LOG_LEVEL": "WARNING",
        }
        if args.semantic:
            if not semantic_extra_installed():
                raise SemanticUnavailable(
                    f"the sentence-embedding model is not installed; {INSTALL_HINT}"
                )
            return save_semantic(measure_semantic(env, args.messages, folder))
        echo = measure(
            [sys.executable, "-c", ECHO_BOT, TOKEN, "{base_url}"], env, args.messages, folder
        )
        bot = measure([sys.executable, "-m", "bot", "run"], env, args.messages, folder)
    report = {
        "messages": args.messages,
        "echo_bot": echo,
        "ims_bot": bot,
        "ratio_after_messages_to_echo": round(
            bot["rss_after_messages_mib"] / echo["rss_after_messages_mib"], 2
        ),
        "growth_over_messages_mib": round(
            bot["rss_after_messages_mib"] - bot["rss_after_start_mib"], 1
        ),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


def save_semantic(report: dict[str, Any]) -> int:
    """Print the semantic report and save it to results/memory_semantic.json."""
    out = RESULTS.with_name("memory_semantic.json")
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SemanticUnavailable as exc:  # --semantic without the extra: one line, no traceback
        sys.exit(f"--semantic: {exc}")
