"""The README's guide to the two regular reads (the safety report, the unanswered list)
names what the commands print today: a heading renamed in the report, or a changed line
of the unanswered list, fails here until the guide follows."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.cli.faq_unanswered import _line
from bot.cli.safety import write_report
from bot.faq.unanswered import UnansweredRecord
from bot.safety.emergency_content import load_emergency_content
from bot.safety.present import load_present_judge
from bot.safety.second_opinion import load_second_opinion

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    text = README.split(f"### {title}", 1)[1]
    return re.split(r"\n##+ ", text, maxsplit=1)[0]


def test_every_report_heading_and_label_the_guide_names_is_in_the_report() -> None:
    guide = _section("The safety report (`ims-bot safety report`)")
    headings = [h for h in re.findall(r"\*\*([^*]+)\*\*", guide) if h.isupper()]
    labels = [
        label
        for label in re.findall(r"`([^`]+)`", guide)
        if label[0].isupper() and "..." not in label
    ]
    assert len(headings) >= 6 and len(labels) >= 6, (headings, labels)
    out = StringIO()
    write_report(
        load_emergency_content(REPO / "content"),
        out,
        load_second_opinion(),
        load_present_judge(),
    )
    report = out.getvalue()
    missing = [name for name in [*headings, *labels] if name not in report]
    assert missing == []
    # The guide walks the report top to bottom: its sections in the report's order.
    starts = {
        heading: found.start()
        for heading in headings
        if (found := re.search(rf"^{re.escape(heading)}", report, re.MULTILINE))
    }
    assert sorted(starts, key=starts.__getitem__) == list(starts), starts
    assert len(starts) >= 6, starts


def test_the_guides_unanswered_line_is_what_the_command_prints() -> None:
    guide = _section("The unanswered list (`ims-bot faq unanswered`, or the console's")
    shown = guide.split("```text\n", 1)[1].splitlines()[0]
    record = UnansweredRecord(
        1,
        datetime(2026, 12, 7, 10, 9, tzinfo=UTC),
        "what is the wifi password",
        "how_ims_works",
        0.23,
    )
    assert _line(record, ZoneInfo("America/Toronto")) == shown
