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
