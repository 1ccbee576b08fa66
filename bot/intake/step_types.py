"""Every kind of intake step in one place: its file keys, how a tap or typed text answers
it, what it shows, how its answer reads, and its FHIR item type.

A kind never changes the state itself: it returns an `Effect` (an answer, a new draft, a
refusal...) that the engine applies. Adding a step type means a `StepType` member in
`bot.intake.flow` and a `StepKind` here, with its tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any, ClassVar

from bot.core.dates import long_date
from bot.intake.answers import (
    DONE_WORDS,
    NOTHING_WORDS,
    Invalid,
    Picked,
    consent_language,
    exact_option,
    format_regions,
    half_number,
    match_option,
    may_be_question,
    normalise,
    option_by_meaning,
    option_hint,
    option_in_sentence,
    options_hint,
    parse_consent,
    parse_date_or_duration,
    parse_many,
    parse_number,
    parse_scale,
    parse_side,
    parse_text,
    parse_yes_no,
    place_words,
    shortened,
    unmatched_hint,
    unsure_hint,
)
from bot.intake.flow import (
    CONSENT_AGREE,
    CONSENT_DECLINE,
    CONSENT_GIVERS,
    PAIRED_SIDES,
    AnswerValue,
    Option,
    Side,
    Step,
    StepType,
)
from bot.intake.wording import IntakeWords, giver_on_record, language_name, words_for

SCALE_TOP = 10
BACK_WORDS = frozenset(
    {"back", "go back", "previous", "undo",
     "retour", "précédent", "precedent", "revenir", "retourner", "question précédente",
     "question precedente", "annuler la réponse"}
)  # fmt: skip
TYPED_LABEL_CHARS = 20  # typed text shown on a button ("Save 'my left kn…'")
SKIP_WORDS = frozenset(
    {"skip", "pass", "skip it", "skip this", "rather not say",
     "passer", "je passe", "sauter", "passer la question", "je préfère ne pas répondre",
     "je prefere ne pas repondre"}
)  # fmt: skip
CONTINUE_WORDS = frozenset(
    {"ok", "okay", "continue", "next", "go", "start", "yes", "sure",
     "continuer", "suivant", "oui", "d'accord", "commencer"}
)  # fmt: skip
# `Draft.confirm` on the body map when "back" was typed: an instruction, or the area?
BACK_CONFIRM = "\x00back"
# Typed at "your answer, or a question for the clinic?": it is a question.
QUESTION_REPLY_WORDS = frozenset(
    {"question", "a question", "it's a question", "its a question", "it is a question",
     "answer my question", "answer it", "ask", "c'est une question", "une question",
     "répondez à ma question", "repondez a ma question"}
)  # fmt: skip
# Typed at a free-text question these may be an answer or a command: we ask which.
COMMAND_WORDS = BACK_WORDS | SKIP_WORDS | DONE_WORDS | {
    "next", "cancel", "stop", "quit", "suivant", "arrêter", "arreter", "annuler",
}  # fmt: skip


class Verb(StrEnum):
    """What a tapped button asks for."""

    OPTION = "o"
    TOGGLE = "t"
    DONE = "d"
    SKIP = "s"
    BACK = "b"
    EDIT = "e"
    SUBMIT = "u"


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
    note: str = ""  # what the screen asks about `confirm` (a scale's "Is 2/10 right?")
    question: bool = False  # text only: `confirm` may be a question for the clinic
    page: int | None = None  # the review only: the page of answers offered for change

    def to_json(self) -> dict[str, Any]:
        """A plain dict for storage."""
        data: dict[str, Any] = {"selected": self.selected, "phase": self.phase.value}
        if self.sides:
            data["sides"] = self.sides
        if self.confirm is not None:
            data["confirm"] = self.confirm
        if self.note:
            data["note"] = self.note
        if self.question:
            data["question"] = True
        if self.page is not None:
            data["page"] = self.page
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
            note=str(data.get("note") or ""),
            question=bool(data.get("question", False)),
            page=int(data["page"]) if data.get("page") is not None else None,
        )


@dataclass(frozen=True)
class Choice:
    """A button the screen offers: its label, and the verb and argument a tap sends."""

    label: str
    verb: Verb
    arg: str = ""


# --- what a tap or typed text does --------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """Save this answer and move on; `given_by`: who gave a consent (the patient, or a
    person answering for them), recorded with it."""

    value: AnswerValue
    given_by: str = ""


@dataclass(frozen=True)
class Keep:
    """Stay on the screen with a new draft; `new_screen` when old buttons no longer apply;
    `hint` to say first (what a typed list added, or the part of it not understood)."""

    draft: Draft | None
    new_screen: bool = False
    hint: str = ""


@dataclass(frozen=True)
class Refuse:
    """Not usable here: `hint` says what would be; may be a side question for the FAQ.
    `answered_in`: a consent typed in another language than the form's (which one), and
    `settled`: what it means once the patient has settled the form's language (a "no" is
    their refusal; a yes is asked again in the form's language, as consent needs a text
    understood). The engine decides which applies: only it knows the form's history."""

    hint: str
    maybe_question: bool = False
    answered_in: str | None = None
    settled: Answer | Refuse | None = None


@dataclass(frozen=True)
class Detour:
    """The patient says `text` is a question for the clinic, not the answer: it goes to the
    FAQ and the step is asked again."""

    text: str


class Command(StrEnum):
    """A move the patient asked for from inside a step."""

    STALE = "stale"  # a button this screen does not have
    BACK = "back"
    SKIP = "skip"


Effect = Answer | Keep | Refuse | Detour | Command


def chosen_ids(answer: AnswerValue) -> list[str]:
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


def _words(step: Step) -> IntakeWords:
    """The words around `step` in its language."""
    return words_for(step.language)


def _labels(step: Step, ids: list[str]) -> list[str]:
    return [(step.option(option_id) or Option(option_id, option_id)).label for option_id in ids]


def _option_buttons(options: tuple[Option, ...]) -> list[Choice]:
    return [Choice(option.label, Verb.OPTION, str(i)) for i, option in enumerate(options)]


# --- FHIR shapes (bot.intake.fhir adds each coding's system, from its item's linkId) ----------

