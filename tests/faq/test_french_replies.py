"""French replies in the assembled bot quote the clinic's facts in French (bundled content)."""

from __future__ import annotations

import pytest

from bot.core.assistant import ChatRef
from bot.runtime import Runtime
from tests.intake.kit import Patient

# English a French reply must not show once clinic.yaml gives the French (labels and
# weekdays from the code; services, notes, names, addresses, directions from clinic.yaml).
ENGLISH_FACTS = (
    "Phone:",
    "Map:",
    "Getting here",
    "Hours:",
    "Monday",
    "Thursday",
    "closed",
    "$135",
    "Initial assessment",
    "sample price",
    "Free parking",
    "Example Street",
    "Sample Clinic, Riverside",
    "(fictional)",
)


@pytest.fixture
def patient(runtime: Runtime) -> Patient:
    return Patient(runtime.assistant, ChatRef(8802, first_name="Élise"))


def english_in(text: str) -> list[str]:
    return [fact for fact in ENGLISH_FACTS if fact in text]


async def test_french_price_question_lists_french_services_and_amounts(patient: Patient) -> None:
    await patient.say("combien coute une seance")
    assert (
        "Évaluation initiale, avec IMS si elle vous convient (environ 60 minutes) : 135 $ "
        "(prix d'exemple)" in patient.text
    )
    assert "Séance de traitement IMS (environ 30 minutes) : 95 $" in patient.text
    assert english_in(patient.text) == []


async def test_french_location_question_gives_french_labels_days_and_directions(
    patient: Patient,
) -> None:
    await patient.say("où est la clinique et quelles sont vos heures?")
    text = patient.text
    assert "Clinique d'exemple Maplebrook, Riverside" in text
    assert "Téléphone : 613-555-0142" in text
    assert "Pour vous y rendre : Stationnement gratuit derrière l'immeuble" in text
    assert "Heures d'ouverture :" in text
    assert "  Du lundi au jeudi : 8 h à 19 h" in text
    assert "  Mardi : 7 h 30 à 15 h 30" in text
    assert "  Samedi et dimanche : fermé" in text
    assert english_in(text) == []


async def test_french_talk_to_a_person_shows_the_locations_in_french(patient: Patient) -> None:
    await patient.say("où est la clinique et quelles sont vos heures?")
    await patient.tap("Parler à une personne")
    assert "Heures d'ouverture :" in patient.text
    assert english_in(patient.text) == []


async def test_english_replies_keep_the_english_facts(patient: Patient) -> None:
    await patient.say("how much does a session cost")
    assert "- Initial assessment with IMS if suitable (about 60 minutes): $135 (sample price)" in (
        patient.text
    )
    await patient.say("where are you located and what are your hours")
    assert "Phone: 613-555-0142" in patient.text
    assert "  Monday–Thursday: 8:00–19:00" in patient.text
    assert "  Saturday–Sunday: closed" in patient.text
    assert "Getting here: Free parking behind the building" in patient.text
    assert "Téléphone" not in patient.text and "135 $" not in patient.text


async def test_an_app_set_to_french_gets_the_welcome_menu_and_contact_in_french(
    runtime: Runtime,
) -> None:
    french_app = Patient(
        runtime.assistant, ChatRef(8803, first_name="Élise", language_code="fr-CA")
    )
    await french_app.command("start")
    assert french_app.text.startswith("Bonjour Élise! Je suis l'assistant de clavardage de ")
    assert "Physiothérapie et IMS Maplebrook" in french_app.text
    labels = [button.label for reply in french_app.last for button in reply.buttons]
    assert "Parcourir les questions fréquentes" in labels
    await french_app.tap("Parcourir les questions fréquentes")
    assert french_app.text == "Choisissez un sujet :"
    await french_app.command("contact")
    assert "Vous pouvez joindre l'équipe de Physiothérapie et IMS Maplebrook" in french_app.text
    assert "Heures d'ouverture :" in french_app.text
    assert english_in(french_app.text) == []


async def test_an_app_set_to_english_keeps_the_english_welcome(runtime: Runtime) -> None:
    english_app = Patient(runtime.assistant, ChatRef(8804, first_name="Ann", language_code="en"))
    await english_app.command("start")
    assert english_app.text.startswith("Hello Ann! I'm the chat assistant of ")
    await english_app.command("contact")
    assert "Phone: 613-555-0142" in english_app.text


@pytest.mark.parametrize(
    ("message", "says"),
    [
        ("IMS ?", "IMS veut dire stimulation intramusculaire"),  # read from either FAQ
        ("ok", "D'accord!"),
        ("merci", "Ça me fait plaisir!"),
        ("42", "Je n'ai pas trouvé de question"),
        ("👍", "D'accord!"),
    ],
)
async def test_a_short_unclear_message_in_a_french_chat_is_answered_in_french(
    runtime: Runtime, message: str, says: str
) -> None:
    chat = Patient(runtime.assistant, ChatRef(8805, first_name="Élise", language_code="en"))
    await chat.say("Est-ce que l'IMS fait mal?")
    assert "aiguille" in chat.text
    await chat.say(message)
    assert says in chat.text, chat.text
    await chat.say("how much does a visit cost?")  # a plain English message decides
    assert "Initial assessment" in chat.text


async def test_an_app_set_to_french_is_the_prior_for_a_first_unclear_message(
    runtime: Runtime,
) -> None:
    chat = Patient(runtime.assistant, ChatRef(8806, language_code="fr-CA"))
    await chat.say("IMS ?")
    assert "IMS veut dire stimulation intramusculaire" in chat.text, chat.text
    english = Patient(runtime.assistant, ChatRef(8807, language_code="en"))
    await english.say("prix?")  # French-looking, unclear: the English chat is answered in English
    assert "Our current prices" in english.text, english.text
