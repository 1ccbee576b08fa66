"""Every problem kind in faq.yaml is reported with the right file and line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.clinic_content import read_faq_bundle
from bot.content.clinic import load_clinic
from bot.content.faq_loader import MAX_ANSWER_CHARS, load_faq, read_faq
from bot.content.problems import ContentError, Problem
from bot.faq.confusion import check_phrasings_screened_as_emergency
from bot.safety.emergency_content import read_emergency_files
from tests.content.conftest import line_of, single_problem

TODAY = date(2026, 11, 21)
CLINIC_YAML = Path(__file__).resolve().parents[2] / "content" / "clinic.yaml"


def entry(
    entry_id: str,
    *,
    question: str | None = None,
    alternates: tuple[str, ...] | None = None,
    answer: str = "A plain answer.",
    extra: str = "",
    reviewed: str = "{by: Dr. Test, on: 2026-01-05}",
) -> str:
    """One FAQ entry as YAML text (phrasings are unique per id unless given)."""
    question = question or f"question about {entry_id}"
    alternates = alternates or tuple(f"way {n} to ask about {entry_id}" for n in (1, 2, 3))
    lines = [f"  - id: {entry_id}", f"    question: {question}", "    alternates:"]
    lines += [f"      - {text}" for text in alternates]
    lines += [f"    answer: {answer}", "    category: General"]
    if reviewed:
        lines.append(f"    reviewed: {reviewed}")
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


def faq_text(*entries: str, head: str = "") -> str:
    """A whole faq.yaml with optional top-level sections before the entries."""
    return head + "entries:\n" + "".join(entries)


def problems_in(tmp_path: Path, text: str) -> list[Problem]:
    """Problems the loader reports for `text` as faq.yaml (with the sample clinic)."""
    path = tmp_path / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    content, problems = read_faq(path, load_clinic(CLINIC_YAML), today=TODAY)
    assert (content is None) == bool(problems)
    return problems


def only_problem(tmp_path: Path, text: str) -> Problem:
    """The single problem reported for `text`."""
    return single_problem(problems_in(tmp_path, text), "faq.yaml")


def test_valid_minimal_faq_loads(tmp_path: Path) -> None:
    text = faq_text(entry("alpha"), entry("beta", extra="    follow_ups: [alpha]"))
    path = tmp_path / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    content = load_faq(path, load_clinic(CLINIC_YAML))
    assert [e.id for e in content.entries] == ["alpha", "beta"]
    beta = content.get("beta")
    assert beta is not None and beta.follow_ups == ("alpha",)
    assert beta.reviewed is not None and beta.reviewed.on == date(2026, 1, 5)
    assert beta.phrasings[0] == "question about beta"
    assert beta.phrasing_lines[0] == line_of(text, "question about beta")
    assert beta.line == line_of(text, "id: beta")


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    text = faq_text(entry("alpha")) + "  - id: [unclosed\n"
    problem = only_problem(tmp_path, text)
    assert "YAML syntax" in problem.message
    assert problem.line >= line_of(text, "[unclosed")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- just a list\n", "must be a mapping"),
        ("", "is empty: it must hold 'key: value' lines"),
        ("synonyms: []\n", "missing 'entries'"),
        ("entries: some text\n", "must be a list"),
        ("entries: []\n", "'entries' is empty"),
    ],
)
def test_wrong_top_level_shape(tmp_path: Path, text: str, expected: str) -> None:
    problem = only_problem(tmp_path, text)
    assert expected in problem.message
    assert problem.line == 1


def test_unknown_top_level_key_suggests_the_right_one(tmp_path: Path) -> None:
    text = "synonym:\n  - [a, b]\n" + faq_text(entry("alpha"))
    problem = only_problem(tmp_path, text)
    assert problem.line == 1
    assert "did you mean 'synonyms'" in problem.message


def test_unknown_entry_key_suggests_the_right_one(tmp_path: Path) -> None:
    text = faq_text(entry("alpha", extra="    alternate: [x]"))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "alternate: [x]")
    assert "unknown key 'alternate'" in problem.message
    assert "did you mean 'alternates'?" in problem.message


def test_missing_question_is_reported_at_the_entry(tmp_path: Path) -> None:
    text = faq_text(entry("alpha").replace("    question: question about alpha\n", ""))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "id: alpha")
    assert "missing 'question'" in problem.message


def test_empty_answer(tmp_path: Path) -> None:
    text = faq_text(entry("alpha", answer='""'))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "answer:")
    assert "'answer'" in problem.message and "empty" in problem.message


def test_wrong_type_for_alternates(tmp_path: Path) -> None:
    text = faq_text(entry("alpha")).replace(
        "    alternates:\n      - way 1 to ask about alpha\n      - way 2 to ask about alpha\n"
        "      - way 3 to ask about alpha\n",
        "    alternates: just one string\n",
    )
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "alternates:")
    assert "must be a list" in problem.message


def test_an_unquoted_colon_in_an_alternate_says_to_quote_it(tmp_path: Path) -> None:
    ways = ("is IMS painful: really", "does it hurt", "will it be sore", "how much pain")
    text = faq_text(entry("pain", alternates=ways))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "- is IMS painful: really")
    assert "'is IMS painful: really'" in problem.message
    assert 'put the text in quotes: - "is IMS painful: really"' in problem.message
    quoted = faq_text(entry("pain", alternates=('"is IMS painful: really"', *ways[1:])))
    assert problems_in(tmp_path, quoted) == []


@pytest.mark.parametrize("bad_id", ["Alpha", "9lives", "has-dash", "a", "x" * 45])
def test_bad_id(tmp_path: Path, bad_id: str) -> None:
    text = faq_text(entry(bad_id))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, f"id: {bad_id}")
    assert "lower-case" in problem.message


def test_duplicate_id_points_at_the_first(tmp_path: Path) -> None:
    second = entry("alpha", question="another question", alternates=("p one", "p two", "p thr"))
    text = faq_text(entry("alpha"), second)
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "id: alpha", occurrence=2)
    assert f"first used at line {line_of(text, 'id: alpha')}" in problem.message


def test_a_copied_entry_is_reported_first_as_a_duplicate_not_as_missing_follow_ups(
    tmp_path: Path,
) -> None:
    # The third entry was copied from the second and kept its id, so the follow-up to the
    # id it should have had (above it in the file) dangles: the duplicate is the cause.
    first = entry("alpha", extra="    follow_ups:\n      - gamma")
    copied = entry("beta", question="question about gamma", alternates=("g 1", "g 2", "g 3"))
    text = faq_text(first, entry("beta"), copied)
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "id: beta", occurrence=2)
    assert problem.message.startswith("duplicate id 'beta'")
    assert "follow-ups name 'gamma', which no entry has" in problem.message


def test_fewer_than_three_alternates(tmp_path: Path) -> None:
    text = faq_text(entry("alpha", alternates=("only one", "only two")))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "alternates:")
    assert "at least 3" in problem.message


def test_duplicate_phrasing_within_an_entry(tmp_path: Path) -> None:
    text = faq_text(entry("alpha", alternates=("Does it hurt?", "one more", "does it HURT")))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "does it HURT")
    assert f"repeats line {line_of(text, 'Does it hurt?')} (this entry)" in problem.message


def test_duplicate_phrasing_across_entries(tmp_path: Path) -> None:
    beta = entry("beta", alternates=("b one", "b two", "question about alpha"))
    text = faq_text(entry("alpha"), beta)
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "question about alpha", occurrence=2)
    assert "entry 'alpha'" in problem.message


def test_dangling_follow_up_suggests_a_close_id(tmp_path: Path) -> None:
    text = faq_text(entry("alpha"), entry("beta", extra="    follow_ups:\n      - alpah"))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "- alpah")
    assert "'alpah'" in problem.message and "did you mean 'alpha'" in problem.message


def test_follow_ups_joined_by_a_missing_dash_say_so(tmp_path: Path) -> None:
    """Without the '- ' of its second line, a list item runs on into the next line: the
    problem says two ids are on one line, not 'did you mean' one of them."""
    text = faq_text(
        entry("alpha"),
        entry("gamma"),
        entry("beta", extra="    follow_ups:\n      - alpha\n        gamma"),
    )
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "- alpha")
    assert problem.message == (
        "follow-up 'alpha gamma' of entry 'beta' is not an entry id — it holds 2 ids on one "
        "line: give each its own '- ' line, or write them as [a, b]"
    )


def test_follow_up_to_itself(tmp_path: Path) -> None:
    text = faq_text(entry("alpha", extra="    follow_ups:\n      - alpha"))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "      - alpha")
    assert "itself" in problem.message


def test_missing_review(tmp_path: Path) -> None:
    text = faq_text(entry("alpha", reviewed=""))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "id: alpha")
    assert "missing 'reviewed'" in problem.message


@pytest.mark.parametrize(
    ("reviewed", "expected"),
    [
        ("{by: Dr. Test, on: 20/11/2026}", "must be a date"),
        ("{by: Dr. Test, on: 2027-01-01}", "in the future"),
        ("{by: Dr. Test}", "missing 'on'"),
        ("{on: 2026-01-01}", "missing 'by'"),
        ("yes", "must be a mapping"),
    ],
)
def test_bad_review(tmp_path: Path, reviewed: str, expected: str) -> None:
    text = faq_text(entry("alpha", reviewed=reviewed))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "reviewed:")
    assert expected in problem.message


def test_review_in_block_form(tmp_path: Path) -> None:
    text = faq_text(entry("alpha", reviewed="\n      by: Dr. Test\n      on: 2026-02-03"))
    assert problems_in(tmp_path, text) == []


def test_answer_too_long_for_one_message(tmp_path: Path) -> None:
    text = faq_text(entry("alpha", answer="word " * (MAX_ANSWER_CHARS // 4)))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "answer:")
    assert str(MAX_ANSWER_CHARS) in problem.message


def test_placeholders_count_towards_the_length(tmp_path: Path) -> None:
    # Short as written, long once every location's block is filled in.
    text = faq_text(entry("alpha", answer="'" + "{clinic.locations} " * 8 + "'"))
    problem = only_problem(tmp_path, text)
    assert "filled in" in problem.message


def test_unknown_placeholder_suggests_the_known_one(tmp_path: Path) -> None:
    text = faq_text(entry("alpha", answer="'Call {clinic.phon} today.'"))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "answer:")
    assert "{clinic.phon}" in problem.message and "clinic.phone" in problem.message


FOLDED_ANSWER = (
    ">-\n      Most visits start with an assessment of where it hurts\n"
    "      and how it moves. {slip} Then the practitioner\n"
    "      explains the plan with {clinic.name} prices."
)


@pytest.mark.parametrize(
    ("slip", "said"),
    [("Ask {name} at the desk.", "unknown placeholder {name}"), ("Bring a } form.", "stray '}'")],
)
def test_a_placeholder_slip_in_a_folded_answer_is_reported_on_its_own_line(
    tmp_path: Path, slip: str, said: str
) -> None:
    """A clinic opens the file at the line the check names: inside an answer written over
    several lines, that is the line with the slip, not the `answer:` key above it."""
    text = faq_text(entry("alpha", answer=FOLDED_ANSWER.replace("{slip}", slip)))
    problem = only_problem(tmp_path, text)
    assert said in problem.message
    assert problem.line == line_of(text, slip) != line_of(text, "answer:")


@pytest.mark.parametrize("answer", ["'Call {clinic.phone today.'", "'Call us } now.'"])
def test_stray_brace(tmp_path: Path, answer: str) -> None:
    text = faq_text(entry("alpha", answer=answer))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "answer:")
    assert "stray" in problem.message


@pytest.mark.parametrize("answer", ["'<b>Bold</b> claim.'", "'A **bold** claim.'"])
def test_markup_in_answers(tmp_path: Path, answer: str) -> None:
    problem = only_problem(tmp_path, faq_text(entry("alpha", answer=answer)))
    assert "plain text" in problem.message


def test_thresholds_outside_zero_to_one(tmp_path: Path) -> None:
    head = "matching:\n  answer: 1.5\n  suggest: 0.4\n  margn: 0.1\n"
    text = faq_text(entry("alpha"), head=head)
    problems = problems_in(tmp_path, text)
    messages = {p.line: p.message for p in problems}
    assert "between 0 and 1" in messages[line_of(text, "answer: 1.5")]
    assert "did you mean 'margin'" in messages[line_of(text, "margn")]
    assert len(problems) == 2


def test_suggest_above_answer(tmp_path: Path) -> None:
    text = faq_text(entry("alpha"), head="matching:\n  answer: 0.5\n  suggest: 0.7\n")
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "suggest: 0.7")


def test_thresholds_are_loaded(tmp_path: Path) -> None:
    head = "matching:\n  answer: 0.8\n  suggest: 0.5\n  margin: 0.05\n"
    path = tmp_path / "faq.yaml"
    path.write_text(faq_text(entry("alpha"), head=head), encoding="utf-8")
    content = load_faq(path, load_clinic(CLINIC_YAML))
    assert (content.answer_threshold, content.suggest_threshold, content.margin) == (
        0.8,
        0.5,
        0.05,
    )


def test_synonym_term_in_two_groups(tmp_path: Path) -> None:
    head = "synonyms:\n  - [physio, physiotherapist]\n  - [pt, Physio]\n"
    text = faq_text(entry("alpha"), head=head)
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "[pt, Physio]")
    assert f"group at line {line_of(text, '[physio, physiotherapist]')}" in problem.message


def test_synonym_group_needs_two_terms(tmp_path: Path) -> None:
    text = faq_text(entry("alpha"), head="synonyms:\n  - [lonely]\n")
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "[lonely]")


def test_synonyms_are_loaded_lower_case(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(faq_text(entry("alpha"), head="synonyms:\n  - [IMS, Gunn  IMS]\n"))
    content = load_faq(path, load_clinic(CLINIC_YAML))
    assert content.synonyms == (("ims", "gunn ims"),)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = faq_text(
        entry("Bad-Id"),
        entry("beta", alternates=("one",), extra="    follow_ups: [nowhere]"),
        entry("gamma", answer="'{clinic.nope}'", reviewed=""),
    )
    problems = problems_in(tmp_path, text)
    assert len(problems) == 5
    assert problems == sorted(problems)


def test_load_faq_raises_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_text(faq_text(entry("alpha", alternates=("one",)), entry("A")), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_faq(path, load_clinic(CLINIC_YAML))
    assert len(raised.value.problems) == 2
    assert all(":" in str(problem) for problem in raised.value.problems)


def test_missing_file(tmp_path: Path) -> None:
    content, problems = read_faq(tmp_path / "faq.yaml", None)
    assert content is None
    assert "file not found" in problems[0].message


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "faq.yaml"
    path.write_bytes(b"entries:\n  - id: \xff\xfe\n")
    content, problems = read_faq(path, None)
    assert content is None and "UTF-8" in problems[0].message


def topics(*blocks: str) -> str:
    """An `out_of_scope:` section from topic blocks."""
    return "out_of_scope:\n" + "".join(blocks)


def topic(topic_id: str, *examples: str) -> str:
    """One out-of-scope topic as YAML text."""
    lines = [f"  - id: {topic_id}", "    examples:"] + [f"      - {e}" for e in examples]
    return "\n".join(lines) + "\n"


def test_out_of_scope_topics_are_loaded(tmp_path: Path) -> None:
    text = faq_text(entry("cost")) + topics(
        topic("massage", "do you offer massage", "can I book a massage")
    )
    path = tmp_path / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    faq = load_faq(path, load_clinic(CLINIC_YAML))
    [loaded] = faq.out_of_scope
    assert loaded.id == "massage"
    assert loaded.examples == ("do you offer massage", "can I book a massage")
    assert loaded.example_lines == (line_of(text, "offer massage"), line_of(text, "book a"))


def test_out_of_scope_example_that_an_entry_answers_is_reported(tmp_path: Path) -> None:
    text = faq_text(entry("cost", question="How much does it cost?")) + topics(
        topic("shop", "do you sell braces", "how much does it cost", "gift cards")
    )
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "- how much does it cost")
    assert "repeats line" in problem.message and "'cost'" in problem.message
    assert "either answered or out of scope" in problem.message


def test_out_of_scope_id_must_differ_from_entry_ids(tmp_path: Path) -> None:
    text = faq_text(entry("cost")) + topics(topic("cost", "do you sell braces", "gift cards"))
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "- id: cost", 2)
    assert "duplicate id 'cost'" in problem.message


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ("  - id: shop\n    examples:\n      - only one\n", "has 1 example; write at least 2"),
        ("  - id: shop\n", "missing 'examples'"),
        ("  - id: shop\n    examples: sell braces\n", "must be a list"),
        ("  - id: Shop!\n    examples: [a b, c d]\n", "must be 2–41 lower-case"),
        ("  - id: shop\n    exmples: [a b, c d]\n    examples: [e f, g h]\n", "'examples'?"),
        ("  - id: shop\n    examples: [a b, '']\n", "must be non-empty text"),
    ],
)
def test_bad_out_of_scope_topic(tmp_path: Path, block: str, expected: str) -> None:
    problems = problems_in(tmp_path, faq_text(entry("cost")) + topics(block))
    assert problems, "a broken topic must be reported"
    assert any(expected in p.message for p in problems), [str(p) for p in problems]
    assert all(p.line > 1 for p in problems)


def check_faq_emergency_overlap(content_dir: Path) -> list[Problem]:
    """The FAQ phrasings the emergency screen would catch: the part of the full check
    (`read_content(..., quality=True)`) this test needs, without the slow confusable check
    or the screen's own examples (their check has tests of its own)."""
    faq, _clinic, problems = read_faq_bundle(content_dir)
    emergency, emergency_problems = read_emergency_files(content_dir)
    assert faq is not None and emergency is not None, problems + emergency_problems
    return check_phrasings_screened_as_emergency(faq, emergency.detector())


