"""Leave-one-set-out choice of the FAQ's answer policy (round 9: doubt, promotion, subject).

What is chosen: how the learned ranker's opinion joins the matcher's decision
(bot.faq.policy.LearnedPolicy: promotion, holding back, doubting an answer the ranker
barely recognises) and whether a question about another subject is answered
(bot.faq.reading.MessageReader's `other_subject`). Each real-question file in
benchmarks/data is one gathering from its own sites: for each file S the setting with the
best score on every other file is measured on S, and the figures are pooled. The style
sets (tests/data/faq_styles_*.yaml) are a second pool, reported the same way. Every
labelled set in tests/data (`ims-bot faq eval` semantics: the matcher alone) is reported
for the setting chosen on all real files, as a guard.

Score of a setting on a set: answered right - COST_OF_WRONG x (answerable items answered
with a wrong entry + items the FAQ cannot answer that got an answer).

    python benchmarks/faq_policy_loso.py            # the LOSO tables and the guards
    python benchmarks/faq_policy_loso.py --quick    # a smaller grid
    python benchmarks/faq_policy_loso.py --subject  # round 11: the question's subject
    python benchmarks/faq_policy_loso.py --contest --guarded  # round 12: close calls
    python benchmarks/faq_policy_loso.py --margin --as-labelled --guarded  # round 13: margins
    python benchmarks/faq_policy_loso.py --generic --guarded  # round 15: generic words, dev too

A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import itertools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.faq_learned_loso import COST_OF_WRONG, fold_row, train_score, value
from benchmarks.real_questions import (
    RealQuestion,
    Tally,
    find_dev,
    load_judged,
    load_questions,
)
from bot.clinic_content import load_content
from bot.faq.evaluation import load_labelled, run_questions, summarise
from bot.faq.matcher import FaqMatcher, MatchThresholds
from bot.faq.pipeline import FaqPipeline
from bot.faq.policy import LearnedPolicy
from bot.faq.reading import MessageReader

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA = REPO_ROOT / "benchmarks" / "data"
TESTS_DATA = REPO_ROOT / "tests" / "data"
GUARD_WRONG = 0.02  # a guard set's confidently wrong answers may reach this share


@dataclasses.dataclass(frozen=True)
class Setting:
    """One policy and reader option to measure."""

    policy: LearnedPolicy | None
    reader: tuple[tuple[str, Any], ...] = ()
    thresholds: tuple[tuple[str, float], ...] = ()  # MatchThresholds fields to change

    def describe(self) -> str:
        """A short description: only what differs from the shipped defaults."""
        if self.policy is None:
            return "matcher alone"
        shipped = LearnedPolicy()
        changed = [
            f"{f.name}={getattr(self.policy, f.name)}"
            for f in dataclasses.fields(LearnedPolicy)
            if getattr(self.policy, f.name) != getattr(shipped, f.name)
        ]
        changed += [f"{k}={v}" for k, v in (*self.reader, *self.thresholds)]
        return ", ".join(changed) or "as shipped"

    def applied(self, base: MatchThresholds) -> MatchThresholds:
        """`base` with this setting's policy and thresholds."""
        return dataclasses.replace(base, learned=self.policy, **dict(self.thresholds))


def grid(quick: bool) -> list[Setting]:
    """The settings compared."""
    base = LearnedPolicy()
    found = [Setting(None), Setting(base)]
    doubts: list[tuple[float | None, float, float]] = [(None, 0.6, 0.0)]
    doubts += [
        (model, score, lead)
        for model in ((0.2, 0.3) if quick else (0.15, 0.2, 0.25, 0.3))
        for score in ((0.55, 0.7) if quick else (0.5, 0.55, 0.6, 0.7))
        for lead in (0.0, 0.05)
    ]
    subjects: tuple[int | None, ...] = (None, 8, 12)
    for (model, score, lead), hold, subject, define in itertools.product(
        doubts, (0.5, 0.55), subjects, (False, True)
    ):
        policy = dataclasses.replace(
            base, hold_score=hold, doubt_model=model, doubt_score=score, doubt_lead=lead
        )
        reader = (("other_subject", subject), ("define_related", define))
        found.append(Setting(policy, reader))
    return found


