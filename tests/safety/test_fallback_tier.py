"""A message the FAQ cannot answer and the urgent net places: the emergency reply, not the
urgent one, where the learned second opinion reads it as close to an emergency."""

from __future__ import annotations

from bot.core.staff_notes import EMERGENCY, URGENT
from bot.safety import SafetyStage
from tests.safety.kit import with_thresholds

# Written for these tests: a present problem no rule names, which the urgent net places.
PRESENT = "since the needling on Tuesday my knee has swollen up and I can't bend it"


def test_close_to_an_emergency_the_fallback_is_the_emergency_reply(
    bundled_stage: SafetyStage,
) -> None:
    replies = with_thresholds(bundled_stage, caution=0.0).replies
    placed = replies.fallback_tier(PRESENT)
    assert placed is not None and placed[0] == "emergency"
    found = replies.urgent_fallback(PRESENT, chat_id=7)
    assert found is not None
    sent, alert = found
    assert sent[0].safety_tier == "emergency" and "911" in sent[0].text
    assert "8-1-1" not in sent[0].text
    assert alert.kind == EMERGENCY and alert.by_model
    assert any(reply.for_staff for reply in sent)


def test_below_the_caution_level_the_fallback_stays_urgent(bundled_stage: SafetyStage) -> None:
    replies = with_thresholds(bundled_stage, caution=1.1).replies
    placed = replies.fallback_tier(PRESENT)
    assert placed is not None and placed[0] == "urgent"
    found = replies.urgent_fallback(PRESENT, chat_id=7)
    assert found is not None
    assert found[0][0].safety_tier == "urgent" and found[1].kind == URGENT


def test_the_rules_alone_never_escalate_a_fallback(rules_stage: SafetyStage) -> None:
    placed = rules_stage.replies.fallback_tier(PRESENT)
    assert placed is not None and placed[0] == "urgent"


def test_only_english_is_escalated(bundled_stage: SafetyStage) -> None:
    # The caution level is the English model's; French is read at the gated thresholds.
    french = "depuis l'aiguille mardi mon genou a gonflé et je ne peux plus le plier"
    placed = with_thresholds(bundled_stage, caution=0.0, fallback_urgent=0.0).replies.fallback_tier(
        french
    )
    assert placed is not None and placed[0] == "urgent"


def test_what_the_net_does_not_place_keeps_the_fallback(bundled_stage: SafetyStage) -> None:
    replies = with_thresholds(bundled_stage, caution=0.0, fallback_urgent=0.0).replies
    assert replies.fallback_tier("what is the price of parking downtown") is None
