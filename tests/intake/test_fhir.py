"""FHIR R4 export, validated with fhir.resources R4B models and checked against the flow."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from bot.intake.engine import IntakeEngine, Typed
from bot.intake.fhir import questionnaire, questionnaire_response
from bot.intake.flow import StepType
from bot.intake.flow_file import load_flow_file
from tests.intake.kit import SHIPPED_FLOW, TYPED_PATH

# Which value[x] each Questionnaire item type may carry in a response.
ANSWER_KEYS = {
    "boolean": {"valueBoolean"},
    "integer": {"valueInteger"},
    "decimal": {"valueDecimal"},
    "string": {"valueString"},
    "choice": {"valueCoding"},
    "open-choice": {"valueCoding", "valueString"},
}


@pytest.fixture(scope="module")
def engine() -> IntakeEngine:
    return IntakeEngine(load_flow_file(SHIPPED_FLOW).flow)


def _items(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for item in items:
        found[item["linkId"]] = item
        found.update(_items(item.get("item", [])))
    return found


def completed_state(engine: IntakeEngine):  # type: ignore[no-untyped-def]
    state = engine.start()
    for text in TYPED_PATH:
        state = engine.apply(state, Typed(text)).state
    return engine.apply(state, Typed("submit")).state


def test_questionnaire_validates_and_mirrors_the_flow(engine: IntakeEngine) -> None:
    resource = questionnaire(engine.flow)
    Questionnaire.model_validate(resource)
    items = _items(resource["item"])
    for step in engine.flow.steps:
        assert step.id in items
        if step.type is StepType.REGIONS:
            assert items[f"{step.id}.area"]["repeats"] is True
            assert f"{step.id}.side" in items and f"{step.id}.worst" in items
    assert items["qualities"]["type"] == "choice" and items["qualities"]["repeats"] is True
    assert items["pain_now"]["type"] == "integer"
    assert items["complaint"]["maxLength"] == 600
    consent = items["treatment_consent"]
    assert consent["type"] == "choice" and "collapsed lung" in consent["text"]
    assert {i["linkId"] for i in consent["item"]} == {
        "treatment_consent.version",
        "treatment_consent.at",
        "treatment_consent.given_by",
    }
    assert items["onset_details"]["enableBehavior"] == "any"
    assert len(items["onset_details"]["enableWhen"]) == 2
    questions = set(items)
    for item in items.values():
        for condition in item.get("enableWhen", []):
            assert condition["question"] in questions


def test_response_validates_and_answers_fit_item_types(engine: IntakeEngine) -> None:
    state = completed_state(engine)
    response = questionnaire_response(
        engine, state, intake_id=7, authored=datetime(2026, 11, 21, 12, tzinfo=UTC)
    )
    QuestionnaireResponse.model_validate(response)
    assert response["status"] == "completed"
    assert response["questionnaire"].endswith(f"|{engine.flow.version}")
    definition = _items(questionnaire(engine.flow)["item"])
    answered = _items(response["item"])
    for link_id, item in answered.items():
        assert link_id in definition, link_id
        declared = definition[link_id]["type"]
        for answer in item.get("answer", []):
            keys = {key for key in answer if key.startswith("value")}
            assert keys <= ANSWER_KEYS[declared], (link_id, keys, declared)
            if "valueCoding" in answer:
                codes = {o["valueCoding"]["code"] for o in definition[link_id]["answerOption"]}
                assert answer["valueCoding"]["code"] in codes
    assert answered["pain_now"]["answer"] == [{"valueInteger": 7}]
    area = answered["regions.area"]["answer"]
    assert [a["valueCoding"]["code"] for a in area] == ["neck", "shoulder_blade"]
    sides = [a["item"][0]["answer"][0]["valueCoding"]["code"] for a in area]
    assert sides == ["centre", "left"]
    assert "onset_details" not in answered  # not shown to this patient, so not exported
    [consent] = answered["treatment_consent"]["answer"]
    assert consent["valueCoding"]["code"] == "agree"
    nested = {i["linkId"]: i["answer"][0] for i in consent["item"]}
    assert nested["treatment_consent.version"] == {"valueString": "ims-consent-2026-12-2"}
    assert "valueDateTime" in nested["treatment_consent.at"]
    # Who gave the consent: the patient, or a parent, guardian or decision-maker for them.
    assert nested["treatment_consent.given_by"]["valueCoding"]["code"] == "patient"


def test_stopped_and_in_progress_statuses(engine: IntakeEngine) -> None:
    state = engine.start()
    response = questionnaire_response(engine, state, intake_id=1, authored=datetime.now(UTC))
    QuestionnaireResponse.model_validate(response)
    assert response["status"] == "in-progress"


def _texts(item: dict[str, Any]) -> str:
    options = [o["valueCoding"].get("display", "") for o in item.get("answerOption", [])]
    return " ".join([item.get("text", ""), *options]).lower()


def test_cli_questionnaire_has_an_item_for_every_bar_of_issue_19(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`ims-bot intake questionnaire --format fhir`: valid R4, one item per required topic."""
    from bot.cli.main import main
    from tests.intake.kit import REPO

    assert (
        main(["intake", "questionnaire", "--format", "fhir", "--content", str(REPO / "content")])
        == 0
    )
    resource = json.loads(capsys.readouterr().out)
    Questionnaire.model_validate(resource)
    texts = [_texts(item) for item in _items(resource["item"]).values()]

    def has(*words: str) -> bool:
        return any(all(word in text for word in words) for text in texts)

    assert has("consent", "collapsed lung")
    assert has("every medicine")
    assert has("allergic", "latex", "metal", "antiseptic")
    assert has("irregular heartbeat", "angina", "heart failure")
    assert has("hiv", "hepatitis")
    assert has("radiotherapy")
    assert has("makes the pain worse") and has("eases the pain")
    assert has("little interest or pleasure") and has("feeling down, depressed, or hopeless")
