"""The clinician's summary of a submitted intake: red flags and needling safety first.

Built once at submission, stored (encrypted) and posted to the staff chats. Nothing
here interprets the answers clinically: it orders and labels them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.intake.answers import format_answer
from bot.intake.engine import IntakeEngine, IntakeState
from bot.intake.flow import Flow, Score, StepType

# Summary order after the flags: the clinician reads safety first.
SECTION_ORDER = (
    ("needling_safety", "Needling safety"),
    ("pain_map", "Pain map"),
    ("complaint", "Main complaint"),
    ("about", "About the patient"),
    ("intensity", "Pain intensity and interference (0-10)"),
    ("qualities_signs", "Pain qualities and self-reported signs (unscored)"),
    ("red_flags", "Red-flag screen answers"),
    ("history", "Imaging and earlier treatment"),
    ("goals", "Goals"),
    ("other", "Other"),
)
NOT_DIAGNOSIS = "Patient-reported answers for the clinician; not a diagnosis."


def score_totals(flow: Flow, engine: IntakeEngine, state: IntakeState) -> list[dict[str, Any]]:
    """Each configured score: total of the chosen options' weights and its band."""
    shown = {step.id for step in engine.applicable(state.answers)}
    results = []
    for score in flow.scores:
        total = _score_total(flow, score, state, shown)
        band = score.band_for(total)
        results.append(
            {
                "id": score.id,
                "title": score.title,
                "total": total,
                "band": band.label if band else None,
            }
        )
    return results


def _score_total(flow: Flow, score: Score, state: IntakeState, shown: set[str]) -> float:
    total = 0.0
    for step_id in score.steps:
        step = flow.step(step_id)
        answer = state.answers.get(step_id)
        if step is None or step_id not in shown or answer is None:
            continue
        chosen = answer if isinstance(answer, list) else [answer]
        for option_id in chosen:
            option = step.option(str(option_id))
            if option is not None and option.weight is not None:
                total += option.weight
    return total


def build_summary(
    engine: IntakeEngine,
    state: IntakeState,
    *,
    intake_id: int,
    chat_id: int,
    submitted_at: datetime,
    appointment_ref: str | None = None,
) -> dict[str, Any]:
    """The structured summary (JSON-compatible)."""
    flow = engine.flow
    sections: dict[str, list[dict[str, str]]] = {}
    for step in engine.review_items(state):
        if step.type is StepType.INFO:
            continue
        sections.setdefault(step.section, []).append(
            {
                "id": step.id,
                "question": step.text,
                "answer": format_answer(step, state.answers[step.id]),
            }
        )
    flags = [
        {"id": flag.id, "level": flag.level.value, "label": flag.label}
        for flag in engine.raised_flags(state.answers)
    ]
    return {
        "intake_id": intake_id,
        "chat_id": chat_id,
        "flow": {"id": flow.id, "version": flow.version},
        "consent_version": state.consent_version,
        "appointment_ref": appointment_ref,
        "submitted_at": submitted_at.isoformat(),
        "flags": flags,
        "scores": score_totals(flow, engine, state),
        "sections": [
            {"id": key, "title": title, "items": sections[key]}
            for key, title in SECTION_ORDER
            if sections.get(key)
        ],
    }


def summary_text(summary: dict[str, Any]) -> str:
    """The summary as plain text for the staff chat and `intake export --format text`."""
    lines = [
        f"Intake #{summary['intake_id']} from chat {summary['chat_id']} "
        f"(form {summary['flow']['id']} v{summary['flow']['version']}, "
        f"submitted {summary['submitted_at'][:16].replace('T', ' ')} UTC)",
        NOT_DIAGNOSIS,
    ]
    if summary.get("appointment_ref"):
        lines.append(f"Appointment: {summary['appointment_ref']}")
    lines += [
        "",
        "RED FLAGS",
    ]
    flags = summary.get("flags", [])
    lines.extend(f"- {flag['level'].upper()}: {flag['label']}" for flag in flags)
    if not flags:
        lines.append("- none reported")
    scores_done = False
    for section in summary.get("sections", []):
        lines.extend(["", section["title"].upper()])
        lines.extend(f"- {item['question']} {item['answer']}" for item in section["items"])
        if section["id"] == "intensity":
            lines.extend(_score_lines(summary))
            scores_done = True
    if not scores_done:
        lines.extend(_score_lines(summary))
    return "\n".join(lines)


def _score_lines(summary: dict[str, Any]) -> list[str]:
    scores = summary.get("scores", [])
    if not scores:
        return []
    lines = ["", "SCORES"]
    for score in scores:
        band = f" ({score['band']})" if score.get("band") else ""
        lines.append(f"- {score['title']}: {score['total']:g}{band}")
    return lines
