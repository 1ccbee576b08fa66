"""The clinician's summary of an intake: consent, red flags and needling safety first.

Built once at submission (or on export for a form that was stopped), stored encrypted
and posted to the staff chats. Nothing here interprets the answers clinically: it
orders and labels them. `intake_overview` gives other readers (the web console) the
parts a clinician must see first as typed values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.core.dates import clinic_time
from bot.intake.answers import normalise
from bot.intake.engine import IntakeEngine, IntakeState, Status
from bot.intake.flow import (
    CONSENT_AGREE,
    CONSENT_DECLINE,
    CONSENT_QUESTIONS,
    AnswerValue,
    FlagLevel,
    Flow,
    Step,
)
from bot.intake.repository import StoredIntake
from bot.intake.step_types import format_answer, kind_of
from bot.intake.wording import LANGUAGE_NAMES, giver_on_record

SAFETY_SECTION = "needling_safety"
# Summary order after consent and flags: the clinician reads safety first.
SECTION_ORDER = (
    ("needling_safety", "Needling safety"),
    ("mood", "Mood (PHQ-2)"),
    ("pain_map", "Pain map"),
    ("complaint", "Main complaint and pain history"),
    ("about", "About the patient"),
    ("intensity", "Pain intensity and interference (0-10)"),
    ("qualities_signs", "Pain qualities and self-reported signs (unscored)"),
    ("red_flags", "Red-flag screen answers"),
    ("history", "Imaging and earlier treatment"),
    ("goals", "Goals"),
    ("other", "Other"),
)
NOT_DIAGNOSIS = "Patient-reported answers for the clinician; not a diagnosis."
PATIENT_WORDS = "Text in “quotes” is what the patient typed, as typed."
CONSENT_WORDS = {
    CONSENT_AGREE: "agreed",
    CONSENT_QUESTIONS: "has questions first; answer them before any needling",
    CONSENT_DECLINE: "NOT GIVEN: the patient answered No; do not needle",
}
GIVER_NOT_RECORDED = "not recorded"
STATUS_WORDS = {
    Status.SUBMITTED.value: "submitted",
    Status.STOPPED_EMERGENCY.value: "STOPPED BY AN EMERGENCY, not submitted",
    Status.IN_PROGRESS.value: "in progress, not submitted",
    Status.ABANDONED.value: "abandoned, not submitted",
    Status.DECLINED.value: "declined, not submitted",
}
# Sentences after the first that only tell the patient how to answer.
_INSTRUCTION = re.compile(r"^(?:choose|tap|type|select|pick|or type)\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
_NOTHING = frozenset({"none", "no", "nil", "n/a", "na", "nothing", "none of these", "(skipped)"})


def clinician_answer(step: Step, value: AnswerValue) -> str:
    """An answer as the clinician reads it: what the patient typed in free text is quoted,
    so it never reads as the form's own words."""
    answer = format_answer(step, value)
    if kind_of(step).free_text and isinstance(value, str):
        return f"“{answer}”"
    return answer


def clinician_question(text: str) -> str:
    """A question without the answering instructions ("Choose all that apply...")."""
    sentences = _SENTENCE_END.split(text.strip())
    kept = sentences[:1] + [s for s in sentences[1:] if not _INSTRUCTION.match(s)]
    return " ".join(kept)


def score_totals(flow: Flow, engine: IntakeEngine, state: IntakeState) -> list[dict[str, Any]]:
    """Each configured score: total of the chosen options' weights and its band. A score none
    of whose questions was answered (a form stopped before them) is left out: its total of 0
    would read as a negative screen; one with an applicable question unanswered has no band."""
    results = []
    shown = {step.id for step in engine.applicable(state.answers)}
    for score in flow.scores:
        asked = [step for step in score.steps if step in shown]
        answered = [step for step in asked if state.answers.get(step) is not None]
        if not answered:
            continue
        total = engine.score_total(score.id, state.answers)
        complete = len(answered) == len(asked)
        band = score.band_for(total) if complete else None
        results.append(
            {
                "id": score.id,
                "title": score.title,
                "total": total,
                "band": band.label
                if band
                else (
                    None if complete else f"incomplete: {len(answered)} of {len(asked)} answered"
                ),
                "complete": complete,
            }
        )
    return results


def _treatment_consent(engine: IntakeEngine, state: IntakeState) -> dict[str, Any] | None:
    if state.treatment_consent is None:
        return None
    step = next((s for s in engine.flow.steps if kind_of(s).treatment_consent), None)
    answer = state.treatment_consent.get("answer", "")
    option = step.option(answer) if step else None
    given_by = state.treatment_consent.get("given_by", "")
    return {
        **state.treatment_consent,
        "label": option.label if option else answer,
        **({"given_by_label": giver_on_record(given_by)} if given_by else {}),
    }


