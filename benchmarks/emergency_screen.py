"""Emergency screen: latency per message and catch rate on the labelled questions, in one run.

Latency is reported in microseconds and as a ratio to two baselines timed in the same run
on the same messages: normalising the text (work every message needs anyway) and one
rapidfuzz `token_set_ratio` against an FAQ question (the cost of a single fuzzy compare).

    python benchmarks/emergency_screen.py
"""

from __future__ import annotations

import random
import statistics
import string
import time
from collections.abc import Callable
from pathlib import Path

import yaml
from rapidfuzz import fuzz

from bot.safety import load_emergency_content
from bot.safety.terms import normalise_words

REPO_ROOT = Path(__file__).resolve().parent.parent
LABELLED = REPO_ROOT / "tests" / "data" / "faq_labelled.yaml"
ROUNDS = 2_000
SAMPLE = (
    "Hi there, quick question about IMS. I've had lower back pain for about two years and "
    "my physio suggested IMS. How many sessions does it usually take, would my extended "
    "health insurance cover it, and what should I wear? Thanks so much, see you soon!"
)


def timed(function: Callable[[str], object], texts: list[str]) -> list[float]:
    """Microseconds per call, one figure per text."""
    figures: list[float] = []
    for text in texts:
        start = time.perf_counter()
        function(text)
        figures.append((time.perf_counter() - start) * 1e6)
    return figures


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def unseen_words_message(rng: random.Random, words: int = 50) -> str:
    """About 300 characters of words the screen has never seen (its worst case)."""
    return " ".join(
        "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
        for _ in range(words)
    )


def main() -> None:
    detector = load_emergency_content(REPO_ROOT / "content").detector()
    detector.detect(SAMPLE)  # warm the per-word cache as a running bot would be
    warm = [SAMPLE] * ROUNDS
    rng = random.Random(7)
    cold = [unseen_words_message(rng) for _ in range(ROUNDS // 4)]
    longest = ["please read: " + SAMPLE * 15 + " I can't breathe"] * 200

    faq_question = "How many IMS sessions will I need?"
    baselines = {
        "normalise only": timed(normalise_words, warm),
        "one token_set_ratio": timed(lambda t: fuzz.token_set_ratio(t, faq_question), warm),
    }
    screen_warm = timed(detector.detect, warm)
    print(f"message of {len(SAMPLE)} characters, {ROUNDS} rounds")
    print(
        f"  screen (known words)   p50 {percentile(screen_warm, 0.5):7.1f} us"
        f"   p99 {percentile(screen_warm, 0.99):7.1f} us"
    )
    for name, figures in baselines.items():
        ratio = statistics.median(screen_warm) / statistics.median(figures)
        print(
            f"  baseline {name:<14} p50 {percentile(figures, 0.5):7.1f} us"
            f"   screen/baseline = {ratio:.1f}x"
        )
    screen_cold = timed(detector.detect, cold)
    print(
        f"  screen (unseen words)  p50 {percentile(screen_cold, 0.5):7.1f} us"
        f"   p99 {percentile(screen_cold, 0.99):7.1f} us   ({len(cold[0])} characters)"
    )
    screen_long = timed(detector.detect, longest)
    print(f"  screen ({len(longest[0])} characters) p50 {percentile(screen_long, 0.5):7.1f} us")
    report_labelled(detector.detect)


def report_labelled(detect: Callable[[str], object]) -> None:
    """Emergencies caught and false alarms on the labelled patient questions."""
    if not LABELLED.exists():
        return
    items = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    emergencies = [item["q"] for item in items if item["expect"] == "emergency"]
    others = [item["q"] for item in items if item["expect"] != "emergency"]
    caught = sum(detect(text) is not None for text in emergencies)
    alarms = sum(detect(text) is not None for text in others)
    print(f"labelled set {LABELLED.relative_to(REPO_ROOT)}:")
    print(f"  emergencies caught {caught}/{len(emergencies)}")
    print(f"  false alarms       {alarms}/{len(others)}")


if __name__ == "__main__":
    main()
