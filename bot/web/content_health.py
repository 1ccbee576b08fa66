"""Content health: the content check, clinician reviews over a year old, and FAQ quality
on the clinic's own labelled questions when it keeps a file of them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot.content.check import check_content
from bot.content.model import FaqContent, FaqEntry
from bot.content.problems import Problem
from bot.faq.evaluation import (
    QualityReport,
    check_labels,
    load_labelled,
    run_questions,
    summarise,
)
from bot.faq.pipeline import FaqPipeline

REVIEW_MAX_AGE = timedelta(days=365)
# The clinic's own labelled questions (the format of `ims-bot faq eval`), in CONTENT_DIR.
LABELLED_FILES = ("faq_labelled.yaml", "faq_labelled.tsv")


@dataclass(frozen=True)
class EvalFigures:
    """FAQ quality on the labelled file, or why there is none."""

    file: str | None
    report: QualityReport | None = None
    error: str | None = None


@dataclass(frozen=True)
class ContentHealth:
    """Everything the content-health page shows."""

    problems: tuple[Problem, ...]
    stale_reviews: tuple[FaqEntry, ...]
    evaluation: EvalFigures


def stale_reviews(faq: FaqContent, today: date) -> tuple[FaqEntry, ...]:
    """Entries whose clinician review is missing or older than a year, oldest first."""
    old = [
        entry
        for entry in faq.entries
        if entry.reviewed is None or today - entry.reviewed.on > REVIEW_MAX_AGE
    ]
    return tuple(sorted(old, key=lambda e: e.reviewed.on if e.reviewed else date.min))


class ContentHealthCheck:
    """Runs the checks off the event loop; the evaluation is kept until the file changes."""

    def __init__(self, content_dir: Path, pipeline: FaqPipeline, faq: FaqContent) -> None:
        self._content_dir = content_dir
        self._pipeline = pipeline
        self._faq = faq
        self._eval_cache: dict[tuple[str, float], EvalFigures] = {}

    def _evaluate(self) -> EvalFigures:
        path = next(
            (
                self._content_dir / name
                for name in LABELLED_FILES
                if (self._content_dir / name).is_file()
            ),
            None,
        )
        if path is None:
            return EvalFigures(None)
        key = (str(path), path.stat().st_mtime)
        if key not in self._eval_cache:
            try:
                questions = load_labelled(path)
                check_labels(path, questions, self._pipeline.matcher.faq_ids)
                outcomes = run_questions(self._pipeline, questions)
                report = summarise(outcomes, self._pipeline.matcher.thresholds)
                self._eval_cache = {key: EvalFigures(path.name, report)}
            except Exception as exc:  # a broken file is shown on the page, not a 500
                self._eval_cache = {key: EvalFigures(path.name, error=str(exc))}
        return self._eval_cache[key]

    def _run(self, today: date) -> ContentHealth:
        problems = tuple(check_content(self._content_dir))
        return ContentHealth(problems, stale_reviews(self._faq, today), self._evaluate())

    async def run(self, today: date) -> ContentHealth:
        """The current health (the check is cached by file contents, so repeats are quick)."""
        return await asyncio.to_thread(self._run, today)
