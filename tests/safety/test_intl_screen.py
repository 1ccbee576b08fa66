"""French and the other languages through the safety stage (tests/data/safety_intl4.yaml).

The set was written in the safety4intl session (its first looks are logged in
tests/data/README.md) and the rules were then tuned on it, so here it guards against
regressions; the lead's blind sets measure generalisation.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety import SafetyStage
from bot.safety.language import detect_language
from tests.safety.kit import labelled_items, screen_level

DATA = Path(__file__).resolve().parents[1] / "data"
INTL = DATA / "safety_intl4.yaml"
BLIND3 = DATA / "safety_blind3.yaml"
FALSE_ALARM_CEILING = 0.03
URGENT_FLOOR = 0.85
# Languages the screen has no terms for: the notice, which names 911, is their net.
NOTICE_ONLY = frozenset(("ru", "pl"))


def _missed_emergencies(
    stage: SafetyStage, path: Path, skipped: frozenset[str]
) -> list[tuple[str, str]]:
    """The set's emergencies outside the `skipped` languages that miss the emergency reply."""
    return [
        (item["lang"], item["q"])
        for item in labelled_items(path, 1)
        if item["expect"] == "emergency"
        and item["lang"] not in skipped
        and screen_level(stage, item["q"]) != "emergency"
    ]


def test_every_emergency_in_a_language_with_terms_gets_the_emergency_reply(
    bundled_stage: SafetyStage,
) -> None:
    assert _missed_emergencies(bundled_stage, INTL, NOTICE_ONLY) == []


def test_an_emergency_in_a_language_without_terms_gets_the_notice_naming_911(
    bundled_stage: SafetyStage,
) -> None:
    for item in labelled_items(INTL, 1):
        if item["lang"] in NOTICE_ONLY and item["expect"] == "emergency":
            verdict = bundled_stage.screen(item["q"])
            assert verdict is not None and verdict.level in ("notice", "emergency"), item["q"]
            assert "911" in verdict.replies[0].text


def test_the_blind3_emergencies_in_the_fourteen_languages_get_the_emergency_reply(
    bundled_stage: SafetyStage,
) -> None:
    assert _missed_emergencies(bundled_stage, BLIND3, frozenset(("en", "fr"))) == []


def test_urgent_problems_get_same_day_advice(bundled_stage: SafetyStage) -> None:
    urgent = [item["q"] for item in labelled_items(INTL, 1) if item["expect"] == "urgent"]
    levels = [screen_level(bundled_stage, q) for q in urgent]
    assert "none" not in levels
    assert sum(level in ("urgent", "emergency") for level in levels) >= URGENT_FLOOR * len(urgent)


def test_an_urgent_problem_in_spanish_opens_with_same_day_advice_in_spanish(
    bundled_stage: SafetyStage,
) -> None:
    verdict = bundled_stage.screen("tengo fiebre desde la sesión de ayer")
    assert verdict is not None and verdict.level == "urgent" and verdict.language == "es"
    reply = verdict.replies[0].text
    assert reply.startswith("Necesita ver a un médico hoy mismo")
    assert "811" in reply and "604-555-0123" in reply


def test_italian_red_and_hot_is_not_portuguese_for_a_drooping_face(
    bundled_stage: SafetyStage,
) -> None:
    assert screen_level(bundled_stage, "il punto dell'ago è rosso, caldo e esce pus") == "urgent"


def test_look_alikes_rarely_get_the_911_reply(bundled_stage: SafetyStage) -> None:
    benign = [item["q"] for item in labelled_items(INTL, 1) if item["expect"] == "benign"]
    alarmed = [q for q in benign if screen_level(bundled_stage, q) == "emergency"]
    assert len(alarmed) <= FALSE_ALARM_CEILING * len(benign), alarmed