def needling_precautions(engine: IntakeEngine, state: IntakeState) -> list[str]:
    """The needling-safety answers other than "none", one item each (what the summary
    lists as precautions, and the web inbox for a summary stored without them)."""
    found: list[str] = []
    for step in engine.review_items(state):
        if step.section != SAFETY_SECTION:
            continue
        value = state.answers[step.id]
        named = kind_of(step).noted(step, value)
        if named is not None:
            found.extend(named)
            continue
        if normalise(format_answer(step, value)) not in _NOTHING:
            found.append(f"{step.short}: {clinician_answer(step, value)}")
    return found


@dataclass(frozen=True)
class FlagView:
    """One raised flag: id, level (emergency, urgent, attention) and its short label."""

    id: str
    level: str
    label: str


def intake_flags(engine: IntakeEngine, state: IntakeState) -> tuple[FlagView, ...]:
    """Every flag a clinician must see on a form: an emergency typed in the chat first, then
    the flags its answers raised (an urgent problem typed in the chat after emergencies).
    The summary, the export, `intake list` and the web console all read flags from here."""
    flags = [
        FlagView(flag.id, flag.level.value, flag.label)
        for flag in engine.raised_flags(state.answers)
    ]
    listed = {flag.id for flag in flags}
    for flag_id in state.resumed_emergencies:  # stopped the form; the patient carried on
        known = engine.flow.flags.get(flag_id)
        label = known.label if known is not None else flag_id
        changed = " and changed it" if flag_id not in listed else ""
        resumed = FlagView(
            f"resumed:{flag_id}",
            FlagLevel.EMERGENCY.value,
            f"{label}: this answer stopped the form; the patient carried on later{changed}",
        )
        flags.insert(0, resumed)
    if state.emergency_rule:
        typed = FlagView(
            f"typed:{state.emergency_rule}",
            FlagLevel.EMERGENCY.value,
            f"Emergency typed in the chat (rule {state.emergency_rule}); the form was stopped",
        )
        flags.insert(0, typed)
    after_emergencies = sum(1 for flag in flags if flag.level == FlagLevel.EMERGENCY.value)
    for rule_id in reversed(state.urgent_rules):
        urgent = FlagView(
            f"typed:{rule_id}",
            FlagLevel.URGENT.value,
            f"Urgent problem typed in the chat (rule {rule_id}); the patient was told to see "
            "a doctor today",
        )
        flags.insert(after_emergencies, urgent)
    return tuple(flags)


def build_summary(
    engine: IntakeEngine,
    state: IntakeState,
    *,
    intake_id: int,
    chat_id: int,
    submitted_at: datetime,
    appointment_ref: str | None = None,
) -> dict[str, Any]:
    """The structured summary (JSON-compatible); `submitted_at` is the last update for a
    form that was not submitted."""
    flow = engine.flow
    sections: dict[str, list[dict[str, str]]] = {}
    for step in engine.review_items(state):
        if kind_of(step).treatment_consent:  # in its own block, first
            continue
        sections.setdefault(step.section, []).append(
            {
                "id": step.id,
                "question": step.label or clinician_question(step.text),
                "answer": clinician_answer(step, state.answers[step.id]),
            }
        )
    flags = [asdict(flag) for flag in intake_flags(engine, state)]
    return {
        "intake_id": intake_id,
        "chat_id": chat_id,
        "flow": {"id": flow.id, "version": flow.version},
        # The language the patient read the form in; their typed answers are as written.
        "language": state.language,
        "status": state.status.value,
        "consent_version": state.consent_version,
        "treatment_consent": _treatment_consent(engine, state),
        "appointment_ref": appointment_ref,
        "submitted_at": submitted_at.isoformat(),
        "flags": flags,
        "precautions": needling_precautions(engine, state),
        "scores": score_totals(flow, engine, state),
        "sections": [
            {"id": key, "title": title, "items": sections[key]}
            for key, title in SECTION_ORDER
            if sections.get(key)
        ],
    }


def record_summary(engine: IntakeEngine, intake: StoredIntake) -> dict[str, Any]:
    """The summary of a stored intake as staff read it (export, web console): the one stored
    at submission, else built now from its state (a stopped or unfinished form)."""
    if intake.summary is not None:
        return intake.summary
    return build_summary(
        engine,
        intake.state,
        intake_id=intake.id,
        chat_id=intake.chat_id,
        submitted_at=intake.submitted_at or intake.updated_at,
        appointment_ref=intake.appointment_ref,
    )


