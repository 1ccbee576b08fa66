"""Offline quality report for a labelled question file, like `rasa test` for the FAQ.

A labelled file lists patient-style questions with what should happen: an entry id,
`fallback` (out of scope) or `emergency`. The report gives accuracy, confidently-wrong
and fallback rates, the confusions, and a threshold sweep so a clinic can see trade-offs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bot.content.problems import ContentError, Problem, display_path
from bot.content.schema import closest, describe
from bot.content.yaml_source import LocatedDict, LocatedList, load_located_yaml
from bot.faq.matcher import (
    DEFAULT_MIN_COVERAGE,
    MAX_SUGGESTIONS,
    Candidate,
    MatchThresholds,
    decide,
)
from bot.faq.pipeline import FaqPipeline

FALLBACK = "fallback"
EMERGENCY = "emergency"
RANK_DEPTH = MAX_SUGGESTIONS + 1  # what `FaqMatcher.match` looks at
SWEEP_ANSWER = (0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)
SWEEP_MARGIN = (0.0, 0.02, 0.04, 0.06, 0.1)


@dataclass(frozen=True)
class LabelledQuestion:
    """A question and what the bot should do with it."""

    query: str
    expect: str  # an FAQ id, "fallback" or "emergency"
    line: int = 0


@dataclass(frozen=True)
class Outcome:
    """What the bot did with one labelled question, with the full ranking for sweeps."""

    question: LabelledQuestion
    ranked: tuple[Candidate, ...]
    emergency_rule: str | None = None

    def decision(self, thresholds: MatchThresholds) -> tuple[str, str | None]:
        """(decision, faq_id) under `thresholds`."""
        if self.emergency_rule is not None:
            return EMERGENCY, None
        result = decide(self.ranked, thresholds)
        return result.decision, result.faq_id


@dataclass(frozen=True)
class Confusion:
    """One question the bot got wrong."""

    query: str
    expected: str
    got: str  # "answer:<id>", "suggest", "fallback" or "emergency"
    score: float


@dataclass(frozen=True)
class QualityReport:
    """Rates over a labelled set; each rate is None when its denominator is empty."""

    total: int
    in_scope: int
    out_of_scope: int
    emergencies: int
    accuracy: float | None  # in-scope answered with the right entry
    top1: float | None  # in-scope whose best candidate is right
    suggest_rate: float | None  # in-scope that got "did you mean"
    suggest_hit_rate: float | None  # in-scope suggested with the right entry among them
    confidently_wrong: float | None  # all questions answered with a wrong entry
    fallback_rate: float | None  # out-of-scope that fell back
    emergency_recall: float | None  # emergencies that got the emergency reply
    confusions: tuple[Confusion, ...]


@dataclass(frozen=True)
class SweepRow:
    """Quality under one (answer threshold, margin) pair."""

    answer: float
    margin: float
    accuracy: float | None
    confidently_wrong: float | None
    fallback_rate: float | None


def _rate(count: int, total: int) -> float | None:
    return count / total if total else None


class LabelledFileError(ContentError):
    """A labelled test file that cannot be read: the file is to fix, not the content."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.subject = f"the test file {display_path(path)} (not the FAQ content)"


# What each item of a YAML test file must give, and the keys the project's sets add.
_LABEL_KEYS = {"q": "the patient's question", "expect": "an FAQ id, `fallback` or `emergency`"}
_NOTE_KEYS = frozenset(("lang", "kind", "style", "from", "source", "gap", "part", "note"))
_ITEM_SHAPE = "`- q: the question` with `expect: an FAQ id` (or `fallback`, `emergency`)"


def _label_hint(label: str, known: set[str]) -> str:
    guess = closest(label, known)
    if guess is not None:
        return f"did you mean {guess!r}?"
    return "use an FAQ id of the content, `fallback` or `emergency`"


def _problem(path: Path, line: int, message: str) -> Problem:
    return Problem(display_path(path), line, message)


