"""The safety screen: recall per language first, then urgent and false-alarm rates, then speed.

Every labelled set in tests/data is run through the core's safety stage exactly as a
patient's message is (emergency, urgent, a language the bot does not read, a risk question):

- emergency recall: share of emergencies whose first reply is the emergency reply (names
  911); "911 named" also counts the notice for an unread language and the cautious reply
  (an answer with the warning signs), which name 911 too;
- urgent: share of urgent problems that got the urgent (or the emergency) reply, and how
  many got the plain FAQ "I don't know" instead;
- false alarms: harmless messages that got the 911-first emergency reply;
- CLINC150: emergency replies to the 5,500 test questions of the public intent set
  (../shared/bench, read here only);
- speed: the stage per message as a ratio to normalising the text, timed in the same run.

    python benchmarks/emergency_screen.py [--sets PATTERN ...] [--misses]
    python benchmarks/emergency_screen.py --levels   # what the "not now" judgement changes

`--levels` reads every tuning text (each `q` of tests/data and benchmarks/data) through the
stage twice, without and with the learned "happening now?" judgement, and counts each
change of level (emergency -> caution, ...).
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from bot.clinic_content import load_content
from bot.faq.matcher import FaqMatcher
from bot.safety import build_safety_stage
from bot.safety.stage import SafetyStage
from bot.safety.terms import normalise_words
from bot.safety.train import Counts, share

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA = REPO_ROOT / "tests" / "data"
SET_PATTERNS = ("emergency_*.yaml", "urgent_*.yaml", "safety_*.yaml", "faq_labelled.yaml")
CLINC_CANDIDATES = (
    REPO_ROOT.parent / "shared" / "bench" / "clinc150" / "data_full.json",
    Path("/work/shared/bench/clinc150/data_full.json"),
)
ROUNDS = 2_000
SAMPLE = (
    "Hi there, quick question about IMS. I've had lower back pain for about two years and "
    "my physio suggested IMS. How many sessions does it usually take, would my extended "
    "health insurance cover it, and what should I wear? Thanks so much, see you soon!"
)


@dataclass(frozen=True)
class Item:
    """One labelled message."""

    q: str
    expect: str  # emergency, urgent or benign
    lang: str
    kind: str


def load_items(path: Path) -> list[Item]:
    """A set's items; a set without `expect` labels takes its label from its file name."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    default = "benign" if "benign" in path.stem else "urgent" if "urgent" in path.stem else None
    items: list[Item] = []
    for entry in raw:
        expect = str(entry.get("expect") or default or "emergency")
        if path.name.startswith("faq_"):
            expect = "emergency" if expect == "emergency" else "benign"
        items.append(
            Item(
                q=str(entry["q"]),
                expect=expect,
                lang=str(entry.get("lang") or "en"),
                kind=str(entry.get("kind") or entry.get("category") or ""),
            )
        )
    return items


def decide(stage: SafetyStage, matcher: FaqMatcher, text: str) -> str:
    """emergency, urgent, notice, caution (FAQ answer + warning signs), or the FAQ's decision."""
    verdict = stage.screen(text)
    if verdict is not None and verdict.level != "caution":
        return verdict.level
    decision = matcher.match(text).decision
    # A caution lets the FAQ answer, so its fallback is replaced as any other's is.
    placed = stage.replies.fallback_tier(text) if decision == "fallback" else None
    if placed is not None:
        return placed[0]  # what the FAQ conversation answers in place of "I don't know"
    return verdict.level if verdict is not None else decision


def report_sets(
    stage: SafetyStage, matcher: FaqMatcher, paths: Iterable[Path], show_misses: bool
) -> None:
    """Per set and language: recall first, then urgent and false alarms."""
    for path in paths:
        items = load_items(path)
        by_language: dict[str, Counts] = defaultdict(Counts)
        misses: list[tuple[Item, str]] = []
        for item in items:
            decision = decide(stage, matcher, item.q)
            by_language[item.lang].add(item.expect, decision)
            by_language["all"].add(item.expect, decision)
            wrong = (
                (item.expect == "emergency" and decision != "emergency")
                or (item.expect == "urgent" and decision not in ("urgent", "emergency"))
                or (item.expect == "benign" and decision in ("emergency", "urgent"))
            )
            if wrong:
                misses.append((item, decision))
        print(f"\n{path.relative_to(REPO_ROOT)} ({len(items)} messages)")
        print(
            f"  {'lang':<8} {'emergency reply':<18} {'911 named':<18} {'urgent (or 911)':<18}"
            f" {'urgent->I dont know':<20} {'false alarms':<18} {'harmless->urgent':<18}"
        )
        for language in sorted(by_language, key=lambda code: (code == "all", code)):
            t = by_language[language]
            print(
                f"  {language:<8} {share(t.emergency_reply, t.emergencies):<18}"
                f" {share(t.named_911, t.emergencies):<18}"
                f" {share(t.urgent_or_emergency, t.urgents):<18}"
                f" {t.urgent_fallback if t.urgents else '-'!s:<20}"
                f" {share(t.false_alarms, t.benign):<18}"
                f" {share(t.benign_urgent, t.benign):<18}"
            )
        if show_misses:
            for item, decision in misses:
                print(f"    MISS {item.expect}->{decision} [{item.lang}/{item.kind}] {item.q}")