def _stamp(iso: str, tz: tzinfo) -> str:
    """A stored ISO time (UTC) in clinic time, as the rest of what staff read."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return "time not recorded"
    return clinic_time(moment if moment.tzinfo else moment.replace(tzinfo=UTC), tz)


def _consent_line(summary: Mapping[str, Any], tz: tzinfo) -> str:
    consent = summary.get("treatment_consent")
    if not consent:
        return "- not recorded (the form ended before the consent question, or an older form)"
    words = CONSENT_WORDS.get(str(consent.get("answer")), str(consent.get("answer")))
    when = _stamp(str(consent.get("at", "")), tz)
    by = consent_given_by(consent)
    return f"- {words} (given by: {by}; consent text {consent.get('version', '?')}, {when})"


def consent_given_by(consent: Mapping[str, Any]) -> str:
    """Who gave a stored consent-to-treatment answer, as every staff view words it (an
    older summary does not say)."""
    return str(consent.get("given_by_label") or GIVER_NOT_RECORDED)


def summary_text(summary: Mapping[str, Any], tz: tzinfo) -> str:
    """The summary as plain text for the staff chat and `intake export --format text`,
    times in the clinic's zone `tz`."""
    status = STATUS_WORDS.get(str(summary.get("status", Status.SUBMITTED.value)), "submitted")
    when = _stamp(summary["submitted_at"], tz)
    moment = f"submitted {when}" if status == "submitted" else f"{status}; last {when}"
    lines = [
        f"Intake #{summary['intake_id']} from chat {summary['chat_id']} "
        f"(form {summary['flow']['id']} v{summary['flow']['version']}, {moment})",
        NOT_DIAGNOSIS,
        PATIENT_WORDS,
    ]
    language = str(summary.get("language") or "en")
    if language != "en":
        name = LANGUAGE_NAMES.get(language, language)
        lines.append(f"Answered in {name}: typed answers are quoted as the patient wrote them.")
    if summary.get("appointment_ref"):
        lines.append(f"Appointment: {summary['appointment_ref']}")
    lines += ["", "CONSENT TO TREATMENT", _consent_line(summary, tz), "", "RED FLAGS"]
    flags = summary.get("flags", [])
    lines.extend(f"- {flag['level'].upper()}: {flag['label']}" for flag in flags)
    if not flags:
        lines.append("- none reported")
    scores_done = False
    for section in summary.get("sections", []):
        lines.extend(["", section["title"].upper()])
        lines.extend(_item_line(item) for item in section["items"])
        if section["id"] in ("intensity", "mood") and not scores_done:
            lines.extend(_score_lines(summary))
            scores_done = True
    if not scores_done:
        lines.extend(_score_lines(summary))
    return "\n".join(lines)


def _item_line(item: Mapping[str, Any]) -> str:
    question = clinician_question(str(item["question"]))
    joiner = " " if question.endswith(("?", ":")) else ": "
    return f"- {question}{joiner}{item['answer']}"


def _score_lines(summary: Mapping[str, Any]) -> list[str]:
    scores = summary.get("scores", [])
    if not scores:
        return []
    lines = ["", "SCORES"]
    for score in scores:
        band = f" ({score['band']})" if score.get("band") else ""
        lines.append(f"- {score['title']}: {score['total']:g}{band}")
    return lines


# --- a typed view for other readers (the web console) ----------------------------------


@dataclass(frozen=True)
class ConsentView:
    """The answer to informed consent to treatment, with the text's version and time."""

    answer: str  # agree | questions | decline
    label: str
    version: str
    at: str  # ISO time, UTC
    given_by: str = ""  # who gave it, as the clinician reads it ("" when not recorded)

    @property
    def given(self) -> bool:
        """Whether the patient agreed to treatment."""
        return self.answer == CONSENT_AGREE


@dataclass(frozen=True)
class IntakeOverview:
    """What a clinician must see first about one intake."""

    status: str
    consent: ConsentView | None
    flags: tuple[FlagView, ...]
    precautions: tuple[str, ...]  # needling-safety answers other than "none"


def intake_overview(summary: Mapping[str, Any]) -> IntakeOverview:
    """The overview of a stored summary (older summaries lack some parts: they read empty)."""
    raw = summary.get("treatment_consent")
    consent = (
        ConsentView(
            answer=str(raw.get("answer", "")),
            label=str(raw.get("label", raw.get("answer", ""))),
            version=str(raw.get("version", "")),
            at=str(raw.get("at", "")),
            given_by=str(raw.get("given_by_label", "")),
        )
        if isinstance(raw, Mapping)
        else None
    )
    flags = tuple(
        FlagView(str(flag.get("id")), str(flag.get("level")), str(flag.get("label")))
        for flag in summary.get("flags", [])
        if isinstance(flag, Mapping)
    )
    return IntakeOverview(
        status=str(summary.get("status", Status.SUBMITTED.value)),
        consent=consent,
        flags=flags,
        precautions=tuple(str(item) for item in summary.get("precautions", [])),
    )
