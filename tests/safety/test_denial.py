"""A patient's denial of a sign, and the negations that are the sign itself (bot/safety/denial.py
and how the screen weighs them), with the other false-alarm grammar of the safety3 round."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety import SafetyStage, load_emergency_content
from bot.safety.denial import DenialWords, find_denials
from tests.safety.kit import false_alarms, labelled_items, missed_emergencies, screen_level

REPO = Path(__file__).resolve().parents[2]
FALSE_ALARMS = REPO / "tests" / "data" / "safety_false_alarms3.yaml"
FALSE_ALARM_CEILING = 0.03
# The shipped content's denial word lists (content/emergency.yaml, `context`).
WORDS = DenialWords.of(load_emergency_content(REPO / "content").context.grammar.word_lists)


def test_a_denial_covers_its_clause_up_to_a_contrast() -> None:
    denial = find_denials("no numbness, no bladder stuff, just pain in my back", WORDS)
    assert denial is not None
    assert denial.without_denied == ["just", "pain", "in", "my", "back"]
    assert denial.without_openers[:3] == ["numbness", "bladder", "stuff"]


@pytest.mark.parametrize(
    "text",
    [
        "no feeling down there",  # a loss is the sign
        "no bladder control since this morning",
        "pas de sensation entre les jambes",
        "no puedo respirar",  # a verb after the opener
        "no one can wake him",
        "without warning his face dropped",
        "le point saigne sans arrêt",
        "dor forte no peito",  # Portuguese "no" is "in the"
        "aperto no peito desde ontem",
        "I can't breathe",
        "never had chest pain like this before, it's crushing",  # a comparison: a new sign
    ],
)
def test_negations_that_are_the_sign_are_not_denials(text: str) -> None:
    assert find_denials(text, WORDS) is None


@pytest.mark.parametrize(
    "text",
    [
        "no numbness, no bladder stuff, just pain in my lower back",
        "neck is stiff but no chest pain and no trouble breathing",
        "mal au bas du dos, pas d'engourdissement, pas de problème pour uriner",
        "dolor de espalda, sin entumecimiento, sin problemas para orinar",
        "my chest gets tight just thinking about needles",
        "someone in your waiting room fainted today, hope they're ok",
        "我爸爸2019年中风了，现在想预约",
        "مادرم سال ۱۳۹۸ سکته مغزی کرد، آیا می‌تواند IMS انجام دهد؟",
        "the price nearly gave me a stroke",
        "가격 보고 심장마비 올 뻔했어요",
        "sore shoulder, no breathing problems, can I book?",  # a loss named as a difficulty
        "no loss of bladder control, only back pain",
    ],
)
def test_denials_fears_others_over_past_years_and_idioms_are_not_emergencies(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) != "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "no feeling down there since this morning and my legs are weak",
        "no numbness but I suddenly can't move my right arm and my face is drooping",
        "no, I can't breathe properly after the needles in my shoulder",
        "pas de fièvre mais j'ai une douleur écrasante à la poitrine",
        "I want to die when I think about my pain",
        "my chest gets tight just thinking about needles and now my left arm is numb",
        "someone collapsed in your waiting room today, hope they're ok, they are not responding",
        "my dad had a stroke in 2019 and today his face is drooping",
        "I carry an EpiPen and my throat is swelling after the peanut",
        "le trou de l'aiguille saigne sans arrêt, je prends du xarelto",
        "no history of heart problems but crushing chest pain now",  # a denied history
        "nobody can wake her up",
    ],
)
def test_a_sign_beside_a_denial_fear_or_history_still_escalates(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) == "emergency"


def test_the_false_alarm_set_keeps_every_emergency_and_few_alarms(
    bundled_stage: SafetyStage,
) -> None:
    items = labelled_items(FALSE_ALARMS, 1)
    alarms, benign = false_alarms(bundled_stage, items)
    assert not missed_emergencies(bundled_stage, items)
    assert len(alarms) <= FALSE_ALARM_CEILING * benign, alarms
