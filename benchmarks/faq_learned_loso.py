"""Leave-one-set-out choice of the learned ranker and of how it joins the matcher.

The learned ranker (bot.faq.learned) trains on content/faq.yaml only. What the labelled
sets choose is how it describes a phrase (`RankerSettings`) and the policy that combines
it with the lexical matcher (bot.faq.policy.LearnedPolicy). Each real-question file in
benchmarks/data is one gathering from its own sites; for each file S the setting with the
best score on every other file is chosen and measured on S, and the figures are pooled:
the honest estimate of how the choice does on wording from sites we have not seen.

Score of a setting on a set: answered right - COST_OF_WRONG x answered wrongly (answerable
items answered with a wrong entry, and items the FAQ cannot answer that got an answer).
Every message goes through the emergency screen and `MessageReader` as a patient's does.

    python benchmarks/faq_learned_loso.py            # the LOSO table
    python benchmarks/faq_learned_loso.py --quick    # a smaller grid
    python benchmarks/faq_learned_loso.py --varied 0.5 [--written]  # round 16, see below

`--varied WEIGHT` measures the ranker learned from more varied wording: for each real
gathering (and the development half) in turn, the ranker learns from the content's wordings
plus the labelled English questions of every other gathering (each at WEIGHT against a
content wording's 1 in its entry's centroid; with `--written`, the labelled style, probe and
written sets of tests/data too), and the gathering left out is read with it, the policy as
shipped. Never a set's own questions: every figure is left-out.

A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import re
import sys
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml

from benchmarks.real_questions import (
    RealQuestion,
    Tally,
    gatherings,
    load_judged,
    load_questions,
)
from bot.clinic_content import ClinicContent, load_content
from bot.faq.learned import ContentRanker, RankerSettings
from bot.faq.matcher import FaqMatcher
from bot.faq.policy import LearnedPolicy
from bot.faq.reading import MessageReader

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA = REPO_ROOT / "benchmarks" / "data"
COST_OF_WRONG = 3

RANKERS = (
    RankerSettings(char_share=0.0, pairs=False, kind="nearest"),
    RankerSettings(char_share=0.0, pairs=False, kind="centroid"),
    RankerSettings(char_share=0.0, pairs=False, kind="bayes", smoothing=0.1),
)
# With --unknown: the cosine kinds with words the content never uses in the message's length.
UNKNOWN_RANKERS = (
    RankerSettings(kind="nearest", unknown_words=True),
    RankerSettings(kind="centroid", unknown_words=True),
    RankerSettings(kind="centroid", unknown_words=False),
)
# Naive Bayes posteriors are sharp; flatter ones (a higher temperature), tried with --bayes.
BAYES_TEMPERATURES = (3.0, 10.0)


def policies(quick: bool, kind: str) -> list[LearnedPolicy | None]:
    """The policy grid for a ranker of `kind`; None is the matcher alone. A naive Bayes
    ranker's scores are probabilities, the others' cosines."""
    if kind == "bayes":
        scores: tuple[float, ...] = (0.5, 0.7, 0.9) if quick else (0.3, 0.5, 0.7, 0.9)
        leads: tuple[float, ...] = (0.0, 0.3) if quick else (0.0, 0.2, 0.4)
        hold_scores: tuple[float, ...] = (0.8, 0.95)
        hold_leads: tuple[float, ...] = (0.3, 0.6)
        topics: tuple[float | None, ...] = (None, 0.5, 0.8)
    else:
        scores = (0.4, 0.5, 0.6) if quick else (0.3, 0.4, 0.5, 0.6, 0.7)
        leads = (0.0, 0.1) if quick else (0.0, 0.1, 0.2)
        hold_scores, hold_leads = (0.5, 0.7), (0.1, 0.2)
        topics = (None, 0.5)
    places = (1, 2)
    floors = (0.0, 0.3)
    holds: list[tuple[float | None, float]] = [(None, 0.0)]
    holds += [(s, lead) for s in hold_scores for lead in hold_leads]
    if kind != "bayes":
        holds = [(None, 0.0), (0.5, 0.1), (0.7, 0.2)]
    grid: list[LearnedPolicy | None] = [None]
    for (hold_score, hold_lead), topic in itertools.product(holds, topics):
        grid.append(LearnedPolicy(None, 0.0, 1, 0.0, hold_score, hold_lead, topic))
        for score, lead, place, floor in itertools.product(scores, leads, places, floors):
            grid.append(LearnedPolicy(score, lead, place, floor, hold_score, hold_lead, topic))
    return grid


def tally(questions: Sequence[RealQuestion], reader: MessageReader) -> Tally:
    """What the reader does with `questions`."""
    found = Tally()
    for question in questions:
        found.add(question, reader.read(question.text))
    return found


def value(found: Tally) -> int:
    """The score a setting is chosen by."""
    return found.right - COST_OF_WRONG * (found.wrong + found.wrong_on_none)


def train_score(found: dict[str, Tally], others: Sequence[str]) -> tuple[int, int]:
    """A setting's score on the sets `others`, fewer wrong answers breaking ties."""
    wrong = sum(found[n].wrong + found[n].wrong_on_none for n in others)
    return sum(value(found[n]) for n in others), -wrong


