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
else ("do you treat dogs"). An English word list tells the two kinds of unknown word
apart: a real word ("prime", "mattress") is never "repaired" into the FAQ word a letter
away, and a non-word ("terified") is taken for a slip and weighs little. A long message
is also scored with the clause that asks the question weighted above the story around it.

A clinic can also list topics it does not answer here (out-of-scope examples such as "do
you sell TENS machines"). They are indexed like entries: when one ranks first the message
falls back instead of borrowing a clinic question that shares its words, and when one
comes close it is a rival for the margin, much as Rasa's `out_of_scope` intent works.

With the optional sentence-embedding extra (bot.faq.semantic), each entry's similarity in
meaning to the message is blended into this lexical score at a fixed share; meaning
alone stays below the suggest threshold.

Weights and default thresholds were tuned on CLINC150 validation data (see
benchmarks/clinc150.py); a clinic can override the thresholds in faq.yaml. A direct
answer also needs the entry to use enough of the query's informative words (its
coverage, tuned on the clinic DEV set): a lookalike of a phrasing that is really about
something else gets "did you mean" instead.
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import itertools
import math
import re
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Literal, TypeVar, cast

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.content.model import DocumentFrequencies, FaqContent, MatcherStatistics
from bot.core.english import english_frequencies, english_words
from bot.faq.learned import ContentRanker
from bot.faq.policy import LearnedPolicy
from bot.faq.semantic import PhrasingVectorCache, SemanticScorer, SentenceEncoder
from bot.faq.text import (
    PLACE_WORDS,
    SynonymMap,
    analyse,
    generic_stems,
    sentences,
    stem,
    stop_stems,
    truncate,
    vague_stems,
    words,
)

Decision = Literal["answer", "suggest", "fallback"]

MAX_SUGGESTIONS = 3
MIN_TYPO_TOKEN_LENGTH = 4  # shorter words have too many one-letter neighbours
# In a question of at most SHORT_QUESTION_WORDS words, the key word is most of what it says,
# so a three-letter non-word missing one letter of an FAQ word is read as it ("does ims hrt").
SHORT_QUESTION_WORDS = 4
SHORT_TYPO_TOKEN_LENGTH = 3
LONG_TYPO_TOKEN_LENGTH = 7  # from this length two slips are forgiven, below it one
TYPO_CACHE_SIZE = 4096
# A stem never contains a NUL, so this marks a word not yet looked up.
_NOT_CACHED: tuple[str, str] = ("\x00", "\x00")
# A real word this rare, one slip from an FAQ word at least this many times as common, is
# taken for a slip of it ("cots" for "cost", "dose" stays "dose": "does" is a stop word).
RARE_WORD_MAX_COUNT = 1000
RARE_WORD_RATIO = 50
MIN_SENTENCE_WINDOW_WORDS = 12  # longer queries are also scored sentence by sentence
FUZZY_FLOOR = 40.0  # rapidfuzz scores below this add nothing useful
# Entries whose phrasings get the fuzzy signal, the best on the other signals (see
# `FaqMatcher._shortlist`); chosen from the recall of the final choice on every labelled set.
FUZZY_SHORTLIST = 10
CHAR_GRAM_SIZE = 3
# Typed words whose trigram spots are kept (forgotten all at once beyond this: bounded).
WORD_SPOTS_KEPT = 50_000
# From this size, weak words only refine content-word hits (a speed mode for FAQs of many
# thousand phrasings; it reads some questions differently, so a clinic's FAQ of normal size
# must stay well below it: a test keeps the shipped content under half).
LARGE_FAQ_PHRASINGS = 5000
GRAM_PRUNE_MIN_DOCS = 1000  # from this many entries, trigrams in > 1/5 of them are skipped
DENSE_GRAM_CELLS = 2_000_000  # trigrams x entries up to this (16 MB) are kept as a dense table
CALIBRATION_SAMPLE = 60  # phrasings scored against the index to find the exact-match score
BIGRAM_JOINER = "+"  # never produced by tokenising, so pairs cannot clash with words
DEFAULT_MIN_COVERAGE = 0.4
DEFAULT_CLEAR_LEAD = 0.2
# The wide lead of a clinic's FAQ (`from_content`); tuned on the clinic's tuning sets, not on
# CLINC150, so the matcher's own defaults leave it off.
CONTENT_WIDE_LEAD = 0.15
# A content word (or synonym group) in at least this share of an entry's phrasings is what
# the entry is about: a message without it is not answered with that entry, only offered
# ("is dry needling used for back pain" lacks the "difference" of the comparison entry).
ESSENTIAL_SHARE = 0.85
MIN_PHRASINGS_FOR_ESSENTIAL = 6  # fewer phrasings say too little about what is essential
# A word most entries use (the treatment's name in an IMS FAQ) is never essential: "is
# there any evidence for it" is about IMS without naming it.
ESSENTIAL_MAX_ENTRY_SHARE = 0.3
# Up to this many words, an answer must rest on a word saying what the message is about,
# not on generic words only ("how long does it take to work"); longer messages tell a
# story around the question, and the question clause is weighed separately.
GENERIC_CHECK_MAX_WORDS = 8
# A word of the FAQ at least this frequent in the English word list's source texts is an
# everyday word ("choose" about 119,000, "approach" 33,000), not a term ("sharp" 28,500,
# "contraindications" 50): alone, it says little about what a question asks.
EVERYDAY_WORD_COUNT = 30_000
# An unknown word this long that no slip repair explains is a name ("myotherapy"), not a typo.
FOREIGN_NAME_LENGTH = 7
# A message this long with several clauses is also scored with its question clause in
# front: "my chiropractor mentioned Gunn IMS for my hip ... sorry, but what is it?"
MIN_FOCUS_WORDS = 8
# Clause breaks: sentence ends, commas and semicolons, and "but" / "so", which patients
# use to turn from their story to the question.
_CLAUSE_BREAK_RE = re.compile(r"[.!?;,\n]+|\bbut\b|\bso\b")


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
    # From the suggest threshold up, a lead this wide answers a message made only of words
    # the FAQ knows: headings and plain questions often score low on wording alone.
    wide_lead_margin: float | None = None
    # An answer resting on one topical word of the message, an everyday word that a single
    # wording of the entry uses ("why choose dry needling?" -> who_performs, on "can I
    # choose which practitioner I see"), answers only with this lead; None: no such check.
    single_wording_lead: float | None = None
    # How the learned ranker's opinion (bot.faq.learned) joins this decision; None: the
    # lexical decision alone.
    learned: LearnedPolicy | None = None

    def wide_lead(self, best: Candidate, lead: float) -> bool:
        """Whether `best`, below the answer threshold, leads by so much that it is answered:
        every word of the message is one the FAQ knows (or a slip), and no entry comes near."""
        if self.wide_lead_margin is None:
            return False
        return best.score >= self.suggest and lead >= self.wide_lead_margin and not best.strangers

    def covered(self, best: Candidate, lead: float) -> bool:
        """Whether `best` uses enough of the query to be answered, given its lead."""
        if not best.essential_words or best.vague:
            return False
        # Generic words alone answer only with a clear lead over every other entry.
        if not best.topical and lead < self.clear_lead:
            return False
        if (
            self.single_wording_lead is not None
            and best.anchor_wordings == 1
            and best.everyday_anchor
            and lead < self.single_wording_lead
        ):
            return False
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
    # A word the FAQ never uses that is no English word either ("terified", "ther") is
    # most likely a slip, not another topic, so it counts this much of an unknown word.
    non_word: float = 0.3
    # With the question clause in front, the other clauses' words count this much.
    context: float = 0.3
    # An entry that uses less than this share of the query's informative words has its
    # score scaled down (by the square root of the shortfall): "do you treat acne" shares
    # "do you treat" with "do you treat kids", but acne is the question.
    full_coverage: float = 0.7
    coverage_power: float = 0.5
    # Share of the final score taken by sentence-embedding similarity, when an encoder is
    # given (bot.faq.semantic). Kept below the suggest threshold, so meaning alone never
    # answers or suggests. Tuned on the clinic's tuning sets at the shipped thresholds.
    semantic: float = 0.3

    def signal_total(self) -> float:
        """Sum of the lexical signal weights (scores are divided by it)."""
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

    faq_id: str  # for an out-of-scope topic, the topic's id
    score: float
    coverage: float = 1.0  # share of the query's informative weight the entry uses
    out_of_scope: bool = False  # a topic the clinic does not answer here, not an entry
    essential_words: bool = True  # the query has the words nearly all its phrasings share
    topical: bool = True  # the entry uses a query word that is neither a stop nor a generic word
    vague: bool = False  # the query asks only for a kind of answer about the treatment
    strangers: int = 0  # real words in the query that the FAQ never uses
    # The query names a subject no entry is about (`FaqMatcher.foreign_words`).
    foreign: bool = False
    # The learned ranker's view (bot.faq.learned), when the matcher has one: its score for
    # this entry, and its lead when it ranks this entry first (else None).
    model_score: float = 0.0
    model_lead: float | None = None
    # How much of the message the ranker's scores rest on: the weight of its words the
    # content uses against theirs plus its strangers, each weighed as the rarest word
    # (1.0: every real word is one the content uses; "where is the bathroom": 0.6).
    model_share: float = 1.0
    # When the entry shares exactly one topical word with the message (not a stop, generic
    # or common word such as the treatment's name), how many of its wordings use that word;
    # 0 otherwise. 1: the match rests on one word of one wording.
    anchor_wordings: int = 0
    # Whether that one word is an everyday English word ("choose", "sure", "approach"), not
    # a term ("contraindications", "HSA") or a word of one of the content's synonym groups.
    everyday_anchor: bool = False


