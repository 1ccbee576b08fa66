"""The clinic's word patterns (bot/safety/readings.py): the notation, the content schema's
file:line problems, and what the screen does with each kind."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from bot.content.problems import Problem
from bot.safety import check_emergency_content, load_emergency_content
from bot.safety.emergency_content import EMERGENCY_FILE
from bot.safety.readings import PatternError, PatternSet, WordLists, compile_pattern

LISTS = WordLists({"money": {"en": ("bill", "fees"), "fr": ("facture",)}, "not": {"en": ("not",)}})


def found(pattern: str, text: str) -> bool:
    return PatternSet((pattern,), (compile_pattern(pattern, LISTS),)).found(f" {text} ")


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("choking on ...3 {money}", "choking on all these fees", True),
        ("choking on ...3 {money}", "choking on my facture", True),  # any language's words
        ("choking on ...1 {money}", "choking on all these fees", False),  # too many words
        ("(heart attack|stroke) lol?", "a stroke", True),
        ("sweat*", "sweating a lot", True),
        ("sweat*", "sweet tea", False),
        ("!{not} numb", "my hand is numb", True),
        ("!{not} numb", "it is not numb", False),
        ("!(can i|should i) still", "can i still come", False),
        ("worst headache => is ...2 {money}", "the worst headache is the bill", True),
        ("worst headache => is ...2 {money}", "the worst headache ever", False),
        ("c'est musculaire", "c est musculaire", True),  # written as typed, read normalised
    ],
)
def test_the_pattern_notation(pattern: str, text: str, expected: bool) -> None:
    assert found(pattern, text) is expected


def test_lookahead_words_are_not_set_aside() -> None:
    pattern = "worst headache => is ...2 {money}"
    patterns = PatternSet((pattern,), (compile_pattern(pattern, LISTS),))
    assert patterns.removed(" the worst headache is the bill ") == " the is the bill "


@pytest.mark.parametrize(
    ("pattern", "complaint"),
    [
        ("choking on {cash}", "no word list 'cash'"),
        ("(choking", "'(' without its ')'"),
        ("choking )", "unexpected ')'"),
        ("? choking", "has nothing before it"),
        ("choking ...20 bill", "allow 1 to 9 free words"),
        ("!(sweat*) numb", "plain words only"),
        ("(heart|) attack", "an empty alternative"),
        ("(few|\\d+) weeks", "write #+ for a number"),
    ],
)
def test_a_bad_pattern_says_what_to_fix(pattern: str, complaint: str) -> None:
    with pytest.raises(PatternError, match=re.escape(complaint)):
        compile_pattern(pattern, LISTS)


FILE = """\
reviewed:
  by: Test Reviewer
  on: 2026-01-02
message: Call 911 now.
context:
  word_lists:
    money:
      en: [bill, fees]
      fr: [facture]
    feelings:
      xx: [oops]
  figures_of_speech:
    - name: money idioms
      patterns:
        - "choking on ...3 {money}"
        - "choking on {cash}"
  calm_readings:
    - name: numb on the bike
      rules: [cauda_equina_saddle, no_such_rule]
      all_of:
        - ["numb* ...5 (bike|saddle)"]
        - ["comes back"]
      none_of: ["(pee|bladder)"]
rules:
  - id: choking
    description: Choking.
    phrases: [choking]
    examples: [he is choking]
    not_examples: [choking on all these fees]
  - id: cauda_equina_saddle
    description: Saddle numbness.
    phrases: [numb down there]
    examples: [numb down there]
"""


def lines_and_messages(problems: list[Problem]) -> list[tuple[int, str]]:
    return [(problem.line, problem.message) for problem in problems]


def test_grammar_problems_are_reported_at_their_lines(tmp_path: Path) -> None:
    (tmp_path / EMERGENCY_FILE).write_text(textwrap.dedent(FILE), encoding="utf-8")
    found = lines_and_messages(check_emergency_content(tmp_path))
    assert any(line == 11 and "unknown key 'xx'" in msg for line, msg in found)
    assert any(line == 16 and "no word list 'cash'" in msg for line, msg in found)
    assert any(line == 18 and "names no rule 'no_such_rule'" in msg for line, msg in found)
    # The figure of speech that reads works: its not-example passes the check.
    assert not any("choking on all these fees" in msg for _, msg in found)


def test_a_calm_reading_spares_its_rules_only_while_no_alarm_is_told(tmp_path: Path) -> None:
    text = FILE.replace("      xx: [oops]\n", "      en: [sad]\n").replace(
        '        - "choking on {cash}"\n', ""
    )
    (tmp_path / EMERGENCY_FILE).write_text(
        textwrap.dedent(text).replace(", no_such_rule", ""), encoding="utf-8"
    )
    detector = load_emergency_content(tmp_path).detector()
    assert detector.detect("numb down there on the bike saddle, comes back when I stand") is None
    hit = detector.detect("numb down there on the bike, comes back but now I can't pee, bladder")
    assert hit is not None and hit.rule_id == "cauda_equina_saddle"
    assert detector.detect("choking on all these fees") is None
    assert detector.detect("he is choking on a grape") is not None


def test_the_shipped_grammar_is_in_the_safety_report() -> None:
    from io import StringIO

    from bot.cli.safety import write_report

    content = load_emergency_content(Path(__file__).resolve().parents[2] / "content")
    out = StringIO()
    write_report(content, out)
    report = out.getvalue()
    assert "Figure of speech, set aside" in report and "{idiom_objects}" in report
    assert "Calm reading" in report and "cauda_equina_saddle" in report
    assert "{idiom_objects} [fr]" in report


def test_a_figure_is_not_read_when_one_of_its_unless_patterns_is_found(tmp_path: Path) -> None:
    text = (
        FILE.replace("      xx: [oops]\n", "      en: [sad]\n")
        .replace('        - "choking on {cash}"\n', '      unless: ["right now"]\n')
        .replace(", no_such_rule", "")
    )
    (tmp_path / EMERGENCY_FILE).write_text(textwrap.dedent(text), encoding="utf-8")
    assert check_emergency_content(tmp_path) == []
    detector = load_emergency_content(tmp_path).detector()
    assert detector.detect("choking on all these fees") is None
    assert detector.detect("choking on all these fees right now") is not None
