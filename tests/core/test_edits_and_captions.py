"""Faults a newcomer found (round 18): an edited intake answer silently left as first sent,
and a photo's caption answered, then called unread."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.assistant import Assistant, ChatRef, SafetyVerdict, Screening
from bot.core.replies import Reply
from bot.runtime import Runtime
from tests.intake.kit import Patient

PATIENT = ChatRef(chat_id=7)
EDIT_NOTE = "Editing a sent message doesn't change your form"


def _assistant(kept: Sequence[str] = ("intake",)) -> Assistant:
    assistant = Assistant(text_route_order=("intake", "faq"), edit_kept_routes=tuple(kept))

    async def intake(chat: ChatRef, text: str) -> list[Reply] | None:
        return [Reply("next question")] if text.startswith("answer") else None

    async def faq(chat: ChatRef, text: str) -> list[Reply] | None:
        return [Reply("faq answer")]

    def screen(chat: ChatRef, text: str) -> Screening:
        if "chest pain" in text:
            verdict = SafetyVerdict("emergency", "en", "chest_pain", (Reply("EMERGENCY"),))
            return Screening("en", verdict)
        return Screening("en")

    assistant.add_text_route("intake", intake)
    assistant.add_text_route("faq", faq)
    assistant.set_safety_screen(screen)
    return assistant


async def test_an_edit_of_a_kept_message_says_once_that_it_changed_nothing() -> None:
    assistant = _assistant()
    await assistant.handle_text(PATIENT, "answer 54", 21)
    [note] = await assistant.handle_edited_text(PATIENT, "answer 45", 21)
    assert note.text.startswith(EDIT_NOTE) and "« Back" in note.text
    assert await assistant.handle_edited_text(PATIENT, "answer 46", 21) == []  # told once
    # A question the FAQ answered stays an edit that needs no word (round 16).
    await assistant.handle_text(PATIENT, "how much is it", 22)
    assert await assistant.handle_edited_text(PATIENT, "how much is it?", 22) == []


async def test_a_danger_added_by_the_edit_comes_before_any_note() -> None:
    assistant = _assistant()
    await assistant.handle_text(PATIENT, "answer fine", 31)
    replies = await assistant.handle_edited_text(PATIENT, "answer fine, chest pain now", 31)
    assert [reply.text for reply in replies] == ["EMERGENCY"]


async def test_without_kept_routes_an_edit_gets_no_note() -> None:
    assistant = _assistant(kept=())
    await assistant.handle_text(PATIENT, "answer 54", 41)
    assert await assistant.handle_edited_text(PATIENT, "answer 45", 41) == []


async def test_an_edited_intake_answer_is_said_to_change_nothing_in_its_language(
    runtime: Runtime,
) -> None:
    assistant = runtime.assistant
    chat = ChatRef(1801, first_name="Ana")
    patient = Patient(assistant, chat=chat)
    await patient.start_and_answer_until("age")
    replies = await assistant.handle_text(chat, "54", 501)
    assert "main problem" in replies[-1].text
    [note] = await assistant.handle_edited_text(chat, "45", 501)
    assert note.text.startswith(EDIT_NOTE)
    french = ChatRef(1802, first_name="Élise")
    patient = Patient(assistant, chat=french)
    await patient.say("bonjour")
    await patient.command("intake")
    await assistant.handle_text(french, "oui", 502)
    [note] = await assistant.handle_edited_text(french, "oui!", 502)
    assert note.text.startswith("Modifier un message déjà envoyé ne change pas votre formulaire")


async def test_a_photo_whose_caption_was_answered_is_not_called_unread(runtime: Runtime) -> None:
    chat = ChatRef(1803)
    replies = await runtime.assistant.handle_non_text(chat, "how much does ims cost?", 601)
    assert "$" in replies[0].text  # the caption, answered
    assert replies[-1].text.startswith("I read the words you sent with it")
    assert "type your question in words" not in replies[-1].text
    [note] = await runtime.assistant.handle_non_text(chat, None, 602)
    assert note.text.startswith("I can only read text messages")
