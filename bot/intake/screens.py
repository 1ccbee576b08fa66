"""The intake's screens: what the engine asks, as core replies with buttons.

The engine (`bot.intake.engine`) decides what to ask and records answers; this module
words the question, numbers the progress and draws the buttons. The conversation sends
the result to whichever channel the patient uses.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.replies import Button, Reply
from bot.intake.answers import SIDE_LABELS, format_answer
from bot.intake.engine import (
    REVIEW,
    SUBMIT_LABEL,
    Draft,
    IntakeEngine,
    IntakeState,
    Phase,
    Verb,
)
from bot.intake.flow import PAIRED_SIDES, Step, StepType

# Builds a button action from a verb and an argument; the conversation adds the session
# and revision so a stale button can be recognised.
ActionMaker = Callable[[str, str], str]
MAX_REVIEW_LINE = 70
MULTI_INSTRUCTION = "Choose all that apply, then tap Done."
REGIONS_INSTRUCTION = "Choose every area that hurts, then tap Done."
DURATION_INSTRUCTION = (
    'Choose one, or type how long (for example "about 8 months" or "2 yrs") '
    'or when it began (for example "since March").'
)
# Screens whose answer is typed (a number, a duration, text): a channel that numbers its
# buttons must pass typed digits through as the answer, never as a button number.
TYPED_ANSWER_TYPES = frozenset(
    {StepType.SCALE, StepType.NUMBER, StepType.TEXT, StepType.DATE_OR_DURATION}
)


def screen(engine: IntakeEngine, state: IntakeState, action: ActionMaker) -> Reply:
    """The current question (or the review) with its buttons."""
    if state.current == REVIEW:
        return _review_screen(engine, state, action)
    step = engine.current_step(state)
    if step is None:
        return Reply("This form has changed; send /intake to see where you are.")
    lines = []
    position, total = engine.progress(state)
    if step.is_question and position:
        lines.append(f"Question {position} of {total}")
    lines.append(_prompt(engine, step, state))
    if step.hint:
        lines.append(step.hint)
    pending = state.draft.confirm if state.draft and step.type is StepType.TEXT else None
    if pending is not None:
        lines.append(
            f"You typed “{pending}”. Is that your answer to this question, or did you mean "
            "it as an instruction?"
        )
    if step.id in state.answers and step.type not in (StepType.INFO, StepType.CONSENT):
        lines.append(f"Your answer so far: {format_answer(step, state.answers[step.id])}")
    buttons = list(_buttons(engine, step, state, action))
    if not step.required:
        buttons.append(Button("Skip", action(Verb.SKIP, "")))
    if state.history and step.type is not StepType.CONSENT:
        buttons.append(Button("« Back", action(Verb.BACK, "")))
    typed = step.type in TYPED_ANSWER_TYPES and pending is None
    return Reply("\n\n".join(lines), tuple(buttons), title=engine.flow.title, typed_answer=typed)


def _prompt(engine: IntakeEngine, step: Step, state: IntakeState) -> str:
    draft = state.draft or Draft()
    if step.type is StepType.SCALE:
        low, high = step.min_label or "none", step.max_label or "the most"
        return f"{step.text}\n0 = {low}, 10 = {high}. Tap a number or type it."
    if step.type is StepType.NUMBER:
        return f"{step.text}\n(Type a number from {step.minimum:g} to {step.maximum:g}.)"
    if step.type is StepType.DATE_OR_DURATION:
        return f"{step.text}\n{DURATION_INSTRUCTION}"
    if step.type is StepType.TEXT:
        return f"{step.text}\n(Type your answer, up to {step.max_length} characters.)"
    if step.type is StepType.REGIONS and draft.phase is Phase.SIDE:
        region = engine.region_needing_side(step, draft) or ""
        option = step.option(region)
        label = option.label.lower() if option else region
        return f"Which side is the {label} pain on? (Your own left or right.)"
    if step.type is StepType.REGIONS and draft.phase is Phase.WORST:
        return step.worst_text or "Which of these areas bothers you most?"
    if step.type in (StepType.MULTI, StepType.REGIONS):
        chosen = [option.label for option in step.options if option.id in draft.selected]
        picked = f"\nSelected: {', '.join(chosen)}" if chosen else ""
        how = MULTI_INSTRUCTION if step.type is StepType.MULTI else REGIONS_INSTRUCTION
        return f"{step.text}\n{how}{picked}"
    return step.text


def _buttons(
    engine: IntakeEngine, step: Step, state: IntakeState, action: ActionMaker
) -> list[Button]:
    draft = state.draft or Draft()
    if step.type is StepType.INFO:
        return [Button("Continue", action(Verb.OPTION, "0"))]
    if step.type is StepType.CONSENT:
        return [
            Button("Yes, I agree", action(Verb.OPTION, "0")),
            Button("No", action(Verb.OPTION, "1")),
        ]
    if step.type is StepType.YESNO:
        return [Button("Yes", action(Verb.OPTION, "0")), Button("No", action(Verb.OPTION, "1"))]
    if step.type is StepType.SCALE:
        return [Button(str(value), action(Verb.OPTION, str(value))) for value in range(11)]
    if step.type is StepType.TEXT and draft.confirm is not None:
        return [
            Button(f"Yes, save “{draft.confirm[:20]}”", action(Verb.OPTION, "confirm")),
            Button("No, I'll type my answer", action(Verb.OPTION, "retype")),
        ]
    if step.type in (StepType.SINGLE, StepType.DATE_OR_DURATION, StepType.TREATMENT_CONSENT):
        return [
            Button(option.label, action(Verb.OPTION, str(index)))
            for index, option in enumerate(step.options)
        ]
    if step.type is StepType.REGIONS and draft.phase is Phase.SIDE:
        return [
            Button(SIDE_LABELS[side], action(Verb.OPTION, str(index)))
            for index, side in enumerate(PAIRED_SIDES)
        ]
    if step.type is StepType.REGIONS and draft.phase is Phase.WORST:
        labels = [option for option in step.options if option.id in draft.selected]
        return [
            Button(option.label, action(Verb.OPTION, str(index)))
            for index, option in enumerate(labels)
        ]
    if step.type in (StepType.MULTI, StepType.REGIONS):
        selected = draft.selected
        toggles = [
            Button(
                ("✅ " if option.id in selected else "") + option.label,
                action(Verb.TOGGLE, str(index)),
            )
            for index, option in enumerate(step.options)
        ]
        return [*toggles, Button("Done ✔", action(Verb.DONE, ""))]
    return []


def _review_screen(engine: IntakeEngine, state: IntakeState, action: ActionMaker) -> Reply:
    items = engine.review_items(state)
    lines = ["Please check your answers. Tap a number to change an answer."]
    for number, step in enumerate(items, start=1):
        question = step.short
        if len(question) > MAX_REVIEW_LINE:
            question = question[: MAX_REVIEW_LINE - 1] + "…"
        lines.append(f"{number}. {question}: {format_answer(step, state.answers[step.id])}")
    buttons = [
        Button(f"Change {number}", action(Verb.EDIT, str(number - 1)))
        for number in range(1, len(items) + 1)
    ]
    buttons.append(Button(SUBMIT_LABEL, action(Verb.SUBMIT, "")))
    buttons.append(Button("« Back", action(Verb.BACK, "")))
    return Reply("\n".join(lines), tuple(buttons), title="Review your answers")
