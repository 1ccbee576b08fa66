"""Issue 19: consent to treatment, the safety screen's flags, PHQ-2, typed answers read as
meant, emergency-stopped exports, the typed overview, and intakes of the older flow."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from bot.cli.main import main
from bot.core.assistant import ChatRef
from bot.intake.engine import REVIEW, IntakeEngine, IntakeState, Outcome, Status, Tap, Typed
from bot.intake.fhir import questionnaire_response
from bot.intake.flow_file import load_flow_file
from bot.intake.repository import IntakeRepository
from bot.intake.screens import screen as render_screen
from bot.intake.summary import build_summary, intake_overview, summary_text
from bot.runtime import build_runtime
from bot.storage.database import open_database
from bot.storage.encryption import FieldCipher
from tests.intake.kit import (
    REPO,
    SHIPPED_FLOW,
    TEST_KEY,
    TYPED_ANSWERS,
    TYPED_PATH,
    Patient,
    runtime_settings,
    typed_path,
    typed_until,
)

TODAY = date(2026, 12, 6)
NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
OLD_FLOW = Path(__file__).parent / "fixtures" / "intake_flow_2026_11_1.yaml"
# The typed path of the 2026.11.1 flow (welcome screen, then consent first).
OLD_TYPED_PATH = [
    "ok", "yes", "42", "Burning pain in my left shoulder blade", "shoulder blade, neck, done",
    "left", "shoulder blade", "more than a year", "gradually", "7/10", "8", "5", "6", "4", "3",
    "burning, pins and needles, done", "tight, tender spots, done", "none", "none", "none",
    "Me, the patient", "mri, done", "a bulging disc", "physio, done", "physio helped a little",
    "nope",
    "sleep through the night",
]  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> IntakeEngine:
    return IntakeEngine(load_flow_file(SHIPPED_FLOW).flow, today=lambda: TODAY, now=lambda: NOW)


def typed(engine: IntakeEngine, state: IntakeState, *texts: str) -> IntakeState:
    for text in texts:
        result = engine.apply(state, Typed(text))
        assert result.outcome is not Outcome.INVALID, (text, state.current, result.hint)
        state = result.state
    return state


def until(engine: IntakeEngine, step_id: str, path: list[str] | None = None) -> IntakeState:
    """The state on `step_id`, reached with the typed path (or `path`)."""
    state = engine.start()
    for text in path or TYPED_PATH:
        if state.current == step_id:
            return state
        state = typed(engine, state, text)
    assert state.current == step_id, state.current
    return state


# --- typed answers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "option"),
    [
        ("about 8 months", "6_to_12_months"),
        ("since March", "6_to_12_months"),
        ("2 yrs", "over_1_year"),
        ("3 weeks", "under_6_weeks"),
        ("a few weeks", "under_6_weeks"),
        ("6-8 weeks", "6_to_12_weeks"),
        ("for about a year now", "over_1_year"),
        ("4 months ago", "3_to_6_months"),
        ("Less than 6 weeks", "under_6_weeks"),  # a label typed is that option
        ("many years", "over_1_year"),
        ("since summer 2024", "over_1_year"),
        ("for a total of around 7 months", "6_to_12_months"),
    ],
)
def test_durations_in_words(engine: IntakeEngine, text: str, option: str) -> None:
    state = typed(engine, until(engine, "duration"), text)
    assert state.answers["duration"]["option"] == option  # type: ignore[index]


def test_a_typed_duration_keeps_the_words_and_reads_back(engine: IntakeEngine) -> None:
    state = typed(engine, until(engine, "duration"), "about 8 months")
    assert state.answers["duration"] == {
        "date": "2026-04-06",  # 8 calendar months before 6 December
        "typed": "about 8 months",
        "option": "6_to_12_months",
    }
    for vague in ("ages", "for months", "weeks"):  # asked for a number, never guessed
        unknown = engine.apply(until(engine, "duration"), Typed(vague))
        assert unknown.outcome is Outcome.INVALID and "about 8 months" in unknown.hint


def test_numbers_at_numeric_questions_are_answers(engine: IntakeEngine) -> None:
    state = until(engine, "pain_now")
    for text in ("11", "12", "-1"):
        result = engine.apply(state, Typed(text))
        assert result.outcome is Outcome.INVALID and "from 0 to 10" in result.hint
    assert typed(engine, state, "7").answers["pain_now"] == 7
    age = until(engine, "age")
    assert typed(engine, age, "1").answers["age"] == 1
    assert engine.apply(age, Typed("121")).outcome is Outcome.INVALID
    screen = render_screen(engine, state, lambda verb, arg: f"{verb}:{arg}")
    assert screen.typed_answer  # a channel with numbered buttons passes digits on as text


@pytest.mark.parametrize("word", ["done", "Back", "skip", "next"])
def test_a_command_word_at_a_free_text_question_is_confirmed(
    engine: IntakeEngine, word: str
) -> None:
    state = until(engine, "complaint")
    asked = engine.apply(state, Typed(word))
    assert asked.outcome is Outcome.UPDATED and "complaint" not in asked.state.answers
    screen = render_screen(engine, asked.state, lambda verb, arg: f"{verb}:{arg}")
    assert f"You typed “{word}”" in screen.text
    saved = engine.apply(asked.state, Typed("yes"))
    assert saved.state.answers["complaint"] == word and saved.state.current == "regions"
    back = engine.apply(asked.state, Typed("back"))
    assert back.outcome is Outcome.MOVED and back.state.current == "age"
    tapped = engine.apply(asked.state, Tap("o", asked.state.revision, "confirm"))
    assert tapped.state.answers["complaint"] == word
    retype = engine.apply(asked.state, Tap("o", asked.state.revision, "retype"))
    assert retype.outcome is Outcome.UPDATED and retype.state.draft is None
    answer = engine.apply(asked.state, Typed("My neck hurts"))
    assert answer.state.answers["complaint"] == "My neck hurts"


def test_button_labels_typed_without_their_symbols(engine: IntakeEngine) -> None:
    state = until(engine, "qualities")
    state = typed(engine, state, "burning", "Done ✔")
    assert state.current == "signs"
    review = engine.start()
    review = typed(engine, review, *TYPED_PATH)
    assert review.current == REVIEW
    assert engine.apply(review, Typed("Send to the clinic")).outcome is Outcome.SUBMITTED
    assert engine.apply(review, Typed("send to the clinic ✔")).outcome is Outcome.SUBMITTED


def test_none_of_these_on_an_untouched_screen_is_one_tap(engine: IntakeEngine) -> None:
    state = until(engine, "health_screen")
    none = next(i for i, o in enumerate(engine.flow.step("health_screen").options) if o.exclusive)  # type: ignore[union-attr]
    result = engine.apply(state, Tap("t", state.revision, str(none)))
    assert result.outcome is Outcome.ANSWERED and result.state.answers["health_screen"] == ["none"]
    shown = {step.id for step in engine.applicable(result.state.answers)}
    assert not shown & {"bleeding_details", "heart_details", "immune_details", "allergy_details"}


# --- flags -----------------------------------------------------------------------------


def _flags(engine: IntakeEngine, path: list[str]) -> list[str]:
    state = engine.start()
    for text in path:
        state = engine.apply(state, Typed(text)).state
    assert state.current == REVIEW, state.current
    return [flag.id for flag in engine.raised_flags(state.answers)]


def test_new_pain_after_50_and_thoracic_pain_are_urgent(engine: IntakeEngine) -> None:
    assert TYPED_ANSWERS["age"] == "42" and TYPED_ANSWERS["episodes"] == "first time"
    new = typed_path(age="62", duration="3 weeks")
    assert "new_pain_over_50" in _flags(engine, new)
    assert "new_pain_over_50" not in _flags(engine, typed_path(age="45", duration="3 weeks"))
    assert "new_pain_over_50" not in _flags(engine, typed_path(age="62"))  # over a year
    path = typed_path(regions="middle of the back, done")
    path.remove("left")
    path.remove("shoulder blade")
    flags = _flags(engine, path)
    assert "thoracic_pain" in flags and engine.flow.flags["thoracic_pain"].level.value == "urgent"


def test_night_pain_with_cancer_history_stays_urgent(engine: IntakeEngine) -> None:
    flags = _flags(engine, typed_path(urgent_screen="cancer, night pain, done"))
    assert {"cancer_history", "night_pain", "cancer_night_pain"} <= set(flags)
    assert all(engine.flow.flags[f].level.value == "urgent" for f in flags)


def test_phq2_positive_screen_is_flagged_with_crisis_lines(engine: IntakeEngine) -> None:
    state = until(engine, "mood_interest")
    state = typed(engine, state, "more than half the days")
    result = engine.apply(state, Typed("several days"))
    assert [flag.id for flag in result.raised] == ["mood_positive"]
    assert "9-8-8" in result.raised[0].message and "911" in result.raised[0].message
    assert engine.score_total("phq2", result.state.answers) == 3
    negative = engine.apply(state, Typed("not at all"))
    assert negative.raised == ()


# --- consent to treatment ----------------------------------------------------------------


async def test_consent_questions_notes_staff_and_no_is_first_for_the_clinician(
    patient: Patient, repository: IntakeRepository
) -> None:
    await patient.command("intake")
    for text in typed_until("treatment_consent"):
        await patient.say(text)
    assert "collapsed lung" in patient.text and "hours after" in patient.text
    await patient.tap("I have questions first")
    await patient.tap("The patient")
    # Nothing reaches the clinic before the form is sent: the answer may still change.
    assert patient.staff == [] and "someone will contact you" not in patient.text
    assert "Please check your answers" in patient.text  # the form goes on
    number = next(
        line.split(".")[0] for line in patient.text.splitlines() if "to IMS treatment?" in line
    )
    await patient.say(f"change {number}")
    await patient.tap("No")
    await patient.tap("The patient")
    assert patient.staff == []
    await patient.tap("Send to the clinic")
    # Sent: the patient reads what the clinic will do, and staff get the consent note.
    assert "No needling will be done without your agreement" in patient.text
    consent_note, summary_note = patient.staff
    assert "answered No to consent" in consent_note.text
    summary = summary_note.text
    assert summary.index("CONSENT TO TREATMENT") < summary.index("RED FLAGS")
    assert "NOT GIVEN" in summary.split("RED FLAGS")[0]
    [stored] = await repository.all()
    record = stored.state.treatment_consent
    assert record is not None and record["answer"] == "decline"
    assert record["version"] == "ims-consent-2026-12-2" and record["at"]
    overview = intake_overview(stored.summary or {})
    assert overview.consent is not None and not overview.consent.given
    assert overview.consent.version == "ims-consent-2026-12-2"


def test_consent_time_and_version_are_in_the_summary_and_fhir(engine: IntakeEngine) -> None:
    state = typed(engine, engine.start(), *TYPED_PATH)
    assert state.treatment_consent == {
        "version": "ims-consent-2026-12-2",
        "answer": "agree",
        "at": NOW.isoformat(),
        "given_by": "patient",
    }
    state = engine.apply(state, Typed("send")).state
    summary = build_summary(engine, state, intake_id=3, chat_id=4, submitted_at=NOW)
    text = summary_text(summary, UTC)
    assert (
        "- agreed (given by: the patient; consent text ims-consent-2026-12-2, "
        "2026-12-06 09:30 UTC)" in text
    )
    # Staff read clinic time, as everywhere else (the note, `intake export`).
    toronto = summary_text(summary, ZoneInfo("America/Toronto"))
    assert "2026-12-06 04:30 EST)" in toronto and "submitted 2026-12-06 04:30 EST" in toronto
    assert "UTC" not in toronto
    assert "Choose all that apply" not in text and "tap Done" not in text
    assert text.index("ABOUT THE PATIENT") < text.index("Who is filling in this form?")
    assert "Who is filling in this form?" not in text.split("NEEDLING SAFETY")[1].split("\n\n")[0]
    response = questionnaire_response(engine, state, intake_id=3, authored=NOW)
    QuestionnaireResponse.model_validate(response)


def test_overview_lists_flags_consent_and_precautions(engine: IntakeEngine) -> None:
    path = list(TYPED_PATH)
    safety = len(typed_until("health_screen"))
    path[safety : safety + 1] = [
        "blood thinners, heart, done",
        "anticoagulant, done",
        "afib, angina, done",
    ]
    state = typed(engine, engine.start(), *path)
    summary = build_summary(engine, state, intake_id=1, chat_id=2, submitted_at=NOW)
    overview = intake_overview(json.loads(json.dumps(summary)))
    assert overview.consent is not None and overview.consent.given
    joined = " | ".join(overview.precautions)
    assert "An anticoagulant" in joined and "Irregular heartbeat" in joined
    assert "Angina" in joined and "ibuprofen when needed" in joined
    assert intake_overview({"flags": []}).consent is None  # an older summary reads empty


# --- self-harm typed anywhere, through the real safety screen ----------------------------


async def test_self_harm_typed_at_an_intake_question_gets_crisis_lines(tmp_path: Path) -> None:
    runtime = await build_runtime(runtime_settings(tmp_path))
    try:
        chat = ChatRef(777)
        assistant = runtime.assistant
        await assistant.handle_command(chat, "intake", [])
        for text in ["yes", "me", "42"]:
            await assistant.handle_text(chat, text)
        replies = await assistant.handle_text(
            chat, "honestly the pain is so bad I have been thinking about ending my life"
        )
        text = "\n".join(reply.text for reply in replies if not reply.for_staff)
        assert "9-8-8" in text
    finally:
        await runtime.close()


# --- exports: emergency-stopped intakes, and intakes of the older flow --------------------


async def _store(
    repository: IntakeRepository, flow_path: Path, path: list[str], *, old: bool = False
) -> int:
    loaded = load_flow_file(flow_path)
    engine = IntakeEngine(loaded.flow, today=lambda: TODAY, now=lambda: NOW)
    state = engine.start()
    for text in path:
        state = engine.apply(state, Typed(text)).state
    if old:  # as the previous code stored it: no fields it did not know
        data = state.to_json()
        for key in ("treatment_consent", "emergency_rule"):
            data.pop(key)
        state = IntakeState.from_json(data)
    stored = await repository.create(PATIENT_CHAT, loaded, state)
    if state.current == REVIEW:
        stored.state = engine.apply(state, Typed("send")).state
        summary = build_summary(
            engine, stored.state, intake_id=stored.id, chat_id=1, submitted_at=NOW
        )
        if old:
            for key in ("status", "treatment_consent", "precautions"):
                summary.pop(key)
        stored.summary = summary
    await repository.save(stored)
    return stored.id


PATIENT_CHAT = 4242


def _use_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'intake.sqlite3'}")
    monkeypatch.setenv("IMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DATA_ENCRYPTION_KEY", TEST_KEY)
    monkeypatch.setenv("CONTENT_DIR", str(REPO / "content"))


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["intake", *args]) == 0
    return capsys.readouterr().out


async def _with_repository(tmp_path: Path, work: Any) -> Any:
    database = await open_database(f"sqlite+aiosqlite:///{tmp_path / 'intake.sqlite3'}")
    try:
        return await work(IntakeRepository(database, FieldCipher(TEST_KEY.encode())))
    finally:
        await database.close()


def test_emergency_stopped_exports_and_list_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def prepare(repository: IntakeRepository) -> tuple[int, int]:
        stopped = await _store(repository, SHIPPED_FLOW, typed_until("regions_side"))
        typed_stop = await repository.get(stopped)
        assert typed_stop is not None
        typed_stop.state.stop_for_emergency("suicide_self_harm")
        await repository.save(typed_stop)
        to_screen = typed_until("emergency_screen")
        return stopped, await _store(repository, SHIPPED_FLOW, [*to_screen, "1, done"])

    stopped, tapped = asyncio.run(_with_repository(tmp_path, prepare))
    _use_database(tmp_path, monkeypatch)
    lines = _cli(capsys, "list").splitlines()
    assert lines[0].split("\t")[1] == "stopped_emergency"
    assert lines[0].endswith("flags emergency:typed:suicide_self_harm")
    assert "emergency:cauda_equina" in lines[1]
    for intake_id in (stopped, tapped):
        text = _cli(capsys, "export", str(intake_id), "--format", "text")
        assert "STOPPED BY AN EMERGENCY, not submitted" in text.splitlines()[1]
        assert "submitted 2026" not in text
        fhir = json.loads(_cli(capsys, "export", str(intake_id), "--format", "fhir"))
        assert fhir["status"] == "stopped"
    assert "EMERGENCY: Emergency typed in the chat" in _cli(
        capsys, "export", str(stopped), "--format", "text"
    )


def test_intakes_of_the_older_flow_still_display_and_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async def prepare(repository: IntakeRepository) -> tuple[int, int]:
        submitted = await _store(repository, OLD_FLOW, OLD_TYPED_PATH, old=True)
        return submitted, await _store(repository, OLD_FLOW, OLD_TYPED_PATH[:8], old=True)

    submitted, half = asyncio.run(_with_repository(tmp_path, prepare))
    _use_database(tmp_path, monkeypatch)
    lines = _cli(capsys, "list").splitlines()
    assert lines[0].split("\t")[1] == "submitted" and lines[1].split("\t")[1] == "in_progress"
    assert "\tconsent -\t" in lines[0]  # the older form had no consent to treatment
    text = _cli(capsys, "export", str(submitted), "--format", "text")
    assert "v2026.11.1, submitted 2026-12-06 04:30 EST" in text  # clinic time
    assert "CONSENT TO TREATMENT\n- not recorded" in text
    assert "Burning pain in my left shoulder blade" in text
    data = json.loads(_cli(capsys, "export", str(submitted), "--format", "json"))
    assert data["answers"]["needled_before"] is False
    for intake_id in (submitted, half):
        fhir = json.loads(_cli(capsys, "export", str(intake_id), "--format", "fhir"))
        QuestionnaireResponse.model_validate(fhir)
        assert fhir["questionnaire"].endswith("|2026.11.1")
    assert "in progress, not submitted" in _cli(capsys, "export", str(half), "--format", "text")
    assert Status.IN_PROGRESS.value in lines[1]


def test_an_older_flow_in_progress_is_not_told_twice_how_to_answer() -> None:
    old = IntakeEngine(load_flow_file(OLD_FLOW).flow, today=lambda: TODAY)
    state = old.start()
    for text in OLD_TYPED_PATH[: OLD_TYPED_PATH.index("burning, pins and needles, done")]:
        state = old.apply(state, Typed(text)).state
    assert state.current == "qualities"
    text = render_screen(old, state, lambda verb, arg: f"{verb}:{arg}").text
    assert text.count("then tap Done") == 1


def test_a_bad_database_url_is_reported_before_any_key_file_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use_database(tmp_path, monkeypatch)
    monkeypatch.delenv("DATA_ENCRYPTION_KEY")
    monkeypatch.setenv("DATABASE_URL", "postgresql+nosuchdriver://clinic/db")
    assert main(["intake", "list"]) == 2
    errors = capsys.readouterr().err
    assert "DATABASE_URL" in errors and "key file" not in errors
    assert not (tmp_path / "data" / "data-encryption.key").exists()