FhirNode = dict[str, Any]
SIDE_DISPLAY = {Side.LEFT: "Left", Side.RIGHT: "Right", Side.BOTH: "Both", Side.CENTRE: "Centre"}
MIN_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE_URL = "http://hl7.org/fhir/StructureDefinition/maxValue"


def fhir_coding(code: str, display: str | None = None) -> FhirNode:
    """A coding without its system (the export adds it)."""
    return {"code": code, "display": display} if display else {"code": code}


def _fhir_options(options: tuple[Option, ...]) -> list[FhirNode]:
    return [{"valueCoding": fhir_coding(option.id, option.label)} for option in options]


def _fhir_chosen(step: Step, ids: list[str]) -> list[FhirNode]:
    return [
        {"valueCoding": fhir_coding(option_id, option.label if option else None)}
        for option_id in ids
        for option in [step.option(option_id)]
    ]


def _fhir_bounds(low: float, high: float, integer: bool) -> list[FhirNode]:
    key = "valueInteger" if integer else "valueDecimal"
    cast = int if integer else float
    return [{"url": MIN_VALUE_URL, key: cast(low)}, {"url": MAX_VALUE_URL, key: cast(high)}]


class StepKind:
    """A step type's behaviour; the defaults suit a one-screen, one-tap question."""

    type: ClassVar[StepType]
    keys: ClassVar[frozenset[str]] = frozenset()  # its own keys in the flow file
    fhir_type: ClassVar[str] = "string"
    has_options: ClassVar[bool] = False
    typed_answer: ClassVar[bool] = False  # typed digits are the answer, not a button number
    free_text: ClassVar[bool] = False  # whatever is typed is the answer
    shows_previous_answer: ClassVar[bool] = True  # "Your answer so far" when coming back
    can_go_back: ClassVar[bool] = True  # a Back button (when there is a step before it)
    # What the engine, the flow check and the summary read of a kind (never its type):
    has_answer: ClassVar[bool] = True  # an info step has none to compare or list
    yes_no: ClassVar[bool] = False  # answered yes or no (conditions compare true/false)
    numeric: ClassVar[bool] = False  # answered with a number (conditions may use gt/lt)
    rating: ClassVar[bool] = False  # a 0-10 rating, checked against its `_now` sibling
    scored: ClassVar[bool] = False  # its options may carry a score's weights
    versioned: ClassVar[bool] = False  # the file names the version of the text it shows
    # Consent to the use of the data: a no ends the form; not listed in the review.
    data_consent: ClassVar[bool] = False
    # Consent to treatment: recorded with its version, time and giver, and shown in the
    # summary's own block, not in a section.
    treatment_consent: ClassVar[bool] = False

    def bounds(self, step: Step) -> tuple[float | None, float | None]:
        """The lowest and highest answer a numeric step takes (None: no bound)."""
        return step.minimum, step.maximum

    def back_is_an_answer(self, step: Step, draft: Draft | None, words: str) -> bool:
        """Whether a typed "back" answers this screen instead of going back."""
        return False

    def seed(self, step: Step, previous: AnswerValue) -> Draft | None:
        """The draft a screen starts with (from an earlier answer when going back)."""
        return None

    def button_value(self, step: Step, index: int) -> tuple[bool, AnswerValue]:
        """(valid, value) for the option button at `index`."""
        return False, None

    def back(self, step: Step, draft: Draft | None) -> Draft | None:
        """The draft of this screen's previous phase, or None to go to the previous step."""
        return None

    def tap(self, step: Step, draft: Draft | None, verb: str, arg: str) -> Effect:
        """A tapped button of this screen."""
        index = int(arg) if arg.isdecimal() else -1
        valid, value = self.button_value(step, index)
        return Answer(value) if verb == Verb.OPTION and valid else Command.STALE

    def typed(self, step: Step, draft: Draft | None, text: str, words: str, today: date) -> Effect:
        """Typed text at this screen (`words` is it normalised)."""
        return Refuse(_words(step).tap_a_button, True)

    def prompt(self, step: Step, draft: Draft | None) -> str:
        """The question as shown (with any instruction the type needs)."""
        return step.text

    def choices(self, step: Step, draft: Draft | None) -> list[Choice]:
        """The buttons of this screen (Skip and Back are added by the screen)."""
        return _option_buttons(step.options)

    def format(self, step: Step, value: AnswerValue) -> str:
        """The answer as a short phrase for the review and the clinician."""
        return str(value)

    def flags(self, step: Step, value: AnswerValue) -> list[str]:
        """Flag ids the answer raises."""
        found = []
        for option_id in chosen_ids(value):
            option = step.option(option_id)
            if option is not None and option.flag:
                found.append(option.flag)
        return found

    def noted(self, step: Step, value: AnswerValue) -> list[str] | None:
        """What a needling-safety answer names for the clinician, one item each; None when
        the answer is read whole (`bot.intake.summary` then words it)."""
        return None

    # --- FHIR R4 (Questionnaire item, QuestionnaireResponse item) ---------------------------

    def fhir_link(self, step: Step) -> str:
        """The linkId the step's answers are under (what an `enableWhen` names)."""
        return step.id

    def fhir_item(self, step: Step) -> FhirNode:
        """The Questionnaire item's keys besides linkId, text and enableWhen."""
        item: FhirNode = {"type": self.fhir_type, "required": step.required}
        if self.has_options:
            item["answerOption"] = _fhir_options(step.options)
        return item

    def fhir_answers(self, step: Step, value: AnswerValue) -> list[FhirNode]:
        """The answer as QuestionnaireResponse answers."""
        return _fhir_chosen(step, chosen_ids(value))

    def fhir_response(
        self, step: Step, value: AnswerValue, consent: dict[str, str] | None, language: str
    ) -> FhirNode:
        """The QuestionnaireResponse item's keys besides linkId and text (`consent`: the
        state's record of consent to treatment; `language`: the one the form was answered
        in, which the words this code adds follow)."""
        return {"answer": self.fhir_answers(step, value)}


def _instruction(step: Step, instruction: str) -> str:
    """The answering instruction on its own line, unless an older flow's text has one."""
    said = step.text.lower()
    return "" if "tap done" in said or "touchez terminé" in said else f"\n{instruction}"


