"""`ims-bot shell`: a real subprocess held in conversation by this test, line by line."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.intake.kit import TEST_KEY
from tests.process_env import HANG_S, ims_bot_in_process, process_env

REPO = Path(__file__).resolve().parents[2]
READ_TIMEOUT = HANG_S


class ShellSession:
    """Drives `ims-bot shell --json`, one message in, JSON lines out."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process

    def say(self, text: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def read(self) -> dict[str, object]:
        """The next bot message (blocks until the bot has answered)."""
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, "the shell ended without answering"
        return dict(json.loads(line))

    def ask(self, text: str, replies: int = 1) -> list[dict[str, object]]:
        self.say(text)
        return [self.read() for _ in range(replies)]


def _env(tmp_path: Path) -> dict[str, str]:
    return process_env(
        tmp_path, database="shell.sqlite3", DATA_ENCRYPTION_KEY=TEST_KEY, PYTHONUNBUFFERED="1"
    )


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ShellSession]:
    """One shell process for the module's conversations (each start-up costs seconds of CPU);
    they leave nothing open that the next one would meet."""
    tmp_path = tmp_path_factory.mktemp("shell")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "shell", "--json"],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    session = ShellSession(process)
    try:
        yield session
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=READ_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
        assert process.returncode == 0, process.stderr.read() if process.stderr else ""


def test_a_program_can_hold_a_conversation(shell: ShellSession) -> None:
    # Each answer arrives before the next question is written: line-by-line, flushed.
    [welcome] = shell.ask("/start")
    assert "Browse common questions" in welcome["buttons"]  # type: ignore[operator]
    [answer] = shell.ask("what is IMS?")
    assert answer["title"] == "What is IMS?"
    buttons = answer["buttons"]
    assert isinstance(buttons, list) and len(buttons) >= 2
    [followed] = shell.ask("1")  # a button chosen by its number
    assert followed["title"] == buttons[0]
    by_label, note = shell.ask(str(followed["buttons"][-1]).upper(), replies=2)  # type: ignore[index]
    assert "613-555" in str(by_label["text"])  # "Talk to a person", chosen by label
    assert note.get("to") == "staff" and "asked to talk to someone" in str(note["text"])


def test_emergency_and_unknown_input_in_the_shell(shell: ShellSession) -> None:
    emergency, staff_alert = shell.ask("I have crushing chest pain and can't breathe", replies=2)
    assert "911" in str(emergency["text"])
    assert "Possible emergency" in str(staff_alert.get("title"))  # the console user is staff
    [fallback] = shell.ask("what's the best pizza place around here?")
    assert "don't know" in str(fallback["text"])
    [unknown] = shell.ask("/nonsense")
    assert "don't know that command" in str(unknown["text"])


def test_forget_takes_a_typed_yes_while_an_intake_is_open(shell: ShellSession) -> None:
    shell.ask("/intake")
    shell.ask("yes")
    [age] = shell.ask("me")
    assert "How old are you?" in str(age["text"])
    [asked] = shell.ask("/forget")
    assert "Are you sure?" in str(asked["text"])
    [done] = shell.ask("yes")  # the question's answer, not the intake's "type a number"
    assert "I deleted everything I held about you" in str(done["text"])
    [held] = shell.ask("/mydata")
    assert "no personal data" in str(held["text"])


def _read_until(fd: int, wanted: bytes, limit_s: float) -> bytes:
    """What the terminal shows until `wanted` appears (or the program ends)."""
    seen = b""
    while wanted not in seen:
        ready, _, _ = select.select([fd], [], [], limit_s)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the program closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    return seen


def test_ctrl_c_at_the_prompt_stops_at_once_with_a_goodbye(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()  # a real terminal, where the line editor reads
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "shell"],
        cwd=tmp_path,
        env=_env(tmp_path),
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    try:
        shown = _read_until(controller, b"you> ", READ_TIMEOUT)
        assert b"you> " in shown, shown.decode(errors="replace")[-500:]
        process.send_signal(signal.SIGINT)  # Ctrl-C, no Enter after it
        code = process.wait(timeout=READ_TIMEOUT)  # it waited for a line before
        after = _read_until(controller, b"Goodbye.", READ_TIMEOUT).decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    assert code == 130
    assert "Goodbye." in after and "Traceback" not in after


def test_bad_configuration_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = ims_bot_in_process(
        monkeypatch, capsys, tmp_path, "shell", "--json", CLINIC_TIMEZONE="Nowhere/Land"
    )
    assert code == 2
    assert err.strip().splitlines() == [
        "ims-bot: configuration error: CLINIC_TIMEZONE: 'Nowhere/Land' is not a known time "
        "zone; use an IANA name such as America/Toronto or Europe/London"
    ]


def test_invalid_content_stops_the_bot_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    content = tmp_path / "content"
    content.mkdir()
    for source in (REPO / "content").iterdir():
        (content / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    faq = content / "faq.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("id: cost", "id: booking", 1))
    code, _, err = ims_bot_in_process(
        monkeypatch,
        capsys,
        tmp_path,
        "shell",
        CONTENT_DIR=str(content),
        DATA_ENCRYPTION_KEY=TEST_KEY,
    )
    assert code == 2
    assert "faq.yaml:" in err and "booking" in err
    assert "Traceback" not in err


def test_a_french_question_is_answered_in_french_in_the_shell(shell: ShellSession) -> None:
    [answer] = shell.ask("Est-ce que la puncture sèche fait mal?")
    assert answer["title"] == "Est-ce que l'IMS fait mal?"
    assert "Parler à une personne" in answer["buttons"]  # type: ignore[operator]
    [fallback] = shell.ask("Connaissez-vous un bon garage pour mon char?")
    assert "Désolé, je ne connais pas la réponse" in str(fallback["text"])
    assert "appelez le 911" in str(fallback["text"])


def test_a_reader_that_goes_away_stops_the_shell_quietly(tmp_path: Path) -> None:
    """`ims-bot shell --json < file | head -1`: no traceback, no reading on, exit 141."""
    lines = tmp_path / "lines.txt"
    lines.write_text("what are your hours?\n" * 6000, encoding="utf-8")
    with lines.open("rb") as stdin:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "shell", "--json"],
            cwd=tmp_path,
            env=_env(tmp_path),
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None and process.stderr is not None
        assert process.stdout.readline()
        process.stdout.close()
        errors = process.stderr.read()
        assert process.wait(timeout=READ_TIMEOUT) == 141
        # It stopped at the broken pipe: most of the input is still unread.
        read = os.lseek(stdin.fileno(), 0, os.SEEK_CUR)  # the offset the shell shares
        assert read < lines.stat().st_size // 2
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors


def test_asking_for_the_form_in_the_shell_offers_its_start_button(shell: ShellSession) -> None:
    [answer] = shell.ask("I want to fill in my intake form")
    assert answer["buttons"][0] == "Fill in my intake form"  # type: ignore[index]
    [form] = shell.ask("1")  # the button, chosen by its number, starts the form
    assert "Yes, I agree" in form["buttons"]  # type: ignore[operator]
    shell.ask("/forget")  # leave nothing open for the next conversation
    shell.ask("yes")
