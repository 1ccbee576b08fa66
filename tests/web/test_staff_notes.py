"""The staff-chat policy: with the console on, notes carry no answers and no patient words;
without it, today's notes stay."""

from __future__ import annotations

from bot.core.assistant import ChatRef
from bot.core.replies import Reply
from bot.intake.repository import IntakeRepository
from bot.runtime import Runtime
from bot.storage.encryption import load_cipher
from tests.intake.kit import TYPED_PATH, Patient, typed_until
from tests.web.conftest import BASE
from tests.web.kit import HOSTILE_COMPLAINT, complete_intake


def staff_texts(replies: list[Reply]) -> list[str]:
    return [f"{reply.title}\n{reply.text}" for reply in replies if reply.for_staff]


async def stored_answers(runtime: Runtime) -> list[str]:
    """Every answer as the summary shows it (what must never reach the staff chat)."""
    repository = IntakeRepository(runtime.database, load_cipher(runtime.settings))
    found = []
    for intake in await repository.all():
        for section in (intake.summary or {}).get("sections", []):
            found.extend(item["answer"] for item in section["items"])
    return found


async def test_with_the_console_on_an_intake_note_is_a_number_flags_and_a_link(
    console_runtime: Runtime,
) -> None:
    replies = await complete_intake(
        console_runtime, 2001, urgent=True, contraindication=True, complaint=HOSTILE_COMPLAINT
    )
    [note] = staff_texts(replies)
    assert "New intake #1 — 1 red flag — " + f"{BASE}/intakes/1" in note
    answers = await stored_answers(console_runtime)
    assert len(answers) > 15
    for answer in answers:
        assert answer not in note, answer
    for typed in TYPED_PATH:
        if len(typed) > 4:
            assert typed.lower() not in note.lower(), typed
    assert "Burning" not in note and "cancer" not in note.lower()


async def test_with_the_console_on_emergencies_name_the_rule_and_chat_only(
    console_runtime: Runtime,
) -> None:
    patient = Patient(console_runtime.assistant, chat=ChatRef(2002, first_name="Maya"))
    await patient.command("intake")
    for text in typed_until("emergency_screen"):  # up to the emergency screen
        await patient.say(text)
    words = "I suddenly can't feel my legs and I wet myself"
    replies = await patient.say(words)
    notes = staff_texts(replies)
    assert notes, [r.text for r in replies]
    for note in notes:
        assert "2002" in note and "cauda_equina" in note  # the chat and the rule's id
        assert "legs" not in note and "wet" not in note
        assert "Burning" not in note


async def test_with_the_console_on_an_emergency_answer_names_the_flag_not_its_label(
    console_runtime: Runtime,
) -> None:
    patient = Patient(console_runtime.assistant, chat=ChatRef(2003))
    await patient.command("intake")
    for text in typed_until("emergency_screen"):  # up to the emergency screen
        await patient.say(text)
    await patient.tap("Bladder/bowel trouble")
    replies = await patient.tap("Done")
    [note] = staff_texts(replies)
    assert "cauda_equina" in note and "2003" in note and f"{BASE}/intakes/1" in note
    assert "bladder" not in note.lower()


async def test_with_the_console_on_a_contact_request_links_to_the_console(
    console_runtime: Runtime,
) -> None:
    replies = await console_runtime.assistant.handle_command(
        ChatRef(2004, first_name="Maya"), "contact"
    )
    [note] = staff_texts(replies)
    assert "2004" in note and f"{BASE}/events" in note and "Maya" not in note


async def test_without_the_console_the_staff_chat_gets_the_summary_as_before(
    runtime: Runtime,
) -> None:
    assert not runtime.settings.console.enabled
    replies = await complete_intake(runtime, 2005, urgent=True)
    [note] = staff_texts(replies)
    assert "RED FLAGS\n- URGENT: History of cancer" in note
    assert "Burning pain in my left shoulder blade" in note
    contact = await runtime.assistant.handle_command(ChatRef(2006, first_name="Maya"), "contact")
    assert "(Maya) asked to talk to someone" in staff_texts(contact)[0]


async def test_with_the_console_on_consent_notes_are_a_number_and_a_link(
    console_runtime: Runtime,
) -> None:
    patient = Patient(console_runtime.assistant, chat=ChatRef(2007, first_name="Maya"))
    await patient.command("intake")
    for text in typed_until("treatment_consent"):
        await patient.say(text)
    await patient.tap("I have questions first")
    notes = staff_texts(await patient.tap("The patient"))
    notes += staff_texts(await patient.tap("Send to the clinic"))
    assert len(notes) == 2, notes  # the consent note, then the form's
    for note in notes[:1]:
        assert "Consent to treatment" in note and f"{BASE}/intakes/1" in note
        assert "questions about" not in note and "No to consent" not in note, note
        assert "Maya" not in note and "Burning" not in note