def _other_language(step: Step, text: str, agree: str, refusal: AnswerValue) -> Refuse | None:
    """A consent or refusal typed in another language than the step's: refused, saying in
    that language that consent needs a text understood (`agree`: the agree button), unless
    the form is offered in it (the conversation then shows the step in that language).
    Once the form's language is settled, a refusal records `refusal` and a yes is asked
    again in the form's language (`Refuse.settled`)."""
    language = consent_language(text)
    if language is None or language == step.language:
        return None
    hint = words_for(language).consent_only_in.format(
        form_language=language_name(step.language, language), agree=agree
    )
    settled: Answer | Refuse
    if parse_consent(text, ("", ""), language) is False:
        settled = Answer(refusal)
    else:
        settled = Refuse(_words(step).consent_in_form_language.format(agree=agree))
    return Refuse(hint, answered_in=language, settled=settled)


def _refusal(parsed: Invalid, maybe_question: bool = True) -> Refuse:
    return Refuse(parsed.hint, maybe_question)


class InfoKind(StepKind):
    """A message with a Continue button; not counted as a question."""

    type = StepType.INFO
    has_answer = False
    fhir_type = "display"
    shows_previous_answer = False

    def button_value(self, step: Step, index: int) -> tuple[bool, AnswerValue]:
        return index == 0, True

    def typed(self, step: Step, draft: Draft | None, text: str, words: str, today: date) -> Effect:
        if words in CONTINUE_WORDS:
            return Answer(True)
        return Refuse(_words(step).tap_continue, True)

    def choices(self, step: Step, draft: Draft | None) -> list[Choice]:
        return [Choice(_words(step).continue_button, Verb.OPTION, "0")]

    def fhir_item(self, step: Step) -> FhirNode:
        return {"type": self.fhir_type}


class YesNoKind(StepKind):
    """Yes or No."""

    type = StepType.YESNO
    keys = frozenset({"yes_flag"})
    yes_no = True
    fhir_type = "boolean"

    def labels(self, step: Step) -> tuple[str, str]:
        """The yes and no buttons."""
        return _words(step).yes_no

    def button_value(self, step: Step, index: int) -> tuple[bool, AnswerValue]:
        return index in (0, 1), index == 0

    def typed(self, step: Step, draft: Draft | None, text: str, words: str, today: date) -> Effect:
        answer = parse_yes_no(text, self.labels(step))
        if answer is None:
            return Refuse(_words(step).answer_yes_no, True)
        return Answer(answer)

    def choices(self, step: Step, draft: Draft | None) -> list[Choice]:
        return [Choice(label, Verb.OPTION, str(i)) for i, label in enumerate(self.labels(step))]

    def format(self, step: Step, value: AnswerValue) -> str:
        yes, no = _words(step).yes_no
        return yes if value else no

    def flags(self, step: Step, value: AnswerValue) -> list[str]:
        return [step.yes_flag] if value is True and step.yes_flag else []

    def fhir_answers(self, step: Step, value: AnswerValue) -> list[FhirNode]:
        return [{"valueBoolean": value}] if isinstance(value, bool) else []


class ConsentKind(YesNoKind):
    """Versioned consent to share the answers; "no" ends the intake before any question."""

    type = StepType.CONSENT
    keys = frozenset({"version", "decline_message"})
    versioned = True
    data_consent = True
    shows_previous_answer = False
    can_go_back = False

    def labels(self, step: Step) -> tuple[str, str]:
        return _words(step).consent_buttons

    def typed(self, step: Step, draft: Draft | None, text: str, words: str, today: date) -> Effect:
        # Agreeing to share health data must be explicit: an "ok" re-asks, saying why.
        labels = self.labels(step)
        answer = parse_consent(text, labels, step.language)
        if answer is not None:
            return Answer(answer)
        other = _other_language(step, text, labels[0], False)
        return other or Refuse(_words(step).consent_explicit, True)


class ScaleKind(StepKind):
    """0 to 10."""

    type = StepType.SCALE
    keys = frozenset({"min_label", "max_label"})
    numeric = True
    rating = True

    def bounds(self, step: Step) -> tuple[float | None, float | None]:
        return 0, SCALE_TOP

    fhir_type = "integer"
    typed_answer = True

    def button_value(self, step: Step, index: int) -> tuple[bool, AnswerValue]:
        return 0 <= index <= SCALE_TOP, index

    def tap(self, step: Step, draft: Draft | None, verb: str, arg: str) -> Effect:
        asked = draft.confirm if draft else None
        if asked is not None and verb == Verb.OPTION and arg in ("confirm", "no"):
            # "Is 2/10 right?" (see `IntakeEngine`): kept as confirmed, or asked afresh.
            return Answer(int(asked)) if arg == "confirm" else Keep(None, new_screen=True)
        return super().tap(step, draft, verb, arg)

    def typed(self, step: Step, draft: Draft | None, text: str, words: str, today: date) -> Effect:
        asked = draft.confirm if draft else None
        said = parse_yes_no(words) if asked is not None else None
        if asked is not None and said is not None:
            return Answer(int(asked)) if said else Keep(None, new_screen=True)
        half = half_number(text)
        if half is not None and half < SCALE_TOP:
            # The scale has whole numbers: the patient picks the nearer of the two.
            return Refuse(_words(step).scale_half.format(low=half, high=half + 1))
        value = parse_scale(text)
        if value is None:
            # The prompt says "0 = not at all, 10 = ..." (and the refusal "0 means none"):
            # those words count as the number.
            low, high = (normalise(end) for end in self._ends(step))
            nothing = {low, normalise(_words(step).scale_none)}
            value = 0 if words in nothing else SCALE_TOP if words == high else None
        if value is None:
            return Refuse(_words(step).scale_refused, True)
        return Answer(value)

    @staticmethod
    def _ends(step: Step) -> tuple[str, str]:
        """What the prompt says 0 and 10 mean."""
        words = _words(step)
        return step.min_label or words.scale_none, step.max_label or words.scale_most

    def prompt(self, step: Step, draft: Draft | None) -> str:
        words = _words(step)
        low, high = self._ends(step)
        asked = f"\n\n{draft.note}" if draft is not None and draft.note else ""
        return f"{step.text}\n{words.scale_prompt.format(low=low, high=high)}{asked}"

    def choices(self, step: Step, draft: Draft | None) -> list[Choice]:
        if draft is not None and draft.confirm is not None:
            words = _words(step)
            return [
                Choice(words.ratings_keep.format(value=draft.confirm), Verb.OPTION, "confirm"),
                Choice(words.ratings_change, Verb.OPTION, "no"),
            ]
        return [Choice(str(value), Verb.OPTION, str(value)) for value in range(SCALE_TOP + 1)]

    def format(self, step: Step, value: AnswerValue) -> str:
        return f"{value}/10"

    def fhir_item(self, step: Step) -> FhirNode:
        return {**super().fhir_item(step), "extension": _fhir_bounds(0, SCALE_TOP, True)}

    def fhir_answers(self, step: Step, value: AnswerValue) -> list[FhirNode]:
        return [{"valueInteger": value}] if isinstance(value, int) else []


