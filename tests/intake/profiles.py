"""Three patient profiles walked through the shipped flow, counting screens and taps.

A walk drives the pure engine as a patient would: a tap where the screen has a button
for the answer, typing where the question wants words or a number. Used by
`tests/intake/test_length.py` (the healthy adult stays at or under 30 screens) and
`benchmarks/intake_length.py` (prints the table for the report).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.intake.engine import REVIEW, IntakeEngine, IntakeState, Outcome, Status, Tap, Typed
from bot.intake.flow import Flow
from bot.intake.screens import screen as render_screen

# ("tap", words in the button's label) or ("type", text). "Done" taps the Done button.
Action = tuple[str, str]


def tap(label: str) -> Action:
    return ("tap", label)


def typed(text: str) -> Action:
    return ("type", text)


HEALTHY: list[Action] = [
    tap("Yes, I agree"), tap("Me, the patient"), typed("34"),
    typed("Sore lower back since I moved house"),
    tap("Lower back"), tap("Done"),
    tap("6 to 12 weeks"), tap("Gradually"), tap("No, this is the first time"),
    tap("Worst in the morning"),
    tap("Sitting"), tap("Done"), tap("Moving or gentle exercise"), tap("Done"),
    tap("4"), tap("6"), tap("2"), tap("3"),
    tap("None of these"), tap("Tight or stiff muscles"), tap("Done"),
    tap("None of these"), tap("None of these"),
    typed("none"), tap("None of these"),
    tap("Not at all"), tap("Not at all"),
    tap("None"), tap("Nothing yet"),
    typed("Lift my kids without pain"),
    tap("I understand and agree"), tap("The patient"), tap("Send to the clinic"),
]  # fmt: skip

OLDER_ANTICOAGULATED: list[Action] = [
    tap("Yes, I agree"), tap("Me, the patient"), typed("74"),
    typed("Neck and left shoulder pain, worse when I turn my head"),
    tap("Neck"), tap("Shoulder"), tap("Done"), tap("Left"), tap("Shoulder"),
    typed("about 2 years"), tap("Gradually"), tap("it keeps coming back"),
    typed("Two or three times a year, last one in the spring"),
    tap("Gets worse as the day goes on"),
    tap("Reaching"), tap("Desk or screen"), tap("Done"), tap("Heat"), tap("Done"),
    tap("5"), tap("8"), tap("3"), tap("6"),
    tap("Pins and needles"), tap("Done"), tap("Tight or stiff"), tap("Tender spots"), tap("Done"),
    tap("None of these"), tap("None of these"),
    typed("apixaban 5 mg twice a day, metoprolol 50 mg, furosemide 40 mg, vitamin D"),
    tap("Blood thinners"), tap("Heart or blood-vessel"), tap("Done"),
    tap("An anticoagulant"), tap("Done"),
    tap("Irregular heartbeat"), tap("Heart failure"), tap("Done"),
    tap("Several days"), tap("Not at all"),
    tap("X-ray"), tap("Done"), typed("wear and tear in the neck"),
    tap("Physiotherapy"), tap("Medication"), tap("Done"), typed("physio helped for a while"),
    typed("Turn my head to reverse the car"),
    tap("I understand and agree"), tap("The patient"), tap("Send to the clinic"),
]  # fmt: skip

RED_FLAGS: list[Action] = [
    tap("Yes, I agree"), tap("Me, the patient"), typed("58"),
    typed("Ache between my shoulder blades that keeps me up"),
    tap("Middle of the back"), tap("Done"),
    typed("3 weeks"), tap("Gradually"), tap("No, this is the first time"),
    tap("Worst at night"),
    tap("Lying down"), tap("Done"), tap("Nothing helps"),
    tap("6"), tap("8"), tap("5"), tap("7"),
    tap("None of these"), tap("None of these"),
    tap("None of these"),
    tap("I have had cancer"), tap("Pain at night"), tap("Weight loss"), tap("Done"),
    typed("tamoxifen 20 mg daily"), tap("None of these"),
    tap("More than half the days"), tap("Nearly every day"),
    tap("None"), tap("Nothing yet"),
    typed("Sleep through the night"),
    tap("I have questions first"), tap("The patient"), tap("Send to the clinic"),
]  # fmt: skip

PROFILES: dict[str, list[Action]] = {
    "healthy adult, one painful area": HEALTHY,
    "older adult on anticoagulants with heart disease": OLDER_ANTICOAGULATED,
    "patient with red flags (urgent; form goes on)": RED_FLAGS,
}


@dataclass(frozen=True)
class WalkResult:
    """What a profile cost the patient and what the form recorded."""

    screens: int  # distinct screens shown, the review included
    taps: int
    typed: int
    messages: int  # flag messages shown to the patient on the way
    state: IntakeState
    flags: tuple[str, ...]


def _action(verb: str, arg: str) -> str:
    return f"{verb}|{arg}"


def walk(flow: Flow, actions: list[Action], today: date = date(2026, 12, 6)) -> WalkResult:
    """Play `actions` from the start; fails loudly if one does not fit its screen."""
    engine = IntakeEngine(flow, today=lambda: today, now=lambda: datetime(2026, 12, 6, tzinfo=UTC))
    state = engine.start()
    seen = {(state.current, state.revision)}
    taps = typed_count = messages = 0
    for kind, value in actions:
        if kind == "tap":
            screen = render_screen(engine, state, _action)
            wanted = value.lower()
            button = next(
                (b for b in screen.buttons if b.label.lower().startswith(wanted)), None
            ) or next((b for b in screen.buttons if wanted in b.label.lower()), None)
            if button is None:
                raise AssertionError(f"no button {value!r} on {state.current}: {screen.text[:80]}")
            verb, _, arg = button.action.partition("|")
            result = engine.apply(state, Tap(verb, state.revision, arg))
            taps += 1
        else:
            result = engine.apply(state, Typed(value))
            typed_count += 1
        if result.outcome in (Outcome.INVALID, Outcome.STALE, Outcome.CLOSED):
            raise AssertionError(f"{value!r} at {state.current}: {result.outcome} {result.hint}")
        messages += sum(1 for flag in result.raised if flag.message)
        state = result.state
        if state.status is Status.IN_PROGRESS:
            seen.add((state.current, state.revision))
    assert state.status is Status.SUBMITTED or state.current == REVIEW, state.current
    flags = tuple(flag.id for flag in engine.raised_flags(state.answers))
    return WalkResult(len(seen), taps, typed_count, messages, state, flags)
