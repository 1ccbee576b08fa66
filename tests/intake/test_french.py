"""The intake form in French: a French-speaking patient reads and answers it in French, the
clinician reads it in English with the patient's words as written, and the content check
refuses a French version that misses (or adds) a step, an option or a flag."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.core.assistant import Assistant, ChatRef
from bot.intake.conversation import IntakeConversation
from bot.intake.engine import IntakeEngine, IntakeState, Outcome, Typed
from bot.intake.fhir import questionnaire_response
from bot.intake.flow_file import check_intake_flow, flow_from_definition, load_flow_file
from bot.intake.step_types import kind_of
from bot.intake.summary import build_summary, summary_text
from bot.runtime import build_runtime
from tests.intake.kit import (
    FRENCH_ANSWERS,
    PATIENT,
    REPO,
    SHIPPED_FLOW,
    Patient,
    runtime_settings,
)

FRENCH_CHAT = ChatRef(PATIENT, first_name="Josée", language_code="fr")


def _french_patient(assistant: Assistant) -> Patient:
    return Patient(assistant, chat=FRENCH_CHAT)


@pytest.fixture
def patient_fr(wired: tuple[Assistant, IntakeConversation]) -> Patient:
    return _french_patient(wired[0])


async def _answer_until(patient: Patient, name: str) -> None:
    await patient.command("intake")
    for key, text in FRENCH_ANSWERS.items():
        if key == name:
            return
        await patient.say(text)
    raise AssertionError(f"no answer named {name}")


async def test_a_french_patient_completes_the_form_in_french(
    wired: tuple[Assistant, IntakeConversation],
) -> None:
    patient = _french_patient(wired[0])
    await patient.command("intake")
    assert "Acceptez-vous de transmettre vos réponses" in patient.text
    assert patient.button("Oui, j'accepte")
    for text in FRENCH_ANSWERS.values():
        await patient.say(text)
        assert "Please" not in patient.text, (text, patient.text)
    assert "Vérifiez vos réponses" in patient.text
    assert "Une douleur qui brûle sous l'omoplate gauche" in patient.text  # the review quotes it
    assert "Cou, Omoplate (gauche, le pire)" in patient.text
    assert "De 6 à 12 mois (écrit : « depuis 8 mois »)" in patient.text
    await patient.say("envoyer")
    assert "Merci, votre formulaire est rempli" in patient.text
    summary = patient.staff[-1].text
    # The clinician reads the clinic's language, with the patient's own words as written.
    assert "Answered in French" in summary
    assert "Neck, Shoulder blade (left, worst)" in summary
    assert "Une douleur qui brûle sous l'omoplate gauche" in summary
    assert "Age: 42" in summary or "How old are you? 42" in summary
    assert "PHQ-2 mood screen (0-6): 1 (negative screen)" in summary


async def test_back_and_a_wrong_answer_are_worded_in_french(patient_fr: Patient) -> None:
    await _answer_until(patient_fr, "age")
    await patient_fr.say("beaucoup")
    assert "Écrivez seulement un nombre entre 1 et 120, par exemple 60." in patient_fr.text
    assert "Quel âge avez-vous?" in patient_fr.text
    await patient_fr.say("retour")
    assert "Qui remplit ce formulaire?" in patient_fr.text
    assert "Votre réponse jusqu'ici : Moi, le patient ou la patiente" in patient_fr.text
    assert patient_fr.button("« Retour")
    await patient_fr.say("2")
    assert "Quel âge avez-vous?" in patient_fr.text


async def test_stop_and_resume_in_french(patient_fr: Patient) -> None:
    await _answer_until(patient_fr, "complaint")
    await patient_fr.say("je veux arrêter")
    assert "Voulez-vous arrêter le formulaire pour l'instant?" in patient_fr.text
    await patient_fr.say("oui")
    assert "J'ai arrêté le formulaire pour l'instant" in patient_fr.text
    await patient_fr.command("intake")
    assert "Vous avez un formulaire d'accueil non terminé" in patient_fr.text
    await patient_fr.tap("Continuer")
    assert "Dans vos mots, quel est le principal problème" in patient_fr.text
    # The language was fixed at the start: an English word typed now does not switch it.
    await patient_fr.say("ok")
    assert "Où avez-vous mal?" in patient_fr.text


async def test_a_tapped_emergency_answer_is_told_in_french(patient_fr: Patient) -> None:
    await _answer_until(patient_fr, "emergency_screen")
    await patient_fr.tap("Mal poitrine")
    await patient_fr.tap("Terminé")
    assert "Appelez le 911" in patient_fr.text
    assert "J'ai arrêté le formulaire d'accueil et averti la clinique" in patient_fr.text
    assert any("chest_breathing" in reply.text for reply in patient_fr.staff)


def test_the_menu_button_is_french_without_en_anglais(
    wired: tuple[Assistant, IntakeConversation],
) -> None:
    labels = [button.label for button in wired[0].menu_buttons("fr")]
    assert labels == ["Remplir mon formulaire d'accueil"], labels


def _answered_in_french(answers: list[str]) -> tuple[IntakeEngine, IntakeEngine, IntakeState]:
    """The clinic's (English) engine, the French one, and a form answered in French."""
    loaded = load_flow_file(SHIPPED_FLOW)
    english = IntakeEngine(loaded.flow, today=lambda: date(2026, 12, 7))
    french = IntakeEngine(loaded.flow.in_language("fr"), today=lambda: date(2026, 12, 7))
    state = french.start()
    state.language = "fr"
    for text in answers:
        state = french.apply(state, Typed(text)).state
    return english, french, state


