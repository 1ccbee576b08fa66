"""What a patient's message asks of the FAQ: small talk, one question or two.

A pure core step between the matcher and the conversation: the conversation turns a
`FaqReading` into replies, the benchmarks count them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from bot.faq.matcher import Candidate, FaqMatcher
from bot.faq.pipeline import EmergencyCheck

if TYPE_CHECKING:
    from bot.content.loader import ClinicContent

ReadingKind = Literal["emergency", "answer", "suggest", "fallback"]


@dataclass(frozen=True)
class FaqReading:
    """What to do with one message."""

    kind: ReadingKind
    answers: tuple[str, ...] = ()  # entry ids to answer, in the order asked
    suggestions: tuple[Candidate, ...] = ()
    score: float = 0.0


class MessageReader:
    """Reads a message into a `FaqReading`."""

    def __init__(self, matcher: FaqMatcher, detector: EmergencyCheck | None = None) -> None:
        self.matcher = matcher
        self.detector = detector

    @classmethod
    def from_content(cls, content: ClinicContent) -> MessageReader:
        """A reader over the clinic's FAQ and emergency screen (lexical matching)."""
        return cls(FaqMatcher.from_content(content.faq), content.emergency.detector())

    def read(self, text: str) -> FaqReading:
        """The reading of `text`; an emergency wins over everything."""
        if self.detector is not None and self.detector.detect(text) is not None:
            return FaqReading("emergency", score=1.0)
        result = self.matcher.match(text)
        answers = (result.faq_id,) if result.decision == "answer" and result.faq_id else ()
        return FaqReading(result.decision, answers, result.suggestions, result.score)