def _item_problems(path: Path, item: LocatedDict) -> list[Problem]:
    """What is wrong with one {q, expect} item, each with what to write instead."""
    problems: list[Problem] = []
    strangers = [key for key in item if key not in _LABEL_KEYS and key not in _NOTE_KEYS]
    for key, meaning in _LABEL_KEYS.items():
        if key not in item:
            guess = closest(key, strangers) or (strangers[0] if len(strangers) == 1 else None)
            hint = f"; rename `{guess}:` to `{key}:`" if guess else f"; add `{key}: {meaning}`"
            problems.append(_problem(path, item.line, f"this item has no `{key}:`{hint}"))
            continue
        value = item[key]
        if not isinstance(value, str) or not value.strip():
            problems.append(
                _problem(
                    path,
                    item.line_of(key),
                    f"`{key}:` must be {meaning} as text, not {describe(value)}",
                )
            )
    return problems


def _load_yaml_labels(path: Path) -> list[LabelledQuestion]:
    data = load_located_yaml(path)
    if not isinstance(data, LocatedList):
        shape = f"a list of items, each {_ITEM_SHAPE}, not {describe(data)}"
        raise LabelledFileError(path, [_problem(path, 1, f"the file must be {shape}")])
    questions: list[LabelledQuestion] = []
    problems: list[Problem] = []
    for index, item in enumerate(data):
        line = data.line_of(index)
        if not isinstance(item, LocatedDict):
            problems.append(
                _problem(path, line, f"each item must be {_ITEM_SHAPE}, not {describe(item)}")
            )
            continue
        found = _item_problems(path, item)
        problems.extend(found)
        if not found:
            questions.append(LabelledQuestion(item["q"], item["expect"].strip(), line))
    if problems:
        raise LabelledFileError(path, problems)
    return questions


def _load_tsv_labels(path: Path) -> list[LabelledQuestion]:
    questions: list[LabelledQuestion] = []
    problems: list[Problem] = []
    text = path.read_text(encoding="utf-8")
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) != 2 or not parts[0].strip() or not parts[1].strip():
            found = {1: "no tab", 2: "an empty column"}.get(len(parts), f"{len(parts)} columns")
            problems.append(
                _problem(path, number, f"expected `question<TAB>expected id`, found {found}")
            )
            continue
        questions.append(LabelledQuestion(parts[0].strip(), parts[1].strip(), number))
    if problems:
        raise LabelledFileError(path, problems)
    return questions


def load_labelled(path: Path) -> list[LabelledQuestion]:
    """Questions from a YAML list of {q, expect} or a `query<TAB>expected` TSV file; a
    `LabelledFileError` names each problem of the file with its line."""
    if not path.is_file():
        raise LabelledFileError(path, [_problem(path, 0, "file not found")])
    try:
        if path.suffix.lower() in {".tsv", ".txt"}:
            questions = _load_tsv_labels(path)
        else:
            questions = _load_yaml_labels(path)
    except UnicodeDecodeError:
        raise LabelledFileError(path, [_problem(path, 0, "file is not UTF-8 text")]) from None
    except LabelledFileError:
        raise
    except ContentError as error:  # YAML syntax, with its line
        raise LabelledFileError(path, error.problems) from None
    if not questions:
        raise LabelledFileError(path, [_problem(path, 1, "no labelled questions found")])
    return questions


def check_labels(
    path: Path, questions: Sequence[LabelledQuestion], known_ids: Iterable[str]
) -> None:
    """Raise a `LabelledFileError` for labels that name no FAQ entry."""
    known = {*known_ids, FALLBACK, EMERGENCY}
    problems = [
        _problem(path, q.line, f"unknown expected id {q.expect!r}; {_label_hint(q.expect, known)}")
        for q in questions
        if q.expect not in known
    ]
    if problems:
        raise LabelledFileError(path, problems)


def run_questions(pipeline: FaqPipeline, questions: Sequence[LabelledQuestion]) -> list[Outcome]:
    """Rank every question once (decisions are re-derived per threshold later)."""
    outcomes: list[Outcome] = []
    for question in questions:
        hit = pipeline.detector.detect(question.query) if pipeline.detector else None
        rule = hit.rule_id if hit is not None else None
        ranked = () if rule else tuple(pipeline.matcher.rank(question.query, RANK_DEPTH))
        outcomes.append(Outcome(question, ranked, rule))
    return outcomes


def _describe(decision: str, faq_id: str | None) -> str:
    return f"answer:{faq_id}" if decision == "answer" else decision


