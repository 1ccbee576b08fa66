"""One decision per patient message: emergency first, then the FAQ matcher."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from bot.faq.matcher import Candidate, FaqMatcher
from bot.faq.semantic import PhrasingVectorCache, SentenceEncoder

if TYPE_CHECKING:
    from bot.clinic_content import ClinicContent

PipelineDecision = Literal["answer", "suggest", "fallback", "emergency", "urgent"]


class EmergencyFinding(Protocol):
    """What an emergency detector reports (bot.safety.emergency.EmergencyHit)."""

    @property
    def rule_id(self) -> str:
        """The emergency rule that fired."""
        ...


class EmergencyCheck(Protocol):
    """Anything that can spot an emergency in a message."""

    def detect(self, text: str) -> EmergencyFinding | None:
        """The emergency described in `text`, if any."""
        ...


@dataclass(frozen=True)
class FaqDecision:
    """What to do with one message."""

    decision: PipelineDecision
    faq_id: str | None  # set only when decision == "answer"
    score: float
    suggestions: tuple[Candidate, ...] = ()
    emergency_rule: str | None = None  # the safety rule, when decision is emergency or urgent


class FaqPipeline:
    """Emergency check, then matching; the one place that orders the two."""

    def __init__(self, matcher: FaqMatcher, detector: EmergencyCheck | None = None) -> None:
        self.matcher = matcher
        self.detector = detector

    @classmethod
    def from_content(
        cls,
        content: ClinicContent,
        encoder: SentenceEncoder | None = None,
        vector_cache: PhrasingVectorCache | None = None,
    ) -> FaqPipeline:
        """A pipeline over the clinic's FAQ and emergency content (meaning blended in when
        `encoder` is given)."""
        matcher = FaqMatcher.from_content(content.faq, encoder, vector_cache)
        return cls(matcher, content.emergency.detector())

    def decide(self, text: str) -> FaqDecision:
        """The decision for `text`: an emergency always wins over any FAQ answer."""
        if self.detector is not None:
            hit = self.detector.detect(text)
            if hit is not None:
                return FaqDecision("emergency", None, 1.0, (), hit.rule_id)
        result = self.matcher.match(text)
        return FaqDecision(result.decision, result.faq_id, result.score, result.suggestions)
