"""The intake through the real PTB Application and the real runtime (recording transport)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.channels.telegram.application import build_application, channel_of
from bot.config import Settings, load_settings
from bot.runtime import Runtime, build_runtime
from tests.fakes.api_schema import BotApiSchema
from tests.fakes.recording_request import RecordingRequest
from tests.intake.kit import FRENCH_ANSWERS, TEST_KEY, TYPED_ANSWERS, TYPED_PATH, typed_until
from tests.telegram.channel_kit import PATIENT_CHAT_ID, TEST_TOKEN, load_update

STAFF = -1009999  # the staff chat of the shared `settings` fixture


class TelegramPatient:
    """Sends Telegram-shaped updates and taps buttons on what the bot sent."""

    def __init__(self, app: Application, transport: RecordingRequest) -> None:  # type: ignore[type-arg]
        self.app = app
        self.transport = transport
        self.update_id = 900000000

    def _next_id(self) -> int:
        self.update_id += 1
        return self.update_id

    async def feed(self, update: dict[str, Any]) -> None:
        update["update_id"] = self._next_id()
        await self.app.process_update(Update.de_json(update, self.app.bot))
        await channel_of(self.app).outbound.staff.flush(timeout=10)

    async def command(self, text: str) -> None:
        update = load_update("command_help", text=text)
        update["message"]["entities"][0]["length"] = len(text.split()[0])
        await self.feed(update)

    async def say(self, text: str) -> None:
        await self.feed(load_update("text", text=text))

    def to_patient(self) -> list[Any]:
        return [
            r
            for r in self.transport.requests
            if r.ok
            and r.chat_id == PATIENT_CHAT_ID
            and r.method in ("sendMessage", "editMessageText")
        ]

    @property
    def last_text(self) -> str:
        return str(self.to_patient()[-1].visible_text)

    async def tap(self, label: str) -> None:
        for request in reversed(self.to_patient()):
            for button in request.buttons:
                if label.lower() in button["text"].lower():
                    await self.press(button["callback_data"], request)
                    return
        raise AssertionError(f"no button {label!r}; last: {self.last_text[:80]}")

    async def press(self, data: str, request: Any) -> None:
        update = load_update("callback")
        message_id = (request.result or {}).get("message_id") or request.params.get("message_id")
        update["callback_query"]["message"]["message_id"] = message_id
        update["callback_query"]["data"] = data
        await self.feed(update)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The shared settings plus a (fake) bot token, as `ims-bot run` would have."""
    return load_settings(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
            "IMS_DATA_DIR": str(tmp_path / "data"),
            "STAFF_CHAT_IDS": str(STAFF),
            "DATA_ENCRYPTION_KEY": TEST_KEY,
            "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
            # Telegram's one-a-second pace inside a chat is tested in test_pacing.py; here
            # it would only make a 30-question form take half a minute.
            "IMS_SEND_CHAT_PER_SECOND": "1000",
        },
        read_dotenv=False,
    )


@pytest.fixture(scope="module")
def api_schema() -> BotApiSchema:
    return BotApiSchema()


@pytest.fixture
def transport(api_schema: BotApiSchema) -> RecordingRequest:
    return RecordingRequest(schema=api_schema)


@pytest.fixture
async def tg(runtime: Runtime, transport: RecordingRequest) -> AsyncIterator[TelegramPatient]:
    application = build_application(runtime, request=transport)
    async with application:
        yield TelegramPatient(application, transport)
    assert transport.api.violations == []


async def complete_intake(tg: TelegramPatient) -> None:
    await tg.command("/intake")
    for text in TYPED_PATH:
        await tg.say(text)


