"""Whatever a clinic saves, the checkers report problems instead of crashing."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.clinic import read_clinic
from bot.content.faq_loader import read_faq
from bot.content.problems import ContentError
from bot.content.yaml_source import load_located_yaml

# Values a clinic might plausibly put anywhere in a YAML file.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.dates(),
)
yaml_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "question", "alternates", "answer", "entries", "hours", "on"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


def _write(text: str | bytes) -> Path:
    folder = Path(tempfile.mkdtemp())
    path = folder / "content.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=100))
def test_arbitrary_text_never_crashes_the_checkers(text: str | bytes) -> None:
    path = _write(text)
    faq, faq_problems = read_faq(path, None)
    clinic, clinic_problems = read_clinic(path)
    assert faq is None or not faq_problems
    assert clinic is None or not clinic_problems


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["entries", "synonyms", "matching"]), yaml_values))
def test_wrongly_shaped_faq_gives_problems_with_lines(data: dict[str, object]) -> None:
    path = _write(yaml.safe_dump(data))
    faq, problems = read_faq(path, None)
    assert faq is not None or problems
    assert all(problem.line >= 0 and problem.message for problem in problems)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["name", "phone", "locations", "prices", "late_cancellation_hours"]),
        yaml_values,
    )
)
def test_wrongly_shaped_clinic_gives_problems(data: dict[str, object]) -> None:
    path = _write(yaml.safe_dump(data))
    clinic, problems = read_clinic(path)
    assert clinic is None and problems


CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.mark.parametrize("name", sorted(p.name for p in CONTENT.glob("*.yaml")))
def test_an_unclosed_quote_is_reported_where_it_opened(tmp_path: Path, name: str) -> None:
    lines = (CONTENT / name).read_text(encoding="utf-8").splitlines(keepends=True)
    # a plain list item (or key: value) in the middle of the file loses its closing quote
    plain = re.compile(r"^\s*(?:- |[\w-]+: )(?=[^\s\"'\[{>|&*!#-])")
    index = next(i for i in range(len(lines) // 2, len(lines)) if plain.match(lines[i]))
    start = plain.match(lines[index]).end()  # type: ignore[union-attr]
    lines[index] = lines[index][:start] + '"' + lines[index][start:]
    broken = tmp_path / name
    broken.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_located_yaml(broken)
    [problem] = raised.value.problems
    assert problem.line == index + 1, problem.message
    assert f"a quote opened at line {index + 1} is not closed" in problem.message


def test_an_unclosed_bracket_is_reported_where_it_opened(tmp_path: Path) -> None:
    broken = tmp_path / "x.yaml"
    broken.write_text("a: 1\nb: [one, two\nc: 3\nd: 4\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_located_yaml(broken)
    [problem] = raised.value.problems
    assert problem.line == 2 and "a bracket '[' opened at line 2 is not closed" in problem.message


def test_a_tab_in_the_indentation_is_named_with_its_line(tmp_path: Path) -> None:
    broken = tmp_path / "x.yaml"
    broken.write_text("a:\n  b: 1\n  c:\n\t  - x\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_located_yaml(broken)
    [problem] = raised.value.problems
    assert problem.line == 4 and "tab at line 4" in problem.message
    assert "use spaces" in problem.message


def test_a_file_saved_in_windows_1252_names_the_line_and_the_character(tmp_path: Path) -> None:
    """Notepad's or Excel's 'ANSI' writes 'é' as one byte that is not UTF-8: the problem
    is at that line, names the character, and says how to save the file."""
    broken = tmp_path / "clinic.yaml"
    broken.write_bytes("name: Clinique\nphone: 1\naddress: 1 rue Sainte-Thérèse\n".encode("cp1252"))
    with pytest.raises(ContentError) as raised:
        load_located_yaml(broken)
    [problem] = raised.value.problems
    assert problem.line == 3, problem
    assert "byte 0xE9 (perhaps 'é') is not UTF-8 text" in problem.message
    assert "save it as UTF-8" in problem.message


@pytest.mark.parametrize(
    ("space", "name"),
    [("\u00a0", "non-breaking space"), ("\u3000", "wide space"), ("\u200b", "zero-width space")],
)
def test_an_odd_space_in_the_indentation_is_named_with_its_line(
    tmp_path: Path, space: str, name: str
) -> None:
    """Text pasted from a web page or a word processor can indent with a space YAML does
    not read as one; it then reports only a missing key a line further down."""
    broken = tmp_path / "faq.yaml"
    broken.write_text(
        "entries:\n  - id: a\n    question: q\n" + space + "   follow_ups: [b]\n  - id: b\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as raised:
        load_located_yaml(broken)
    [problem] = raised.value.problems
    assert problem.line == 4, problem
    assert f"a {name} (U+{ord(space):04X}) at line 4 in the indentation" in problem.message
    assert "retype the indentation with plain spaces" in problem.message


def test_a_byte_order_mark_is_not_taken_for_an_odd_space(tmp_path: Path) -> None:
    broken = tmp_path / "faq.yaml"
    broken.write_text("\ufeffentries:\n  - id: a\n   b: [c\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_located_yaml(broken)
    assert "space" not in raised.value.problems[0].message


def test_curly_quotes_that_break_the_yaml_are_named(tmp_path: Path) -> None:
    """A phone keyboard or a word processor types “ ” for ": YAML reads them as letters."""
    broken = tmp_path / "intake_flow.yaml"
    broken.write_text("steps:\n  - id: a\n    text: \u201cYes: I agree\u201d\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_located_yaml(broken)
    [problem] = raised.value.problems
    assert problem.line == 3, problem
    assert "curly quotes (\u201c \u201d) are not quotes to YAML" in problem.message
    assert 'type straight quotes (")' in problem.message


def test_a_text_in_curly_quotes_cut_at_a_comma_says_so() -> None:
    from bot.content.schema import ProblemLog

    mapping = yaml.load(
        "reviewed: {by: \u201cDr. R. Sample, PT\u201d, on: 2026-11-20}\n",
        Loader=__import__("bot.content.yaml_source", fromlist=["x"])._LocatingLoader,
    )["reviewed"]
    log = ProblemLog("faq.yaml")
    log.unknown_keys(mapping, ("by", "on"), "'reviewed'")
    [problem] = log.problems
    assert problem.message.startswith("unknown key 'PT\u201d' in 'reviewed'"), problem
    assert "curly quotes (\u201c \u201d) are not quotes to YAML" in problem.message


@pytest.mark.parametrize(
    "data",
    [
        "name: Clinique\nphone: 1\n".encode("utf-16"),  # Notepad's "Unicode", with its mark
        b"\xfe\xff" + "name: Clinique\n".encode("utf-16-be"),
        "name: Clinique\nphone: 1\n".encode("utf-16-le"),  # no mark: a zero byte per letter
    ],
    ids=["utf-16", "utf-16-be", "utf-16-le-without-mark"],
)
def test_a_file_saved_as_utf16_is_named_as_such(tmp_path: Path, data: bytes) -> None:
    """Saved as UTF-16, a file is not 'a byte that is not UTF-8' at some line: the
    clinic is told which encoding it was saved in and which to choose."""
    broken = tmp_path / "clinic.yaml"
    broken.write_bytes(data)
    with pytest.raises(ContentError) as raised:
        load_located_yaml(broken)
    [problem] = raised.value.problems
    assert problem.line == 1, problem
    assert problem.message.startswith("the file was saved as UTF-16"), problem
    assert "save it as UTF-8" in problem.message


def test_a_hash_inside_unquoted_text_is_not_taken_for_a_comment(tmp_path: Path) -> None:
    """'Suite #4' unquoted: YAML keeps 'Suite' and drops the rest as a comment, so the
    address patients read would lose its unit and town without a word."""
    broken = tmp_path / "clinic.yaml"
    broken.write_text(
        "name: Clinic  # a real comment stays one\n"
        "locations:\n  - id: a\n    address: 200 Sample Street, Suite #4, Ottawa ON\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as raised:
        load_located_yaml(broken)
    [problem] = raised.value.problems
    assert problem.line == 4, problem
    assert "'200 Sample Street, Suite' stops before '#4, Ottawa ON'" in problem.message
    assert 'put the whole text in quotes ("200 Sample Street, Suite #4, Ottawa ON")' in (
        problem.message
    )


def test_quoted_text_and_spaced_comments_keep_their_hash(tmp_path: Path) -> None:
    fine = tmp_path / "clinic.yaml"
    fine.write_text(
        'address: "Suite #4"\nnote: closed  # statutory holidays\nbus: [ "#2 bus" ]\n',
        encoding="utf-8",
    )
    assert load_located_yaml(fine) == {"address": "Suite #4", "note": "closed", "bus": ["#2 bus"]}


@pytest.mark.parametrize("word", ["no", "Yes", "off"])
def test_an_unquoted_yes_or_no_in_a_list_of_texts_is_named(tmp_path: Path, word: str) -> None:
    """`aliases: [first time, no]`: YAML reads the bare word as false, so a patient typing
    'no' would not pick the option; the clinic is told to quote it."""
    broken = tmp_path / "intake_flow.yaml"
    broken.write_text(
        f"steps:\n  - id: a\n    options:\n      - {{id: b, aliases: [first time, {word}]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as raised:
        load_located_yaml(broken)
    [problem] = raised.value.problems
    assert problem.line == 4, problem
    assert f"'{word}' without quotes is read by YAML as true/false" in problem.message
    assert f'put it in quotes ("{word}")' in problem.message


def test_a_yes_or_no_field_still_reads_as_true_or_false(tmp_path: Path) -> None:
    fine = tmp_path / "appointment_types.yaml"
    fine.write_text("a: {next_day_check_in: yes, paired: false}\nb: ['no']\n", encoding="utf-8")
    assert load_located_yaml(fine) == {
        "a": {"next_day_check_in": True, "paired": False},
        "b": ["no"],
    }


@pytest.mark.parametrize("text", ["", "# to be written\n"], ids=["empty", "comments-only"])
def test_an_empty_clinic_file_is_called_empty(tmp_path: Path, text: str) -> None:
    path = _write(text)
    clinic, problems = read_clinic(path)
    assert clinic is None
    assert [(p.line, p.message) for p in problems] == [
        (1, "clinic.yaml is empty: it must hold 'key: value' lines")
    ]


def test_a_colon_inside_unquoted_text_says_to_quote_the_text(tmp_path: Path) -> None:
    """French puts a space before ':', so an unquoted French answer often holds ': ', which
    YAML takes for a second key on the line."""
    broken = tmp_path / "faq_fr.yaml"
    broken.write_text(
        "entries:\n  - id: a\n    answer: Oui : l'IMS convient souvent.\n", encoding="utf-8"
    )
    with pytest.raises(ContentError) as raised:
        load_located_yaml(broken)
    [problem] = raised.value.problems
    assert problem.line == 3, problem
    assert "a colon and a space inside unquoted text start a new 'key: value'" in problem.message
    assert problem.message.endswith(
        'put the whole text in quotes, answer: "Oui : l\'IMS convient souvent.")'
    ), problem


def test_a_key_without_its_colon_is_named(tmp_path: Path) -> None:
    broken = tmp_path / "clinic.yaml"
    broken.write_text("name: Clinic\nemail hello@example.org\nphone: 1\n", encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load_located_yaml(broken)
    [problem] = raised.value.problems
    assert problem.line == 2, problem
    assert problem.message == (
        "YAML syntax: could not find expected ':' (line 2 has no ':' after its key: write it "
        "as 'key: value')"
    )
