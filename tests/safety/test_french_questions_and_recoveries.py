"""Round 18's French and other-language look-alike kinds, each beside the same frame told with a
sign now: a risk asked with a modal ("peut-on…", "est-ce que les aiguilles peuvent…",
"pourrait-elle…"), an event told to book with the person well again, "mal au coeur" as French
says nausea, laughter that takes the breath, a blocked nose, and past history well now in
romanised Punjabi, Tagalog and Vietnamese.
Messages written for these tests."""

from __future__ import annotations

import pytest

from bot.safety import SafetyStage
from tests.safety.kit import screen_level


@pytest.mark.parametrize(
    "text",
    [
        "peut-on avoir un malaise cardiaque sur la table? mon père est suivi en cardiologie",
        "est-ce que les aiguilles peuvent déclencher une crise d'épilepsie chez un enfant?",
        "la séance pourrait-elle provoquer un AVC si on pique dans le cou?",
        "mon frère a fait un AVC le mois passé, il est revenu à la maison pis il va mieux. "
        "Il peut prendre ma place jeudi?",
        "à Noël j'avais une douleur dans la poitrine, tout était correct à l'urgence, "
        "c'était musculaire. On continue l'IMS?",
        "ma fille a mal au coeur en voiture et elle a vomi dans le stationnement, désolée",
        "on a étouffé de rire toute la séance avec la stagiaire, merci!",
        "je respire mal par le nez depuis mon rhume, c'est correct de me coucher sur le ventre?",
        "mera pichle saal stroke hoya si, hun theek haan. IMS karwa sakde haan?",
        "nagka-heart attack ako noong isang taon pero magaling na ako, pwede po ba mag-IMS?",
        "năm ngoái mẹ tôi bị đột quỵ nhưng giờ đã khỏe rồi, bà có thể làm IMS không?",
    ],
)
def test_a_french_or_other_language_look_alike_gets_no_emergency_reply(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) != "emergency", text


@pytest.mark.parametrize(
    "text",
    [
        "peut-on faire un infarctus à mon âge? là j'ai la poitrine serrée et je sue",
        "est-ce que l'IMS peut causer ça? là je respire mal depuis la séance dans le dos",
        "pourrait-il faire un AVC? sa bouche tombe d'un côté pis il parle tout croche",
        "elle va mieux qu'hier mais là elle s'est effondrée et elle ne répond plus",
        "il est revenu à la maison hier pis là il ne respire plus",
        "j'ai mal au coeur pis au bras gauche, je sue à grosses gouttes",
        "mal au coeur, vomi deux fois et ma poitrine serre fort",
        "c'est pas une blague, j'étouffe pour de vrai, j'arrive plus à respirer",
        "pichle saal heart attack hoya si, hun fer chhati vich bahut dard hai te saah nahi aa riha",
    ],
)
def test_the_same_frames_with_a_sign_now_stay_an_emergency(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) == "emergency", text
