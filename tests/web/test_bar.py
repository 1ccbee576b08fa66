"""The issue's bar, as a clinic would do it, all through real processes and real HTTP:
`ims-bot staff add`, `ims-bot web` on a loopback port, an intake completed in
`ims-bot shell`, then sign-in, the inbox, roles, anonymous visitors and CSRF."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.process_env import HANG_S, run_ims_bot
from tests.web.kit import (
    PASSWORD,
    console_environment,
    csrf_of,
    free_port,
    intake_answers,
    served_console,
)

TIMEOUT = HANG_S
LINK = re.compile(r"(https?://\S+/set-password/\S+)")
COMPLAINT = "Sharp ache under my right kneecap <i>since skiing</i>"


def ims_bot(env: dict[str, str], cwd: Path, *args: str, stdin: str = "") -> str:
    result = run_ims_bot(env, cwd, *args, stdin=stdin, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def shell_path(*, again: bool = False, **flags: Any) -> list[str]:
    answers = intake_answers(complaint=COMPLAINT, **flags)
    # In the console a bare number picks a numbered button: scale answers are typed "n/10".
    answers = [f"{t}/10" if t.isdecimal() and int(t) <= 10 else t for t in answers]
    # Typed options tick in the shell as in Telegram: the typed path's "done" moves on.
    # After a sent form, /intake says so and a new one is started by its button.
    start = ["/intake", "Start a new form"] if again else ["/intake"]
    return [*start, *answers, "send"]


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """`ims-bot web` serving on a free loopback port; stopped with Ctrl+C at the end."""
    env = console_environment(tmp_path)
    with served_console(env, tmp_path) as base:
        yield base, env


def add_staff(env: dict[str, str], cwd: Path, email: str, role: str) -> str:
    out = ims_bot(env, cwd, "staff", "add", email, "--role", role)
    found = LINK.search(out)
    assert found is not None, out
    return found.group(1)


def set_password(client: httpx.Client, link: str) -> None:
    form = client.get(link)
    assert form.status_code == 200
    done = client.post(
        link, data={"password": PASSWORD, "confirm": PASSWORD, "csrf_token": csrf_of(form.text)}
    )
    assert done.status_code == 303


def sign_in(client: httpx.Client, email: str) -> httpx.Response:
    page = client.get("/login")
    return client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_of(page.text)}
    )


@pytest.mark.e2e
def test_bar_staff_add_login_shell_intake_in_the_inbox_roles_anonymous_and_csrf(
    console: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    base, env = console
    doctor_link = add_staff(env, tmp_path, "doctor@clinic.example", "clinician")
    desk_link = add_staff(env, tmp_path, "desk@clinic.example", "front_desk")
    assert doctor_link.startswith(base)
    listing = ims_bot(env, tmp_path, "staff", "list")
    assert "doctor@clinic.example\tclinician\tinvited" in listing

    # Two intakes in the shell (its own console port, so it does not clash with `web`):
    # the first without flags, the second with an urgent flag and a needling caution.
    shell_env = {**env, "CONSOLE_BIND": f"127.0.0.1:{free_port()}"}
    messages = []
    for flags in (False, True):
        lines = shell_path(again=flags, urgent=flags, contraindication=flags)
        out = ims_bot(shell_env, tmp_path, "shell", "--json", stdin="\n".join(lines) + "\n")
        messages += [json.loads(line) for line in out.splitlines() if line.strip()]
    assert sum("sent to the clinic" in m["text"] for m in messages) == 2
    staff_notes = [m["text"] for m in messages if m.get("to") == "staff"]
    assert any("New intake #2 — 1 red flag — " in note for note in staff_notes)
    for note in staff_notes:  # the staff chat carries no answers and no typed text
        assert "kneecap" not in note and "RED FLAGS" not in note and "cancer" not in note

    with httpx.Client(base_url=base, timeout=TIMEOUT) as doctor:
        set_password(doctor, doctor_link)
        signed_in = sign_in(doctor, "doctor@clinic.example")
        assert signed_in.status_code == 303
        cookie = signed_in.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        inbox = doctor.get("/intakes")
        assert inbox.status_code == 200
        assert inbox.text.index('href="/intakes/2"') < inbox.text.index('href="/intakes/1"')
        assert "URGENT: History of cancer" in inbox.text
        detail = doctor.get("/intakes/2")
        assert "&lt;i&gt;since skiing&lt;/i&gt;" in detail.text and "<i>since" not in detail.text
        no_token = doctor.post("/intakes/2/reviewed", data={"state": "reviewed"})
        assert no_token.status_code == 403
        assert "Mark reviewed" in doctor.get("/intakes/2").text

    with httpx.Client(base_url=base, timeout=TIMEOUT) as desk:
        set_password(desk, desk_link)
        assert sign_in(desk, "desk@clinic.example").status_code == 303
        assert desk.get("/intakes/2").status_code == 403
        assert desk.get("/intakes").status_code == 403
        assert desk.get("/appointments").status_code == 200

    with httpx.Client(base_url=base, timeout=TIMEOUT) as anonymous:
        for path in (
            "/", "/intakes", "/intakes/2", "/intakes/2/fhir", "/appointments", "/questions",
            "/events", "/content", "/staff", "/audit",
        ):  # fmt: skip
            response = anonymous.get(path)
            assert response.status_code == 303 and response.headers["location"].startswith(
                "/login"
            ), path
        for path in ("/intakes/2/reviewed", "/questions/mark", "/staff", "/logout"):
            assert anonymous.post(path).status_code == 403, path
