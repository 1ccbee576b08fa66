"""The intake through `ims-bot shell --json` (two processes: resume after a restart) and
`ims-bot intake list|export|questionnaire` on the same SQLite file."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from bot.cli.main import main
from tests.intake.kit import TEST_KEY, TYPED_PATH
from tests.process_env import HANG_S, ims_bot_in_process, process_env, run_ims_bot

TIMEOUT = HANG_S
# The typed path works unchanged in the shell: typed options tick, as a typed label does.
SHELL_PATH = list(TYPED_PATH)


def _env(tmp_path: Path) -> dict[str, str]:
    return process_env(tmp_path, database="shell.sqlite3", DATA_ENCRYPTION_KEY=TEST_KEY)


def ims_bot(
    tmp_path: Path, *args: str, lines: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    stdin = "\n".join(lines or []) + "\n"
    return run_ims_bot(_env(tmp_path), tmp_path, *args, stdin=stdin, timeout=TIMEOUT)


def messages(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def run_shell_intake(tmp_path: Path) -> None:
    """Half the intake in one shell process, the rest (after /intake, Continue) in another."""
    half = len(SHELL_PATH) // 2
    first = messages(ims_bot(tmp_path, "shell", "--json", lines=["/intake", *SHELL_PATH[:half]]))
    assert any("Question 1 of" in m["text"] for m in first)
    assert "Yes, I agree" in next(m for m in first if "Question 1 of" in m["text"])["buttons"]

    second = messages(
        ims_bot(
            tmp_path, "shell", "--json", lines=["/intake", "Continue", *SHELL_PATH[half:], "send"]
        )
    )
    assert "Continue where you left off" in second[0]["text"]
    assert any("sent to the clinic" in m["text"] for m in second)
    assert any("RED FLAGS" in m["text"] for m in second)  # the console shows the staff note


def cli(capsys: pytest.CaptureFixture[str], *args: str, code: int = 0) -> str:
    """Run `ims-bot intake ...` in this process (the env is set by the caller)."""
    assert main(["intake", *args]) == code
    return capsys.readouterr().out


def test_shell_intake_resumes_after_restart_then_cli_lists_and_exports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run_shell_intake(tmp_path)
    monkeypatch.chdir(tmp_path)
    for name, value in _env(tmp_path).items():
        monkeypatch.setenv(name, value)
    [line] = cli(capsys, "list").splitlines()
    assert line.startswith("1\tsubmitted\tchat ") and line.endswith("consent agree\tflags -")

    text = cli(capsys, "export", "1", "--format", "text")
    assert "RED FLAGS" in text and "Burning pain in my left shoulder blade" in text
    data = json.loads(cli(capsys, "export", "1", "--format", "json"))
    assert data["status"] == "submitted" and data["answers"]["pain_worst"] == 8
    response = json.loads(cli(capsys, "export", "1", "--format", "fhir"))
    QuestionnaireResponse.model_validate(response)
    assert response["status"] == "completed"

    form = json.loads(cli(capsys, "questionnaire", "--format", "fhir"))
    Questionnaire.model_validate(form)

    # The refusal on standard error: `export 99 > intake.json` leaves the file empty.
    assert main(["intake", "export", "99"]) == 1
    refused = capsys.readouterr()
    assert refused.out == "" and "no intake with id 99" in refused.err


def test_malformed_key_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = ims_bot_in_process(
        monkeypatch, capsys, tmp_path, "intake", "list", DATA_ENCRYPTION_KEY="not-a-key"
    )
    assert code == 2
    assert err.strip().splitlines() == [
        "ims-bot: configuration error: DATA_ENCRYPTION_KEY: not a valid key; it must be 32 "
        "url-safe base64-encoded bytes (generate one with `ims-bot intake new-key`)"
    ]
    assert "not-a-key" not in err


def test_local_key_file_is_created_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = ims_bot_in_process(monkeypatch, capsys, tmp_path, "intake", "list")
    assert code == 0, err
    key_file = tmp_path / "data" / "data-encryption.key"
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_shell_invalid_back_skip_faq_urgent_emergency_and_forget(tmp_path: Path) -> None:
    script = [
        "/intake",
        "maybe",  # not a clear yes to the consent
        "yes", "me",
        "200",  # out of range
        "42", "Sore neck",
        "neck", "done",  # typing a label ticks it (as a tap does), then Done
        "2999-01-01",  # a future date
        "More than a year",
        "after an injury",  # opens an optional follow-up
        "skip",  # typed at a free-text question: asked whether it is the answer
        "skip",  # ...it was not: skipped
        "back",  # back to the skipped follow-up
        "A fall on the ice last winter",
        "first time", "it varies", "sitting", "done", "heat", "done",
        "7",
        "how long does a session take?",  # a side question for the FAQ
        "Back to my intake form",
        "8", "5", "4",
        "burning, numbness, done", "none", "none",
        "cancer, done",  # urgent: the form goes on
        "I have crushing chest pain and can't breathe",  # emergency typed mid-intake
        "/mydata",
        "/forget", "Yes, delete everything",
        "/mydata",
    ]  # fmt: skip
    out = messages(ims_bot(tmp_path, "shell", "--json", lines=script))
    texts = [str(m["text"]) for m in out]
    joined = "\n".join(texts)

    def after(marker: str, then: str) -> None:
        start = next(i for i, t in enumerate(texts) if marker in t)
        assert any(then in t for t in texts[start + 1 :]), (marker, then)

    consent_hint = next(t for t in texts if "needs a clear yes" in t)
    after(consent_hint, "health information")
    assert any("out of range" in t for t in texts)
    assert any("date is in the future" in t for t in texts)
    assert any("You typed “skip”" in t for t in texts)
    assert any("Briefly, what happened" in t and "(skipped)" in t for t in texts)  # back
    after("Your intake form is waiting", "at its worst")
    assert "family doctor soon" in joined
    after("family doctor soon", "every medicine")
    assert "911" in joined and "the intake was stopped" in joined  # staff note in the console
    after("Are you sure?", "deleted everything")
    assert "I hold no personal data about you." in texts[-1]


def test_a_patient_completes_the_intake_in_the_shell_and_typed_numbers_are_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """At a 0-10 question `11` and `12` are refused (not buttons 11 and 12) and `7` is 7."""
    at_pain_now = SHELL_PATH.index("7/10")
    lines = [
        "/intake",
        *SHELL_PATH[: SHELL_PATH.index("42")],
        "1",  # an age of 1 is an age, not the first button (Back)
        "back",  # typed at a free-text question: asked whether it is the answer
        "back",  # ...it was meant as Back: back to the age
        *SHELL_PATH[SHELL_PATH.index("42") : at_pain_now],
        "11",
        "12",
        "7",
        *SHELL_PATH[at_pain_now + 1 :],
        "Send to the clinic",  # the button's label typed without its symbol
    ]
    out = messages(ims_bot(tmp_path, "shell", "--json", "--patient", lines=lines))
    texts = [str(m["text"]) for m in out]
    assert sum("whole number from 0 to 10" in t for t in texts) == 2
    assert any("sent to the clinic" in t for t in texts)
    monkeypatch.chdir(tmp_path)
    for name, value in _env(tmp_path).items():
        monkeypatch.setenv(name, value)
    data = json.loads(cli(capsys, "export", "1", "--format", "json"))
    assert data["status"] == "submitted"
    assert data["answers"]["pain_now"] == 7
    assert data["answers"]["age"] == 42
    assert any("You typed “back”" in t for t in texts)
    assert data["treatment_consent"]["answer"] == "agree"
