"""One content schema: every file kind reports its mistakes as file:line with the cause
first, and a field the files share (`reviewed:`) follows one rule in all of them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.clinic_content import check_content, load_content, read_content
from bot.content.problems import ContentError, Problem
from tests.content.conftest import line_of

# Each file whose content a clinician signs off, and the text of its first review date.
REVIEWED_FILES = (
    "faq.yaml",
    "emergency.yaml",
    "urgent.yaml",
    "safety_languages.yaml",
    "intake_flow.yaml",
)
REVIEW_DATE = re.compile(r"(\bon: *)(\d{4}-\d{2}-\d{2})")


def edit(path: Path, old: str, new: str) -> str:
    """Replace the first `old` in the file with `new`; the new text."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def first_review_date_line(path: Path) -> tuple[int, str]:
    """The line of the file's first review date (`on:` in or under `reviewed:`), and it."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        found = REVIEW_DATE.search(line)
        if found and any("reviewed" in above for above in lines[max(0, number - 3) : number]):
            return number, found.group(2)
    raise AssertionError(f"no review date in {path}")


def problems_in(content_dir: Path, file_name: str) -> list[Problem]:
    found = check_content(content_dir, quality=False)
    return [p for p in found if p.file.endswith(file_name)]


def with_review_date(content_dir: Path, file_name: str, written: str) -> tuple[int, list[Problem]]:
    """Write `written` as the file's first review date: that line, and the file's problems."""
    path = content_dir / file_name
    line, old = first_review_date_line(path)
    edit(path, f"on: {old}", f"on: {written}")
    return line, problems_in(content_dir, file_name)


@pytest.mark.parametrize("file_name", REVIEWED_FILES)
def test_a_future_review_date_is_refused_in_every_file(content_dir: Path, file_name: str) -> None:
    future = (date.today() + timedelta(days=30)).isoformat()
    line, problems = with_review_date(content_dir, file_name, future)
    assert [p.line for p in problems] == [line], [str(p) for p in problems]
    assert problems[0].message.startswith(f"review date {future}")
    assert problems[0].message.endswith("is in the future; write the day the clinician checked it")


@pytest.mark.parametrize("file_name", REVIEWED_FILES)
def test_a_review_date_that_is_not_a_date_is_refused_in_every_file(
    content_dir: Path, file_name: str
) -> None:
    line, problems = with_review_date(content_dir, file_name, "last week")
    assert [p.line for p in problems] == [line], [str(p) for p in problems]
    expected = (
        r"^'on' in 'reviewed'.* must be a date written year-month-day, such as "
        r"\d{4}-\d{2}-\d{2}, not 'last week'$"
    )
    assert re.search(expected, problems[0].message)


@pytest.mark.parametrize("file_name", REVIEWED_FILES)
@pytest.mark.parametrize("impossible", ["2026-13-07", "2026-02-30"])
def test_an_impossible_unquoted_review_date_is_a_problem_at_its_line(
    content_dir: Path, file_name: str, impossible: str
) -> None:
    """YAML reads `2026-13-07` as a date and fails inside the parser; the check names the
    file, the line and the date instead of stopping with an unexpected error."""
    line, problems = with_review_date(content_dir, file_name, impossible)
    assert [p.line for p in problems] == [line], [str(p) for p in problems]
    assert f"is '{impossible}', which is not a day of the calendar" in problems[0].message


@pytest.mark.parametrize("file_name", REVIEWED_FILES)
def test_a_quoted_review_date_is_read_as_a_date_in_every_file(
    content_dir: Path, file_name: str
) -> None:
    _line, old = first_review_date_line(content_dir / file_name)
    assert with_review_date(content_dir, file_name, f'"{old}"')[1] == []


@pytest.mark.parametrize(
    ("file_name", "old", "new", "cause"),
    [
        ("emergency.yaml", "reviewed:", "checked:", "unknown key 'checked'"),
        ("urgent.yaml", "reviewed:", "checked:", "unknown key 'checked'"),
        ("safety_languages.yaml", "reviewed:", "checked:", "unknown key 'checked'"),
    ],
)
def test_a_missing_file_review_is_reported(
    content_dir: Path, file_name: str, old: str, new: str, cause: str
) -> None:
    """A renamed `reviewed:` reads as an unknown key and as the missing review it causes."""
    text = edit(content_dir / file_name, old, new)
    messages = [p.message for p in problems_in(content_dir, file_name)]
    assert any(cause in m for m in messages), messages
    assert any(
        m.startswith("the file is missing 'reviewed' (by: who checked it, on: YYYY-MM-DD)")
        for m in messages
    ), messages
    assert line_of(text, new) > 0


def test_an_intake_flag_without_review_is_reported_at_the_flag(content_dir: Path) -> None:
    path = content_dir / "intake_flow.yaml"
    text = path.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.strip().startswith("reviewed:"))
    text = edit(path, first + "\n", "")
    problems = problems_in(content_dir, "intake_flow.yaml")
    assert len(problems) == 1, [str(p) for p in problems]
    assert problems[0].message.startswith("flag '")
    assert "is missing 'reviewed' (by: who checked it, on: YYYY-MM-DD)" in problems[0].message


@pytest.mark.parametrize(
    ("file_name", "old", "new", "expected"),
    [
        (
            "clinic.yaml",
            "late_cancellation_hours:",
            "late_cancelation_hours:",
            "unknown key 'late_cancelation_hours' in clinic.yaml — did you mean "
            "'late_cancellation_hours'?",
        ),
        (
            "appointment_types.yaml",
            "duration_minutes: 60",
            "duration_minutes: an hour",
            "'duration_minutes' in appointment type 'assessment' must be a whole number, in "
            "digits alone, not 'an hour'",
        ),
        (
            "appointment_types.yaml",
            "      fr: Évaluation initiale",
            "      fre: Évaluation initiale",
            "unknown key 'fre' in 'label' of appointment type 'assessment' — did you mean 'fr'?",
        ),
        (
            "appointment_types.yaml",
            '  start: "21:00"',
            '  start: "9pm"',
            "quiet_hours 'start' must be a clock time like \"21:00\"",
        ),
        (
            "intake_flow.yaml",
            "    level: emergency",
            "    level: red",
            "level must be one of",
        ),
        (
            "emergency.yaml",
            "    examples:",
            "    exampels:",
            "unknown key 'exampels'",
        ),
        (
            "faq.yaml",
            "  - id: cost",
            "  - id: Cost",
            "id 'Cost' must be 2–41 lower-case letters, digits or _, starting with a letter "
            "(e.g. does_it_hurt); follow-ups name 'cost': write the id as that",
        ),
    ],
)
def test_each_file_kind_reports_file_line_and_cause(
    content_dir: Path, file_name: str, old: str, new: str, expected: str
) -> None:
    text = edit(content_dir / file_name, old, new)
    problems = problems_in(content_dir, file_name)
    # One problem: the cause, not the cause and its effects (a missing key, a dangling id).
    assert len(problems) == 1, [str(p) for p in problems]
    first = problems[0]
    assert first.line == line_of(text, new.strip()), [str(p) for p in problems]
    assert expected in first.message, [str(p) for p in problems]
    assert str(first).startswith(f"{first.file}:{first.line}: ")


def test_content_is_read_once_with_its_problems(content_dir: Path) -> None:
    """One pass gives the content and every problem of every file together."""
    content, problems = read_content(content_dir)
    assert problems == [] and content is not None
    assert content.intake_flow is not None and content.appointment_types.types
    edit(content_dir / "clinic.yaml", "late_cancellation_hours:", "late_cancelation_hours:")
    edit(content_dir / "appointment_types.yaml", "duration_minutes: 60", "duration_minutes: x")
    content, problems = read_content(content_dir)
    assert content is None
    assert {Path(p.file).name for p in problems} == {"clinic.yaml", "appointment_types.yaml"}
    with pytest.raises(ContentError) as raised:
        load_content(content_dir)
    assert raised.value.problems == problems


def test_a_stored_flow_is_read_by_the_same_toolkit() -> None:
    """A stored copy of the flow (JSON, no lines) reports problems at line 0."""
    from bot.intake.flow_file import parse_flow

    flow, problems = parse_flow({"id": "t", "steps": [{"id": "a", "type": "text"}]}, "stored")
    assert flow is None
    assert "stored:0: step 'a' is missing 'text'" in [str(p) for p in problems]


def test_an_optional_field_left_empty_reads_as_absent(content_dir: Path) -> None:
    """`hint:` with nothing after it, as a clinic may leave it, is no hint (it loaded
    before the flow moved to the shared toolkit, and still does)."""
    edit(content_dir / "intake_flow.yaml", "  - id: consent\n", "  - id: consent\n    hint:\n")
    content, problems = read_content(content_dir)
    assert problems == [] and content is not None and content.intake_flow is not None
    consent = content.intake_flow.flow.step("consent")
    assert consent is not None and consent.hint is None


def test_a_required_field_left_empty_is_reported_at_its_line(content_dir: Path) -> None:
    path = content_dir / "clinic.yaml"
    # The name with its English and French lines, if it has them.
    name = re.search(r"^name:.*\n(?:  .*\n)*", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert name is not None
    text = edit(path, name.group(0), "name:\n")
    problems = problems_in(content_dir, "clinic.yaml")
    assert [(p.line, p.message) for p in problems] == [
        (text.splitlines().index("name:") + 1, "'name' in clinic.yaml is empty; write the name")
    ]
