"""French signs the rules read on their own (not only the second opinion): farewells to the
clinic, needle-site infection, a knock then vomiting, a seizure cluster; and French
look-alikes kept below urgent. Messages written for these tests."""

from __future__ import annotations

import pytest

from bot.safety import SafetyStage
from tests.safety.kit import screen_level


@pytest.mark.parametrize(
    "said",
    [
        "merci infiniment pour tout, vous me reverrez jamais, prenez soin de vous",
        "annulez toutes mes séances, j'en aurai plus besoin, merci pour tout",
        "la douleur a gagné, je suis plus capable",
        "mes lettres sont écrites, j'ai pu besoin de rendez-vous",
        "mon frère a pris une mise en échec, il a vomi et il redemande sans arrêt quel jour on est",
        "ma femme a fait une crise puis en refait une autre, elle se réveille pas",
        "mon beau-père s'est effondré, son coeur ne bat plus, on lui fait le massage",
    ],
)
def test_french_emergencies_told_without_the_usual_words(
    said: str, bundled_stage: SafetyStage
) -> None:
    assert screen_level(bundled_stage, said) == "emergency"


@pytest.mark.parametrize(
    "said",
    [
        "je déménage en Ontario, annulez mes rendez-vous, merci pour tout!",
        "mon épaule va mieux, vous me verrez plus, merci pour tout",
        "j'ai presque perdu connaissance à attendre au téléphone 😂",
    ],
)
def test_french_farewells_for_a_move_and_faints_from_waiting_are_no_emergency(
    said: str, bundled_stage: SafetyStage
) -> None:
    assert screen_level(bundled_stage, said) != "emergency"


@pytest.mark.parametrize(
    "said",
    [
        "une bosse dure avec une tête blanche est sortie au point de piqûre",
        "c'est gonflé et chaud là où on m'a piqué lundi",
    ],
)
def test_french_needle_site_infection_signs_get_same_day_advice(
    said: str, bundled_stage: SafetyStage
) -> None:
    assert screen_level(bundled_stage, said) in ("urgent", "emergency")


@pytest.mark.parametrize(
    "said",
    [
        "y a-t-il des risques d'infection avec les aiguilles?",
        "on peut tu attraper une infection avec vos aiguilles?",
    ],
)
def test_a_french_question_about_infection_is_no_urgent_problem(
    said: str, bundled_stage: SafetyStage
) -> None:
    assert screen_level(bundled_stage, said) not in ("urgent", "emergency")
    assert bundled_stage.replies.unplaced_urgent_rule(said) is None


@pytest.mark.parametrize(
    "said",
    [
        "je n'ai pas de fièvre ni de rougeur",
        "I have no fever and no redness",
    ],
)
def test_denied_signs_name_no_present_problem(said: str, bundled_stage: SafetyStage) -> None:
    assert not bundled_stage.content.detector().may_be_a_present_problem(said)
    assert bundled_stage.replies.unplaced_urgent_rule(said) is None
