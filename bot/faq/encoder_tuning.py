"""Tune the optional sentence-embedding model to one clinic's FAQ (`ims-bot faq tune`).

The bundled model learnt what "similar" means from general English. The clinic's own
phrasings say more precisely which wordings count as one question: every entry lists
several ways to ask it, and the out-of-scope topics list things the clinic does not
answer. Tuning pulls the phrasings of one entry together and pushes those of different
entries apart (each batch holds two phrasings of each of several entries; every other
entry's phrasing in the batch is a negative), so a patient's new wording lands nearer the
right entry. It is a few minutes on a laptop's CPU, done once per FAQ version.

The tuned model is kept in the data folder, named by a hash of the base model, the recipe
and every phrasing. An FAQ edit therefore needs a new tuning; until then the bot uses the
untuned model and logs that it does. Only clinic content is ever trained on or stored,
never a patient's message.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.config import SemanticMode
from bot.faq.semantic import (
    ENCODER_THREADS,
    MODEL_NAME,
    MODEL_WEIGHTS,
    MODEL_WEIGHTS_SHA256,
    MiniLmEncoder,
    SemanticUnavailable,
    SentenceEncoder,
    bundled_model_dir,
    by_last_use,
    check_weights,
    file_sha256,
    load_bundled_encoder,
    mark_used,
    semantic_wanted,
    sentence_transformers_offline,
)

if TYPE_CHECKING:
    from bot.content.model import FaqContent

logger = logging.getLogger(__name__)

TUNED_PREFIX = "faq-tuned-model-"
TUNED_KEY_LENGTH = 24
MANIFEST = "tuned.json"
# Each tuned model is a full copy of the weights (about 90 MB): keep the current one and
# the one before, so a bot and an eval of the previous FAQ version can run side by side.
TUNED_MODELS_KEPT = 2
# The smallest FAQ worth tuning on: two entries, each with two phrasings to pair.
MIN_GROUPS = 2

RETUNE_FIX = "run `ims-bot faq tune` again"

ProgressReport = Callable[[int, int, float], None]


@dataclass(frozen=True)
class TuningRecipe:
    """How the model is tuned; part of the tuned model's name, so a change retunes."""

    # Chosen on the clinic tuning sets (benchmarks/README.md, ninth session): 75 steps gave
    # the same figures as 150 steps at 2e-5 (two seeds) in half the time.
    steps: int = 75
    learning_rate: float = 4e-5
    # Entries per batch; each brings a pair of its phrasings.
    batch_entries: int = 32
    # Cosines are multiplied by this before the softmax over the batch.
    similarity_scale: float = 20.0
    warmup_share: float = 0.1
    seed: int = 0


DEFAULT_RECIPE = TuningRecipe()


def tuning_groups(faq: FaqContent) -> list[list[str]]:
    """The phrasings the model is tuned on, one group per entry and per out-of-scope topic,
    in the order the matcher indexes them."""
    groups = [list(entry.phrasings) for entry in faq.entries]
    groups += [list(topic.examples) for topic in faq.out_of_scope]
    return groups


