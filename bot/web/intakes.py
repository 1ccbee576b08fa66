"""The intake inbox: which intakes a clinician should read first, and one intake in full.

Reads through the intake repository. The inbox needs each intake's flags, so it decrypts
states in memory for that request only; nothing decrypted is kept or logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from bot.intake.engine import IntakeEngine, Status
from bot.intake.fhir import questionnaire_response
from bot.intake.flow import FlagLevel
from bot.intake.flow_file import flow_from_definition
from bot.intake.repository import IntakeRepository, StoredIntake
from bot.intake.summary import (
    STATUS_WORDS,
    FlagView,
    consent_given_by,
    intake_overview,
    needling_precautions,
    record_summary,
)
from bot.storage.console_tables import IntakeReview
from bot.storage.database import Database
from bot.web.accounts import Clock, utc_now
from bot.web.audit import Marked

# What a clinician has to read: finished forms and those an emergency answer stopped.
INBOX_STATUSES = (Status.SUBMITTED, Status.STOPPED_EMERGENCY)
# The answers to the consent-to-treatment question, as the clinician must read them.
TREATMENT_CONSENT_WORDS = {
    "agree": "agreed",
    "questions": "has questions first",
    "decline": "NOT GIVEN",
}


@dataclass(frozen=True)
class InboxRow:
    """One intake in the inbox (flag labels and safety items, no answers in free text)."""

    id: int
    chat_id: int
    status: str
    at: datetime
    flags: tuple[FlagView, ...]  # as the export lists them: a typed emergency first
    consent: str
    contraindications: tuple[str, ...]
    reviewed_at: datetime | None
    reviewed_by: str | None

    def _labels(self, level: FlagLevel) -> tuple[str, ...]:
        return tuple(flag.label for flag in self.flags if flag.level == level.value)

    @property
    def emergency_flags(self) -> tuple[str, ...]:
        """Labels of the emergency flags (a typed emergency among them)."""
        return self._labels(FlagLevel.EMERGENCY)

    @property
    def urgent_flags(self) -> tuple[str, ...]:
        """Labels of the urgent flags."""
        return self._labels(FlagLevel.URGENT)

    @property
    def stopped(self) -> bool:
        """Whether an emergency stopped the form before it was submitted."""
        return self.status == Status.STOPPED_EMERGENCY.value

    @property
    def status_words(self) -> str:
        """The form's state in the export's words."""
        return STATUS_WORDS.get(self.status, self.status)

    @property
    def sort_key(self) -> tuple[bool, int, int, int, float]:
        """New first; then emergency, urgent and contraindications; then newest."""
        return (
            self.reviewed_at is not None,
            -len(self.emergency_flags),
            -len(self.urgent_flags),
            -len(self.contraindications),
            -self.at.timestamp(),
        )


@dataclass(frozen=True)
class IntakeDetail:
    """One intake's summary (decrypted for this request) and its review state."""

    row: InboxRow
    summary: dict[str, Any]


