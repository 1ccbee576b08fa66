"""The safety stage reads an answer to a question about history (`history=True`) as it reads
past history: a rule's sign, urgent or emergency, gets the cautious reply with a staff note,
unless the answer tells something happening now."""

from __future__ import annotations

import pytest

from bot.core.assistant import ANSWERS_TELL_HISTORY, ChatRef
from bot.safety.stage import HISTORY_ANSWER, SafetyStage


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("fell off a ladder in october", "emergency"),
        ("I had a seizure last week", "emergency"),
        ("asthma, sometimes short of breath", "emergency"),
        ("I had pus at the needle site last week", "urgent"),
        ("j'ai mal au bas du dos depuis un accident de ski", "emergency"),
    ],
)
def test_a_sign_in_a_history_answer_is_answered_cautiously(
    bundled_stage: SafetyStage, text: str, level: str
) -> None:
    alone = bundled_stage.screen(text)
    assert alone is not None and alone.level == level
    verdict = bundled_stage.screen(text, history=True)
    assert verdict is not None and verdict.level == "caution"
    assert verdict.caution == HISTORY_ANSWER and verdict.rule_id == alone.rule_id
    assert any("911" in reply.text for reply in verdict.after)
    assert verdict.alert is not None and verdict.alert.rule_id == alone.rule_id
    assert any(reply.for_staff for reply in verdict.replies)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("I'm having chest pain right now", "emergency"),
        ("he can't breathe", "emergency"),
        ("she's not breathing", "emergency"),
        ("I'm bleeding a lot since the needling", "emergency"),
        ("il ne respire plus", "emergency"),
        ("my face is drooping", "emergency"),
        ("I want to kill myself", "emergency"),
        ("pus at the needle site since the needling", "urgent"),
        # A bare sign tells no history: when unsure, the screen escalates.
        ("pus at the needle site", "urgent"),
        ("my throat feels tight", "emergency"),
        ("i cant feel my legs", "emergency"),
        # History set against something new: the new part is now.
        (
            "I've had panic attacks before but this is different, crushing pain down my arm",
            "emergency",
        ),
        ("mon bras est faible depuis un accident, mais là ma bouche tombe d'un côté", "emergency"),
    ],
)
def test_a_sign_told_now_in_a_history_answer_keeps_its_reply(
    bundled_stage: SafetyStage, text: str, level: str
) -> None:
    verdict = bundled_stage.screen(text, history=True)
    assert verdict is not None and verdict.level == level


def test_the_chat_tells_the_stage_the_reading(bundled_stage: SafetyStage) -> None:
    text = "fell off a ladder in october"
    plain = bundled_stage(ChatRef(7), text).verdict
    read = bundled_stage(ChatRef(7, answers_tell=ANSWERS_TELL_HISTORY), text).verdict
    assert plain is not None and plain.level == "emergency"
    assert read is not None and read.level == "caution"
