"""Scripted intakes through the core Assistant on a real SQLite file."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.assistant import Assistant, ChatRef
from bot.core.replies import Reply
from bot.intake.conversation import IntakeConversation
from bot.intake.engine import REVIEW, Status
from bot.intake.flow_file import load_flow_file
from bot.intake.repository import IntakeRepository
from bot.storage.database import Database
from tests.intake.kit import (
    PATIENT,
    SHIPPED_FLOW,
    TYPED_PATH,
    Patient,
    RecordingFaq,
    build_conversation,
    typed_path,
    typed_until,
)


async def start(patient: Patient) -> None:
    await patient.command("intake")
    assert "ten minutes" in patient.text
    assert "Question 1 of" in patient.text and "agree" in patient.text


async def answer_typed(patient: Patient, answers: list[str]) -> None:
    for text in answers:
        replies = await patient.say(text)
        assert replies, f"no reply to {text!r}"
        # A hint is a plain message; every question screen carries the form's title.
        assert replies[0].title is not None, (text, patient.text)


async def test_complete_intake_typed_then_submitted_with_summary_to_staff(
    patient: Patient, repository: IntakeRepository
) -> None:
    await start(patient)
    await answer_typed(patient, TYPED_PATH)
    assert "Please check your answers" in patient.text
    assert "Shoulder blade (left, worst)" in patient.text
    await patient.tap("Send to the clinic")
    assert "sent to the clinic" in patient.text
    [note] = patient.staff
    assert "RED FLAGS\n- none reported" in note.text
    assert note.text.index("NEEDLING SAFETY") < note.text.index("PAIN MAP")
    assert "Burning pain in my left shoulder blade" in note.text
    [stored] = await repository.all()
    assert stored.status is Status.SUBMITTED and stored.summary is not None
    assert stored.state.answers["pain_now"] == 7


async def test_buttons_for_every_step_type_and_progress_counts_only_certain_questions(
    patient: Patient,
) -> None:
    await start(patient)
    total = int(patient.text.split("Question 1 of ")[1].split()[0])
    await patient.tap("Yes, I agree")
    await patient.tap("Me, the patient")
    await patient.say("30")
    await patient.say("My back")
    await patient.tap("Lower back")  # multi toggle edits the message in place
    assert patient.last[0].replace_previous and "✅ Lower back" in [
        b.label for b in patient.last[0].buttons
    ]
    await patient.tap("Knee")
    await patient.tap("Done")
    assert "Which side is the knee pain on" in patient.text
    await patient.tap("Both sides")
    assert "bothers you most" in patient.text
    await patient.tap("Knee")
    await patient.tap("6 to 12 weeks")  # date or duration
    await patient.tap("After an injury")  # single; opens a follow-up
    # A follow-up is not counted: the total never changes as answers open follow-ups.
    assert f"Follow-up to question 7 of {total}" in patient.text
    await patient.tap("Skip")  # optional follow-up
    await patient.tap("No, this is the first time")
    await patient.tap("It varies")
    await patient.tap("Nothing in particular")  # "none of these" on an untouched screen: 1 tap
    assert "What eases the pain" in patient.text
    await patient.tap("Heat")
    await patient.tap("Done")
    await patient.tap("7")  # scale
    assert "Question" in patient.text and "at its worst" in patient.text


async def test_invalid_input_on_each_type_gets_a_hint_and_the_same_question(
    patient: Patient, repository: IntakeRepository
) -> None:
    await start(patient)
    await patient.say("maybe")
    assert "yes or no" in patient.last[0].text and "agree" in patient.last[1].text
    await patient.say("yes")
    await patient.say("me")
    await patient.say("two hundred")
    assert "number between 1 and 120" in patient.last[0].text
    await patient.say("130")
    assert "out of range" in patient.last[0].text
    await patient.say("42")
    await patient.say("x" * 700)
    assert "under 600" in patient.last[0].text
    await patient.say("Sore neck")
    await patient.say("elbw, kneee, spleen")
    assert "could not match 'spleen'" in patient.last[0].text
    assert "Selected: Elbow, Knee" in patient.last[1].text  # what matched is kept
    await patient.say("neck, done")
    await answer_typed(patient, ["left", "both", "knee"])  # sides, then the worst
    await patient.say("yesterday-ish")
    assert "about 8 months" in patient.last[0].text
    await patient.say("2999-01-01")
    assert "future" in patient.last[0].text
    await patient.say("March 2025")
    await patient.say("sideways")
    assert "number or name of one option" in patient.last[0].text
    await patient.say("2")
    await answer_typed(patient, ["first time", "it varies", "sitting, done", "heat, done"])
    await patient.say("11/10")
    assert "from 0 to 10" in patient.last[0].text
    stored = await repository.latest_open(PATIENT)
    assert stored is not None
    assert stored.state.answers["duration"] == {"date": "2025-03-01", "option": "over_1_year"}
    assert stored.state.answers["onset"] == "gradual"
    assert stored.state.answers["age"] == 42  # nothing answered was lost


async def test_back_and_edit_from_review_asks_only_new_questions(patient: Patient) -> None:
    await start(patient)
    now = len(typed_until("pain_worst"))
    await answer_typed(patient, TYPED_PATH[:now])  # up to pain now
    await patient.tap("Back")
    assert "right now" in patient.text and "Your answer so far: 7/10" in patient.text
    await patient.tap("Back")
    assert "What eases the pain" in patient.text
    await patient.say("heat, rest, done")
    assert "at its worst" in patient.text  # back where we were, nothing asked twice
    await answer_typed(patient, TYPED_PATH[now:])
    assert "Please check your answers" in patient.text
    lines = patient.last[-1].text.splitlines()
    number = next(line.split(".")[0] for line in lines if "Which of these apply" in line)
    await patient.change(number)
    await patient.tap("Blood thinners")
    await patient.tap("None of these")  # exclusive: clears the others
    await patient.tap("Blood thinners")  # and the other way round
    await patient.tap("Done")
    assert "Anticoagulants are for example" in patient.text
    await patient.say("anticoagulant, done")
    assert "Please check your answers" in patient.text and "An anticoagulant" in patient.text


async def test_urgent_answer_continues_and_is_first_in_the_summary(patient: Patient) -> None:
    await start(patient)
    path = typed_path(urgent_screen="cancer, done")
    urgent = len(typed_until("urgent_screen"))
    await answer_typed(patient, path[: urgent + 1])
    assert "family doctor soon" in patient.last[0].text
    assert "every medicine" in patient.last[-1].text  # the form goes on
    await answer_typed(patient, path[urgent + 1 :])
    await patient.tap("Send to the clinic")
    note = patient.staff[0].text
    assert note.split("RED FLAGS\n")[1].startswith("- URGENT: History of cancer")


async def test_emergency_button_answer_stops_and_alerts_staff(
    patient: Patient, repository: IntakeRepository
) -> None:
    await start(patient)
    await answer_typed(patient, typed_until("emergency_screen"))
    await patient.tap("Bladder/bowel trouble")
    await patient.tap("Done")
    assert "911" in patient.text and "stopped the intake" in patient.text
    [alert] = patient.staff
    assert str(PATIENT) in alert.text and "cauda_equina" in alert.text
    assert "Burning pain" not in alert.text  # never the patient's words
    [stored] = await repository.all()
    assert stored.status is Status.STOPPED_EMERGENCY
    assert stored.state.answers["complaint"]  # answers so far are kept
    await patient.say("hello?")  # no longer claimed by the intake
    assert patient.last == []
    await patient.command("mydata")
    assert f"Intake form #{stored.id}: stopped (emergency), started" in patient.text


async def test_emergency_typed_anywhere_stops_the_intake(
    wired: tuple[Assistant, IntakeConversation], patient: Patient, repository: IntakeRepository
) -> None:
    await start(patient)
    told, alert = await wired[1].on_emergency(patient.chat, "cauda_equina_bladder_bowel")
    assert "stopped the intake form" in told.text and not told.for_staff
    assert "rule cauda_equina_bladder_bowel" in alert.text and alert.for_staff
    [stored] = await repository.all()
    assert stored.status is Status.STOPPED_EMERGENCY
    assert stored.state.emergency_rule == "cauda_equina_bladder_bowel"
    assert await wired[1].on_emergency(patient.chat, "x") == []


async def test_stale_button_says_moved_on_and_shows_the_current_question(patient: Patient) -> None:
    await start(patient)
    old_yes = patient.button("Yes, I agree")
    await patient.press(old_yes)
    await patient.say("me")
    await patient.say("42")
    await patient.press(old_yes)
    assert "moved on" in patient.last[0].text
    assert "main problem" in patient.last[1].text
    await patient.press("intake:o:999:1:0")  # another session's button
    assert "moved on" in patient.last[0].text
    await patient.press("intake:garbage")
    assert "moved on" in patient.last[0].text


async def test_faq_question_mid_intake_then_back_to_the_form(
    patient: Patient, faq: RecordingFaq
) -> None:
    await start(patient)
    await patient.say("yes")
    await patient.say("me")
    await patient.say("42")
    await patient.say("What does IMS cost?")  # a free-text step: answer, or question?
    assert faq.questions == [] and "or a question" in patient.text
    await patient.tap("It's a question")
    assert faq.questions == ["What does IMS cost?"]
    assert patient.last[0].text.startswith("FAQ answer")
    assert "main problem" in patient.last[-1].text  # the step asked again
    await patient.say("Burning pain in my shoulder blade")
    await patient.say("neck, done")
    await patient.say("how long does a session take?")
    assert faq.questions[-1] == "how long does a session take?"
    assert patient.last[0].text.startswith("FAQ answer")
    await patient.tap("Back to my intake form")
    assert "How long have you had this pain" in patient.text


async def test_resume_after_restart_continue_or_start_over(
    database: Database, repository: IntakeRepository, tmp_path: Path
) -> None:
    assistant, _ = build_conversation(database, repository)
    first = Patient(assistant)
    await start(first)
    await answer_typed(first, typed_until("regions_worst"))
    # A new process: new engine, repository and conversation on the same SQLite file.
    from bot.storage.database import open_database
    from bot.storage.encryption import FieldCipher
    from tests.intake.kit import TEST_KEY

    db2 = await open_database(database.url)
    try:
        assistant2, _ = build_conversation(
            db2, IntakeRepository(db2, FieldCipher(TEST_KEY.encode()))
        )
        again = Patient(assistant2)
        await again.command("intake")
        assert "Continue where you left off" in again.text and "question 5 of" in again.text
        await again.tap("Continue")
        # Even the half-finished body-map step resumes at the same sub-question.
        assert "Which of these areas bothers you most" in again.text
        await again.command("intake")
        await again.tap("Start over")
        assert "ten minutes" in again.text
        statuses = sorted(
            i.status.value
            for i in await IntakeRepository(db2, FieldCipher(TEST_KEY.encode())).all()
        )
        assert statuses == ["abandoned", "in_progress"]
    finally:
        await db2.close()


async def test_flow_version_change_mid_intake_keeps_the_old_version(
    database: Database, repository: IntakeRepository, tmp_path: Path
) -> None:
    assistant, _ = build_conversation(database, repository)
    old = Patient(assistant)
    await start(old)
    await old.say("yes")
    await old.say("me")
    await old.say("42")
    changed = tmp_path / "intake_flow.yaml"
    text = SHIPPED_FLOW.read_text(encoding="utf-8")
    text = text.replace('version: "2026.12.3"', 'version: "2026.12.9"').replace(
        "In your own words, what is the main problem", "Tell us the main problem"
    )
    changed.write_text(text, encoding="utf-8")
    assistant2, _ = build_conversation(database, repository, load_flow_file(changed))
    new = Patient(assistant2)
    await new.command("intake")
    assert "updated the form" in new.text
    await new.tap("Continue")
    assert "In your own words" in new.text  # still the version they started
    await new.say("Sore hip")
    stored = await repository.latest_open(PATIENT)
    assert stored is not None and stored.flow_version == "2026.12.3"
    await new.command("intake")
    await new.tap("Start over")
    await new.say("yes")
    await new.say("me")
    await new.say("50")
    assert "Tell us the main problem" in new.text


async def test_decline_consent_saves_nothing(
    patient: Patient, repository: IntakeRepository
) -> None:
    await start(patient)
    await patient.tap("No")
    assert "nothing has been saved" in patient.text
    assert await repository.all() == []


async def test_mydata_and_forget_with_confirmation(
    patient: Patient, repository: IntakeRepository
) -> None:
    await patient.command("mydata")
    assert "no personal data" in patient.text
    await start(patient)
    await answer_typed(patient, typed_until("complaint"))
    await patient.command("mydata")
    assert "Intake form #1: in progress" in patient.text and "3 answers" in patient.text
    await patient.command("forget")
    await patient.tap("No, keep it")
    assert "Nothing was deleted" in patient.text and len(await repository.all()) == 1
    await patient.command("forget")
    await patient.tap("Yes, delete everything")
    assert "(1 record)." in patient.text
    assert await repository.all() == []
    await patient.say("hello")
    assert patient.last == []  # nothing open any more


async def test_abandoned_after_the_configured_idle_time(
    database: Database, repository: IntakeRepository
) -> None:
    now = [datetime(2026, 11, 1, tzinfo=UTC)]
    repo = IntakeRepository(database, repository._cipher, clock=lambda: now[0])
    assistant, conversation = build_conversation(
        database, repo, abandon_after=timedelta(days=14), clock=lambda: now[0]
    )
    patient = Patient(assistant)
    await start(patient)
    now[0] += timedelta(days=13)
    await patient.say("yes")  # after a long pause: where were we?
    assert "Continue where you left off" in patient.text
    await patient.tap("Continue")
    await patient.say("yes")
    assert "Question 2" in patient.text
    now[0] += timedelta(days=15)
    await patient.say("42")
    assert patient.last == []  # the stale intake is abandoned and no longer claims text
    [stored] = await repo.all()
    assert stored.status is Status.ABANDONED
    assert await conversation.sweep_abandoned() == 0


async def test_answers_are_encrypted_at_rest(patient: Patient, database: Database) -> None:
    await start(patient)
    await answer_typed(patient, typed_until("complaint"))
    path = database.url.split("///", 1)[1]
    await database.engine.dispose()
    raw = b"".join(Path(p).read_bytes() for p in (path, path + "-wal") if Path(p).exists())
    assert b"in my left shoulder" not in raw and b"Burning pain" not in raw
    with sqlite3.connect(path) as conn:
        (status,) = conn.execute("select status from intake_sessions").fetchone()
    assert status == "in_progress"


async def test_review_typed_submit_and_current_is_review(
    patient: Patient, repository: IntakeRepository
) -> None:
    await start(patient)
    await answer_typed(patient, TYPED_PATH)
    stored = await repository.latest_open(PATIENT)
    assert stored is not None and stored.state.current == REVIEW
    await patient.say("what happens next?")
    assert patient.last[0].text.startswith("FAQ answer")
    await patient.say("send")
    assert "sent to the clinic" in patient.text


async def test_started_from_an_appointment_greeting_names_it_in_the_summary(
    patient: Patient, repository: IntakeRepository, wired: tuple[Assistant, IntakeConversation]
) -> None:
    async def owns(chat_id: int, ref: str) -> bool:
        return ref == "APPT-77" and chat_id == patient.chat.chat_id

    wired[1].appointment_owner = owns
    await patient.press("intake:start:APPT-77")
    await answer_typed(patient, TYPED_PATH)
    await patient.tap("Send to the clinic")
    assert "Appointment: APPT-77" in patient.staff[0].text
    [stored] = await repository.all()
    assert stored.appointment_ref == "APPT-77"


async def test_group_chats_are_told_to_use_a_private_chat(
    wired: tuple[Assistant, IntakeConversation], repository: IntakeRepository
) -> None:
    from bot.core.assistant import ChatRef

    group = Patient(wired[0], chat=ChatRef(-100123, is_private=False))
    await group.command("intake")
    assert "private chat" in group.text
    assert await repository.all() == []


async def test_a_side_question_after_a_long_pause_is_still_answered(
    database: Database, repository: IntakeRepository, faq: RecordingFaq
) -> None:
    now = [datetime(2026, 11, 1, tzinfo=UTC)]
    repo = IntakeRepository(database, repository._cipher, clock=lambda: now[0])
    assistant, _ = build_conversation(database, repo, faq=faq, clock=lambda: now[0])
    patient = Patient(assistant)
    await start(patient)
    now[0] += timedelta(days=2)
    await patient.say("is IMS safe during pregnancy?")
    assert faq.questions == ["is IMS safe during pregnancy?"]
    await patient.tap("Back to my intake form")
    assert "agree" in patient.text


async def test_intakes_stored_with_another_key_do_not_break_the_chat(
    database: Database, repository: IntakeRepository, patient: Patient
) -> None:
    from bot.storage.encryption import FieldCipher, new_key

    await start(patient)
    other = IntakeRepository(database, FieldCipher(new_key().encode()))
    assistant, _ = build_conversation(database, other)
    stranger = Patient(assistant)
    await stranger.say("yes")
    assert stranger.last == []  # not claimed: the FAQ would answer instead
    await stranger.command("mydata")
    assert "another encryption key" in stranger.text
    await stranger.command("forget")
    await stranger.tap("Yes, delete everything")
    assert await repository.all() == []


async def test_intake_after_a_sent_form_says_when_it_was_sent_and_starts_a_new_one_only_when_asked(
    database: Database, repository: IntakeRepository
) -> None:
    toronto = ZoneInfo("America/Toronto")  # the clinic's zone, not the machine's (UTC)
    assistant, _ = build_conversation(database, repository, tz=toronto)
    patient = Patient(assistant)
    await start(patient)
    await answer_typed(patient, TYPED_PATH)
    await patient.tap("Send to the clinic")
    [sent] = await repository.all()
    assert sent.submitted_at is not None
    local = sent.submitted_at.astimezone(toronto)
    when = f"{local:%A} {local.day} {local:%B %Y} at {local.hour}:{local:%M}"
    for again in (patient.command("intake"), patient.press("intake:start")):  # menu button too
        await again
        assert f"already sent your intake form, on {when} (clinic time)" in patient.text
        assert len(await repository.all()) == 1  # no second form started silently
    await patient.tap("See what you keep")
    assert "Intake form #1: sent" in patient.text
    await patient.command("intake")
    await patient.tap("Start a new form")
    assert "Question 1 of" in patient.text
    first, second = await repository.all()
    assert first.status is Status.SUBMITTED and second.status is Status.IN_PROGRESS
    await patient.command("intake")  # the new, half-done form is offered where it stopped
    assert "unfinished intake form" in patient.text


async def test_a_french_chat_hears_in_french_when_its_form_was_sent(
    database: Database, repository: IntakeRepository
) -> None:
    assistant, _ = build_conversation(database, repository, tz=ZoneInfo("America/Toronto"))
    patient = Patient(assistant)
    await start(patient)
    await answer_typed(patient, TYPED_PATH)
    await patient.tap("Send to the clinic")
    french = Patient(assistant, chat=replace(patient.chat, language_code="fr-CA"))
    await french.command("intake")
    assert "déjà envoyé votre formulaire d'accueil, le " in french.text
    assert "(heure de la clinique)" in french.text
    await french.tap("Commencer un nouveau formulaire")
    [_, new] = await repository.all()
    assert new.state.language == "fr"


class _EmergencyFaq:
    """An FAQ whose fallback read the side question as an emergency (the second opinion)."""

    async def answer(self, chat: ChatRef, text: str) -> list[Reply]:
        return [Reply("Call 911 now.", title="Emergency", safety_tier="emergency")]


async def test_side_question_answered_with_the_emergency_reply_stops_the_form(
    database: Database, repository: IntakeRepository
) -> None:
    assistant, _ = build_conversation(database, repository, faq=_EmergencyFaq())
    patient = Patient(assistant)
    await start(patient)
    await patient.say("yes")
    await patient.say("me")
    await patient.say("42")
    await patient.say("is it normal that I feel like this since this morning?")
    await patient.tap("It's a question")
    assert patient.last[0].safety_tier == "emergency"
    assert "stopped the intake form" in patient.text
    assert "main problem" not in patient.text  # no next question under the 911 reply
    assert any("side_question" in reply.text for reply in patient.staff)
    [stored] = await repository.all()
    assert stored.status is Status.STOPPED_EMERGENCY
