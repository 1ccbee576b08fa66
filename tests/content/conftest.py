"""Fixtures for content tests: a writable copy of the bundled content folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.config import BUNDLED_CONTENT_DIR


@pytest.fixture
def content_dir(tmp_path: Path) -> Path:
    """A copy of the shipped content that a test may break."""
    target = tmp_path / "content"
    shutil.copytree(BUNDLED_CONTENT_DIR, target)
    return target
