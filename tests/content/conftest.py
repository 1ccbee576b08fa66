"""Fixtures for content tests: a writable copy of the bundled content folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import BUNDLED_CONTENT_DIR
from bot.content.problems import Problem


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A copy of the shipped content that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT_DIR, target)
    return target


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line of the `occurrence`-th line of `text` containing `needle`."""
    hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
    return hits[occurrence - 1]


def single_problem(problems: list[Problem], file_name: str) -> Problem:
    """The one problem in `problems`, checked to be in `file_name`."""
    assert len(problems) == 1, [str(p) for p in problems]
    assert problems[0].file.endswith(file_name)
    return problems[0]


@pytest.fixture(autouse=True)
def content_check_results_kept_apart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`ims-bot content check` keeps its results in IMS_DATA_DIR: each test its own, so every
    check a test runs is done in full unless the test asks for the cache."""
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
