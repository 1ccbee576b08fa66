"""Fuzzy FAQ matching: which curated entry, if any, answers a patient's question.

Scores combine several signals, each in 0..1, with weights that sum to one, so the final
score is in 0..1 too (1 = the query says exactly what a phrasing says):

* coverage of the query's informative words (IDF-weighted, stemmed, synonyms collapsed)
  by the whole entry and by its best phrasing, with typo-tolerant word lookup;
* coverage of that phrasing's words by the query, so a one-word query cannot look like a
  perfect match for a long question (the `token_set_ratio` subset trap);
* rapidfuzz `token_sort_ratio` on the analysed text, for spelling slips inside words.

In a long message, words the FAQ never uses weigh less: they tell the patient's story,
while in a short message an unknown word usually means the question is about something
else ("do you treat dogs").

Weights and default thresholds were tuned on CLINC150 validation data (see
benchmarks/clinc150.py); a clinic can override the thresholds in faq.yaml. A direct
answer also needs the entry to use enough of the query's informative words (its
coverage, tuned on the clinic DEV set): a lookalike of a phrasing that is really about
something else gets "did you mean" instead.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.content.model import FaqContent
from bot.faq.text import (
    SynonymMap,
    analyse,
    sentences,
    stem,
    stop_stems,
    truncate,
    words,
)

Decision = Literal["answer", "suggest", "fallback"]

MAX_SUGGESTIONS = 3
MIN_TYPO_TOKEN_LENGTH = 4  # shorter words have too many one-letter neighbours
LONG_TYPO_TOKEN_LENGTH = 7  # from this length two slips are forgiven, below it one
TYPO_CACHE_SIZE = 4096
MIN_SENTENCE_WINDOW_WORDS = 12  # longer queries are also scored sentence by sentence
FUZZY_FLOOR = 40.0  # rapidfuzz scores below this add nothing useful
CHAR_GRAM_SIZE = 3
LARGE_FAQ_PHRASINGS = 2000  # from this size, weak words only refine content-word hits
GRAM_PRUNE_MIN_DOCS = 1000  # from this many entries, trigrams in > 1/5 of them are skipped
CALIBRATION_SAMPLE = 40  # phrasings scored against the index to find the exact-match score
BIGRAM_JOINER = "+"  # never produced by tokenising, so pairs cannot clash with words
DEFAULT_MIN_COVERAGE = 0.4
DEFAULT_CLEAR_LEAD = 0.2


@dataclass(frozen=True)
class MatchThresholds:
    """When to answer, when to suggest; scores are in 0..1."""

    answer: float = 0.52
    suggest: float = 0.48
    margin: float = 0.06
    # Share of the query's informative words the best entry must use to be answered
    # directly: a query that merely resembles a phrasing's wording ("can I bring my dog
    # to the appointment") is suggested instead. Tuned on the clinic DEV set.
    coverage: float = DEFAULT_MIN_COVERAGE
    # A lead over the runner-up this large answers even below the coverage gate (on the
    # DEV set it added no wrong answer): wordy questions often cover little.
    clear_lead: float = DEFAULT_CLEAR_LEAD

    def covered(self, best: Candidate, lead: float) -> bool:
        """Whether `best` uses enough of the query to be answered, given its lead."""
        return best.coverage >= self.coverage or lead >= self.clear_lead


@dataclass(frozen=True)
class MatchWeights:
    """How much each signal counts, and how words are weighted (tuned on CLINC150 val)."""

    entry_coverage: float = 0.5
    query_coverage: float = 0.2
    phrasing_coverage: float = 0.1
    fuzzy: float = 0.4
    stop_word: float = 0.4  # a stop word's weight relative to its IDF
    unknown_word: float = 0.7  # a word the FAQ never uses, relative to the rarest known word
    typo_credit: float = 0.8  # credit for a word matched only after typo correction
    char_ngrams: float = 0.4  # cosine of character trigram TF-IDF, query vs whole entry
    bigram: float = 0.25  # weight of a word pair relative to its IDF (0: pairs ignored)
    bm25_k1: float = 1.2  # how fast repeated use of a word across an entry's phrasings saturates
    bm25_b: float = 0.5  # how much longer entries are discounted
    # Beyond this many words, words the FAQ never uses count less and less (down to the
    # floor): in a long message they are mostly the patient's story, not the topic, while
    # in a short one an unknown word usually means the question is about something else.
    story_words: int = 6
    story_floor: float = 0.2
    # An entry that uses less than this share of the query's informative words has its
    # score scaled down (by the square root of the shortfall): "do you treat acne" shares
    # "do you treat" with "do you treat kids", but acne is the question.
    full_coverage: float = 0.7
    coverage_power: float = 0.5

    def signal_total(self) -> float:
        """Sum of the four signal weights (scores are divided by it)."""
        return (
            self.entry_coverage
            + self.query_coverage
            + self.phrasing_coverage
            + self.fuzzy
            + self.char_ngrams
        )


@dataclass(frozen=True)
class Candidate:
    """One FAQ entry and how well it matches."""

    faq_id: str
    score: float
    coverage: float = 1.0  # share of the query's informative weight the entry uses


@dataclass(frozen=True)
class MatchResult:
    """The matcher's decision for one query."""

    decision: Decision
    faq_id: str | None  # set only when decision == "answer"
    score: float  # best score
    suggestions: tuple[Candidate, ...] = ()


