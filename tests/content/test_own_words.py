"""The FAQ is in our own words: no phrasing copies a real public question we measure with."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
REAL_QUESTION_FILES = sorted((REPO / "benchmarks" / "data").glob("real_questions_*.yaml"))
# Short questions ("How does IMS work?") are said the same way by everyone; a long one that
# matches word for word was copied.
WORDS_OF_A_COPY = 7


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def _faq_phrasings() -> dict[str, str]:
    faq = yaml.safe_load((REPO / "content" / "faq.yaml").read_text(encoding="utf-8"))
    phrasings: dict[str, str] = {}
    for entry in [*faq["entries"], *faq.get("out_of_scope", [])]:
        for text in [entry.get("question", ""), *entry.get("alternates", [])]:
            phrasings[_words(text)] = entry["id"]
    return phrasings


def test_the_real_question_files_are_there() -> None:
    assert len(REAL_QUESTION_FILES) >= 6


def _copies(phrasings: dict[str, str]) -> list[tuple[str, str, str]]:
    copied = []
    for path in REAL_QUESTION_FILES:
        for item in yaml.safe_load(path.read_text(encoding="utf-8")):
            words = _words(item["text"])
            if len(words.split()) >= WORDS_OF_A_COPY and words in phrasings:
                copied.append((path.name, item["text"], phrasings[words]))
    return copied


def test_no_faq_phrasing_copies_a_real_public_question() -> None:
    assert _copies(_faq_phrasings()) == []


def test_a_copied_question_is_found_whatever_its_case_and_punctuation() -> None:
    long_one = next(
        item["text"]
        for item in yaml.safe_load(REAL_QUESTION_FILES[0].read_text(encoding="utf-8"))
        if len(_words(item["text"]).split()) >= WORDS_OF_A_COPY
    )
    phrasings = _faq_phrasings()
    phrasings[_words(long_one.upper() + " !!")] = "cost"
    assert [text for _, text, _ in _copies(phrasings)] == [long_one]
