"""The intake engine: a pure state machine over a flow (no Telegram, no storage).

`IntakeEngine.apply(state, event)` returns the next state and what happened; the
conversation saves the state, then turns the outcome into replies. Because the state
is plain data, a patient can leave and come back after days or a restart.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from bot.core.small_talk import small_talk_kind
from bot.intake.answers import normalise
from bot.intake.flow import (
    AnswerValue,
    Condition,
    ConditionOp,
    Flag,
    FlagLevel,
    Flow,
    Step,
)
from bot.intake.step_types import (
    BACK_WORDS,
    SKIP_WORDS,
    Answer,
    Command,
    Detour,
    Draft,
    Effect,
    Keep,
    Phase,
    Refuse,
    Verb,
    chosen_ids,
    kind_of,
)
from bot.intake.wording import FRENCH_WORDS, words_for

__all__ = ["Draft", "Phase", "Verb"]  # re-exported: the engine's state and events use them

REVIEW = "__review__"
SUBMIT_LABEL = "Send to the clinic ✔"
SUBMIT_WORDS = frozenset(
    {"submit", "send", "send it", "done", "confirm", normalise(SUBMIT_LABEL), "send to clinic",
     "envoyer", "envoie", "envoyez", "soumettre", "confirmer", "terminé", "termine",
     "c'est bon", "envoyer à la clinique", normalise(FRENCH_WORDS.submit_button)}
)  # fmt: skip
# The review offers its answers for change a page at a time: a phone shows a few buttons.
REVIEW_PAGE_SIZE = 8
_CHANGE_RE = re.compile(r"^(?:change|edit|changer|modifier|corriger)\s*(\d{1,3}[a-z]?)$")
# "this morning" typed at "what happened, and when?" says when, whatever it shares with
# "good morning".
_WHEN_RE = re.compile(r"\b(?:this|the|every|early|late|in)\b")


class Status(StrEnum):
    """Where an intake stands."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    STOPPED_EMERGENCY = "stopped_emergency"
    DECLINED = "declined"
    ABANDONED = "abandoned"


class Outcome(StrEnum):
    """What an event did."""

    ANSWERED = "answered"  # an answer was saved; moved on
    UPDATED = "updated"  # same screen, new selection or phase (e.g. a toggle)
    MOVED = "moved"  # back, or edit from the review
    INVALID = "invalid"  # not usable here; `hint` says why; nothing changed
    STALE = "stale"  # a button from an older screen
    EMERGENCY = "emergency"  # an emergency flag was raised: the intake stopped
    DECLINED = "declined"  # no consent
    SUBMITTED = "submitted"
    CLOSED = "closed"  # the intake is no longer in progress


@dataclass(frozen=True)
class Tap:
    """A button tap: verb, the revision the button was drawn at, and an argument."""

    verb: str
    revision: int
    arg: str = ""


@dataclass(frozen=True)
class Typed:
    """Free text typed while the intake is open."""

    text: str


Event = Tap | Typed


