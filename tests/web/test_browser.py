"""The console in a real headless Chromium (Debian's `chromium`, driven by Playwright):
sign in with the keyboard, read an intake, mark it reviewed, sign out. Screenshots of every
page go to tests/web/artifacts/ (git-ignored; the README's pictures are copies)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from bot.config import load_settings
from bot.core.assistant import ChatRef
from bot.faq.unanswered import UnansweredLog
from bot.reminders.feature import build_reminders
from bot.reminders.messages import SAFETY_CHEST
from bot.reminders.model import AppointmentInput, AppointmentStatus
from bot.runtime import build_runtime
from bot.web.accounts import Role, StaffAccounts
from tests.web.kit import (
    HOSTILE_COMPLAINT,
    PASSWORD,
    complete_intake,
    console_environment,
    make_account,
    served_console,
    stop_intake_with_typed_emergency,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
TABLET = {"width": 1180, "height": 820}
PHONE = {"width": 375, "height": 740}
IPHONE = {"width": 390, "height": 844}
CLINICIAN = "doctor@clinic.example"
# Every box on the page whose content is wider than the box (it scrolls sideways).
SIDEWAYS_BOXES = """
[...document.querySelectorAll('main *')]
  .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
  .map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth + '>' + e.clientWidth)
"""
ADMIN = "admin@clinic.example"


async def seed(env: dict[str, str]) -> None:
    """A clinic's day: two intakes (one flagged, with hostile text), one stopped by an
    emergency typed in the chat, appointments,
    unanswered questions, an emergency and a contact request, and two accounts."""
    runtime = await build_runtime(load_settings(env, read_dotenv=False))
    try:
        await complete_intake(runtime, 5001)
        await complete_intake(
            runtime, 5002, urgent=True, contraindication=True, complaint=HOSTILE_COMPLAINT
        )
        await stop_intake_with_typed_emergency(runtime, 5005)
        await runtime.assistant.handle_text(
            ChatRef(5003), "my chest is crushing and I can't breathe"
        )
        await runtime.assistant.handle_command(ChatRef(5004), "contact")
        log = UnansweredLog(runtime.database, timedelta(days=90))
        now = datetime.now(UTC)
        for text in (
            "is there parking at the clinic",
            "where do I park",
            "do you direct bill Manulife",
            # A link pasted into the chat: one long word that must not widen a phone's page.
            "https://forum.example.org/t/ims_dry_needling_after_shoulder_surgery_recovery_q",
        ):
            await log.record(text, None, 0.0, now)
        r = build_reminders(runtime.settings, runtime.content, runtime.database)
        for hours, ref, place in ((2, "BK-1042", "riverside"), (26, "BK-1043", "north_hill")):
            await r.repository.save(
                AppointmentInput(ref, now + timedelta(hours=hours), "ims_treatment", None, place),
                now,
            )
        # Yesterday's treatment, whose patient answered the next-day check-in with a problem,
        # and today's, confirmed through the reminder's button.
        yesterday, _ = await r.repository.save(
            AppointmentInput("BK-1041", now - timedelta(hours=24), "ims_treatment", None, None),
            now - timedelta(days=3),
        )
        await r.repository.record_check_in(yesterday.id, soreness=8, safety=SAFETY_CHEST)
        confirmed = await r.repository.get_by_ref("BK-1042")
        assert confirmed is not None
        token = await r.repository.create_link(confirmed.id, now)
        await r.repository.redeem_link(token, 5006, now)
        await r.repository.set_status(confirmed.id, AppointmentStatus.CONFIRMED, now)
        # Two cancellations: one with the reminder's button, one in the clinic's export.
        for ref, chat in (("BK-1044", 5007), ("BK-1045", 5008)):
            item = AppointmentInput(ref, now + timedelta(hours=30), "ims_treatment", None, None)
            saved, _ = await r.repository.save(item, now)
            await r.repository.redeem_link(await r.repository.create_link(saved.id, now), chat, now)
        patient_cancels = await r.repository.get_by_ref("BK-1044")
        assert patient_cancels is not None
        await r.repository.set_status(patient_cancels.id, AppointmentStatus.CANCELLED, now)
        cancelled = AppointmentInput(
            "BK-1045", now + timedelta(hours=30), "ims_treatment", None, None, cancelled=True
        )
        await r.repository.save_many([cancelled], now)
        accounts = StaffAccounts(runtime.database)
        await make_account(accounts, CLINICIAN, Role.CLINICIAN)
        await make_account(accounts, ADMIN, Role.ADMIN)
    finally:
        await runtime.close()


@pytest.fixture
def console_base(tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """`ims-bot web` on its own over the seeded clinic: its address and start-up lines."""
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does this)")
    env = console_environment(tmp_path)
    asyncio.run(seed(env))
    printed: list[str] = []
    with served_console(env, tmp_path, printed) as base:
        yield base, printed


def wait_path(page: Page, path: str) -> None:
    """Wait until the browser shows `path` (query strings aside)."""
    page.wait_for_url(lambda url: urlsplit(url).path == path)


def sign_in_page(page: Page, email: str, lands_on: str) -> None:
    """Sign in with the form (the test password), then wait for the role's first page."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    wait_path(page, lands_on)


