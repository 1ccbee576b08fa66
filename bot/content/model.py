"""Content models shared by the loaders, the matcher and the conversation."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Review:
    """Who last checked a piece of clinical content, and when."""

    by: str
    on: date


@dataclass(frozen=True)
class FaqEntry:
    """One curated question with its answer."""

    id: str
    question: str
    alternates: tuple[str, ...]
    answer: str  # plain text, clinic placeholders already filled in
    category: str
    follow_ups: tuple[str, ...] = ()
    reviewed: Review | None = None
    line: int = 0  # where the entry starts in faq.yaml
    # Line of each phrasing (question first, then alternates), for problem reports.
    phrasing_lines: tuple[int, ...] = ()

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The question and its alternates: everything the matcher compares against."""
        return (self.question, *self.alternates)


@dataclass(frozen=True)
class OutOfScopeTopic:
    """Something patients ask that the clinic does not answer in the chat.

    Its examples teach the matcher what falls outside the FAQ, so such a question gets
    the honest fallback (with the clinic's contact) rather than a look-alike answer.
    """

    id: str
    examples: tuple[str, ...]
    line: int = 0
    example_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class DocumentFrequencies:
    """How many documents there were, and how many used each feature. Features only one
    document used are only counted (`single_use`), not listed: a feature not listed
    counts as used by one document, whether the reference had it once or never (a new
    entry's own words weigh as rare words; how many entries use them is not counted again
    until the reference is refreshed, so they reweigh no other entry's words)."""

    documents: int
    counts: Mapping[str, int] = field(default_factory=dict)
    single_use: int = 0

    @classmethod
    def of(cls, documents: int, counts: Mapping[str, int]) -> DocumentFrequencies:
        """The reference for `counts` over `documents`, single-use features only counted."""
        kept = {feature: n for feature, n in counts.items() if n > 1}
        return cls(documents, kept, len(counts) - len(kept))

    def count(self, feature: str) -> int:
        """The documents to count as using `feature` (never more than `documents`, so an
        FAQ grown past the reference weighs no word below zero)."""
        return self.counts.get(feature, 1)

    def __hash__(self) -> int:
        # Cheap and consistent with equality (the counts mapping itself is not hashable):
        # FaqContent, which holds these, keys caches.
        return hash((self.documents, self.single_use, len(self.counts)))

    def every_count(self) -> list[int]:
        """Each feature's count, single-use features included."""
        return [*self.counts.values(), *([1] * self.single_use)]


@dataclass(frozen=True)
class MatcherStatistics:
    """Everything content-wide the matcher reads, for one language's FAQ."""

    fingerprint: str  # of the wordings they were computed from (`wording_fingerprint`)
    words: DocumentFrequencies  # entries and topics as documents, analysed words and pairs
    average_length: float  # of an entry in analysed words, BM25's length reference
    scale: float  # the raw score of a wording typed exactly (shown as 1.0)
    grams: DocumentFrequencies  # character trigrams, entries and topics as documents
    # The learned ranker's features, phrasings as documents (None: no ranker).
    ranker: DocumentFrequencies | None = None


@dataclass(frozen=True)
class FaqContent:
    """All FAQ entries plus shared synonyms."""

    entries: tuple[FaqEntry, ...]
    # Each group lists words or phrases that mean the same thing, e.g.
    # ("ims", "intramuscular stimulation", "gunn ims").
    synonyms: tuple[tuple[str, ...], ...] = ()
    # Names of related needling treatments ("acupuncture"): a question naming one without
    # comparing is answered as a question about the clinic's treatment.
    related_treatments: tuple[str, ...] = ()
    # Names of treatments other than the clinic's own ("massage", "acupuncture"): a short
    # question naming one and none of the treatment's names is answered only by an entry
    # whose wordings name it.
    other_treatments: tuple[str, ...] = ()
    # Names of conditions patients ask the treatment helps ("plantar fasciitis", "TMJ"),
    # and the entry answering such a question ("does IMS help sciatica?").
    condition_names: tuple[str, ...] = ()
    condition_entry: str | None = None
    # Optional clinic overrides of the matcher thresholds (None: the tuned defaults).
    answer_threshold: float | None = None
    suggest_threshold: float | None = None
    margin: float | None = None
    file: str = "content/faq.yaml"
    # Topics the clinic does not answer here, with example questions (may be empty).
    out_of_scope: tuple[OutOfScopeTopic, ...] = ()
    # The word statistics frozen beside the content (faq_statistics.json; None: the matcher
    # weighs words by this content's own).
    word_statistics: MatcherStatistics | None = None

    def get(self, faq_id: str) -> FaqEntry | None:
        """The entry with `faq_id`, if any."""
        for entry in self.entries:
            if entry.id == faq_id:
                return entry
        return None

    @property
    def categories(self) -> tuple[str, ...]:
        """Categories in the order they first appear."""
        seen: dict[str, None] = {}
        for entry in self.entries:
            seen.setdefault(entry.category, None)
        return tuple(seen)