@pytest.mark.parametrize(
    ("text", "code", "words"),
    [
        ("hazine har jalase chande?", "fa-Latn", "zang bezanid"),
        ("salam, mikhastam vaght begiram baraye IMS", "fa-Latn", "zang bezanid"),
        ("nei hou, ngo soeng joek si gaan", "yue-Latn", "daa 911"),
    ],
)
def test_finglish_and_romanised_cantonese_get_a_notice_in_their_own_letters(
    bundled_stage: SafetyStage, text: str, code: str, words: str
) -> None:
    verdict = bundled_stage.screen(text)
    assert verdict is not None and verdict.level == "notice" and verdict.language == code
    notice = verdict.replies[0].text
    assert words in notice and "I can only read English and French" in notice


@pytest.mark.parametrize(
    "text",
    [
        "Siddharth Venkataraman Iyer",
        "Mohammadreza Hosseini Tehrani",
        "Pregabalin Duloxetin Tramadol",
        "Lyrica 75 mg bid",
    ],
)
def test_a_name_or_a_list_of_medicines_is_not_taken_for_another_language(text: str) -> None:
    # An intake answer read as another language would get the notice instead of being saved.
    assert detect_language(text).code in ("en", "und")


@pytest.mark.parametrize(
    "text",
    ["hw mch fr ims sesh", "la la land", "ims appt tmrw?? cant make it sry"],
)
def test_english_shorthand_is_not_taken_for_another_language(text: str) -> None:
    assert detect_language(text).code in ("en", "und")


@pytest.mark.parametrize(
    "text",
    [
        "mere dad nu chest pain ho reha te left arm numb aa",
        "papa ka face ek side se droop ho gaya hai aur speech slurred hai",
        "mi mamá tiene chest pain y está sudando mucho",
        "wo de chest hen tong, hai you shortness of breath",
    ],
)
def test_english_signs_inside_another_language_get_the_emergency_reply(
    bundled_stage: SafetyStage, text: str
) -> None:
    verdict = bundled_stage.screen(text)
    assert verdict is not None and verdict.level == "emergency"
    assert "911" in verdict.replies[0].text


@pytest.mark.parametrize(
    "text",
    [
        "seene mein dard nahi ja raha, pasina aa raha hai",
        "我以前没有胸痛，现在突然胸口很痛",
        "no tengo dolor en el pecho pero ahora me falta el aire",
        "가슴 통증은 없는데 숨을 못 쉬겠어요",
        "درد سینه ندارم ولی نفسم بالا نمیاد",
    ],
)
def test_a_denied_sign_does_not_hide_another_sign_or_pain_that_will_not_go(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "감기 때문에 목이 부었어요, 예약 취소해야 하나요?",
        "感冒了，喉咙肿痛，要取消预约吗？",
        "tôi bị viêm họng sưng, có nên hủy lịch không?",
    ],
)
def test_a_colds_sore_throat_is_not_a_closing_throat(bundled_stage: SafetyStage, text: str) -> None:
    assert screen_level(bundled_stage, text) == "notice"


@pytest.mark.parametrize(
    "text",
    [
        "j'ai une douleur à la poitrine qui serre, mon père avait la même chose, c'est génétique?",
        "je tombe dans les pommes quand je vois du sang depuis ce matin, je saigne beaucoup",
        "mon mari est à bout de souffle avec la moindre marche depuis la séance",
    ],
)
def test_french_idioms_and_questions_do_not_hide_a_report(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) == "emergency"


def test_a_polish_message_gets_the_notice_in_polish_then_english_both_naming_911(
    bundled_stage: SafetyStage,
) -> None:
    verdict = bundled_stage.screen("mąż nagle nie może mówić i ma opadnięty kącik ust")
    assert verdict is not None and verdict.level == "notice" and verdict.language == "pl"
    polish, english = verdict.replies[0].text.split("\n\n")
    assert polish.startswith("Umiem czytać tylko po angielsku i po francusku")
    assert "911" in polish and "911" in english
