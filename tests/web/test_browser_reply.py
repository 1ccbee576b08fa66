"""The Alerts page in a real headless Chromium: the front desk sees an emergency's linked
appointment and writes to the patient; `ims-bot web` sends it through the (fake) Bot API
as from the clinic team, through the one pacing and retry layer; the patient's answer
shows under the alert, and the front desk ends the conversation."""

from __future__ import annotations

import asyncio
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.core.assistant import ChatRef
from bot.reminders.feature import build_reminders
from bot.reminders.model import AppointmentInput
from bot.runtime import build_runtime
from bot.web.accounts import Role, StaffAccounts
from tests.fakes.bot_api_server import FakeBotApiServer
from tests.web.kit import console_environment, make_account, served_console
from tests.web.test_browser import CHROMIUM, CHROMIUM_ARGS, TABLET, sign_in_page

DESK = "desk@clinic.example"
PATIENT = 6101
WORDS = "Hello, this is the clinic. Please call us when you can <b>today</b>."
ANSWER = "I will call after lunch, thank you <i>so</i> much"


async def seed(env: dict[str, str]) -> None:
    """An emergency in a chat linked to appointment BK-3301, and a front-desk account."""
    runtime = await build_runtime(load_settings(env, read_dotenv=False))
    try:
        reminders = build_reminders(runtime.settings, runtime.content, runtime.database)
        now = datetime.now(UTC)
        appointment, _ = await reminders.repository.save(
            AppointmentInput("BK-3301", now + timedelta(hours=5), "ims_treatment"), now
        )
        token = await reminders.repository.create_link(appointment.id, now)
        await reminders.repository.redeem_link(token, PATIENT, now)
        await runtime.assistant.handle_text(ChatRef(PATIENT), "crushing chest pain right now")
        await make_account(StaffAccounts(runtime.database), DESK, Role.FRONT_DESK)
    finally:
        await runtime.close()


@pytest.mark.e2e
def test_the_front_desk_writes_to_the_patient_of_an_alert_in_chromium(
    fake_api: FakeBotApiServer, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does this)")
    env = console_environment(tmp_path)
    env.update(
        TELEGRAM_BOT_TOKEN="123456:console-reply-token-abcdefghijk",
        TELEGRAM_API_BASE_URL=fake_api.base_url,
    )
    asyncio.run(seed(env))
    with served_console(env, tmp_path) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=TABLET, base_url=base)
            sign_in_page(page, DESK, "/appointments")
            page.goto("/events")
            row = page.locator("tr#alert-1")
            assert "BK-3301" in row.inner_text() and "chest_pain" in row.inner_text()
            page.get_by_label("Message for alert #1").fill(WORDS)
            # Telegram asks to slow down once: the console run alone sends through the same
            # pacing and retry layer as the bot, so it waits and sends (it used to give up).
            fake_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", 1)
            page.get_by_role("button", name="Send to the patient").click()
            page.wait_for_selector("text=Sent to the patient of alert #1")
            # The patient answers (the bot process takes it); the thread shows under the alert.
            # (On its own thread: Playwright's sync API holds this one's event loop.)
            with ThreadPoolExecutor(1) as pool:
                pool.submit(asyncio.run, patient_says(env, ANSWER)).result()
            page.goto("/events")
            thread = page.locator("tr#thread-1")
            assert ANSWER in thread.inner_text() and WORDS in thread.inner_text()
            thread.get_by_role("button", name="End the conversation").click()
            page.wait_for_selector("text=The conversation with the patient of alert #1 is closed")
            assert page.locator("tr#thread-1").get_by_role("button").count() == 0
        finally:
            browser.close()
    sent, notice, ended = fake_api.sent_to(PATIENT)
    assert sent.visible_text == f"Message from the clinic team\n\n{WORDS}"
    assert "/bot" in notice.visible_text and "ended this conversation" in ended.visible_text


async def patient_says(env: dict[str, str], text: str) -> None:
    """The patient writes in their chat, handled as the bot process would."""
    runtime = await build_runtime(load_settings(env, read_dotenv=False))
    try:
        replies = await runtime.assistant.handle_text(ChatRef(PATIENT), text)
        assert replies[0].text == "Passed on to the clinic team."
    finally:
        await runtime.close()
