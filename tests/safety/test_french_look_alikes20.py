"""Round 20's French and other-language look-alike kinds, each beside a twin that tells the
same sign happening now: a denial in joual ("pas pantoute", "chu pas suicidaire"), a faint at
the sight of blood told as history, breathlessness from effort that is over, a car or a
machine that "bleeds" or "chokes", a wish to die as a figure for a nuisance, an animal's
birth that ended well, a question about what to watch for after a session; in other
languages, a heart attack almost had over a price, heat "to die of", past history well now.
Messages written for these tests."""

from __future__ import annotations

import pytest

from bot.safety import EmergencyDetector, SafetyStage
from bot.safety.present import told_outside_questions
from tests.safety.kit import screen_level


@pytest.mark.parametrize(
    "text",
    [
        "pas pantoute d'essoufflement, c'est juste mon épaule qui barre",
        "chu pas suicidaire pantoute, j'ai juste hâte que mon dos arrête de chialer",
        "je ne suis pas suicidaire, seulement épuisée par la sciatique",
        "j'ai perdu connaissance une fois en voyant du sang quand j'étais petite, "
        "je le dis au physio?",
        "essoufflé en pelletant l'entrée hier soir, ça va très bien aujourd'hui, on garde jeudi",
        "mon vieux camion saigne l'huile sur l'asphalte, je le laisse au garage pis j'arrive",
        "la scie à chaîne s'étouffe pis respire pu, faut que le mécanicien la répare",
        "l'embouteillage sur la 20 m'a donné envie de mourir mdr, j'arrive dans 15 minutes",
        "notre chienne a mis bas cette nuit, du sang sur la couverte mais les chiots vont bien",
        "ਬਿੱਲ ਦੇਖ ਕੇ ਦਿਲ ਦਾ ਦੌਰਾ ਪੈਣ ਵਾਲਾ ਸੀ 😂 ਕਿਸ਼ਤਾਂ ਵਿੱਚ ਦੇ ਸਕਦੇ ਹਾਂ?",
        "trời hôm nay nóng muốn chết, mai em dời lịch sang chiều được không ạ",
        "tive um AVC há cinco anos, hoje estou bem. posso fazer agulhamento?",
        "infirmière auxiliaire depuis quinze ans, je relève des patients tombés à chaque quart, "
        "mes épaules sont finies",
        "quels symptômes faut surveiller après l'IMS près des côtes? si je respire mal, "
        "je fais quoi?",
    ],
)
def test_a_french_or_other_language_look_alike_gets_no_emergency_reply(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) != "emergency", text


@pytest.mark.parametrize(
    "text",
    [
        "pas pantoute capable de respirer, mes lèvres virent bleues",
        "chu pas capable de respirer depuis tantôt pis ça serre dans la poitrine",
        "j'ai des idées noires pis ce soir j'ai le goût d'en finir",
        "je viens de perdre connaissance en voyant du sang pis je respire mal",
        "essoufflé en pelletant pis là je suis pas capable de reprendre mon souffle, ça serre",
        "mon camion a pris le fossé, je saigne beaucoup de la tête",
        "je m'étouffe avec un morceau de viande, je respire pu",
        "le trafic m'a donné envie de mourir pour vrai, j'ai les pilules dans l'auto",
        "ma chienne a mis bas pis là c'est ma femme qui saigne beaucoup, elle est toute pâle",
        "ਮੇਰੀ ਛਾਤੀ ਵਿੱਚ ਬਹੁਤ ਦਰਦ ਹੈ ਅਤੇ ਸਾਹ ਨਹੀਂ ਆ ਰਿਹਾ",
        "em bị đau ngực dữ dội và khó thở từ sáng đến giờ",
        "estou com dor forte no peito agora e falta de ar",
        "infirmière de nuit, une patiente saigne beaucoup de son pansement pis elle est toute pâle",
        "préposé en CHSLD, un résident vient de tomber pis il répond plus",
    ],
)
def test_the_same_signs_told_as_happening_now_stay_an_emergency(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) == "emergency", text


def test_a_french_question_about_what_to_watch_for_imagines_its_session() -> None:
    # "après une séance" inside "quels symptômes faut surveiller après une séance?" is asked
    # about, not told; the same words told outside a question keep the guard.
    asked = told_outside_questions("quels symptômes faut surveiller après une séance?")
    assert asked is not None and "seance" not in asked
    assert told_outside_questions("j'ai mal à respirer après une séance") is None


@pytest.mark.parametrize(
    ("text", "calm"),
    [
        ("j'ai pas pantoute d'idées noires", True),
        ("je suis pas capable de respirer", False),
        ("chu pas capable de respirer", False),
    ],
)
def test_a_joual_denial_sets_a_sign_aside_but_never_a_difficulty(
    detector: EmergencyDetector, text: str, calm: bool
) -> None:
    assert (detector.detect(text) is None) is calm, text
