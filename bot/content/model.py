"""Content models shared by the loaders, the matcher and the conversation."""

from __future__ import annotations

from dataclasses import dataclass
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