def fold_row(before: Tally, after: Tally) -> list[int]:
    """Answerable, right, wrong and unanswerable answered, before and after, for one set."""
    return [
        before.answerable,
        before.right,
        after.right,
        before.wrong,
        after.wrong,
        before.wrong_on_none,
        after.wrong_on_none,
    ]


TESTS_DATA = REPO_ROOT / "tests" / "data"
Wording = tuple[str, str]  # a labelled question and its entry


def labelled_wordings(path: Path, known: set[str]) -> list[Wording]:
    """A set's English questions labelled with one entry of `known`: a real gathering's
    `label`, or a tests/data set's single `expect`."""
    found: list[Wording] = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
        if not isinstance(item, dict) or item.get("lang", "en") != "en":
            continue
        text, label = item.get("text", item.get("q")), item.get("label", item.get("expect"))
        if isinstance(text, str) and isinstance(label, str) and label.strip() in known:
            found.append((text, label.strip()))
    return found


def varied_ranker(content: ClinicContent, extra: Sequence[Wording], weight: float) -> ContentRanker:
    """The content's ranker with `extra` labelled wordings added to their entries, each
    weighing `weight` against a content wording's 1."""
    added: dict[str, list[str]] = {}
    for text, faq_id in extra:
        added.setdefault(faq_id, []).append(text)
    entries: list[tuple[str, list[str]]] = []
    weights: list[float] = []
    own = [(e.id, e.phrasings) for e in content.faq.entries]
    own += [(t.id, t.examples) for t in content.faq.out_of_scope]
    for faq_id, phrasings in own:
        more = added.get(faq_id, [])
        entries.append((faq_id, [*phrasings, *more]))
        weights += [1.0] * len(phrasings) + [weight] * len(more)
    return ContentRanker(entries, content.faq.synonyms, phrase_weights=weights)