def promotion_grid() -> list[Setting]:
    """Round 10: promotion (a suggestion the ranker and the matcher agree on, answered) with
    the check of how much of the message the ranker's score rests on (`promote_known`), and
    looser promotions that check may allow; the rest of the policy as shipped. The
    baseline (second) is round 9's policy, without the check."""
    base = dataclasses.replace(LearnedPolicy(), promote_known=None)
    found = [Setting(None), Setting(base)]
    for score, lead, floor, known in itertools.product(
        (0.2, 0.25, 0.3), (0.05, 0.1), (0.25, 0.3), (None, 0.18, 0.2, 0.22, 0.24, 0.26, 0.28)
    ):
        policy = dataclasses.replace(
            base, promote_score=score, promote_lead=lead, promote_floor=floor, promote_known=known
        )
        if policy != base:
            found.append(Setting(policy))
    return found


def subject_grid() -> list[Setting]:
    """Round 11: a question's subject (`MessageReader`'s `own_subject`: an entry saying what
    the clinic's treatment is answers only a question about it; `paired_names`: "acupuncture
    / dry needling" read as one service), each on or off, the policy as shipped. The
    baseline (second) is round 10's reader, both off."""
    base = LearnedPolicy()
    found = [
        Setting(None),
        Setting(base, (("own_subject", False), ("paired_names", False))),
    ]
    for own, paired in itertools.product((False, True), (False, True)):
        if own or paired:
            found.append(Setting(base, (("own_subject", own), ("paired_names", paired))))
    return found


def contest_grid() -> list[Setting]:
    """Round 12: a close call the two opinions disagree on (`contest_lead`: the matcher's
    answer leads its next entry by less than this; `contest_model_lead`: the ranker's lead
    for another of the matcher's candidates; `contest_model`: the ranker's score for the
    answer is below this), the rest of the policy as shipped. The baseline (second) is
    round 11's policy, without the check."""
    base = dataclasses.replace(LearnedPolicy(), contest_lead=None)
    found = [Setting(None), Setting(base)]
    for lead, model_lead, model in itertools.product(
        (0.02, 0.04, 0.06, 0.08, 0.1, 0.15), (0.0, 0.05, 0.1, 0.15, 0.2), (None, 0.25, 0.3)
    ):
        policy = dataclasses.replace(
            base, contest_lead=lead, contest_model_lead=model_lead, contest_model=model
        )
        found.append(Setting(policy))
    return found


def margin_grid() -> list[Setting]:
    """Round 13: how far the best entry must lead the next to be answered (`margin`), the
    answer threshold, and the contest's lead (`contest_lead`), the rest as shipped. The
    baseline (second) is the shipped setting."""
    base = LearnedPolicy()
    found = [Setting(None), Setting(base)]
    for margin, answer, contest in itertools.product(
        (0.0, 0.02, 0.04, 0.06, 0.08, 0.1), (0.42, 0.44, 0.46, 0.48), (0.04, 0.06, 0.08, 0.1)
    ):
        policy = dataclasses.replace(base, contest_lead=contest)
        setting = Setting(policy, thresholds=(("margin", margin), ("answer", answer)))
        found.append(setting)
    return found


def generic_grid() -> list[Setting]:
    """Round 15: an answer resting on generic words only (`promote_topical`: the ranker
    promotes only an entry using a topic word of the message; `clear_lead`: the lead that
    answers a match of generic words or low coverage) and the margin, the rest as shipped.
    The baseline (second) is the shipped setting."""
    base = LearnedPolicy()
    found = [Setting(None), Setting(base)]
    for topical, margin, clear in itertools.product(
        (False, True), (0.02, 0.04, 0.06, 0.08), (0.2, 0.25, 0.3)
    ):
        policy = dataclasses.replace(base, promote_topical=topical)
        found.append(Setting(policy, thresholds=(("margin", margin), ("clear_lead", clear))))
    return found