@dataclass
class IntakeState:
    """Everything about one patient's intake; JSON-serialisable."""

    current: str
    answers: dict[str, AnswerValue] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    status: Status = Status.IN_PROGRESS
    revision: int = 0
    draft: Draft | None = None  # the answer in progress on the current screen
    consent_version: str | None = None
    # Informed consent to treatment: {"version", "answer", "at"} (ISO time, UTC).
    treatment_consent: dict[str, str] | None = None
    # The emergency-screen rule that stopped the form when the patient typed an emergency.
    emergency_rule: str | None = None
    # "Continue where you left off, or start over?" is on screen: typed text answers it.
    resume_pending: bool = False
    # "Stop the form for now?" is on screen; `paused`: stopped for now by the patient (typed
    # text goes to the rest of the bot until /intake brings the form back).
    stop_pending: bool = False
    paused: bool = False
    # Emergency flags that stopped the form before the patient picked it up again: they
    # stay on the clinician's record whatever is answered after.
    resumed_emergencies: list[str] = field(default_factory=list)
    # Safety-screen rules of urgent (same-day care) problems typed while the form was open:
    # the form goes on, and the clinician sees them with the flags.
    urgent_rules: list[str] = field(default_factory=list)
    # The language the patient answers in, fixed when the form starts ("en", "fr").
    language: str = "en"
    # The patient moved the form to `language` by typing a consent in it: it stays there.
    language_chosen: bool = False

    @property
    def language_settled(self) -> bool:
        """Whether the form runs in a language the patient chose or has answered in: a bare
        yes or no in the other language no longer moves it."""
        return self.language_chosen or bool(self.answers)

    def copy(self) -> IntakeState:
        """A copy an event may change (answers are replaced, never changed in place)."""
        return replace(
            self,
            answers=dict(self.answers),
            history=list(self.history),
            resumed_emergencies=list(self.resumed_emergencies),
            urgent_rules=list(self.urgent_rules),
            draft=replace(
                self.draft, selected=list(self.draft.selected), sides=dict(self.draft.sides)
            )
            if self.draft is not None
            else None,
            treatment_consent=dict(self.treatment_consent) if self.treatment_consent else None,
        )

    def stop_for_emergency(self, rule_id: str | None = None) -> None:
        """Close the form because of an emergency (typed anywhere when `rule_id` is given)."""
        self.status = Status.STOPPED_EMERGENCY
        self.draft = None
        if rule_id is not None:
            self.emergency_rule = rule_id

    def to_json(self) -> dict[str, Any]:
        """A plain dict for storage."""
        return {
            "current": self.current,
            "answers": self.answers,
            "history": self.history,
            "status": self.status.value,
            "revision": self.revision,
            "draft": self.draft.to_json() if self.draft is not None else None,
            "consent_version": self.consent_version,
            "treatment_consent": self.treatment_consent,
            "emergency_rule": self.emergency_rule,
            "resume_pending": self.resume_pending,
            "stop_pending": self.stop_pending,
            "paused": self.paused,
            "resumed_emergencies": self.resumed_emergencies,
            **({"urgent_rules": self.urgent_rules} if self.urgent_rules else {}),
            **({"language": self.language} if self.language != "en" else {}),
            **({"language_chosen": True} if self.language_chosen else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IntakeState:
        """The inverse of `to_json`."""
        return cls(
            current=str(data["current"]),
            answers=dict(data.get("answers", {})),
            history=list(data.get("history", [])),
            status=Status(data.get("status", Status.IN_PROGRESS)),
            revision=int(data.get("revision", 0)),
            draft=Draft.from_json(data["draft"]) if data.get("draft") else None,
            consent_version=data.get("consent_version"),
            treatment_consent=data.get("treatment_consent"),
            emergency_rule=data.get("emergency_rule"),
            resume_pending=bool(data.get("resume_pending", False)),
            stop_pending=bool(data.get("stop_pending", False)),
            paused=bool(data.get("paused", False)),
            resumed_emergencies=[str(item) for item in data.get("resumed_emergencies", [])],
            language=str(data.get("language") or "en"),
            language_chosen=bool(data.get("language_chosen", False)),
            urgent_rules=[str(item) for item in data.get("urgent_rules", [])],
        )


@dataclass(frozen=True)
class Result:
    """The new state and what happened."""

    state: IntakeState
    outcome: Outcome
    hint: str = ""
    raised: tuple[Flag, ...] = ()  # flags raised by this answer
    # Invalid typed text on a choice screen that may be a side question for the FAQ.
    maybe_question: bool = False
    answered: str | None = None  # the step whose answer this event saved
    answered_in: str | None = None  # a consent typed in another language (`Refuse`)
    # Text the patient says is a question for the clinic (`Detour`): the step is asked again.
    question: str = ""


def _values(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


def condition_holds(condition: Condition, answer: AnswerValue, answered: bool) -> bool:
    """Whether one `when` condition holds for the answer to its step."""
    if condition.op is ConditionOp.ANSWERED:
        return (answered and answer is not None) == bool(condition.value)
    if not answered or answer is None:
        return False
    if condition.op in (ConditionOp.GT, ConditionOp.LT):
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            return False
        limit = condition.value
        if isinstance(limit, bool) or not isinstance(limit, int | float):
            return False
        return answer > limit if condition.op is ConditionOp.GT else answer < limit
    if isinstance(answer, bool):
        return any(answer == value for value in _values(condition.value))
    chosen = chosen_ids(answer)
    wanted = [str(value) for value in _values(condition.value)]
    if condition.op is ConditionOp.EQUALS:
        return chosen == wanted
    return any(item in chosen for item in wanted)


def all_hold(
    conditions: tuple[Condition, ...], answers: dict[str, AnswerValue], shown: set[str]
) -> bool:
    """Whether every condition holds; a condition on a step not `shown` is false."""
    return all(
        condition_holds(
            condition,
            answers.get(condition.step),
            condition.step in shown and condition.step in answers,
        )
        for condition in conditions
    )


def _same_answers(walked: dict[str, AnswerValue], answers: dict[str, AnswerValue]) -> bool:
    """Equal answers of equal types (True == 1 in Python, but not to a condition)."""
    return walked == answers and all(
        type(value) is type(walked[step_id]) for step_id, value in answers.items()
    )


def _pleasantry(text: str, language: str = "en") -> str:
    """A kind word back when a greeting or thanks was typed instead of an answer."""
    kind = small_talk_kind(text)
    if kind == "greeting":
        return words_for(language).hello_again
    if kind == "thanks":
        return words_for(language).you_are_welcome
    return ""


@dataclass(frozen=True)
class Progress:
    """Where the patient is: question `position` of `total`, counting only the questions
    every patient is asked (so the total never changes); a follow-up that an earlier
    answer opened carries the number of the question it follows."""

    position: int
    total: int
    follow_up: bool = False
    language: str = "en"

    def line(self) -> str:
        """ "Question 5 of 27", or "Follow-up to question 20 of 27"."""
        words = words_for(self.language)
        said = words.progress_follow_up if self.follow_up else words.progress
        return said.format(position=self.position, total=self.total)


class IntakeEngine:
    """Moves an `IntakeState` through a `Flow`."""

    def __init__(
        self,
        flow: Flow,
        today: Callable[[], date] = date.today,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.flow = flow
        self._today = today
        self._now = now
        # Steps whose answers feed a flag rule or a score band: only these need the full
        # before/after comparison of raised flags when answered.
        self._combined = {c.step for rule in flow.rules for c in rule.when} | {
            step_id for score in flow.scores for step_id in score.steps
        }
        # The last answers walked and the steps that applied: one answer asks for the same
        # walk up to three times (flags, the next step, the screen's progress line).
        self._walked: tuple[dict[str, AnswerValue], tuple[Step, ...]] | None = None
        self._certain_questions = sum(1 for s in flow.steps if s.is_question and not s.when)

    # --- where we are ------------------------------------------------------------

    def start(self) -> IntakeState:
        """A fresh intake on the first step."""
        state = IntakeState(current=self.flow.steps[0].id)
        self._enter(state)
        return state

    def _walk(self, answers: dict[str, AnswerValue]) -> Iterator[Step]:
        """Steps that apply, in order (lazily: the next step needs only a prefix)."""
        shown: set[str] = set()
        for step in self.flow.steps:
            if not step.when or all_hold(step.when, answers, shown):
                shown.add(step.id)
                yield step

    def applicable(self, answers: dict[str, AnswerValue]) -> list[Step]:
        """Steps that apply given `answers` (a step whose condition's step is hidden is hidden)."""
        walked = self._walked
        if walked is not None and _same_answers(walked[0], answers):
            return list(walked[1])
        steps = tuple(self._walk(answers))
        # A copy: the caller's dict changes with the next answer. Answers are replaced,
        # never changed in place, so a shallow copy keeps what was walked.
        self._walked = (dict(answers), steps)
        return list(steps)

    def next_step(self, answers: dict[str, AnswerValue]) -> str:
        """The first step that applies and has no answer yet, else the review."""
        for step in self.applicable(answers):
            if step.id not in answers:
                return step.id
        return REVIEW

    def progress(self, state: IntakeState) -> Progress | None:
        """Where `state.current` stands among the questions (None off the questions).

        Only the questions without a condition are counted: a count that took in the
        follow-ups opened so far would grow as the patient answers ("24 of 27", then
        "25 of 28"), and a count of every possible follow-up would overstate it.
        """
        for step, position in self._numbered_questions(state.answers):
            if step.id == state.current:
                if position == 0:
                    return None
                return Progress(
                    position, self._certain_questions, bool(step.when), self.flow.language
                )
        return None

    def _numbered_questions(self, answers: dict[str, AnswerValue]) -> Iterator[tuple[Step, int]]:
        """Each applicable question with its progress number (a follow-up shares the number
        of the question before it)."""
        position = 0
        for step in self.applicable(answers):
            if step.is_question:
                position += 0 if step.when else 1
                yield step, position

    def current_step(self, state: IntakeState) -> Step | None:
        """The step on screen (None on the review or when closed)."""
        return None if state.current == REVIEW else self.flow.step(state.current)

    def review_numbers(self, state: IntakeState) -> list[str]:
        """The number each review item is shown with, the one its question's progress line
        says ("7"), a follow-up with a letter ("7a"): "Change 7" opens "Question 7 of 27"."""
        listed = {step.id for step in self.review_items(state)}
        numbers: list[str] = []
        follow_ups = 0
        for step, position in self._numbered_questions(state.answers):
            if not step.when:
                follow_ups = 0
            elif step.id in listed:
                follow_ups += 1
            if step.id in listed:
                letter = chr(ord("a") + follow_ups - 1) if step.when else ""
                numbers.append(f"{position}{letter}")
        return numbers

    def review_pages(self, state: IntakeState) -> list[range]:
        """The review items' indexes, a page at a time (`REVIEW_PAGE_SIZE` each)."""
        count = len(self.review_items(state))
        return [
            range(start, min(start + REVIEW_PAGE_SIZE, count))
            for start in range(0, count, REVIEW_PAGE_SIZE)
        ]

    def review_items(self, state: IntakeState) -> list[Step]:
        """Answered questions that apply, in flow order (what the review lists)."""
        return [
            step
            for step in self.applicable(state.answers)
            if step.is_question and not kind_of(step).data_consent and step.id in state.answers
        ]

    def raised_flags(self, answers: dict[str, AnswerValue]) -> list[Flag]:
        """Flags the applicable answers raise, by level (emergency first), then flow order.

        Options raise flags; so do rules over several answers and score bands.
        """
        found: list[Flag] = []
        applicable = self.applicable(answers)
        flag_ids: list[str] = []
        for step in applicable:
            if step.id in answers:
                flag_ids.extend(self._flags_of(step, answers[step.id]))
        shown = {step.id for step in applicable}
        for rule in self.flow.rules:
            if all_hold(rule.when, answers, shown):
                flag_ids.append(rule.flag)
        for score in self.flow.scores:
            if not all(step_id in answers for step_id in score.steps if step_id in shown):
                continue
            band = score.band_for(self.score_total(score.id, answers))
            if band is not None and band.flag:
                flag_ids.append(band.flag)
        for flag_id in flag_ids:
            flag = self.flow.flags.get(flag_id)
            if flag is not None and flag not in found:
                found.append(flag)
        order = list(FlagLevel)
        return sorted(found, key=lambda flag: order.index(flag.level))

    def score_total(self, score_id: str, answers: dict[str, AnswerValue]) -> float:
        """Sum of the chosen options' weights over a score's steps that apply."""
        score = next((item for item in self.flow.scores if item.id == score_id), None)
        if score is None:
            return 0.0
        shown = {step.id for step in self.applicable(answers)}
        total = 0.0
        for step_id in score.steps:
            step = self.flow.step(step_id)
            if step is None or step_id not in shown or answers.get(step_id) is None:
                continue
            for option_id in chosen_ids(answers[step_id]):
                option = step.option(option_id)
                if option is not None and option.weight is not None:
                    total += option.weight
        return total

    # --- events ------------------------------------------------------------------

    def apply(self, state: IntakeState, event: Event) -> Result:
        """Apply one tap or typed text; never raises on anything a patient can send."""
        if state.status is not Status.IN_PROGRESS:
            return Result(state, Outcome.CLOSED)
        new = state.copy()
        if isinstance(event, Tap):
            if event.revision != state.revision:
                return Result(state, Outcome.STALE)
            return self._tap(new, event)
        return self._typed(new, event.text)

    def _tap(self, state: IntakeState, tap: Tap) -> Result:
        if tap.verb == Verb.BACK:
            return self._back(state)
        if state.current == REVIEW:
            return self._review_tap(state, tap)
        step = self.current_step(state)
        if step is None:
            return Result(state, Outcome.STALE)
        if tap.verb == Verb.SKIP:
            return self._skip(state, step)
        return self._effect(state, step, kind_of(step).tap(step, state.draft, tap.verb, tap.arg))

    def _typed(self, state: IntakeState, text: str) -> Result:
        words = normalise(text)
        step = self.current_step(state)
        free_text = step is not None and kind_of(step).free_text
        area = step is not None and kind_of(step).back_is_an_answer(step, state.draft, words)
        if words in BACK_WORDS and not free_text and not area:
            return self._back(state)
        if state.current == REVIEW:
            return self._review_typed(state, words)
        if step is None:
            return Result(state, Outcome.STALE)
        if words in SKIP_WORDS and not step.required and not free_text:
            return self._skip(state, step)
        language = self.flow.language
        if free_text and not _WHEN_RE.search(words) and (greeted := _pleasantry(text, language)):
            return Result(state, Outcome.INVALID, greeted)  # "hi" is no one's complaint
        effect = kind_of(step).typed(step, state.draft, text, words, self._today())
        if isinstance(effect, Refuse) and effect.settled is not None and state.language_settled:
            effect = effect.settled
        # Asked only of a refused answer: "morning" may still be an answer.
        if isinstance(effect, Refuse) and (greeted := _pleasantry(text, language)):
            return Result(state, Outcome.INVALID, greeted)
        return self._effect(state, step, effect)

    def _effect(self, state: IntakeState, step: Step, effect: Effect) -> Result:
        """Apply what a step kind decided."""
        if isinstance(effect, Answer):
            asked = self._ratings_disagree(state, step, effect.value)
            if asked:
                state.draft = Draft(confirm=str(effect.value), note=asked)
                state.revision += 1
                return Result(state, Outcome.UPDATED)
            state.draft = None
            return self._commit(state, step, effect.value, effect.given_by)
        if isinstance(effect, Keep):
            state.draft = effect.draft
            if effect.new_screen:
                state.revision += 1
            return Result(state, Outcome.UPDATED, effect.hint)
        if isinstance(effect, Refuse):
            return Result(
                state,
                Outcome.INVALID,
                effect.hint,
                maybe_question=effect.maybe_question,
                answered_in=effect.answered_in,
            )
        if isinstance(effect, Detour):
            state.draft = None
            state.revision += 1
            return Result(state, Outcome.UPDATED, question=effect.text)
        if effect is Command.BACK:
            return self._back(state)
        if effect is Command.SKIP:
            return self._skip(state, step)
        return Result(state, Outcome.STALE)

    def _ratings_disagree(self, state: IntakeState, step: Step, value: AnswerValue) -> str:
        """ "Is 2/10 right?" when a pain rating at its worst is below the pain now, or one at
        its least above it (`<name>_worst`, `<name>_least` beside `<name>_now`); asked once:
        the value confirmed, or typed again, is kept."""
        if not kind_of(step).rating or not isinstance(value, int):
            return ""
        name, _, which = step.id.rpartition("_")
        now = state.answers.get(f"{name}_now")
        if which not in ("worst", "least") or not isinstance(now, int):
            return ""
        if state.draft is not None and state.draft.confirm == str(value):
            return ""  # the same rating again: what the patient means
        if (which == "worst" and value >= now) or (which == "least" and value <= now):
            return ""
        words = words_for(self.flow.language)
        said = words.ratings_which[0 if which == "worst" else 1]
        return words.ratings_disagree.format(now=now, other=value, which=said)

    def _review_typed(self, state: IntakeState, words: str) -> Result:
        if words in SUBMIT_WORDS:
            return self._submit(state)
        said = words_for(self.flow.language)
        greeted = _pleasantry(words, self.flow.language)
        if greeted:
            return Result(state, Outcome.INVALID, greeted)
        change = _CHANGE_RE.match(words)
        if change is not None:
            numbers = self.review_numbers(state)
            if change.group(1) not in numbers:
                return Result(
                    state,
                    Outcome.INVALID,
                    said.pick_review_answer.format(first=numbers[0], last=numbers[-1]),
                )
            index = numbers.index(change.group(1))
            return self._review_tap(state, Tap(Verb.EDIT, state.revision, str(index)))
        return Result(state, Outcome.INVALID, hint=said.review_hint, maybe_question=True)

    # --- moving --------------------------------------------------------------------

    def _enter(self, state: IntakeState) -> None:
        """Show `state.current` afresh: new revision, draft seeded from any old answer."""
        state.revision += 1
        state.draft = None
        step = self.current_step(state)
        if step is None:
            return
        state.draft = kind_of(step).seed(step, state.answers.get(step.id))

    def _advance(self, state: IntakeState) -> None:
        state.current = self.next_step(state.answers)
        self._enter(state)

    def _commit(
        self, state: IntakeState, step: Step, value: AnswerValue, given_by: str = ""
    ) -> Result:
        """Save an answer, raise its flags, and move to the next step."""
        kind = kind_of(step)
        if kind.data_consent:
            if value is not True:
                state.status = Status.DECLINED
                state.answers = {}
                return Result(state, Outcome.DECLINED)
            state.consent_version = step.consent_version
        if kind.treatment_consent:
            state.treatment_consent = {
                "version": step.consent_version or "",
                "answer": str(value),
                "at": self._now().isoformat(),
                **({"given_by": given_by} if given_by else {}),
            }
        combined = step.id in self._combined
        before = set(self.raised_flags(state.answers)) if combined else set()
        state.answers[step.id] = value
        if not state.history or state.history[-1] != step.id:
            state.history.append(step.id)
        if combined:
            raised = tuple(f for f in self.raised_flags(state.answers) if f not in before)
        else:
            raised = tuple(
                flag
                for flag_id in dict.fromkeys(self._flags_of(step, value))
                if (flag := self.flow.flags.get(flag_id)) is not None
            )
        if any(flag.level is FlagLevel.EMERGENCY for flag in raised):
            state.stop_for_emergency()
            return Result(state, Outcome.EMERGENCY, raised=raised, answered=step.id)
        self._advance(state)
        return Result(state, Outcome.ANSWERED, raised=raised, answered=step.id)

    def _skip(self, state: IntakeState, step: Step) -> Result:
        if step.required:
            return Result(state, Outcome.INVALID, words_for(self.flow.language).needs_answer)
        return self._commit(state, step, None)

    def _back(self, state: IntakeState) -> Result:
        if state.current == REVIEW and state.draft is not None and state.draft.page is not None:
            state.draft = None  # from a page of answers to the whole review
            state.revision += 1
            return Result(state, Outcome.MOVED)
        step = self.current_step(state)
        earlier = kind_of(step).back(step, state.draft) if step is not None else None
        if earlier is not None:  # a sub-screen (the body map's side or worst): its own back
            state.draft = earlier
            state.revision += 1
            return Result(state, Outcome.MOVED)
        dropped = self._unsaved(state, step)
        shown = {step.id for step in self.applicable(state.answers)}
        while state.history:
            previous = state.history.pop()
            if previous in shown and previous != state.current:
                state.current = previous
                self._enter(state)
                return Result(state, Outcome.MOVED, dropped)
        return Result(state, Outcome.INVALID, words_for(self.flow.language).first_question)

    def _unsaved(self, state: IntakeState, step: Step | None) -> str:
        """What going back drops unsaid: choices ticked on this screen but not saved."""
        draft = state.draft
        if step is None or draft is None or not draft.selected:
            return ""
        if draft.selected == chosen_ids(state.answers.get(step.id)):
            return ""
        labels = [o.label for o in step.options if o.id in draft.selected]
        return words_for(self.flow.language).not_saved.format(chosen=", ".join(labels))

    def _review_tap(self, state: IntakeState, tap: Tap) -> Result:
        if tap.verb == Verb.SUBMIT:
            return self._submit(state)
        items = self.review_items(state)
        page = tap.arg.removeprefix("p")
        if tap.verb == Verb.EDIT and tap.arg.startswith("p") and page.isdecimal():
            if int(page) >= len(self.review_pages(state)):
                return Result(state, Outcome.STALE)
            state.draft = Draft(page=int(page))
            state.revision += 1
            return Result(state, Outcome.UPDATED)
        index = int(tap.arg) if tap.arg.isdecimal() else -1
        if tap.verb != Verb.EDIT or not 0 <= index < len(items):
            return Result(state, Outcome.STALE)
        state.current = items[index].id
        self._enter(state)
        return Result(state, Outcome.MOVED)

    def _submit(self, state: IntakeState) -> Result:
        if self.next_step(state.answers) != REVIEW:
            # An edit opened new questions that are not answered yet.
            self._advance(state)
            return Result(state, Outcome.MOVED)
        state.status = Status.SUBMITTED
        state.draft = None
        return Result(state, Outcome.SUBMITTED)

    # --- flags -----------------------------------------------------------------------

    def _flags_of(self, step: Step, value: AnswerValue) -> list[str]:
        return kind_of(step).flags(step, value)
