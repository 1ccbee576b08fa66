"""Content health: the content check, clinician reviews over a year old, and FAQ quality
on the clinic's own labelled questions when it keeps a file of them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
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
    # False while the slower wording check (confusable phrasings) is still running.
    complete: bool
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
    """Runs the checks off the event loop; the evaluation is kept until the file changes.

    The full check (as `ims-bot content check` runs it) can take a minute on a large FAQ,
    so the page shows the quick structural check at once and the full result when the
    background run has finished.
    """

    def __init__(
        self,
        content_dir: Path,
        pipeline: Callable[[], FaqPipeline],
        faq: FaqContent,
        *,
        quality: bool = True,
    ) -> None:
        self._content_dir = content_dir
        self._pipeline = pipeline
        self._faq = faq
        self._quality = quality
        self._eval_cache: dict[tuple[str, float], EvalFigures] = {}
        self._full: list[Problem] | None = None
        self._full_running = threading.Lock()

    def _full_check(self) -> None:
        with self._full_running:
            if self._full is None:
                self._full = check_content(self._content_dir, quality=True)

    def start_full_check(self) -> None:
        """Start the full check in the background (once)."""
        if self._quality and self._full is None and not self._full_running.locked():
            threading.Thread(target=self._full_check, name="content-check", daemon=True).start()

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
                pipeline = self._pipeline()
                questions = load_labelled(path)
                check_labels(path, questions, pipeline.matcher.faq_ids)
                outcomes = run_questions(pipeline, questions)
                report = summarise(outcomes, pipeline.matcher.thresholds)
                self._eval_cache = {key: EvalFigures(path.name, report)}
            except Exception as exc:  # a broken file is shown on the page, not a 500
                self._eval_cache = {key: EvalFigures(path.name, error=str(exc))}
        return self._eval_cache[key]

    def _run(self, today: date) -> ContentHealth:
        self.start_full_check()
        full = self._full
        problems = full if full is not None else check_content(self._content_dir, quality=False)
        complete = full is not None or not self._quality
        return ContentHealth(
            tuple(problems), complete, stale_reviews(self._faq, today), self._evaluate()
        )

    async def run(self, today: date) -> ContentHealth:
        """The current health (the check is cached by file contents, so repeats are quick)."""
        return await asyncio.to_thread(self._run, today)