async def test_complete_intake_on_telegram_sends_summary_to_staff(
    tg: TelegramPatient, transport: RecordingRequest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot")
    await complete_intake(tg)
    assert "Please check your answers" in tg.last_text
    await tg.tap("Send to the clinic")
    assert "sent to the clinic" in tg.last_text
    staff = [r.visible_text for r in transport.sent() if r.chat_id == STAFF]
    assert len(staff) == 1 and "RED FLAGS" in staff[0] and "Burning pain" in staff[0]
    assert all(len(r.params.get("callback_data", "")) <= 64 for r in transport.requests)
    assert "Burning pain" not in caplog.text and "shoulder blade" not in caplog.text


async def test_multi_select_toggle_edits_the_tapped_message(
    tg: TelegramPatient, transport: RecordingRequest
) -> None:
    await tg.command("/intake")
    for text in typed_until("qualities"):
        await tg.say(text)
    assert "Which words describe" in tg.last_text
    await tg.tap("Burning")
    edits = transport.sent("editMessageText")
    assert edits and any(b["text"].startswith("✅ Burning") for b in edits[-1].buttons)
    await tg.tap("Numbness")
    await tg.tap("Done")
    assert "Have you noticed any of these" in tg.last_text


async def test_emergency_tap_and_stale_button_on_telegram(
    tg: TelegramPatient, transport: RecordingRequest
) -> None:
    await tg.command("/intake")
    for text in typed_until("emergency_screen"):
        await tg.say(text)
    chest_request = tg.to_patient()[-1]
    await tg.tap("Chest pain")
    await tg.tap("Done")
    assert any("911" in r.visible_text for r in tg.to_patient()[-3:])
    staff = [r.visible_text for r in transport.sent() if r.chat_id == STAFF]
    assert any("chest_breathing" in text and str(PATIENT_CHAT_ID) in text for text in staff)
    done = next(b for b in chest_request.buttons if b["text"].startswith("Done"))
    await tg.press(done["callback_data"], chest_request)
    assert "no longer open" in tg.last_text


async def test_typed_emergency_mid_intake_stops_it_and_alerts_staff(
    tg: TelegramPatient, transport: RecordingRequest
) -> None:
    await tg.command("/intake")
    await tg.say("yes")
    await tg.say("I suddenly can't control my bladder and my groin is numb")
    staff = [r.visible_text for r in transport.sent() if r.chat_id == STAFF]
    assert any("intake #1" in text and "stopped" in text for text in staff), staff
    assert all("groin" not in text for text in staff)
    await tg.say("42")
    assert "How old" not in tg.last_text  # the intake no longer claims text


async def test_resume_after_restart_with_a_new_application(
    settings: Settings, transport: RecordingRequest
) -> None:
    first = await build_runtime(settings)
    app = build_application(first, request=transport)
    async with app:
        patient = TelegramPatient(app, transport)
        await patient.command("/intake")
        for text in typed_until("pain_now"):
            await patient.say(text)
    await first.close()
    second = await build_runtime(settings)
    app2 = build_application(second, request=transport)
    try:
        async with app2:
            patient = TelegramPatient(app2, transport)
            await patient.command("/intake")
            assert "Continue where you left off" in patient.last_text
            await patient.tap("Continue")
            assert "right now" in patient.last_text
            await patient.say("6")
            assert "at its worst" in patient.last_text
    finally:
        await second.close()


async def test_forget_on_telegram(tg: TelegramPatient) -> None:
    await tg.command("/intake")
    await tg.say("yes")
    await tg.command("/mydata")
    assert "Intake form #1" in tg.last_text
    await tg.command("/forget")
    await tg.tap("Yes, delete everything")
    assert "deleted everything" in tg.last_text
    await tg.command("/mydata")
    assert "Intake form" not in tg.last_text


ONE_WORD_ANSWERS = ["no", "No", "me", "myself", "pain", "yes", "nope", "7", "left", "none"]


async def test_ordinary_one_word_answers_do_not_trigger_the_emergency_screen(
    runtime: Runtime,
) -> None:
    detector = runtime.content.emergency.detector()
    assert [word for word in ONE_WORD_ANSWERS if detector.detect(word) is not None] == []


async def test_invalid_back_skip_faq_urgent_and_edit_on_telegram(
    tg: TelegramPatient, transport: RecordingRequest
) -> None:
    await tg.command("/intake")
    await tg.say("maybe")
    assert "yes or no" in tg.to_patient()[-2].visible_text
    await tg.tap("Yes, I agree")
    await tg.tap("Me, the patient")
    await tg.say("42")
    await tg.say("Sore neck")
    await tg.tap("Neck")
    await tg.tap("Done")
    await tg.tap("More than a year")
    await tg.tap("After an injury")
    await tg.tap("Skip")
    await tg.tap("« Back")
    assert "Briefly, what happened" in tg.last_text and "(skipped)" in tg.last_text
    await tg.say("A fall on the ice")
    for text in ["first time", "it varies", "sitting, done", "heat, done"]:
        await tg.say(text)
    await tg.tap("7")
    await tg.say("how long does a session take?")
    await tg.tap("Back to my intake form")
    assert "at its worst" in tg.last_text
    for text in ["8", "5", "4", "burning, done", "none", "none", "cancer, done"]:
        await tg.say(text)
    assert any("family doctor soon" in r.visible_text for r in tg.to_patient()[-2:])
    for text in ["none", "none", "not at all", "not at all"]:
        await tg.say(text)
    await tg.tap("Skip")  # imaging
    await tg.tap("Skip")  # treatments
    await tg.say("Turn my head when driving")
    await tg.tap("I understand and agree")
    await tg.tap("The patient")
    assert "Please check your answers" in tg.last_text
    await tg.tap("Change 2 to")  # the page of answers 2 to 9 (a phone shows a few buttons)
    await tg.tap("Change 3")
    await tg.say("43")
    assert "3. How old are you? 43" in tg.last_text
    await tg.tap("Send to the clinic")
    [summary] = [r.visible_text for r in transport.sent() if r.chat_id == STAFF]
    assert summary.split("RED FLAGS\n")[1].startswith("- URGENT: History of cancer")


async def test_flow_version_change_mid_intake_on_telegram(
    tmp_path: Path, transport: RecordingRequest
) -> None:
    import shutil

    from tests.intake.kit import REPO

    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    settings = load_settings(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
            "IMS_DATA_DIR": str(tmp_path / "data"),
            "DATA_ENCRYPTION_KEY": TEST_KEY,
            "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
            "CONTENT_DIR": str(content),
            "IMS_SEND_CHAT_PER_SECOND": "1000",  # as in `settings` above
        },
        read_dotenv=False,
    )
    first = await build_runtime(settings)
    try:
        async with build_application(first, request=transport) as app:
            patient = TelegramPatient(app, transport)
            await patient.command("/intake")
            await patient.say("yes")
            await patient.say("me")
            old_age_request = patient.to_patient()[-1]
    finally:
        await first.close()
    flow = content / "intake_flow.yaml"
    flow.write_text(
        flow.read_text(encoding="utf-8")
        .replace('version: "2026.12.3"', 'version: "2027.1.0"')
        .replace("How old are you?", "What is your age in years?"),
        encoding="utf-8",
    )
    second = await build_runtime(settings)
    try:
        async with build_application(second, request=transport) as app:
            patient = TelegramPatient(app, transport)
            await patient.say("42")  # the intake goes on, on the version it started with
            assert "main problem" in patient.last_text
            await patient.press("intake:o:1:1:0", old_age_request)  # an old button
            assert "moved on" in patient.to_patient()[-2].visible_text
            await patient.command("/intake")
            assert "updated the form" in patient.last_text
            await patient.tap("Start over")
            await patient.tap("Yes, I agree")
            await patient.tap("Me, the patient")
            assert "What is your age in years?" in patient.last_text
    finally:
        await second.close()


