"""Tuning the optional sentence model to the clinic's FAQ: where tuned models are kept, when
they are used, and (with the extra installed) that tuning pulls one entry's phrasings
together."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.cli.main import main
from bot.content.model import FaqContent, FaqEntry, OutOfScopeTopic
from bot.faq.encoder_tuning import (
    MANIFEST,
    TUNED_MODELS_KEPT,
    TunedModelStore,
    TuningRecipe,
    choose_faq_encoder,
    load_tuned_encoder,
    tune,
    tuning_groups,
)
from bot.faq.matcher import FaqMatcher
from bot.faq.semantic import (
    MODEL_WEIGHTS,
    SemanticUnavailable,
    SentenceEncoder,
    semantic_extra_installed,
)

from .conftest import SMALL_FAQ
from .test_semantic import ConceptEncoder

needs_model = pytest.mark.skipif(
    not semantic_extra_installed(), reason="needs the semantic extra (pip install -e '.[semantic]')"
)

GROUPS = [phrasings for _, phrasings in SMALL_FAQ]
FAKE_WEIGHTS = b"weights of a tuned model"


def small_faq() -> FaqContent:
    """The five-entry test FAQ as content, with one out-of-scope topic."""
    entries = tuple(
        FaqEntry(
            id=faq_id,
            question=phrasings[0],
            alternates=tuple(phrasings[1:]),
            answer="a",
            category="c",
        )
        for faq_id, phrasings in SMALL_FAQ
    )
    topic = OutOfScopeTopic(id="massage", examples=("do you do massage", "book a massage"))
    return FaqContent(entries=entries, out_of_scope=(topic,))


def write_fake_model(folder: Path) -> None:
    """Stands in for saving a real model: only the weights file matters to the store."""
    (folder / MODEL_WEIGHTS).write_bytes(FAKE_WEIGHTS)


def test_groups_follow_the_matchers_order_entries_then_topics() -> None:
    faq = small_faq()
    groups = tuning_groups(faq)
    assert groups[: len(SMALL_FAQ)] == GROUPS
    assert groups[-1] == ["do you do massage", "book a massage"]
    assert len(groups) == len(FaqMatcher.from_content(faq).faq_ids) + 1  # + the topic


def test_the_key_changes_with_any_phrasing_its_group_or_the_recipe(tmp_path: Path) -> None:
    store = TunedModelStore(tmp_path)
    key = store.key(GROUPS)
    assert store.key([list(group) for group in GROUPS]) == key
    edited = [list(group) for group in GROUPS]
    edited[0][1] = "what does IMS stand for"
    assert store.key(edited) != key
    moved = [list(group) for group in GROUPS]
    moved[1].append(moved[0].pop())  # same phrasings, another entry
    assert store.key(moved) != key
    assert TunedModelStore(tmp_path, TuningRecipe(steps=5)).key(GROUPS) != key


def test_an_untuned_faq_has_no_model_and_a_saved_one_is_found(tmp_path: Path) -> None:
    store = TunedModelStore(tmp_path / "data")
    assert store.find(GROUPS) is None
    saved = store.save(GROUPS, write_fake_model)
    assert store.find(GROUPS) == saved
    manifest = json.loads((saved / MANIFEST).read_text())
    assert manifest["weights_sha256"] == hashlib.sha256(FAKE_WEIGHTS).hexdigest()
    assert manifest["recipe"]["steps"] == TuningRecipe().steps
    assert [p.name for p in (tmp_path / "data").iterdir()] == [saved.name]  # no partial left


def test_a_failed_tuning_leaves_nothing_behind(tmp_path: Path) -> None:
    store = TunedModelStore(tmp_path)

    def fail(folder: Path) -> None:
        write_fake_model(folder)
        raise RuntimeError("out of memory")

    with pytest.raises(RuntimeError):
        store.save(GROUPS, fail)
    assert store.find(GROUPS) is None
    assert list(tmp_path.iterdir()) == []


def test_only_the_most_recently_used_tuned_models_are_kept(tmp_path: Path) -> None:
    store = TunedModelStore(tmp_path)
    versions = [[*GROUPS, ["version", f"number {n}"]] for n in range(TUNED_MODELS_KEPT + 1)]
    for age, version in enumerate(versions[:TUNED_MODELS_KEPT], start=1):
        os.utime(store.save(version, write_fake_model), (age, age))  # long ago, oldest first
    assert store.find(versions[0]) is not None  # the oldest is used again, so it stays ...
    store.save(versions[-1], write_fake_model)
    assert store.find(versions[0]) is not None
    assert store.find(versions[1]) is None  # ... and the least recently used one went
    assert store.find(versions[-1]) is not None
    assert len(list(tmp_path.iterdir())) == TUNED_MODELS_KEPT


def test_damaged_weights_are_refused_with_how_to_fix(tmp_path: Path) -> None:
    saved = TunedModelStore(tmp_path).save(GROUPS, write_fake_model)
    (saved / MODEL_WEIGHTS).write_bytes(b"half a file")
    with pytest.raises(SemanticUnavailable, match="ims-bot faq tune"):
        load_tuned_encoder(saved)


def test_an_unreadable_manifest_is_refused_with_how_to_fix(tmp_path: Path) -> None:
    saved = TunedModelStore(tmp_path).save(GROUPS, write_fake_model)
    (saved / MANIFEST).write_text("{not json")
    with pytest.raises(SemanticUnavailable, match="ims-bot faq tune"):
        load_tuned_encoder(saved)


def test_off_means_no_encoder_even_when_tuned(tmp_path: Path) -> None:
    assert choose_faq_encoder("off", small_faq(), tmp_path) is None


@pytest.fixture
def plain(monkeypatch: pytest.MonkeyPatch) -> ConceptEncoder:
    """The model is wanted, and loading the untuned model gives this stand-in."""
    stand_in = ConceptEncoder()
    monkeypatch.setattr("bot.faq.encoder_tuning.semantic_wanted", lambda mode: True)
    monkeypatch.setattr("bot.faq.encoder_tuning.load_bundled_encoder", lambda: stand_in)
    return stand_in


def test_an_untuned_faq_uses_the_plain_model_and_says_how_to_tune(
    plain: ConceptEncoder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert choose_faq_encoder("on", small_faq(), tmp_path) is plain
    assert "ims-bot faq tune" in caplog.text


def test_a_tuned_faq_loads_only_the_tuned_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tuned = ConceptEncoder()
    loaded: list[Path] = []

    def load_tuned(model_dir: Path) -> ConceptEncoder:
        loaded.append(model_dir)
        return tuned

    def load_plain() -> ConceptEncoder:
        raise AssertionError("the untuned model must not be loaded as well")

    monkeypatch.setattr("bot.faq.encoder_tuning.semantic_wanted", lambda mode: True)
    monkeypatch.setattr("bot.faq.encoder_tuning.load_tuned_encoder", load_tuned)
    monkeypatch.setattr("bot.faq.encoder_tuning.load_bundled_encoder", load_plain)
    faq = small_faq()
    saved = TunedModelStore(tmp_path).save(tuning_groups(faq), write_fake_model)
    assert choose_faq_encoder("auto", faq, tmp_path) is tuned
    assert loaded == [saved]


def test_a_damaged_tuned_model_falls_back_to_the_plain_model(
    plain: ConceptEncoder, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    faq = small_faq()
    saved = TunedModelStore(tmp_path).save(tuning_groups(faq), write_fake_model)
    (saved / MODEL_WEIGHTS).write_bytes(b"changed")
    with caplog.at_level(logging.WARNING):
        assert choose_faq_encoder("auto", faq, tmp_path) is plain
    assert "expected SHA-256" in caplog.text


def test_tuning_a_faq_too_small_to_pair_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 2 entries"):
        tune([["only one phrasing"], ["what is ims", "ims?"]], TunedModelStore(tmp_path))


@pytest.mark.skipif(semantic_extra_installed(), reason="the semantic extra is installed here")
def test_cli_tune_without_the_extra_exits_with_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path))
    assert main(["faq", "tune"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "pip install -e '.[semantic]'" in err[0]
    assert list(tmp_path.iterdir()) == []


def _separation(encoder: SentenceEncoder, groups: Sequence[Sequence[str]]) -> float:
    """Mean cosine within groups minus mean cosine across groups."""
    texts = [text for group in groups for text in group]
    owner = np.array([index for index, group in enumerate(groups) for _ in group])
    vectors = encoder.encode(texts)
    cosines = vectors @ vectors.T
    same = owner[:, None] == owner[None, :]
    off_diagonal = ~np.eye(len(texts), dtype=bool)
    return float(cosines[same & off_diagonal].mean() - cosines[~same].mean())


@needs_model
def test_tuning_pulls_an_entrys_phrasings_together(tmp_path: Path) -> None:
    from bot.faq.semantic import load_bundled_encoder

    groups = tuning_groups(small_faq())
    recipe = replace(TuningRecipe(), steps=12, batch_entries=6, learning_rate=1e-4)
    store = TunedModelStore(tmp_path, recipe)
    before = _separation(load_bundled_encoder(), groups)
    saved = tune(groups, store)
    tuned = load_tuned_encoder(saved)
    assert "tuned" in tuned.name
    vectors = tuned.encode(["what is ims"])
    assert np.linalg.norm(vectors[0]) == pytest.approx(1.0)
    assert _separation(tuned, groups) > before + 0.05