@pytest.mark.e2e
def test_sign_in_read_an_intake_mark_it_reviewed_and_sign_out_in_chromium(
    console_base: tuple[str, list[str]],
) -> None:
    from playwright.sync_api import sync_playwright

    base, printed = console_base
    # No bot runs beside this console: its start-up line and every page say so.
    assert printed[1].startswith("Reminders are not going out"), printed

    ARTIFACTS.mkdir(exist_ok=True)
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=TABLET, base_url=base)
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
            page.goto("/intakes")
            assert page.url.endswith("/login?next=/intakes")
            # Keyboard only: the e-mail field has the focus, Tab goes to the password.
            page.wait_for_function("document.activeElement.id === 'email'")
            page.keyboard.type(CLINICIAN)
            page.keyboard.press("Tab")
            page.keyboard.type(PASSWORD)
            page.screenshot(path=str(ARTIFACTS / "login.png"))
            page.keyboard.press("Enter")
            wait_path(page, "/intakes")
            rows = page.locator("table.inbox tbody tr")
            assert rows.count() == 3
            stopped = rows.nth(0).inner_text()  # the emergency first, as the export says it
            assert "STOPPED BY AN EMERGENCY" in stopped
            assert "EMERGENCY: Emergency typed in the chat (rule chest_pain)" in stopped
            assert "URGENT: History of cancer" in rows.nth(1).inner_text()
            assert "Epilepsy" in rows.nth(1).inner_text()
            page.screenshot(path=str(ARTIFACTS / "intakes.png"), full_page=True)

            rows.nth(0).locator("a").click()
            wait_path(page, "/intakes/3")
            alert = page.get_by_role("alert")
            assert alert.is_visible()
            assert "STOPPED BY AN EMERGENCY" in alert.inner_text()
            assert "None reported" not in page.inner_text("main")
            page.screenshot(path=str(ARTIFACTS / "intake-stopped.png"), full_page=True)

            page.goto("/intakes")
            rows.nth(1).locator("a").click()
            wait_path(page, "/intakes/2")
            assert '<script>alert("x")</script><b>Burning</b>' in page.inner_text("main")
            page.screenshot(path=str(ARTIFACTS / "intake.png"), full_page=True)
            page.get_by_role("button", name="Mark reviewed").click()
            page.wait_for_selector("text=Reviewed by doctor@clinic.example")

            for name in ("appointments", "questions", "events", "content"):
                page.goto(f"/{name}")
                assert page.locator("h1").first.is_visible()
                page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            assert "BK-1042" in page.goto("/appointments").text()  # type: ignore[union-attr]
            # The check-in column: who confirmed, and what yesterday's patient reported.
            header = page.locator("thead th").all_inner_texts()
            assert header.index("Check-in") == header.index("Status") + 1
            checked_in = page.locator("tr", has_text="BK-1041")
            assert "attention" in (checked_in.get_attribute("class") or "")
            assert "chest pain or breathlessness" in checked_in.inner_text()
            assert "soreness 8/10" in checked_in.inner_text()
            assert "Yesterday" in page.inner_text("main")
            assert "reply: confirmed" in page.locator("tr", has_text="BK-1042").inner_text()
            # Who cancelled: the patient (BK-1044, with its time) or the clinic (BK-1045).
            by_patient = page.locator("tr", has_text="BK-1044").inner_text()
            assert "cancelled by the patient" in by_patient and "reply: cancelled" in by_patient
            by_clinic = page.locator("tr", has_text="BK-1045").inner_text()
            assert "cancelled by the clinic" in by_clinic and "reply:" not in by_clinic
            warning = page.locator("#reminder-warning")
            assert warning.is_visible() and "ims-bot run" in warning.inner_text()

            # On a phone nothing scrolls sideways: not the page, and not a table inside its
            # box either (a sideways swipe hides the columns that matter, such as the
            # check-in, the contraindications or "Mark handled"); those tables become one
            # card per row.
            page.set_viewport_size(PHONE)
            for name in ("intakes", "appointments", "questions", "events", "content"):
                page.goto(f"/{name}")
                width = page.evaluate("document.documentElement.scrollWidth")
                assert width <= PHONE["width"], (name, width)
                wider = page.evaluate(SIDEWAYS_BOXES)
                if name in ("intakes", "appointments", "events"):
                    assert wider == [], (name, wider)
            page.goto("/appointments")
            card = page.locator("tr", has_text="BK-1041")
            assert card.locator("td.check-in").bounding_box()["width"] > PHONE["width"] / 2  # type: ignore[index]
            # Each cell of a card says which column it is.
            said = card.locator("td.check-in").evaluate(
                "cell => getComputedStyle(cell, '::before').content"
            )
            assert said == '"Check-in"', said
            page.screenshot(path=str(ARTIFACTS / "appointments-phone.png"), full_page=True)
            page.goto("/events")
            alert = page.locator("tr[id^=alert-]").first
            assert alert.get_by_role("button", name="Mark handled").is_visible()
            page.screenshot(path=str(ARTIFACTS / "events-phone.png"), full_page=True)
            page.set_viewport_size(TABLET)

            page.goto("/intakes")
            assert "Reviewed" in page.locator("table.inbox tbody tr").nth(2).inner_text()
            page.get_by_role("button", name="Sign out").click()
            wait_path(page, "/login")
            page.goto("/intakes/2")
            assert "/login" in page.url and "Burning" not in page.content()

            admin = browser.new_page(viewport=TABLET, base_url=base)
            sign_in_page(admin, ADMIN, "/intakes")
            for name in ("staff", "audit"):
                admin.goto(f"/{name}")
                admin.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            assert "view intake" in admin.inner_text("main")
            assert "view check in" in admin.inner_text("main")  # health answers shown: audited
            # The admin's tables become cards on a phone too: an account's buttons and an
            # audit line's record are never a sideways swipe away.
            for phone in (PHONE, IPHONE):
                admin.set_viewport_size(phone)
                for name in ("staff", "audit"):
                    admin.goto(f"/{name}")
                    width = admin.evaluate("document.documentElement.scrollWidth")
                    assert width <= phone["width"], (name, phone, width)
                    assert admin.evaluate(SIDEWAYS_BOXES) == [], (name, phone)
            admin.goto("/staff")
            account = admin.locator("tr", has_text=CLINICIAN)
            assert account.get_by_role("button", name="Disable…").is_visible()
            said = account.locator("td").first.evaluate(
                "cell => getComputedStyle(cell, '::before').content"
            )
            assert said == '"E-mail"', said
            admin.screenshot(path=str(ARTIFACTS / "staff-phone.png"), full_page=True)
        finally:
            browser.close()
    assert dialogs == []  # the patient's script never ran
