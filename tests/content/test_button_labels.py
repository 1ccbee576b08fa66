"""Intake option labels are buttons: the check notes (without refusing) each label longer
than a phone's button shows, at its line, with the limit to keep to."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.clinic_content import read_content
from bot.intake.flow_file import PHONE_BUTTON_CHARS, TICK_CHARS
from tests.content.conftest import line_of

SHORT = "{id: helper, label: Someone helping me}"
LONG_LABEL = (
    "Someone helping me, such as a family member, a friend, a caregiver or a support "
    "worker who reads the questions to me"
)  # 119 characters: cut on any phone
FRENCH_SHORT = "helper: {label: Une personne qui m'aide, aliases: [quelqu'un qui m'aide]}"
FRENCH_LONG = (
    "Une personne qui m'aide, comme un membre de ma famille, un ami, une aidante ou un "
    "intervenant qui me lit les questions"
)
MULTI_SHORT = "{id: diabetes, label: Diabetes}"
MULTI_LONG = "Diabetes of type 1 or 2, treated or not"  # 38 < 39 <= 40: too long only with a tick


def test_a_label_longer_than_a_phone_button_is_noted_at_its_line_with_the_limit(
    content_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    flow = content_dir / "intake_flow.yaml"
    text = flow.read_text("utf-8")
    assert SHORT in text
    assert MULTI_SHORT in text
    text = text.replace(MULTI_SHORT, f'{{id: diabetes, label: "{MULTI_LONG}"}}')
    flow.write_text(text.replace(SHORT, f'{{id: helper, label: "{LONG_LABEL}"}}'), "utf-8")
    french = content_dir / "intake_flow_fr.yaml"
    text = french.read_text("utf-8")
    assert FRENCH_SHORT in text
    french.write_text(text.replace(FRENCH_SHORT, f'helper: {{label: "{FRENCH_LONG}"}}'), "utf-8")
    content, problems = read_content(content_dir)
    assert content is not None and problems == []  # told, not refused: the bot still runs
    notes = {(note.file, note.line): note.message for note in content.notes}
    english = next(m for (f, _), m in notes.items() if "'completed_by'" in m and "fr" not in f)
    at = line_of(flow.read_text("utf-8"), LONG_LABEL)
    assert notes[(str(flow), at)] == english
    assert f"'helper' ({len(LONG_LABEL)}, line {at})" in english
    assert f"shorten each to {PHONE_BUTTON_CHARS} or fewer" in english
    french_at = line_of(french.read_text("utf-8"), FRENCH_LONG)
    assert f"'helper' ({len(FRENCH_LONG)}, line {french_at})" in notes[(str(french), french_at)]
    # A ticked answer's button starts with a tick: a multi-choice step's room is smaller.
    assert PHONE_BUTTON_CHARS - TICK_CHARS < len(MULTI_LONG) <= PHONE_BUTTON_CHARS
    multi = next(m for m in notes.values() if "'health_screen'" in m)
    assert f"'diabetes' ({len(MULTI_LONG)}, line" in multi
    assert f"to {PHONE_BUTTON_CHARS - TICK_CHARS} or fewer" in multi
    # The command says it after "content OK", and still succeeds.
    assert main(["content", "check", "--content", str(content_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("content OK:") and f"intake_flow.yaml:{at}: step 'completed_by'" in out
