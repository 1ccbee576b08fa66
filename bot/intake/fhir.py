"""FHIR R4 export: the flow as a Questionnaire, an intake as a QuestionnaireResponse.

Plain dicts (JSON-ready); the tests validate them with `fhir.resources` R4B models.
Step ids are the linkIds; body regions become a group with a repeating area item whose
answers each carry a side, plus the worst area.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.intake.engine import IntakeEngine, IntakeState, Status
from bot.intake.flow import (
    AnswerValue,
    Condition,
    ConditionOp,
    Flow,
    Side,
    Step,
    StepType,
)
from bot.intake.step_types import kind_of

SIDE_DISPLAY = {Side.LEFT: "Left", Side.RIGHT: "Right", Side.BOTH: "Both", Side.CENTRE: "Centre"}
MIN_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"
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


def area_link(step: Step) -> str:
    """linkId of the repeating area item of a regions step."""
    return f"{step.id}.area"


def side_link(step: Step) -> str:
    """linkId of the side asked for each area."""
    return f"{step.id}.side"


def worst_link(step: Step) -> str:
    """linkId of the 'which bothers you most?' item."""
    return f"{step.id}.worst"


def consent_version_link(step: Step) -> str:
    """linkId of the consent text's version recorded with a treatment-consent answer."""
    return f"{step.id}.version"


def consent_time_link(step: Step) -> str:
    """linkId of the time the treatment-consent answer was given."""
    return f"{step.id}.at"


