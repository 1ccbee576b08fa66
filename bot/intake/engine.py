"""The intake engine: a pure state machine over a flow (no Telegram, no storage).

`IntakeEngine.apply(state, event)` returns the next state and what happened; the
conversation saves the state, then turns the outcome into replies. Because the state
is plain data, a patient can leave and come back after days or a restart.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from bot.intake.answers import (
    SIDE_WORDS,
    Invalid,
    match_option,
    normalise,
    option_hint,
    parse_many,
    parse_typed,
    parse_yes_no,
)
from bot.intake.flow import (
    CONSENT_AGREE,
    CONSENT_DECLINE,
    PAIRED_SIDES,
    AnswerValue,
    Condition,
    ConditionOp,
    Flag,
    FlagLevel,
    Flow,
    Side,
    Step,
    StepType,
)

REVIEW = "__review__"
SCALE_TOP = 10
BACK_WORDS = frozenset({"back", "go back", "previous", "undo"})
SKIP_WORDS = frozenset({"skip", "pass", "skip it", "skip this", "rather not say"})
DONE_WORDS = frozenset({"done", "finished", "that's all", "thats all", "that is all"})
CONTINUE_WORDS = frozenset({"ok", "okay", "continue", "next", "go", "start", "yes", "sure"})
SUBMIT_LABEL = "Send to the clinic ✔"
SUBMIT_WORDS = frozenset(
    {"submit", "send", "send it", "done", "confirm", normalise(SUBMIT_LABEL), "send to clinic"}
)
# Typed at a free-text question these may be an answer or a command: we ask which.
COMMAND_WORDS = BACK_WORDS | SKIP_WORDS | DONE_WORDS | {"next", "cancel", "stop", "quit"}
_CHANGE_RE = re.compile(r"^(?:change|edit)\s*(\d{1,3})$")


class Status(StrEnum):
    """Where an intake stands."""

    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    STOPPED_EMERGENCY = "stopped_emergency"
    DECLINED = "declined"
    ABANDONED = "abandoned"


class Verb(StrEnum):
    """What a tapped button asks for."""

    OPTION = "o"
    TOGGLE = "t"
    DONE = "d"
    SKIP = "s"
    BACK = "b"
    EDIT = "e"
    SUBMIT = "u"


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


class Phase(StrEnum):
    """The sub-screen of a regions step."""

    SELECT = "select"  # choose the areas
    SIDE = "side"  # the side of one paired area
    WORST = "worst"  # which bothers most


@dataclass
class Draft:
    """The answer in progress on the current screen (stored with the state)."""

    selected: list[str] = field(default_factory=list)  # multi and regions: chosen ids
    phase: Phase = Phase.SELECT  # regions only
    sides: dict[str, str] = field(default_factory=dict)  # regions only: region -> side
    confirm: str | None = None  # text only: a command word typed, awaiting confirmation

    def to_json(self) -> dict[str, Any]:
        """A plain dict for storage."""
        data: dict[str, Any] = {"selected": self.selected, "phase": self.phase.value}
        if self.sides:
            data["sides"] = self.sides
        if self.confirm is not None:
            data["confirm"] = self.confirm
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        """The inverse of `to_json` (also reads drafts stored before it existed)."""
        confirm = data.get("confirm")
        return cls(
            selected=[str(item) for item in data.get("selected", [])],
            phase=Phase(data.get("phase") or Phase.SELECT),
            sides={str(k): str(v) for k, v in dict(data.get("sides", {})).items()},
            confirm=str(confirm) if confirm is not None else None,
        )


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


def _values(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else [value]


def _chosen_ids(answer: AnswerValue) -> list[str]:
    """Option ids an answer holds, whatever its step type."""
    if isinstance(answer, list):
        return [str(item) for item in answer]
    if isinstance(answer, dict):
        if "option" in answer:
            return [str(answer["option"])]
        regions = answer.get("regions")
        if isinstance(regions, list):
            return [str(item.get("region")) for item in regions if isinstance(item, dict)]
        return []
    if isinstance(answer, str):
        return [answer]
    return []


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
    chosen = _chosen_ids(answer)
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

    # --- where we are ------------------------------------------------------------

    def start(self) -> IntakeState:
        """A fresh intake on the first step."""
        state = IntakeState(current=self.flow.steps[0].id)
        self._enter(state)
        return state

    def applicable(self, answers: dict[str, AnswerValue]) -> list[Step]:
        """Steps that apply given `answers` (a step whose condition's step is hidden is hidden)."""
        shown: set[str] = set()
        result: list[Step] = []
        for step in self.flow.steps:
            if all_hold(step.when, answers, shown):
                shown.add(step.id)
                result.append(step)
        return result

    def next_step(self, answers: dict[str, AnswerValue]) -> str:
        """The first step that applies and has no answer yet, else the review."""
        for step in self.applicable(answers):
            if step.id not in answers:
                return step.id
        return REVIEW

    def progress(self, state: IntakeState) -> tuple[int, int]:
        """(position, total) among the questions this patient will see."""
        questions = [step.id for step in self.applicable(state.answers) if step.is_question]
        position = questions.index(state.current) + 1 if state.current in questions else 0
        return position, len(questions)

    def current_step(self, state: IntakeState) -> Step | None:
        """The step on screen (None on the review or when closed)."""
        return None if state.current == REVIEW else self.flow.step(state.current)

    def review_items(self, state: IntakeState) -> list[Step]:
        """Answered questions that apply, in flow order (what the review lists)."""
        return [
            step
            for step in self.applicable(state.answers)
            if step.is_question and step.type is not StepType.CONSENT and step.id in state.answers
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
            for option_id in _chosen_ids(answers[step_id]):
                option = step.option(option_id)
                if option is not None and option.weight is not None:
                    total += option.weight
        return total

    # --- events ------------------------------------------------------------------

    def apply(self, state: IntakeState, event: Event) -> Result:
        """Apply one tap or typed text; never raises on anything a patient can send."""
        if state.status is not Status.IN_PROGRESS:
            return Result(state, Outcome.CLOSED)
        new = copy.deepcopy(state)
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
        if step.type is StepType.TEXT:
            return self._text_tap(state, step, tap)
        index = int(tap.arg) if tap.arg.isdecimal() else -1
        if step.type is StepType.MULTI:
            return self._multi_tap(state, step, tap.verb, index)
        if step.type is StepType.REGIONS:
            return self._regions_tap(state, step, tap.verb, index)
        if tap.verb != Verb.OPTION:
            return Result(state, Outcome.STALE)
        valid, value = self._value_for_button(step, index)
        if not valid:
            return Result(state, Outcome.STALE)
        return self._commit(state, step, value)

    def _value_for_button(self, step: Step, index: int) -> tuple[bool, AnswerValue]:
        """(valid, value) for the option button at `index` of a single-screen step."""
        if step.type is StepType.INFO:
            return index == 0, True
        if step.type in (StepType.YESNO, StepType.CONSENT):
            return index in (0, 1), index == 0
        if step.type is StepType.SCALE:
            return 0 <= index <= SCALE_TOP, index
        if step.type in (StepType.SINGLE, StepType.DATE_OR_DURATION, StepType.TREATMENT_CONSENT):
            if not 0 <= index < len(step.options):
                return False, None
            option_id = step.options[index].id
            if step.type is StepType.DATE_OR_DURATION:
                return True, {"option": option_id}
            return True, option_id
        return False, None

    def _typed(self, state: IntakeState, text: str) -> Result:
        words = normalise(text)
        step = self.current_step(state)
        free_text = step is not None and step.type is StepType.TEXT
        if words in BACK_WORDS and not free_text:
            return self._back(state)
        if state.current == REVIEW:
            if words in SUBMIT_WORDS:
                return self._submit(state)
            change = _CHANGE_RE.match(words)
            if change is not None:
                number = int(change.group(1))
                count = len(self.review_items(state))
                if not 1 <= number <= count:
                    return Result(
                        state, Outcome.INVALID, f"Please pick an answer from 1 to {count}."
                    )
                return self._review_tap(state, Tap(Verb.EDIT, state.revision, str(number - 1)))
            return Result(
                state,
                Outcome.INVALID,
                hint="Tap 'Send to the clinic' (or type 'send'), or 'Change 3' to edit answer 3.",
                maybe_question=True,
            )
        if step is None:
            return Result(state, Outcome.STALE)
        if free_text:
            return self._text_typed(state, step, text, words)
        if words in SKIP_WORDS and not step.required:
            return self._skip(state, step)
        if step.type is StepType.INFO:
            if words in CONTINUE_WORDS:
                return self._commit(state, step, True)
            return Result(state, Outcome.INVALID, "Tap Continue when you are ready.", (), True)
        if step.type is StepType.MULTI:
            return self._multi_typed(state, step, words)
        if step.type is StepType.REGIONS:
            return self._regions_typed(state, step, words)
        if step.type is StepType.TREATMENT_CONSENT:
            return self._treatment_consent_typed(state, step, text)
        parsed = parse_typed(text, step, self._today())
        if isinstance(parsed, Invalid):
            return Result(state, Outcome.INVALID, parsed.hint, (), not free_text)
        return self._commit(state, step, parsed.value)

    def _text_typed(self, state: IntakeState, step: Step, text: str, words: str) -> Result:
        """A free-text answer; a lone command word is confirmed before it is saved."""
        pending = state.draft.confirm if state.draft else None
        if pending is not None:
            if parse_yes_no(words) is True or words in {"save it", "keep it"}:
                state.draft = None
                return self._save_text(state, step, pending)
            if words in BACK_WORDS:
                return self._back(state)
            if words in SKIP_WORDS and not step.required:
                return self._skip(state, step)
            if parse_yes_no(words) is False:
                state.draft = None
                return Result(state, Outcome.UPDATED)
        elif words in COMMAND_WORDS:
            state.draft = Draft(confirm=text.strip())
            state.revision += 1
            return Result(state, Outcome.UPDATED)
        state.draft = None
        return self._save_text(state, step, text)

    def _text_tap(self, state: IntakeState, step: Step, tap: Tap) -> Result:
        pending = state.draft.confirm if state.draft else None
        if tap.verb != Verb.OPTION or pending is None:
            return Result(state, Outcome.STALE)
        state.draft = None
        if tap.arg == "confirm":
            return self._save_text(state, step, pending)
        state.revision += 1
        return Result(state, Outcome.UPDATED)

    def _save_text(self, state: IntakeState, step: Step, text: str) -> Result:
        parsed = parse_typed(text, step, self._today())
        if isinstance(parsed, Invalid):
            return Result(state, Outcome.INVALID, parsed.hint)
        return self._commit(state, step, parsed.value)

    def _treatment_consent_typed(self, state: IntakeState, step: Step, text: str) -> Result:
        index = match_option(text, step.options)
        if index is not None:
            return self._commit(state, step, step.options[index].id)
        said = parse_yes_no(text)
        if said is not None:
            return self._commit(state, step, CONSENT_AGREE if said else CONSENT_DECLINE)
        return Result(state, Outcome.INVALID, option_hint(step.options), (), True)

    # --- moving --------------------------------------------------------------------

    def _enter(self, state: IntakeState) -> None:
        """Show `state.current` afresh: new revision, draft seeded from any old answer."""
        state.revision += 1
        state.draft = None
        step = self.current_step(state)
        if step is None:
            return
        previous = state.answers.get(step.id)
        if step.type is StepType.MULTI:
            state.draft = Draft(selected=_chosen_ids(previous))
        elif step.type is StepType.REGIONS:
            state.draft = Draft(selected=_chosen_ids(previous), phase=Phase.SELECT)

    def _advance(self, state: IntakeState) -> None:
        state.current = self.next_step(state.answers)
        self._enter(state)

    def _commit(self, state: IntakeState, step: Step, value: AnswerValue) -> Result:
        """Save an answer, raise its flags, and move to the next step."""
        if step.type is StepType.CONSENT:
            if value is not True:
                state.status = Status.DECLINED
                state.answers = {}
                return Result(state, Outcome.DECLINED)
            state.consent_version = step.consent_version
        if step.type is StepType.TREATMENT_CONSENT:
            state.treatment_consent = {
                "version": step.consent_version or "",
                "answer": str(value),
                "at": self._now().isoformat(),
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
            return Result(state, Outcome.INVALID, "This question needs an answer to continue.")
        return self._commit(state, step, None)

    def _back(self, state: IntakeState) -> Result:
        shown = {step.id for step in self.applicable(state.answers)}
        while state.history:
            previous = state.history.pop()
            if previous in shown and previous != state.current:
                state.current = previous
                self._enter(state)
                return Result(state, Outcome.MOVED)
        return Result(
            state, Outcome.INVALID, "This is the first question; there is nothing before it."
        )

    def _review_tap(self, state: IntakeState, tap: Tap) -> Result:
        if tap.verb == Verb.SUBMIT:
            return self._submit(state)
        items = self.review_items(state)
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

    # --- multi choice --------------------------------------------------------------

    def _toggle(self, step: Step, selected: list[str], index: int) -> list[str]:
        option = step.options[index]
        if option.id in selected:
            return [item for item in selected if item != option.id]
        if option.exclusive:
            return [option.id]
        exclusive = {item.id for item in step.options if item.exclusive}
        return [item for item in selected if item not in exclusive] + [option.id]

    def _multi_tap(self, state: IntakeState, step: Step, verb: str, index: int) -> Result:
        selected = list(state.draft.selected) if state.draft else []
        if verb == Verb.TOGGLE and 0 <= index < len(step.options):
            if step.options[index].exclusive and not selected:
                # "None of these" on an untouched screen: one tap, not two.
                return self._finish_multi(state, step, [step.options[index].id])
            state.draft = Draft(selected=self._toggle(step, selected, index))
            return Result(state, Outcome.UPDATED)
        if verb == Verb.DONE:
            return self._finish_multi(state, step, selected)
        return Result(state, Outcome.STALE)

    def _finish_multi(self, state: IntakeState, step: Step, selected: list[str]) -> Result:
        if not selected:
            if step.required:
                none = [option.label for option in step.options if option.exclusive]
                extra = f" (or '{none[0]}')" if none else ""
                return Result(
                    state, Outcome.INVALID, f"Please choose at least one option{extra}, then Done."
                )
            return self._commit(state, step, None)
        ordered = [option.id for option in step.options if option.id in selected]
        return self._commit(state, step, ordered)

    def _multi_typed(self, state: IntakeState, step: Step, words: str) -> Result:
        if words in DONE_WORDS:
            return self._finish_multi(
                state, step, list(state.draft.selected) if state.draft else []
            )
        picked = parse_many(words, step.options)
        if isinstance(picked, Invalid):
            return Result(state, Outcome.INVALID, picked.hint, (), True)
        selected: list[str] = []
        for index in picked:
            selected = (
                self._toggle(step, selected, index)
                if step.options[index].id not in selected
                else selected
            )
        return self._finish_multi(state, step, selected)

    # --- body regions ----------------------------------------------------------------

    def _regions_tap(self, state: IntakeState, step: Step, verb: str, index: int) -> Result:
        draft = state.draft or Draft()
        phase = draft.phase
        if phase is Phase.SELECT:
            if verb == Verb.TOGGLE and 0 <= index < len(step.options):
                draft.selected = self._toggle(step, list(draft.selected), index)
                state.draft = draft
                return Result(state, Outcome.UPDATED)
            if verb == Verb.DONE:
                return self._regions_selected(state, step, draft)
            return Result(state, Outcome.STALE)
        if verb != Verb.OPTION:
            return Result(state, Outcome.STALE)
        if phase is Phase.SIDE and 0 <= index < len(PAIRED_SIDES):
            return self._regions_side(state, step, draft, PAIRED_SIDES[index])
        selected = list(draft.selected)
        if phase is Phase.WORST and 0 <= index < len(selected):
            return self._regions_finish(state, step, draft, selected[index])
        return Result(state, Outcome.STALE)

    def _regions_typed(self, state: IntakeState, step: Step, words: str) -> Result:
        draft = state.draft or Draft()
        phase = draft.phase
        selected = list(draft.selected)
        if phase is Phase.SELECT:
            if words in DONE_WORDS:
                return self._regions_selected(state, step, draft)
            picked = parse_many(words, step.options)
            if isinstance(picked, Invalid):
                return Result(state, Outcome.INVALID, picked.hint, (), True)
            draft.selected = [step.options[index].id for index in sorted(picked)]
            return self._regions_selected(state, step, draft)
        if phase is Phase.SIDE:
            side = SIDE_WORDS.get(words)
            if side is None or side is Side.CENTRE:
                return Result(
                    state,
                    Outcome.INVALID,
                    "Please answer left, right or both (your own left and right).",
                    (),
                    True,
                )
            return self._regions_side(state, step, draft, side)
        options = tuple(option for option in step.options if option.id in selected)
        chosen = match_option(words, options)
        if chosen is None:
            return Result(state, Outcome.INVALID, option_hint(options), (), True)
        return self._regions_finish(state, step, draft, options[chosen].id)

    def _regions_selected(self, state: IntakeState, step: Step, draft: Draft) -> Result:
        selected = [option.id for option in step.options if option.id in draft.selected]
        if not selected:
            if step.required:
                return Result(state, Outcome.INVALID, "Please choose at least one area, then Done.")
            return self._commit(state, step, None)
        draft.selected, draft.sides = selected, {}
        return self._regions_next_phase(state, step, draft)

    def _regions_side(self, state: IntakeState, step: Step, draft: Draft, side: Side) -> Result:
        pending = self.region_needing_side(step, draft)
        if pending is None:
            return Result(state, Outcome.STALE)
        draft.sides = {**draft.sides, pending: side.value}
        return self._regions_next_phase(state, step, draft)

    def _regions_next_phase(self, state: IntakeState, step: Step, draft: Draft) -> Result:
        selected = list(draft.selected)
        if self.region_needing_side(step, draft) is not None:
            draft.phase = Phase.SIDE
        elif len(selected) > 1:
            draft.phase = Phase.WORST
        else:
            return self._regions_finish(state, step, draft, selected[0])
        state.draft = draft
        state.revision += 1  # a new screen: old side buttons must not apply to it
        return Result(state, Outcome.UPDATED)

    def region_needing_side(self, step: Step, draft: Draft) -> str | None:
        """The first chosen paired region whose side is not asked yet."""
        sides = draft.sides
        for region in draft.selected:
            option = step.option(str(region))
            if option is not None and option.paired and region not in sides:
                return str(region)
        return None

    def _regions_finish(self, state: IntakeState, step: Step, draft: Draft, worst: str) -> Result:
        sides = draft.sides
        regions: list[object] = [
            {"region": region, "side": sides.get(region, Side.CENTRE.value)}
            for region in draft.selected
        ]
        return self._commit(state, step, {"regions": regions, "worst": worst})

    # --- flags -----------------------------------------------------------------------

    def _flags_of(self, step: Step, value: AnswerValue) -> list[str]:
        if step.type is StepType.YESNO:
            return [step.yes_flag] if value is True and step.yes_flag else []
        flags = []
        for option_id in _chosen_ids(value):
            option = step.option(option_id)
            if option is not None and option.flag:
                flags.append(option.flag)
        return flags