@dataclass(frozen=True)
class MatchResult:
    """The matcher's decision for one query."""

    decision: Decision
    faq_id: str | None  # set only when decision == "answer"
    score: float  # best score
    suggestions: tuple[Candidate, ...] = ()
    out_of_scope: str | None = None  # the topic the clinic does not answer here, if one won


_Floats = npt.NDArray[np.float64]
_Indices = npt.NDArray[np.intp]
_Flags = npt.NDArray[np.bool_]


@dataclass
class _EntryFigures:
    """Per entry, as arrays indexed by entry: score and coverage in 0..1, and which
    entries are candidates at all (something in the query touched them)."""

    scores: _Floats
    coverage: _Floats
    candidates: _Flags

    def raise_to(self, other: _EntryFigures) -> None:
        """Keep the better score and coverage of each entry (a sentence beating the whole)."""
        np.maximum(self.scores, other.scores, out=self.scores)
        np.maximum(self.coverage, other.coverage, out=self.coverage)
        self.candidates |= other.scores > 0.0


@dataclass
class _Phrasing:
    entry: int
    weights: dict[str, float]  # unique token -> weight
    total: float
    text: str  # analysed words sorted and joined, for rapidfuzz


@dataclass(frozen=True)
class _Analysed:
    """A query's tokens as phrasings are analysed, typos repaired."""

    tokens: list[str]
    repaired: frozenset[str]  # FAQ stems that stand for a repaired slip
    non_words: frozenset[str]  # unknown stems that are no English word either
    text: str  # the query with repaired slips spelt as the FAQ spells them
    places: frozenset[str] = frozenset()  # stems of place names ("ontario")


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


class _Postings:
    """Where tokens occur, as arrays: numpy sums a query's postings in one call.

    Every token's postings sit end to end in two flat arrays (slots and values), so one
    query's postings are gathered with a handful of numpy calls whatever its length."""

    def __init__(self, lists: dict[str, list[tuple[int, float]]], size: int) -> None:
        self.size = size  # slots: entries, phrasings or documents
        total = sum(len(found) for found in lists.values())
        self._row = {token: row for row, token in enumerate(lists)}
        self._starts: _Indices = np.zeros(len(lists) + 1, dtype=np.intp)
        np.cumsum([len(found) for found in lists.values()], out=self._starts[1:])
        self._slots: _Indices = np.fromiter(
            (i for found in lists.values() for i, _ in found), dtype=np.intp, count=total
        )
        self._values: _Floats = np.fromiter(
            (v for found in lists.values() for _, v in found), dtype=np.float64, count=total
        )
        # Per token, views into the flat arrays (for the leave-one-out and weak-word refining).
        self.indices: dict[str, _Indices] = {
            t: self._slots[self._starts[row] : self._starts[row + 1]]
            for t, row in self._row.items()
        }
        self.values: dict[str, _Floats] = {
            t: self._values[self._starts[row] : self._starts[row + 1]]
            for t, row in self._row.items()
        }

    def row(self, token: str) -> int:
        """The token's row in the flat arrays, -1 when it has no postings."""
        return self._row.get(token, -1)

    def gather(self, gains: Sequence[tuple[str, float]]) -> _Hits:
        """The postings of the tokens of `gains` in order, each with its gain as factor
        (tokens without postings skipped)."""
        indices, values = self.indices, self.values
        return _Hits.of([(indices[t], values[t], g) for t, g in gains if t in indices])

    def gather_rows(self, rows: _Indices, factors: _Floats) -> _Hits:
        """The postings of `rows` in order, each row's with its factor."""
        starts = self._starts[rows]
        sizes = self._starts[rows + 1] - starts
        at = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
        repeated = factors.repeat(sizes)
        return _Hits(self._slots[at], self._values[at] * repeated, repeated)


_Value = TypeVar("_Value")
_Posting = tuple[_Indices, _Floats]


class _FilledOnUse(dict[str, _Value]):
    """A token's entry, filled by `fill(token)` the first time it is looked up."""

    def __init__(self, fill: Callable[[str], bool]) -> None:
        super().__init__()
        self._fill = fill

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or (isinstance(key, str) and self._fill(key))

    def __getitem__(self, key: str) -> _Value:
        if key not in self:
            raise KeyError(key)
        return dict.__getitem__(self, key)


class _PostingsOnUse(_Postings):
    """Postings computed per token when first looked up: a leave-one-out index ranks one
    text, so it needs the postings of a few dozen tokens, not of all of them."""

    def __init__(self, compute: Callable[[str], _Posting | None], size: int) -> None:
        self.size = size
        self._compute = compute
        self._absent: set[str] = set()
        self.indices: dict[str, _Indices] = _FilledOnUse(self._fill)
        self.values: dict[str, _Floats] = _FilledOnUse(self._fill)

    def _fill(self, token: str) -> bool:
        if token in self._absent:
            return False
        found = self._compute(token)
        if found is None:
            self._absent.add(token)
            return False
        dict.__setitem__(self.indices, token, found[0])
        dict.__setitem__(self.values, token, found[1])
        return True


_Parts = list[tuple[_Indices, _Floats, float]]  # postings with the query's factor for each


@dataclass(frozen=True)
class _Hits:
    """A query's postings in one flat run: slot, factor * posting value, factor."""

    indices: _Indices
    products: _Floats
    factors: _Floats

    @classmethod
    def of(cls, parts: _Parts) -> _Hits:
        if not parts:
            return cls(np.zeros(0, dtype=np.intp), np.zeros(0), np.zeros(0))
        indices = np.concatenate([index for index, _, _ in parts])
        factors = np.array([f for _, _, f in parts]).repeat([len(i) for i, _, _ in parts])
        return cls(indices, np.concatenate([value for _, value, _ in parts]) * factors, factors)

    def sums(self, size: int, factors_only: bool = False) -> _Floats:
        """Per slot, the products (or the factors) summed in order, as a loop adds them."""
        weights = self.factors if factors_only else self.products
        return cast(_Floats, np.bincount(self.indices, weights=weights, minlength=size))

    def touched(self, size: int) -> _Flags:
        """Per slot, whether any posting hit it."""
        found = np.zeros(size, dtype=np.bool_)
        found[self.indices] = True
        return found