class NumberKind(StepKind):
    """A number within bounds."""

    type = StepType.NUMBER
    keys = frozenset({"min", "max", "integer"})
    numeric = True
    fhir_type = "integer"
    typed_answer = True

    def typed(self, step: Step, draft: Draft | None, text: str, words: str, today: date) -> Effect:
        parsed = parse_number(text, step)
        return _refusal(parsed) if isinstance(parsed, Invalid) else Answer(parsed.value)

    def prompt(self, step: Step, draft: Draft | None) -> str:
        said = _words(step).number_prompt.format(low=f"{step.minimum:g}", high=f"{step.maximum:g}")
        return f"{step.text}\n{said}"

    def choices(self, step: Step, draft: Draft | None) -> list[Choice]:
        return []

    def fhir_item(self, step: Step) -> FhirNode:
        bounds = _fhir_bounds(step.minimum or 0, step.maximum or 0, step.integer)
        return {
            "type": "integer" if step.integer else "decimal",
            "required": step.required,
            "extension": bounds,
        }

    def fhir_answers(self, step: Step, value: AnswerValue) -> list[FhirNode]:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return []
        return [{"valueInteger": int(value)} if step.integer else {"valueDecimal": float(value)}]


class TextKind(StepKind):
    """Short free text; a lone command word, or text that may be a question for the clinic,
    is confirmed before it is saved."""

    type = StepType.TEXT
    keys = frozenset({"max_length"})
    typed_answer = True
    free_text = True

    def tap(self, step: Step, draft: Draft | None, verb: str, arg: str) -> Effect:
        pending = draft.confirm if draft else None
        if verb != Verb.OPTION or pending is None:
            return Command.STALE
        if arg == "confirm":
            return self._save(step, pending)
        if arg == "ask" and draft is not None and draft.question:
            return Detour(pending)
        return Keep(None, new_screen=True)

    def typed(self, step: Step, draft: Draft | None, text: str, words: str, today: date) -> Effect:
        pending = draft.confirm if draft else None
        if pending is not None:
            said = parse_yes_no(words)
            if said is True or words in {"save it", "keep it", "garder", "enregistrer"}:
                return self._save(step, pending)
            if draft is not None and draft.question and words in QUESTION_REPLY_WORDS:
                return Detour(pending)
            if words in BACK_WORDS:
                return Command.BACK
            if words in SKIP_WORDS and not step.required:
                return Command.SKIP
            if said is False:
                return Keep(None)
        elif words in COMMAND_WORDS:
            return Keep(Draft(confirm=text.strip()), new_screen=True)
        if may_be_question(text):
            # "How much does it cost?" wants an answer; "is it nerve pain?" may be the
            # patient's own account: which it is, only they know, so they are asked.
            return Keep(Draft(confirm=text.strip(), question=True), new_screen=True)
        return self._save(step, text)

    @staticmethod
    def _save(step: Step, text: str) -> Effect:
        parsed = parse_text(text, step)
        return Refuse(parsed.hint) if isinstance(parsed, Invalid) else Answer(parsed.value)

    def prompt(self, step: Step, draft: Draft | None) -> str:
        words = _words(step)
        text = f"{step.text}\n{words.text_prompt.format(limit=step.max_length)}"
        if draft is not None and draft.confirm is not None and draft.question:
            text += "\n\n" + words.typed_question_confirm.format(typed=draft.confirm)
        elif draft is not None and draft.confirm is not None:
            text += "\n\n" + words.typed_command_confirm.format(typed=draft.confirm)
        return text

    def choices(self, step: Step, draft: Draft | None) -> list[Choice]:
        if draft is None or draft.confirm is None:
            return []
        words = _words(step)
        save = Choice(
            words.save_typed.format(typed=shortened(draft.confirm, TYPED_LABEL_CHARS)),
            Verb.OPTION,
            "confirm",
        )
        if draft.question:
            return [save, Choice(words.ask_question_button, Verb.OPTION, "ask")]
        return [save, Choice(words.retype, Verb.OPTION, "retype")]

    def fhir_item(self, step: Step) -> FhirNode:
        return {**super().fhir_item(step), "maxLength": step.max_length}

    def fhir_answers(self, step: Step, value: AnswerValue) -> list[FhirNode]:
        return [{"valueString": str(value)}]


class SingleKind(StepKind):
    """One option."""

    type = StepType.SINGLE
    keys = frozenset({"options"})
    scored = True
    fhir_type = "choice"
    has_options = True

    def button_value(self, step: Step, index: int) -> tuple[bool, AnswerValue]:
        valid = 0 <= index < len(step.options)
        return valid, step.options[index].id if valid else None

    def typed(self, step: Step, draft: Draft | None, text: str, words: str, today: date) -> Effect:
        # A plain "no" or "idk" first: a typo-tolerant reading of "pas du tout" would find
        # "tout" in "tout le temps", the opposite answer.
        index = option_by_meaning(text, step.options)
        if index is None:
            index = match_option(text, step.options)
        if index is None:
            index = option_in_sentence(text, step.options)
        if index is None:
            return Refuse(option_hint(step.options, _words(step)), True)
        return Answer(step.options[index].id)

    def format(self, step: Step, value: AnswerValue) -> str:
        return _labels(step, [str(value)])[0]