class FrenchTelegramPatient(TelegramPatient):
    """A patient whose Telegram app is set to French."""

    async def feed(self, update: dict[str, Any]) -> None:
        for key in ("message", "callback_query"):
            if key in update and "from" in update[key]:
                update[key]["from"]["language_code"] = "fr"
        await super().feed(update)


async def test_a_french_patient_completes_the_form_in_french_on_telegram(
    runtime: Runtime, transport: RecordingRequest
) -> None:
    application = build_application(runtime, request=transport)
    async with application:
        tg = FrenchTelegramPatient(application, transport)
        await tg.command("/intake")
        assert "Acceptez-vous de transmettre vos réponses" in tg.last_text
        await tg.tap("Oui, j'accepte")
        for text in list(FRENCH_ANSWERS.values())[1:]:
            await tg.say(text)
        assert "Vérifiez vos réponses" in tg.last_text
        await tg.tap("Envoyer à la clinique")
        assert "Merci, votre formulaire est rempli" in tg.last_text
    assert transport.api.violations == []
    staff = [r.visible_text for r in transport.sent() if r.chat_id == STAFF]
    assert len(staff) == 1 and "Answered in French" in staff[0]
    assert "Neck, Shoulder blade (left, worst)" in staff[0]


async def test_a_double_tap_on_send_sends_the_form_once_and_says_it_was_sent(
    tg: TelegramPatient, transport: RecordingRequest
) -> None:
    """Two taps on "Send to the clinic" arriving together: one summary for staff, and the
    second tap (like any later tap on the sent form's buttons) hears it was sent already."""
    await complete_intake(tg)
    review = tg.to_patient()[-1]
    send = next(b for b in review.buttons if "Send to the clinic" in b["text"])
    await asyncio.gather(*(tg.press(send["callback_data"], review) for _ in range(2)))
    staff = [r.visible_text for r in transport.sent() if r.chat_id == STAFF]
    assert len(staff) == 1 and "New intake form" in staff[0]
    replies = [r.visible_text for r in tg.to_patient()[-2:]]
    assert sum("sent to the clinic" in text for text in replies) == 2, replies
    assert sum("already sent" in text for text in replies) == 1, replies
    assert all("no longer open" not in text for text in replies)
    back = next(b for b in review.buttons if "Change" in b["text"])
    await tg.press(back["callback_data"], review)
    assert "already sent" in tg.last_text
    assert len([r for r in transport.sent() if r.chat_id == STAFF]) == 1


