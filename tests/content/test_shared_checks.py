"""The content check's work split in parts (for processes sharing it) finds exactly what
it finds in one piece."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import clinic_content
from bot.clinic_content import read_content, read_faq_bundle
from bot.config import BUNDLED_CONTENT_DIR
from bot.content.problems import Problem
from bot.faq.confusion import (
    ConfusableCheck,
    check_phrasings_screened_as_emergency,
    in_faq_order,
)
from bot.safety.emergency_content import read_emergency_files, screen_problems
from bot.safety.term_reach import grouped_by_term

from .conftest import line_of


def add_alternate(content_dir: Path, entry_id: str, text: str) -> None:
    faq = content_dir / "faq.yaml"
    lines = faq.read_text(encoding="utf-8").splitlines()
    at = lines.index("    alternates:", lines.index(f"  - id: {entry_id}"))
    lines.insert(at + 1, f"      - {text}")
    faq.write_text("\n".join(lines) + "\n", encoding="utf-8")


def break_examples(content_dir: Path) -> None:
    """An emergency example that triggers nothing, a not-example that triggers a rule, and
    an urgent example the emergency screen takes first."""
    for name, anchor, text in [
        ("emergency.yaml", "    examples:", "      - my favourite colour is blue"),
        ("emergency.yaml", "    not_examples:", "      - I have crushing chest pain right now"),
        (
            "urgent.yaml",
            "    examples:",
            "      - pus oozing from the needle spot and crushing chest pain",
        ),
    ]:
        path = content_dir / name
        lines = path.read_text(encoding="utf-8").splitlines()
        lines.insert(lines.index(anchor) + 1, text)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# Two alternates too close to another entry, one the emergency screen takes, an example
# that misses, a not-example that triggers and an urgent example the emergency screen takes.
CONFUSED = [
    ("what_is_ims", "how much does an IMS session cost me"),
    ("shaving", "what to wear to my appointment"),
]
SCREENED = ("does_it_hurt", "I have crushing chest pain and can't breathe")


@pytest.fixture(scope="module")
def broken_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the shipped content with every kind of problem the parts share out (read
    only by the tests: each check below is slow, so the whole check is done once)."""
    content_dir = tmp_path_factory.mktemp("shared") / "content"
    shutil.copytree(BUNDLED_CONTENT_DIR, content_dir)
    for entry_id, text in [*CONFUSED, SCREENED]:
        add_alternate(content_dir, entry_id, text)
    break_examples(content_dir)
    return content_dir


@pytest.fixture(scope="module")
def whole(broken_dir: Path) -> list[Problem]:
    """Every problem of `broken_dir`, found in one piece in this process."""
    clinic_content._read.clear()  # read here, whatever read this folder before
    content, problems = read_content(broken_dir, quality=True, parallel=False)
    assert content is None
    return problems


def test_the_whole_check_finds_each_kind_once(whole: list[Problem]) -> None:
    faq = [p for p in whole if p.file.endswith("faq.yaml")]
    assert [p.message.split("'")[1] for p in faq] == [text for _, text in CONFUSED]
    assert all("is too close to" in p.message for p in faq)
    screen = [p for p in whole if not p.file.endswith("faq.yaml")]
    assert len(screen) == 3 and len(whole) == 5


def test_confusable_check_in_parts_finds_the_same_in_faq_order(
    broken_dir: Path, whole: list[Problem]
) -> None:
    faq, _, problems = read_faq_bundle(broken_dir)
    assert faq is not None and problems == []
    check = ConfusableCheck(faq)
    in_parts = in_faq_order([check.run(2, 3), check.run(0, 3), check.run(1, 3)])
    # The FAQ's order is its lines' order, the order `whole` is sorted in.
    assert in_parts == [p for p in whole if p.file.endswith("faq.yaml")]


def test_screening_in_parts_finds_the_same(broken_dir: Path, whole: list[Problem]) -> None:
    emergency, problems = read_emergency_files(broken_dir)
    faq, _, faq_problems = read_faq_bundle(broken_dir)
    assert emergency is not None and faq is not None and problems == faq_problems == []
    examples = [p for p in whole if not p.file.endswith("faq.yaml")]
    in_parts = screen_problems(emergency, 0, 2) + screen_problems(emergency, 1, 2)
    tiers = [tier for tier in (emergency, emergency.urgent) if tier is not None]
    assert sorted(grouped_by_term(in_parts, tiers, broken_dir)) == examples
    detector = emergency.detector()
    # A screen whose examples fail is not asked about the FAQ (`whole` holds none of these).
    phrasings = check_phrasings_screened_as_emergency(faq, detector)
    faq_text = (broken_dir / "faq.yaml").read_text(encoding="utf-8")
    assert [p.line for p in phrasings] == [line_of(faq_text, "crushing chest pain")]
    parts = [check_phrasings_screened_as_emergency(faq, detector, n, 3) for n in range(3)]
    assert sorted(p for part in parts for p in part) == phrasings


def test_forked_and_in_process_checks_agree(broken_dir: Path, whole: list[Problem]) -> None:
    clinic_content._read.clear()  # read again, forked
    forked = read_content(broken_dir, quality=True, parallel=True)
    assert forked == (None, whole)
