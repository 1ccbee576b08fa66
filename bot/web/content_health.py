"""Content health: the content check, clinician reviews over a year old, and FAQ quality
on the clinic's own labelled questions when it keeps a file of them."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from bot.clinic_content import check_content
from bot.content.model import FaqContent, FaqEntry
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

    # Problem lines (file:line: what to fix); when complete, `ims-bot content check`'s output.
    lines: tuple[str, ...]
    # False while the full check (with the slower wording checks) is still running.
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

    The full check is `ims-bot content check` itself, run as a child process: on a large
    FAQ it takes a minute, and a process can be stopped at once when the console stops.
    Until it has finished, the page shows the quick structural check.
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
        self._full: tuple[str, ...] | None = None
        self._running: asyncio.Task[None] | None = None

    async def _full_check(self) -> None:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "content", "check", "--content", str(self._content_dir),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        try:
            output, _ = await process.communicate()
        except asyncio.CancelledError:
            process.kill()
            await asyncio.shield(process.wait())
            raise
        self._full = tuple(output.decode("utf-8", "replace").splitlines())

    def start_full_check(self) -> None:
        """Start `ims-bot content check` in the background (once)."""
        if self._quality and self._full is None and self._running is None:
            self._running = asyncio.create_task(self._full_check(), name="content-check")

    async def stop(self) -> None:
        """Stop a full check still running (when the console stops)."""
        if self._running is not None and not self._running.done():
            self._running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._running

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

    def _quick(self, today: date) -> ContentHealth:
        problems = tuple(str(p) for p in check_content(self._content_dir, quality=False))
        return ContentHealth(
            problems, not self._quality, stale_reviews(self._faq, today), self._evaluate()
        )

    async def run(self, today: date) -> ContentHealth:
        """The full check's output when it has finished, else the quick check's problems."""
        self.start_full_check()
        health = await asyncio.to_thread(self._quick, today)
        if self._full is None:
            return health
        return ContentHealth(self._full, True, health.stale_reviews, health.evaluation)
