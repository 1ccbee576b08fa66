"""The intake flow as data: steps, options, conditions, flags and scores.

A flow is read from `content/intake_flow.yaml` (see `bot.intake.flow_file`) and is
immutable once loaded; the engine only ever reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from bot.content.model import Review

# Answers are kept as JSON-compatible values so they can be stored and exported as is.
AnswerValue = bool | int | float | str | list[str] | dict[str, object] | None


_NAME_WORD = re.compile(r"\b(?:names?|noms?)\b")
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+")


class StepType(StrEnum):
    """What kind of question a step asks."""

    INFO = "info"  # a message with a Continue button; not counted as a question
    CONSENT = "consent"  # versioned consent; "no" ends the intake before any question
    # Informed consent to treatment: agree / questions first / no, all recorded with the
    # text's version and the time; the form goes on whatever the answer.
    TREATMENT_CONSENT = "treatment_consent"
    SINGLE = "single"  # one option
    MULTI = "multi"  # several options, toggled, then Done
    YESNO = "yesno"
    SCALE = "scale"  # 0-10
    NUMBER = "number"  # a number within bounds
    TEXT = "text"  # short text with a length limit
    DATE_OR_DURATION = "date_or_duration"  # a duration option, or a typed date
    REGIONS = "regions"  # body regions, each with a side, then the worst one


QUESTION_TYPES = frozenset(StepType) - {StepType.INFO}
# The fixed option ids of a treatment-consent step (the labels are the clinic's).
CONSENT_AGREE, CONSENT_QUESTIONS, CONSENT_DECLINE = "agree", "questions", "decline"
TREATMENT_CONSENT_OPTIONS = (CONSENT_AGREE, CONSENT_QUESTIONS, CONSENT_DECLINE)
# Who gives the answer to consent to treatment (the patient, or someone for them), by id;
# their words, for the patient and on record, are in `wording` (in this order).
CONSENT_GIVERS = ("patient", "parent_guardian", "decision_maker", "relayed")


class FlagLevel(StrEnum):
    """How serious a flagged answer is."""

    EMERGENCY = "emergency"  # stop now, emergency message, alert staff
    URGENT = "urgent"  # see a physician soon; continue; first in the summary
    ATTENTION = "attention"  # for the clinician's attention (e.g. a positive mood screen)


class ConditionOp(StrEnum):
    """How a `when` condition compares an earlier answer."""

    EQUALS = "equals"
    INCLUDES = "includes"
    ANY_OF = "any_of"
    GT = "gt"
    LT = "lt"
    ANSWERED = "answered"


class Side(StrEnum):
    """Which side of the body a region is on (the patient's own left and right)."""

    LEFT = "left"
    RIGHT = "right"
    BOTH = "both"
    CENTRE = "centre"


PAIRED_SIDES = (Side.LEFT, Side.RIGHT, Side.BOTH)


@dataclass(frozen=True)
class Option:
    """One choice of a choice step (or one body region)."""

    id: str
    label: str
    flag: str | None = None  # flag id raised when this option is chosen
    weight: float | None = None  # contribution to the flow's scores
    exclusive: bool = False  # "None of these": choosing it clears the others
    paired: bool = False  # regions only: has a left and right side
    aliases: tuple[str, ...] = ()  # extra words a patient may type
    # date_or_duration only: a typed duration shorter than this many days picks the option.
    within_days: int | None = None
    line: int = 0  # the line of its label in the file it was read from (0: a stored copy)


@dataclass(frozen=True)
class Condition:
    """Show a step only when an earlier answer matches."""

    step: str
    op: ConditionOp
    value: object = None
    line: int = 0


@dataclass(frozen=True)
class Step:
    """One screen of the intake."""

    id: str
    type: StepType
    text: str
    section: str = "other"
    required: bool = True
    options: tuple[Option, ...] = ()
    when: tuple[Condition, ...] = ()  # all must hold
    hint: str | None = None  # shown under the question
    minimum: float | None = None  # number: lower bound
    maximum: float | None = None  # number: upper bound
    integer: bool = True  # number: whole numbers only
    max_length: int | None = None  # text
    min_label: str | None = None  # scale: meaning of 0
    max_label: str | None = None  # scale: meaning of 10
    yes_flag: str | None = None  # yes/no: flag raised by "yes"
    consent_version: str | None = None
    decline_message: str | None = None  # consent: what a "no" is told
    questions_message: str | None = None  # treatment consent: what "questions first" is told
    worst_text: str | None = None  # regions: the "which bothers you most?" question
    label: str | None = None  # a short name for the review and the clinician summary
    # How the safety stage reads a typed answer ("history": the question asks about past
    # events or standing conditions, so a danger sign in the answer is history unless it
    # is told as happening now); None: as any message.
    answers_tell: str | None = None
    line: int = 0
    language: str = "en"  # the language its texts are in (the words around them follow)

    @property
    def short(self) -> str:
        """The step's short name: its label, else the question's first sentence."""
        if self.label:
            return self.label
        return self.text.split("?")[0].split(". ")[0].rstrip(".")

    @property
    def asked(self) -> str:
        """The question in the patient's words: its first sentence that asks something
        (the lead-in such as "Safety check." and answering instructions left out), else
        its first sentence."""
        sentences = _SENTENCE_END.split(" ".join(self.text.split()))
        asking = next((sentence for sentence in sentences if sentence.endswith("?")), None)
        return asking or sentences[0].rstrip(".")

    @property
    def asks_for_name(self) -> bool:
        """Whether a text step asks for a name (a person's, a doctor's, a medicine's): its
        id, label or question says "name" (or French "nom")."""
        if self.type is not StepType.TEXT:
            return False
        said = " ".join((self.id.replace("_", " "), self.label or "", self.text)).casefold()
        return _NAME_WORD.search(said) is not None

    @property
    def is_question(self) -> bool:
        """Whether the step asks for an answer (info screens do not)."""
        return self.type in QUESTION_TYPES

    def option(self, option_id: str) -> Option | None:
        """The option with `option_id`, if any."""
        for option in self.options:
            if option.id == option_id:
                return option
        return None


@dataclass(frozen=True)
class Flag:
    """A flagged answer's level and the reviewed message the patient is shown."""

    id: str
    level: FlagLevel
    message: str
    label: str  # a short name for the clinician summary and staff alerts
    reviewed: Review | None = None


@dataclass(frozen=True)
class Band:
    """An interpretation band of a score, inclusive at both ends."""

    low: float
    high: float
    label: str
    flag: str | None = None  # flag raised when the total falls in this band


@dataclass(frozen=True)
class Score:
    """A named sum of option weights over some steps (for licensed instruments)."""

    id: str
    title: str
    steps: tuple[str, ...]
    bands: tuple[Band, ...] = ()

    def band_for(self, total: float) -> Band | None:
        """The band `total` falls in, if any."""
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        return None


@dataclass(frozen=True)
class FlagRule:
    """A flag raised by a combination of answers (all `when` conditions hold)."""

    flag: str
    when: tuple[Condition, ...]
    line: int = 0


@dataclass(frozen=True)
class Flow:
    """A complete intake questionnaire."""

    id: str
    version: str
    title: str
    steps: tuple[Step, ...]
    flags: dict[str, Flag] = field(default_factory=dict)
    scores: tuple[Score, ...] = ()
    rules: tuple[FlagRule, ...] = ()
    url: str = ""  # canonical URL for the FHIR Questionnaire
    completion_message: str = "Thank you. Your answers have been sent to the clinic."
    language: str = "en"  # the language its patient-facing texts are in
    # The same flow in other languages (same steps, options, conditions and flags; only
    # what the patient reads differs), by language code.
    translations: dict[str, Flow] = field(default_factory=dict)

    def in_language(self, language: str) -> Flow:
        """This flow as a patient reading `language` sees it (itself when not translated)."""
        return self.translations.get(language, self)

    def step(self, step_id: str) -> Step | None:
        """The step with `step_id`, if any."""
        for step in self.steps:
            if step.id == step_id:
                return step
        return None

    def index_of(self, step_id: str) -> int:
        """Position of `step_id` in the flow (-1 when absent)."""
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        return -1

    @property
    def questions(self) -> tuple[Step, ...]:
        """Every step that asks for an answer."""
        return tuple(step for step in self.steps if step.is_question)
