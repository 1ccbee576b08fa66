"""The content check's work split in parts (for processes sharing it) finds exactly what
it finds in one piece."""

from __future__ import annotations

from pathlib import Path

from bot import clinic_content
from bot.clinic_content import read_content, read_faq_bundle
from bot.faq.confusion import (
    ConfusableCheck,
    check_confusable_phrasings,
    check_phrasings_screened_as_emergency,
    in_faq_order,
)
from bot.safety.emergency_content import read_emergency_files, screen_problems

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


def test_confusable_check_in_parts_finds_the_same_in_faq_order(content_dir: Path) -> None:
    add_alternate(content_dir, "what_is_ims", "how much does an IMS session cost me")
    add_alternate(content_dir, "shaving", "what to wear to my appointment")
    faq, _, problems = read_faq_bundle(content_dir)
    assert faq is not None and problems == []
    whole = check_confusable_phrasings(faq)
    assert len(whole) == 2
    check = ConfusableCheck(faq)
    assert in_faq_order([check.run(2, 3), check.run(0, 3), check.run(1, 3)]) == whole


def test_screening_in_parts_finds_the_same(content_dir: Path) -> None:
    break_examples(content_dir)
    add_alternate(content_dir, "does_it_hurt", "I have crushing chest pain and can't breathe")
    emergency, problems = read_emergency_files(content_dir)
    faq, _, faq_problems = read_faq_bundle(content_dir)
    assert emergency is not None and faq is not None and problems == faq_problems == []
    whole = screen_problems(emergency)
    assert len(whole) == 3
    assert sorted(screen_problems(emergency, 0, 2) + screen_problems(emergency, 1, 2)) == sorted(
        whole
    )
    detector = emergency.detector()
    phrasings = check_phrasings_screened_as_emergency(faq, detector)
    faq_text = (content_dir / "faq.yaml").read_text(encoding="utf-8")
    assert [p.line for p in phrasings] == [line_of(faq_text, "crushing chest pain")]
    parts = [check_phrasings_screened_as_emergency(faq, detector, n, 3) for n in range(3)]
    assert sorted(p for part in parts for p in part) == phrasings


def test_forked_and_in_process_checks_agree(content_dir: Path) -> None:
    add_alternate(content_dir, "what_is_ims", "how much does an IMS session cost me")
    break_examples(content_dir)
    forked = read_content(content_dir, quality=True, parallel=True)
    clinic_content._read.clear()  # read again, in this process only
    here = read_content(content_dir, quality=True, parallel=False)
    assert forked == here
    problems = forked[1]
    assert forked[0] is None and len(problems) == 4  # three examples and the alternate
    assert sum(p.file.endswith("faq.yaml") for p in problems) == 1