class CharGramIndex:
    """TF-IDF vectors of character trigrams, one per document, for cosine lookups."""

    def __init__(
        self, documents: Sequence[str], reference: DocumentFrequencies | None = None
    ) -> None:
        """`reference`: frozen trigram counts to weigh by (see bot.content.faq_statistics)."""
        counted = [self._grams(doc) for doc in documents]
        frequency: dict[str, int] = {}
        for grams in counted:
            for gram in grams:
                frequency[gram] = frequency.get(gram, 0) + 1
        count = len(documents)
        self._reference, self._counted = reference, counted
        self._idf = {g: self._gram_idf(g, df) for g, df in frequency.items()}
        postings: dict[str, list[tuple[int, float]]] = {}
        # Small FAQs use every trigram; large ones skip trigrams most documents share.
        common_limit = count if count < GRAM_PRUNE_MIN_DOCS else count // 5
        # Kept for `with_document` (the content check's leave-one-out).
        self._frequency, self._common_limit = frequency, common_limit
        self._vectors: list[dict[str, float]] = []
        self._weights_and_holders: tuple[list[dict[str, float]], dict[str, list[int]]] | None = None
        for index, grams in enumerate(counted):
            vector = self._vector(grams)
            self._vectors.append(vector)
            for gram, value in vector.items():
                postings.setdefault(gram, []).append((index, value))
        # Trigrams in most documents of a large FAQ: costly and uninformative, so skipped.
        self._postings: _Postings = _Postings(
            {g: p for g, p in postings.items() if len(p) <= common_limit}, count
        )
        # Every known trigram as one integer, sorted, with its IDF and postings row (-1 when
        # skipped), so a query's vector is built by numpy rather than gram by gram.
        known = sorted(self._idf, key=_gram_code)
        self._known_codes: npt.NDArray[np.int64] | None = np.array(
            [_gram_code(g) for g in known], dtype=np.int64
        )
        self._known_idf = np.array([self._idf[g] for g in known], dtype=np.float64)
        self._known_rows = np.array([self._postings.row(g) for g in known], dtype=np.intp)
        self._every_gram_posted = bool((self._known_rows >= 0).all())
        self._known_spot = {gram: spot for spot, gram in enumerate(known)}
        self._word_spots: dict[str, tuple[int, ...]] = {}
        # A small index also keeps its postings as one dense table (trigram row x document):
        # a query's cosines are then one product of a few rows, not a gather and a sum.
        self._dense: _Floats | None = None
        rows = len(self._postings.indices)
        if rows * count <= DENSE_GRAM_CELLS:
            self._dense = np.zeros((rows, count))
            for gram, found in self._postings.indices.items():
                self._dense[self._postings.row(gram), found] = self._postings.values[gram]

    def _gram_idf(self, gram: str, live: int) -> float:
        """The IDF of `gram`, used by `live` documents of this index."""
        if self._reference is None:
            return math.log((1 + len(self._counted)) / (1 + live)) + 1.0
        documents = self._reference.documents
        return math.log((1 + documents) / (1 + self._reference.count(gram))) + 1.0

    @property
    def document_frequencies(self) -> DocumentFrequencies:
        """This index's own trigram counts, to freeze as a reference."""
        return DocumentFrequencies.of(len(self._counted), self._frequency)

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
        return _unit(self._weights(grams))

    def _weights(self, grams: dict[str, int]) -> dict[str, float]:
        """TF-IDF weight of each known trigram of `grams`, before normalising."""
        return {g: (1.0 + math.log(tf)) * self._idf[g] for g, tf in grams.items() if g in self._idf}

    def _left_out_tables(self) -> tuple[list[dict[str, float]], dict[str, list[int]]]:
        """Per document its weights before normalising, and per trigram the documents that
        hold it (ascending), computed on the first `with_document` and shared by all."""
        if self._weights_and_holders is None:
            holders: dict[str, list[int]] = {}
            for document, grams in enumerate(self._counted):
                for gram in grams:
                    holders.setdefault(gram, []).append(document)
            weights = [self._weights(grams) for grams in self._counted]
            self._weights_and_holders = (weights, holders)
        return self._weights_and_holders

    def with_document(self, index: int, text: str) -> CharGramIndex:
        """This index with document `index` now reading `text`: the same vectors and
        cosines a new index would have (to the last bit), recomputed only where the
        document's trigrams change them: the documents holding a trigram whose IDF moved
        get new weights and norm, every other document keeps its vector, and postings are
        built per trigram on use. Only a full index can derive one."""
        if self._known_codes is None:
            raise ValueError("with_document derives from a full index only")
        weights, holders = self._left_out_tables()
        changed = copy.copy(self)
        before, after = self._counted[index], self._grams(text)
        counted = list(self._counted)
        counted[index] = after
        frequency = dict(self._frequency)
        moved = before.keys() ^ after.keys()
        for gram in moved:
            frequency[gram] = frequency.get(gram, 0) + (1 if gram in after else -1)
        count = len(counted)
        idf = dict(self._idf)
        for gram in moved:
            if frequency[gram] > 0:
                idf[gram] = self._gram_idf(gram, frequency[gram])
            else:
                del frequency[gram], idf[gram]
        changed._counted, changed._frequency, changed._idf = counted, frequency, idf
        changed._weights_and_holders = None
        # Per changed document: its weights (in its trigrams' order, so the norm sums as
        # a new index's does) and norm.
        rescaled: dict[int, tuple[dict[str, float], float]] = {}
        for document in {d for gram in moved for d in holders.get(gram, ())} | {index}:
            if document == index:
                new = changed._weights(after)
            else:
                new = dict(weights[document])
                grams = counted[document]
                for gram in moved.intersection(new):
                    new[gram] = (1.0 + math.log(grams[gram])) * idf[gram]
            rescaled[document] = (new, math.sqrt(sum(v * v for v in new.values())))
        vectors = self._vectors

        def posting(gram: str) -> _Posting | None:
            found = [document for document in holders.get(gram, ()) if document != index]
            if gram in after and rescaled[index][1]:
                bisect.insort(found, index)
            if not found or len(found) > self._common_limit:
                return None
            values = []
            for document in found:
                if document in rescaled:
                    raw, norm = rescaled[document]
                    values.append(raw[gram] / norm)
                else:
                    values.append(vectors[document][gram])
            return np.array(found, dtype=np.intp), np.array(values, dtype=np.float64)

        changed._postings = _PostingsOnUse(posting, count)
        changed._known_codes, changed._dense = None, None
        return changed

    def cosines(self, text: str) -> tuple[_Floats, _Flags]:
        """Per document: cosine similarity with `text`, and whether they share a trigram."""
        if self._known_codes is None:  # a leave-one-out copy: its trigram tables changed
            vector = self._vector(self._grams(" ".join(words(text))))
            hits = self._postings.gather(list(vector.items()))
        elif not len(self._known_codes):
            hits = _Hits.of([])
        else:
            rows, values = self._query_vector(words(text))
            if self._dense is not None:
                # Every weight is positive: an entry shares a trigram exactly when its
                # cosine is above zero.
                cosines = values @ self._dense[rows]
                return cosines, cosines > 0.0
            hits = self._postings.gather_rows(rows, values)
        return hits.sums(self._postings.size), hits.touched(self._postings.size)

    def _query_vector(self, text_words: list[str]) -> tuple[_Indices, _Floats]:
        """The query's TF-IDF trigram vector (as `_vector`): postings rows and values."""
        spots_of = self._word_spots
        if len(spots_of) > WORD_SPOTS_KEPT:
            spots_of.clear()
        counted = Counter(
            itertools.chain.from_iterable(
                spots_of.get(word) or self._spots(word) for word in text_words
            )
        )
        if not counted:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        # In the order of the trigrams' codes (the spots' order), as the vector always summed.
        spots, tallies = zip(*sorted(counted.items()), strict=True)
        spot = np.array(spots, dtype=np.intp)
        counts = np.array(tallies, dtype=np.int64)
        vector = (1.0 + np.log(counts)) * self._known_idf[spot]
        norm = math.sqrt(float(np.dot(vector, vector)))
        if not norm:
            return np.zeros(0, dtype=np.intp), np.zeros(0)
        rows = self._known_rows[spot]
        if self._every_gram_posted:
            vector /= norm
            return rows, vector
        kept = rows >= 0
        return rows[kept], vector[kept] / norm

    def _spots(self, word: str) -> tuple[int, ...]:
        """The spots of the known trigrams of `word` (padded), kept for the next time the
        word is typed: words recur from message to message, messages seldom."""
        known_spot = self._known_spot
        padded = f" {word} "
        grams = (
            padded[start : start + CHAR_GRAM_SIZE]
            for start in range(len(padded) - CHAR_GRAM_SIZE + 1)
        )
        found = self._word_spots[word] = tuple(
            spot for gram in grams if (spot := known_spot.get(gram)) is not None
        )
        return found


def _unit(weights: dict[str, float]) -> dict[str, float]:
    """`weights` scaled to length one (empty when all are zero)."""
    norm = math.sqrt(sum(v * v for v in weights.values()))
    return {g: v / norm for g, v in weights.items()} if norm else {}


_CODE_BITS = 21  # Unicode code points fit in 21 bits, so a trigram fits in one int64


def _gram_code(gram: str) -> int:
    """A character trigram as one integer (its three code points)."""
    first, second, third = (ord(c) for c in gram)
    return (first << (2 * _CODE_BITS)) | (second << _CODE_BITS) | third


@dataclass
class _SignalMemo:
    """Per query text, the signals that do not depend on the words' weights (one message):
    the fuzzy scores of the phrasings scored so far (`done`), and the trigram cosines."""

    fuzzy: dict[str, tuple[_Floats, _Flags]] = field(default_factory=dict)
    cosines: dict[str, tuple[_Floats, _Flags]] = field(default_factory=dict)