def report_clinc(stage: SafetyStage, matcher: FaqMatcher, show_misses: bool) -> None:
    """Emergency and urgent replies to CLINC150's 5,500 test questions (the bar: at most 2)."""
    path = next((p for p in CLINC_CANDIDATES if p.exists()), None)
    if path is None:
        print("\nCLINC150: not found (../shared/bench/clinc150/data_full.json)")
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    questions = [pair[0] for pair in data["test"]] + [pair[0] for pair in data["oos_test"]]
    levels: Counter[str] = Counter()
    alarms: list[str] = []
    for question in questions:
        verdict = stage.screen(question)
        level = verdict.level if verdict is not None else "none"
        if level in ("none", "caution"):
            # A fallback turned into the urgent (or the emergency) reply.
            level = _NET_LEVELS.get(decide(stage, matcher, question), level)
        levels[level] += 1
        if level in ("emergency", "urgent", "urgent net", "emergency net"):
            alarms.append(f"{level.upper()} {question}")
    print(
        f"\nCLINC150 test ({len(questions)}): emergency {levels['emergency']}, "
        f"urgent {levels['urgent']}, notice {levels['notice']}, caution {levels['caution']}, "
        f"urgent in place of the FAQ's fallback {levels['urgent net']}, "
        f"emergency in place of it {levels['emergency net']}"
    )
    if show_misses:
        for question in alarms:
            print(f"    {question}")


_NET_LEVELS = {"urgent": "urgent net", "emergency": "emergency net"}


def timed(function: Callable[[str], object], texts: list[str]) -> list[float]:
    """Microseconds per call, one figure per text."""
    figures: list[float] = []
    for text in texts:
        start = time.perf_counter()
        function(text)
        figures.append((time.perf_counter() - start) * 1e6)
    return figures


def report_speed(stage: SafetyStage) -> None:
    """The stage per message against normalising the same text, in the same run."""
    stage.screen(SAMPLE)
    texts = [SAMPLE] * ROUNDS
    baseline = statistics.median(timed(normalise_words, texts))
    detector = stage.content.detector()
    screen_only = statistics.median(timed(detector.detect, texts))
    whole = statistics.median(timed(stage.screen, texts))
    model = stage.second_opinion
    words = normalise_words(SAMPLE)
    opinion = statistics.median(timed(lambda _: model.may_decide(words), texts)) if model else 0.0
    print(f"\nspeed on a {len(SAMPLE)}-character message, {ROUNDS} rounds (p50):")
    print(f"  normalise only (baseline)  {baseline:8.1f} us  1.0x")
    print(f"  emergency rules only       {screen_only:8.1f} us  {screen_only / baseline:.1f}x")
    print(
        f"  whole stage (language, emergency, urgent, context) {whole:8.1f} us  "
        f"{whole / baseline:.1f}x"
    )
    if model is not None:
        print(f"  second opinion (words given) {opinion:8.1f} us  {opinion / baseline:.1f}x")


def tuning_texts() -> list[str]:
    """Every message of the tuning data (tests/data and benchmarks/data), once each."""
    texts: dict[str, None] = {}
    for path in sorted([*DATA.glob("*.yaml"), *(REPO_ROOT / "benchmarks" / "data").glob("*.yaml")]):
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("q"), str):
                texts[entry["q"]] = None
    return list(texts)


def report_levels(stage: SafetyStage, matcher: FaqMatcher) -> None:
    """The stage's level for every tuning text without, then with, the judgement."""
    texts = tuning_texts()
    without = replace(stage, judge=None)
    changes = Counter(
        (before, after)
        for before, after in (
            (decide(without, matcher, text), decide(stage, matcher, text)) for text in texts
        )
        if before != after
    )
    print(f"\nLevels of {len(texts)} tuning texts, without -> with the judgement:")
    for (before, after), count in changes.most_common():
        print(f"  {before} -> {after}: {count}")
    if not changes:
        print("  no change")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="*", help="glob patterns (tests/data, benchmarks/data)")
    parser.add_argument("--misses", action="store_true", help="list every miss")
    parser.add_argument("--no-clinc", action="store_true")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--levels", action="store_true", help="levels without/with the judge")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the stage logs each decision; the report says more
    content = load_content(REPO_ROOT / "content")
    stage = build_safety_stage(content.emergency, content.clinic.phone)
    matcher = FaqMatcher.from_content(content.faq)
    if args.levels:
        report_levels(stage, matcher)
        return
    patterns = args.sets or SET_PATTERNS
    # benchmarks/data holds sets the safety model is not trained on (earlier blind sets).
    folders = (DATA, REPO_ROOT / "benchmarks" / "data")
    paths = sorted(
        {
            p
            for folder in folders
            for pattern in patterns
            for p in folder.glob(pattern)
            if "language" not in p.name
        }
    )
    report_sets(stage, matcher, paths, args.misses)
    if not args.no_clinc:
        report_clinc(stage, matcher, args.misses)
    if not args.no_speed:
        report_speed(stage)


if __name__ == "__main__":
    main()
