"""The language a chat is being served in (its last message read plainly as French or
English, or the language of the button it tapped) decides the language of commands and of
the form; the app's language only stands in before the chat has said anything."""

from __future__ import annotations

from bot.core.assistant import ChatRef
from bot.runtime import Runtime
from tests.intake.kit import Patient


async def test_the_french_menu_button_starts_the_form_in_french(runtime: Runtime) -> None:
    patient = Patient(runtime.assistant, chat=ChatRef(801, language_code="en"))
    await patient.say("bonjour")
    await patient.tap("Remplir mon formulaire")
    assert "Question 1 sur" in patient.text, patient.text
    for answer in ("oui", "moi", "quarante-deux"):
        await patient.say(answer)
    assert "Dans vos mots" in patient.text, patient.text


async def test_commands_answer_in_the_language_the_chat_is_served_in(runtime: Runtime) -> None:
    french = Patient(runtime.assistant, chat=ChatRef(802, language_code="en"))
    await french.say("Bonjour, combien coûte une séance d'IMS?")
    await french.command("mydata")
    assert "donnée" in french.text, french.text
    await french.say("ok")  # read as English by a hair: the chat stays French
    await french.command("intake")
    assert "Question 1 sur" in french.text, french.text
    await french.command("forget")
    assert "En êtes-vous sûr" in french.text, french.text

    # An app set to French is only the starting guess: English messages win.
    english = Patient(runtime.assistant, chat=ChatRef(803, language_code="fr"))
    await english.command("mydata")
    assert "donnée" in english.text, english.text
    await english.say("How much does an IMS session cost?")
    await english.command("intake")
    assert "Question 1 of" in english.text, english.text