class FaqMatcher:
    """Ranks FAQ entries for a question and decides answer / suggest / fallback."""

    def __init__(
        self,
        entries: Sequence[tuple[str, Sequence[str]]],
        synonyms: Sequence[Sequence[str]] = (),
        thresholds: MatchThresholds | None = None,
        weights: MatchWeights | None = None,
        out_of_scope: Sequence[tuple[str, Sequence[str]]] = (),
        english: AbstractSet[str] | None = None,
        encoder: SentenceEncoder | None = None,
        vector_cache: PhrasingVectorCache | None = None,
        model: ContentRanker | None = None,
        statistics: MatcherStatistics | None = None,
    ) -> None:
        """`statistics`: word statistics frozen beside the content, weighed by in place of
        this content's own (bot.content.faq_statistics), so an edit does not reweigh every
        word; None weighs words by these entries."""
        self.thresholds = thresholds or MatchThresholds()
        self.model = model  # entries then topics, in this matcher's order
        self.weights = weights or MatchWeights()
        self._english = english if english is not None else english_words()
        # With a caller's own word list there are no frequencies: real words stay as typed.
        self._frequencies = english_frequencies() if english is None else {}
        self._synonyms = SynonymMap(synonyms)
        self._stops = stop_stems()
        # Out-of-scope topics are indexed after the entries, as entries of their own.
        self._first_out_of_scope = len(entries)
        entries = [*entries, *out_of_scope]
        self._ids = [faq_id for faq_id, _ in entries]
        analysed = [
            [self._terms(analyse(p, self._synonyms)) for p in phrasings] for _, phrasings in entries
        ]
        # Kept for `without_phrasing` (the content check's leave-one-out).
        self._entries, self._analysed, self._synonym_groups = entries, analysed, synonyms
        self._statistics = statistics
        self._idf = self._inverse_document_frequency(analysed)
        self._entry_count: dict[str, int] = {}
        for entry_phrasings in analysed[: self._first_out_of_scope]:
            for token in {t for tokens in entry_phrasings for t in tokens}:
                self._entry_count[token] = self._entry_count.get(token, 0) + 1
        # More entries than this using a word make it common (ESSENTIAL_MAX_ENTRY_SHARE).
        documents = self._document_count(len(self._ids))
        self._common_entry_count = max(1.0, documents * ESSENTIAL_MAX_ENTRY_SHARE)
        self._max_idf, self._mean_idf = self._idf_range(self._idf)
        # Per known token its weight in a query or phrasing (content-only, so set at load).
        self._known_weights = {t: self._token_weight(t, idf) for t, idf in self._idf.items()}
        self._weak_known = frozenset(t for t in self._idf if self._is_weak(t))
        self._phrasings: list[_Phrasing] = []
        # Postings are gathered as lists, then kept only as arrays.
        phrasing_postings: dict[str, list[tuple[int, float]]] = {}
        for entry_index, entry_phrasings in enumerate(analysed):
            for tokens in entry_phrasings:
                self._add_phrasing(entry_index, tokens, phrasing_postings)
        self._exact = self._exact_phrasings(entries)
        self._generic = generic_stems()
        self._vague = vague_stems()
        self._generic_or_vague = self._generic | self._vague
        self._entry_tokens = [
            frozenset(t for tokens in phrasings for t in tokens) for phrasings in analysed
        ]
        self._wording_uses = [self._uses_per_wording(phrasings) for phrasings in analysed]
        self._essential = [
            self._essential_tokens(phrasings) for phrasings in analysed[: self._first_out_of_scope]
        ]
        # Filled on the first `without_phrasing` and shared by every leave-one-out.
        self._frequent: list[list[str]] | None = None
        self._surface_counts: tuple[dict[str, int], dict[str, int]] | None = None
        entry_postings = self._entry_term_weights(analysed)
        self._entry_arrays: _Postings = _Postings(entry_postings, len(self._ids))
        self._phrasing_arrays = _Postings(phrasing_postings, len(self._phrasings))
        # Both in one index (phrasing slots after the entries'), so a query's postings of
        # both kinds are gathered and summed at once.
        shift = len(self._ids)
        joint = {t: list(found) for t, found in entry_postings.items()}
        for token, found in phrasing_postings.items():
            joint.setdefault(token, []).extend((shift + i, v) for i, v in found)
        self._joint_arrays: _Postings | None = _Postings(joint, shift + len(self._phrasings))
        self._phrasing_entry: _Indices = np.array([p.entry for p in self._phrasings], dtype=np.intp)
        # Phrasings are indexed entry by entry: where each entry's run starts, for the
        # per-entry best phrasing in one `reduceat`.
        self._run_starts: _Indices = np.flatnonzero(
            np.diff(self._phrasing_entry, prepend=-1) != 0
        ).astype(np.intp)
        self._run_entry: _Indices = self._phrasing_entry[self._run_starts]
        # Every entry has a phrasing (the usual case): the runs' maxima are the entries'.
        self._every_entry_runs = len(self._run_entry) == len(self._ids)
        self.fuzzy_shortlist = FUZZY_SHORTLIST
        totals = np.array([p.total for p in self._phrasings], dtype=np.float64)
        self._phrasing_has_total: _Flags = totals > 0.0
        self._phrasing_total: _Floats = np.where(self._phrasing_has_total, totals, 1.0)
        # A phrasing without weight has no postings either, so its hits are 0 without a
        # mask; only a leave-one-out keeps postings of a phrasing it has emptied.
        self._mask_phrasings = False
        # Every gain positive (the weights' factors are): an entry is touched by a posting
        # exactly when its summed factors are above zero.
        w = self.weights
        self._positive_gains = min(w.stop_word, w.bigram, w.context, w.typo_credit) > 0.0
        # Surface words the FAQ uses (phrasings and synonyms) -> stem, for typo repair.
        surface = {w for _, phrasings in entries for p in phrasings for w in words(p)}
        surface |= {w for group in synonyms for phrase in group for w in words(phrase)}
        self._known_stems = {stem(w) for w in surface}
        self._stem_frequency = self._stem_frequencies(surface)
        self._vocabulary = sorted(w for w in surface if len(w) >= MIN_TYPO_TOKEN_LENGTH)
        self._phrasing_texts = [p.text for p in self._phrasings]
        # The same as an array: a short list of them is taken by one numpy index.
        self._phrasing_text_array = np.array(self._phrasing_texts, dtype=object)
        self._large = len(self._phrasings) >= LARGE_FAQ_PHRASINGS
        self._grams = CharGramIndex(
            [" ".join(words(" ".join(p))) for _, p in entries],
            statistics.grams if statistics is not None else None,
        )
        self._typo_cache: dict[str, tuple[str, str] | None] = {}
        self._scale = 1.0
        # Calibrated on the entries' own phrasings: topics must not shift what 1.0 means.
        self._scale = (
            statistics.scale
            if statistics is not None
            else self._exact_match_score(
                [p for _, ps in entries[: self._first_out_of_scope] for p in ps]
            )
        )
        self._semantic = (
            SemanticScorer(encoder, [phrasings for _, phrasings in entries], vector_cache)
            if encoder is not None
            else None
        )

    @classmethod
    def from_content(
        cls,
        faq: FaqContent,
        encoder: SentenceEncoder | None = None,
        vector_cache: PhrasingVectorCache | None = None,
        *,
        learned: bool = True,
    ) -> FaqMatcher:
        """A matcher over `faq`, honouring its threshold overrides; with `encoder`, meaning
        is blended into the lexical score (phrasing vectors kept in `vector_cache`); with
        `learned`, a ranker learned from the entries' wordings gives its opinion too."""
        defaults = MatchThresholds()
        thresholds = MatchThresholds(
            answer=defaults.answer if faq.answer_threshold is None else faq.answer_threshold,
            suggest=defaults.suggest if faq.suggest_threshold is None else faq.suggest_threshold,
            margin=defaults.margin if faq.margin is None else faq.margin,
            wide_lead_margin=CONTENT_WIDE_LEAD,
            single_wording_lead=defaults.clear_lead,
            learned=LearnedPolicy() if learned else None,
        )
        entries = [(entry.id, entry.phrasings) for entry in faq.entries]
        topics = [(topic.id, topic.examples) for topic in faq.out_of_scope]
        statistics = faq.word_statistics
        ranker_reference = statistics.ranker if statistics is not None else None
        return cls(
            entries,
            synonyms=faq.synonyms,
            thresholds=thresholds,
            out_of_scope=topics,
            encoder=encoder,
            vector_cache=vector_cache,
            model=ContentRanker([*entries, *topics], faq.synonyms, reference=ranker_reference)
            if learned
            else None,
            statistics=statistics,
        )

    def without_phrasing(self, entry: int, phrasing: int) -> FaqMatcher:
        """This lexical matcher as if phrasing `phrasing` of entry `entry` had never been in
        it, for the content check's leave-one-out: built from this matcher's analysed
        phrasings, recomputing only what that phrasing touched.

        It ranks as a matcher built without the phrasing does (every score to the digits
        `rank` reports), but on this matcher's scale: the calibration sample changes by at
        most one phrasing, and on the shipped FAQ the scale moved by under 0.1 %. The
        phrasing's slot stays in the index and matches nothing.
        """
        if self._semantic is not None:
            raise ValueError("leave-one-out is for lexical matching only")
        left = copy.copy(self)
        # The learned ranker knows the phrasing by heart: the check measures the rest.
        left.model = None
        slot = sum(len(phrasings) for phrasings in self._analysed[:entry]) + phrasing
        faq_id, texts = self._entries[entry]
        entries = list(self._entries)
        entries[entry] = (faq_id, [t for i, t in enumerate(texts) if i != phrasing])
        analysed = list(self._analysed)
        analysed[entry] = [t for i, t in enumerate(analysed[entry]) if i != phrasing]
        left._entries, left._analysed = entries, analysed
        left._frequent, left._surface_counts = None, None
        # Only words no other phrasing of the entry uses change their document frequency.
        kept = {t for tokens in analysed[entry] for t in tokens}
        moved = set(self._analysed[entry][phrasing]) - kept
        indices = self._phrasing_arrays.indices
        left._idf = dict(self._idf)
        left._known_weights = dict(self._known_weights)
        count = self._document_count(len(analysed))
        for token in moved:
            found = indices[token]
            df = len(np.unique(self._phrasing_entry[found[found != slot]]))
            if df:
                left._idf[token] = _bm25_idf(count, self._reference_count(token, df))
                left._known_weights[token] = left._token_weight(token, left._idf[token])
            else:
                del left._idf[token], left._known_weights[token]
        left._max_idf, left._mean_idf = self._idf_range(left._idf)
        left._entry_tokens = list(self._entry_tokens)
        left._entry_tokens[entry] = frozenset(kept)
        left._wording_uses = list(self._wording_uses)
        left._wording_uses[entry] = self._uses_per_wording(analysed[entry])
        if entry < self._first_out_of_scope:
            left._entry_count = dict(self._entry_count)
            for token in moved:
                left._entry_count[token] -= 1
                if not left._entry_count[token]:
                    del left._entry_count[token]
            # Essential words depend on how many entries use a word: entries using a
            # moved word are looked at again, and the left-out entry itself.
            again = {entry} | {
                int(e)
                for t in moved
                for e in self._phrasing_entry[indices[t]]
                if e < len(left._essential)
            }
            left._essential = list(self._essential)
            # Which words nearly all an entry's phrasings use changes only for the entry
            # left out; for the others only how many entries use a word can change.
            frequent = self._frequent_per_entry()
            for index in again:
                tokens = frequent[index]
                if index == entry:
                    tokens = left._frequent_tokens(analysed[entry])
                left._essential[index] = left._uncommon(tokens)
        # Phrasings that share a word whose IDF changed get their weights again.
        phrasings = list(self._phrasings)
        has_total, totals = self._phrasing_has_total.copy(), self._phrasing_total.copy()
        for index in {int(i) for t in moved if t in indices for i in indices[t]} - {slot}:
            old = phrasings[index]
            weights = dict(old.weights)
            for token in moved.intersection(weights):
                weights[token] = left._known_weights[token]
            phrasings[index] = _Phrasing(old.entry, weights, sum(weights.values()), old.text)
            has_total[index] = phrasings[index].total > 0.0
            totals[index] = phrasings[index].total if has_total[index] else 1.0
        has_total[slot], totals[slot] = False, 1.0
        left._mask_phrasings = True
        left._phrasings = phrasings
        left._phrasing_has_total, left._phrasing_total = has_total, totals
        left._phrasing_texts = list(self._phrasing_texts)
        left._phrasing_texts[slot] = ""  # no fuzzy score either
        left._phrasing_text_array = self._phrasing_text_array.copy()
        left._phrasing_text_array[slot] = ""
        left._large = len(self._phrasings) - 1 >= LARGE_FAQ_PHRASINGS
        # Only the left-out phrasing's own wording can change owner.
        key = tuple(analyse(texts[phrasing], self._synonyms))
        terms = self._analysed[entry][phrasing]
        owners = {index for index, found in enumerate(analysed) if terms in found}
        left._exact = dict(self._exact)
        if key and len(owners) == 1:
            left._exact[key] = owners.pop()
        elif key:
            left._exact.pop(key, None)
        # Surface words only the left-out phrasing uses leave the vocabulary; a stem goes
        # when its last surface word does.
        uses, words_of_stem = self._surface_uses()
        gone = {w for w in set(words(texts[phrasing])) if uses[w] == 1}
        if gone:
            stems_gone: dict[str, int] = {}
            for w in gone:
                stems_gone[stem(w)] = stems_gone.get(stem(w), 0) + 1
            left._known_stems = self._known_stems - {
                s for s, n in stems_gone.items() if words_of_stem[s] == n
            }
            left._vocabulary = [w for w in self._vocabulary if w not in gone]
            # A stem's frequency is that of its most common surface word still in the FAQ.
            left._stem_frequency = {
                s: n for s, n in self._stem_frequency.items() if s not in stems_gone
            }
            left._stem_frequency.update(
                self._stem_frequencies({w for w in uses if w not in gone and stem(w) in stems_gone})
            )
        left._typo_cache = {}
        left._entry_arrays = _PostingsOnUse(left._left_out_entry_posting(slot), len(self._ids))
        left._joint_arrays = None
        document = " ".join(words(" ".join(entries[entry][1])))
        left._grams = self._grams.with_document(entry, document)
        return left

    def _left_out_entry_posting(self, slot: int) -> Callable[[str], _Posting | None]:
        """Entry postings (BM25 saturation) of a token with phrasing `slot` left out, from
        the phrasing postings: a token's count in an entry is how many of its phrasings
        use it."""
        k1, b = self.weights.bm25_k1, self.weights.bm25_b
        lengths = [sum(len(tokens) for tokens in phrasings) for phrasings in self._analysed]
        average = self._average_length(lengths)
        norms = np.array([k1 * (1.0 - b + b * n / max(average, 1.0)) for n in lengths])
        indices = self._phrasing_arrays.indices

        def posting(token: str) -> _Posting | None:
            if token not in self._idf or token not in indices:
                return None
            found = indices[token]
            counts = np.bincount(self._phrasing_entry[found[found != slot]], minlength=len(norms))
            entries = np.flatnonzero(counts)
            if not len(entries):
                return None
            tf = counts[entries].astype(np.float64)
            saturation = tf * (k1 + 1.0) / (tf + norms[entries]) / (k1 + 1.0)
            return entries.astype(np.intp), np.minimum(1.0, saturation)

        return posting

    @property
    def encoder_name(self) -> str | None:
        """The sentence-embedding model blended in, or None for lexical matching only."""
        return self._semantic.encoder.name if self._semantic is not None else None

    @property
    def faq_ids(self) -> tuple[str, ...]:
        """Entry ids in index order (out-of-scope topics excluded)."""
        return tuple(self._ids[: self._first_out_of_scope])

    # -- building -------------------------------------------------------------------

    def _document_frequencies(self, analysed: list[list[list[str]]]) -> dict[str, int]:
        """Per token, how many entries (all their phrasings together) use it."""
        frequency: dict[str, int] = {}
        for entry_phrasings in analysed:
            for token in {t for tokens in entry_phrasings for t in tokens}:
                frequency[token] = frequency.get(token, 0) + 1
        return frequency

    def _document_count(self, live: int) -> int:
        """The entry count words are weighed against: the frozen reference's, or `live`."""
        return self._statistics.words.documents if self._statistics is not None else live

    def _reference_count(self, token: str, live: int) -> int:
        """The entries counted as using `token` (`live`: how many do in this content)."""
        return self._statistics.words.count(token) if self._statistics is not None else live

    def _inverse_document_frequency(self, analysed: list[list[list[str]]]) -> dict[str, float]:
        """BM25-style IDF with one document per entry (all its phrasings together)."""
        count = self._document_count(len(analysed))
        return {
            token: _bm25_idf(count, self._reference_count(token, df))
            for token, df in self._document_frequencies(analysed).items()
        }

    def _idf_range(self, idf: dict[str, float]) -> tuple[float, float]:
        """The highest and the mean IDF (a word the FAQ never uses is weighed from them):
        the frozen reference's when there is one, so new words do not shift them."""
        if self._statistics is not None:
            count = self._statistics.words.documents
            frozen = [_bm25_idf(count, df) for df in self._statistics.words.every_count()]
            if frozen:
                return max(frozen), sum(frozen) / len(frozen)
        return max(idf.values(), default=1.0), (sum(idf.values()) / len(idf) if idf else 1.0)

    def _average_length(self, lengths: list[int]) -> float:
        """The entries' average length in tokens, BM25's reference for discounting long ones."""
        if self._statistics is not None:
            return self._statistics.average_length
        return (sum(lengths) / len(lengths)) if lengths else 1.0

    def word_statistics(self, fingerprint: str) -> MatcherStatistics:
        """This matcher's own content-wide statistics, to freeze as a reference (a
        matcher built without one; `fingerprint` names the wordings they come from)."""
        if self._statistics is not None:
            raise ValueError("word statistics are taken from a matcher weighing its own content")
        lengths = [sum(len(tokens) for tokens in phrasings) for phrasings in self._analysed]
        return MatcherStatistics(
            fingerprint=fingerprint,
            words=DocumentFrequencies.of(
                len(self._analysed), self._document_frequencies(self._analysed)
            ),
            average_length=self._average_length(lengths),
            scale=self._scale,
            grams=self._grams.document_frequencies,
            ranker=self.model.document_frequencies if self.model is not None else None,
        )

    def _entry_term_weights(
        self, analysed: list[list[list[str]]]
    ) -> dict[str, list[tuple[int, float]]]:
        """Token -> (entry, BM25 term saturation in 0..1) over each entry's phrasings."""
        k1, b = self.weights.bm25_k1, self.weights.bm25_b
        lengths = [sum(len(tokens) for tokens in phrasings) for phrasings in analysed]
        average = self._average_length(lengths)
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

    def _stem_frequencies(self, surface: AbstractSet[str]) -> dict[str, int]:
        """Per stem of the `surface` words, how common the most common of them with that stem
        is in English (`EVERYDAY_WORD_COUNT`)."""
        found: dict[str, int] = {}
        for surface_word in surface:
            key = stem(surface_word)
            found[key] = max(found.get(key, 0), self._frequencies.get(surface_word, 0))
        return found

    def _uses_per_wording(self, phrasings: list[list[str]]) -> dict[str, int]:
        """Per content word of an entry, how many of its phrasings use it."""
        counts: dict[str, int] = {}
        for tokens in phrasings:
            for token in set(tokens):
                if not self._is_weak(token):
                    counts[token] = counts.get(token, 0) + 1
        return counts

    def _essential_tokens(self, phrasings: list[list[str]]) -> frozenset[str]:
        """Content tokens nearly every phrasing of an entry uses (see ESSENTIAL_SHARE)."""
        return self._uncommon(self._frequent_tokens(phrasings))

    def _frequent_tokens(self, phrasings: list[list[str]]) -> list[str]:
        """Content tokens in at least ESSENTIAL_SHARE of an entry's phrasings."""
        if len(phrasings) < MIN_PHRASINGS_FOR_ESSENTIAL:
            return []
        counts: dict[str, int] = {}
        for tokens in phrasings:
            for token in set(tokens):
                if not self._is_weak(token):
                    counts[token] = counts.get(token, 0) + 1
        return [t for t, n in counts.items() if n >= ESSENTIAL_SHARE * len(phrasings)]

    def _uncommon(self, tokens: list[str]) -> frozenset[str]:
        """`tokens` without those most entries use (ESSENTIAL_MAX_ENTRY_SHARE)."""
        return frozenset(
            t for t in tokens if self._entry_count.get(t, 0) <= self._common_entry_count
        )

    def _frequent_per_entry(self) -> list[list[str]]:
        """`_frequent_tokens` of each entry (computed once, for the leave-one-out)."""
        if self._frequent is None:
            entries = self._analysed[: self._first_out_of_scope]
            self._frequent = [self._frequent_tokens(phrasings) for phrasings in entries]
        return self._frequent

    def _surface_uses(self) -> tuple[dict[str, int], dict[str, int]]:
        """Per surface word, how many phrasings and synonym phrases use it; per stem, how
        many surface words have it (computed once, for the leave-one-out)."""
        if self._surface_counts is None:
            uses: dict[str, int] = {}
            texts = [p for _, phrasings in self._entries for p in phrasings]
            texts += [phrase for group in self._synonym_groups for phrase in group]
            for text in texts:
                for w in set(words(text)):
                    uses[w] = uses.get(w, 0) + 1
            words_of_stem: dict[str, int] = {}
            for w in uses:
                words_of_stem[stem(w)] = words_of_stem.get(stem(w), 0) + 1
            self._surface_counts = (uses, words_of_stem)
        return self._surface_counts

    def _terms(self, tokens: list[str]) -> list[str]:
        """`tokens` followed by their adjacent pairs (when pairs count at all)."""
        if self.weights.bigram <= 0.0:
            return tokens
        return tokens + [f"{a}{BIGRAM_JOINER}{b}" for a, b in itertools.pairwise(tokens)]

    def _token_weight(self, token: str, idf: float) -> float:
        if BIGRAM_JOINER in token:
            return idf * self.weights.bigram
        return idf * self.weights.stop_word if token in self._stops else idf

    def _add_phrasing(
        self, entry_index: int, tokens: list[str], postings: dict[str, list[tuple[int, float]]]
    ) -> None:
        known = self._known_weights
        weights = {t: known[t] for t in dict.fromkeys(tokens)}
        index = len(self._phrasings)
        self._phrasings.append(
            _Phrasing(entry_index, weights, sum(weights.values()), _plain_text(tokens))
        )
        for token in weights:
            postings.setdefault(token, []).append((index, 1.0))

    # -- querying -------------------------------------------------------------------

    def _correct_typo(self, word: str, short: bool = False) -> tuple[str, str] | None:
        """The FAQ word `word` is most likely a slip of, if any, as (stem, word); `short`:
        the word is in a question of a few words (SHORT_QUESTION_WORDS)."""
        shortest = SHORT_TYPO_TOKEN_LENGTH if short else MIN_TYPO_TOKEN_LENGTH
        if len(word) < shortest or word.isdigit() or not self._vocabulary:
            return None
        # One lookup, not `in` then `[]`: with matching by meaning, threads share the cache
        # and another may clear it in between.
        cached = self._typo_cache.get(word, _NOT_CACHED)
        if cached is not _NOT_CACHED:
            return cached
        corrected: tuple[str, str] | None = None
        if len(word) >= MIN_TYPO_TOKEN_LENGTH:
            corrected = self._closest_faq_word(word)
        elif word not in self._english:
            found = self._nearest_faq_word(word, 1)
            corrected = None if found is None else (stem(found), found)
        if len(self._typo_cache) >= TYPO_CACHE_SIZE:
            self._typo_cache.clear()
        self._typo_cache[word] = corrected
        return corrected

    def _closest_faq_word(self, word: str) -> tuple[str, str] | None:
        """(stem, word) of the FAQ word `word` is a slip of, or None."""
        if word not in self._english:
            found = self._nearest_faq_word(word, slips_forgiven(len(word)))
            return None if found is None else (stem(found), found)
        # A real word is what the patient meant ("prime minister" is not "price"), unless
        # it is rare and an FAQ word one slip away is far more common.
        count = self._frequencies.get(word, RARE_WORD_MAX_COUNT + 1)
        if count > RARE_WORD_MAX_COUNT:
            return None
        found = self._nearest_faq_word(word, 1)
        if found is None:
            return None
        if self._frequencies.get(found, 0) < RARE_WORD_RATIO * max(1, count):
            return None
        return stem(found), found

    def _nearest_faq_word(self, word: str, allowed: int) -> str | None:
        """The FAQ word fewest slips from `word` (at most `allowed`); among equals, the most
        common English word ("cots" is nearer "cost" than "cons" by use, not by spelling)."""
        found = process.extract(
            word, self._vocabulary, scorer=OSA.distance, score_cutoff=allowed, limit=None
        )
        if not found:
            return None
        # A slip is never read as a stop word: "dogs" is not "does", "cots" not "lots".
        found = [item for item in found if stem(item[0]) not in self._stops]
        if not found:
            return None
        fewest = min(distance for _, distance, _ in found)
        nearest = [choice for choice, distance, _ in found if distance == fewest]
        # Slips seldom hit the first letter ("adress" is "address", not "dress"); then
        # the most used word wins.
        return max(
            nearest,
            key=lambda choice: (choice[0] == word[0], self._frequencies.get(choice, 0)),
        )

    def _analyse_query(self, text: str) -> _Analysed:
        """Query tokens as phrasings are analysed, with typos repaired."""
        stems: list[str] = []
        surface: list[str] = []
        repaired: set[str] = set()
        non_words: set[str] = set()
        places: set[str] = set()
        found = words(text)
        short = len(found) <= SHORT_QUESTION_WORDS
        for word in found:
            token = stem(word)
            if token not in self._known_stems:
                fixed = self._correct_typo(word, short)
                if fixed is not None:
                    token, word = fixed
                    repaired.add(token)
                elif word not in self._english or word in PLACE_WORDS:
                    non_words.add(token)
                    if word in PLACE_WORDS:
                        places.add(token)
            stems.append(token)
            surface.append(word)
        return _Analysed(
            self._synonyms.collapse(stems),
            frozenset(repaired),
            frozenset(non_words),
            " ".join(surface) if repaired else text,
            frozenset(places),
        )

    def _is_weak(self, token: str) -> bool:
        """A stop word or a word pair: little weight, long postings."""
        return token in self._stops or BIGRAM_JOINER in token

    def _prepare(self, analysed: _Analysed, focus: frozenset[str] | None) -> _Query:
        """Weights of the query's tokens; outside `focus` (a clause's tokens) they count
        `context` as much."""
        tokens = analysed.tokens
        query = _Query(text=" ".join(sorted(tokens)))
        w = self.weights
        story = (
            max(w.story_floor, w.story_words / len(tokens)) if len(tokens) > w.story_words else 1.0
        )
        unknown = self._max_idf * w.unknown_word * story
        known, weights, credits = self._known_weights, query.weights, query.credits
        repaired, typo_credit = analysed.repaired, w.typo_credit
        for token in dict.fromkeys(self._terms(tokens)):
            weight = known.get(token)
            if weight is None:
                weight = self._token_weight(token, unknown)
                if token in analysed.non_words:
                    weight *= w.non_word
            else:
                credits[token] = typo_credit if token in repaired else 1.0
            if focus is not None and not focus.issuperset(token.split(BIGRAM_JOINER)):
                weight *= w.context
            weights[token] = weight
        # A floor of one ordinary content word, so "a" or "is it" cannot cover a phrasing.
        query.total = max(sum(query.weights.values()), self._mean_idf)
        return query

    def _score_text(
        self,
        raw: str,
        analysed: _Analysed | None = None,
        focus: frozenset[str] | None = None,
        memo: _SignalMemo | None = None,
    ) -> _EntryFigures:
        """Combined score and coverage of each entry, for one piece of query text.

        `memo` keeps the fuzzy scores and trigram cosines of the texts one message's passes
        share (the focus pass reweights the same words, so those two are the same)."""
        memo = memo if memo is not None else _SignalMemo()
        if analysed is None:
            analysed = self._analyse_query(raw)
        if not analysed.tokens:
            return self._no_figures()
        w = self.weights
        query = self._prepare(analysed, focus)
        if query.total <= 0.0:
            return self._no_figures()
        # In a large FAQ, content words go first and stop words and word pairs then only
        # add to phrasings a content word found: their postings are long, weights small.
        weak = self._weak_known
        items = query.credits.items()
        ordered = [i for i in items if i[0] not in weak] + [i for i in items if i[0] in weak]
        has_content = self._large and bool(ordered) and not self._is_weak(ordered[0][0])
        gains = [(token, query.weights[token] * credit) for token, credit in ordered]
        entries = len(self._ids)
        if self._joint_arrays is not None and not has_content:
            joint = self._joint_arrays.gather(gains)
            sums = joint.sums(self._joint_arrays.size)
            entry_hits, phrasing_hits = sums[:entries], sums[entries:]
            entry_factors = joint.sums(self._joint_arrays.size, factors_only=True)[:entries]
            entry_touched = (
                entry_factors > 0.0
                if self._positive_gains
                else joint.touched(self._joint_arrays.size)[:entries]
            )
        else:
            entry_postings = self._token_hits(self._entry_arrays, gains, has_content)
            entry_hits = entry_postings.sums(entries)
            entry_touched = entry_postings.touched(entries)
            entry_factors = entry_postings.sums(entries, factors_only=True)
            phrasing_hits = self._token_hits(self._phrasing_arrays, gains, has_content).sums(
                len(self._phrasings)
            )
        query_part = w.query_coverage * np.minimum(1.0, phrasing_hits / query.total)
        phrasing_part = w.phrasing_coverage * np.minimum(1.0, phrasing_hits / self._phrasing_total)
        if self._mask_phrasings:
            missed = (phrasing_hits == 0.0) | ~self._phrasing_has_total
            query_part[missed] = 0.0
            phrasing_part[missed] = 0.0
        if w.char_ngrams > 0.0:
            cosines = memo.cosines.get(analysed.text)
            if cosines is None:
                cosines = memo.cosines[analysed.text] = self._grams.cosines(analysed.text)
            gram_scores, gram_touched = cosines
        else:
            gram_scores, gram_touched = np.zeros(entries), np.zeros(entries, bool)
        # Against the query's own weight, not the floored total: "what is IMS" is fully
        # covered even though all its words are common in the FAQ.
        weight = sum(query.weights.values())
        coverage = np.minimum(1.0, entry_factors / weight)
        entry_part = w.entry_coverage * np.minimum(1.0, entry_hits / query.total)
        gram_part = w.char_ngrams * gram_scores
        # Retrieve, then rerank: the cheap signals pick the entries worth the fuzzy signal.
        shortlist = self._shortlist(query_part + phrasing_part, entry_part + gram_part, coverage)
        value = w.fuzzy * self._fuzzy_for(query.text, memo, shortlist)
        value += query_part
        value += phrasing_part
        best_phrasing = self._best_per_entry(value)
        combined = (best_phrasing + entry_part + gram_part) / w.signal_total()
        return _EntryFigures(
            scores=combined,
            coverage=coverage,
            candidates=entry_touched | (best_phrasing > 0.0) | gram_touched,
        )

    def _shortlist(self, value: _Floats, entry_part: _Floats, coverage: _Floats) -> _Indices | None:
        """The phrasings of the `fuzzy_shortlist` entries that rank best on every signal
        but the fuzzy one (`value`: per phrasing, its coverage signals; `entry_part`: per
        entry, its coverage and trigram signals), or None for every phrasing.

        The fuzzy signal (rapidfuzz over every phrasing) cost as much as all the others
        together; it refines the order of entries the word and trigram signals already
        found, so only their phrasings are scored with it."""
        size = self.fuzzy_shortlist
        if size >= len(self._ids) or not len(value):
            return None
        cheap = self._best_per_entry(value)
        cheap += entry_part
        w = self.weights
        if w.full_coverage > 0.0:  # as `rank` scales the final scores
            cheap *= np.minimum(1.0, coverage / w.full_coverage) ** w.coverage_power
        chosen = np.zeros(len(self._ids), dtype=np.bool_)
        chosen[np.argpartition(-cheap, size - 1)[:size]] = True
        return np.flatnonzero(chosen[self._phrasing_entry])

    def _best_per_entry(self, value: _Floats) -> _Floats:
        """Per entry, its phrasings' best `value` (0 at least, and 0 without phrasings)."""
        if not len(value):
            return np.zeros(len(self._ids))
        runs = np.maximum.reduceat(value, self._run_starts)
        np.maximum(runs, 0.0, out=runs)
        if self._every_entry_runs:
            return runs
        best = np.zeros(len(self._ids))
        best[self._run_entry] = runs
        return best

    def _fuzzy_for(self, text: str, memo: _SignalMemo, phrasings: _Indices | None) -> _Floats:
        """Per phrasing, the fuzzy score with `text` (0 outside `phrasings`, None for all),
        computed once per message for each phrasing."""
        found = memo.fuzzy.get(text)
        if found is None:
            # The text's first pass (most messages' only one): nothing scored yet, so the
            # short list is scored as it is and the zeros elsewhere are already in place.
            size = len(self._phrasing_texts)
            scores, done = np.zeros(size), np.zeros(size, dtype=np.bool_)
            memo.fuzzy[text] = (scores, done)
            wanted = np.arange(size) if phrasings is None else phrasings
            if len(wanted):
                scores[wanted] = self._fuzzy_scores(
                    text, self._phrasing_text_array[wanted].tolist()
                )
                done[wanted] = True
            return scores  # the caller scales it into a new array, as below
        scores, done = found
        wanted = np.flatnonzero(~done) if phrasings is None else phrasings[~done[phrasings]]
        if len(wanted):
            scores[wanted] = self._fuzzy_scores(text, self._phrasing_text_array[wanted].tolist())
            done[wanted] = True
        if phrasings is None or len(phrasings) == len(scores):
            return scores
        shown = np.zeros(len(scores))
        shown[phrasings] = scores[phrasings]
        return shown

    def _token_hits(
        self, postings: _Postings, gains: list[tuple[str, float]], has_content: bool
    ) -> _Hits:
        """The postings of the query tokens, each with the token's gained weight."""
        if not has_content:
            return postings.gather(gains)
        indices, values = postings.indices, postings.values
        content = [
            (indices[t], values[t], g) for t, g in gains if t in indices and not self._is_weak(t)
        ]
        found = _Hits.of(content).touched(postings.size)
        weak = []
        for token, gain in gains:
            if token in indices and self._is_weak(token):
                keep = found[indices[token]]  # only where a content word already hit
                weak.append((indices[token][keep], values[token][keep], gain))
        return _Hits.of(content + weak)

    @staticmethod
    def _fuzzy_scores(text: str, phrasings: list[str]) -> _Floats:
        """Per phrasing text: rapidfuzz similarity with the query's sorted words in 0..1 (0
        when below the floor)."""
        if not phrasings:
            return np.zeros(0)
        scores = process.cdist(
            [text],
            phrasings,
            scorer=fuzz.ratio,  # on sorted words: token_sort_ratio
            score_cutoff=FUZZY_FLOOR,
            dtype=np.float64,
        )[0]
        return np.asarray(scores, dtype=np.float64) / 100.0

    def _no_figures(self) -> _EntryFigures:
        size = len(self._ids)
        return _EntryFigures(np.zeros(size), np.zeros(size), np.zeros(size, dtype=np.bool_))

    def _scores(self, text: str) -> tuple[_EntryFigures, _Analysed]:
        """Each entry's score and coverage, the best over the message and its sentences;
        and the whole message's analysed tokens."""
        text = truncate(text)
        analysed = self._analyse_query(text)
        memo = _SignalMemo()
        figures = self._score_text(text, analysed, memo=memo)
        parts = sentences(text)
        if len(parts) > 1 and len(text.split()) >= MIN_SENTENCE_WINDOW_WORDS:
            for part in parts:
                figures.raise_to(self._score_text(part, memo=memo))
        focus = self._question_focus(text)
        if focus:
            figures.raise_to(self._score_text(text, analysed, focus, memo))
        return figures, analysed

    def _question_focus(self, text: str) -> frozenset[str] | None:
        """The tokens of the clause that asks the question, in a long message of several
        clauses: the last clause before the last "?", else the last clause."""
        if self.weights.context >= 1.0 or len(text.split()) < MIN_FOCUS_WORDS:
            return None
        clauses = _clauses(text)
        if len(clauses) < 2:
            return None
        asked = _clauses(text[: text.rfind("?")]) if "?" in text else clauses
        question = asked[-1] if asked else clauses[-1]
        return frozenset(self._analyse_query(question).tokens)

    def _exact_match_score(self, phrasings: Sequence[str]) -> float:
        """Median raw score of a phrasing typed exactly: the score shown as 1.0.

        Entry-level signals (BM25 over all phrasings, trigram cosine with the whole entry)
        never reach 1 even for a verbatim phrasing; dividing by this typical value makes
        1.0 mean "as good as typing one of the entry's own phrasings".
        """
        # Sampled by a checksum of the text, not by position: adding or removing one
        # phrasing then changes the sample by at most one, so the scale (and every score)
        # does not jump when a clinic edits an unrelated entry.
        sample = sorted(range(len(phrasings)), key=lambda i: zlib.crc32(phrasings[i].encode()))
        values = sorted(
            float(self._scores(phrasings[i])[0].scores[self._phrasings[i].entry])
            for i in sample[:CALIBRATION_SAMPLE]
        )
        median = values[len(values) // 2] if values else 1.0
        return median if median > 0.0 else 1.0

    def rank(self, text: str, limit: int = 5) -> list[Candidate]:
        """The best `limit` entries for `text`, best first, one per entry.

        The best out-of-scope topic is included in its place when it ranks among those
        entries, so the list may hold `limit + 1` candidates.
        """
        figures, analysed = self._scores(text)
        tokens = analysed.tokens
        scores, coverage = figures.scores, figures.coverage
        # A message that is exactly one of an entry's phrasings gets that entry, even when
        # its words are too common to score well on their own ("IMS?").
        exact = self._exact.get(tuple(tokens))
        if exact is not None:
            scores[exact] = max(float(scores[exact]), self._scale)
            coverage[exact] = 1.0
            figures.candidates[exact] = True
        w = self.weights
        if w.full_coverage > 0.0:
            shortfall = np.minimum(1.0, coverage / w.full_coverage)
            scores = scores * shortfall**w.coverage_power
        if self._semantic is not None and tokens:
            scores = self._blend_meaning(self._semantic, text, scores)
            figures.candidates[:] = True
        entries = np.flatnonzero(figures.candidates)
        # Best first; equal scores in entry order (`entries` ascends, the sort is stable).
        ordered = entries[np.argsort(-scores[entries], kind="stable")].tolist()
        present = set(tokens)
        # Words the FAQ knows that say what the message is about; words it never uses
        # cannot be matched by any entry, so they do not count here.
        # Real words the FAQ never uses: the message may be about something else entirely.
        strangers = sum(
            1
            for t in present
            if t not in self._idf and not self._is_weak(t) and t not in analysed.non_words
        )
        foreign = bool(self._foreign(analysed))
        generic = self._generic_or_vague
        topic_words = {
            t for t in present if t in self._idf and not self._is_weak(t) and t not in generic
        }
        if present & self._vague and not present & self._generic:
            # "What to expect from IMS": the treatment's name, which most entries use, is no
            # topic either ("what to expect after IMS" has a topic: "after").
            topic_words = {
                t for t in topic_words if self._entry_count.get(t, 0) <= self._common_entry_count
            }
        generic_only = not topic_words and any(t in generic for t in present)
        # What a match rests on, stories included: the topical words few entries use.
        anchors = {
            t for t in topic_words if self._entry_count.get(t, 0) <= self._common_entry_count
        }
        # Only a kind of answer asked for, about nothing but the treatment: never answered
        # directly, whatever the lead ("what is the purpose of dry needling").
        vague_only = generic_only and not present & self._generic
        if len(tokens) > GENERIC_CHECK_MAX_WORDS:
            topic_words, generic_only, vague_only = set(), False, False  # a story
        kept = self._keep(ordered, max(0, limit))
        # The learned ranker's opinion goes into each candidate as it is built (one object
        # per candidate; copying each frozen candidate to add it cost more than building it).
        opinion = self._opinion(text, tokens, kept, strangers)
        return [
            Candidate(
                self._ids[entry],
                round(min(1.0, float(scores[entry]) / self._scale), 4),
                round(float(coverage[entry]), 4),
                entry >= self._first_out_of_scope,
                entry == exact
                or entry >= self._first_out_of_scope
                or self._essential[entry] <= present,
                entry == exact
                or not (generic_only or topic_words)
                or (not generic_only and bool(topic_words & self._entry_tokens[entry])),
                vague_only and entry != exact,
                strangers,
                foreign,
                *opinion(entry),
                *self._anchor(entry, anchors, exact),
            )
            for entry in kept
        ]

    def _anchor(self, entry: int, anchors: set[str], exact: int | None) -> tuple[int, bool]:
        """For the one word of `anchors` that `entry` shares with the message: how many of
        its wordings use it, and whether it is an everyday English word; (0, False) when it
        shares none or several, or the message is one of its wordings."""
        shared = anchors & self._entry_tokens[entry]
        if len(shared) != 1 or entry == exact:
            return 0, False
        (word,) = shared
        everyday = self._stem_frequency.get(word, 0) >= EVERYDAY_WORD_COUNT
        return self._wording_uses[entry].get(word, 0), everyday

    def _opinion(
        self, text: str, tokens: list[str], kept: list[int], strangers: int
    ) -> Callable[[int], tuple[float, float | None, float]]:
        """Per kept entry, the learned ranker's (model_score, model_lead, model_share) for
        `text` (`Candidate`'s defaults without a ranker or a candidate)."""
        if self.model is None or not kept:
            return lambda entry: (0.0, None, 1.0)
        view = self.model.view(text, tokens)
        position = self.model.position
        unseen = strangers * self.model.unseen_weight
        share = math.sqrt(view.known / (view.known + unseen)) if view.known > 0.0 else 0.0

        def opinion(entry: int) -> tuple[float, float | None, float]:
            index = position.get(self._ids[entry], -1)
            score = float(view.scores[index]) if index >= 0 else 0.0
            lead = view.lead if index == view.best and index >= 0 else None
            return score, lead, share

        return opinion

    def _blend_meaning(self, scorer: SemanticScorer, text: str, scores: _Floats) -> _Floats:
        """Lexical scores (raw scale) blended with each entry's similarity in meaning."""
        lexical = np.minimum(1.0, scores / self._scale)
        share = self.weights.semantic
        blended = (1.0 - share) * lexical + share * scorer.scores(truncate(text))
        return np.asarray(blended * self._scale, dtype=np.float64)

    def _keep(self, ordered: list[int], limit: int) -> list[int]:
        """The first `limit` entries of `ordered`, with the best topic if it ranks among them."""
        kept: list[int] = []
        entries = 0
        topic_kept = False
        for entry in ordered:
            if entries >= limit:
                break
            if entry < self._first_out_of_scope:
                kept.append(entry)
                entries += 1
            elif not topic_kept:
                kept.append(entry)
                topic_kept = True
        return kept

    def foreign_words(self, text: str) -> frozenset[str]:
        """The words of `text` naming something no entry is about: words only the clinic's
        out-of-scope topics use ("osteopathy", "reiki"), and words no English word list or
        slip repair explains that are too long to be a slip ("myotherapy")."""
        return self._foreign(self._analyse_query(truncate(text)))

    def _foreign(self, analysed: _Analysed) -> frozenset[str]:
        return frozenset(
            t
            for t in analysed.tokens
            if t not in self._entry_count
            and t not in analysed.places
            and not self._is_weak(t)
            and t not in self._generic
            and t not in self._vague
            and (t in self._idf or (t in analysed.non_words and len(t) >= FOREIGN_NAME_LENGTH))
        )

    def lexical_only(self) -> FaqMatcher:
        """This matcher without the learned ranker's opinion (sharing its index)."""
        plain = copy.copy(self)
        plain.model = None
        plain.thresholds = dataclasses.replace(self.thresholds, learned=None)
        return plain

    def match(self, text: str) -> MatchResult:
        """Answer, suggest or fall back for `text`; never raises on odd input."""
        return self.decide(self.rank(text, limit=MAX_SUGGESTIONS + 1))

    def decide(self, ranked: Sequence[Candidate]) -> MatchResult:
        """Apply the thresholds to an already ranked candidate list."""
        return decide(ranked, self.thresholds)


def _bm25_idf(documents: int, used_by: int) -> float:
    """BM25's IDF of a word `used_by` of `documents` documents (positive while used_by <=
    documents)."""
    return math.log(1.0 + (documents - used_by + 0.5) / (used_by + 0.5))


def _clauses(text: str) -> list[str]:
    """The parts of `text` between clause breaks that hold a word."""
    return [part for part in _CLAUSE_BREAK_RE.split(text) if words(part)]


def decide(ranked: Sequence[Candidate], thresholds: MatchThresholds) -> MatchResult:
    """Answer / suggest / fallback for ranked candidates under `thresholds`.

    An out-of-scope topic ranked first means fallback with no entry offered; ranked
    second, it is the rival the best entry must lead by the margin. Suggestions are
    always entries.
    """
    if not ranked:
        return MatchResult("fallback", None, 0.0, ())
    best = ranked[0]
    entries = tuple(c for c in ranked if not c.out_of_scope)[:MAX_SUGGESTIONS]
    if best.out_of_scope:
        # Named only when it is a real match: far from everything, it says nothing.
        topic = best.faq_id if best.score >= thresholds.suggest else None
        return MatchResult("fallback", None, best.score, (), out_of_scope=topic)
    # A rival the message lacks the essential words of is no real rival.
    rivals = [c for c in ranked[1:] if c.essential_words]
    runner_up = rivals[0].score if rivals else 0.0
    lead = best.score - runner_up
    answered = (
        (best.score >= thresholds.answer or thresholds.wide_lead(best, lead))
        and lead >= thresholds.margin
        and thresholds.covered(best, lead)
    )
    if thresholds.learned is not None:
        overruled = thresholds.learned.decide(ranked, entries, answered)
        if overruled is not None:
            decision, faq_id, shown = overruled
            return MatchResult(decision, faq_id, best.score, shown)
    if answered:
        return MatchResult("answer", best.faq_id, best.score, entries)
    if best.score >= thresholds.suggest:
        close = tuple(c for c in entries if c.score >= thresholds.suggest)
        return MatchResult("suggest", None, best.score, close)
    return MatchResult("fallback", None, best.score, entries)


def slips_forgiven(length: int) -> int:
    """How many slips a word of `length` letters may have and still be read as a FAQ word."""
    return 2 if length >= LONG_TYPO_TOKEN_LENGTH else 1
