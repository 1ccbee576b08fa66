"""faq_fr.yaml, the FAQ's French version: read with the content toolkit, problems at
file:line, an entry without a French version only a note."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.clinic_content import read_content
from bot.content.faq_translation import read_faq_translation
from bot.content.model import FaqContent
from tests.content.conftest import line_of, single_problem

TODAY = date(2026, 12, 8)
REVIEWED = '    reviewed: {by: "Dr. Test, PT", on: 2026-12-01}\n'


def _entry(entry_id: str, question: str = "Est-ce que l'IMS fait mal?") -> str:
    return (
        f"  - id: {entry_id}\n"
        f"    question: {question}\n"
        "    alternates: [ça fait tu mal, est-ce douloureux, la puncture sèche fait-elle mal]\n"
        "    answer: La plupart des gens sentent à peine l'aiguille.\n" + REVIEWED
    )


@pytest.fixture(scope="module")
def english() -> FaqContent:
    content, problems = read_content(Path(__file__).resolve().parents[2] / "content")
    assert content is not None, problems
    return content.faq


def _read(tmp_path: Path, text: str, english: FaqContent) -> tuple[object, list[str], list[str]]:
    path = tmp_path / "faq_fr.yaml"
    path.write_text(text, encoding="utf-8")
    content, problems, notes = read_faq_translation(path, english, None, TODAY)
    return content, [str(p) for p in problems], [str(n) for n in notes]


def test_a_translated_entry_keeps_its_id_category_and_only_translated_follow_ups(
    tmp_path: Path, english: FaqContent
) -> None:
    text = "language: fr\ncategories:\n  Safety: Sécurité\nentries:\n" + _entry("does_it_hurt")
    content, problems, notes = _read(tmp_path, text, english)
    assert problems == []
    assert isinstance(content, FaqContent)
    [entry] = content.entries
    assert (entry.id, entry.category, entry.follow_ups) == ("does_it_hurt", "Sécurité", ())
    assert entry.reviewed is not None and entry.reviewed.by == "Dr. Test, PT"
    [note] = notes
    assert f"{len(english.entries) - 1} of {len(english.entries)} entries" in note
    assert "no French version" in note and "cost" in note


def test_an_unknown_id_is_reported_at_its_line_with_a_guess(
    tmp_path: Path, english: FaqContent
) -> None:
    text = "entries:\n" + _entry("does_it_hurts")
    _content, problems, _notes = _read(tmp_path, text, english)
    [problem] = problems
    assert problem.split(": ", 1)[0].endswith("faq_fr.yaml:2")
    assert "not an entry of faq.yaml" in problem and "did you mean 'does_it_hurt'" in problem


def test_a_missing_review_and_a_repeated_wording_are_reported_at_their_lines(
    tmp_path: Path, english: FaqContent
) -> None:
    unreviewed = _entry("cost", "Combien coûte l'IMS?").replace(REVIEWED, "")
    repeated = _entry("does_it_hurt", "ça fait tu mal")
    text = "entries:\n" + unreviewed + repeated
    _content, problems, _notes = _read(tmp_path, text, english)
    assert any(":2: " in p and "missing 'reviewed'" in p for p in problems), problems
    assert any("repeats line" in p for p in problems), problems


def test_a_misspelt_key_gets_a_did_you_mean(tmp_path: Path, english: FaqContent) -> None:
    text = "entries:\n" + _entry("cost").replace("    answer:", "    anwser:")
    _content, problems, _notes = _read(tmp_path, text, english)
    assert any("anwser" in p and "answer" in p for p in problems), problems


def test_the_shipped_translation_with_a_mistyped_id_is_refused_at_its_line(
    content_dir: Path, english: FaqContent
) -> None:
    french = content_dir / "faq_fr.yaml"
    text = french.read_text(encoding="utf-8").replace("- id: booking", "- id: bookng", 1)
    french.write_text(text, encoding="utf-8")
    content, problems, _notes = read_faq_translation(french, english, None, TODAY)
    assert content is None
    problem = single_problem(problems, "faq_fr.yaml")
    assert problem.line == line_of(text, "- id: bookng")
    assert "did you mean 'booking'" in problem.message


def test_content_check_notes_untranslated_entries_without_failing(
    content_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    french = content_dir / "faq_fr.yaml"
    text = french.read_text(encoding="utf-8")
    start = text.index("  - id: shaving")
    end = text.index("  - id: after_treatment")
    french.write_text(text[:start] + text[end:], encoding="utf-8")
    assert main(["content", "check", "--content", str(content_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("content OK:") and "66 French entries" in out
    assert "faq_fr.yaml:1: note: 1 of 67 entries have no French version yet" in out
    # The note names the entries without a French version (by id), wherever other notes
    # are printed; the French wordings' frozen statistics are noted as stale too
    # (tests/content/test_faq_statistics.py).
    lines = out.splitlines()
    [untranslated] = [line for line in lines if "have no French version yet" in line]
    assert untranslated.endswith("shaving")
    assert any("statistics are from an earlier faq_fr.yaml" in line for line in lines)


def test_french_out_of_scope_topics_are_read_like_faq_yamls(
    tmp_path: Path, english: FaqContent
) -> None:
    text = (
        "entries:\n"
        + _entry("does_it_hurt")
        + "out_of_scope:\n  - id: massage\n    examples:\n      - offrez-vous des massages\n"
        + "      - avez-vous une massothérapeute\n"
    )
    content, problems, _ = _read(tmp_path, text, english)
    assert problems == []
    assert isinstance(content, FaqContent)
    [topic] = content.out_of_scope
    assert topic.id == "massage" and topic.examples[0] == "offrez-vous des massages"


def test_an_entry_translated_twice_is_one_problem_not_one_per_wording(
    tmp_path: Path, english: FaqContent
) -> None:
    """A copied entry repeats every wording of the first: the cause is the id, once."""
    text = "entries:\n" + _entry("does_it_hurt") + _entry("does_it_hurt")
    _content, problems, _notes = _read(tmp_path, text, english)
    [problem] = problems
    assert "faq_fr.yaml:7: " in problem and "is translated twice (first at line 2)" in problem
