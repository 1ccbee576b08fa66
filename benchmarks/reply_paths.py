"""What a patient is sent, end to end: every labelled safety text through the runtime's
`Assistant.handle_text` (safety stage, text routes, FAQ, the urgent net), one fresh chat each.

`emergency_screen.py` asks the stage and the matcher; this asks the whole path, so a reply
path that drops the 911 line or answers a present problem with "I don't know" shows here.
Per set (each set is one writer's):

- urgent -> urgent: urgent problems whose first reply is the urgent (or emergency) reply;
- urgent -> I don't know: urgent problems answered with the plain fallback (target 0);
- emergency, 911 first: emergencies whose first reply is the emergency reply (issue 17's bar);
- emergency, no 911: emergencies none of whose patient replies names 911 (target 0);
- harmless -> urgent: harmless messages given the same-day advice (keep low);
- harmless -> 911 first: harmless messages whose first reply is the emergency reply.

    python benchmarks/reply_paths.py [--sets PATTERN ...] [--misses]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.emergency_screen import Item, load_items  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.core.assistant import Assistant, ChatRef  # noqa: E402
from bot.core.replies import Reply  # noqa: E402
from bot.faq.replies import ENGLISH_TEXTS, FRENCH_TEXTS  # noqa: E402
from bot.runtime import build_runtime  # noqa: E402
from tests.intake.kit import TEST_KEY  # noqa: E402

SET_FOLDERS = (REPO_ROOT / "tests" / "data", REPO_ROOT / "benchmarks" / "data")
SET_PATTERNS = ("emergency_*.yaml", "safety_*.yaml")
# The first words of the plain "I don't know", in each language the bot answers in.
FALLBACK_OPENINGS = tuple(
    texts.fallback_not_kept.split(",")[0] for texts in (ENGLISH_TEXTS, FRENCH_TEXTS)
)


@dataclass
class Tally:
    """One set's counts."""

    urgents: int = 0
    urgent_reply: int = 0
    urgent_fallback: int = 0
    emergencies: int = 0
    emergency_911_first: int = 0
    emergency_no_911: int = 0
    benign: int = 0
    benign_urgent: int = 0
    benign_911_first: int = 0


def reply_kind(replies: list[Reply]) -> str:
    """emergency, urgent, fallback, or other: what the patient reads first."""
    shown = [reply for reply in replies if not reply.for_staff]
    if not shown:
        return "other"
    first = shown[0]
    if first.safety_tier in ("emergency", "urgent"):
        return first.safety_tier
    if any(reply.text.startswith(FALLBACK_OPENINGS) for reply in shown):
        return "fallback"
    return "other"


def names_911(replies: list[Reply]) -> bool:
    return any("911" in reply.text for reply in replies if not reply.for_staff)


async def run_set(
    assistant: Assistant, items: list[Item], first_chat: int
) -> list[tuple[Item, str, bool]]:
    results = []
    for number, item in enumerate(items):
        chat = ChatRef(first_chat + number, language_code=None)
        replies = await assistant.handle_text(chat, item.q)
        results.append((item, reply_kind(replies), names_911(replies)))
    return results


def tally(results: list[tuple[Item, str, bool]]) -> tuple[Tally, list[str]]:
    counts, misses = Tally(), []
    for item, kind, told_911 in results:
        if item.expect == "urgent":
            counts.urgents += 1
            counts.urgent_reply += kind in ("urgent", "emergency")
            counts.urgent_fallback += kind == "fallback"
            if kind not in ("urgent", "emergency"):
                misses.append(f"urgent->{kind} [{item.lang}] {item.q}")
        elif item.expect == "emergency":
            counts.emergencies += 1
            counts.emergency_911_first += kind == "emergency"
            counts.emergency_no_911 += not told_911
            if not told_911:
                misses.append(f"emergency->{kind}, no 911 [{item.lang}] {item.q}")
        else:
            counts.benign += 1
            counts.benign_urgent += kind == "urgent"
            counts.benign_911_first += kind == "emergency"
            if kind == "urgent":
                misses.append(f"benign->urgent [{item.lang}] {item.q}")
    return counts, misses


async def main_async(patterns: list[str], show_misses: bool) -> None:
    paths = sorted(
        {path for folder in SET_FOLDERS for pattern in patterns for path in folder.glob(pattern)}
    )
    with tempfile.TemporaryDirectory() as folder:
        env = {
            "DATABASE_URL": f"sqlite+aiosqlite:///{folder}/paths.sqlite3",
            "IMS_DATA_DIR": f"{folder}/data",
            "DATA_ENCRYPTION_KEY": TEST_KEY,
            "STAFF_CHAT_IDS": "-1001",
        }
        runtime = await build_runtime(load_settings(env, read_dotenv=False))
        total = Counter[str]()
        try:
            print(
                f"{'set':<44} {'urgent->urgent':>15} {'urgent->idk':>12} {'emerg 911 1st':>13}"
                f" {'emerg no 911':>13}"
                f" {'harmless->urgent':>17} {'harmless->911 1st':>18}"
            )
            first_chat = 1_000
            for path in paths:
                items = load_items(path)
                results = await run_set(runtime.assistant, items, first_chat)
                first_chat += len(items)
                counts, misses = tally(results)
                for name, value in vars(counts).items():
                    total[name] += value
                print(_line(str(path.relative_to(REPO_ROOT)), vars(counts)))
                if show_misses:
                    for miss in misses:
                        print(f"    MISS {miss}")
            print(_line("all", dict(total)))
        finally:
            await runtime.close()


def _line(name: str, c: dict[str, int]) -> str:
    def of(part: str, whole: str) -> str:
        return f"{c[part]}/{c[whole]}" if c[whole] else "-"

    return (
        f"{name:<44} {of('urgent_reply', 'urgents'):>15} {of('urgent_fallback', 'urgents'):>12}"
        f" {of('emergency_911_first', 'emergencies'):>13}"
        f" {of('emergency_no_911', 'emergencies'):>13} {of('benign_urgent', 'benign'):>17}"
        f" {of('benign_911_first', 'benign'):>18}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", default=list(SET_PATTERNS))
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    asyncio.run(main_async(args.sets, args.misses))


if __name__ == "__main__":
    main()
