"""The content check for phrasings the matcher would confuse."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from bot.clinic_content import read_faq_bundle
from bot.config import BUNDLED_CONTENT_DIR
from bot.content.model import FaqContent, FaqEntry, OutOfScopeTopic
from bot.faq.confusion import check_confusable_phrasings

from .conftest import SMALL_FAQ, SMALL_SYNONYMS

LINES_PER_ENTRY = 10


def content(extra_alternate: tuple[str, str] | None = None) -> FaqContent:
    """The small test FAQ as content, entry i's phrasings on lines 10*i+1, 10*i+2, ..."""
    entries = []
    for index, (faq_id, phrasings) in enumerate(SMALL_FAQ):
        texts = list(phrasings)
        if extra_alternate and extra_alternate[0] == faq_id:
            texts.append(extra_alternate[1])
        first = LINES_PER_ENTRY * index + 1
        lines = tuple(range(first, first + len(texts)))
        entries.append(
            FaqEntry(faq_id, texts[0], tuple(texts[1:]), "answer", "general", phrasing_lines=lines)
        )
    synonyms = tuple(tuple(group) for group in SMALL_SYNONYMS)
    return FaqContent(tuple(entries), synonyms=synonyms, file="faq.yaml")


def test_distinct_entries_raise_no_problem() -> None:
    assert check_confusable_phrasings(content()) == []


def test_alternate_that_belongs_to_another_entry_is_reported_at_its_line() -> None:
    faq = content(("does_it_hurt", "how much does one session cost"))
    problems = check_confusable_phrasings(faq)
    # The misplaced alternate, and the cost question it now shadows.
    assert [(p.file, p.line) for p in problems] == [("faq.yaml", 14), ("faq.yaml", 31)]
    message = problems[0].message
    assert "alternate 'how much does one session cost' of 'does_it_hurt'" in message
    assert "too close to entry 'cost'" in message
    assert message.endswith("reword it or move it")


def test_alternate_an_out_of_scope_topic_would_take_over_is_reported() -> None:
    shop = OutOfScopeTopic("shop", ("how much does a foam roller cost", "do you sell braces"))
    faq = replace(
        content(("cost", "how much does a foam roller cost to buy")), out_of_scope=(shop,)
    )
    problems = check_confusable_phrasings(faq)
    assert [p.line for p in problems] == [34]  # the cost entry's fourth phrasing
    assert "too close to out-of-scope topic 'shop'" in problems[0].message
    assert problems[0].message.endswith("reword it, or narrow that topic's examples")


# Alternates put in the wrong entry of the shipped FAQ, and what the check must say of each
# (three are found only by leaving the alternate out; one is taken over by a topic). Any
# change that makes the check cheaper must still find exactly these.
MISPLACED = {
    "pregnancy": "how expensive is intramuscular stimulation treatment",
    "needle_fear": "is ims the same as acupunture",
    "session_length": "can I book a massage please",
    "shaving": "what to wear to my appointment",
    "does_it_hurt": "how much is one IMS sesion",
}
FOUND = [
    (
        "pregnancy",
        "alternate 'how expensive is intramuscular stimulation treatment' of "
        "'pregnancy' is too close to entry 'cost'",
    ),
    (
        "needle_fear",
        "alternate 'is ims the same as acupunture' of 'needle_fear' is too close "
        "to entry 'ims_vs_acupuncture'",
    ),
    (
        "session_length",
        "alternate 'can I book a massage please' of 'session_length' is too "
        "close to out-of-scope topic 'massage_chiropractic'",
    ),
    (
        "shaving",
        "alternate 'what to wear to my appointment' of 'shaving' is too close to entry "
        "'what_to_wear_prepare'",
    ),
]


def test_misplaced_alternates_in_the_shipped_faq_are_each_found_at_their_line(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT_DIR, folder)
    faq_file = folder / "faq.yaml"
    lines = faq_file.read_text(encoding="utf-8").splitlines()
    for entry_id, text in MISPLACED.items():
        start = lines.index(f"  - id: {entry_id}")
        at = lines.index("    alternates:", start)
        lines.insert(at + 1, f"      - {text}")
    faq_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    faq, _, problems = read_faq_bundle(folder)
    assert faq is not None and problems == []
    lines = faq_file.read_text(encoding="utf-8").splitlines()
    expected = [
        (lines.index(f"      - {MISPLACED[entry_id]}") + 1, message) for entry_id, message in FOUND
    ]
    found = [(p.line, p.message.split(" (scores")[0]) for p in check_confusable_phrasings(faq)]
    assert sorted(found) == sorted(expected)
