"""The shipped word lists of the language check: current, and used in place of the packages'."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from bot.safety import language
from tests.scripts.kit import load_script


def _load_script() -> ModuleType:
    return load_script("ranked_words")


def test_the_shipped_lists_are_what_the_installed_word_lists_give() -> None:
    script = _load_script()
    assert script.render() == script.OUT.read_text(encoding="utf-8")


def test_check_fails_on_a_stale_list_until_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    script = _load_script()
    current = script.OUT.read_text(encoding="utf-8")
    monkeypatch.setattr(script, "render", lambda: current)  # the lists are read above
    stale = tmp_path / "ranked_words.json"
    words = json.loads(current)
    words["fr"] = words["fr"][1:]
    stale.write_text(json.dumps(words), encoding="utf-8")
    monkeypatch.setattr(script, "OUT", stale)
    assert script.main(["--check"]) == 1
    assert script.main([]) == 0
    assert script.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == current


def test_a_language_needing_more_words_than_shipped_reads_its_package() -> None:
    shipped = len(language._shipped_ranked()["es"])
    more = language._ranked("es", shipped + 5)
    assert more[:shipped] == language._ranked("es", shipped)
    assert more == language.ranked_in_word_list("es", shipped + 5)
