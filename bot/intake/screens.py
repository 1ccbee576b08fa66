"""The intake's screens: what the engine asks, as core replies with buttons.

The engine (`bot.intake.engine`) decides what to ask and records answers; each step
kind (`bot.intake.step_types`) words its question and names its choices; this module
adds the progress line, Skip and Back, and the review, and turns choices into buttons.
The conversation sends the result to whichever channel the patient uses.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.replies import Button, Reply
from bot.intake.engine import REVIEW, IntakeEngine, IntakeState
from bot.intake.step_types import Verb, format_answer, kind_of
from bot.intake.wording import words_for

# Builds a button action from a verb and an argument; the conversation adds the session
# and revision so a stale button can be recognised.
ActionMaker = Callable[[str, str], str]
MAX_REVIEW_LINE = 110  # the mood questions are read whole


def screen(engine: IntakeEngine, state: IntakeState, action: ActionMaker) -> Reply:
    """The current question (or the review) with its buttons."""
    if state.current == REVIEW:
        return _review_screen(engine, state, action)
    words = words_for(engine.flow.language)
    step = engine.current_step(state)
    if step is None:
        return Reply(words.form_changed)
    kind = kind_of(step)
    lines = []
    progress = engine.progress(state)
    if progress is not None:
        lines.append(progress.line())
    lines.append(kind.prompt(step, state.draft))
    if step.hint:
        lines.append(step.hint)
    if step.id in state.answers and kind.shows_previous_answer:
        lines.append(words.answer_so_far.format(answer=format_answer(step, state.answers[step.id])))
    choices = kind.choices(step, state.draft)
    buttons = [Button(choice.label, action(choice.verb, choice.arg)) for choice in choices]
    if not step.required:
        buttons.append(Button(words.skip_button, action(Verb.SKIP, "")))
    if (state.history or kind.back(step, state.draft) is not None) and kind.can_go_back:
        buttons.append(Button(words.back_button, action(Verb.BACK, "")))
    confirming = state.draft is not None and state.draft.confirm is not None
    return Reply(
        "\n\n".join(lines),
        tuple(buttons),
        title=engine.flow.title,
        typed_answer=kind.typed_answer and not confirming,
    )


def _review_screen(engine: IntakeEngine, state: IntakeState, action: ActionMaker) -> Reply:
    words = words_for(engine.flow.language)
    items = engine.review_items(state)
    lines = [words.review_intro]
    numbers = engine.review_numbers(state)
    for number, step in zip(numbers, items, strict=True):
        question = step.asked  # the staff's short labels ("PHQ-2 item 1") are theirs
        if len(question) > MAX_REVIEW_LINE:
            question = question[: MAX_REVIEW_LINE - 1].rsplit(" ", 1)[0].rstrip(",:;") + "…"
        joiner = " " if question.endswith("?") else ": "
        lines.append(f"{number}. {question}{joiner}{format_answer(step, state.answers[step.id])}")
    page = state.draft.page if state.draft is not None else None
    pages = engine.review_pages(state)
    if page is not None and page < len(pages):
        # One page of answers to change, and back to the whole review.
        buttons = [
            Button(words.change_button.format(number=numbers[index]), action(Verb.EDIT, str(index)))
            for index in pages[page]
        ]
        buttons.append(Button(words.back_to_review, action(Verb.BACK, "")))
        return Reply("\n".join(lines), tuple(buttons), title=words.review_title)
    buttons = [
        Button(
            words.change_page_button.format(first=numbers[shown[0]], last=numbers[shown[-1]]),
            action(Verb.EDIT, f"p{number}"),
        )
        for number, shown in enumerate(pages)
    ]
    buttons.append(Button(words.submit_button, action(Verb.SUBMIT, "")))
    buttons.append(Button(words.back_button, action(Verb.BACK, "")))
    return Reply("\n".join(lines), tuple(buttons), title=words.review_title)
