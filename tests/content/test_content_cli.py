"""`ims-bot content check` and the bot's refusal to start on bad content."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.clinic_content import read_content
from bot.config import load_settings
from bot.content.problems import ContentError
from bot.runtime import load_checked_content


def break_faq(content_dir: Path) -> int:
    """Add a typo'd key to the first entry; returns its line."""
    faq = content_dir / "faq.yaml"
    lines = faq.read_text(encoding="utf-8").splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip() == "- id: what_is_ims")
    lines.insert(index + 1, "    alternate: [what is ims exactly]")
    faq.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return index + 2


README = Path(__file__).resolve().parents[2] / "README.md"


def test_check_passes_on_the_sample_content(
    content_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["content", "check", "--content", str(content_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("content OK: 67 FAQ entries in 6 categories")
    assert "2 locations" in out and "emergency rules" in out
    # Every file was read: the summary names what each holds.
    assert "urgent rules" in out and "appointment types" in out and "an intake form of" in out
    # The README shows this line as the sample content's: it must not go stale.
    [shown] = [
        line
        for line in README.read_text(encoding="utf-8").splitlines()
        if line.startswith("content OK: ")
    ]
    printed = out.splitlines()[0]
    assert shown == printed, f"put the line the check prints today in README.md: {printed}"


def test_check_reports_file_line_and_fails(
    content_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    line = break_faq(content_dir)
    clinic = content_dir / "clinic.yaml"
    clinic.write_text(
        clinic.read_text(encoding="utf-8").replace("wednesday:", "wensday:", 1), encoding="utf-8"
    )
    monkeypatch.chdir(content_dir.parent)  # paths are shown relative to the working folder
    assert main(["content", "check", "--content", "content"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("content/clinic.yaml:")
    assert "did you mean 'wednesday'" in out[0]
    assert out[1] == (
        f"content/faq.yaml:{line}: unknown key 'alternate' in an FAQ entry"
        " — did you mean 'alternates'?"
    )
    assert out[-1].startswith("2 problems in 2 file(s)")


def test_check_uses_content_dir_from_the_environment(
    content_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    break_faq(content_dir)
    monkeypatch.setenv("CONTENT_DIR", str(content_dir))
    assert main(["content", "check"]) == 1
    assert "did you mean 'alternates'" in capsys.readouterr().out


def test_check_on_a_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "check", "--content", str(tmp_path / "nowhere")]) == 2
    assert "not found" in capsys.readouterr().err


def test_check_on_an_empty_folder_lists_every_missing_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["content", "check", "--content", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "faq.yaml:0: file not found" in out and "clinic.yaml:0: file not found" in out


def test_the_bot_refuses_bad_content(content_dir: Path) -> None:
    line = break_faq(content_dir)
    settings = load_settings({"CONTENT_DIR": str(content_dir)}, read_dotenv=False)
    with pytest.raises(ContentError) as raised:
        load_checked_content(settings)
    assert [p.line for p in raised.value.problems] == [line]


def test_the_bot_loads_good_content(content_dir: Path) -> None:
    settings = load_settings({"CONTENT_DIR": str(content_dir)}, read_dotenv=False)
    content = load_checked_content(settings)
    assert content.faq.get("what_is_ims") is not None


def test_the_command_reports_wording_problems_found_beside_the_other_checks(
    content_dir: Path,
) -> None:
    """The real command: the confusable-phrasing check runs in a child process, and its
    problems come out like any other, with the other files' problems beside them."""
    faq = content_dir / "faq.yaml"
    lines = faq.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "- id: what_is_ims")
    index = next(i for i in range(start, len(lines)) if lines[i].strip() == "alternates:")
    lines.insert(index + 1, "      - how much does an IMS session cost")
    faq.write_text("\n".join(lines) + "\n", encoding="utf-8")
    types = content_dir / "appointment_types.yaml"
    types.write_text(
        types.read_text(encoding="utf-8").replace("duration_minutes: 60", "duration_minutes: x", 1),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "bot", "content", "check", "--content", str(content_dir)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    out = done.stdout.splitlines()
    assert out[0].startswith(f"{types}:") and "'duration_minutes'" in out[0]
    assert out[1].startswith(
        f"{faq}:{index + 2}: alternate 'how much does an IMS session cost' of 'what_is_ims' "
        "is too close to entry 'cost' (scores "
    )
    assert out[1].endswith("reword it or move it")
    assert out[2].startswith("2 problems in 2 file(s)")


def test_the_wording_check_is_done_even_when_its_child_process_dies(
    content_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import clinic_content

    def die() -> None:
        os._exit(1)  # as if killed or out of memory

    monkeypatch.setattr(clinic_content, "_answer_through_the_pipe_only", die)
    faq = content_dir / "faq.yaml"
    text = faq.read_text(encoding="utf-8")
    anchor = "    alternates:\n"
    at = text.index(anchor, text.index("- id: what_is_ims")) + len(anchor)
    faq.write_text(text[:at] + "      - how much does an IMS session cost\n" + text[at:])
    content, problems = clinic_content.read_content(content_dir, quality=True, parallel=True)
    assert content is None
    assert [p.message.split(" (scores")[0] for p in problems] == [
        "alternate 'how much does an IMS session cost' of 'what_is_ims' is too close to "
        "entry 'cost'"
    ]


def test_the_check_loads_neither_the_database_layer_nor_telegram() -> None:
    """A clinic runs the check after every edit: the command imports what reading and
    checking content needs, not SQLAlchemy, Alembic, PTB or the web console."""
    probe = (
        "import sys\n"
        "from bot.cli.main import main\n"
        "code = main(['content', 'check'])\n"
        "heavy = ('sqlalchemy', 'alembic', 'telegram', 'starlette', 'bot.storage', 'bot.web')\n"
        "print(code, sorted(name for name in heavy if name in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.stdout.splitlines()[-1] == "0 []", done.stdout + done.stderr


def test_check_notes_a_clinic_fact_without_french_and_still_passes(
    content_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clinic = content_dir / "clinic.yaml"
    lines = clinic.read_text(encoding="utf-8").splitlines()
    directions = next(i for i, line in enumerate(lines) if line.strip() == "directions:")
    french = next(i for i in range(directions, len(lines)) if lines[i].strip() == "fr: >-")
    del lines[french : french + 3]  # the first location's French directions (two lines)
    clinic.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["content", "check", "--content", str(content_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("content OK:")
    assert [line for line in out.splitlines() if "clinic.yaml" in line] == [
        f"{clinic}:{directions + 1}: note: 'directions' of location 'riverside' has no French, "
        "so French replies show the English; write it as directions: {en: ..., fr: ...}"
    ]


def test_the_sample_clinic_has_french_for_every_fact(content_dir: Path) -> None:
    content, problems = read_content(content_dir)
    assert problems == [] and content is not None
    assert content.clinic.french_gaps == ()


def test_a_clinic_without_a_french_faq_gets_no_french_notes(content_dir: Path) -> None:
    (content_dir / "faq_fr.yaml").unlink()
    clinic = content_dir / "clinic.yaml"
    text = clinic.read_text(encoding="utf-8")
    clinic.write_text(text.replace("  fr: Physiothérapie et IMS", "  # fr:"), encoding="utf-8")
    content, problems = read_content(content_dir)
    assert problems == [] and content is not None
    assert content.clinic.french_gaps != ()  # the gap is known, but not worth a note
    assert not [note for note in content.notes if note.file.endswith("clinic.yaml")]
