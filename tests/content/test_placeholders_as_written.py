"""Placeholders only work in FAQ answers: elsewhere the check refuses them at their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clinic_content import read_content

INTAKE_TEXT = "Please go to the nearest emergency department now or call 911. Do not wait"
PREPARATION_TEXT = "about an hour."


@pytest.mark.parametrize(
    ("file", "written", "key"),
    [
        ("intake_flow.yaml", INTAKE_TEXT, "'message'"),
        ("appointment_types.yaml", PREPARATION_TEXT, "'en'"),
    ],
)
def test_a_placeholder_in_a_file_shown_as_written_is_a_problem_at_its_line(
    content_dir: Path, file: str, written: str, key: str
) -> None:
    path = content_dir / file
    text = path.read_text(encoding="utf-8")
    assert written in text
    path.write_text(text.replace(written, f"{written} Call {{clinic.phone}}.", 1), "utf-8")
    line = next(
        number
        for number, said in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if "{clinic.phone}" in said
    )
    content, problems = read_content(content_dir)
    assert content is None
    [problem] = [p for p in problems if "placeholder" in p.message]
    assert problem.file.endswith(file) and key in problem.message
    assert "{clinic.phone}" in problem.message and "write the fact itself" in problem.message
    # The line the placeholder is on, also inside a text folded over several lines.
    assert problem.line == line
