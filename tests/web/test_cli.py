"""`ims-bot staff ...` and `ims-bot web` as a clinic's admin types them."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import load_settings
from bot.storage.database import open_database
from bot.web.accounts import StaffAccounts
from bot.web.audit import AuditLog


@pytest.fixture
def clinic_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # no stray .env
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://console.clinic.example/")
    for name in ("CONSOLE_BIND", "CONSOLE_ENABLED", "CONSOLE_SECRET_KEY", "CONTENT_DIR"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> tuple[str, str]:
    assert main(list(args)) == code
    captured = capsys.readouterr()
    return captured.out, captured.err


def test_add_list_reset_disable_with_clear_errors(
    clinic_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, _ = run(capsys, "staff", "add", "Front.Desk@Clinic.example", "--role", "front_desk")
    assert "added front.desk@clinic.example (front_desk)" in out
    first = re.search(r"https://console\.clinic\.example/set-password/(\S+)", out)
    assert first is not None
    _, err = run(capsys, "staff", "add", "front.desk@clinic.example", "--role", "admin", code=1)
    assert "already has an account" in err
    _, err = run(capsys, "staff", "add", "not-an-address", "--role", "admin", code=1)
    assert "is not an e-mail address" in err
    out, _ = run(capsys, "staff", "list")
    assert out.strip() == "front.desk@clinic.example\tfront_desk\tinvited"

    out, _ = run(capsys, "staff", "reset", "front.desk@clinic.example")
    second = re.search(r"/set-password/(\S+)", out)
    assert second is not None and second.group(1) != first.group(1)
    out, _ = run(capsys, "staff", "disable", "front.desk@clinic.example")
    assert "disabled" in out
    assert "\tdisabled" in run(capsys, "staff", "list")[0]
    _, err = run(capsys, "staff", "disable", "nobody@clinic.example", code=1)
    assert "no account for nobody@clinic.example" in err

    async def check_database() -> None:
        database = await open_database(load_settings().database_url)
        try:
            accounts = StaffAccounts(database)
            assert await accounts.account_for_link(first.group(1)) is None  # replaced
            assert await accounts.account_for_link(second.group(1)) is None  # disabled
            actions = [entry.action for entry in await AuditLog(database).recent()]
            assert actions == ["staff_disable", "staff_new_link", "staff_add"]
        finally:
            await database.close()

    asyncio.run(check_database())


def test_a_disabled_account_comes_back_and_roles_change(
    clinic_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "staff", "add", "boss@clinic.example", "--role", "admin")
    run(capsys, "staff", "add", "desk@clinic.example", "--role", "front_desk")
    run(capsys, "staff", "disable", "desk@clinic.example")
    _, err = run(capsys, "staff", "reset", "desk@clinic.example", code=1)
    assert "staff enable desk@clinic.example" in err
    _, err = run(capsys, "staff", "add", "desk@clinic.example", "--role", "admin", code=1)
    assert "staff enable desk@clinic.example" in err
    out, _ = run(capsys, "staff", "enable", "desk@clinic.example")
    assert "enabled desk@clinic.example" in out
    _, err = run(capsys, "staff", "enable", "desk@clinic.example", code=1)
    assert "is not disabled" in err
    assert re.search(r"/set-password/\S+", run(capsys, "staff", "reset", "desk@clinic.example")[0])
    out, _ = run(capsys, "staff", "role", "desk@clinic.example", "--role", "clinician")
    assert "desk@clinic.example is now clinician" in out
    _, err = run(capsys, "staff", "role", "boss@clinic.example", "--role", "clinician", code=1)
    assert "only enabled admin" in err
    listing = run(capsys, "staff", "list")[0]
    assert "desk@clinic.example\tclinician\tinvited" in listing
    assert "boss@clinic.example\tadmin" in listing

    async def audited() -> list[str]:
        database = await open_database(load_settings().database_url)
        try:
            return [entry.action for entry in await AuditLog(database).recent()]
        finally:
            await database.close()

    assert asyncio.run(audited())[:3] == ["staff_role_clinician", "staff_new_link", "staff_enable"]


@pytest.fixture
def bot_logging_undone() -> Iterator[None]:
    """`ims-bot web` run in this process sets up the bot's logging: a root handler writing
    to this test's captured stderr (closed after it), a root level, excepthooks and
    `logging.raiseExceptions`. Undo it, so no later test in the worker logs through them."""
    root = logging.getLogger()
    handlers, level, raise_exceptions = root.handlers[:], root.level, logging.raiseExceptions
    hooks = sys.excepthook, threading.excepthook
    yield
    for handler in root.handlers[:]:
        if type(handler) is logging.StreamHandler and handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    logging.raiseExceptions = raise_exceptions
    sys.excepthook, threading.excepthook = hooks


@pytest.mark.usefixtures("bot_logging_undone")
def test_web_says_clearly_when_its_port_is_taken(
    clinic_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        monkeypatch.setenv("CONSOLE_BIND", f"127.0.0.1:{port}")
        _, err = run(capsys, "web", code=2)
    assert f"CONSOLE_BIND: cannot listen on 127.0.0.1:{port}" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("CONSOLE_BIND", "8080", "must be HOST:PORT"),
        ("CONSOLE_BIND", "127.0.0.1:99999", "port 99999 is not a port; use a number from 1"),
        ("PUBLIC_BASE_URL", "console.clinic.example", "must start with https://"),
        ("CONSOLE_SECRET_KEY", "s3cr3t-value", "at least 32 random characters"),
        ("CONSOLE_ENABLED", "maybe", "is not one of"),
    ],
)
def test_bad_console_settings_give_one_clear_line(
    clinic_env: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
    message: str,
) -> None:
    monkeypatch.setenv(name, value)
    _, err = run(capsys, "staff", "list", code=2)
    assert f"configuration error: {name}" in err and message in err
    assert value not in err or name != "CONSOLE_SECRET_KEY"  # a secret is never echoed


async def test_a_lock_notice_goes_to_the_staff_chats_through_the_running_bot() -> None:
    from bot.channels.telegram.outbound import standalone_outbound
    from bot.core.replies import Reply
    from bot.web.server import outbound_staff_notice

    class Recording:
        def __init__(self) -> None:
            self.staff: list[Reply] = []

        async def send(self, chat_id: int, reply: Reply) -> int | None:
            raise AssertionError("a lock notice goes to the staff chats only")

        async def send_to_staff(self, reply: Reply) -> None:
            self.staff.append(reply)

    outbound = Recording()
    await outbound_staff_notice(outbound)("Console account x@clinic.example was locked")
    [note] = outbound.staff
    assert note.for_staff and "locked" in note.text
    settings = load_settings({"CONSOLE_ENABLED": "1"}, read_dotenv=False)
    async with standalone_outbound(settings) as alone:
        assert alone is None  # no token: the console logs the notice instead


def test_command_line_views_of_health_data_are_audited_under_the_os_user(
    clinic_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime, timedelta

    from bot.faq.unanswered import UnansweredLog
    from bot.storage.encryption import new_key

    monkeypatch.setenv("DATA_ENCRYPTION_KEY", new_key())
    monkeypatch.setenv("USER", "frontdesk1")  # getpass reads the login name from here first

    async def ask() -> int:
        database = await open_database(load_settings().database_url)
        try:
            log = UnansweredLog(database, timedelta(days=90))
            await log.record(
                "I take metformin and ibuprofen sometimes", None, 0.0, datetime.now(UTC)
            )
            await log.flush()
            return (await log.list())[0].id
        finally:
            await database.close()

    question = asyncio.run(ask())
    assert "No intakes yet" in run(capsys, "intake", "list")[0]
    run(capsys, "intake", "export", "7", "--format", "json", code=1)
    assert "metformin" in run(capsys, "faq", "unanswered")[0]

    async def audited() -> list[tuple[str, str, str | None]]:
        database = await open_database(load_settings().database_url)
        try:
            return [(e.email, e.action, e.target) for e in await AuditLog(database).recent()]
        finally:
            await database.close()

    who = "frontdesk1 (command line)"
    assert asyncio.run(audited()) == [
        (who, "view_unanswered", f"question:{question}"),
        (who, "export_intake_json", "intake:7"),
        (who, "list_intake", None),
    ]


def test_intake_export_shows_a_patients_control_characters_as_codes_and_names_a_wrong_key(
    clinic_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.intake.engine import IntakeState
    from bot.intake.flow_file import load_flow_file
    from bot.intake.repository import IntakeRepository
    from bot.storage.encryption import cipher_for_key, new_key

    key = new_key()
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", key)
    loaded = load_flow_file(Path(__file__).resolve().parents[2] / "content" / "intake_flow.yaml")
    complaint = "neck pain\x1b[2J\x1b]0;pwned\x07 \u202eright"

    async def store() -> int:
        database = await open_database(load_settings().database_url)
        try:
            repository = IntakeRepository(database, cipher_for_key(key, "test"))
            state = IntakeState(current="complaint", answers={"complaint": complaint})
            return (await repository.create(4242, loaded, state)).id
        finally:
            await database.close()

    intake_id = str(asyncio.run(store()))
    out, _ = run(capsys, "intake", "export", intake_id, "--format", "text")
    assert "neck pain" in out and "\\x1b[2J" in out and "\\u202e" in out
    assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out

    monkeypatch.setenv("DATA_ENCRYPTION_KEY", new_key())
    _, err = run(capsys, "intake", "export", intake_id, "--format", "text", code=2)
    assert len(err.strip().splitlines()) == 1 and "rekey" in err and "unexpected" not in err


class Terminal:
    """Standard input as an admin's terminal, answering one line."""

    def __init__(self, answer: str) -> None:
        self.answer = answer

    def isatty(self) -> bool:
        return True

    def readline(self) -> str:
        return self.answer + "\n"


def test_disable_typed_at_a_terminal_asks_first(
    clinic_env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    run(capsys, "staff", "add", "admin@clinic.example", "--role", "admin")
    run(capsys, "staff", "add", "desk@clinic.example", "--role", "front_desk")
    monkeypatch.setattr(sys, "stdin", Terminal("n"))
    out, _ = run(capsys, "staff", "disable", "desk@clinic.example", code=1)
    assert "Disable desk@clinic.example?" in out and "Nothing was changed" in out
    assert "\tdisabled" not in run(capsys, "staff", "list")[0]
    monkeypatch.setattr(sys, "stdin", Terminal("yes"))
    out, _ = run(capsys, "staff", "disable", "desk@clinic.example")
    assert "disabled desk@clinic.example" in out
    _, err = run(capsys, "staff", "disable", "desk@clinic.example", "--yes", code=1)
    assert "already disabled" in err  # and not audited again
    _, err = run(capsys, "staff", "disable", "admin@clinic.example", "--yes", code=1)
    assert "only enabled admin" in err