def test_alternate_the_emergency_screen_catches_is_reported(content_dir: Path) -> None:
    """The screen runs first, so such an alternate could never reach its own answer."""
    faq_file = content_dir / "faq.yaml"
    text = faq_file.read_text(encoding="utf-8")
    anchor = "      - what are your prices\n"
    added = "      - my husband just collapsed on the floor, how much is a session\n"
    faq_file.write_text(text.replace(anchor, anchor + added, 1), encoding="utf-8")
    problem = single_problem(check_faq_emergency_overlap(content_dir), "faq.yaml")
    assert problem.line == line_of(faq_file.read_text(encoding="utf-8"), "husband just collapsed")
    assert "of 'cost' gets the emergency reply (rule 'someone_collapsed')" in problem.message
    assert problem.message.endswith("remove it if it describes an emergency")


def test_conditions_naming_an_entry_that_does_not_exist(tmp_path: Path) -> None:
    head = "conditions:\n  entry: alpah\n  names: [sciatica]\n"
    text = faq_text(entry("alpha"), head=head)
    problem = only_problem(tmp_path, text)
    assert problem.line == line_of(text, "entry: alpah")
    assert "did you mean 'alpha'" in problem.message


def test_conditions_without_names(tmp_path: Path) -> None:
    text = faq_text(entry("alpha"), head="conditions:\n  entry: alpha\n  names: []\n")
    assert "no names" in only_problem(tmp_path, text).message