class TreatmentConsentKind(SingleKind):
    """Informed consent to treatment: agree, questions first, or no; then who gives that
    answer (the patient, or a parent, guardian or substitute decision-maker for them), as
    a needling clinic must know (all recorded). `Draft.confirm` holds the answer while
    the second screen asks who gives it."""

    type = StepType.TREATMENT_CONSENT
    keys = frozenset({"version", "options", "questions_message", "decline_message"})
    scored = False
    versioned = True
    treatment_consent = True

    @staticmethod
    def givers(step: Step) -> tuple[Option, ...]:
        """Who may give the answer, as options (ids: `CONSENT_GIVERS`)."""
        words = _words(step)
        return tuple(
            Option(giver, label, aliases=aliases)
            for giver, (label, aliases) in zip(CONSENT_GIVERS, words.consent_givers, strict=True)
        )

    def tap(self, step: Step, draft: Draft | None, verb: str, arg: str) -> Effect:
        answer = draft.confirm if draft is not None else None
        index = int(arg) if arg.isdecimal() else -1
        if answer is None:
            valid, value = self.button_value(step, index)
            return (
                Keep(Draft(confirm=str(value)), True)
                if verb == Verb.OPTION and valid
                else Command.STALE
            )
        if verb == Verb.OPTION and 0 <= index < len(CONSENT_GIVERS):
            return Answer(answer, given_by=CONSENT_GIVERS[index])
        return Command.STALE

    def typed(self, step: Step, draft: Draft | None, text: str, words: str, today: date) -> Effect:
        answer = draft.confirm if draft is not None else None
        if answer is not None:
            givers = self.givers(step)
            index = match_option(text, givers)
            if index is None:
                index = option_in_sentence(text, givers)
            if index is None:
                return Refuse(option_hint(givers, _words(step)), True)
            return Answer(answer, given_by=CONSENT_GIVERS[index])
        # Consent to treatment is explicit too: "ok" or "sure" re-asks, as does a yes or no
        # in another language than the text's (before a typo-tolerant label match reads it).
        agree = step.option(CONSENT_AGREE)
        other = _other_language(step, text, agree.label if agree else "", CONSENT_DECLINE)
        if other is not None:
            return other
        index = match_option(text, step.options)
        if index is not None:
            return Keep(Draft(confirm=step.options[index].id), True)
        said = parse_consent(text, ("", ""), step.language)
        if said is not None:
            return Keep(Draft(confirm=CONSENT_AGREE if said else CONSENT_DECLINE), True)
        return Refuse(option_hint(step.options, _words(step)), True)

    def back(self, step: Step, draft: Draft | None) -> Draft | None:
        """From "who gives this answer?" back to the consent question."""
        return Draft() if draft is not None and draft.confirm is not None else None

    def prompt(self, step: Step, draft: Draft | None) -> str:
        if draft is None or draft.confirm is None:
            return step.text
        option = step.option(draft.confirm)
        words = _words(step)
        return words.consent_given_by.format(answer=option.label if option else draft.confirm)

    def choices(self, step: Step, draft: Draft | None) -> list[Choice]:
        if draft is None or draft.confirm is None:
            return _option_buttons(step.options)
        return _option_buttons(self.givers(step))

    def fhir_item(self, step: Step) -> FhirNode:
        words = _words(step)
        givers = [
            {"valueCoding": fhir_coding(giver, label)}
            for giver, label in zip(CONSENT_GIVERS, words.givers_on_record, strict=True)
        ]
        version, time, given_by = words.consent_record_items
        nested = [
            {
                "linkId": consent_version_link(step),
                "text": version,
                "type": "string",
                "readOnly": True,
            },
            {
                "linkId": consent_time_link(step),
                "text": time,
                "type": "dateTime",
                "readOnly": True,
            },
            {
                "linkId": consent_given_by_link(step),
                "text": given_by,
                "type": "choice",
                "answerOption": givers,
            },
        ]
        return {**super().fhir_item(step), "item": nested}

    def fhir_response(
        self, step: Step, value: AnswerValue, consent: dict[str, str] | None, language: str
    ) -> FhirNode:
        answer = self.fhir_answers(step, value)
        record = consent or {}
        nested: list[FhirNode] = []
        if record.get("version"):
            version = [{"valueString": record["version"]}]
            nested.append({"linkId": consent_version_link(step), "answer": version})
        if record.get("at"):
            at = [{"valueDateTime": record["at"]}]
            nested.append({"linkId": consent_time_link(step), "answer": at})
        giver = record.get("given_by")
        if giver:
            coding = fhir_coding(giver, giver_on_record(giver, language))
            nested.append(
                {"linkId": consent_given_by_link(step), "answer": [{"valueCoding": coding}]}
            )
        if answer and nested:
            answer[0]["item"] = nested
        return {"answer": answer}


def consent_version_link(step: Step) -> str:
    """linkId of the consent text's version recorded with a treatment-consent answer."""
    return f"{step.id}.version"


def consent_time_link(step: Step) -> str:
    """linkId of the time the treatment-consent answer was given."""
    return f"{step.id}.at"


def consent_given_by_link(step: Step) -> str:
    """linkId of who gave the treatment-consent answer (the patient, or someone for them)."""
    return f"{step.id}.given_by"


class DurationKind(StepKind):
    """A duration option, a duration in words, or the date it began."""

    type = StepType.DATE_OR_DURATION
    keys = frozenset({"options"})
    fhir_type = "open-choice"
    has_options = True
    typed_answer = True

    def button_value(self, step: Step, index: int) -> tuple[bool, AnswerValue]:
        valid = 0 <= index < len(step.options)
        return valid, {"option": step.options[index].id} if valid else None

    def typed(self, step: Step, draft: Draft | None, text: str, words: str, today: date) -> Effect:
        parsed = parse_date_or_duration(text, step, today)
        return _refusal(parsed) if isinstance(parsed, Invalid) else Answer(parsed.value)

    def prompt(self, step: Step, draft: Draft | None) -> str:
        return f"{step.text}\n{_words(step).duration_instruction}"

    def format(self, step: Step, value: AnswerValue) -> str:
        if not isinstance(value, dict):
            return str(value)
        bucket = _labels(step, [str(value["option"])])[0] if value.get("option") else ""
        words = _words(step)
        if "typed" in value:
            typed = str(value["typed"])
            if not bucket:
                return f"“{typed}”"
            return words.typed_duration.format(bucket=bucket, typed=typed)
        if "date" in value:
            began = long_date(date.fromisoformat(str(value["date"])), step.language)
            return words.since_date.format(began=began) + (f" ({bucket})" if bucket else "")
        return bucket

    def fhir_answers(self, step: Step, value: AnswerValue) -> list[FhirNode]:
        if isinstance(value, dict) and "typed" in value:
            # The patient's words, and the day they make it begin.
            return [{"valueString": f"{value['typed']} (began about {value.get('date')})"}]
        if isinstance(value, dict) and "date" in value:
            return [{"valueString": str(value["date"])}]
        return super().fhir_answers(step, value)


