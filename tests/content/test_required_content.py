"""What the bot cannot work without is checked: every file it needs to start or to screen
safely, and French words for every screen rule (the bot reads French in full)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clinic_content import REQUIRED_FILES, check_content
from bot.config import load_settings
from bot.content.problems import ContentError
from bot.runtime import load_checked_content
from bot.safety.emergency_content import read_emergency_files, untranslated_rules
from tests.content.conftest import line_of


def cut_block(path: Path, rule_id: str, key: str) -> int:
    """Delete `key:` (with everything indented under it) from the rule's `fr:` section;
    the line of the rule's `- id:`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    rule = lines.index(f"  - id: {rule_id}")
    start = lines.index(f"{' ' * 4}fr:", rule)
    if key != "fr":
        start = lines.index(f"{' ' * 6}{key}:", start)
    indent = len(lines[start]) - len(lines[start].lstrip())
    end = start + 1
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
    ):
        end += 1
    del lines[start:end]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rule + 1


def test_an_emergency_rule_without_french_is_named_at_its_line(content_dir: Path) -> None:
    line = cut_block(content_dir / "emergency.yaml", "chest_pain", "fr")
    emergency, problems = read_emergency_files(content_dir)
    assert emergency is not None and problems == []
    [problem] = untranslated_rules(emergency)
    assert (Path(problem.file).name, problem.line) == ("emergency.yaml", line)
    assert problem.message.startswith("rule 'chest_pain' has no 'fr' terms")


def test_a_french_section_without_examples_is_named_in_either_tier(content_dir: Path) -> None:
    line = cut_block(content_dir / "urgent.yaml", "needle_site_infection", "examples")
    emergency, _ = read_emergency_files(content_dir)
    assert emergency is not None
    [problem] = untranslated_rules(emergency)
    assert (Path(problem.file).name, problem.line) == ("urgent.yaml", line)
    assert problem.message.startswith("rule 'needle_site_infection' has no 'fr' examples")


def test_the_check_and_the_start_up_refuse_what_the_bot_cannot_work_without(
    content_dir: Path,
) -> None:
    """Before, the check said "content OK" here while the bot refused to start (no intake
    flow) or screened without the urgent tier and without French chest pain."""
    text = (content_dir / "emergency.yaml").read_text(encoding="utf-8")
    rule_line = line_of(text, "  - id: chest_pain")
    cut_block(content_dir / "emergency.yaml", "chest_pain", "fr")
    (content_dir / "urgent.yaml").unlink()
    (content_dir / "intake_flow.yaml").unlink()
    problems = check_content(content_dir, quality=False)
    assert [(Path(p.file).name, p.line) for p in problems] == [
        ("emergency.yaml", rule_line),
        ("intake_flow.yaml", 0),
        ("urgent.yaml", 0),
    ]
    assert all(p.message.startswith("file not found: the bot needs it") for p in problems[1:])
    settings = load_settings({"CONTENT_DIR": str(content_dir)}, read_dotenv=False)
    with pytest.raises(ContentError) as refused:
        load_checked_content(settings)
    assert refused.value.problems == problems


def test_an_empty_folder_names_every_required_file_once(tmp_path: Path) -> None:
    problems = check_content(tmp_path, quality=False)
    assert sorted(Path(p.file).name for p in problems) == sorted(REQUIRED_FILES)
    assert all(p.line == 0 and p.message.startswith("file not found") for p in problems)


def test_a_folder_where_a_content_file_should_be_is_one_line_not_a_crash(
    content_dir: Path,
) -> None:
    # An unzipped backup can leave `faq.yaml/` as a folder: the check and the start-up say
    # so at the file, as for a missing one, instead of stopping on IsADirectoryError.
    (content_dir / "faq.yaml").unlink()
    (content_dir / "faq.yaml").mkdir()
    problems = check_content(content_dir, quality=False)
    assert [(Path(p.file).name, p.line) for p in problems] == [("faq.yaml", 0)]
    assert "is a folder, not a file" in problems[0].message
    settings = load_settings({"CONTENT_DIR": str(content_dir)}, read_dotenv=False)
    with pytest.raises(ContentError) as refused:
        load_checked_content(settings)
    assert refused.value.problems == problems
