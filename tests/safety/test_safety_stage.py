"""The core's safety stage on its own: emergency, urgent, other languages, risk questions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.assistant import ChatRef
from bot.safety import SafetyStage, build_safety_stage, load_emergency_content

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
PHONE = "604-555-0123"


@pytest.fixture(scope="module")
def stage() -> SafetyStage:
    return build_safety_stage(load_emergency_content(CONTENT_DIR), PHONE)


def _patient_text(stage: SafetyStage, text: str, hint: str | None = None) -> str:
    verdict = stage.screen(text, hint)
    assert verdict is not None, text
    return "\n".join(reply.text for reply in verdict.replies if not reply.for_staff)


@pytest.mark.parametrize(
    "text",
    [
        "j'ai une douleur à la poitrine qui descend dans le bras depuis 20 minutes",
        "je suis pu capable de respirer depuis ma séance",
        "ma mère a la bouche croche pis elle parle tout croche",
    ],
)
def test_french_emergency_gets_the_french_reply_naming_911(stage: SafetyStage, text: str) -> None:
    verdict = stage.screen(text)
    assert verdict is not None and verdict.level == "emergency"
    assert verdict.language == "fr"
    patient = _patient_text(stage, text)
    assert "911" in patient
    assert "Appelez" in patient or "appelez" in patient
    assert "Call 911" not in patient  # French only, not the English message


@pytest.mark.parametrize(
    ("text", "language", "english_follows"),
    [
        ("me duele mucho el pecho y no puedo respirar", "es", False),
        ("我爸爸嘴歪了，说话不清楚", "zh", False),
        ("ਮੈਨੂੰ ਸਾਹ ਨਹੀਂ ਆ ਰਿਹਾ", "pa", False),
        # Romanised, or read as another language: the language is a guess.
        ("wo xiongkou hen tong", "zh-Latn", True),
        ("meri chhati vich bahut dard ho reha", "pa-Latn", True),
        ("3ayez amoot", "ar-Latn", True),
    ],
)
def test_emergency_in_other_languages_gets_the_emergency_reply_in_that_language(
    stage: SafetyStage, text: str, language: str, english_follows: bool
) -> None:
    verdict = stage.screen(text)
    assert verdict is not None and verdict.level == "emergency", text
    assert verdict.language == language
    [reply] = [reply for reply in verdict.replies if not reply.for_staff]
    notice = stage.replies.notice_for(language)
    assert notice is not None
    # Title, message with 911, and the clinic's phone line, all in the patient's language.
    assert reply.safety_tier == "emergency" and reply.title == notice.emergency_title
    assert reply.text.startswith(notice.emergency.format(number="911"))
    assert notice.phone.format(phone=PHONE) in reply.text
    assert ("Call 911 now" in reply.text or "call 911" in reply.text) is english_follows
    assert ("Please get help now" in reply.text) is english_follows


def test_emergency_reply_starts_with_a_line_in_the_patients_language(stage: SafetyStage) -> None:
    patient = _patient_text(stage, "me duele mucho el pecho")
    assert patient.startswith("Esto puede ser una emergencia. Llame al 911")


@pytest.mark.parametrize(
    ("text", "language", "translated"),
    [
        ("hola, ¿cuánto cuesta una sesión de IMS?", "es", "Solo puedo leer inglés y francés"),
        ("我想预约下星期的治疗", "zh", "我只能读懂英文和法文"),
        ("tusi kinne paise lende ho ik session de", "pa-Latn", "Main sirf English te French"),
        ("magkano po ang isang session", "tl", "Ingles at Pranses lang po"),
    ],
)
def test_a_harmless_message_in_another_language_gets_the_notice(
    stage: SafetyStage, text: str, language: str, translated: str
) -> None:
    verdict = stage.screen(text)
    assert verdict is not None and verdict.level == "notice"
    assert verdict.language == language
    patient = _patient_text(stage, text)
    assert patient.startswith(translated)
    assert "I can only read English and French" in patient
    assert "call 911 now" in patient and PHONE in patient
    assert "don't know" not in patient


def test_the_apps_language_tips_a_short_message(stage: SafetyStage) -> None:
    assert stage.language_of("gracias por todo", "es").code == "es"
    assert stage.language_of("ok see you tomorrow", "es").code == "en"


@pytest.mark.parametrize(
    "text",
    [
        "the spot where the needle went in is red, hot and there's pus",
        "I've had a fever and chills since my IMS session yesterday",
        "my calf is hot, swollen and sore",
        "I think a piece of the needle is still in my back",
        "I'm on warfarin and the bruise from my session keeps getting bigger",
        "my hand has been numb since the needling on Monday",
        "j'ai de la fièvre depuis ma séance d'hier",
    ],
)
def test_urgent_problem_gets_same_day_advice_with_811_the_phone_and_a_staff_note(
    stage: SafetyStage, text: str
) -> None:
    verdict = stage.screen(text, None, chat_id=77)
    assert verdict is not None and verdict.level == "urgent", text
    patient = _patient_text(stage, text)
    assert "8-1-1" in patient and PHONE in patient
    assert "911" in patient  # when to escalate
    [staff] = [reply for reply in verdict.replies if reply.for_staff]
    assert "chat 77" in staff.text and "today" in staff.text
    assert text not in staff.text  # never the patient's words


def test_emergency_beats_urgent(stage: SafetyStage) -> None:
    text = "the needle site is infected with pus and now I can't breathe"
    verdict = stage.screen(text)
    assert verdict is not None and verdict.level == "emergency"
    assert verdict.rule_id == "breathing"


@pytest.mark.parametrize(
    "text",
    [
        "what are the signs of a collapsed lung after needling?",
        "is there a risk of chest pain after IMS?",
    ],
)
def test_a_risk_question_is_a_caution_with_warning_signs(stage: SafetyStage, text: str) -> None:
    verdict = stage.screen(text)
    assert verdict is not None and verdict.level == "caution"
    assert not verdict.stops
    [signs] = verdict.after
    assert "call 911" in signs.text


@pytest.mark.parametrize(
    "text",
    [
        "my dad had a stroke in 2018 and his face drooped, can he book IMS for his shoulder?",
        "that price nearly gave me a heart attack lol",
        "mon père a fait un AVC il y a cinq ans, est-ce qu'il peut prendre rendez-vous?",
    ],
)
def test_past_history_and_jokes_are_a_caution_not_an_emergency(
    stage: SafetyStage, text: str
) -> None:
    # Not the 911-first reply, but the features' answer is followed by the warning signs:
    # if the screen misread a present emergency as history, the number is still there.
    verdict = stage.screen(text)
    assert verdict is not None and verdict.level == "caution"
    assert not verdict.stops
    [signs] = verdict.after
    assert "911" in signs.text


def test_a_message_without_any_danger_sign_gets_no_warning_signs(stage: SafetyStage) -> None:
    for text in ("my dad wants to book IMS for his shoulder", "that price was steep lol"):
        assert stage.screen(text) is None, text


def test_in_doubt_the_screen_escalates(stage: SafetyStage) -> None:
    # Past history and a sign happening now: the present wins.
    verdict = stage.screen("I had a stroke years ago and now my face is drooping again")
    assert verdict is not None and verdict.level == "emergency"


def test_ordinary_english_passes_through(stage: SafetyStage) -> None:
    for text in ("what is IMS?", "physio", "none", "7/10", "how much is a session"):
        assert stage.screen(text) is None, text


def test_the_stage_never_raises(stage: SafetyStage) -> None:
    chat = ChatRef(1, language_code="xx-invalid")
    for text in ("\x00\x01", "🙂" * 500, "a" * 20_000, "٣٤٥", "؟"):
        stage(chat, text)


def test_a_report_inside_an_if_clause_is_hypothetical(stage: SafetyStage) -> None:
    asked = stage.screen("what should I do if I have chest pain after IMS?")
    assert asked is not None and asked.level == "caution"
    reported = stage.screen("I have chest pain, what should I do if it gets worse?")
    assert reported is not None and reported.level == "emergency"