def _styles_questions(path: Path) -> list[RealQuestion]:
    """A style set's single questions (answerable or `fallback`) as real-question items."""
    items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    found = []
    for item in items:
        expect = item["expect"]
        if isinstance(expect, list) or expect in ("smalltalk", "emergency"):
            continue
        acceptable = frozenset() if expect == "fallback" else frozenset([str(expect)])
        found.append(RealQuestion(str(item["q"]), acceptable))
    return found


def tuning_sets(
    as_labelled: bool = False, dev: bool = False
) -> tuple[dict[str, list[RealQuestion]], dict[str, list[RealQuestion]]]:
    """The real-question files (hand judgements applied unless `as_labelled`; with `dev`,
    the development half too when present) and the style sets, by short name."""
    judged = {} if as_labelled else load_judged()
    paths = sorted(DATA.glob("real_questions_*.yaml"))
    found_dev = find_dev() if dev else None
    real = {
        path.stem.removeprefix("real_questions_"): load_questions(path, judged)
        for path in [*paths, *([found_dev] if found_dev is not None else [])]
    }
    styles = {
        path.stem.removeprefix("faq_"): _styles_questions(path)
        for path in sorted(TESTS_DATA.glob("faq_styles_*.yaml"))
    }
    return real, styles


def loso(
    names: list[str],
    results: dict[int, dict[str, Tally]],
    describe: Callable[[int], str],
    allowed: Sequence[int],
) -> list[str]:
    """The LOSO table over `names`, baseline (key 1, as shipped) against the setting of
    `allowed` chosen on the other sets."""
    lines = [
        f"{'set':16} {'answerable':>10} {'right':>11} {'wrong':>9} {'none answered':>15}  chosen"
    ]
    pooled = [0] * 7
    for held in names:
        others = [n for n in names if n != held]

        best = max(allowed, key=lambda key, others=others: train_score(results[key], others))
        before, after = results[1][held], results[best][held]
        row = fold_row(before, after)
        pooled = [a + b for a, b in zip(pooled, row, strict=True)]
        lines.append(
            f"{held:16} {row[0]:>10} {row[1]:>4} -> {row[2]:<4} {row[3]:>3} -> {row[4]:<3} "
            f"{row[5]:>3} -> {row[6]:<3}/{before.unanswerable:<4}  {describe(best)}"
        )
    total_none = sum(results[1][n].unanswerable for n in names)
    lines.append(
        f"{'pooled':16} {pooled[0]:>10} {pooled[1]:>4} -> {pooled[2]:<4} {pooled[3]:>3} -> "
        f"{pooled[4]:<3} {pooled[5]:>3} -> {pooled[6]:<3}/{total_none:<4}"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Print the LOSO tables and the guards of the setting chosen on every real file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller grid")
    parser.add_argument(
        "--promotion", action="store_true", help="the round-10 promotion grid (promote_known)"
    )
    parser.add_argument(
        "--subject", action="store_true", help="the round-11 subject grid (own_subject, pairs)"
    )
    parser.add_argument(
        "--contest", action="store_true", help="the round-12 contest grid (close calls)"
    )
    parser.add_argument(
        "--margin", action="store_true", help="the round-13 grid (margin, answer, contest_lead)"
    )
    parser.add_argument(
        "--generic",
        action="store_true",
        help="the round-15 grid (promote_topical, margin, clear_lead), the development half too",
    )
    parser.add_argument(
        "--as-labelled", action="store_true", help="ignore the hand judgements of real questions"
    )
    parser.add_argument(
        "--guarded",
        action="store_true",
        help="choose only among settings that hold every tests/data guard",
    )
    args = parser.parse_args(argv)
    real, styles = tuning_sets(args.as_labelled, dev=args.generic)
    content = load_content(REPO_ROOT / "content")
    matcher = FaqMatcher.from_content(content.faq)
    base = matcher.thresholds
    matcher.rank = functools.lru_cache(maxsize=None)(matcher.rank)  # type: ignore[method-assign]
    detector = content.emergency.detector()
    detect = functools.lru_cache(maxsize=None)(detector.detect)
    memo = type("Memo", (), {"detect": staticmethod(detect)})()
    if args.generic:
        settings = generic_grid()
    elif args.margin:
        settings = margin_grid()
    elif args.contest:
        settings = contest_grid()
    elif args.subject:
        settings = subject_grid()
    else:
        settings = promotion_grid() if args.promotion else grid(args.quick)
    results: dict[int, dict[str, Tally]] = {}
    for key, setting in enumerate(settings):
        matcher.thresholds = setting.applied(base)
        reader = MessageReader(matcher, memo, content.faq, **dict(setting.reader))
        found: dict[str, Tally] = {}
        for name, questions in {**real, **styles}.items():
            tally = Tally()
            for question in questions:
                tally.add(question, reader.read(question.text))
            found[name] = tally
        results[key] = found
    guard_sets = [
        path
        for path in sorted(TESTS_DATA.glob("faq_*.yaml"))
        if not path.stem.startswith(("faq_styles", "faq_fr", "faq_probe7"))
    ]
    pipeline = FaqPipeline(matcher, memo)
    outcomes = {path.stem: run_questions(pipeline, load_labelled(path)) for path in guard_sets}
    guards: dict[MatchThresholds, dict[str, tuple[float, float, float]]] = {}
    for setting in settings:
        if setting.applied(base) in guards:
            continue
        rates: dict[str, tuple[float, float, float]] = {}
        for name, found_outcomes in outcomes.items():
            report = summarise(found_outcomes, setting.applied(base))
            rates[name] = (
                report.accuracy or 0.0,
                report.confidently_wrong or 0.0,
                report.fallback_rate or 0.0,
            )
        guards[setting.applied(base)] = rates
    shipped = guards[settings[1].applied(base)]

    def admissible(key: int) -> bool:
        """Right not lower on any guard set, wrong not above 2 % (a probe set: not above as
        shipped; without --promotion, any set: not above as shipped)."""
        rates = guards[settings[key].applied(base)]
        return all(
            rates[n][0] >= shipped[n][0] - 1e-9 and rates[n][1] <= wrong_bound(n) + 1e-9
            for n in rates
        )

    def wrong_bound(name: str) -> float:
        if "probe" in name or not args.promotion:
            return max(GUARD_WRONG, shipped[name][1])
        return GUARD_WRONG

    allowed = [k for k in range(len(settings)) if admissible(k)] if args.guarded else list(results)
    print(
        f"{len(settings)} settings, {len(allowed)} allowed"
        f"{' (guards held)' if args.guarded else ''};"
        f" score = right - {COST_OF_WRONG} x (wrong + none answered)"
    )
    print("Real questions, leave one set out (as shipped -> chosen on the other sets):")
    print("\n".join(loso(list(real), results, lambda k: settings[k].describe(), allowed)))
    print("Style sets, leave one set out (second pool):")
    print("\n".join(loso(list(styles), results, lambda k: settings[k].describe(), allowed)))
    overall = max(allowed, key=lambda k: sum(value(results[k][n]) for n in real))
    print(f"best on all real sets (not blind): {settings[overall].describe()}")
    for key in (0, 1, overall):
        found = results[key]
        print(
            f"  {settings[key].describe()}: real right {sum(found[n].right for n in real)}"
            f" wrong {sum(found[n].wrong for n in real)}"
            f" none answered {sum(found[n].wrong_on_none for n in real)};"
            f" styles right {sum(found[n].right for n in styles)}"
            f" wrong {sum(found[n].wrong for n in styles)}"
            f" none answered {sum(found[n].wrong_on_none for n in styles)}"
        )
    print("Guards, as shipped -> best on all real sets (faq eval: right / wrong / oos fell back):")
    for name in outcomes:
        cells = [
            " / ".join(f"{100 * r:.1f}" for r in guards[settings[key].applied(base)][name])
            for key in (1, overall)
        ]
        print(f"  {name:16} {cells[0]:>20} -> {cells[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
