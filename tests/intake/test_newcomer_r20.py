"""Intake faults a newcomer found in round 20: a photo or sticker sent in the middle of the
form left the patient without a way back to it."""

from __future__ import annotations

from tests.intake.kit import Patient


async def _sent_a_sticker(patient: Patient, caption: str | None = None) -> None:
    patient.last = await patient.assistant.handle_non_text(patient.chat, caption, kind="sticker")


async def test_a_sticker_in_the_middle_of_the_form_gets_the_way_back_to_it(
    patient: Patient,
) -> None:
    await patient.start_and_answer_until("complaint")
    asked = patient.text
    await _sent_a_sticker(patient)
    assert patient.last[0].text.startswith("I can only read text messages")
    assert "intake form is waiting" in patient.last[-1].text
    await patient.tap("Back to my intake form")
    assert asked.split("\n")[0] in patient.text  # the same question again


async def test_a_photo_with_no_form_open_gets_only_the_note(patient: Patient) -> None:
    await _sent_a_sticker(patient)
    [note] = patient.last
    assert "form" not in note.text and not note.buttons


async def test_a_photo_while_the_form_is_stopped_for_now_offers_no_way_back(
    patient: Patient,
) -> None:
    await patient.start_and_answer_until("complaint")
    await patient.say("I don't want to do this anymore")
    await patient.say("yes")
    assert "answers so far are kept" in patient.text
    await _sent_a_sticker(patient)
    [note] = patient.last
    assert "form is waiting" not in note.text and not note.buttons


async def test_a_captioned_photo_at_a_question_gives_the_caption_to_the_form(
    patient: Patient,
) -> None:
    await patient.start_and_answer_until("complaint")
    await _sent_a_sticker(patient, "how much does it cost?")
    # The form read the caption and asked about it: its buttons are the way on.
    assert "Is that your answer to this question" in patient.last[0].text
    assert patient.last[-1].text.startswith("I read the words you sent with it")
    assert all("form is waiting" not in reply.text for reply in patient.last)
