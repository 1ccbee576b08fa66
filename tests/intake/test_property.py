"""Property: random answers and taps never crash, never lose a saved answer, and always
leave the intake on a valid question, the review, or a flag."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.intake.engine import REVIEW, IntakeEngine, IntakeState, Outcome, Status, Tap, Typed, Verb
from bot.intake.flow import FlagLevel
from bot.intake.flow_file import load_flow_file
from bot.intake.repository import IntakeRepository
from bot.intake.screens import screen
from bot.storage.database import open_database
from bot.storage.encryption import FieldCipher
from tests.intake.kit import (
    SHIPPED_FLOW,
    TEST_KEY,
    TYPED_PATH,
    Patient,
    RecordingFaq,
    build_conversation,
)

ENGINE = IntakeEngine(load_flow_file(SHIPPED_FLOW).flow)
WORDS = [*TYPED_PATH, "back", "skip", "done", "ok", "submit", "7/10", "left", "both", "2",
         "1, 3", "none", "what is IMS?", "", " ", "🙂", "2026-01-01", "x" * 700, "-5", "yes",
         "no"]  # fmt: skip

taps = st.builds(
    lambda verb, fresh, rev, arg: ("tap", verb, fresh, rev, arg),
    st.sampled_from([*(v.value for v in Verb), "zz", ""]),
    st.booleans(),
    st.integers(min_value=-2, max_value=300),
    st.one_of(st.integers(min_value=-1, max_value=25).map(str), st.sampled_from(["", "a", "1:2"])),
)
texts = st.one_of(st.sampled_from(WORDS), st.text(max_size=40)).map(lambda t: ("text", t))
events = st.lists(st.one_of(taps, texts), max_size=80)


def apply(state: IntakeState, event: tuple[object, ...]) -> tuple[IntakeState, Outcome]:
    if event[0] == "tap":
        _, verb, fresh, rev, arg = event
        revision = state.revision if fresh else int(rev)  # type: ignore[call-overload]
        result = ENGINE.apply(state, Tap(str(verb), revision, str(arg)))
    else:
        result = ENGINE.apply(state, Typed(str(event[1])))
    return result.state, result.outcome


def check_valid_place(state: IntakeState) -> None:
    if state.status is Status.IN_PROGRESS:
        if state.current == REVIEW:
            return
        shown = {step.id for step in ENGINE.applicable(state.answers)}
        assert state.current in shown
    elif state.status is Status.STOPPED_EMERGENCY:
        levels = {flag.level for flag in ENGINE.raised_flags(state.answers)}
        assert FlagLevel.EMERGENCY in levels
    else:
        assert state.status in (Status.SUBMITTED, Status.DECLINED)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(TYPED_PATH) + 1), events)
def test_random_events_never_crash_or_lose_answers(
    prefix: int, script: list[tuple[object, ...]]
) -> None:
    # Start somewhere along a realistic path, so random events hit every kind of step.
    warm_up: list[tuple[object, ...]] = [("text", text) for text in ["ok", *TYPED_PATH][:prefix]]
    state = ENGINE.start()
    for event in [*warm_up, *script]:
        before = IntakeState.from_json(state.to_json())
        state, outcome = apply(state, event)
        # What storage does: JSON in, JSON out.
        state = IntakeState.from_json(state.to_json())
        if outcome is Outcome.DECLINED:
            assert state.answers == {}  # the patient withdrew consent: nothing is kept
            break
        for step_id, value in before.answers.items():
            assert step_id in state.answers, f"lost {step_id}"
            if step_id != before.current:
                assert state.answers[step_id] == value, f"changed {step_id}"
        check_valid_place(state)
        screen(
            ENGINE, state, lambda verb, arg, rev=state.revision: f"intake:{verb}:123456:{rev}:{arg}"
        )


async def _stored_answers(repository: IntakeRepository) -> dict[str, object]:
    intakes = await repository.all()
    return dict(intakes[-1].state.answers) if intakes else {}


async def _drive_with_storage(script: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = await open_database(f"sqlite+aiosqlite:///{Path(folder) / 'p.sqlite3'}")
        try:
            repository = IntakeRepository(database, FieldCipher(TEST_KEY.encode()))
            assistant, _ = build_conversation(database, repository, faq=RecordingFaq())
            patient = Patient(assistant)
            await patient.command("intake")
            saved: dict[str, object] = {}
            # Past the welcome and consent, so the random part reaches the questions.
            for kind, value in [("tap", "0"), ("text", "yes"), *script]:
                if kind == "tap" and patient.last and any(r.buttons for r in patient.last):
                    buttons = [b for r in patient.last for b in r.buttons]
                    await patient.press(buttons[int(value) % len(buttons)].action)
                elif kind == "old":
                    await patient.press(f"intake:o:1:{value}:0")
                else:
                    await patient.say(value)
                if not await repository.all() or (await repository.all())[-1].status.value != (
                    "in_progress"
                ):
                    break  # declined, sent or stopped: nothing more for the intake to do
                if kind != "text" or value.strip():  # the core ignores blank messages
                    assert patient.last, "every message gets a reply while the intake is open"
                now = await _stored_answers(repository)
                declined = any("nothing has been saved" in r.text for r in patient.last)
                if not declined:
                    assert set(saved) <= set(now), "a saved answer was lost"
                saved = now
        finally:
            await database.close()


storage_events = st.lists(
    st.one_of(
        st.tuples(st.just("tap"), st.integers(0, 40).map(str)),
        st.tuples(st.just("old"), st.integers(0, 30).map(str)),
        st.tuples(st.just("text"), st.sampled_from(WORDS)),
    ),
    max_size=30,
)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(storage_events)
def test_random_taps_and_text_through_storage_never_lose_saved_answers(
    script: list[tuple[str, str]],
) -> None:
    asyncio.run(_drive_with_storage(script))