def test_summary_and_fhir_say_the_form_was_answered_in_french() -> None:
    english, _, state = _answered_in_french(list(FRENCH_ANSWERS.values())[:4])
    loaded = load_flow_file(SHIPPED_FLOW)
    assert state.answers["age"] == 42
    summary = build_summary(english, state, intake_id=1, chat_id=1, submitted_at=_now())
    assert summary["language"] == "fr"
    assert "Answered in French" in summary_text(summary, UTC)
    response = questionnaire_response(english, state, intake_id=1, authored=_now())
    assert response["language"] == "fr"
    complaint = next(item for item in response["item"] if item["linkId"] == "complaint")
    assert complaint["answer"][0]["valueString"].startswith("Une douleur qui brûle")
    assert complaint["text"].startswith("In your own words")  # the clinic's question
    # A stored definition brings its French back, so a form begun in French goes on in it.
    rebuilt = flow_from_definition(loaded.definition)
    assert rebuilt.in_language("fr").step("age").text == "Quel âge avez-vous?"  # type: ignore[union-attr]


def _content_copy(tmp_path: Path) -> Path:
    for name in ("intake_flow.yaml", "intake_flow_fr.yaml"):
        shutil.copy(REPO / "content" / name, tmp_path / name)
    return tmp_path / "intake_flow_fr.yaml"


def test_the_shipped_french_form_is_complete() -> None:
    assert check_intake_flow(REPO / "content") == []


def test_the_check_names_a_step_without_its_french(tmp_path: Path) -> None:
    french = _content_copy(tmp_path)
    lines = french.read_text(encoding="utf-8").splitlines(keepends=True)
    start = lines.index("  age:\n")
    del lines[start : start + 2]  # the age step and its text
    french.write_text("".join(lines), encoding="utf-8")
    problems = [str(problem) for problem in check_intake_flow(tmp_path)]
    assert any(
        "intake_flow_fr.yaml:" in p and "step 'age' has no French text" in p for p in problems
    ), problems


def test_the_check_names_a_french_choice_the_english_lacks(tmp_path: Path) -> None:
    french = _content_copy(tmp_path)
    text = french.read_text(encoding="utf-8")
    extra = "      bones: Mes os\n"
    text = text.replace("      self: {label:", extra + "      self: {label:", 1)
    french.write_text(text, encoding="utf-8")
    problems = check_intake_flow(tmp_path)
    line = text.splitlines().index(extra.rstrip("\n")) + 1
    assert any(p.line == line and "option 'bones' is not in" in p.message for p in problems), [
        str(p) for p in problems
    ]


def test_the_check_names_a_flag_without_its_french_review(tmp_path: Path) -> None:
    french = _content_copy(tmp_path)
    text = french.read_text(encoding="utf-8")
    marker = "  trauma:\n"
    head, tail = text.split(marker, 1)
    message, rest = tail.split("    reviewed:", 1)
    rest = rest.split("\n", 1)[1]
    french.write_text(head + marker + message + rest, encoding="utf-8")
    problems = [str(problem) for problem in check_intake_flow(tmp_path)]
    assert any("flag 'trauma' is missing 'reviewed'" in p for p in problems), problems


async def test_through_the_bot_a_french_form_and_a_french_emergency(tmp_path: Path) -> None:
    runtime = await build_runtime(runtime_settings(tmp_path))
    try:
        assistant = runtime.assistant
        chat = ChatRef(778, language_code="fr")
        patient = Patient(assistant, chat=chat)
        await patient.command("intake")
        for text in ["oui", "moi", "42"]:
            await patient.say(text)
        assert "Dans vos mots" in patient.text
        await patient.say("j'ai une douleur à la poitrine et je n'arrive plus à respirer")
        assert "911" in patient.text
        assert "Call 911" not in patient.text  # the safety stage answered in French
        await patient.command("intake")
        assert "arrêté" in patient.text  # the stopped form is offered back in French
    finally:
        await runtime.close()


def _now() -> datetime:
    return datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


# --- French typed answers, on the French flow's engine ------------------------------------

TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def french_engine() -> IntakeEngine:
    return IntakeEngine(load_flow_file(SHIPPED_FLOW).flow.in_language("fr"), today=lambda: TODAY)


