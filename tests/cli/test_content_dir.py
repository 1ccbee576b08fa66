"""Every command with `--content DIR` finds the content folder the same way: the folder
given, else CONTENT_DIR (from the environment or `.env`), else the bundled sample."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from bot.cli.content import content_dir_argument
from bot.cli.main import main
from bot.config import BUNDLED_CONTENT_DIR


@pytest.fixture
def no_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.delenv("CONTENT_DIR", raising=False)
    return tmp_path


def test_the_folder_given_comes_first(no_settings: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENT_DIR", str(no_settings / "from-the-environment"))
    given = argparse.Namespace(content=str(no_settings / "given"))
    assert content_dir_argument(given) == no_settings / "given"


def test_then_content_dir_from_the_environment_or_dotenv(
    no_settings: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    none_given = argparse.Namespace(content=None)
    (no_settings / ".env").write_text(f"CONTENT_DIR={no_settings / 'from-dotenv'}\n")
    assert content_dir_argument(none_given) == no_settings / "from-dotenv"
    monkeypatch.setenv("CONTENT_DIR", str(no_settings / "from-the-environment"))
    assert content_dir_argument(none_given) == no_settings / "from-the-environment"


def test_then_the_bundled_sample(no_settings: Path) -> None:
    assert content_dir_argument(argparse.Namespace(content=None)) == BUNDLED_CONTENT_DIR


def test_the_questionnaire_needs_no_other_setting_to_be_right(
    no_settings: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Like `content check` and `safety report`, it reads content only: a bad setting it
    # never uses does not stop it.
    monkeypatch.setenv("LOG_LEVEL", "verbose")
    assert main(["intake", "questionnaire"]) == 0
    assert json.loads(capsys.readouterr().out)["resourceType"] == "Questionnaire"