_EntryFigures = dict[int, float]  # entry index -> a score or a coverage in 0..1


@dataclass
class _Phrasing:
    entry: int
    weights: dict[str, float]  # unique token -> weight
    total: float
    text: str  # analysed words sorted and joined, for rapidfuzz


@dataclass
class _Query:
    weights: dict[str, float] = field(default_factory=dict)  # token -> weight
    credits: dict[str, float] = field(default_factory=dict)  # vocabulary token -> credit
    total: float = 0.0
    text: str = ""  # analysed words sorted and joined, as a phrasing's text


def _plain_text(terms: list[str]) -> str:
    """The single words of `terms` in sorted order, joined, for rapidfuzz.

    `fuzz.ratio` on sorted words is `fuzz.token_sort_ratio`; sorting each phrasing once
    here instead of on every comparison makes the fuzzy pass about 4x faster.
    """
    return " ".join(sorted(t for t in terms if BIGRAM_JOINER not in t))


class CharGramIndex:
    """TF-IDF vectors of character trigrams, one per document, for cosine lookups."""

    def __init__(self, documents: Sequence[str]) -> None:
        counted = [self._grams(doc) for doc in documents]
        frequency: dict[str, int] = {}
        for grams in counted:
            for gram in grams:
                frequency[gram] = frequency.get(gram, 0) + 1
        count = len(documents)
        self._idf = {g: math.log((1 + count) / (1 + df)) + 1.0 for g, df in frequency.items()}
        self._postings: dict[str, list[tuple[int, float]]] = {}
        # Small FAQs use every trigram; large ones skip trigrams most documents share.
        self._common_limit = count if count < GRAM_PRUNE_MIN_DOCS else count // 5
        for index, grams in enumerate(counted):
            vector = self._vector(grams)
            for gram, value in vector.items():
                self._postings.setdefault(gram, []).append((index, value))

    @staticmethod
    def _grams(text: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for word in text.split():
            padded = f" {word} "
            for i in range(len(padded) - CHAR_GRAM_SIZE + 1):
                gram = padded[i : i + CHAR_GRAM_SIZE]
                counts[gram] = counts.get(gram, 0) + 1
        return counts

    def _vector(self, grams: dict[str, int]) -> dict[str, float]:
        vector = {
            g: (1.0 + math.log(tf)) * self._idf[g] for g, tf in grams.items() if g in self._idf
        }
        norm = math.sqrt(sum(v * v for v in vector.values()))
        return {g: v / norm for g, v in vector.items()} if norm else {}

    def cosines(self, text: str) -> dict[int, float]:
        """Document index -> cosine similarity with `text` (documents sharing a trigram)."""
        scores: dict[int, float] = {}
        for gram, value in self._vector(self._grams(" ".join(words(text)))).items():
            postings = self._postings[gram]
            if len(postings) > self._common_limit:
                continue  # in most documents of a large FAQ: costly and uninformative
            for index, weight in postings:
                scores[index] = scores.get(index, 0.0) + value * weight
        return scores


class FaqMatcher:
    """Ranks FAQ entries for a question and decides answer / suggest / fallback."""

    def __init__(
        self,
        entries: Sequence[tuple[str, Sequence[str]]],
        synonyms: Sequence[Sequence[str]] = (),
        thresholds: MatchThresholds | None = None,
        weights: MatchWeights | None = None,
    ) -> None:
        self.thresholds = thresholds or MatchThresholds()
        self.weights = weights or MatchWeights()
        self._synonyms = SynonymMap(synonyms)
        self._stops = stop_stems()
        self._ids = [faq_id for faq_id, _ in entries]
        analysed = [
            [self._terms(analyse(p, self._synonyms)) for p in phrasings] for _, phrasings in entries
        ]
        self._idf = self._inverse_document_frequency(analysed)
        self._max_idf = max(self._idf.values(), default=1.0)
        self._mean_idf = sum(self._idf.values()) / len(self._idf) if self._idf else 1.0
        self._phrasings: list[_Phrasing] = []
        self._postings: dict[str, list[int]] = {}
        self._entry_postings = self._entry_term_weights(analysed)
        for entry_index, entry_phrasings in enumerate(analysed):
            for tokens in entry_phrasings:
                self._add_phrasing(entry_index, tokens)
        self._exact = self._exact_phrasings(entries)
        # Surface words the FAQ uses (phrasings and synonyms) -> stem, for typo repair.
        surface = {w for _, phrasings in entries for p in phrasings for w in words(p)}
        surface |= {w for group in synonyms for phrase in group for w in words(phrase)}
        self._known_stems = {stem(w) for w in surface}
        self._vocabulary = sorted(w for w in surface if len(w) >= MIN_TYPO_TOKEN_LENGTH)
        self._phrasing_texts = [p.text for p in self._phrasings]
        self._large = len(self._phrasings) >= LARGE_FAQ_PHRASINGS
        self._grams = CharGramIndex([" ".join(words(" ".join(p))) for _, p in entries])
        self._typo_cache: dict[str, str | None] = {}
        self._scale = 1.0
        self._scale = self._exact_match_score([p for _, ps in entries for p in ps])

    @classmethod
    def from_content(cls, faq: FaqContent) -> FaqMatcher:
        """A matcher over `faq`, honouring its threshold overrides."""
        defaults = MatchThresholds()
        thresholds = MatchThresholds(
            answer=defaults.answer if faq.answer_threshold is None else faq.answer_threshold,
            suggest=defaults.suggest if faq.suggest_threshold is None else faq.suggest_threshold,
            margin=defaults.margin if faq.margin is None else faq.margin,
        )
        entries = [(entry.id, entry.phrasings) for entry in faq.entries]
        return cls(entries, synonyms=faq.synonyms, thresholds=thresholds)

    @property
    def faq_ids(self) -> tuple[str, ...]:
        """Entry ids in index order."""
        return tuple(self._ids)

    # -- building -------------------------------------------------------------------

    @staticmethod
    def _inverse_document_frequency(analysed: list[list[list[str]]]) -> dict[str, float]:
        """BM25-style IDF with one document per entry (all its phrasings together)."""
        count = len(analysed)
        frequency: dict[str, int] = {}
        for entry_phrasings in analysed:
            for token in {t for tokens in entry_phrasings for t in tokens}:
                frequency[token] = frequency.get(token, 0) + 1
        return {
            token: math.log(1.0 + (count - df + 0.5) / (df + 0.5))
            for token, df in frequency.items()
        }

    def _entry_term_weights(
        self, analysed: list[list[list[str]]]
    ) -> dict[str, list[tuple[int, float]]]:
        """Token -> (entry, BM25 term saturation in 0..1) over each entry's phrasings."""
        k1, b = self.weights.bm25_k1, self.weights.bm25_b
        lengths = [sum(len(tokens) for tokens in phrasings) for phrasings in analysed]
        average = (sum(lengths) / len(lengths)) if lengths else 1.0
        postings: dict[str, list[tuple[int, float]]] = {}
        for entry_index, phrasings in enumerate(analysed):
            counts: dict[str, int] = {}
            for tokens in phrasings:
                for token in set(tokens):
                    counts[token] = counts.get(token, 0) + 1
            norm = k1 * (1.0 - b + b * lengths[entry_index] / max(average, 1.0))
            for token in sorted(counts):
                tf = counts[token]
                saturation = tf * (k1 + 1.0) / (tf + norm) / (k1 + 1.0)
                postings.setdefault(token, []).append((entry_index, min(1.0, saturation)))
        return postings

    def _exact_phrasings(
        self, entries: Sequence[tuple[str, Sequence[str]]]
    ) -> dict[tuple[str, ...], int]:
        """Analysed phrasing -> its entry, for phrasings only one entry uses."""
        owners: dict[tuple[str, ...], set[int]] = {}
        for entry_index, (_, phrasings) in enumerate(entries):
            for phrasing in phrasings:
                key = tuple(analyse(phrasing, self._synonyms))
                if key:
                    owners.setdefault(key, set()).add(entry_index)
        return {key: next(iter(found)) for key, found in owners.items() if len(found) == 1}

    def _terms(self, tokens: list[str]) -> list[str]:
        """`tokens` followed by their adjacent pairs (when pairs count at all)."""
        if self.weights.bigram <= 0.0:
            return tokens
        return tokens + [f"{a}{BIGRAM_JOINER}{b}" for a, b in itertools.pairwise(tokens)]

    def _token_weight(self, token: str, idf: float) -> float:
        if BIGRAM_JOINER in token:
            return idf * self.weights.bigram
        return idf * self.weights.stop_word if token in self._stops else idf

    def _add_phrasing(self, entry_index: int, tokens: list[str]) -> None:
        weights = {t: self._token_weight(t, self._idf[t]) for t in dict.fromkeys(tokens)}
        index = len(self._phrasings)
        self._phrasings.append(
            _Phrasing(entry_index, weights, sum(weights.values()), _plain_text(tokens))
        )
        for token in weights:
            self._postings.setdefault(token, []).append(index)

    # -- querying -------------------------------------------------------------------

    def _correct_typo(self, word: str) -> str | None:
        """The stem of the FAQ word `word` is most likely a slip of, if any."""
        if word in self._typo_cache:
            return self._typo_cache[word]
        corrected: str | None = None
        if len(word) >= MIN_TYPO_TOKEN_LENGTH and not word.isdigit() and self._vocabulary:
            allowed = 2 if len(word) >= LONG_TYPO_TOKEN_LENGTH else 1
            found = process.extractOne(
                word, self._vocabulary, scorer=OSA.distance, score_cutoff=allowed
            )
            # A slip is never read as a stop word: "dogs" is not "does".
            if found is not None and stem(found[0]) not in self._stops:
                corrected = stem(found[0])
        if len(self._typo_cache) >= TYPO_CACHE_SIZE:
            self._typo_cache.clear()
        self._typo_cache[word] = corrected
        return corrected

    def _analyse_query(self, text: str) -> tuple[list[str], set[str]]:
        """Query tokens as phrasings are analysed, with typos repaired; and the repaired."""
        stems: list[str] = []
        repaired: set[str] = set()
        for word in words(text):
            token = stem(word)
            if token not in self._known_stems:
                fixed = self._correct_typo(word)
                if fixed is not None:
                    token = fixed
                    repaired.add(fixed)
            stems.append(token)
        return self._synonyms.collapse(stems), repaired

    def _is_weak(self, token: str) -> bool:
        """A stop word or a word pair: little weight, long postings."""
        return token in self._stops or BIGRAM_JOINER in token

    def _prepare(self, tokens: list[str], repaired: set[str]) -> _Query:
        query = _Query(text=" ".join(sorted(tokens)))
        w = self.weights
        story = (
            max(w.story_floor, w.story_words / len(tokens)) if len(tokens) > w.story_words else 1.0
        )
        unknown = self._max_idf * w.unknown_word * story
        for token in dict.fromkeys(self._terms(tokens)):
            idf = self._idf.get(token)
            if idf is None:
                weight = self._token_weight(token, unknown)
                query.weights[token] = weight
                continue
            query.weights[token] = self._token_weight(token, idf)
            query.credits[token] = self.weights.typo_credit if token in repaired else 1.0
        # A floor of one ordinary content word, so "a" or "is it" cannot cover a phrasing.
        query.total = max(sum(query.weights.values()), self._mean_idf)
        return query

    def _score_text(
        self, raw: str, analysed: tuple[list[str], set[str]] | None = None
    ) -> tuple[_EntryFigures, _EntryFigures]:
        """Entry index -> combined score, and -> coverage, for one piece of query text."""
        tokens, repaired = analysed if analysed is not None else self._analyse_query(raw)
        if not tokens:
            return {}, {}
        w = self.weights
        query = self._prepare(tokens, repaired)
        if query.total <= 0.0:
            return {}, {}
        entry_hits: dict[int, float] = {}
        entry_used: dict[int, float] = {}
        phrasing_hits: dict[int, float] = {}
        # In a large FAQ, content words go first and stop words and word pairs then only
        # add to phrasings a content word found: their postings are long, weights small.
        ordered = sorted(query.credits.items(), key=lambda item: self._is_weak(item[0]))
        has_content = self._large and bool(ordered) and not self._is_weak(ordered[0][0])
        for token, credit in ordered:
            gained = query.weights[token] * credit
            only_hit = has_content and self._is_weak(token)
            for entry, saturation in self._entry_postings.get(token, ()):
                if not only_hit or entry in entry_hits:
                    entry_hits[entry] = entry_hits.get(entry, 0.0) + gained * saturation
                    entry_used[entry] = entry_used.get(entry, 0.0) + gained
            for index in self._postings.get(token, ()):
                if not only_hit or index in phrasing_hits:
                    phrasing_hits[index] = phrasing_hits.get(index, 0.0) + gained
        fuzzy_scores = {
            index: score / 100.0
            for _, score, index in process.extract(
                query.text,
                self._phrasing_texts,
                scorer=fuzz.ratio,  # on sorted words: token_sort_ratio
                limit=None,
                score_cutoff=FUZZY_FLOOR,
            )
        }
        best_phrasing: dict[int, float] = {}
        for index in phrasing_hits.keys() | fuzzy_scores.keys():
            phrasing = self._phrasings[index]
            hit = phrasing_hits.get(index, 0.0)
            value = w.fuzzy * fuzzy_scores.get(index, 0.0)
            if hit and phrasing.total > 0.0:
                value += w.query_coverage * min(1.0, hit / query.total)
                value += w.phrasing_coverage * min(1.0, hit / phrasing.total)
            if value > best_phrasing.get(phrasing.entry, 0.0):
                best_phrasing[phrasing.entry] = value
        gram_scores = self._grams.cosines(raw) if w.char_ngrams > 0.0 else {}
        total = w.signal_total()
        scores = {
            entry: (
                best_phrasing.get(entry, 0.0)
                + w.entry_coverage * min(1.0, entry_hits.get(entry, 0.0) / query.total)
                + w.char_ngrams * gram_scores.get(entry, 0.0)
            )
            / total
            for entry in entry_hits.keys() | best_phrasing.keys() | gram_scores.keys()
        }
        # Against the query's own weight, not the floored total: "what is IMS" is fully
        # covered even though all its words are common in the FAQ.
        weight = sum(query.weights.values())
        coverage = {entry: min(1.0, used / weight) for entry, used in entry_used.items()}
        return scores, coverage

    def _scores(self, text: str) -> tuple[_EntryFigures, _EntryFigures, list[str]]:
        """Entry index -> score and -> coverage, the best over the message and its sentences;
        and the whole message's analysed tokens."""
        text = truncate(text)
        analysed = self._analyse_query(text)
        scores, coverage = self._score_text(text, analysed)
        parts = sentences(text)
        if len(parts) > 1 and len(text.split()) >= MIN_SENTENCE_WINDOW_WORDS:
            for part in parts:
                part_scores, part_coverage = self._score_text(part)
                for figures, found in ((scores, part_scores), (coverage, part_coverage)):
                    for entry, value in found.items():
                        if value > figures.get(entry, 0.0):
                            figures[entry] = value
        return scores, coverage, analysed[0]

    def _exact_match_score(self, phrasings: Sequence[str]) -> float:
        """Median raw score of a phrasing typed exactly: the score shown as 1.0.

        Entry-level signals (BM25 over all phrasings, trigram cosine with the whole entry)
        never reach 1 even for a verbatim phrasing; dividing by this typical value makes
        1.0 mean "as good as typing one of the entry's own phrasings".
        """
        step = max(1, len(phrasings) // CALIBRATION_SAMPLE)
        values = sorted(
            self._scores(phrasings[i])[0].get(self._phrasings[i].entry, 0.0)
            for i in range(0, len(phrasings), step)
        )
        median = values[len(values) // 2] if values else 1.0
        return median if median > 0.0 else 1.0

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        """The best `limit` entries for `text`, best first, one per entry."""
        scores, coverage, tokens = self._scores(text)
        # A message that is exactly one of an entry's phrasings gets that entry, even when
        # its words are too common to score well on their own ("IMS?").
        exact = self._exact.get(tuple(tokens))
        if exact is not None:
            scores[exact] = max(scores.get(exact, 0.0), self._scale)
            coverage[exact] = 1.0
        w = self.weights
        if w.full_coverage > 0.0:
            for entry, score in scores.items():
                shortfall = min(1.0, coverage.get(entry, 0.0) / w.full_coverage)
                scores[entry] = score * shortfall**w.coverage_power
        ordered = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[: max(0, limit)]
        return [
            Candidate(
                self._ids[entry],
                round(min(1.0, score / self._scale), 4),
                round(coverage.get(entry, 0.0), 4),
            )
            for entry, score in ordered
        ]

    def match(self, text: str) -> MatchResult:
        """Answer, suggest or fall back for `text`; never raises on odd input."""
        return self.decide(self.rank(text, limit=MAX_SUGGESTIONS + 1))

    def decide(self, ranked: Sequence[Candidate]) -> MatchResult:
        """Apply the thresholds to an already ranked candidate list."""
        return decide(ranked, self.thresholds)


def decide(ranked: Sequence[Candidate], thresholds: MatchThresholds) -> MatchResult:
    """Answer / suggest / fallback for ranked candidates under `thresholds`."""
    if not ranked:
        return MatchResult("fallback", None, 0.0, ())
    best = ranked[0]
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    lead = best.score - runner_up
    if (
        best.score >= thresholds.answer
        and lead >= thresholds.margin
        and thresholds.covered(best, lead)
    ):
        return MatchResult("answer", best.faq_id, best.score, tuple(ranked[:MAX_SUGGESTIONS]))
    if best.score >= thresholds.suggest:
        close = tuple(c for c in ranked[:MAX_SUGGESTIONS] if c.score >= thresholds.suggest)
        return MatchResult("suggest", None, best.score, close)
    return MatchResult("fallback", None, best.score, tuple(ranked[:MAX_SUGGESTIONS]))
