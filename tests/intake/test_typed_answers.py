"""Typed answers a newcomer expected to work (round 8): greetings, short words, sides with
body parts, lists that tick and finish, number words, plain review wording, a steady count."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.intake.answers import match_option, spelt_number
from bot.intake.engine import REVIEW, IntakeEngine, IntakeState, Outcome, Tap, Typed
from bot.intake.flow_file import load_flow_file
from bot.intake.screens import screen
from bot.intake.summary import build_summary, summary_text
from tests.intake.kit import SHIPPED_FLOW, TYPED_ANSWERS, TYPED_PATH, state_at

TODAY = date(2026, 12, 6)


@pytest.fixture(scope="module")
def engine() -> IntakeEngine:
    return IntakeEngine(load_flow_file(SHIPPED_FLOW).flow, today=lambda: TODAY)


at = state_at


def say(engine: IntakeEngine, state: IntakeState, *texts: str) -> IntakeState:
    for text in texts:
        result = engine.apply(state, Typed(text))
        assert result.outcome is not Outcome.INVALID, (text, result.hint)
        state = result.state
    return state


def shown(engine: IntakeEngine, state: IntakeState) -> str:
    return screen(engine, state, lambda verb, arg: f"{verb}:{arg}").text


def test_a_greeting_is_not_an_answer_and_two_letters_pick_nothing(engine: IntakeEngine) -> None:
    options = engine.flow.step("regions").options  # type: ignore[union-attr]
    assert match_option("hi", options) is None  # was Hip: ratio("hi", "hip") is 80
    assert match_option("hip", options) == match_option("hipp", options) is not None
    ankle = match_option("ankle", options)
    assert ankle is not None and match_option("ankel", options) == ankle  # one slip, kept
    assert match_option("tight", options) is None  # not "thigh": two slips in five letters
    state = at(engine, "regions")
    for greeting in ("hi", "Hello!", "thanks"):
        result = engine.apply(state, Typed(greeting))
        assert result.outcome is Outcome.INVALID and not result.maybe_question
        assert result.hint.startswith(("Hello!", "You're welcome")), result.hint
        assert result.state.draft is None or not result.state.draft.selected
    complaint = engine.apply(at(engine, "complaint"), Typed("hi"))  # free text too
    assert complaint.outcome is Outcome.INVALID and "complaint" not in complaint.state.answers


def test_sides_typed_with_body_parts_are_kept_and_not_asked_again(engine: IntakeEngine) -> None:
    state = say(engine, at(engine, "regions"), "neck, left shoulder, right shoulder")
    assert state.draft is not None and state.draft.selected == ["neck", "shoulder"]
    assert "Selected: Neck, Shoulder (both)" in shown(engine, state)
    state = say(engine, state, "done")  # no side question: it was said
    assert "bothers you most" in shown(engine, state)
    state = say(engine, state, "shoulder")
    assert state.answers["regions"] == {
        "regions": [{"region": "neck", "side": "centre"}, {"region": "shoulder", "side": "both"}],
        "worst": "shoulder",
    }


def test_what_matched_is_kept_when_part_of_a_list_is_not(engine: IntakeEngine) -> None:
    result = engine.apply(at(engine, "regions"), Typed("neck, left knee, spleen"))
    assert result.outcome is Outcome.UPDATED and "'spleen'" in result.hint
    assert result.state.draft is not None and result.state.draft.selected == ["neck", "knee"]
    assert result.state.draft.sides == {"knee": "left"}
    state = say(engine, result.state, "done")
    assert "bothers you most" in shown(engine, state)  # the knee's side was said


def test_typed_options_tick_like_a_typed_label_and_done_finishes(engine: IntakeEngine) -> None:
    state = say(engine, at(engine, "easing"), "heat")
    assert state.current == "easing" and "Selected: Heat" in shown(engine, state)
    state = say(engine, state, "stretching, done")
    assert state.answers["easing"] == ["heat", "stretching"]
    state = say(engine, at(engine, "easing"), "heat, stretching, done")
    assert state.answers["easing"] == ["heat", "stretching"]


@pytest.mark.parametrize(
    ("step_id", "text", "ids"),
    [
        ("signs", "tight muscles", ["tight"]),
        ("qualities", "shooting", ["radiating"]),
        ("qualities", "nope", ["none"]),
        ("signs", "nothing", ["none"]),
        ("signs", "no", ["none"]),  # not "Goosebumps there for no reason"
        ("urgent_screen", "no", ["none"]),  # not "...no position helps"
    ],
)
def test_words_of_an_option_and_no_for_none_of_these(
    engine: IntakeEngine, step_id: str, text: str, ids: list[str]
) -> None:
    state = say(engine, at(engine, step_id), text)
    if state.current == step_id:  # ticked, not yet done
        state = say(engine, state, "done")
    assert state.answers[step_id] == ids


def test_a_bare_number_is_no_option_where_the_buttons_carry_none(engine: IntakeEngine) -> None:
    options = engine.flow.step("duration").options  # type: ignore[union-attr]
    assert match_option("2", options, numbered=False) is None
    result = engine.apply(at(engine, "duration"), Typed("2"))
    assert result.outcome is Outcome.INVALID and "2 what?" in result.hint
    assert "duration" not in result.state.answers


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("fourty two", 42),
        ("Forty-two", 42),
        ("quarante-deux", 42),
        ("soixante et onze", 71),
        ("quatre-vingt-dix", 90),
        ("I'm 42", 42),
        ("42 years old", 42),
        ("j'ai 42 ans", 42),
        ("one hundred and five", 105),
    ],
)
def test_age_in_words_english_and_french(engine: IntakeEngine, text: str, age: int) -> None:
    state = say(engine, at(engine, "age"), text)
    assert state.answers["age"] == age


def test_age_hint_gives_a_plausible_example(engine: IntakeEngine) -> None:
    assert spelt_number("two forty") is None and spelt_number("hello") is None
    result = engine.apply(at(engine, "age"), Typed("old enough"))
    assert result.outcome is Outcome.INVALID
    assert "for example 60" in result.hint and "for example 1." not in result.hint


def test_the_patient_review_asks_in_plain_words_staff_keep_labels(engine: IntakeEngine) -> None:
    state = say(engine, engine.start(), *TYPED_PATH)
    assert state.current == REVIEW
    review = shown(engine, state)
    for staff_label in ("PHQ-2 item 1", "Emergency red-flag screen", "Urgent red-flag screen"):
        assert staff_label not in review
    assert "little interest or pleasure in doing things?" in review
    assert "Do you have any of these right now or since the pain started? None" in review
    state = engine.apply(state, Typed("send")).state
    summary = build_summary(engine, state, intake_id=1, chat_id=2, submitted_at=datetime.now(UTC))
    assert "PHQ-2 item 1" in summary_text(summary, UTC)


def test_the_progress_total_never_changes(engine: IntakeEngine) -> None:
    path = list(TYPED_PATH)
    onset = list(TYPED_ANSWERS).index("onset")
    path[onset : onset + 1] = ["after an injury", "A fall on the ice"]  # opens a follow-up
    state = engine.start()
    totals, lines = set(), []
    for text in path:
        progress = engine.progress(state)
        if progress is not None:
            totals.add(progress.total)
            lines.append(progress.line())
        state = say(engine, state, text)
    assert len(totals) == 1
    assert "Follow-up to question 7 of 27" in lines and "Question 8 of 27" in lines


def test_each_review_number_opens_the_question_with_that_number(engine: IntakeEngine) -> None:
    path = list(TYPED_PATH)
    onset = list(TYPED_ANSWERS).index("onset")
    path[onset : onset + 1] = ["after an injury", "A fall on the ice"]  # opens a follow-up
    state = say(engine, engine.start(), *path)
    assert state.current == REVIEW
    pages = [
        b
        for b in screen(engine, state, lambda verb, arg: f"{verb}:{arg}").buttons
        if b.label.startswith("Change ")
    ]
    # A page of answers at a time, so a phone shows a few buttons; every answer on one.
    assert len(pages) <= 4 and pages[0].label.startswith("Change 2 to ")
    changes = []
    for page in pages:
        verb, arg = page.action.split(":")
        opened_page = engine.apply(state, Tap(verb, state.revision, arg)).state
        buttons = screen(engine, opened_page, lambda verb, arg: f"{verb}:{arg}").buttons
        assert len(buttons) <= 9 and buttons[-1].label.startswith("« Back")
        changes += [b for b in buttons if b.label.startswith("Change ")]
    assert changes[0].label == "Change 2"  # question 1 is the consent, which is not listed
    assert len(changes) == len(engine.review_items(state))
    for button in changes:
        number = button.label.removeprefix("Change ")
        verb, arg = button.action.split(":")
        opened = engine.apply(state, Tap(verb, state.revision, arg)).state
        progress = engine.progress(opened)
        assert progress is not None
        expected = (
            f"Follow-up to question {number[:-1]} of"
            if number[-1].isalpha()
            else (f"Question {number} of")
        )
        assert progress.line().startswith(expected), (button.label, progress.line())
        typed = engine.apply(state, Typed(f"change {number}")).state
        assert typed.current == opened.current
    assert "Change 7a" in [b.label for b in changes]


# ("back" alone is the go-back command, so it is not among them.)
@pytest.mark.parametrize("text", ["back pain", "my back, done", "fall", "cancer"])
def test_a_red_flag_is_not_ticked_by_a_few_of_its_words(engine: IntakeEngine, text: str) -> None:
    # "...a sudden tearing pain in back or belly" would stop the form with a 911 message.
    result = engine.apply(at(engine, "emergency_screen"), Typed(text))
    assert result.state.current == "emergency_screen"
    assert "emergency_screen" not in result.state.answers
    assert result.state.draft is None or not result.state.draft.selected
    assert "To record this safely" in result.hint and "type its number" in result.hint


def test_a_red_flag_named_clearly_is_ticked_and_the_rest_kept(engine: IntakeEngine) -> None:
    options = engine.flow.step("emergency_screen").options  # type: ignore[union-attr]
    chest = next(i for i, option in enumerate(options) if option.id == "chest")
    state = at(engine, "emergency_screen")
    by_number = engine.apply(state, Typed(str(chest + 1)))
    assert by_number.state.draft is not None and by_number.state.draft.selected == ["chest"]
    by_label = engine.apply(state, Typed(options[chest].label.lower()))
    assert by_label.state.draft is not None and by_label.state.draft.selected == ["chest"]
    # One clear flag and one named in part: the clear one is ticked, the other asked about,
    # and "done" does not close the screen while a red flag is still in doubt.
    mixed = engine.apply(state, Typed(f"{chest + 1}, fall, done"))
    assert mixed.state.current == "emergency_screen"
    assert mixed.state.draft is not None and mixed.state.draft.selected == ["chest"]
    assert mixed.hint.startswith("Noted. To record this safely") and "fall" in mixed.hint
    # A flagged body region stays easy to name: the regions screen is about places.
    regions = say(engine, at(engine, "regions"), "middle back")
    assert regions.draft is not None and regions.draft.selected == ["mid_back"]


@pytest.mark.parametrize(
    ("text", "option"),
    [
        *((said, "not_at_all") for said in ("none", "not at all", "nope", "never", "no")),
        ("pas du tout", "not_at_all"),
        ("a few days", "several_days"),
        ("most days", "more_than_half"),
        ("all the time", "nearly_every_day"),
    ],
)
def test_plain_answers_to_the_phq2_pick_the_choice_they_mean(
    engine: IntakeEngine, text: str, option: str
) -> None:
    for step in ("mood_interest", "mood_down"):
        state = say(engine, at(engine, step), text)
        assert state.answers[step] == option, (step, text)


@pytest.mark.parametrize("text", ["pas du tout", "jamais", "non", "nope", "quelques jours"])
def test_plain_answers_to_the_french_phq2_pick_the_choice_they_mean(text: str) -> None:
    french = IntakeEngine(load_flow_file(SHIPPED_FLOW).flow.in_language("fr"))
    state = at(IntakeEngine(load_flow_file(SHIPPED_FLOW).flow), "mood_interest")
    result = french.apply(state, Typed(text))
    # Never the opposite: "pas du tout" once read "tout" as "Tout le temps"'s word.
    wanted = "several_days" if text == "quelques jours" else "not_at_all"
    assert result.state.answers["mood_interest"] == wanted


@pytest.mark.parametrize("text", ["sometimes", "not really", "yes", "hardly ever"])
def test_an_unclear_answer_to_a_choice_is_asked_again_with_the_buttons(
    engine: IntakeEngine, text: str
) -> None:
    state = at(engine, "mood_interest")
    result = engine.apply(state, Typed(text))
    assert result.outcome is Outcome.INVALID and "1 Not at all" in result.hint
    assert "mood_interest" not in result.state.answers
    again = screen(engine, result.state, lambda verb, arg: f"{verb}:{arg}")
    assert "Nearly every day" in [button.label for button in again.buttons]


def test_idk_picks_im_not_sure_and_all_the_time_is_not_the_first_time(
    engine: IntakeEngine,
) -> None:
    assert say(engine, at(engine, "onset"), "idk").answers["onset"] == "unsure"
    # "Have you had this pain before?" "all the time": never "No, this is the first time".
    result = engine.apply(at(engine, "episodes"), Typed("all the time"))
    assert result.state.answers.get("episodes") != "first"


@pytest.mark.parametrize("text", ["no", "none", "nope", "nothing else", "no more"])
def test_no_after_ticking_options_keeps_the_ticks_as_the_answer(
    engine: IntakeEngine, text: str
) -> None:
    state = say(engine, at(engine, "aggravating"), "sitting, bending")
    state = say(engine, state, text)  # answers "add more?": the ticks are the answer
    assert state.answers["aggravating"] == ["sitting", "bending_lifting"]