def summarise(outcomes: Sequence[Outcome], thresholds: MatchThresholds) -> QualityReport:
    """Every rate of the report under `thresholds`."""
    in_scope = correct = top1 = suggested = suggest_hit = wrong = 0
    oos = oos_fallback = emergencies = emergency_hit = 0
    confusions: list[Confusion] = []
    for outcome in outcomes:
        expect = outcome.question.expect
        decision, faq_id = outcome.decision(thresholds)
        best = outcome.ranked[0] if outcome.ranked else None
        if expect == EMERGENCY:
            emergencies += 1
            emergency_hit += decision == EMERGENCY
            right = decision == EMERGENCY
        elif expect == FALLBACK:
            oos += 1
            oos_fallback += decision == FALLBACK
            right = decision == FALLBACK
        else:
            in_scope += 1
            right = decision == "answer" and faq_id == expect
            correct += right
            top1 += best is not None and best.faq_id == expect
            if decision == "suggest":
                suggested += 1
                shown = decide(outcome.ranked, thresholds).suggestions
                suggest_hit += any(c.faq_id == expect for c in shown)
        if decision == "answer" and faq_id != expect:
            wrong += 1
        if not right:
            score = best.score if best else 0.0
            confusions.append(
                Confusion(outcome.question.query, expect, _describe(decision, faq_id), score)
            )
    return QualityReport(
        total=len(outcomes),
        in_scope=in_scope,
        out_of_scope=oos,
        emergencies=emergencies,
        accuracy=_rate(correct, in_scope),
        top1=_rate(top1, in_scope),
        suggest_rate=_rate(suggested, in_scope),
        suggest_hit_rate=_rate(suggest_hit, in_scope),
        confidently_wrong=_rate(wrong, len(outcomes)),
        fallback_rate=_rate(oos_fallback, oos),
        emergency_recall=_rate(emergency_hit, emergencies),
        confusions=tuple(confusions),
    )


def sweep(
    outcomes: Sequence[Outcome],
    base: MatchThresholds,
    answers: Sequence[float] = SWEEP_ANSWER,
    margins: Sequence[float] = SWEEP_MARGIN,
) -> list[SweepRow]:
    """Quality for each (answer threshold, margin); suggest stays at `base.suggest`."""
    rows: list[SweepRow] = []
    for answer in answers:
        for margin in margins:
            thresholds = replace(
                base, answer=answer, suggest=min(base.suggest, answer), margin=margin
            )
            report = summarise(outcomes, thresholds)
            rows.append(
                SweepRow(
                    answer,
                    margin,
                    report.accuracy,
                    report.confidently_wrong,
                    report.fallback_rate,
                )
            )
    return rows


def _percent(value: float | None) -> str:
    return "   n/a" if value is None else f"{100 * value:5.1f}%"


def format_report(
    report: QualityReport, thresholds: MatchThresholds, rows: Sequence[SweepRow]
) -> str:
    """The report as plain text for a terminal."""
    lines = [
        f"Questions: {report.total} ({report.in_scope} in scope, "
        f"{report.out_of_scope} out of scope, {report.emergencies} emergencies)",
        f"Thresholds: answer {thresholds.answer:.2f}, suggest {thresholds.suggest:.2f}, "
        f"margin {thresholds.margin:.2f}",
        "",
        f"  answered correctly      {_percent(report.accuracy)}",
        f"  top-1 (best candidate)  {_percent(report.top1)}",
        f"  suggested               {_percent(report.suggest_rate)}"
        f"  (right entry among them: {_percent(report.suggest_hit_rate).strip()})",
        f"  confidently wrong       {_percent(report.confidently_wrong)}  (of all questions)",
        f"  out of scope fell back  {_percent(report.fallback_rate)}",
        f"  emergency recall        {_percent(report.emergency_recall)}",
        "",
        f"Confusions ({len(report.confusions)}): expected -> got (best score): question",
    ]
    lines.extend(f"  {c.expected} -> {c.got} ({c.score:.2f}): {c.query}" for c in report.confusions)
    lines += ["", "Threshold sweep (suggest threshold unchanged):"]
    lines.append("  answer  margin  answered-correctly  confidently-wrong  oos-fallback")
    lines.extend(
        f"  {row.answer:6.2f}  {row.margin:6.2f}  {_percent(row.accuracy):>18}  "
        f"{_percent(row.confidently_wrong):>17}  {_percent(row.fallback_rate):>12}"
        for row in rows
    )
    return "\n".join(lines)


