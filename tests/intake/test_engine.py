"""The pure engine and typed-answer parsing, without storage or channels."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.intake.answers import match_option, normalise, parse_scale, parse_yes_no
from bot.intake.engine import (
    REVIEW,
    IntakeEngine,
    IntakeState,
    Outcome,
    Progress,
    Status,
    Tap,
    Typed,
)
from bot.intake.flow import AnswerValue, Option, Step, StepType
from bot.intake.flow_file import load_flow_file, parse_flow
from bot.intake.screens import screen
from bot.intake.step_types import KINDS, Answer, Refuse, format_answer, kind_of
from tests.intake.kit import (
    SHIPPED_FLOW,
    TYPED_ANSWERS,
    TYPED_PATH,
    state_at,
    typed_path,
    typed_until,
)

TODAY = date(2026, 11, 21)


@pytest.fixture(scope="module")
def engine() -> IntakeEngine:
    return IntakeEngine(load_flow_file(SHIPPED_FLOW).flow, today=lambda: TODAY)


def run(engine: IntakeEngine, state: IntakeState, *events: str | tuple[str, str]) -> IntakeState:
    for event in events:
        if isinstance(event, tuple):
            result = engine.apply(state, Tap(event[0], state.revision, event[1]))
        else:
            result = engine.apply(state, Typed(event))
        assert result.outcome is not Outcome.INVALID, (event, result.hint)
        state = result.state
    return state


@pytest.mark.parametrize(
    ("text", "value"),
    [("7", 7), ("7/10", 7), ("7 / 10", 7), ("7 out of 10", 7), ("seven", 7), ("0", 0), ("10", 10)],
)
def test_scale_accepts_what_patients_type(text: str, value: int) -> None:
    assert parse_scale(text) == value


@pytest.mark.parametrize(
    "text", ["11", "-1", "7.5", "lots", "", "7/5", "disc bulge L4", "it's my C7 nerve"]
)
def test_scale_rejects_the_rest(text: str) -> None:
    assert parse_scale(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("yes", True), ("Y", True), ("yeah", True), ("Yep!", True), ("no", False), ("nope", False),
     ("Nah", False), ("maybe", None)],
)  # fmt: skip
def test_yes_no_words(text: str, value: bool | None) -> None:
    assert parse_yes_no(text) is value


def test_options_by_number_label_typo_alias_and_word() -> None:
    options = (
        Option("a", "Gradually, for no clear reason"),
        Option("b", "After an injury or accident"),
        Option("c", "Lower back", aliases=("lumbar",)),
    )
    assert match_option("2", options) == 1
    assert match_option("gradualy, for no clear reason", options) == 0
    assert match_option("LUMBAR", options) == 2
    assert match_option("injury", options) == 1
    assert match_option("4", options) is None
    assert match_option("spleen", options) is None


def typed_at(step: Step, text: str) -> Answer | Refuse:
    effect = kind_of(step).typed(step, None, text, normalise(text), TODAY)
    assert isinstance(effect, Answer | Refuse), effect
    return effect


def test_number_and_text_and_date_hints() -> None:
    number = Step("n", StepType.NUMBER, "Age?", minimum=1, maximum=120)
    assert typed_at(number, "42 years") == Answer(42)
    assert isinstance(typed_at(number, "0"), Refuse)
    assert isinstance(typed_at(number, "4.5"), Refuse)
    text = Step("t", StepType.TEXT, "Why?", max_length=5)
    assert "under 5" in typed_at(text, "too long").hint  # type: ignore[union-attr]
    when = Step("w", StepType.DATE_OR_DURATION, "Since?", options=(Option("x", "A while"),))
    assert typed_at(when, "15/03/2026") == Answer({"date": "2026-03-15"})
    assert typed_at(when, "a while") == Answer({"option": "x"})
    assert isinstance(typed_at(when, "2026-02-30"), Refuse)


def test_every_step_type_has_one_kind_with_its_keys_and_fhir_type() -> None:
    assert set(KINDS) == set(StepType)
    for step_type, kind in KINDS.items():
        assert kind.type is step_type and kind.fhir_type


def test_start_with_consent_then_progress(engine: IntakeEngine) -> None:
    state = engine.start()
    assert state.current == "consent"
    progress = engine.progress(state)
    assert progress is not None and progress.position == 1
    total = progress.total
    assert total < len(engine.flow.questions)  # detail questions not counted
    state = run(engine, state, "yes")
    assert state.consent_version == "privacy-2026-11"
    assert engine.progress(state) == Progress(2, total)


def test_decline_clears_everything(engine: IntakeEngine) -> None:
    state = engine.start()
    result = engine.apply(state, Tap("o", state.revision, "1"))
    assert result.outcome is Outcome.DECLINED and result.state.answers == {}


def test_regions_with_sides_and_worst(engine: IntakeEngine) -> None:
    state = run(engine, engine.start(), "yes", "me", "40", "pain")
    state = run(
        engine, state, ("t", "4"), ("t", "3"), ("t", "21"), ("d", "")
    )  # shoulder, neck, lower leg
    assert "shoulder" in screen(engine, state, lambda v, a: f"x:{v}:{a}").text.lower()
    state = run(engine, state, ("o", "1"), "both")  # right shoulder; both lower legs
    stale = engine.apply(state, Tap("o", state.revision - 1, "0"))
    assert stale.outcome is Outcome.STALE
    state = run(engine, state, "lower leg")
    assert state.answers["regions"] == {
        "regions": [
            {"region": "neck", "side": "centre"},
            {"region": "shoulder", "side": "right"},
            {"region": "lower_leg", "side": "both"},
        ],
        "worst": "lower_leg",
    }
    assert state.current == "duration"


def test_conditions_any_of_includes_answered(engine: IntakeEngine) -> None:
    answers: dict[str, object] = {"onset": "injury", "health_screen": ["lymphoedema"]}
    shown = {step.id for step in engine.applicable(answers)}  # type: ignore[arg-type]
    assert {"onset_details", "lymphoedema_side"} <= shown
    assert "bleeding_details" not in shown and "treatment_effect" not in shown
    answers["treatments"] = ["physio"]
    assert "treatment_effect" in {s.id for s in engine.applicable(answers)}  # type: ignore[arg-type]


CONDITIONS_FLOW = {
    "id": "f", "version": "1", "title": "F",
    "steps": [
        {"id": "c", "type": "consent", "version": "1", "text": "ok?"},
        {"id": "s", "type": "scale", "text": "pain?"},
        {"id": "hi", "type": "text", "text": "why so high?", "when": {"step": "s", "gt": 6}},
        {"id": "lo", "type": "yesno", "text": "fine?", "when": {"step": "s", "lt": 3}},
        {"id": "m", "type": "multi", "text": "which?", "options": [{"id": "a", "label": "A"}]},
    ],
}  # fmt: skip


def conditions_engine() -> IntakeEngine:
    flow, problems = parse_flow(CONDITIONS_FLOW, "test")
    assert flow is not None, problems
    return IntakeEngine(flow)


def test_gt_lt_conditions_and_required_multi() -> None:
    engine = conditions_engine()
    state = run(engine, engine.start(), "yes", "9")
    assert state.current == "hi"
    state = run(engine, state, ("b", ""), "1")
    assert state.current == "lo"
    state = run(engine, state, "no")
    empty = engine.apply(state, Tap("d", state.revision, ""))
    assert empty.outcome is Outcome.INVALID and "at least one" in empty.hint
    state = run(engine, state, "a, done")
    assert state.current == REVIEW
    result = engine.apply(state, Typed("submit"))
    assert result.outcome is Outcome.SUBMITTED and result.state.status is Status.SUBMITTED
    assert engine.apply(result.state, Typed("hello")).outcome is Outcome.CLOSED


def test_steps_that_apply_follow_every_change_of_the_answers() -> None:
    engine = conditions_engine()
    low: dict[str, AnswerValue] = {"c": True, "s": 1}
    assert [step.id for step in engine.applicable(low)] == ["c", "s", "lo", "m"]
    assert engine.next_step(low) == "lo"
    # True equals 1 in Python, but a yes is no pain score: asked again, the walk differs.
    assert [step.id for step in engine.applicable({"c": True, "s": True})] == ["c", "s", "m"]
    low["s"] = 5  # the same dict, changed after it was walked
    assert [step.id for step in engine.applicable(low)] == ["c", "s", "m"]
    assert engine.next_step({"c": True, "s": 2}) == "lo"


def test_required_step_cannot_be_skipped_and_first_cannot_go_back(engine: IntakeEngine) -> None:
    state = engine.start()
    assert engine.apply(state, Typed("back")).outcome is Outcome.INVALID
    state = run(engine, state, "yes")
    result = engine.apply(state, Tap("s", state.revision, ""))
    assert result.outcome is Outcome.INVALID and "needs an answer" in result.hint


def test_state_round_trips_through_json(engine: IntakeEngine) -> None:
    state = run(engine, engine.start(), "yes", "me", "40", "pain", ("t", "4"))
    assert IntakeState.from_json(state.to_json()) == state


def test_scores_sum_weights_and_pick_a_band(tmp_path: Path) -> None:
    from bot.intake.summary import build_summary, summary_text

    data = {
        "id": "f", "version": "1", "title": "F",
        "scores": [{"id": "demo", "title": "Demo", "steps": ["m"],
                    "bands": [{"from": 0, "to": 2, "label": "low"},
                              {"from": 3, "to": 9, "label": "high"}]}],
        "steps": [
            {"id": "c", "type": "consent", "version": "1", "text": "ok?"},
            {"id": "m", "type": "multi", "text": "which?",
             "options": [{"id": "a", "label": "A", "weight": 2},
                         {"id": "b", "label": "B", "weight": 1.5}]},
        ],
    }  # fmt: skip
    flow, problems = parse_flow(data, "test")
    assert flow is not None, problems
    engine = IntakeEngine(flow)
    state = run(engine, engine.start(), "yes", "a, b", "done")
    from datetime import UTC, datetime

    summary = build_summary(engine, state, intake_id=1, chat_id=2, submitted_at=datetime.now(UTC))
    assert summary["scores"] == [
        {"id": "demo", "title": "Demo", "total": 3.5, "band": "high", "complete": True}
    ]
    assert "Demo: 3.5 (high)" in summary_text(summary, UTC)


def test_review_accepts_typed_change_and_send(engine: IntakeEngine) -> None:
    state = engine.start()
    for text in TYPED_PATH:
        state = engine.apply(state, Typed(text)).state
    assert state.current == REVIEW
    moved = engine.apply(state, Typed("change 3"))  # consent is question 1, not listed
    assert moved.outcome is Outcome.MOVED and moved.state.current == "age"
    back = run(engine, moved.state, "43")
    assert back.current == REVIEW and back.answers["age"] == 43
    wrong = engine.apply(back, Typed("change 99"))
    assert wrong.outcome is Outcome.INVALID and "from 2 to" in wrong.hint
    assert engine.apply(back, Typed("send")).outcome is Outcome.SUBMITTED


def test_each_typed_answer_of_the_kit_answers_the_step_it_is_named_after(
    engine: IntakeEngine,
) -> None:
    state = engine.start()
    for name, text in TYPED_ANSWERS.items():
        # a body-map step asks its side and worst region under its own id, a consent to
        # treatment who gives it
        part_of = {"regions_side": "regions", "regions_worst": "regions"}
        part_of["treatment_consent_by"] = "treatment_consent"
        assert state.current in (name, part_of.get(name)), (name, text, state.current)
        result = engine.apply(state, Typed(text))
        assert result.outcome is not Outcome.INVALID, (name, text, result.hint)
        state = result.state
    assert state.current == REVIEW
    assert typed_until("age") == ["yes", "me"]
    assert typed_path(age="62")[2] == "62" and typed_path(age="62")[3:] == TYPED_PATH[3:]


def test_the_engine_knows_no_channel_or_reply() -> None:
    import ast

    source = Path(__file__).resolve().parents[2] / "bot" / "intake" / "engine.py"
    imported = {
        node.module or ""
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom)
    }
    # Shared text reading (bot.core.text, bot.core.small_talk) is fine; replies, channels
    # and other features are not.
    forbidden = ("bot.core.replies", "bot.core.assistant", "bot.channels", "bot.faq", "bot.web")
    assert not {name for name in imported if name.startswith(forbidden)}


def test_drafts_are_typed_and_read_the_older_stored_shape(engine: IntakeEngine) -> None:
    from bot.intake.engine import Draft, Phase

    old = {"current": "regions", "draft": {"phase": "side", "selected": ["knee"], "sides": {}}}
    state = IntakeState.from_json(old)
    assert state.draft == Draft(selected=["knee"], phase=Phase.SIDE)
    assert IntakeState.from_json(
        {"current": "qualities", "draft": {"selected": ["burning"]}}
    ).draft == Draft(selected=["burning"])
    assert IntakeState.from_json(state.to_json()) == state


def test_a_date_answer_reads_in_words_in_the_review() -> None:
    when = Step("w", StepType.DATE_OR_DURATION, "Since?", options=(Option("x", "A while"),))
    # As the reminders write dates ("Tuesday 10 March 2026"), never "since 2026-03-15".
    assert format_answer(when, {"date": "2026-03-15", "option": "x"}) == (
        "since 15 March 2026 (A while)"
    )


@pytest.mark.parametrize("text", ["ok", "okay", "sure", "y", "yeah", "yse", "k", "d'accord"])
def test_consent_is_not_given_by_an_ok_or_a_slip(engine: IntakeEngine, text: str) -> None:
    result = engine.apply(engine.start(), Typed(text))
    assert result.outcome is Outcome.INVALID and "clear yes" in result.hint
    assert result.state.consent_version is None and not result.state.answers
    reply = screen(engine, result.state, lambda verb, arg: f"{verb}:{arg}")
    assert [b.label for b in reply.buttons][:2] == ["Yes, I agree", "No"]


@pytest.mark.parametrize("text", ["yes", "Yes, I agree", "I agree", "i consent", "yes i do"])
def test_consent_is_given_by_a_clear_yes(engine: IntakeEngine, text: str) -> None:
    result = engine.apply(engine.start(), Typed(text))
    assert result.outcome is Outcome.ANSWERED and result.state.consent_version


def test_other_yes_no_questions_still_take_an_ok() -> None:
    asked = Step("smoker", StepType.YESNO, "Do you smoke?")
    assert kind_of(asked).typed(asked, None, "ok", "ok", TODAY) == Answer(True)


@pytest.mark.parametrize("text", ["where it hurts", "this is where it hurts"])
def test_pointing_at_the_pain_in_words_names_no_body_area(engine: IntakeEngine, text: str) -> None:
    """A patient who answers the pain map with "where it hurts" is asked again, not
    recorded as having pain all over."""
    step = next(s for s in engine.flow.steps if any(o.id == "widespread" for o in s.options))
    assert match_option(text, step.options) is None
    everywhere = next(i for i, o in enumerate(step.options) if o.id == "widespread")
    assert match_option("everywhere", step.options) == everywhere


@pytest.mark.parametrize(
    ("text", "value"), [("not at all", 0), ("Not at all.", 0), ("none", 0), ("completely", 10)]
)
def test_a_scale_takes_the_words_its_prompt_gives_for_0_and_10(
    engine: IntakeEngine, text: str, value: int
) -> None:
    step = next(s for s in engine.flow.steps if s.id == "interferes_daily")
    effect = kind_of(step).typed(step, None, text, normalise(text), TODAY)
    assert effect == Answer(value)


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        ("it hurts everywhere", ["widespread"]),
        ("my whole body hurts", ["widespread"]),
        ("I hurt all over", ["widespread"]),
        ("pretty much everywhere", ["widespread"]),
        ("everything hurts", ["widespread"]),
        ("my knee hurts", ["knee"]),
        ("sore neck and shoulders", ["neck", "shoulder"]),
        ("neck pain, lower back pain", ["neck", "lower_back"]),
        ("my lower back is sore", ["lower_back"]),
    ],
)
def test_the_pain_map_reads_the_place_in_a_sentence_about_the_pain(
    engine: IntakeEngine, text: str, areas: list[str]
) -> None:
    """Words for the pain ("hurts", "sore", "aches") are not a place: the area named with
    them is ticked, and pain everywhere is the widespread-pain answer the clinician sees."""
    result = engine.apply(state_at(engine, "regions"), Typed(text))
    assert result.outcome is Outcome.UPDATED and result.state.draft is not None
    assert result.state.draft.selected == areas and result.state.draft.confirm is None


@pytest.mark.parametrize("text", ["pain", "it hurts", "where it hurts", "my back hurts"])
def test_an_answer_naming_no_single_place_is_asked_again_with_what_to_type(
    engine: IntakeEngine, text: str
) -> None:
    """ "pain" alone is not pain all over (the option's label holds the word), and "back"
    is three areas: the answer is quoted back with the areas to type, all over included."""
    result = engine.apply(state_at(engine, "regions"), Typed(text))
    assert result.outcome is Outcome.INVALID
    assert f"I could not match '{text}'" in result.hint
    assert "All over (widespread pain)" in result.hint and "Lower back" in result.hint


@pytest.mark.parametrize("step_id", ["regions", "qualities"])
@pytest.mark.parametrize("text", ["😀", ".", "x" * 4096])
def test_a_choice_typed_as_nothing_readable_or_a_pasted_page_is_asked_again_briefly(
    engine: IntakeEngine, step_id: str, text: str
) -> None:
    """An emoji or a full stop is not quoted back as '' and a pasted page is not repeated
    whole (it took two Telegram messages): the hint says what to type."""
    result = engine.apply(state_at(engine, step_id), Typed(text))
    assert result.outcome is Outcome.INVALID
    assert "''" not in result.hint and len(result.hint) < 700
    # Several answers may be chosen: the hint says so (tests/intake/test_newcomer_r20.py).
    assert "numbers or names" in result.hint.lower() and "(1 " in result.hint
