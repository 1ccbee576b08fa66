"""Consent is given in the language of the text the patient read: a yes typed in another
language is never recorded. At the first consent, when the clinic offers the form in that
language, the form moves to it and the consent text is shown again there; when it does not,
the patient is told, in their language, that consent needs a text they understood. Once the
patient has moved the form or answered in its language, it stays there: a "no" is read as
their refusal and a yes is asked again in the form's language."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.core.assistant import ChatRef
from bot.intake.answers import consent_language, parse_consent
from bot.intake.engine import IntakeEngine, Outcome, Typed
from bot.intake.flow_file import load_flow_file
from bot.intake.repository import IntakeRepository
from bot.storage.database import Database
from tests.intake.kit import (
    FRENCH_ANSWERS,
    PATIENT,
    SHIPPED_FLOW,
    TYPED_ANSWERS,
    Patient,
    build_conversation,
    state_at,
    typed_until,
)

FRENCH_CONSENTS = ["oui", "Oui, j'accepte", "j'accepte", "je suis d'accord", "je consens"]
FRENCH_REFUSALS = ["non", "non merci", "je refuse", "je ne suis pas d'accord"]


@pytest.fixture(scope="module")
def loaded_engine() -> IntakeEngine:
    return IntakeEngine(load_flow_file(SHIPPED_FLOW).flow)


@pytest.fixture(scope="module")
def french_engine(loaded_engine: IntakeEngine) -> IntakeEngine:
    return IntakeEngine(loaded_engine.flow.in_language("fr"))


@pytest.mark.parametrize(
    ("text", "language", "said"),
    [
        ("yes", "en", True),
        ("Yes, I agree", "en", True),
        ("no", "en", False),
        ("oui", "fr", True),
        ("je suis d'accord", "fr", True),
        ("non", "fr", False),
        ("oui", "en", None),  # a French yes is not an English consent
        ("yes", "fr", None),
        ("non", "en", None),
        ("ok", "en", None),  # may only acknowledge the text
        ("d'accord", "fr", None),
        ("sí", "en", None),
    ],
)
def test_a_consent_word_counts_only_in_the_forms_language(
    text: str, language: str, said: bool | None
) -> None:
    assert parse_consent(text, ("", ""), language) is said


@pytest.mark.parametrize(
    ("text", "language"),
    [("i do not consent", "en"), ("I don't consent", "en"), ("i dont consent", "en"),
     ("No thank you.", "en"), ("no way", "en"), ("Non, je refuse", "fr"),
     ("je ne consens pas", "fr")],
)  # fmt: skip
def test_a_clear_refusal_is_read_as_one_not_re_asked(text: str, language: str) -> None:
    assert parse_consent(text, ("", ""), language) is False
    assert consent_language(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [("oui", "fr"), ("Non merci", "fr"), ("yes", "en"), ("nope", "en"), ("ok", None),
     ("sí", None), ("peut-être", None), ("", None)],
)  # fmt: skip
def test_the_language_of_a_typed_consent(text: str, language: str | None) -> None:
    assert consent_language(text) == language


@pytest.mark.parametrize("text", [*FRENCH_CONSENTS, *FRENCH_REFUSALS])
def test_a_french_answer_to_the_english_consent_records_nothing(
    loaded_engine: IntakeEngine, text: str
) -> None:
    result = loaded_engine.apply(loaded_engine.start(), Typed(text))
    assert result.outcome is Outcome.INVALID and result.answered_in == "fr"
    assert result.state.consent_version is None and not result.state.answers
    assert "compris" in result.hint  # told in French, for a form not offered in French


@pytest.mark.parametrize("text", ["yes", "I agree", "no"])
def test_an_english_answer_to_the_french_consent_records_nothing(
    french_engine: IntakeEngine, text: str
) -> None:
    result = french_engine.apply(french_engine.start(), Typed(text))
    assert result.outcome is Outcome.INVALID and result.answered_in == "en"
    assert result.state.status.value == "in_progress" and not result.state.answers


@pytest.mark.parametrize("text", ["oui", "j'accepte", "ok", "sure"])
def test_treatment_consent_needs_a_clear_answer_in_the_forms_language(
    loaded_engine: IntakeEngine, text: str
) -> None:
    state = state_at(loaded_engine, "treatment_consent")
    result = loaded_engine.apply(state, Typed(text))
    assert result.outcome is Outcome.INVALID and result.answered_in is None
    assert "treatment_consent" not in result.state.answers
    assert result.state.treatment_consent is None


def test_a_french_yes_at_the_end_of_an_english_form_is_asked_again_in_english(
    loaded_engine: IntakeEngine,
) -> None:
    result = loaded_engine.apply(state_at(loaded_engine, "treatment_consent"), Typed("oui"))
    assert result.outcome is Outcome.INVALID and result.answered_in is None
    assert "This form is in English" in result.hint
    assert "“I understand and agree”" in result.hint


@pytest.mark.parametrize("text", ["non", "non merci", "je refuse"])
def test_a_french_no_at_the_end_of_an_english_form_is_the_patients_refusal(
    loaded_engine: IntakeEngine, text: str
) -> None:
    result = loaded_engine.apply(state_at(loaded_engine, "treatment_consent"), Typed(text))
    assert result.outcome is Outcome.ANSWERED
    assert result.state.answers["treatment_consent"] == "decline"
    assert result.state.language == "en"


@pytest.mark.parametrize(
    ("text", "answer"), [("yes", "agree"), ("I agree", "agree"), ("no", "decline")]
)
def test_treatment_consent_takes_a_clear_english_answer(
    loaded_engine: IntakeEngine, text: str, answer: str
) -> None:
    said = loaded_engine.apply(state_at(loaded_engine, "treatment_consent"), Typed(text))
    assert said.outcome is Outcome.UPDATED  # then: who gives this answer?
    result = loaded_engine.apply(said.state, Typed("me"))
    assert result.outcome is Outcome.ANSWERED
    assert result.state.answers["treatment_consent"] == answer
    assert result.state.treatment_consent is not None
    assert result.state.treatment_consent["given_by"] == "patient"


async def test_oui_to_the_english_consent_shows_it_in_french_then_takes_the_french_yes(
    patient: Patient, repository: IntakeRepository
) -> None:
    await patient.command("intake")
    english_agree = patient.button("Yes, I agree")
    await patient.say("oui")
    assert "Vous avez répondu en français" in patient.text
    assert "Acceptez-vous de transmettre vos réponses" in patient.text
    assert [button.label for button in patient.last[-1].buttons] == ["Oui, j'accepte", "Non"]
    [stored] = await repository.all()
    assert stored.state.language == "fr" and stored.state.consent_version is None
    await patient.press(english_agree)  # a button of the English screen no longer applies
    [stored] = await repository.all()
    assert stored.state.consent_version is None
    await patient.say("oui")
    assert "Qui remplit ce formulaire?" in patient.text
    [stored] = await repository.all()
    assert stored.state.consent_version == "privacy-2026-11"


async def test_yes_to_the_french_consent_shows_it_in_english(
    wired: tuple[object, object], repository: IntakeRepository
) -> None:
    patient = Patient(wired[0], chat=ChatRef(PATIENT, language_code="fr"))  # type: ignore[arg-type]
    await patient.command("intake")
    assert "Acceptez-vous" in patient.text
    await patient.say("yes")
    assert "You answered in English" in patient.text
    assert "Do you agree to share your answers" in patient.text
    [stored] = await repository.all()
    assert stored.state.language == "en" and not stored.state.answers


async def test_a_french_refusal_is_not_a_refusal_of_the_english_text(
    patient: Patient, repository: IntakeRepository
) -> None:
    await patient.command("intake")
    await patient.say("non")
    [stored] = await repository.all()  # not declined (a decline deletes the form)
    assert stored.state.language == "fr" and stored.state.status.value == "in_progress"
    await patient.say("non")
    assert await repository.all() == []  # declined in the language it was read in


async def test_the_form_moved_to_french_reads_no_as_non_and_does_not_move_back(
    patient: Patient, repository: IntakeRepository
) -> None:
    await patient.command("intake")
    await patient.say("oui")
    [stored] = await repository.all()
    assert stored.state.language == "fr" and stored.state.language_chosen
    await patient.say("no")
    assert "You answered in English" not in patient.text
    assert "English" not in patient.text
    assert await repository.all() == []  # declined, as a "non" would


async def test_the_form_moved_to_french_asks_a_yes_again_in_french(
    patient: Patient, repository: IntakeRepository
) -> None:
    await patient.command("intake")
    await patient.say("oui")
    await patient.say("yes")
    said, screen = patient.last
    assert "Ce formulaire est en français" in said.text
    assert "« Oui, j'accepte »" in said.text
    assert "Acceptez-vous de transmettre vos réponses" in screen.text
    [stored] = await repository.all()
    assert stored.state.language == "fr" and stored.state.consent_version is None
    await patient.say("oui")
    [stored] = await repository.all()
    assert stored.state.consent_version == "privacy-2026-11"


async def test_no_at_the_last_step_of_a_french_form_declines_in_french(
    wired: tuple[object, object], repository: IntakeRepository
) -> None:
    patient = Patient(wired[0], chat=ChatRef(PATIENT, language_code="fr"))  # type: ignore[arg-type]
    await patient.command("intake")
    for text in typed_until("treatment_consent", list(FRENCH_ANSWERS.values())):
        await patient.say(text)
    await patient.say("no")
    assert "English" not in patient.text and "anglais" not in patient.text
    [stored] = await repository.all()
    assert stored.state.language == "fr"
    assert stored.state.treatment_consent is not None
    assert stored.state.treatment_consent["answer"] == "decline"


async def test_a_chosen_language_survives_storage(
    patient: Patient, repository: IntakeRepository
) -> None:
    await patient.command("intake")
    await patient.say("oui")
    [stored] = await repository.all()
    assert type(stored.state).from_json(stored.state.to_json()).language_chosen


async def test_a_form_not_offered_in_french_re_asks_in_french(
    database: Database, repository: IntakeRepository, tmp_path: Path
) -> None:
    shutil.copy(SHIPPED_FLOW, tmp_path / SHIPPED_FLOW.name)  # no French version beside it
    english_only = load_flow_file(tmp_path / SHIPPED_FLOW.name)
    assert english_only.flow.in_language("fr").language == "en"
    assistant, _ = build_conversation(database, repository, english_only)
    patient = Patient(assistant)
    await patient.command("intake")
    await patient.say("oui")
    said, screen = patient.last
    assert "ce formulaire n'existe qu'en anglais" in said.text
    assert "« Yes, I agree »" in said.text
    assert "Do you agree to share your answers" in screen.text
    [stored] = await repository.all()
    assert stored.state.language == "en" and stored.state.consent_version is None
    await patient.say(TYPED_ANSWERS["consent"])
    [stored] = await repository.all()
    assert stored.state.consent_version == "privacy-2026-11"
