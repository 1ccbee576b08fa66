"""The safety stage in the assembled bot: every typed text, every feature, every language."""

from __future__ import annotations

import pytest

from bot.core.assistant import ChatRef
from bot.runtime import Runtime
from bot.safety import build_safety_stage
from tests.intake.kit import Patient

FALLBACK_LINE = "If this is an emergency, call 911 now."


@pytest.fixture
def patient(runtime: Runtime) -> Patient:
    return Patient(runtime.assistant, ChatRef(8801, first_name="Ana"))


async def test_french_emergency_is_answered_first_in_french(patient: Patient) -> None:
    await patient.say("j'ai mal à la poitrine et je manque d'air depuis l'IMS ce matin")
    assert patient.last[0].text.startswith("Une douleur à la poitrine")
    assert "911" in patient.last[0].text
    assert [reply.title for reply in patient.staff] == ["Possible emergency"]


async def test_the_staff_note_says_what_the_patient_was_told(patient: Patient) -> None:
    await patient.say("je veux me suicider ce soir")
    assert "9-8-8" in patient.last[0].text
    [note] = patient.staff
    assert "crisis line (9-8-8" in note.text and "told to call 911 now" not in note.text
    await patient.say("j'ai mal à la poitrine et je manque d'air")
    assert "told to call 911 now" in patient.staff[0].text


async def test_spanish_question_gets_the_notice_not_i_dont_know(patient: Patient) -> None:
    await patient.say("hola, ¿tienen citas disponibles el sábado por la mañana?")
    assert patient.text.startswith("Solo puedo leer inglés y francés")
    assert "I can only read English and French. If this is an emergency, call 911" in patient.text
    assert "don't know" not in patient.text


async def test_other_language_with_english_words_gets_the_notice_then_the_answer(
    patient: Patient,
) -> None:
    # Romanised Punjabi with "appointment" and "fees" in it: the English words must not make
    # it read as English. The notice (naming 911) comes first, the FAQ answer below it.
    await patient.say("mera appointment cancel karna hai, kal nahi aa sakda, tusi fees lende ho?")
    assert patient.last[0].text.startswith("Main sirf English te French")
    assert "call 911 now" in patient.last[0].text
    assert len(patient.last) >= 2 and patient.last[1].title is not None


async def test_chinese_emergency_gets_the_emergency_reply(patient: Patient) -> None:
    await patient.say("我妈妈突然嘴歪了，说话不清楚")
    assert patient.text.startswith("这可能是紧急情况")
    assert patient.last[0].title == "请立即求助" and patient.last[0].safety_tier == "emergency"
    assert "911" in patient.text and "Call 911 now" not in patient.text  # surely Chinese


async def test_urgent_problem_gets_same_day_advice_and_a_staff_note(
    patient: Patient, runtime: Runtime
) -> None:
    await patient.say("there is pus coming out of one of the needle spots from my session")
    assert "8-1-1" in patient.text
    assert runtime.content.clinic.phone in patient.text
    [note] = patient.staff
    assert "needle_site_infection" in note.text and "pus" not in note.text


async def test_risk_question_gets_the_faq_answer_then_the_warning_signs(patient: Patient) -> None:
    await patient.say("what are the warning signs of a collapsed lung after needling?")
    assert patient.last[0].title is not None  # an FAQ answer (or suggestions), not 911
    assert not patient.last[0].text.startswith("Trouble breathing")
    assert patient.last[-1].text.startswith("Warning signs to watch for")
    assert "call 911 now" in patient.last[-1].text


async def test_i_dont_know_always_ends_with_the_911_line(patient: Patient) -> None:
    await patient.say("do you sell gift cards for the spa next door")
    # A topic the clinic does not answer here gets its own honest reply, with the same line.
    assert "not something I can answer here" in patient.text
    assert patient.last[0].text.endswith(FALLBACK_LINE)
    await patient.say("how far away is the moon from the earth")
    assert "don't know" in patient.text
    assert patient.last[0].text.endswith(FALLBACK_LINE)


async def test_faq_command_question_is_screened_too(patient: Patient) -> None:
    await patient.command("faq", "no", "puedo", "respirar")
    assert "911" in patient.text and "don't know" not in patient.text


@pytest.mark.parametrize(
    "emergency",
    [
        "since this morning I can't feel anything when I wipe",
        "no puedo respirar, me duele el pecho",
        "ਮੈਨੂੰ ਸਾਹ ਨਹੀਂ ਆ ਰਿਹਾ",
    ],
)
async def test_an_emergency_typed_as_an_intake_answer_stops_the_intake(
    patient: Patient, emergency: str
) -> None:
    await patient.command("intake")
    await patient.say("yes")  # consent
    assert "Question" in patient.text
    await patient.say(emergency)
    assert "911" in patient.last[0].text
    # One note for the one event: the alert, saying the intake was stopped.
    [note] = [reply for reply in patient.last if reply.for_staff]
    assert "the intake was stopped" in note.text
    await patient.say("42")  # no longer an intake answer: the intake is closed
    assert "Question" not in patient.text


async def test_an_urgent_problem_the_screen_cannot_place_gets_same_day_advice(
    patient: Patient,
) -> None:
    # A calf that is swollen (no heat, redness or pain named): the urgent rule is near, not
    # met, and no FAQ entry answers it, so the reply is same-day care, never "I don't know".
    await patient.say("my calf is swollen since yesterday and I fly a lot")
    assert "8-1-1" in patient.text
    assert "don't know" not in patient.text
    [note] = patient.staff
    assert "calf_swelling, unplaced" in note.text and "fly" not in note.text


async def test_a_present_problem_only_the_learned_net_places_gets_same_day_advice(
    patient: Patient, runtime: Runtime
) -> None:
    # No rule and no word list places it; the learned second opinion does, in the chat as in
    # `ims-bot faq match` (the FAQ's "I don't know" is replaced by the stage's own replies).
    text = "the skin around where you needled my knee is turning dark and smells bad"
    content = runtime.content
    stage = build_safety_stage(content.emergency, content.clinic.phone)
    assert stage.screen(text) is None
    assert stage.replies.unplaced_urgent_rule(text) is not None
    await patient.say(text)
    assert patient.last[0].safety_tier == "urgent"
    assert "8-1-1" in patient.text and "don't know" not in patient.text
    assert [reply.title for reply in patient.staff] == ["Urgent: call back today"]


async def test_words_typed_after_a_command_are_screened(patient: Patient) -> None:
    # An emergency beats the command; an urgent problem gets same-day advice before the
    # command's reply; a risk question gets the command's reply, then the warning signs.
    await patient.command("help", "I", "can't", "breathe", "and", "my", "chest", "is", "crushing")
    assert patient.last[0].safety_tier == "emergency" and "911" in patient.last[0].text
    await patient.command(
        "start", "my", "calf", "is", "hot", "red", "and", "swollen", "since", "yesterday"
    )
    assert patient.last[0].safety_tier == "urgent"
    assert len([reply for reply in patient.last if not reply.for_staff]) > 1  # the menu too
    question = "what are the warning signs of a collapsed lung after needling?"
    await patient.command("contact", *question.split())
    shown = [reply for reply in patient.last if not reply.for_staff]
    assert shown[0].safety_tier is None
    assert shown[-1].text.startswith("Warning signs to watch for")


async def test_a_command_without_words_is_not_screened(patient: Patient) -> None:
    await patient.command("start")
    assert not patient.staff and not patient.last[-1].text.startswith("Warning signs")
