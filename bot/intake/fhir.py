"""FHIR R4 export: the flow as a Questionnaire, an intake as a QuestionnaireResponse.

Plain dicts (JSON-ready); the tests validate them with `fhir.resources` R4B models.
Step ids are the linkIds. Each step kind (`bot.intake.step_types`) gives its own item and
answers (body regions: a group with a repeating area item whose answers each carry a
side, plus the worst area); this module adds what is the same for all of them: the
code systems, `enableWhen`, and the resources around the items.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.intake.engine import IntakeEngine, IntakeState, Status
from bot.intake.flow import (
    Condition,
    ConditionOp,
    Flow,
    Step,
)
from bot.intake.step_types import fhir_coding, kind_of

RESPONSE_STATUS = {
    Status.IN_PROGRESS: "in-progress",
    Status.SUBMITTED: "completed",
    Status.STOPPED_EMERGENCY: "stopped",
    Status.ABANDONED: "stopped",
    Status.DECLINED: "stopped",
}


def base_url(flow: Flow) -> str:
    """The flow's canonical URL (an URN when the file gives none)."""
    return flow.url or f"urn:ims-intake:{flow.id}"


def code_system(flow: Flow, link_id: str) -> str:
    """The code system of one question's options."""
    return f"{base_url(flow)}/{link_id}"


def _coding(flow: Flow, link_id: str, code: str, display: str | None = None) -> dict[str, Any]:
    return {"system": code_system(flow, link_id), **fhir_coding(code, display)}


def _with_systems(flow: Flow, node: Any, link_id: str = "") -> Any:
    """`node` with every coding given the code system of the item it is under (a step
    kind words its codings without one)."""
    if isinstance(node, list):
        return [_with_systems(flow, item, link_id) for item in node]
    if not isinstance(node, dict):
        return node
    link_id = str(node.get("linkId", link_id))
    done = {key: _with_systems(flow, value, link_id) for key, value in node.items()}
    coding = done.get("valueCoding")
    if isinstance(coding, dict) and "system" not in coding:
        done["valueCoding"] = {"system": code_system(flow, link_id), **coding}
    return done


def _enable_when(flow: Flow, condition: Condition) -> list[dict[str, Any]]:
    target = flow.step(condition.step)
    if target is None:
        return []
    question = kind_of(target).fhir_link(target)
    if condition.op is ConditionOp.ANSWERED:
        return [
            {"question": question, "operator": "exists", "answerBoolean": bool(condition.value)}
        ]
    values = condition.value if isinstance(condition.value, list) else [condition.value]
    entries = []
    for value in values:
        entry: dict[str, Any] = {"question": question, "operator": "="}
        if condition.op is ConditionOp.GT:
            entry["operator"] = ">"
        elif condition.op is ConditionOp.LT:
            entry["operator"] = "<"
        if isinstance(value, bool):
            entry["answerBoolean"] = value
        elif isinstance(value, int):
            entry["answerInteger"] = value
        elif isinstance(value, float):
            entry["answerDecimal"] = value
        else:
            entry["answerCoding"] = _coding(flow, question, str(value))
        entries.append(entry)
    return entries


def _item_for(flow: Flow, step: Step) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": step.id, "text": step.text, **kind_of(step).fhir_item(step)}
    entries = [entry for condition in step.when for entry in _enable_when(flow, condition)]
    if entries:
        item["enableWhen"] = entries
        if len(entries) > 1:
            single_any_of = len(step.when) == 1 and step.when[0].op is ConditionOp.ANY_OF
            item["enableBehavior"] = "any" if single_any_of else "all"
    return dict(_with_systems(flow, item))


def questionnaire(flow: Flow) -> dict[str, Any]:
    """The flow as a FHIR R4 Questionnaire resource."""
    return {
        "resourceType": "Questionnaire",
        "id": flow.id.replace("_", "-"),
        "url": base_url(flow),
        "version": flow.version,
        "name": "".join(part.capitalize() for part in flow.id.split("_")),
        "title": flow.title,
        "status": "active",
        "item": [_item_for(flow, step) for step in flow.steps],
    }


def questionnaire_response(
    engine: IntakeEngine, state: IntakeState, *, intake_id: int, authored: datetime
) -> dict[str, Any]:
    """An intake as a FHIR R4 QuestionnaireResponse (answered, applicable steps only)."""
    flow = engine.flow
    items: list[dict[str, Any]] = []
    for step in engine.applicable(state.answers):
        value = state.answers.get(step.id)
        if not step.is_question or value is None:
            continue
        said = kind_of(step).fhir_response(step, value, state.treatment_consent, state.language)
        items.append(_with_systems(flow, {"linkId": step.id, "text": step.text, **said}))
    return {
        "resourceType": "QuestionnaireResponse",
        "id": f"intake-{intake_id}",
        # The language the patient answered in (typed answers are kept as written).
        **({"language": state.language} if state.language != "en" else {}),
        "questionnaire": f"{base_url(flow)}|{flow.version}",
        "status": RESPONSE_STATUS[state.status],
        "authored": authored.isoformat(),
        "item": items,
    }