def _coding(flow: Flow, link_id: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding: dict[str, Any] = {"system": code_system(flow, link_id), "code": code}
    if display:
        coding["display"] = display
    return coding


def _options(flow: Flow, step: Step, link_id: str) -> list[dict[str, Any]]:
    return [
        {"valueCoding": _coding(flow, link_id, option.id, option.label)} for option in step.options
    ]


def _enable_when(flow: Flow, condition: Condition) -> list[dict[str, Any]]:
    target = flow.step(condition.step)
    if target is None:
        return []
    question = area_link(target) if target.type is StepType.REGIONS else target.id
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
    item: dict[str, Any] = {"linkId": step.id, "text": step.text}
    if step.type is StepType.REGIONS:
        item["type"] = "group"
        item["item"] = [
            {
                "linkId": area_link(step),
                "text": step.text,
                "type": "choice",
                "repeats": True,
                "required": step.required,
                "answerOption": _options(flow, step, area_link(step)),
                "item": [
                    {
                        "linkId": side_link(step),
                        "text": "Side (the patient's own left or right)",
                        "type": "choice",
                        "answerOption": [
                            {"valueCoding": _coding(flow, side_link(step), side.value, label)}
                            for side, label in SIDE_DISPLAY.items()
                        ],
                    }
                ],
            },
            {
                "linkId": worst_link(step),
                "text": step.worst_text or "Which area bothers you most?",
                "type": "choice",
                "answerOption": _options(flow, step, worst_link(step)),
            },
        ]
    elif step.type is StepType.NUMBER:
        item["type"] = "integer" if step.integer else "decimal"
    elif step.type is StepType.TEXT:
        item["type"] = "string"
        item["maxLength"] = step.max_length
    else:
        item["type"] = kind_of(step).fhir_type
    if step.type is not StepType.INFO and step.type is not StepType.REGIONS:
        item["required"] = step.required
    if kind_of(step).has_options and step.type is not StepType.REGIONS:
        item["answerOption"] = _options(flow, step, step.id)
    if step.type is StepType.TREATMENT_CONSENT:
        item["item"] = [
            {
                "linkId": consent_version_link(step),
                "text": "Version of the consent text shown",
                "type": "string",
                "readOnly": True,
            },
            {
                "linkId": consent_time_link(step),
                "text": "When the patient answered",
                "type": "dateTime",
                "readOnly": True,
            },
        ]
    if step.type is StepType.MULTI:
        item["repeats"] = True
    if step.type in (StepType.SCALE, StepType.NUMBER):
        low = 0 if step.type is StepType.SCALE else step.minimum
        high = 10 if step.type is StepType.SCALE else step.maximum
        key = "valueInteger" if item["type"] == "integer" else "valueDecimal"
        cast = int if key == "valueInteger" else float
        item["extension"] = [
            {"url": MIN_VALUE_URL, key: cast(low or 0)},
            {"url": MAX_VALUE_URL, key: cast(high or 0)},
        ]
    entries = [entry for condition in step.when for entry in _enable_when(flow, condition)]
    if entries:
        item["enableWhen"] = entries
        if len(entries) > 1:
            single_any_of = len(step.when) == 1 and step.when[0].op is ConditionOp.ANY_OF
            item["enableBehavior"] = "any" if single_any_of else "all"
    return item


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


def _answer_values(flow: Flow, step: Step, value: AnswerValue) -> list[dict[str, Any]]:
    if isinstance(value, bool):
        return [{"valueBoolean": value}]
    if step.type is StepType.NUMBER and isinstance(value, int | float):
        return [{"valueInteger": int(value)} if step.integer else {"valueDecimal": float(value)}]
    if step.type is StepType.SCALE and isinstance(value, int):
        return [{"valueInteger": value}]
    if step.type is StepType.TEXT:
        return [{"valueString": str(value)}]
    chosen: list[str] = []
    if isinstance(value, list):
        chosen = [str(item) for item in value]
    elif isinstance(value, str):
        chosen = [value]
    elif isinstance(value, dict):
        if "date" in value:
            return [{"valueString": str(value["date"])}]
        chosen = [str(value.get("option"))]
    answers = []
    for option_id in chosen:
        option = step.option(option_id)
        answers.append(
            {"valueCoding": _coding(flow, step.id, option_id, option.label if option else None)}
        )
    return answers


def _regions_item(flow: Flow, step: Step, value: dict[str, Any]) -> dict[str, Any]:
    areas = []
    for entry in value.get("regions", []):
        region = str(entry.get("region"))
        option = step.option(region)
        side = Side(entry.get("side", Side.CENTRE.value))
        areas.append(
            {
                "valueCoding": _coding(
                    flow, area_link(step), region, option.label if option else None
                ),
                "item": [
                    {
                        "linkId": side_link(step),
                        "answer": [
                            {
                                "valueCoding": _coding(
                                    flow, side_link(step), side.value, SIDE_DISPLAY[side]
                                )
                            }
                        ],
                    }
                ],
            }
        )
    children: list[dict[str, Any]] = [{"linkId": area_link(step), "answer": areas}]
    worst = value.get("worst")
    if worst:
        option = step.option(str(worst))
        children.append(
            {
                "linkId": worst_link(step),
                "answer": [
                    {
                        "valueCoding": _coding(
                            flow, worst_link(step), str(worst), option.label if option else None
                        )
                    }
                ],
            }
        )
    return {"linkId": step.id, "text": step.text, "item": children}


def _treatment_consent_item(flow: Flow, step: Step, state: IntakeState) -> dict[str, Any]:
    answer = _answer_values(flow, step, state.answers.get(step.id))
    record = state.treatment_consent or {}
    nested: list[dict[str, Any]] = []
    if record.get("version"):
        nested.append(
            {"linkId": consent_version_link(step), "answer": [{"valueString": record["version"]}]}
        )
    if record.get("at"):
        nested.append(
            {"linkId": consent_time_link(step), "answer": [{"valueDateTime": record["at"]}]}
        )
    if answer and nested:
        answer[0]["item"] = nested
    return {"linkId": step.id, "text": step.text, "answer": answer}


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
        if step.type is StepType.REGIONS and isinstance(value, dict):
            items.append(_regions_item(flow, step, value))
            continue
        if step.type is StepType.TREATMENT_CONSENT:
            items.append(_treatment_consent_item(flow, step, state))
            continue
        items.append(
            {"linkId": step.id, "text": step.text, "answer": _answer_values(flow, step, value)}
        )
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