class IntakeInbox:
    """The inbox, one intake's detail, its FHIR response, and its review state."""

    def __init__(self, database: Database, repository: IntakeRepository, clock: Clock = utc_now):
        self._database = database
        self._repository = repository
        self._clock = clock
        self._engines: dict[str, IntakeEngine] = {}

    async def _engine(self, intake: StoredIntake) -> IntakeEngine | None:
        engine = self._engines.get(intake.flow_digest)
        if engine is None:
            definition = await self._repository.flow_definition(intake.flow_digest)
            if definition is None:
                return None
            engine = self._engines[intake.flow_digest] = IntakeEngine(
                flow_from_definition(definition)
            )
        return engine

    async def _reviews(self) -> dict[int, IntakeReview]:
        async with self._database.sessions() as session:
            return {row.intake_id: row for row in await session.scalars(select(IntakeReview))}

    async def rows(self) -> list[InboxRow]:
        """Every submitted or emergency-stopped intake, in reading order."""
        reviews = await self._reviews()
        rows = []
        for intake in await self._repository.all():
            if intake.status not in INBOX_STATUSES:
                continue
            engine = await self._engine(intake)
            rows.append(self._row(intake, engine, reviews.get(intake.id)))
        return sorted(rows, key=lambda row: row.sort_key)

    def _row(
        self,
        intake: StoredIntake,
        engine: IntakeEngine | None,
        review: IntakeReview | None,
        summary: dict[str, Any] | None = None,
    ) -> InboxRow:
        if summary is None:
            summary = _summary(intake, engine)
        return InboxRow(
            id=intake.id,
            chat_id=intake.chat_id,
            status=intake.status.value,
            at=intake.submitted_at or intake.updated_at,
            flags=intake_overview(summary).flags,
            consent=_consent(summary, intake),
            contraindications=_contraindications(summary, intake, engine),
            reviewed_at=review.reviewed_at if review else None,
            reviewed_by=review.reviewed_by if review else None,
        )

    async def detail(self, intake_id: int) -> IntakeDetail | None:
        """One intake with its summary, or None when it is not in the inbox."""
        intake = await self._repository.get(intake_id)
        if intake is None or intake.status not in INBOX_STATUSES:
            return None
        engine = await self._engine(intake)
        review = (await self._reviews()).get(intake.id)
        summary = _summary(intake, engine)
        return IntakeDetail(self._row(intake, engine, review, summary), summary)

    async def fhir(self, intake_id: int) -> dict[str, Any] | None:
        """The intake as a FHIR R4 QuestionnaireResponse."""
        intake = await self._repository.get(intake_id)
        if intake is None or intake.status not in INBOX_STATUSES:
            return None
        engine = await self._engine(intake)
        if engine is None:
            return None
        when = intake.submitted_at or intake.updated_at
        return questionnaire_response(engine, intake.state, intake_id=intake.id, authored=when)

    async def mark_reviewed(self, intake_id: int, by: str) -> Marked | None:
        """Mark reviewed (the first review mark is kept); None when the intake is not in
        the inbox."""
        if await self._repository.status_of(intake_id) not in INBOX_STATUSES:
            return None
        async with self._database.sessions.begin() as session:
            if await session.get(IntakeReview, intake_id) is not None:
                return Marked.ALREADY
            session.add(
                IntakeReview(intake_id=intake_id, reviewed_at=self._clock(), reviewed_by=by)
            )
        return Marked.NOW

    async def mark_new(self, intake_id: int) -> Marked | None:
        """Undo a review mark; None when the intake is not in the inbox."""
        if await self._repository.status_of(intake_id) not in INBOX_STATUSES:
            return None
        async with self._database.sessions.begin() as session:
            removed = await session.execute(
                delete(IntakeReview).where(IntakeReview.intake_id == intake_id)
            )
        return Marked.NOW if removed.rowcount else Marked.ALREADY  # type: ignore[attr-defined]


def _summary(intake: StoredIntake, engine: IntakeEngine | None) -> dict[str, Any]:
    if engine is None:  # the flow version is missing: only a stored summary can be read
        return intake.summary or {}
    return record_summary(engine, intake)


def _consent(summary: dict[str, Any], intake: StoredIntake) -> str:
    treatment = summary.get("treatment_consent")
    if isinstance(treatment, dict):
        answer = str(treatment.get("answer", ""))
        label = TREATMENT_CONSENT_WORDS.get(answer) or treatment.get("label") or answer
        return f"treatment: {label} (given by: {consent_given_by(treatment)})"
    if isinstance(treatment, str | bool):
        return "given" if treatment is True else str(treatment)
    # As the export says it: no answer to consent to treatment is not a consent.
    version = summary.get("consent_version") or intake.state.consent_version
    data_use = f"; data use agreed (text {version})" if version else ""
    return f"treatment: not recorded{data_use}"


def _contraindications(
    summary: dict[str, Any], intake: StoredIntake, engine: IntakeEngine | None
) -> tuple[str, ...]:
    # Newer summaries list the needling-safety answers themselves.
    stored = summary.get("precautions", summary.get("contraindications"))
    if isinstance(stored, list):
        return tuple(
            str(item.get("label", item)) if isinstance(item, dict) else str(item) for item in stored
        )
    return tuple(needling_precautions(engine, intake.state)) if engine is not None else ()
