"""The content check's cache: an identical check is reused, anything changed is checked again."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from bot import clinic_content
from bot.clinic_content import SCREEN_FILES, read_content
from bot.content.check_cache import ContentCheckCache
from bot.content.problems import Problem
from bot.safety.emergency_content import read_emergency_files

EXAMPLE = "      - ive been thinking of ending it\n"


def _stored_verdict(cache: ContentCheckCache, content_dir: Path) -> Problem:
    """A made-up problem stored as the example screen's result on `content_dir` as it is."""
    made_up = Problem("emergency.yaml", 1, "stored by the test")
    cache.put(cache.key("examples", content_dir, SCREEN_FILES), [made_up])
    return made_up


def test_an_identical_check_is_served_from_the_cache_and_a_changed_example_is_not(
    content_dir: Path, tmp_path: Path
) -> None:
    cache = ContentCheckCache(tmp_path / "data", code="this code")
    made_up = _stored_verdict(cache, content_dir)
    assert read_content(content_dir, cache=cache) == (None, [made_up])

    rules = content_dir / "emergency.yaml"
    text = rules.read_text(encoding="utf-8")
    assert EXAMPLE in text
    rules.write_text(
        text.replace(EXAMPLE, "      - my knee clicks when I climb stairs\n", 1), encoding="utf-8"
    )
    content, problems = read_content(content_dir, cache=cache)
    assert content is None
    assert [p.message for p in problems] == [
        "example 'my knee clicks when I climb stairs' does not trigger rule "
        "'suicide_self_harm'; add a term or phrase that covers it"
    ]
    # That screen's result is kept for the next identical check.
    assert cache.get(cache.key("examples", content_dir, SCREEN_FILES)) == problems


def test_changed_code_or_models_or_rules_screen_again(content_dir: Path, tmp_path: Path) -> None:
    """What decides the example screen is in its key; a FAQ edit leaves it alone."""
    before = ContentCheckCache(tmp_path / "data", code="the old code")
    _stored_verdict(before, content_dir)
    after = ContentCheckCache(tmp_path / "data", code="a changed rule or model")
    assert after.get(after.key("examples", content_dir, SCREEN_FILES)) is None

    key = before.key("examples", content_dir, SCREEN_FILES)
    faq = content_dir / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert before.key("examples", content_dir, SCREEN_FILES) == key
    for name in SCREEN_FILES:
        rules = content_dir / name
        kept = rules.read_bytes()
        rules.write_bytes(kept.replace(b"reviewed:", b"reviewed: ", 1))
        assert before.key("examples", content_dir, SCREEN_FILES) != key, name
        rules.write_bytes(kept)
    assert before.key("examples", content_dir, SCREEN_FILES) == key


def test_the_code_fingerprint_covers_the_models() -> None:
    from bot.content import check_cache

    check_cache.code_fingerprint.cache_clear()
    first = check_cache.code_fingerprint()
    assert len(first) == 64 and check_cache.code_fingerprint() == first
    weights = sorted(check_cache.PACKAGE_DIR.glob("safety/*.npz"))
    assert weights, "the safety models' weights live in the package"


def test_a_folder_that_cannot_be_written_only_means_no_cache(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("a file where the data folder should be", encoding="utf-8")
    cache = ContentCheckCache(not_a_folder, code="this code")
    key = cache.key("examples", tmp_path, SCREEN_FILES)
    cache.put(key, [Problem("emergency.yaml", 3, "kept?")])
    assert cache.get(key) is None


def test_a_damaged_entry_is_checked_again(tmp_path: Path) -> None:
    cache = ContentCheckCache(tmp_path / "data", code="this code")
    key = cache.key("examples", tmp_path, SCREEN_FILES)
    cache.put(key, [])
    for damaged in cache.folder.glob("*.json"):
        damaged.write_text('{"key": "', encoding="utf-8")
    assert cache.get(key) is None


def test_the_bot_restarted_on_unchanged_content_reuses_the_screen(
    content_dir: Path, tmp_path: Path
) -> None:
    from bot.config import load_settings
    from bot.content.problems import ContentError
    from bot.runtime import load_checked_content

    settings = load_settings(
        {"CONTENT_DIR": str(content_dir), "IMS_DATA_DIR": str(tmp_path / "data")},
        read_dotenv=False,
    )
    made_up = _stored_verdict(ContentCheckCache(settings.data_dir), content_dir)
    try:
        load_checked_content(settings)
    except ContentError as refused:
        assert refused.problems == [made_up]
    else:
        raise AssertionError("the stored screen result was not used")


def _as_a_new_process(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Forget what this process read, and list every folder whose screen is read from now."""
    reads: list[Path] = []

    def counted(folder: Path) -> object:
        reads.append(folder)
        return read_emergency_files(folder)

    monkeypatch.setattr(clinic_content, "_read", {})
    monkeypatch.setattr(clinic_content, "read_emergency_files", counted)
    return reads


def test_a_restart_on_unchanged_content_loads_what_the_last_start_read(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ContentCheckCache(tmp_path / "data", code="this code")
    first, problems = read_content(content_dir, cache=cache)
    assert first is not None and problems == []
    reads = _as_a_new_process(monkeypatch)
    again, problems = read_content(content_dir, cache=cache)
    assert problems == [] and reads == []
    assert again == first and again is not first
    assert again is not None and "_detector" in vars(again.emergency)  # rules compiled

    # Any edit, or other code, reads and compiles the folder again.
    faq = content_dir / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert read_content(content_dir, cache=cache) == (again, [])
    other_code = ContentCheckCache(tmp_path / "data", code="an upgrade")
    monkeypatch.setattr(clinic_content, "_read", {})
    assert read_content(content_dir, cache=other_code) == (again, [])
    assert reads == [content_dir, content_dir]


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX file ownership and modes")
def test_a_kept_content_others_could_have_written_is_read_again(
    content_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ContentCheckCache(tmp_path / "data", code="this code")
    assert read_content(content_dir, cache=cache)[1] == []
    (kept,) = (tmp_path / "data" / "content-check").glob("*.pickle")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600  # only the bot's account reads it

    # Unpickling runs code: a file another account could have replaced is not loaded.
    kept.chmod(0o666)
    reads = _as_a_new_process(monkeypatch)
    content, problems = read_content(content_dir, cache=cache)
    assert content is not None and problems == [] and reads == [content_dir]