def varied_loso(weight: float, written: bool) -> None:
    """Print, per real gathering, the content's ranker against one that also learned from
    every other gathering's labelled questions (see the module's doc)."""
    content = load_content(REPO_ROOT / "content")
    known = {entry.id for entry in content.faq.entries}
    judged = load_judged()
    real = {p.stem.removeprefix("real_questions_"): p for p in gatherings()}
    # A file without `lang` fields named "..._fr<N>" is French (as `load_questions` reads it).
    wordings = {
        name: labelled_wordings(path, known) if not re.search(r"_fr\d*$", path.stem) else []
        for name, path in real.items()
    }
    tests = sorted(TESTS_DATA.glob("faq_*.yaml")) if written else []
    fixed = [w for path in tests if "_fr" not in path.stem for w in labelled_wordings(path, known)]
    reader = MessageReader.from_content(content)
    matcher = reader.matcher
    shipped = matcher.model
    print(
        f"ranker from the content + the other gatherings' labelled questions (weight {weight})"
        + (f" + {len(fixed)} of tests/data" if written else "")
        + "; policy as shipped; English items"
    )
    print(f"{'set':5} {'answerable':>10} {'right':>10} {'wrong':>8} {'none answered':>14}")
    pooled = [0] * 7
    for name, path in real.items():
        questions = [q for q in load_questions(path, judged) if q.language == "en"]
        if not questions:
            continue
        extra = [w for other, found in wordings.items() if other != name for w in found]
        matcher.model = shipped
        before = tally(questions, reader)
        matcher.model = varied_ranker(content, [*extra, *fixed], weight)
        after = tally(questions, reader)
        row = fold_row(before, after)
        pooled = [a + b for a, b in zip(pooled, row, strict=True)]
        print(
            f"{name:5} {row[0]:>10} {row[1]:>4} -> {row[2]:<3} {row[3]:>2} -> {row[4]:<2} "
            f"{row[5]:>4} -> {row[6]}/{before.unanswerable}"
        )
    matcher.model = shipped
    print(
        f"{'all':5} {pooled[0]:>10} {pooled[1]:>4} -> {pooled[2]:<3} {pooled[3]:>2} -> "
        f"{pooled[4]:<2} {pooled[5]:>4} -> {pooled[6]}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the LOSO table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller policy grid")
    parser.add_argument(
        "--bayes", action="store_true", help="naive Bayes at flatter temperatures only"
    )
    parser.add_argument(
        "--unknown", action="store_true", help="unknown words in the length, against without"
    )
    parser.add_argument(
        "--varied",
        type=float,
        metavar="WEIGHT",
        help="the ranker learned from the content plus the other gatherings' questions",
    )
    parser.add_argument(
        "--written", action="store_true", help="with --varied: tests/data's labelled sets too"
    )
    args = parser.parse_args(argv)
    if args.varied is not None:
        varied_loso(args.varied, args.written)
        return 0
    rankers = UNKNOWN_RANKERS if args.unknown else RANKERS
    if args.bayes:
        rankers = tuple(
            RankerSettings(kind="bayes", smoothing=0.1, temperature=t) for t in BAYES_TEMPERATURES
        )
    sets = {
        path.stem.removeprefix("real_questions_"): load_questions(path, {})
        for path in sorted(DATA.glob("real_questions_*.yaml"))
    }
    content = load_content(REPO_ROOT / "content")
    grids = [policies(args.quick, settings.kind) for settings in rankers]
    # (ranker, policy) -> set -> tally
    results: dict[tuple[int, int], dict[str, Tally]] = {}
    for r, settings in enumerate(rankers):
        grid = grids[r]
        matcher = FaqMatcher.from_content(content.faq)
        topics = [(t.id, t.examples) for t in content.faq.out_of_scope]
        entries = [(e.id, e.phrasings) for e in content.faq.entries]
        matcher.model = ContentRanker([*entries, *topics], content.faq.synonyms, settings)
        base = matcher.thresholds
        matcher.rank = functools.lru_cache(maxsize=None)(matcher.rank)  # type: ignore[method-assign]
        reader = MessageReader(matcher, content.emergency.detector(), content.faq)
        detector = reader.detector
        if detector is not None:
            reader.detector = type(
                "Memo",
                (),
                {"detect": staticmethod(functools.lru_cache(maxsize=None)(detector.detect))},
            )()
        for p, policy in enumerate(grid):
            matcher.thresholds = dataclasses.replace(base, learned=policy)
            results[(r, p)] = {name: tally(qs, reader) for name, qs in sets.items()}
    names = list(sets)

    def describe(key: tuple[int, int]) -> str:
        r, p = key
        policy = grids[r][p]
        return f"{rankers[r]} {policy}" if policy is not None else "matcher alone"

    baseline = (0, 0)
    print(f"{len(results)} settings; score = right - {COST_OF_WRONG} x wrong")
    header = f"{'set':5} {'answerable':>10} {'right before':>12} {'right LOSO':>10} "
    header += (
        f"{'wrong before':>12} {'wrong LOSO':>10} {'none ans. before':>16} {'none ans. LOSO':>14}"
    )
    print(header)
    pooled = [0] * 7
    chosen_names = []
    for held in names:
        others = [n for n in names if n != held]

        best = max(results, key=lambda key, others=others: train_score(results[key], others))
        chosen_names.append(f"  {held}: {describe(best)}")
        before, after = results[baseline][held], results[best][held]
        row = fold_row(before, after)
        pooled = [a + b for a, b in zip(pooled, row, strict=True)]
        unanswerable = before.unanswerable
        print(
            f"{held:5} {row[0]:>10} {row[1]:>12} {row[2]:>10} {row[3]:>12} {row[4]:>10} "
            f"{row[5]:>13}/{unanswerable:<2} {row[6]:>11}/{unanswerable:<2}"
        )
    total_none = sum(results[baseline][n].unanswerable for n in names)
    print(
        f"{'all':5} {pooled[0]:>10} {pooled[1]:>12} {pooled[2]:>10} {pooled[3]:>12} "
        f"{pooled[4]:>10} {pooled[5]:>13}/{total_none:<2} {pooled[6]:>11}/{total_none:<2}"
    )
    print("chosen on the other sets:")
    print("\n".join(chosen_names))
    overall = max(results, key=lambda key: sum(value(results[key][n]) for n in names))
    print(f"best on all sets (not blind): {describe(overall)}")
    found = results[overall]
    print(
        "  right "
        + " ".join(f"{n}:{found[n].right}" for n in names)
        + f" wrong {sum(found[n].wrong for n in names)}"
        + f" none answered {sum(found[n].wrong_on_none for n in names)}"
    )
    for r in range(len(rankers)):
        key = max(
            (k for k in results if k[0] == r),
            key=lambda k: sum(value(results[k][n]) for n in names),
        )
        total = sum(value(results[key][n]) for n in names)
        print(f"  best with {rankers[r]}: score {total} ({grids[r][key[1]]})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
