"""The FAQ in French: a message the safety stage reads as French is answered from
content/faq_fr.yaml, in French, through the same matcher; English stays as it was."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest

from bot.cli.main import main
from bot.core.assistant import ChatRef
from bot.core.replies import Reply
from bot.faq.french import french_faq, french_terms
from bot.faq.unanswered import UnansweredLog
from bot.runtime import Runtime

from .conftest import CONTENT_DIR

PATIENT = ChatRef(chat_id=702, first_name="Josée")
FRENCH_APP = ChatRef(chat_id=703, language_code="fr-CA")


def _actions(reply: Reply) -> list[str]:
    return [button.action for button in reply.buttons]


async def _kept(runtime: Runtime) -> list[str]:
    stored = await UnansweredLog(runtime.database, retention=timedelta(days=90)).list()
    return [record.text for record in stored]


async def test_a_french_question_gets_the_french_answer(runtime: Runtime) -> None:
    [reply] = await runtime.assistant.handle_text(PATIENT, "Combien coûte une séance d'IMS?")
    assert runtime.content.faq_fr is not None
    entry = runtime.content.faq_fr.get("cost")
    assert entry is not None and reply.title == entry.question
    assert reply.text.startswith("Nos prix actuels")
    assert "Vérifié par" in reply.text
    assert "faq:human:fr" in _actions(reply)
    assert "faq:a:insurance_coverage:fr" in _actions(reply)  # follow-ups answer in French
    [followed] = await runtime.assistant.handle_action(PATIENT, "faq:a:insurance_coverage:fr")
    assert followed.title == "L'IMS est-elle couverte par les assurances?"


@pytest.mark.parametrize(
    ("question", "faq_id"),
    [
        ("ca fait tu mal les aiguilles seches?", "does_it_hurt"),
        ("je suis enceinte, est-ce que je peux avoir de la puncture sèche", "pregnancy"),
        ("est-ce que la RAMQ rembourse l'IMS", "public_health_plans"),
        ("mon régime de la Croix Bleue couvre tu l'IMS", "insurance_coverage"),
    ],
)
async def test_french_in_several_voices_reaches_its_entry(
    runtime: Runtime, question: str, faq_id: str
) -> None:
    [reply] = await runtime.assistant.handle_text(PATIENT, question)
    assert runtime.content.faq_fr is not None
    entry = runtime.content.faq_fr.get(faq_id)
    assert entry is not None and reply.title == entry.question


async def test_an_unknown_french_question_falls_back_in_french_with_911(
    runtime: Runtime,
) -> None:
    question = "Quelle est la meilleure recette de tourtière du Lac-Saint-Jean?"
    [reply] = await runtime.assistant.handle_text(PATIENT, question)
    assert reply.text.startswith("Désolé, je ne connais pas la réponse")
    assert "appelez le 911 maintenant" in reply.text
    assert runtime.content.clinic.phone in reply.text
    assert _actions(reply) == ["faq:cats:fr", "faq:human:fr"]
    assert await _kept(runtime) == [question]
    [topics] = await runtime.assistant.handle_action(PATIENT, "faq:cats:fr")
    assert topics.text == "Choisissez un sujet :"
    assert topics.buttons[0].label == "À propos de l'IMS"


async def test_an_unclear_french_question_gets_a_french_did_you_mean(runtime: Runtime) -> None:
    [reply] = await runtime.assistant.handle_text(PATIENT, "les aiguilles sont-elles bonnes")
    assert reply.text.startswith("Je ne suis pas certain de bien comprendre")
    assert "appelez le 911" in reply.text
    assert "faq:a:needles_sterile:fr" in _actions(reply)
    assert reply.buttons[-1].label == "Aucune de ces réponses"
    [fallback] = await runtime.assistant.handle_action(PATIENT, "faq:none:fr")
    assert fallback.text.startswith("Désolé")
    assert await _kept(runtime) == ["les aiguilles sont-elles bonnes"]


@pytest.mark.parametrize("said", ["bonjour", "merci beaucoup!", "ok d'accord", "au revoir"])
async def test_french_small_talk_gets_a_french_reply_and_is_not_kept(
    runtime: Runtime, said: str
) -> None:
    [reply] = await runtime.assistant.handle_text(FRENCH_APP, said)
    assert "Désolé" not in reply.text
    labels = [button.label for button in reply.buttons]
    assert "Parcourir les questions fréquentes" in labels
    assert "Parler à une personne" in labels
    assert await _kept(runtime) == []


@pytest.mark.parametrize(
    "said", ["bonjour ça va?", "ça va?", "d'accord merci", "ça va bien et toi"]
)
async def test_how_are_you_and_thanks_in_french_are_small_talk_from_any_phone(
    runtime: Runtime, said: str
) -> None:
    """Too short for the language model, and English-looking words ("ca", "va"): read as
    French small talk, not kept as an unanswered question."""
    [reply] = await runtime.assistant.handle_text(PATIENT, said)
    assert "Sorry" not in reply.text and "Désolé" not in reply.text
    assert "Parcourir les questions fréquentes" in [button.label for button in reply.buttons]
    assert await _kept(runtime) == []


async def test_saying_one_is_not_ok_is_no_greeting(runtime: Runtime) -> None:
    [greeting] = await runtime.assistant.handle_text(FRENCH_APP, "ça va?")
    assert greeting.text.startswith("Bonjour! Je suis")
    replies = await runtime.assistant.handle_text(FRENCH_APP, "ça va pas")
    assert replies and not any(r.text.startswith("Bonjour! Je suis") for r in replies)


async def test_two_french_questions_get_two_french_answers(runtime: Runtime) -> None:
    replies = await runtime.assistant.handle_text(
        PATIENT, "Est-ce que ça fait mal? Et combien ça coûte?"
    )
    assert [reply.title for reply in replies] == [
        "Est-ce que l'IMS fait mal?",
        "Combien coûte l'IMS?",
    ]


async def test_a_second_question_joined_by_et_est_ce_que_is_answered_too(
    runtime: Runtime,
) -> None:
    # No question mark, the second question opened by "et est-ce que": it was dropped.
    replies = await runtime.assistant.handle_text(
        PATIENT, "combien ça coûte et est-ce que ça fait mal"
    )
    assert [reply.title for reply in replies] == [
        "Combien coûte l'IMS?",
        "Est-ce que l'IMS fait mal?",
    ]


async def test_an_emergency_in_french_still_wins(runtime: Runtime) -> None:
    replies = await runtime.assistant.handle_text(
        PATIENT, "j'ai une douleur écrasante à la poitrine et je n'arrive plus à respirer"
    )
    assert "911" in replies[0].text
    assert all("Nos prix" not in reply.text for reply in replies)


async def test_english_is_answered_in_english_as_before(runtime: Runtime) -> None:
    [reply] = await runtime.assistant.handle_text(FRENCH_APP, "How much does IMS cost?")
    assert reply.title == "How much does IMS cost?"
    assert "Checked by" in reply.text
    [tapped] = await runtime.assistant.handle_action(FRENCH_APP, "faq:a:does_it_hurt")
    assert tapped.title == "Does IMS hurt?"


def test_accents_elisions_and_chat_spellings_read_alike() -> None:
    assert french_terms("Combien ça coûte?") == french_terms("cb ca coute?")
    assert french_terms("l'évaluation") == french_terms("l evaluation")


def test_the_treatments_french_names_are_one_synonym_group_of_the_content(
    runtime: Runtime,
) -> None:
    assert runtime.content.faq_fr is not None
    french = french_faq(runtime.content.faq_fr, runtime.content.faq)
    for name in ("la PPAS", "les aiguilles sèches", "le dry needling", "la SIM", "l'IMS"):
        assert french.read(f"Est-ce que {name} fait mal?").answers == ("does_it_hurt",), name


@pytest.mark.parametrize(
    ("said", "answers"),
    [
        # Another treatment alone (faq_fr.yaml's other_treatments): "did you mean", as in English.
        ("est-ce que l'acupuncture fait mal", ()),
        ("combien coute l acupuncture", ()),
        # Its needles named, or a comparison with IMS: answered.
        ("les aiguilles d'acupuncture sont-elles stériles?", ("needles_sterile",)),
        ("quelle est la différence entre l'IMS et l'acupuncture", ("ims_vs_acupuncture",)),
    ],
)
def test_a_french_question_about_another_treatment_alone_gets_no_ims_answer(
    runtime: Runtime, said: str, answers: tuple[str, ...]
) -> None:
    assert runtime.content.faq_fr is not None
    french = french_faq(runtime.content.faq_fr, runtime.content.faq)
    assert french.read(said).answers == answers


def test_the_french_index_is_the_same_matcher_class(runtime: Runtime) -> None:
    assert runtime.content.faq_fr is not None
    french = french_faq(runtime.content.faq_fr, runtime.content.faq)
    assert type(french.matcher).__name__ == "FaqMatcher"
    assert set(french.matcher.faq_ids) <= {entry.id for entry in runtime.content.faq.entries}


def test_faq_match_json_reports_french_and_the_french_entry(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    said = ["Combien coûte une séance d'IMS?", "Merci beaucoup, bonne journée!", "How much is IMS?"]
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(said) + "\n"))
    assert main(["faq", "match", "--content", str(CONTENT_DIR), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["decision"], r["faq_id"], r["language"]) for r in rows] == [
        ("answer", "cost", "fr"),
        ("smalltalk", None, "fr"),
        ("answer", "cost", "en"),
    ]
