"""Content health: figures on the clinic's own labelled questions, and clear problems."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from bot.clinic_content import load_content
from bot.config import BUNDLED_CONTENT_DIR
from bot.faq.pipeline import FaqPipeline
from bot.web.content_health import ContentHealthCheck

LABELLED = """\
- q: does ims hurt
  expect: does_it_hurt
- q: what are your opening hours
  expect: hours_locations
- q: can you fix my car
  expect: fallback
"""


def health_check(content_dir: Path) -> ContentHealthCheck:
    content = load_content(content_dir)
    return ContentHealthCheck(
        content_dir, lambda: FaqPipeline.from_content(content), content.faq, quality=False
    )


async def test_figures_on_the_labelled_file_and_a_broken_file_is_reported(tmp_path: Path) -> None:
    content_dir = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT_DIR, content_dir)
    faq_ids = {entry.id for entry in load_content(content_dir).faq.entries}
    assert {"does_it_hurt", "hours_locations"} <= faq_ids
    (content_dir / "faq_labelled.yaml").write_text(LABELLED, encoding="utf-8")
    check = health_check(content_dir)
    health = await check.run(date(2026, 12, 6))
    report = health.evaluation.report
    assert health.evaluation.file == "faq_labelled.yaml" and report is not None
    assert report.total == 3 and report.in_scope == 2 and report.out_of_scope == 1
    assert report.accuracy is not None and health.lines == ()

    (content_dir / "faq_labelled.yaml").write_text("- q: hello\n  expect: no_such_entry\n")
    broken = await check.run(date(2026, 12, 6))
    assert broken.evaluation.error is not None and "no_such_entry" in broken.evaluation.error


async def test_a_content_problem_is_listed_with_file_and_line(tmp_path: Path) -> None:
    content_dir = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT_DIR, content_dir)
    check = health_check(content_dir)
    clinic = content_dir / "clinic.yaml"
    clinic.write_text(
        clinic.read_text().replace("late_cancellation_hours: 24", "late_cancellation_hours: soon")
    )
    health = await check.run(date(2026, 12, 6))
    assert any(
        "clinic.yaml:" in line and "late_cancellation_hours" in line for line in health.lines
    )


async def test_the_full_check_is_ims_bot_content_check_run_in_the_background(
    tmp_path: Path,
) -> None:
    content = load_content(BUNDLED_CONTENT_DIR)
    empty = tmp_path / "empty"
    empty.mkdir()
    check = ContentHealthCheck(
        empty, lambda: FaqPipeline.from_content(content), content.faq, quality=True
    )
    first = await check.run(date(2026, 12, 6))
    assert not first.complete  # the quick check is shown while the full one runs
    assert any("faq.yaml" in line and "file not found" in line for line in first.lines)
    assert check._running is not None
    await check._running
    full = await check.run(date(2026, 12, 6))
    assert full.complete
    assert full.lines[-1].endswith("fix them and run `ims-bot content check` again")


async def test_stopping_the_console_stops_a_running_full_check(tmp_path: Path) -> None:
    content = load_content(BUNDLED_CONTENT_DIR)
    check = ContentHealthCheck(
        BUNDLED_CONTENT_DIR, lambda: FaqPipeline.from_content(content), content.faq
    )
    check.start_full_check()
    await check.stop()
    assert check._running is not None and check._running.cancelled()