def toggle(step: Step, selected: list[str], index: int) -> list[str]:
    """The selection after tapping option `index` ("None of these" clears the others)."""
    option = step.options[index]
    if option.id in selected:
        return [item for item in selected if item != option.id]
    if option.exclusive:
        return [option.id]
    exclusive = {item.id for item in step.options if item.exclusive}
    return [item for item in selected if item not in exclusive] + [option.id]


def typed_picks(
    step: Step, words: str, careful: bool = True, confirm_typos: bool = False
) -> Picked | Refuse:
    """The options a typed list names; a bare "no"/"nothing" names "None of these". When
    `careful`, an option carrying a flag (a red flag) is ticked only when named clearly."""
    exclusive = [i for i, option in enumerate(step.options) if option.exclusive]
    if exclusive and words in NOTHING_WORDS and exact_option(words, step.options) is None:
        return Picked(indexes=(exclusive[0],))
    picked = parse_many(words, step.options, careful, confirm_typos)
    if not picked.indexes and not picked.finish and not picked.guessed:
        if picked.unsure:
            return Refuse(ticked_hint(step, picked))
        said = _words(step)
        hint = unmatched_hint(picked.unmatched, step.options, said) if picked.unmatched else ""
        return Refuse(hint or options_hint(step.options, said), True)
    return picked


def ticked_hint(step: Step, picked: Picked) -> str:
    """What a typed list did: the part not understood first (what matched is kept), then
    any red flag named only in part."""
    words = _words(step)
    ask = unsure_hint(picked.unsure, step.options, words) if picked.unsure else ""
    if picked.unmatched:
        kept = words.kept_others if picked.indexes else ""
        unmatched = unmatched_hint(picked.unmatched, step.options, words)
        return " ".join(filter(None, (unmatched + kept, ask)))
    if ask:
        return words.noted_ask.format(ask=ask) if picked.indexes else ask
    return words.noted


# Between the chosen options of one answer: labels hold commas ("Blood thinners, aspirin,
# clopidogrel, anti-inflammatories or easy bleeding"), so a comma would run them together.
OPTIONS_JOINER = "; "


class MultiKind(StepKind):
    """Several options, toggled, then Done."""

    type = StepType.MULTI
    keys = frozenset({"options"})
    scored = True
    fhir_type = "choice"
    has_options = True

    def seed(self, step: Step, previous: AnswerValue) -> Draft | None:
        return Draft(selected=chosen_ids(previous))

    def tap(self, step: Step, draft: Draft | None, verb: str, arg: str) -> Effect:
        index = int(arg) if arg.isdecimal() else -1
        selected = list(draft.selected) if draft else []
        if verb == Verb.TOGGLE and 0 <= index < len(step.options):
            if step.options[index].exclusive and not selected:
                # "None of these" on an untouched screen: one tap, not two.
                return self.finish(step, [step.options[index].id])
            return Keep(Draft(selected=toggle(step, selected, index)))
        if verb == Verb.DONE:
            return self.finish(step, selected)
        return Command.STALE

    def typed(self, step: Step, draft: Draft | None, text: str, words: str, today: date) -> Effect:
        # Typed options are ticked, as a typed button label is; the step finishes on
        # "done" (alone or ending the list), or at once when "None of these" (or "nope")
        # is the first thing chosen, as its one-tap button does.
        selected = list(draft.selected) if draft else []
        if selected and words in NOTHING_WORDS and exact_option(words, step.options) is None:
            # "no" / "nothing else" after options are ticked answers "add more?": those
            # ticks are the answer, never swapped for "None of these".
            return self.finish(step, selected)
        picked = typed_picks(step, words)
        if isinstance(picked, Refuse):
            return picked
        before = list(selected)
        for index in picked.indexes:
            if step.options[index].id not in selected:
                selected = toggle(step, selected, index)
        exclusive_first = not before and any(
            option.exclusive and option.id in selected for option in step.options
        )
        if not picked.unmatched and not picked.unsure and (picked.finish or exclusive_first):
            return self.finish(step, selected)
        return Keep(Draft(selected=selected), True, ticked_hint(step, picked))

    @staticmethod
    def finish(step: Step, selected: list[str]) -> Effect:
        if not selected:
            if step.required:
                words = _words(step)
                none = [option.label for option in step.options if option.exclusive]
                extra = words.choose_one_none.format(none=none[0]) if none else ""
                return Refuse(words.choose_one.format(extra=extra))
            return Answer(None)
        return Answer([option.id for option in step.options if option.id in selected])

    def prompt(self, step: Step, draft: Draft | None) -> str:
        chosen = [o.label for o in step.options if draft and o.id in draft.selected]
        words = _words(step)
        picked = "\n" + words.selected.format(chosen=OPTIONS_JOINER.join(chosen)) if chosen else ""
        return f"{step.text}{_instruction(step, words.multi_instruction)}{picked}"

    def choices(self, step: Step, draft: Draft | None) -> list[Choice]:
        selected = draft.selected if draft else []
        toggles = [
            Choice(("✅ " if option.id in selected else "") + option.label, Verb.TOGGLE, str(i))
            for i, option in enumerate(step.options)
        ]
        return [*toggles, Choice(_words(step).done_button, Verb.DONE)]

    def format(self, step: Step, value: AnswerValue) -> str:
        return OPTIONS_JOINER.join(_labels(step, chosen_ids(value))) or _words(step).none_chosen

    def fhir_item(self, step: Step) -> FhirNode:
        return {**super().fhir_item(step), "repeats": True}

    def noted(self, step: Step, value: AnswerValue) -> list[str] | None:
        # Each option ticked, "None of these" left out.
        if not isinstance(value, list):
            return None
        return [
            option.label
            for option_id in chosen_ids(value)
            if (option := step.option(option_id)) is not None and not option.exclusive
        ]


