"""The Telegram channel through the real PTB Application, with Update JSON like Telegram's."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application

from bot.channels.telegram.application import build_application, channel_of, run_post_init
from bot.core.features import PeriodicJob
from bot.core.replies import Reply
from tests.fakes.recording_request import RecordingRequest
from tests.telegram.channel_kit import (
    LONG_PARAGRAPH,
    PATIENT_CHAT_ID,
    SECRET_COMPLAINT,
    STAFF_CHAT_ID,
    load_update,
    toy_runtime,
)


@pytest.fixture
async def app(tmp_path: Path, transport: RecordingRequest) -> AsyncIterator[Application]:
    """The real PTB Application for the toy runtime, initialised, on the recording transport."""
    application = build_application(toy_runtime(tmp_path), request=transport)
    async with application:
        yield application
    assert transport.api.violations == []


async def feed(app: Application, update: dict[str, Any]) -> None:
    """Dispatch one Update through the Application, as polling would; staff notes sent."""
    await app.process_update(Update.de_json(update, app.bot))
    await channel_of(app).outbound.staff.flush(timeout=10)


def texts(transport: RecordingRequest, method: str = "sendMessage") -> list[str]:
    """The HTML texts the bot sent with `method`."""
    return [r.text for r in transport.sent(method)]


async def test_start_renders_title_escaped_text_and_buttons(
    app: Application, transport: RecordingRequest
) -> None:
    await feed(app, load_update("command_start"))
    [sent] = transport.sent()
    assert sent.chat_id == PATIENT_CHAT_ID
    assert sent.params["parse_mode"] == "HTML"
    assert sent.text == (
        "<b>IMS &lt;Clinic&gt; &amp; Co</b>\n\nHello Maya &lt;friend&gt; &amp; welcome"
    )
    assert sent.buttons == [
        {"text": "Browse topics", "callback_data": "faq:topics"},
        {"text": "Site", "url": "https://x.org"},
    ]
    rows = sent.params["reply_markup"]["inline_keyboard"]
    assert all(len(row) == 1 for row in rows)  # one button per row


async def test_start_payload_reaches_the_command(
    app: Application, transport: RecordingRequest
) -> None:
    await feed(app, load_update("command_start_payload"))
    assert "(link appt-Zx81_k)" in transport.sent()[0].visible_text


async def test_help_and_unknown_command(app: Application, transport: RecordingRequest) -> None:
    await feed(app, load_update("command_help"))
    await feed(app, load_update("command_help", text="/nosuch", message_id=200))
    assert [r.visible_text for r in transport.sent()] == [
        "Ask me about IMS.",
        "I don't know that command. Send /help to see what I can do.",
    ]


async def test_free_text_is_escaped(app: Application, transport: RecordingRequest) -> None:
    patient_text = "<script>alert('x')</script> & <b>bold</b>"
    await feed(app, load_update("text", text=patient_text))
    [sent] = transport.sent()
    assert "<script>" not in sent.text and "<b>bold</b>" not in sent.text
    assert sent.visible_text == f"You said: {patient_text}"


async def test_emergency_beats_other_replies(app: Application, transport: RecordingRequest) -> None:
    await feed(app, load_update("text", text="sudden chest pain and short of breath"))
    assert [r.visible_text for r in transport.sent()] == ["Call 911 now."]


async def test_callback_is_answered_and_edits_the_tapped_message(
    app: Application, transport: RecordingRequest
) -> None:
    # The tapped message exists on "Telegram": the bot sent it earlier.
    await app.bot.send_message(PATIENT_CHAT_ID, "What would you like to know?")
    tapped_id = transport.sent()[0].result["message_id"]
    update = load_update("callback")
    update["callback_query"]["message"]["message_id"] = tapped_id
    await feed(app, update)
    [answer] = transport.sent("answerCallbackQuery")
    assert answer.params["callback_query_id"] == update["callback_query"]["id"]
    [edit] = transport.sent("editMessageText")
    assert edit.params["message_id"] == tapped_id and edit.visible_text == "Topics:"
    assert len(transport.sent()) == 1  # no new message


async def test_edit_refused_falls_back_to_a_new_message(
    app: Application, transport: RecordingRequest
) -> None:
    # Message 105 is unknown to "Telegram": the edit fails with 400 and a new message goes out.
    await feed(app, load_update("callback"))
    assert transport.sent("answerCallbackQuery")
    assert [r.status for r in transport.api.calls("editMessageText")] == [400]
    assert [r.visible_text for r in transport.sent()] == ["Topics:"]


async def test_unknown_button_gets_a_polite_reply(
    app: Application, transport: RecordingRequest
) -> None:
    update = load_update("callback")
    update["callback_query"]["data"] = "gone:7"
    await feed(app, update)
    assert transport.sent("answerCallbackQuery")
    assert "older message" in transport.sent()[0].visible_text


async def test_a_tap_is_answered_in_the_language_of_the_tappers_app(
    app: Application, transport: RecordingRequest
) -> None:
    # A French phone tapping an old button before the chat said anything (or after a
    # restart, which forgets chats' languages): the reply is in French, as for a message.
    update = load_update("callback")
    update["callback_query"]["data"] = "gone:7"
    update["callback_query"]["from"]["language_code"] = "fr-CA"
    await feed(app, update)
    assert transport.sent()[0].visible_text.startswith("Ce bouton vient d'un message")


async def test_staff_command_refused_in_patient_chat(
    app: Application, transport: RecordingRequest
) -> None:
    await feed(app, load_update("command_help", text="/today"))
    assert transport.sent()[0].visible_text == "That command is for clinic staff only."


async def test_staff_chat_is_recognised(app: Application, transport: RecordingRequest) -> None:
    await feed(app, load_update("staff_command"))
    [sent] = transport.sent()
    assert sent.chat_id == STAFF_CHAT_ID and sent.visible_text == "No appointments today."


async def test_command_for_another_bot_is_ignored(
    app: Application, transport: RecordingRequest
) -> None:
    await feed(app, load_update("staff_command", text="/today@other_bot"))
    assert transport.sent() == []


async def test_group_chat_is_ignored(app: Application, transport: RecordingRequest) -> None:
    await feed(app, load_update("group_text"))
    await feed(app, load_update("group_text", text="/start", message_id=56))
    assert transport.sent() == []


@pytest.mark.parametrize("kind", ["photo", "sticker", "voice", "location"])
async def test_non_text_gets_a_polite_reply(
    app: Application, transport: RecordingRequest, kind: str
) -> None:
    await feed(app, load_update(kind, caption=None))
    [sent] = transport.sent()
    assert sent.visible_text.startswith("I can only read text messages")


async def test_a_caption_is_screened_and_answered_like_text(
    app: Application, transport: RecordingRequest
) -> None:
    # A photo of a needle site with its story in the caption: the screen reads the caption
    # (an emergency comes first), then the note that the picture itself is not read.
    await feed(app, load_update("photo", caption="chest pain since the needling"))
    shown = [r.visible_text for r in transport.sent()]
    assert shown[0] == "Call 911 now."
    assert shown[-1].startswith("I read the words you sent with it")


async def test_staff_replies_go_to_staff_chats_only(
    app: Application, transport: RecordingRequest
) -> None:
    await feed(app, load_update("text", text="person"))
    sent = {(r.chat_id, r.visible_text) for r in transport.sent()}
    assert sent == {
        (PATIENT_CHAT_ID, "A person will call you."),
        (STAFF_CHAT_ID, "Patient asks for a call"),
    }


async def test_long_reply_is_split_on_paragraphs(
    app: Application, transport: RecordingRequest
) -> None:
    await feed(app, load_update("text", text="long"))
    parts = transport.sent()
    assert len(parts) >= 2
    assert all(len(r.text) < 4096 for r in parts)
    for part in parts:  # every chunk is whole paragraphs
        assert all(p == LONG_PARAGRAPH for p in part.visible_text.split("\n\n"))
    assert sum(r.visible_text.count(LONG_PARAGRAPH) for r in parts) == 12


async def test_membership_change_is_handled_quietly(
    app: Application, transport: RecordingRequest
) -> None:
    await feed(app, load_update("my_chat_member"))
    assert transport.sent() == []


async def test_error_handler_apologises_without_logging_patient_text(
    app: Application, transport: RecordingRequest, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await feed(app, load_update("text", text="boom"))
    update = load_update("callback")
    update["callback_query"]["data"] = "faq:boom"
    await feed(app, update)
    apologies = [r for r in transport.sent() if r.visible_text.startswith("Sorry, something went")]
    assert len(apologies) == 2
    assert "RuntimeError" in caplog.text and "840001004" in caplog.text
    assert SECRET_COMPLAINT not in caplog.text
    assert "boom" not in caplog.text
    assert "TEST-token" not in caplog.text


async def test_command_menus_set_at_start(tmp_path: Path, transport: RecordingRequest) -> None:
    application = build_application(toy_runtime(tmp_path), request=transport)
    async with application:
        await run_post_init(application)
    calls = transport.sent("setMyCommands")
    scopes = {str(c.params["scope"]["type"]): c.params for c in calls}
    assert [c["command"] for c in scopes["all_private_chats"]["commands"]] == ["start", "help"]
    staff = scopes["chat"]
    assert staff["scope"]["chat_id"] == STAFF_CHAT_ID
    assert [c["command"] for c in staff["commands"]] == ["today", "start", "help"]
    assert transport.api.violations == []


async def test_command_menu_failure_is_not_fatal(
    tmp_path: Path, transport: RecordingRequest, caplog: pytest.LogCaptureFixture
) -> None:
    transport.api.fail_next("setMyCommands", 400, "Bad Request: BOT_COMMAND_INVALID")
    application = build_application(toy_runtime(tmp_path), request=transport)
    async with application:
        await run_post_init(application)  # does not raise
        await feed(application, load_update("command_help"))
    assert "could not set the command menu" in caplog.text
    assert transport.sent()[0].visible_text == "Ask me about IMS."


async def test_startup_tasks_and_periodic_jobs_get_the_outbound(
    tmp_path: Path, transport: RecordingRequest
) -> None:
    runtime = toy_runtime(tmp_path)
    seen: list[object] = []

    async def startup(outbound: Any) -> None:
        seen.append(("startup", outbound))

    async def failing_startup(outbound: Any) -> None:
        raise RuntimeError("reconcile failed")

    async def sweep(outbound: Any) -> None:
        seen.append(("sweep", outbound))
        await outbound.send(PATIENT_CHAT_ID, Reply("Reminder: tomorrow at 9:00"))

    runtime.startup.extend([failing_startup, startup])
    runtime.jobs.append(PeriodicJob("sweep", timedelta(hours=1), sweep))
    application = build_application(runtime, request=transport)
    async with application:
        await run_post_init(application)
        job = application.job_queue.get_jobs_by_name("sweep")[0]  # type: ignore[union-attr]
        assert job.job.id == "periodic:sweep"
        assert job.job.misfire_grace_time is None and job.job.max_instances == 1
        await job.run(application)
    outbound = channel_of(application).outbound
    assert seen == [("startup", outbound), ("sweep", outbound)]
    assert transport.sent()[0].visible_text == "Reminder: tomorrow at 9:00"


async def test_text_typed_in_the_staff_group_is_not_a_patients_message(
    app: Application, transport: RecordingRequest
) -> None:
    await feed(app, load_update("staff_command", text="person"))  # "person" asks for a call
    assert transport.sent() == []