class TunedModelStore:
    """Tuned models in the data folder, one per FAQ version, found by a content hash."""

    def __init__(self, folder: Path, recipe: TuningRecipe = DEFAULT_RECIPE) -> None:
        self.folder = folder
        self.recipe = recipe

    def key(self, groups: Sequence[Sequence[str]]) -> str:
        """A hash of the base weights, the recipe and every phrasing in its group."""
        digest = hashlib.sha256(MODEL_WEIGHTS_SHA256.encode())
        digest.update(json.dumps(asdict(self.recipe), sort_keys=True).encode())
        for group in groups:
            digest.update(b"\1")
            for text in group:
                digest.update(b"\0" + text.encode())
        return digest.hexdigest()[:TUNED_KEY_LENGTH]

    def path(self, groups: Sequence[Sequence[str]]) -> Path:
        """Where the model tuned on `groups` lives (whether or not it exists yet)."""
        return self.folder / f"{TUNED_PREFIX}{self.key(groups)}"

    def find(self, groups: Sequence[Sequence[str]]) -> Path | None:
        """The tuned model for `groups`, or None when this FAQ version was never tuned."""
        found = self.path(groups)
        if not (found / MANIFEST).is_file():
            return None
        mark_used(found)
        return found

    def save(self, groups: Sequence[Sequence[str]], write: Callable[[Path], None]) -> Path:
        """Let `write` fill a new folder, then move it into place whole and drop old ones."""
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.path(groups)
        partial = Path(tempfile.mkdtemp(prefix=".tuning-", dir=self.folder))
        try:
            write(partial)
            weights = partial / MODEL_WEIGHTS
            manifest = {
                "base_model": MODEL_NAME,
                "base_weights_sha256": MODEL_WEIGHTS_SHA256,
                "recipe": asdict(self.recipe),
                "weights_sha256": file_sha256(weights),
            }
            (partial / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
            if final.exists():
                shutil.rmtree(final)
            partial.replace(final)  # readers never see half a model
        finally:
            shutil.rmtree(partial, ignore_errors=True)
        self._drop_old()
        return final

    def _drop_old(self) -> None:
        """Keep only the `TUNED_MODELS_KEPT` most recently used tuned models."""
        for stale in by_last_use(self.folder, f"{TUNED_PREFIX}*")[TUNED_MODELS_KEPT:]:
            shutil.rmtree(stale, ignore_errors=True)


def tune(
    groups: Sequence[Sequence[str]],
    store: TunedModelStore,
    progress: ProgressReport | None = None,
) -> Path:
    """Tune the bundled model on `groups` and keep it in `store`; SemanticUnavailable when
    the extra is missing, ValueError when the FAQ is too small to tune on."""
    usable = [list(group) for group in groups if len(group) >= 2]
    if len(usable) < MIN_GROUPS:
        raise ValueError(
            f"tuning needs at least {MIN_GROUPS} entries with two or more phrasings each"
        )
    library = sentence_transformers_offline()
    torch = importlib.import_module("torch")
    # Not the shared encoder: training changes the weights in place.
    model = library.SentenceTransformer(str(bundled_model_dir()), device="cpu")
    torch.set_num_threads(os.cpu_count() or 1)  # tuning is a batch job: use every core
    try:
        _train(model, usable, store.recipe, torch, progress)
    finally:
        torch.set_num_threads(ENCODER_THREADS)
    return store.save(groups, lambda folder: model.save(str(folder)))


def _train(
    model: Any,
    groups: list[list[str]],
    recipe: TuningRecipe,
    torch: Any,
    progress: ProgressReport | None,
) -> None:
    """Contrastive steps: pairs of one entry's phrasings against the batch's other entries."""
    chooser = random.Random(recipe.seed)
    torch.manual_seed(recipe.seed)
    functional = torch.nn.functional
    optimiser = torch.optim.AdamW(model.parameters(), lr=recipe.learning_rate)
    warmup = max(1, round(recipe.steps * recipe.warmup_share))

    def rate(step: int) -> float:
        # Linear warm-up, then linear decay to zero at the last step.
        return float(min(1.0, (step + 1) / warmup) * max(0.0, (recipe.steps - step) / recipe.steps))

    schedule = torch.optim.lr_scheduler.LambdaLR(optimiser, rate)
    # `preprocess` replaced `tokenize` in sentence-transformers 5.
    prepare = getattr(model, "preprocess", None) or model.tokenize
    model.train()
    started = time.monotonic()
    for step in range(recipe.steps):
        chosen = chooser.sample(groups, min(recipe.batch_entries, len(groups)))
        pairs = [chooser.sample(group, 2) for group in chosen]
        texts = [first for first, _ in pairs] + [second for _, second in pairs]
        vectors = model(prepare(texts))["sentence_embedding"]
        vectors = functional.normalize(vectors, dim=1)
        anchors, positives = vectors[: len(pairs)], vectors[len(pairs) :]
        logits = anchors @ positives.T * recipe.similarity_scale
        labels = torch.arange(len(pairs))
        # Symmetric: each phrasing must pick its partner out of the batch, both ways round.
        loss = functional.cross_entropy(logits, labels) + functional.cross_entropy(logits.T, labels)
        loss = loss / 2
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        if progress is not None:
            progress(step + 1, recipe.steps, time.monotonic() - started)
    model.eval()


@cache
def load_tuned_encoder(model_dir: Path) -> MiniLmEncoder:
    """The tuned model in `model_dir`, after checking its weights against its manifest."""
    try:
        manifest = json.loads((model_dir / MANIFEST).read_text())
        expected = str(manifest["weights_sha256"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SemanticUnavailable(
            f"{model_dir / MANIFEST} is unreadable ({exc}); {RETUNE_FIX}"
        ) from exc
    check_weights(model_dir / MODEL_WEIGHTS, expected, fix=RETUNE_FIX)
    library = sentence_transformers_offline()
    model = library.SentenceTransformer(str(model_dir), device="cpu")
    return MiniLmEncoder(model, name=f"{MODEL_NAME} tuned {model_dir.name[len(TUNED_PREFIX) :]}")


def choose_faq_encoder(
    mode: SemanticMode, faq: FaqContent, data_dir: Path
) -> SentenceEncoder | None:
    """The encoder `mode` asks for, tuned to `faq` when `ims-bot faq tune` has been run on
    this FAQ version; otherwise the untuned model, with a warning saying how to tune it."""
    if not semantic_wanted(mode):
        return None
    found = TunedModelStore(data_dir).find(tuning_groups(faq))
    if found is None:
        logger.warning(
            "the sentence model is not tuned to this FAQ version; run `ims-bot faq tune` "
            "(a tuned model answers more questions correctly)"
        )
    else:
        try:
            return load_tuned_encoder(found)  # the untuned model is then never loaded
        except SemanticUnavailable as exc:
            logger.warning("the tuned sentence model was not used: %s", exc)
    return load_bundled_encoder()
