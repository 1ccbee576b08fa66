"""A second opinion on which FAQ entry a message asks for, learned from the content itself.

The clinic's own wordings are the training data: each entry's question and alternates
(and each out-of-scope topic's examples) are its training phrases, much as Rasa NLU or
Azure CLU learn an intent from its examples, and the content's synonym groups fold names
of one thing into one feature. Nothing here is tuned on a test set's sentences: the
labelled sets only chose the features and the numbers below, by leave-one-set-out
(benchmarks/README.md, "A ranker learned from the content").

A phrase is described by TF-IDF weighted features of two kinds, each kind scaled to unit
length and then mixed:

* words: stemmed, synonym-collapsed tokens (as the matcher reads them) and adjacent pairs;
* character n-grams of each word, padded with spaces, so a slip inside a word ("insurnace")
  still shares most of its grams with the word.

An entry's score is the cosine between the message and the entry's nearest phrasing
(`nearest`), or the entry's centroid (`centroid`). Building is a few sparse arrays, with
no training loop, so it takes milliseconds and adding an alternate to faq.yaml teaches it
at the next load with no code change.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from bot.content.model import DocumentFrequencies, FaqContent
from bot.faq.text import SynonymMap, analyse, words

ScoreKind = Literal["nearest", "centroid", "bayes"]

_Floats = npt.NDArray[np.float64]
_Indices = npt.NDArray[np.intp]

CHAR_GRAM_SIZES = (3, 4)
PAIR_JOINER = "+"  # never produced by tokenising, so pairs cannot clash with words
CHAR_MARK = "#"  # character grams are kept apart from words in one vocabulary
DENSE_CELLS = 2_000_000  # features x entries up to this (16 MB) are kept as a dense table


@dataclass(frozen=True)
class RankerSettings:
    """How phrases are described and compared (chosen by leave-one-set-out)."""

    char_share: float = 0.0  # weight of the character part against the word part
    pairs: bool = False  # adjacent word pairs as features too
    kind: ScoreKind = "centroid"
    smoothing: float = 0.01  # naive Bayes: mass added to every feature of every entry
    temperature: float = 1.0  # naive Bayes: log-likelihoods are divided by it
    # Words the content never uses count in a message's length (cosine kinds), so a message
    # mostly about something else scores low.
    unknown_words: bool = False


@dataclass(frozen=True)
class ModelView:
    """What the learned ranker thinks of one message."""

    scores: _Floats  # per entry (clinic entries, then out-of-scope topics), cosine in 0..1
    best: int  # index of the best entry, -1 when nothing matched at all
    lead: float  # best score minus the runner-up's
    # The squared TF-IDF weight of the message's words that the content uses (before the
    # message is scaled to unit length): with `ContentRanker.unseen_weight` it tells how
    # much of the message the scores rest on.
    known: float = 0.0


def _word_features(tokens: list[str], pairs: bool) -> Counter[str]:
    found = Counter(tokens)
    if pairs:
        found.update(a + PAIR_JOINER + b for a, b in itertools.pairwise(tokens))
    return found


def _char_features(text_words: list[str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for word in text_words:
        padded = f" {word} "
        for size in CHAR_GRAM_SIZES:
            if len(padded) < size:
                continue
            found.update(CHAR_MARK + padded[i : i + size] for i in range(len(padded) - size + 1))
    return found


class ContentRanker:
    """Ranks FAQ entries for a message by similarity to their own wordings."""

    def __init__(
        self,
        entries: Sequence[tuple[str, Sequence[str]]],
        synonyms: Sequence[Sequence[str]] = (),
        settings: RankerSettings | None = None,
        phrase_weights: Sequence[float] | None = None,
        reference: DocumentFrequencies | None = None,
    ) -> None:
        """`reference`: frozen feature counts to weigh by (bot.content.faq_statistics), so
        an added wording does not reweigh every feature; None weighs by these wordings."""
        self.settings = settings or RankerSettings()
        self._synonyms = SynonymMap(synonyms)
        self.ids = tuple(faq_id for faq_id, _ in entries)
        self.position = {faq_id: index for index, faq_id in enumerate(self.ids)}
        self._entry_count = len(entries)
        owners = [i for i, (_, phrasings) in enumerate(entries) for _ in phrasings]
        described = [self._describe(p) for _, phrasings in entries for p in phrasings]
        # One vocabulary, word features first; IDF over phrasings (smoothed, as sklearn's).
        self._vocabulary: dict[str, int] = {}
        row_of: list[int] = []
        feature_of: list[int] = []
        counts: list[int] = []
        is_char: list[bool] = []
        for row, parts in enumerate(described):
            for char, part in enumerate(parts):
                for feature, count in part.items():
                    row_of.append(row)
                    feature_of.append(self._vocabulary.setdefault(feature, len(self._vocabulary)))
                    counts.append(count)
                    is_char.append(bool(char))
        rows = np.array(row_of, dtype=np.intp)
        features = np.array(feature_of, dtype=np.intp)
        size = len(self._vocabulary)
        document_count = np.bincount(features, minlength=size)
        self._document_counts = (len(described), document_count)
        documents = len(described)
        if reference is not None:
            documents = reference.documents
            document_count = np.array(
                [reference.count(f) for f in self._vocabulary], dtype=np.int64
            )
        self._idf: _Floats = np.log((1 + documents) / (1 + document_count)) + 1.0
        self._idf_list: list[float] = self._idf.tolist()
        self._unseen_idf = math.log(1 + documents) + 1.0
        weights = (1.0 + np.log(np.array(counts, dtype=np.float64))) * self._idf[features]
        values = self._unit_parts(rows, np.array(is_char, dtype=np.bool_), weights, len(described))
        if phrase_weights is not None:
            # A phrasing's weight in its entry's centroid (or nearest score).
            values = values * np.asarray(phrase_weights, dtype=np.float64)[rows]
        self._owner: _Indices = np.array(owners, dtype=np.intp)
        self._entry_norm: _Floats | None = None
        if self.settings.kind == "bayes":
            rows, features, mass = self._entry_sums(rows, features, values, size)
            smoothing = self.settings.smoothing
            # Naive Bayes kept sparse: log P(f | entry) = log(mass + a) - log(total + a V);
            # only the cells an entry uses differ from log a - log(total + a V).
            values = np.log1p(mass / smoothing)
            totals = np.bincount(rows, weights=mass, minlength=self._entry_count)
            self._entry_norm = np.log(totals + smoothing * size)
            self._owner = np.arange(self._entry_count, dtype=np.intp)
        if self.settings.kind == "centroid":
            rows, features, values = self._entry_sums(rows, features, values, size)
            norms = np.sqrt(np.bincount(rows, weights=values**2, minlength=self._entry_count))
            values = values / norms[rows]
            self._owner = np.arange(self._entry_count, dtype=np.intp)
        # Postings per feature: which rows use it, with what weight.
        order = np.argsort(features, kind="stable")
        self._posting_rows: _Indices = rows[order]
        self._posting_values: _Floats = values[order]
        self._starts: _Indices = np.concatenate(
            ([0], np.cumsum(np.bincount(features, minlength=size)))
        ).astype(np.intp)
        self._row_count = int(self._owner.size)
        # One row per entry and a small table: kept dense, feature by feature, so a message
        # gathers its few rows and sums them in one step.
        self._dense: _Floats | None = None
        if self._row_count == self._entry_count and size * self._entry_count <= DENSE_CELLS:
            self._dense = np.zeros((size, self._entry_count), dtype=np.float64)
            self._dense[features, rows] = values
        # Rows are grouped by entry: where each entry's run starts, for one `reduceat`.
        self._run_starts: _Indices = np.flatnonzero(np.diff(self._owner, prepend=-1) != 0).astype(
            np.intp
        )
        self._run_entry: _Indices = self._owner[self._run_starts]

    def _unit_parts(
        self, rows: _Indices, is_char: npt.NDArray[np.bool_], weights: _Floats, count: int
    ) -> _Floats:
        """Each row's word part and character part scaled to unit length, then by their
        shares (so the whole row has unit length)."""
        share = self.settings.char_share
        values = np.zeros_like(weights)
        for mask, part_share in ((~is_char, 1.0 - share), (is_char, share)):
            if part_share <= 0.0 or not mask.any():
                continue
            norms = np.sqrt(np.bincount(rows[mask], weights=weights[mask] ** 2, minlength=count))
            values[mask] = weights[mask] * math.sqrt(part_share) / norms[rows[mask]]
        return values

    def _entry_sums(
        self, rows: _Indices, features: _Indices, values: _Floats, size: int
    ) -> tuple[_Indices, _Indices, _Floats]:
        """Each entry's rows summed, as sparse (entry, feature, sum) triples."""
        cells = self._owner[rows] * size + features
        unique, inverse = np.unique(cells, return_inverse=True)
        sums: _Floats = np.bincount(inverse, weights=values).astype(np.float64)
        return (unique // size).astype(np.intp), (unique % size).astype(np.intp), sums

    @classmethod
    def from_faq(cls, faq: FaqContent, settings: RankerSettings | None = None) -> ContentRanker:
        """A ranker over a `FaqContent`'s entries and out-of-scope topics, in the matcher's
        order (entries first)."""
        entries = [(entry.id, entry.phrasings) for entry in faq.entries]
        entries += [(topic.id, topic.examples) for topic in faq.out_of_scope]
        return cls(entries, faq.synonyms, settings)

    def _describe(self, text: str) -> tuple[Counter[str], Counter[str]]:
        tokens = analyse(text, self._synonyms)
        chars = _char_features(words(text)) if self.settings.char_share > 0.0 else Counter()
        return _word_features(tokens, self.settings.pairs), chars

    @property
    def document_frequencies(self) -> DocumentFrequencies:
        """How many wordings use each feature (of how many), to freeze as a reference."""
        documents, counts = self._document_counts
        return DocumentFrequencies.of(
            documents, {f: int(n) for f, n in zip(self._vocabulary, counts.tolist(), strict=True)}
        )

    @property
    def unseen_weight(self) -> float:
        """The squared TF-IDF weight of a word no wording of the content uses (the rarest)."""
        return self._unseen_idf * self._unseen_idf

    def _vector(
        self, word_part: Counter[str], char_part: Counter[str]
    ) -> tuple[_Indices, _Floats, float]:
        """A message's unit-length TF-IDF vector over known features, as (ids, weights), and
        the squared weight of its known words before scaling."""
        share = self.settings.char_share
        ids: list[int] = []
        values: list[float] = []
        known_words = 0.0
        for part, part_share in ((word_part, 1.0 - share), (char_part, share)):
            if part_share <= 0.0:
                continue
            vocabulary, idf = self._vocabulary, self._idf_list
            known = [(vocabulary[f], n) for f, n in part.items() if f in vocabulary]
            if not known:
                continue
            weights = [idf[f] if n == 1 else (1.0 + math.log(n)) * idf[f] for f, n in known]
            norm = sum(w * w for w in weights)
            if part is word_part:
                known_words = norm
            if self.settings.unknown_words:
                # A word no wording of the content uses is the rarest word of all: it keeps
                # its share of the message, so "where is the bathroom" is not "where is it".
                unseen = len(part) - len(known)
                norm += unseen * self._unseen_idf * self._unseen_idf
            scale = math.sqrt(part_share) / math.sqrt(norm)
            ids.extend(f for f, _ in known)
            values.extend(w * scale for w in weights)
        return np.array(ids, dtype=np.intp), np.array(values, dtype=np.float64), known_words

    def _bayes_view(
        self, row_scores: _Floats, values: _Floats, entry_norm: _Floats, known: float
    ) -> ModelView:
        raw = row_scores - float(values.sum()) * entry_norm
        scores = np.exp((raw - raw.max()) / self.settings.temperature)
        return _with_lead(scores / scores.sum(), known)

    def view(self, text: str, tokens: list[str] | None = None) -> ModelView:
        """Every entry's score for `text`, the best entry and its lead; `tokens` are the
        message's analysed words when the caller has them (the matcher's, slips repaired)."""
        if tokens is None:
            tokens = analyse(text, self._synonyms)
        chars = _char_features(words(text)) if self.settings.char_share > 0.0 else Counter()
        word_part = _word_features(tokens, self.settings.pairs)
        features, values, known = self._vector(word_part, chars)
        if features.size == 0:
            return ModelView(np.zeros(self._entry_count, dtype=np.float64), -1, 0.0)
        return self._scored(features, values, known)

    def _scored(self, features: _Indices, values: _Floats, known: float) -> ModelView:
        """The view of a message's vector (`features`, `values`; `known` as in ModelView)."""
        if self._dense is not None:
            row_scores: _Floats = values @ self._dense[features]
            if self._entry_norm is not None:
                return self._bayes_view(row_scores, values, self._entry_norm, known)
            return _with_lead(np.minimum(row_scores, 1.0), known)
        begins = self._starts[features]
        lengths = self._starts[features + 1] - begins
        total = int(lengths.sum())
        if total == 0:
            return ModelView(np.zeros(self._entry_count, dtype=np.float64), -1, 0.0, known)
        # Positions of every posting of the message's features, in one array.
        offsets = np.repeat(begins - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
        weights = self._posting_values[offsets] * np.repeat(values, lengths)
        row_scores = np.bincount(
            self._posting_rows[offsets], weights=weights, minlength=self._row_count
        ).astype(np.float64)
        if self._entry_norm is not None:
            return self._bayes_view(row_scores, values, self._entry_norm, known)
        if self._row_count == self._entry_count:
            scores = np.minimum(row_scores, 1.0)  # one row per entry (centroids)
        else:
            scores = np.zeros(self._entry_count, dtype=np.float64)
            scores[self._run_entry] = np.maximum.reduceat(row_scores, self._run_starts)
            np.minimum(scores, 1.0, out=scores)
        return _with_lead(scores, known)


def _with_lead(scores: _Floats, known: float = 0.0) -> ModelView:
    """The view of `scores`: the best entry (none when nothing scored) and its lead."""
    best = int(scores.argmax())
    top = float(scores[best])
    if top <= 0.0:
        return ModelView(scores, -1, 0.0, known)
    scores[best] = -1.0
    runner_up = max(0.0, float(scores.max())) if scores.size > 1 else 0.0
    scores[best] = top
    return ModelView(scores, best, top - runner_up, known)
