"""French look-alikes in new voices and the five most dangerous signs in every notice
language (tests/data/safety_fr6.yaml and safety_intl6.yaml, written in the safe6fr session;
first looks in tests/data/README.md). The rules were tuned on them, so these are regression
bars; the lead's blind sets measure generalisation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety import SafetyStage
from bot.safety.language import detect_language
from tests.safety.kit import false_alarms, labelled_items, missed_emergencies, screen_level

DATA = Path(__file__).resolve().parents[1] / "data"
FR6 = DATA / "safety_fr6.yaml"
INTL6 = DATA / "safety_intl6.yaml"
# Left after tuning (kept visible, not fitted): a sign word inside an ordinary story.
FR6_FALSE_ALARMS_LEFT = 7
# Risk questions in Portuguese, Vietnamese and Japanese: outside English and French the screen
# cannot tell a question from a sign stated before one, so it escalates.
INTL6_FALSE_ALARMS_LEFT = 3


def test_every_emergency_in_every_notice_language_gets_the_emergency_reply(
    bundled_stage: SafetyStage,
) -> None:
    assert missed_emergencies(bundled_stage, labelled_items(INTL6, 200)) == []


def test_harmless_messages_in_other_languages_do_not_get_911(bundled_stage: SafetyStage) -> None:
    alarmed, total = false_alarms(bundled_stage, labelled_items(INTL6, 200))
    assert total >= 90 and len(alarmed) <= INTL6_FALSE_ALARMS_LEFT, alarmed


def test_french_emergencies_in_new_voices_keep_the_emergency_reply(
    bundled_stage: SafetyStage,
) -> None:
    assert missed_emergencies(bundled_stage, labelled_items(FR6, 80)) == []


def test_french_look_alikes_stay_under_their_ceiling(bundled_stage: SafetyStage) -> None:
    alarmed, total = false_alarms(bundled_stage, labelled_items(FR6, 80))
    assert total >= 70 and len(alarmed) <= FR6_FALSE_ALARMS_LEFT, alarmed


@pytest.mark.parametrize(
    "text",
    [
        "у меня сильная боль в груди, отдаёт в левую руку",  # Russian: the rules now read it
        "もう死にたい、生きていたくない",  # Japanese
        "胸が締め付けられるように痛くて、冷や汗が出ています",
        "ребёнок задыхается, губы синие",
    ],
)
def test_japanese_and_russian_signs_get_the_emergency_reply_in_their_language(
    bundled_stage: SafetyStage, text: str
) -> None:
    verdict = bundled_stage.screen(text)
    assert verdict is not None and verdict.level == "emergency"
    assert verdict.language in ("ja", "ru")
    assert "911" in verdict.replies[0].text


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("ngo a ba tung zo jat bin min, gong je m cing co", "yue-Latn"),  # not French
        ("gat zam go dei fong lau hyut lau m ting", "yue-Latn"),
        ("dige nemikham zende basham, emshab hame ghorsa ro mikhoram", "fa-Latn"),
        ("zuo yi ci IMS duo shao qian?", "zh-Latn"),  # a clinic word inside pinyin
        ("je suis pu capable de respirer", "fr"),
        ("j ai mal a la poitrine", "fr"),
    ],
)
def test_romanised_languages_are_told_from_french(text: str, language: str) -> None:
    assert detect_language(text).code == language


def test_a_relative_fine_now_does_not_hide_a_sign_told_today(bundled_stage: SafetyStage) -> None:
    told_today = (
        "mio padre ha avuto un infarto nel 2018, adesso sta bene, "
        "ma stasera ha un dolore fortissimo al petto"
    )
    assert screen_level(bundled_stage, told_today) == "emergency"
    history = "Mio padre ha avuto un infarto nel 2018, adesso sta bene. Può fare l'IMS?"
    assert screen_level(bundled_stage, history) != "emergency"