def report_as_dict(
    report: QualityReport, thresholds: MatchThresholds, rows: Sequence[SweepRow]
) -> dict[str, object]:
    """The report as JSON-ready data."""
    return {
        "thresholds": {
            "answer": thresholds.answer,
            "suggest": thresholds.suggest,
            "margin": thresholds.margin,
        },
        "total": report.total,
        "in_scope": report.in_scope,
        "out_of_scope": report.out_of_scope,
        "emergencies": report.emergencies,
        "accuracy": report.accuracy,
        "top1": report.top1,
        "suggest_rate": report.suggest_rate,
        "suggest_hit_rate": report.suggest_hit_rate,
        "confidently_wrong": report.confidently_wrong,
        "fallback_rate": report.fallback_rate,
        "emergency_recall": report.emergency_recall,
        "confusions": [
            {"query": c.query, "expected": c.expected, "got": c.got, "score": c.score}
            for c in report.confusions
        ],
        "sweep": [
            {
                "answer": r.answer,
                "margin": r.margin,
                "accuracy": r.accuracy,
                "confidently_wrong": r.confidently_wrong,
                "fallback_rate": r.fallback_rate,
            }
            for r in rows
        ],
    }


@dataclass(frozen=True)
class TuningGoal:
    """Constraints when tuning thresholds: keep rejection up and wrong answers down."""

    min_fallback_rate: float = 0.9
    max_confidently_wrong: float = 0.08
    min_suggest_band: float = 0.0  # answer - suggest at least this (room for "did you mean")


def _grid(low: float, high: float, step: float) -> list[float]:
    count = round((high - low) / step)
    return [round(low + i * step, 4) for i in range(count + 1)]


def tune_thresholds(
    outcomes: Sequence[Outcome],
    goal: TuningGoal = TuningGoal(),
    answers: Sequence[float] = tuple(_grid(0.2, 0.8, 0.02)),
    margins: Sequence[float] = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1),
    coverage: float = DEFAULT_MIN_COVERAGE,
) -> MatchThresholds:
    """Thresholds with the most right answers that meet `goal` (else the safest found)."""
    # (expected, best id, best score, lead over the runner-up) of each matched question,
    # the best id None when it covers too little of the query to be answered at all;
    # caught emergencies are decided before matching, so thresholds cannot change them.
    gate = MatchThresholds(coverage=coverage)
    rows: list[tuple[str, str | None, float, float]] = []
    for o in outcomes:
        if o.emergency_rule is not None:
            continue
        if not o.ranked:
            rows.append((o.question.expect, None, 0.0, 1.0))
            continue
        top = o.ranked[0]
        if top.out_of_scope:  # falls back whatever the thresholds
            rows.append((o.question.expect, None, 0.0, 1.0))
            continue
        lead = top.score - o.ranked[1].score if len(o.ranked) > 1 else 1.0
        faq_id = top.faq_id if gate.covered(top, lead) else None
        rows.append((o.question.expect, faq_id, top.score, lead))
    in_scope = sum(1 for expect, *_ in rows if expect not in (FALLBACK, EMERGENCY)) or 1
    oos = sum(1 for expect, *_ in rows if expect == FALLBACK)
    best: tuple[tuple[float, ...], MatchThresholds] | None = None
    for answer in answers:
        for margin in margins:
            answered = [
                (e, f)
                for e, f, score, lead in rows
                if f is not None and score >= answer and lead >= margin
            ]
            right = sum(1 for e, f in answered if e == f)
            wrong = (len(answered) - right) / max(1, len(outcomes))
            for suggest in [s for s in answers if s <= answer - goal.min_suggest_band]:
                oos_fallback = sum(
                    1 for e, _, score, _ in rows if e == FALLBACK and score < suggest
                )
                fallback = oos_fallback / oos if oos else 1.0
                meets = fallback >= goal.min_fallback_rate and wrong <= goal.max_confidently_wrong
                # Feasible settings first, then right answers, then the widest suggest band.
                key = (float(meets), right / in_scope if meets else fallback - wrong, -suggest)
                if best is None or key > best[0]:
                    best = (key, replace(gate, answer=answer, suggest=suggest, margin=margin))
    return best[1] if best is not None else gate