def _at(engine: IntakeEngine, step_id: str) -> IntakeState:
    state = engine.start()
    for key, text in FRENCH_ANSWERS.items():
        if state.current == step_id:
            return state
        if key.startswith("regions_") and state.current != "regions":
            continue
        state = engine.apply(state, Typed(text)).state
    assert state.current == step_id, state.current
    return state


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("depuis 8 mois", "6_to_12_months"),
        ("il y a 3 semaines", "under_6_weeks"),
        ("environ deux ans", "over_1_year"),
        ("depuis mars", "6_to_12_months"),
        ("15 octobre 2026", "6_to_12_weeks"),
        ("Plus d'un an", "over_1_year"),
    ],
)
def test_french_durations_and_dates(french_engine: IntakeEngine, typed: str, expected: str) -> None:
    result = french_engine.apply(_at(french_engine, "duration"), Typed(typed))
    answer = result.state.answers.get("duration")
    assert isinstance(answer, dict) and answer["option"] == expected, (typed, result.hint)


def test_french_short_answers_and_commands(french_engine: IntakeEngine) -> None:
    state = french_engine.start()
    # "o" is oui on paper forms, but consent to share health data needs it spelt out
    refused = french_engine.apply(state, Typed("o"))
    assert refused.outcome is Outcome.INVALID and "oui clair" in refused.hint
    state = french_engine.apply(state, Typed("oui")).state
    assert state.current == "completed_by"
    state = french_engine.apply(state, Typed("moi")).state
    state = french_engine.apply(state, Typed("précédent")).state
    assert state.current == "completed_by"
    unsure = french_engine.apply(_at(french_engine, "onset"), Typed("je ne sais pas")).state
    assert unsure.answers["onset"] == "unsure"
    details = _at(french_engine, "episodes")
    details = french_engine.apply(details, Typed("oui, elle revient souvent")).state
    assert details.current == "episodes_details"
    # Typed at a free-text question, a command word is asked about first (as "skip" is).
    asked = french_engine.apply(details, Typed("passer")).state
    assert asked.draft is not None and asked.draft.confirm == "passer"
    skipped = french_engine.apply(asked, Typed("passer")).state
    assert skipped.answers["episodes_details"] is None


def test_french_body_regions_with_sides(french_engine: IntakeEngine) -> None:
    state = _at(french_engine, "regions")
    state = french_engine.apply(state, Typed("épaule droite, les deux genoux, bas du dos")).state
    state = french_engine.apply(state, Typed("terminé")).state
    state = french_engine.apply(state, Typed("genou")).state  # which bothers most
    answer = state.answers["regions"]
    assert answer == {
        "regions": [
            {"region": "shoulder", "side": "right"},
            {"region": "lower_back", "side": "centre"},
            {"region": "knee", "side": "both"},
        ],
        "worst": "knee",
    }


def test_a_french_wrong_answer_is_explained_in_french(french_engine: IntakeEngine) -> None:
    result = french_engine.apply(_at(french_engine, "pain_now"), Typed("beaucoup"))
    assert result.hint.startswith("Donnez un nombre entier de 0 à 10")
    result = french_engine.apply(_at(french_engine, "aggravating"), Typed("courir, assis"))
    assert result.hint.startswith("Je n'ai pas reconnu 'courir'. ")
    assert result.hint.endswith("J'ai gardé les autres.")


async def test_mydata_words_the_intake_lines_in_french(patient_fr: Patient) -> None:
    await _answer_until(patient_fr, "complaint")
    await patient_fr.command("mydata")
    assert "Formulaires d'accueil" in patient_fr.text
    assert "Formulaire d'accueil no 1 : en cours" in patient_fr.text
    assert "3 réponses conservées (chiffrées)" in patient_fr.text
    assert "answers stored" not in patient_fr.text


def test_fhir_names_who_gave_consent_in_the_form_language() -> None:
    english, french, state = _answered_in_french(list(FRENCH_ANSWERS.values()))
    assert state.treatment_consent is not None
    assert state.treatment_consent["given_by"] == "patient"
    response = questionnaire_response(english, state, intake_id=1, authored=_now())
    [consent] = [item for item in response["item"] if item["linkId"] == "treatment_consent"]
    nested = {item["linkId"]: item["answer"][0] for item in consent["answer"][0]["item"]}
    giver = nested["treatment_consent.given_by"]["valueCoding"]
    assert (giver["code"], giver["display"]) == ("patient", "le patient ou la patiente")
    # The clinician's summary stays in English; a form in French asks its questions in French.
    summary = build_summary(english, state, intake_id=1, chat_id=1, submitted_at=_now())
    assert "(given by: the patient;" in summary_text(summary, UTC)
    step = french.flow.step("treatment_consent")
    assert step is not None
    item = kind_of(step).fhir_item(step)
    [given_by] = [nested for nested in item["item"] if nested["linkId"].endswith(".given_by")]
    assert given_by["text"] == "Personne qui a donné cette réponse"
    displays = [option["valueCoding"]["display"] for option in given_by["answerOption"]]
    assert displays[:2] == ["le patient ou la patiente", "un parent ou un tuteur légal"]
