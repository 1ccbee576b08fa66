"""The learned second opinion beside the safety rules: loads, joins the stage, stays current."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path

import pytest

from bot.cli.faq import match_stream
from bot.cli.safety import write_report
from bot.clinic_content import load_content
from bot.core.assistant import ChatRef
from bot.faq.pipeline import FaqPipeline
from bot.runtime import Runtime
from bot.safety import build_safety_stage, load_emergency_content
from bot.safety.second_opinion import (
    CARD_FILE,
    RULE_ID,
    WEIGHTS_FILE,
    SecondOpinion,
    combined_level,
    load_second_opinion,
)
from bot.safety.terms import normalise_words
from bot.safety.train import data_hash, labelled_paths, load_labelled
from tests.intake.kit import Patient

CONTENT = Path(__file__).resolve().parents[2] / "content"
# Written for this test: bleeding that spurts, told without a word the French rules know.
RULES_MISS = "le couteau a glissé, ça gicle de mon poignet et la serviette est trempée"
PATIENT_WORDS = ("couteau", "poignet", "serviette")


@pytest.fixture(scope="module")
def model() -> SecondOpinion:
    found = load_second_opinion()
    assert found is not None
    return found


def test_the_weights_load_and_are_compact(model: SecondOpinion) -> None:
    assert WEIGHTS_FILE.stat().st_size < 2_000_000
    limits = model.thresholds
    assert 0.5 <= limits.emergency <= limits.emergency_alone < 1 and 0.5 <= limits.urgent < 1
    p_emergency, p_urgent, p_benign = model.probabilities(normalise_words("what is ims"))
    assert abs(p_emergency + p_urgent + p_benign - 1) < 1e-6
    assert model.may_decide(normalise_words("how much does a session cost")) is None
    assert model.may_decide([]) is None
    assert model.may_decide(normalise_words(RULES_MISS)) is not None


def test_weights_were_trained_on_the_labelled_data_as_it_is_now() -> None:
    card = json.loads(CARD_FILE.read_text(encoding="utf-8"))
    paths = labelled_paths()
    assert card["data_hash"] == data_hash(paths), (
        "tests/data changed since the second opinion was trained: run "
        "`python -m bot.safety.train --loso` and commit bot/safety/second_opinion.*"
    )
    assert card["training_sets"] == [path.name for path in paths]
    assert card["loso"]["thresholds"] == card["thresholds"]


def test_the_data_hash_changes_with_one_label(tmp_path: Path) -> None:
    source = tmp_path / "safety_x.yaml"
    source.write_text('- q: "my chest hurts"\n  expect: emergency\n', encoding="utf-8")
    before = data_hash([source])
    assert [item.label for item in load_labelled([source])] == [0]
    source.write_text('- q: "my chest hurts"\n  expect: benign\n', encoding="utf-8")
    assert data_hash([source]) != before


def test_the_model_only_escalates() -> None:
    assert combined_level("emergency", None) == "emergency"
    assert combined_level("emergency", "urgent") == "emergency"
    assert combined_level("urgent", None) == "urgent"
    assert combined_level("urgent", "emergency") == "emergency"
    assert combined_level(None, "urgent") == "urgent"
    assert combined_level("notice", "emergency") == "emergency"
    assert combined_level("caution", None) == "caution"
    assert combined_level(None, None) is None


def test_a_message_the_rules_miss_gets_the_emergency_reply_from_the_model(
    caplog: pytest.LogCaptureFixture,
) -> None:
    content = load_emergency_content(CONTENT)
    rules_alone = build_safety_stage(content, "604-555-0123", use_second_opinion=False)
    assert rules_alone.screen(RULES_MISS) is None
    stage = build_safety_stage(content, "604-555-0123")
    with caplog.at_level(logging.DEBUG):
        verdict = stage.screen(RULES_MISS, chat_id=42)
    assert verdict is not None and verdict.level == "emergency" and verdict.rule_id == RULE_ID
    assert "911" in verdict.replies[0].text
    [note] = [reply for reply in verdict.replies if reply.for_staff]
    assert "second opinion" in note.text and "chat 42" in note.text
    for word in PATIENT_WORDS:
        assert word not in note.text and word not in caplog.text


async def test_the_assistant_gives_the_models_emergency_reply_first(runtime: Runtime) -> None:
    patient = Patient(runtime.assistant, ChatRef(8802, first_name="Sam"))
    await patient.say(RULES_MISS)
    assert "911" in patient.last[0].text and patient.last[0].urgent
    assert any("second opinion" in reply.text for reply in patient.staff)


def test_match_json_and_the_report_name_the_second_opinion(model: SecondOpinion) -> None:
    content = load_content(CONTENT)
    stage = build_safety_stage(content.emergency, content.clinic.phone)
    out = io.StringIO()
    match_stream(
        FaqPipeline.from_content(content), io.StringIO(RULES_MISS + "\n"), out, True, stage
    )
    [row] = [json.loads(line) for line in out.getvalue().splitlines()]
    assert (row["decision"], row["rule"]) == ("emergency", RULE_ID)
    report = io.StringIO()
    write_report(content.emergency, report, model)
    text = report.getvalue()
    assert "LEARNED SECOND OPINION" in text and "safety_tune.yaml" in text
    assert f"{model.thresholds.emergency:.3f}" in text and "Leave-one-set-out" in text


@pytest.mark.parametrize(
    "said", ["bonjour", "bonsoir", "non", "merci beaucoup!", "allo", "gracias", "salam", "谢谢你"]
)
def test_a_greeting_or_a_one_word_answer_is_too_little_for_the_model(said: str) -> None:
    # On a word or two the model's probabilities rest on those words alone (it once read
    # "bonsoir" as an emergency); the rules still screen such a message.
    model = load_second_opinion()
    assert model is not None
    assert model.may_decide(normalise_words(said)) is None
