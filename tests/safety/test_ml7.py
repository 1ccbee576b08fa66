"""Other languages mixed with English, the five signs as relatives tell them in the 14 notice
languages, and French look-alikes of new kinds (tests/data/safety_ml7.yaml, written in the
safe7ml session; first looks in tests/data/README.md). The rules were tuned on it, so these are
regression bars; the lead's blind sets measure generalisation."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety import SafetyStage
from bot.safety.stage import PRESENT_PROBLEM
from tests.safety.kit import false_alarms, labelled_items, screen_level, urgent_given_advice

ML7 = Path(__file__).resolve().parents[1] / "data" / "safety_ml7.yaml"
# Left after tuning, kept visible: a note left and a relative unreachable in Taglish (the
# notice names 911); a French TV plot named only by the show's title, and one told "hier soir"
# (last night breaks a frame, as in English: the screen escalates).
EMERGENCY_REPLIES_MISSED = 1
FALSE_ALARMS_LEFT = 2


def test_every_emergency_gets_a_first_reply_naming_911(bundled_stage: SafetyStage) -> None:
    items = [i for i in labelled_items(ML7, 150) if i["expect"] == "emergency"]
    levels = [(i["q"], screen_level(bundled_stage, i["q"])) for i in items]
    assert [q for q, level in levels if level not in ("emergency", "notice")] == []
    assert sum(level != "emergency" for _, level in levels) <= EMERGENCY_REPLIES_MISSED


def test_every_french_urgent_problem_gets_same_day_advice(bundled_stage: SafetyStage) -> None:
    given, total = urgent_given_advice(bundled_stage, labelled_items(ML7, 150))
    assert total >= 9 and given == total


def test_look_alikes_stay_under_their_ceiling(bundled_stage: SafetyStage) -> None:
    alarmed, total = false_alarms(bundled_stage, labelled_items(ML7, 150))
    assert total >= 50 and len(alarmed) <= FALSE_ALARMS_LEFT, alarmed


@pytest.mark.parametrize(
    "text",
    [
        "mera next week ka appointment shift karna hai, Monday chalega? thank you",
        "pwede po ba mag-reschedule ng appointment ko sa Friday? salamat po",
        "cho toi hoi gia mot buoi IMS bao nhieu, co insurance khong",
    ],
)
def test_a_booking_in_another_language_with_english_words_gets_the_notice(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) == "notice"


@pytest.mark.parametrize(
    "text",
    [
        "il y a 12 ans j'ai fait un infarctus, aujourd'hui je vais bien, l'IMS est-ce possible?",
        "je chantais « j'ai mal au coeur » sous la douche pis mon épaule a barré",
        "admettons que j'aie de la misère à respirer après la séance, je surveille quoi?",
    ],
)
def test_french_history_songs_and_hypotheticals_are_not_911(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) != "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "j'ai fait une surdose hier soir, aujourd'hui je vais bien",
        "infarctus il y a 5 ans, aujourd'hui il va bien mais là il a mal à la poitrine",
        "mettons que mon chum se tient la poitrine pis il est gris",
        "qu'est-ce que je fais si je saigne beaucoup? là ça gicle du point d'aiguille",
    ],
)
def test_french_guards_keep_the_emergency_reply(bundled_stage: SafetyStage, text: str) -> None:
    assert screen_level(bundled_stage, text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "j'ai le genou enflé et rouge depuis hier soir, je boite",
        "Infirmière : patiente post-IMS, la cheville est enflée et violette depuis hier",
    ],
)
def test_a_french_present_problem_no_rule_names_gets_same_day_advice(
    rules_stage: SafetyStage, bundled_stage: SafetyStage, text: str
) -> None:
    # The rules' urgent net; the learned second opinion may give the urgent reply first.
    assert rules_stage.screen(text) is None
    assert rules_stage.replies.unplaced_urgent_rule(text) in (PRESENT_PROBLEM, "red_hot_swelling")
    found = rules_stage.replies.urgent_fallback(text, chat_id=7)
    assert found is not None and "8-1-1" in found[0][0].text
    verdict = bundled_stage.screen(text)
    assert verdict is None or verdict.level == "urgent"


@pytest.mark.parametrize(
    "text",
    [
        "j'ai mal au dos depuis 2 ans, l'IMS peut aider?",
        "mon épaule est un peu raide, c'est normal?",
        "vous pouvez annuler mon 14h? je suis à l'urgence avec ma fille, plâtre posé, elle va bien",
    ],
)
def test_french_questions_and_care_already_given_keep_their_reply(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert bundled_stage.replies.unplaced_urgent_rule(text) is None