class RegionsKind(MultiKind):
    """Body regions, each paired one with a side, then the one that bothers most."""

    type = StepType.REGIONS
    keys = frozenset({"options", "worst_text"})
    scored = False

    def back_is_an_answer(self, step: Step, draft: Draft | None, words: str) -> bool:
        """ "back" at the body map is also an area: the step asks which was meant."""
        at_the_map = draft is None or draft.phase is Phase.SELECT
        return at_the_map and bool(areas_named(step, words))

    fhir_type = "group"

    def seed(self, step: Step, previous: AnswerValue) -> Draft | None:
        return Draft(selected=chosen_ids(previous), phase=Phase.SELECT)

    def tap(self, step: Step, draft: Draft | None, verb: str, arg: str) -> Effect:
        draft = draft or Draft()
        index = int(arg) if arg.isdecimal() else -1
        if draft.phase is Phase.SELECT:
            if verb == Verb.OPTION and draft.confirm is not None:
                return self._confirmed(step, draft, arg == "confirm")
            if verb == Verb.TOGGLE and 0 <= index < len(step.options):
                selected = toggle(step, list(draft.selected), index)
                sides = {k: v for k, v in draft.sides.items() if k in selected}
                return Keep(Draft(selected=selected, sides=sides))
            if verb == Verb.DONE:
                return self._selected(step, draft.selected, draft.sides)
            return Command.STALE
        if verb != Verb.OPTION:
            return Command.STALE
        if draft.phase is Phase.SIDE and 0 <= index < len(PAIRED_SIDES):
            return self._side(step, draft, PAIRED_SIDES[index])
        if draft.phase is Phase.WORST and 0 <= index < len(draft.selected):
            return self._finish(draft, draft.selected[index])
        return Command.STALE

    def typed(self, step: Step, draft: Draft | None, text: str, words: str, today: date) -> Effect:
        draft = draft or Draft()
        if draft.phase is Phase.SELECT:
            if draft.confirm is not None:  # "Did you mean Head?" or "back" on screen
                yes_no = parse_yes_no(words)
                if yes_no is not None:
                    return self._confirmed(step, draft, yes_no)
                draft = replace(draft, confirm=None)
            if words in BACK_WORDS and areas_named(step, words):
                # "back" is an area here too: asked, as text steps do.
                return Keep(replace(draft, confirm=BACK_CONFIRM), True)
            if words in DONE_WORDS:
                return self._selected(step, draft.selected, draft.sides)
            place = place_words(words)
            # A flagged region (upper back) is a place, not an alarm: named loosely is fine.
            picked = typed_picks(step, place, careful=False, confirm_typos=True) if place else None
            if not isinstance(picked, Picked):
                # No place named ("pain", "where it hurts"): the whole answer is quoted
                # back with the areas to type; "pain" never reads as widespread pain.
                return Refuse(unmatched_hint((words,), step.options, _words(step)), True)
            selected = list(draft.selected)
            sides = dict(draft.sides)
            for index in picked.indexes:
                option = step.options[index]
                if option.id not in selected:
                    selected = toggle(step, selected, index)
            for index, said in picked.sides:
                if step.options[index].paired:  # "left neck" keeps the neck, not a side
                    sides[step.options[index].id] = said.value
            if picked.finish and not picked.unmatched and not picked.unsure:
                return self._selected(step, selected, sides)
            ordered = [option.id for option in step.options if option.id in selected]
            guess = step.options[picked.guessed[0]].id if picked.guessed else None
            kept = Draft(selected=ordered, sides=sides, confirm=guess)
            hint = ticked_hint(step, picked) if picked.indexes or picked.unmatched else ""
            return Keep(kept, True, hint)
        if draft.phase is Phase.SIDE:
            side = parse_side(words)
            if side is None or side is Side.CENTRE:
                return Refuse(_words(step).side_refused, True)
            return self._side(step, draft, side)
        options = tuple(option for option in step.options if option.id in draft.selected)
        chosen = match_option(words, options)
        if chosen is None:
            chosen = option_in_sentence(words, options)
        if chosen is None:
            return Refuse(option_hint(options, _words(step)), True)
        return self._finish(draft, options[chosen].id)

    def _confirmed(self, step: Step, draft: Draft, yes: bool) -> Effect:
        """The answer to "Did you mean Head?" (tick it) or to "back": an instruction?"""
        asked = draft.confirm
        draft = replace(draft, confirm=None)
        if asked == BACK_CONFIRM:
            if yes:
                return Command.BACK
            named = "; ".join(
                f"{step.options.index(o) + 1} {o.label}" for o in areas_named(step, "back")
            )
            said = _words(step).back_or_area.format(areas=named)
            return Keep(draft, True, said.split("? ", 1)[-1])
        option = step.option(asked or "")
        if yes and option is not None and option.id not in draft.selected:
            selected = toggle(step, list(draft.selected), step.options.index(option))
            ordered = [o.id for o in step.options if o.id in selected]
            return Keep(replace(draft, selected=ordered), True, _words(step).noted)
        return Keep(draft, True)

    def back(self, step: Step, draft: Draft | None) -> Draft | None:
        """Side -> the selection; worst -> the last side asked, else the selection. What
        was chosen is kept."""
        if draft is None or draft.phase is Phase.SELECT:
            return None
        sides = dict(draft.sides)
        if draft.phase is Phase.WORST:
            paired = [r for r in draft.selected if (o := step.option(r)) and o.paired]
            if paired:
                sides.pop(paired[-1], None)
                return Draft(selected=list(draft.selected), phase=Phase.SIDE, sides=sides)
        return Draft(selected=list(draft.selected), sides=sides)

    def _selected(
        self, step: Step, chosen: list[str], sides: dict[str, str] | None = None
    ) -> Effect:
        selected = [option.id for option in step.options if option.id in chosen]
        if not selected:
            if step.required:
                return Refuse(_words(step).choose_area)
            return Answer(None)
        kept = {region: side for region, side in (sides or {}).items() if region in selected}
        return self._next_phase(step, Draft(selected=selected, sides=kept))

    def _side(self, step: Step, draft: Draft, side: Side) -> Effect:
        pending = needing_side(step, draft)
        if pending is None:
            return Command.STALE
        return self._next_phase(
            step, Draft(selected=draft.selected, sides={**draft.sides, pending: side.value})
        )

    def _next_phase(self, step: Step, draft: Draft) -> Effect:
        if needing_side(step, draft) is not None:
            draft.phase = Phase.SIDE
        elif len(draft.selected) > 1:
            draft.phase = Phase.WORST
        else:
            return self._finish(draft, draft.selected[0])
        return Keep(draft, new_screen=True)  # old side buttons must not apply to it

    @staticmethod
    def _finish(draft: Draft, worst: str) -> Effect:
        regions: list[object] = [
            {"region": region, "side": draft.sides.get(region, Side.CENTRE.value)}
            for region in draft.selected
        ]
        return Answer({"regions": regions, "worst": worst})

    def prompt(self, step: Step, draft: Draft | None) -> str:
        words = _words(step)
        if draft is not None and draft.phase is Phase.SIDE:
            option = step.option(needing_side(step, draft) or "")
            label = option.label.lower() if option else ""
            return words.side_prompt.format(label=label)
        if draft is not None and draft.phase is Phase.WORST:
            return step.worst_text or words.worst_default
        chosen = [
            f"{o.label} ({draft.sides[o.id]})" if o.id in draft.sides else o.label
            for o in step.options
            if draft and o.id in draft.selected
        ]
        picked = "\n" + words.selected.format(chosen=", ".join(chosen)) if chosen else ""
        asked = ""
        if draft is not None and draft.confirm == BACK_CONFIRM:
            areas = ", ".join(o.label for o in areas_named(step, "back"))
            asked = "\n\n" + words.back_or_area.format(areas=areas)
        elif draft is not None and (option := step.option(draft.confirm or "")) is not None:
            asked = "\n\n" + words.did_you_mean.format(label=option.label)
        return f"{step.text}{_instruction(step, words.regions_instruction)}{picked}{asked}"

    def choices(self, step: Step, draft: Draft | None) -> list[Choice]:
        if draft is not None and draft.phase is Phase.SIDE:
            return [
                Choice(label, Verb.OPTION, str(i))
                for i, label in enumerate(_words(step).sides[: len(PAIRED_SIDES)])
            ]
        if draft is not None and draft.phase is Phase.WORST:
            shown = tuple(o for o in step.options if o.id in draft.selected)
            return _option_buttons(shown)
        if draft is not None and draft.confirm is not None:
            words = _words(step)
            option = step.option(draft.confirm)
            yes = words.yes_that.format(label=option.label) if option else words.go_back_button
            return [
                Choice(yes, Verb.OPTION, "confirm"),
                Choice(words.no_not_that, Verb.OPTION, "no"),
            ]
        return super().choices(step, draft)

    def format(self, step: Step, value: AnswerValue) -> str:
        return format_regions(step, value) if isinstance(value, dict) else str(value)

    # A group: a repeating area item whose answers each carry a side, and the worst area.

    def fhir_link(self, step: Step) -> str:
        return f"{step.id}.area"

    def fhir_item(self, step: Step) -> FhirNode:
        sides = [
            {"valueCoding": fhir_coding(side.value, label)} for side, label in SIDE_DISPLAY.items()
        ]
        area: FhirNode = {
            "linkId": self.fhir_link(step),
            "text": step.text,
            "type": "choice",
            "repeats": True,
            "required": step.required,
            "answerOption": _fhir_options(step.options),
            "item": [
                {
                    "linkId": f"{step.id}.side",
                    "text": "Side (the patient's own left or right)",
                    "type": "choice",
                    "answerOption": sides,
                }
            ],
        }
        worst: FhirNode = {
            "linkId": f"{step.id}.worst",
            "text": step.worst_text or "Which area bothers you most?",
            "type": "choice",
            "answerOption": _fhir_options(step.options),
        }
        return {"type": self.fhir_type, "item": [area, worst]}

    def fhir_response(
        self, step: Step, value: AnswerValue, consent: dict[str, str] | None, language: str
    ) -> FhirNode:
        if not isinstance(value, dict):
            return super().fhir_response(step, value, consent, language)
        areas = []
        regions = value.get("regions")
        for entry in regions if isinstance(regions, list) else []:
            if not isinstance(entry, dict):
                continue
            side = Side(entry.get("side", Side.CENTRE.value))
            [coding] = _fhir_chosen(step, [str(entry.get("region"))])
            side_answer = [{"valueCoding": fhir_coding(side.value, SIDE_DISPLAY[side])}]
            coding["item"] = [{"linkId": f"{step.id}.side", "answer": side_answer}]
            areas.append(coding)
        children: list[FhirNode] = [{"linkId": self.fhir_link(step), "answer": areas}]
        worst = value.get("worst")
        if worst:
            answer = _fhir_chosen(step, [str(worst)])
            children.append({"linkId": f"{step.id}.worst", "answer": answer})
        return {"item": children}


def areas_named(step: Step, word: str) -> list[Option]:
    """The options whose label or alias has `word` as one of its words ("back": Upper back,
    Middle of the back, Lower back)."""
    return [
        option
        for option in step.options
        if any(word in normalise(name).split() for name in (option.label, *option.aliases))
    ]


def needing_side(step: Step, draft: Draft) -> str | None:
    """The first chosen paired region whose side is not asked yet."""
    for region in draft.selected:
        option = step.option(region)
        if option is not None and option.paired and region not in draft.sides:
            return region
    return None


KINDS: dict[StepType, StepKind] = {
    kind.type: kind
    for kind in (
        InfoKind(),
        ConsentKind(),
        TreatmentConsentKind(),
        SingleKind(),
        MultiKind(),
        YesNoKind(),
        ScaleKind(),
        NumberKind(),
        TextKind(),
        DurationKind(),
        RegionsKind(),
    )
}


def kind_of(step: Step) -> StepKind:
    """The behaviour of `step`'s type."""
    return KINDS[step.type]


def format_answer(step: Step, value: AnswerValue) -> str:
    """A short human-readable rendering of an answer."""
    if value is None:
        return _words(step).skipped
    return kind_of(step).format(step, value)