@pytest.mark.parametrize(
    ("step", "wish"),
    [
        ("pain_now", "talk to a person"),  # a 0-10 rating refused it as a bad number
        ("age", "I want to talk to a human"),
        ("complaint", "I'd like to speak to a real person please"),  # kept as the answer
        ("regions", "can I speak to someone"),
    ],
)
async def test_the_wish_for_a_person_is_heard_at_every_step_and_the_form_waits(
    tg: TelegramPatient, transport: RecordingRequest, step: str, wish: str
) -> None:
    await tg.command("/intake")
    for text in typed_until(step):
        await tg.say(text)
    question = tg.last_text
    await tg.say(wish)
    replies = [r.visible_text for r in tg.to_patient()[-2:]]
    assert "not a person: to reach the team" in replies[0], replies
    assert "Please give" not in replies[0] and "waiting where you left it" in replies[1]
    await tg.tap("Talk to a person")
    staff = [r.visible_text for r in transport.sent() if r.chat_id == STAFF]
    assert len(staff) == 1 and "asked to talk to someone" in staff[0]
    await tg.tap("Back to my intake form")
    assert tg.last_text.split("\n\n")[-1] == question.split("\n\n")[-1]
    await tg.say(TYPED_ANSWERS[step])
    assert tg.last_text != question  # the step took its answer and the form went on


async def test_a_side_question_the_faq_cannot_answer_is_not_said_to_be_passed_on(
    tg: TelegramPatient, transport: RecordingRequest, runtime: Runtime
) -> None:
    """Mid-form, a question the FAQ cannot answer is not kept for the clinic (it may be part
    of the patient's health story, which belongs in the encrypted form): the reply says
    how to reach the clinic and never that the question was passed on."""
    assert runtime.faq is not None
    await tg.command("/intake")
    for text in typed_until("age"):
        await tg.say(text)
    await tg.say("what is the wifi password?")
    answer, waiting = (r.visible_text for r in tg.to_patient()[-2:])
    assert "I don't know" in answer and runtime.content.clinic.phone in answer
    assert "passed" not in answer and "waiting where you left it" in waiting
    assert await runtime.faq.describe_chat(PATIENT_CHAT_ID) == []
    assert [r for r in transport.sent() if r.chat_id == STAFF] == []
    await tg.tap("Back to my intake form")
    await tg.say("42")
    assert "main problem" in tg.last_text
    # With the form stopped for now, the same question is kept, and the reply says so.
    await tg.say("stop")
    await tg.say("yes")
    await tg.say("what is the wifi password?")
    assert "passed the question on" in tg.to_patient()[-1].visible_text
    assert len(await runtime.faq.describe_chat(PATIENT_CHAT_ID)) == 1
