"""Shared pieces of the console tests: a patient who completes an intake, staff accounts,
and signing in through the forms the way a browser does."""

from __future__ import annotations

import html
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from bot.core.assistant import ChatRef
from bot.core.replies import Reply
from bot.runtime import Runtime
from bot.web.accounts import Role, StaffAccounts
from tests.intake.kit import TEST_KEY, Patient, typed_path, typed_until
from tests.process_env import HANG_S, console_settings, process_env

PASSWORD = "correct horse battery staple"
# Free text a patient might type that would run as script if the console did not escape it.
HOSTILE_COMPLAINT = '<script>alert("x")</script><b>Burning</b> pain & tingling'
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


def intake_answers(*, urgent: bool, contraindication: bool, complaint: str) -> list[str]:
    """The shipped flow's typed path with an urgent flag and a needling caution if asked."""
    changes = {"complaint": complaint}
    if urgent:
        changes["urgent_screen"] = "cancer, done"
    if contraindication:
        changes["health_screen"] = "epilepsy, done"  # needling safety
    return typed_path(**changes)


async def complete_intake(
    runtime: Runtime,
    chat_id: int,
    *,
    urgent: bool = False,
    contraindication: bool = False,
    complaint: str = "Burning pain in my left shoulder blade",
) -> list[Reply]:
    """A patient completes and sends the intake; every reply the assistant gave, in order."""
    patient = Patient(runtime.assistant, chat=ChatRef(chat_id, first_name="Maya"))
    seen: list[Reply] = []
    seen += await patient.command("intake")
    for text in intake_answers(
        urgent=urgent, contraindication=contraindication, complaint=complaint
    ):
        seen += await patient.say(text)
    seen += await patient.tap("Send to the clinic")
    assert "sent to the clinic" in patient.text, patient.text
    return seen


# Typed at the emergency screen: the safety screen reads it as an emergency (rule chest_pain)
# before the form does, so the form stops with the typed emergency as its only flag.
TYPED_EMERGENCY = "chest pain or trouble breathing, done"


async def stop_intake_with_typed_emergency(runtime: Runtime, chat_id: int) -> None:
    """A patient types an emergency during the intake; the bot stops the form."""
    patient = Patient(runtime.assistant, chat=ChatRef(chat_id, first_name="Sam"))
    await patient.command("intake")
    for text in typed_until("emergency_screen"):
        await patient.say(text)
    await patient.say(TYPED_EMERGENCY)
    assert "911" in patient.text, patient.text


async def make_account(accounts: StaffAccounts, email: str, role: Role) -> None:
    """An account with PASSWORD set through its one-time link."""
    _, token = await accounts.add(email, role)
    await accounts.set_password(token, PASSWORD)


def csrf_of(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = CSRF_INPUT.search(html)
    assert found is not None, html[:500]
    return found.group(1)


NEXT_INPUT = re.compile(r'name="next" value="([^"]*)"')


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, page_path: str = "/login"
) -> httpx.Response:
    """Open the sign-in page (`page_path`, e.g. where a signed-out visit was sent) and post
    its form as a browser would, with its own `next` (the client keeps the cookies)."""
    page = await client.get(page_path)
    wanted = NEXT_INPUT.search(page.text)
    return await client.post(
        "/login",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_of(page.text),
            "next": html.unescape(wanted.group(1)) if wanted else "/",
        },
    )


async def page_token(client: httpx.AsyncClient, path: str) -> str:
    """The session's CSRF token, read from a page's form."""
    response = await client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return csrf_of(response.text)


START_TIMEOUT = HANG_S
STOP_TIMEOUT = HANG_S


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def console_environment(tmp_path: Path) -> dict[str, str]:
    """The environment of a clinic with the console on, on a fresh database and port."""
    return process_env(
        tmp_path,
        database="clinic.sqlite3",
        DATA_ENCRYPTION_KEY=TEST_KEY,
        **console_settings(free_port()),
    )


@contextmanager
def served_console(
    env: dict[str, str], cwd: Path, startup_lines: list[str] | None = None
) -> Iterator[str]:
    """`python -m bot web` until the block ends (then Ctrl+C); yields its base URL. The
    two lines it prints on starting go into `startup_lines` when given."""
    base = env["PUBLIC_BASE_URL"]
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "web"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if process.poll() is not None:
                pytest.fail(f"ims-bot web exited: {process.communicate()[1][-2000:]}")
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("ims-bot web did not answer in time")
            time.sleep(0.3)
        if startup_lines is not None and process.stdout is not None:
            startup_lines.extend(process.stdout.readline().strip() for _ in range(2))
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, stderr = process.communicate(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            _, stderr = process.communicate()
    assert process.returncode == 0, stderr[-2000:]
    assert "Traceback" not in stderr, stderr[-2000:]
