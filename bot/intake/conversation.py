"""The intake as a conversation: /intake, its buttons and typed answers.

Channel-independent (core `Reply`/`Button` only). Every answer is saved before the reply
is returned, so a crash or restart never loses what the patient already told us.
"""

from __future__ import annotations

import asyncio
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Protocol

from bot.config import DEFAULT_INTAKE_ABANDON_DAYS
from bot.content.problems import ContentError, Problem, display_path
from bot.core.assistant import Assistant, ChatRef, CommandSpec
from bot.core.dates import day_and_time, long_date
from bot.core.features import PeriodicJob
from bot.core.person_request import asks_for_a_person
from bot.core.privacy import MY_DATA_ACTION
from bot.core.replies import Button, Reply
from bot.core.staff_notes import StaffNotes
from bot.intake.answers import looks_like_question, normalise, parse_yes_no
from bot.intake.engine import (
    REVIEW,
    IntakeEngine,
    IntakeState,
    Outcome,
    Result,
    Status,
    Tap,
    Typed,
    Verb,
)
from bot.intake.flow import CONSENT_DECLINE, CONSENT_QUESTIONS, Flag, FlagLevel
from bot.intake.flow_file import FLOW_FILE_NAME, LoadedFlow, flow_from_definition
from bot.intake.repository import IntakeRepository, StoredIntake, utc_now
from bot.intake.screens import screen as render_screen
from bot.intake.step_types import kind_of
from bot.intake.summary import build_summary, summary_text
from bot.intake.wording import ENGLISH, IntakeWords, words_for
from bot.storage.encryption import DecryptionError

if TYPE_CHECKING:
    from bot.clinic_content import ClinicContent
    from bot.config import Settings
    from bot.core.features import FaqAnswerer, FeatureHost
    from bot.core.privacy import PersonalDataRegistry
    from bot.storage.database import Database

logger = logging.getLogger(__name__)
# The rule a staff note names when the FAQ's answer to a side question was the emergency
# reply: the FAQ's own note to staff names what it read.
SIDE_QUESTION_EMERGENCY = "side_question"

ACTION_PREFIX = "intake"
ABANDON_SWEEP_INTERVAL = timedelta(hours=1)
_FLAG_LEVELS = (FlagLevel.EMERGENCY, FlagLevel.URGENT, FlagLevel.ATTENTION)
# Typed text after this long a pause first gets "continue where you left off, or start over?".
RESUME_PROMPT_AFTER = timedelta(hours=6)
# Typed at "Continue where you left off, or start over?" (besides the yes words).
CONTINUE_WORDS = frozenset(
    {"continue", "carry on", "go on", "resume", "keep going", "where i left off", "next",
     "continuer", "reprendre", "on continue", "je continue", "poursuivre", "suivant",
     "là où j'étais", "continuer là où j'étais"}
)  # fmt: skip
RESTART_WORDS = frozenset(
    {"start over", "restart", "start again", "begin again", "from the start", "new form",
     "start from scratch", "start a new one", "over",
     "recommencer", "recommencer à zéro", "on recommence", "je recommence",
     "nouveau formulaire", "depuis le début", "repartir à zéro"}
)  # fmt: skip
# "stop", "cancel", "I want to quit", "I don't want to do this anymore": stop the form.
_STOP_RE = re.compile(
    r"^(?:please\s+)?(?:(?:i|i'd|i would)\s+(?:want|like|wanna|need)?\s*(?:to\s+)?)?"
    r"(?:stop|cancel|quit|exit|pause|end|abort)(?:\s+(?:it|this|that|the|form|intake|now|"
    r"please|for now|for today|filling|filling in|answering|questions|the questions))*$"
    r"|\b(?:don't|dont|do not|no longer)\s+want\s+to\s+(?:do|continue|fill|finish|answer|"
    r"carry on|go on)\b"
    # French: "arrêter", "j'arrête", "je veux arrêter", "on arrête ça", "je ne veux plus
    # continuer", "pause", "annuler".
    r"|^(?:(?:je|j')\s*(?:veux|voudrais|aimerais|dois|vais)?\s*|on\s+)?"
    r"(?:arr[êe]ter|arr[êe]te|annuler|pause|faire une pause|quitter|abandonner)"
    r"(?:\s+(?:ça|ca|le formulaire|pour l'instant|pour le moment|maintenant|svp|"
    r"s'il vous plaît|s'il vous plait|là|la))*$"
    r"|\b(?:je ne veux plus|je veux plus|j'veux plus)\s+(?:continuer|répondre|repondre|"
    r"le remplir|remplir)\b"
)
# A typed answer this short, in Latin letters, says too little for a language detector to
# read ("Nguyen Thi Mai Anh", "Xiaoming Zhang Wei", "Xarelto 20 mg"): it is kept.
SHORT_ANSWER_WORDS = 4

Clock = Callable[[], datetime]
# Whether a chat's open form waits for its next typed message.
FormWaiting = Callable[[int], Awaitable[bool]]


class EmergencyReplies(Protocol):
    """Builds the patient's emergency reply for a flag raised by a tapped answer, in the
    language the form runs in."""

    def __call__(self, flag: Flag, language: str = ENGLISH) -> list[Reply]: ...


def takes_next_message(intake: StoredIntake, now: datetime) -> bool:
    """Whether the open form is the one the chat's next typed message is for: not stopped
    for now, and either asking something (stop? carry on?) or touched within the last
    hours (a form left longer is not what the patient is writing about)."""
    state = intake.state
    if state.paused:
        return False
    recent = now - intake.updated_at <= RESUME_PROMPT_AFTER
    return state.stop_pending or state.resume_pending or recent


def form_waiting(repository: IntakeRepository, clock: Clock = utc_now) -> FormWaiting:
    """Whether a chat's open form waits for a typed answer, from the shared database (for
    the handoff, which lets the patient finish the form before their words go to staff)."""

    async def waits(chat_id: int) -> bool:
        if not await repository.has_open(chat_id):
            return False
        try:
            intake = await repository.latest_open(chat_id)
        except DecryptionError:
            return False
        return intake is not None and takes_next_message(intake, clock())

    return waits


def _latin_letters_only(text: str) -> bool:
    """Whether every letter of `text` is a Latin one (a script says its language clearly)."""
    return all(unicodedata.name(c, "").startswith("LATIN") for c in text if c.isalpha())


def flag_emergency_reply(flag: Flag, language: str = ENGLISH) -> list[Reply]:
    """The default emergency reply for a flagged answer: the flag's reviewed message."""
    title = words_for(language).flag_titles[0]
    return [Reply(flag.message, title=title, safety_tier="emergency")]


def _flag_title(flag: Flag, words: IntakeWords) -> str:
    return words.flag_titles[_FLAG_LEVELS.index(flag.level)]


@dataclass(frozen=True)
class _Parsed:
    verb: str
    session: int
    revision: int
    arg: str


def _parse_action(rest: str) -> _Parsed | None:
    parts = rest.split(":")
    if len(parts) < 3 or not parts[1].isdecimal() or not parts[2].isdecimal():
        return None
    return _Parsed(parts[0], int(parts[1]), int(parts[2]), ":".join(parts[3:]))


class IntakeConversation:
    """Runs intakes for every chat on top of the engine and the repository."""

    def __init__(
        self,
        loaded: LoadedFlow,
        repository: IntakeRepository,
        assistant: Assistant,
        *,
        faq: FaqAnswerer | None = None,
        emergency_replies: EmergencyReplies = flag_emergency_reply,
        abandon_after: timedelta = timedelta(days=DEFAULT_INTAKE_ABANDON_DAYS),
        clock: Clock = utc_now,
        staff_notes: StaffNotes | None = None,
        tz: tzinfo = UTC,
    ) -> None:
        self.loaded = loaded
        self._tz = tz  # the clinic's zone: the times in the staff's summary
        self._staff_notes = staff_notes or StaffNotes()
        self.repository = repository
        self._assistant = assistant
        self._faq = faq
        self._emergency_replies = emergency_replies
        self._abandon_after = abandon_after
        self._clock = clock
        self._engines: dict[str, IntakeEngine] = {loaded.digest: IntakeEngine(loaded.flow)}
        self._locks: dict[int, asyncio.Lock] = {}
        # Whether a chat owns the appointment a button names (set by the wiring when the
        # appointments feature is present); without it, a button's reference is ignored.
        self.appointment_owner: Callable[[int, str], Awaitable[bool]] | None = None

    def set_faq(self, faq: FaqAnswerer | None) -> None:
        """Use `faq` for side questions asked in the middle of an intake."""
        self._faq = faq

    # --- plumbing ------------------------------------------------------------------

    def _lock(self, chat_id: int) -> asyncio.Lock:
        return self._locks.setdefault(chat_id, asyncio.Lock())

    async def _engine(self, intake: StoredIntake) -> IntakeEngine | None:
        """The engine the patient answers through: the flow version the intake started on,
        in the language it started in."""
        clinic = await self._clinic_engine(intake)
        language = intake.state.language
        if clinic is None or language == clinic.flow.language:
            return clinic
        key = f"{intake.flow_digest}:{language}"
        engine = self._engines.get(key)
        if engine is None:
            engine = self._engines[key] = IntakeEngine(clinic.flow.in_language(language))
        return engine

    async def _clinic_engine(self, intake: StoredIntake) -> IntakeEngine | None:
        """The engine for the flow version the intake started on, in the clinic's language
        (what the clinician's summary is written with)."""
        engine = self._engines.get(intake.flow_digest)
        if engine is not None:
            return engine
        definition = await self.repository.flow_definition(intake.flow_digest)
        if definition is None:
            return None
        try:
            engine = IntakeEngine(flow_from_definition(definition))
        except ContentError:
            logger.error("stored intake flow %s no longer parses", intake.flow_digest[:12])
            return None
        self._engines[intake.flow_digest] = engine
        return engine

    def _action_maker(self, intake: StoredIntake) -> Callable[[str, str], str]:
        def action(verb: str, arg: str) -> str:
            base = f"{ACTION_PREFIX}:{verb}:{intake.id}:{intake.state.revision}"
            return f"{base}:{arg}" if arg else base

        return action

    def _screen(
        self, engine: IntakeEngine, intake: StoredIntake, replace_previous: bool = False
    ) -> Reply:
        screen = render_screen(engine, intake.state, self._action_maker(intake))
        return replace(screen, replace_previous=True) if replace_previous else screen

    async def _open(self, chat_id: int) -> StoredIntake | None:
        """The chat's open intake; one idle for too long is marked abandoned first."""
        try:
            intake = await self.repository.latest_open(chat_id)
        except DecryptionError:
            logger.error("an open intake cannot be decrypted with the configured key")
            return None
        if intake is None:
            return None
        if self._clock() - intake.updated_at > self._abandon_after:
            await self.repository.mark_abandoned(self._clock() - self._abandon_after)
            return None
        return intake

    # --- starting -------------------------------------------------------------------

    async def on_intake_command(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Answer /intake: start, or offer to continue an unfinished form."""
        async with self._lock(chat.chat_id):
            return await self._start(chat, None)

    async def _owns(self, chat_id: int, ref: str) -> bool:
        return self.appointment_owner is not None and await self.appointment_owner(chat_id, ref)

    async def _start(
        self, chat: ChatRef, appointment_ref: str | None, *, again: bool = False
    ) -> list[Reply]:
        """An unfinished form's resume offer, a stopped one's, "you sent your form on…"
        (unless the patient asked for a new form `again`), or a new form."""
        if not chat.is_private:
            return [Reply(words_for(chat.reply_language).private_chat_only)]
        intake = await self._open(chat.chat_id)
        if intake is not None:
            return await self._resume_offer(intake)
        intakes = await self._intakes(chat.chat_id)
        stopped = self._stopped_of(intakes)
        if stopped is not None:
            return [self._stopped_offer(stopped)]
        sent = next((i for i in reversed(intakes) if i.status is Status.SUBMITTED), None)
        if sent is not None and not again:
            return [self._sent_offer(chat, sent, appointment_ref)]
        return await self._new(chat, appointment_ref)

    async def _intakes(self, chat_id: int) -> list[StoredIntake]:
        """The chat's intakes, oldest first (none when they cannot be read)."""
        try:
            return await self.repository.for_chat(chat_id)
        except DecryptionError:
            return []

    def _sent_offer(self, chat: ChatRef, sent: StoredIntake, appointment_ref: str | None) -> Reply:
        """A form was sent already: say when (clinic time), and offer a new one or /mydata."""
        language = chat.reply_language
        words = words_for(language)
        when = day_and_time(sent.submitted_at or sent.updated_at, self._tz, language)
        suffix = f":{language}" if language != ENGLISH else ""
        again = f"{ACTION_PREFIX}:again" + (f":{appointment_ref}" if appointment_ref else "")
        return Reply(
            words.sent_offer.format(when=when),
            (
                Button(words.new_form_button, again + suffix),
                Button(words.my_data_button, f"{MY_DATA_ACTION}{suffix}"),
            ),
            title=words.form_title,
        )

    async def _sent(self, chat_id: int, intake_id: int) -> StoredIntake | None:
        """The chat's intake `intake_id` if it was sent to the clinic."""
        intakes = await self._intakes(chat_id)
        found = (i for i in intakes if i.id == intake_id and i.status is Status.SUBMITTED)
        return next(found, None)

    def _already_sent(self, sent: StoredIntake) -> Reply:
        language = sent.state.language
        when = day_and_time(sent.submitted_at or sent.updated_at, self._tz, language)
        return Reply(words_for(language).already_sent.format(when=when))

    async def _stopped(self, chat_id: int, intake_id: int | None = None) -> StoredIntake | None:
        """The chat's latest intake if an emergency stopped it lately (`intake_id`: that one)."""
        return self._stopped_of(await self._intakes(chat_id), intake_id)

    def _stopped_of(
        self, intakes: list[StoredIntake], intake_id: int | None = None
    ) -> StoredIntake | None:
        latest = intakes[-1] if intakes else None
        if latest is None or (intake_id is not None and latest.id != intake_id):
            return None
        recent = self._clock() - latest.updated_at <= self._abandon_after
        return latest if latest.status is Status.STOPPED_EMERGENCY and recent else None

    def _stopped_offer(self, intake: StoredIntake) -> Reply:
        words = words_for(intake.state.language)
        started = self._started_on(intake, words.language)
        return Reply(
            words.stopped_offer.format(started=started),
            (
                Button(words.continue_button_resume, f"{ACTION_PREFIX}:r:{intake.id}:0"),
                Button(words.start_over_button, f"{ACTION_PREFIX}:n:{intake.id}:0"),
            ),
            title=words.form_title,
        )

    def _started_on(self, intake: StoredIntake, language: str) -> str:
        """The day a form was started, in words, on the clinic's calendar (the patient's)."""
        return long_date(intake.started_at.astimezone(self._tz).date(), language)

    async def _reopen(self, chat: ChatRef, intake: StoredIntake) -> list[Reply]:
        """Pick up a form an emergency stopped; the emergency stays on its record."""
        engine = await self._engine(intake)
        if engine is None:
            return self._flow_gone(intake)
        state = intake.state
        raised = [
            f.id for f in engine.raised_flags(state.answers) if f.level is FlagLevel.EMERGENCY
        ]
        state.resumed_emergencies = list(dict.fromkeys([*state.resumed_emergencies, *raised]))
        state.status = Status.IN_PROGRESS
        state.revision += 1
        step = engine.current_step(state)
        if step is not None and state.draft is None:
            state.draft = kind_of(step).seed(step, state.answers.get(step.id))
        await self.repository.save(intake)
        logger.info("intake %s picked up again after an emergency stop", intake.id)
        return [self._screen(engine, intake)]

    async def _new(
        self, chat: ChatRef, appointment_ref: str | None, language: str | None = None
    ) -> list[Reply]:
        """A new form, in the chat's language when the clinic's form has it (fixed for the
        whole form: a patient answering "OK" or a name never switches it midway)."""
        wanted = language or chat.reply_language
        flow = self.loaded.flow
        language = wanted if flow.in_language(wanted).language == wanted else flow.language
        state = self._engines[self.loaded.digest].start()
        state.language = language
        intake = await self.repository.create(chat.chat_id, self.loaded, state, appointment_ref)
        engine = await self._engine(intake)
        assert engine is not None  # the loaded flow's engine is always there
        logger.info("intake %s started", intake.id)
        return [self._screen(engine, intake)]

    async def _resume_offer(self, intake: StoredIntake) -> list[Reply]:
        engine = await self._engine(intake)
        words = words_for(intake.state.language)
        where = words.where_review
        if engine is not None and intake.state.current != REVIEW:
            progress = engine.progress(intake.state)
            where = words.where_start
            if progress is not None:
                said = words.where_follow_up if progress.follow_up else words.where_question
                where = said.format(line=progress.line().lower())
        if not intake.state.resume_pending or intake.state.paused:
            intake.state.resume_pending, intake.state.paused = True, False
            intake.state.stop_pending = False
            await self.repository.save(intake)
        started = self._started_on(intake, words.language)
        lines = [words.resume_offer.format(started=started, where=where)]
        if intake.flow_digest != self.loaded.digest:
            lines.append(words.form_updated)
        buttons = (
            Button(words.continue_button_resume, f"{ACTION_PREFIX}:c:{intake.id}:0"),
            Button(words.start_over_button, f"{ACTION_PREFIX}:n:{intake.id}:0"),
        )
        return [Reply("\n\n".join(lines), buttons, title=words.form_title)]

    # --- routes ---------------------------------------------------------------------

    async def on_action(self, chat: ChatRef, rest: str) -> list[Reply]:
        """Handle `intake:*` buttons."""
        async with self._lock(chat.chat_id):
            return await self._action(chat, rest)

    async def _action(self, chat: ChatRef, rest: str) -> list[Reply]:
        verb, _, ref_said = rest.removesuffix(":fr").partition(":")
        if verb in ("start", "again"):
            # "start:fr" is the French button: the assistant has set the chat's language.
            # "again": a new form after one was sent, asked for in so many words.
            ref = ref_said or None
            if ref is not None and not await self._owns(chat.chat_id, ref):
                # A hand-made button naming someone else's appointment: start unlinked.
                logger.warning("intake button named an appointment this chat does not own")
                ref = None
            return await self._start(chat, ref, again=verb == "again")
        intake = await self._open(chat.chat_id)
        state = intake.state if intake is not None else None
        if (
            intake is not None
            and state is not None
            and (state.resume_pending or state.stop_pending or state.paused)
        ):
            # Any button of the form answers the offer (or the stop question).
            state.resume_pending = state.stop_pending = state.paused = False
            await self.repository.save(intake)
        if rest == "resume":
            return await self._show_current(chat, intake, note=None)
        parsed = _parse_action(rest)
        if parsed is not None and parsed.verb in ("r", "n") and intake is None:
            stopped = await self._stopped(chat.chat_id, parsed.session)
            if stopped is not None and parsed.verb == "r":
                return await self._reopen(chat, stopped)
            if stopped is not None:  # start over: the stopped form stays as it is
                return await self._new(chat, stopped.appointment_ref, stopped.state.language)
        if parsed is not None and (intake is None or parsed.session != intake.id):
            sent = await self._sent(chat.chat_id, parsed.session)
            if sent is not None:
                # A second tap on "Send to the clinic", or any button of a form sent since.
                return [self._already_sent(sent)]
        if parsed is None or intake is None or parsed.session != intake.id:
            return await self._show_current(chat, intake, note=self._moved_on(chat, intake))
        if parsed.verb == "c":
            return await self._show_current(chat, intake, note=None)
        if parsed.verb == "p":
            return await self._pause(intake)
        if parsed.verb == "n":
            intake.state.status = Status.ABANDONED
            await self.repository.save(intake)
            return await self._new(chat, intake.appointment_ref, intake.state.language)
        if parsed.verb not in set(Verb):
            return await self._show_current(chat, intake, note=self._moved_on(chat, intake))
        engine = await self._engine(intake)
        if engine is None:
            return self._flow_gone(intake)
        result = engine.apply(intake.state, Tap(parsed.verb, parsed.revision, parsed.arg))
        return await self._after(chat, engine, intake, result, tapped=True)

    async def claim_text(self, chat: ChatRef, text: str) -> list[Reply] | None:
        """Text route: typed text is an answer while this chat has an intake open."""
        # Every typed message of every chat asks here first, and most chats have no intake
        # open: a quick check that reads the shared database (never a per-process cache,
        # which another process starting or closing an intake would make wrong).
        if not await self.repository.has_open(chat.chat_id):
            return None
        async with self._lock(chat.chat_id):
            intake = await self._open(chat.chat_id)
            if intake is None:
                return None
            engine = await self._engine(intake)
            if engine is None:
                return self._flow_gone(intake)
            if intake.state.paused:
                return None  # stopped for now: the rest of the bot answers
            if self._faq is not None and asks_for_a_person(text):
                # At any step (a 0-10 rating would refuse it, a text step would keep it as
                # the answer): answered as outside the form, which waits where it was.
                return await self._detour(chat, text, intake.state.language)
            asking = self._faq is not None and looks_like_question(text)
            if intake.state.resume_pending and not asking:
                return await self._resume_typed(chat, intake, text)
            if intake.state.stop_pending:
                stopped = await self._stop_typed(chat, intake, text)
                if stopped is not None:
                    return stopped
            elif _STOP_RE.search(normalise(text)):
                intake.state.stop_pending = True
                await self.repository.save(intake)
                return [self._stop_question(intake)]
            if self._clock() - intake.updated_at > RESUME_PROMPT_AFTER and not asking:
                # Back after a long pause: remind them where they were before taking answers.
                await self.repository.save(intake)
                return await self._resume_offer(intake)
            result = engine.apply(intake.state, Typed(text))
            if (
                result.outcome is Outcome.INVALID
                and result.maybe_question
                and self._faq is not None
                and looks_like_question(text)
            ):
                return await self._detour(chat, text, intake.state.language)
            return await self._after(chat, engine, intake, result, tapped=False)

    @staticmethod
    def _moved_on(chat: ChatRef, intake: StoredIntake | None) -> str:
        language = intake.state.language if intake is not None else chat.reply_language
        return words_for(language).moved_on

    def _stop_question(self, intake: StoredIntake) -> Reply:
        words = words_for(intake.state.language)
        return Reply(
            words.stop_question,
            (
                Button(words.stop_yes, f"{ACTION_PREFIX}:p:{intake.id}:0"),
                Button(words.stop_no, f"{ACTION_PREFIX}:c:{intake.id}:0"),
            ),
            title=words.form_title,
        )

    async def _stop_typed(
        self, chat: ChatRef, intake: StoredIntake, text: str
    ) -> list[Reply] | None:
        """Typed text at "stop the form for now?"; None when it is an answer after all."""
        words = normalise(text)
        intake.state.stop_pending = False
        await self.repository.save(intake)
        said = parse_yes_no(words)
        if said is True or _STOP_RE.search(words):
            return await self._pause(intake)
        if said is False or words in CONTINUE_WORDS:
            return await self._show_current(chat, intake, note=None)
        return None

    async def _pause(self, intake: StoredIntake) -> list[Reply]:
        """Stop the form for now: answers kept, typed text no longer taken as answers."""
        intake.state.paused, intake.state.stop_pending = True, False
        await self.repository.save(intake)
        logger.info("intake %s stopped for now by the patient", intake.id)
        words = words_for(intake.state.language)
        return [Reply(words.paused, (Button(words.carry_on_button, f"{ACTION_PREFIX}:start"),))]

    async def _resume_typed(self, chat: ChatRef, intake: StoredIntake, text: str) -> list[Reply]:
        """Typed text at "continue or start over?": the choice, never an answer."""
        words = normalise(text)
        if words == "2" or words in RESTART_WORDS:  # the offer's buttons, by number
            intake.state.status = Status.ABANDONED
            await self.repository.save(intake)
            return await self._new(chat, intake.appointment_ref, intake.state.language)
        if words == "1" or words in CONTINUE_WORDS or parse_yes_no(words) is True:
            intake.state.resume_pending = False
            await self.repository.save(intake)
            return await self._show_current(chat, intake, note=None)
        note = Reply(words_for(intake.state.language).resume_refused)
        return [note, *await self._resume_offer(intake)]

    async def takes_typed_answer(self, chat: ChatRef, text: str) -> bool:
        """Whether `text` answers this chat's open free-text step whatever language it looks
        like: a name, or a short answer in Latin letters (asked before the language notice;
        the emergency screen has run on it already)."""
        if not await self.repository.has_open(chat.chat_id):
            return False
        intake = await self._open(chat.chat_id)
        engine = await self._engine(intake) if intake is not None else None
        step = engine.current_step(intake.state) if engine and intake else None
        if intake is not None and intake.state.paused:
            return False
        if step is None or not kind_of(step).free_text:
            return False
        short = len(text.split()) <= SHORT_ANSWER_WORDS and _latin_letters_only(text)
        return step.asks_for_name or short

    async def answers_tell(self, chat: ChatRef) -> str | None:
        """Answer reader: how the step open in this chat asks the safety stage to read a
        typed answer (its `answers_tell`), None when no form is waiting for one."""
        if not await self.repository.has_open(chat.chat_id):
            return None
        intake = await self._open(chat.chat_id)
        if intake is None:
            return None
        state = intake.state
        if state.paused or state.resume_pending or state.stop_pending:
            return None  # the next message does not answer the step
        if self._clock() - intake.updated_at > RESUME_PROMPT_AFTER:
            return None  # back after a long pause: asked where they were first
        engine = await self._engine(intake)
        step = engine.current_step(state) if engine is not None else None
        return step.answers_tell if step is not None else None

    async def _detour(self, chat: ChatRef, text: str, language: str = ENGLISH) -> list[Reply]:
        assert self._faq is not None
        answer = await self._faq.answer(chat, text)
        return await self._after_side_answer(chat, answer, self._form_waiting(language))

    async def _after_side_answer(
        self, chat: ChatRef, answer: list[Reply], then: Reply
    ) -> list[Reply]:
        """A side question's answer, then `then` (the form again); when the answer is the
        emergency reply (the FAQ's fallback read the question as an emergency), the form
        stops as it does for any emergency instead of asking its next question."""
        if not any(reply.safety_tier == "emergency" for reply in answer):
            return [*answer, then]
        # Side questions are answered under the chat's lock (the form is being answered).
        rule_id = SIDE_QUESTION_EMERGENCY
        intake = await self._record_on_open_held(chat, lambda s: s.stop_for_emergency(rule_id))
        return [*answer, *self._emergency_stopped(chat, rule_id, intake)]

    @staticmethod
    def _form_waiting(language: str) -> Reply:
        """ "Your form is waiting", with a button back to it. A number typed next answers
        the form's open question (as on Telegram), never a button of the reply above."""
        words = words_for(language)
        return Reply(
            words.form_waiting,
            (Button(words.back_to_form, f"{ACTION_PREFIX}:resume"),),
            typed_answer=True,
        )

    async def _show_current(
        self, chat: ChatRef, intake: StoredIntake | None, note: str | None
    ) -> list[Reply]:
        if intake is None:
            words = words_for(chat.reply_language)
            return [
                Reply(words.form_closed, (Button(words.fill_in_button, f"{ACTION_PREFIX}:start"),))
            ]
        engine = await self._engine(intake)
        if engine is None:
            return self._flow_gone(intake)
        replies = [Reply(note)] if note else []
        replies.append(self._screen(engine, intake))
        return replies

    def _flow_gone(self, intake: StoredIntake) -> list[Reply]:
        words = words_for(intake.state.language)
        return [
            Reply(
                words.flow_gone,
                (Button(words.start_new_button, f"{ACTION_PREFIX}:n:{intake.id}:0"),),
            )
        ]

    # --- outcomes ---------------------------------------------------------------------

    async def _after(
        self,
        chat: ChatRef,
        engine: IntakeEngine,
        intake: StoredIntake,
        result: Result,
        *,
        tapped: bool,
    ) -> list[Reply]:
        outcome = result.outcome
        words = words_for(engine.flow.language)
        if outcome is Outcome.STALE:
            return [Reply(words.moved_on), self._screen(engine, intake)]
        if outcome is Outcome.CLOSED:
            return await self._show_current(chat, None, None)
        if outcome is Outcome.INVALID and result.answered_in:
            return await self._consent_in_language(intake, engine, result)
        if outcome is Outcome.INVALID:
            return [Reply(result.hint), self._screen(engine, intake)]
        intake.state = result.state
        if outcome is Outcome.DECLINED:
            await self.repository.delete(intake.id)
            step = engine.flow.step("consent") or next(
                (s for s in engine.flow.steps if s.consent_version), None
            )
            message = (step.decline_message if step else None) or words.nothing_saved
            return [Reply(message)]
        if outcome is Outcome.SUBMITTED:
            return await self._submit(chat, engine, intake)
        await self.repository.save(intake)  # saved before any reply leaves
        if outcome is Outcome.EMERGENCY:
            return await self._emergency(chat, intake, result.raised, words)
        if result.question and self._faq is not None:
            # A side question, as the patient said: answered, then the step asked again.
            answer = await self._faq.answer(chat, result.question)
            return await self._after_side_answer(chat, answer, self._screen(engine, intake))
        replies = [
            Reply(flag.message, title=_flag_title(flag, words))
            for flag in result.raised
            if flag.level is not FlagLevel.EMERGENCY and flag.message
        ]
        in_place = tapped and outcome is Outcome.UPDATED and intake.state.draft is not None
        if outcome in (Outcome.UPDATED, Outcome.MOVED) and result.hint:
            replies.append(Reply(result.hint))
        replies.append(self._screen(engine, intake, replace_previous=in_place))
        return replies

    async def _consent_in_language(
        self, intake: StoredIntake, engine: IntakeEngine, result: Result
    ) -> list[Reply]:
        """A consent (or refusal) typed in another language than the form's: nothing is
        recorded. When the clinic's form is offered in that language, the form now runs in
        it and the patient reads the consent text again there; otherwise the hint (in their
        language) says consent needs a text understood, over the same screen."""
        language = result.answered_in or engine.flow.language
        clinic = await self._clinic_engine(intake)
        if clinic is None or clinic.flow.in_language(language).language != language:
            return [Reply(result.hint), self._screen(engine, intake)]
        intake.state.language = language
        intake.state.language_chosen = True
        intake.state.draft = None
        intake.state.revision += 1  # the buttons in the other language no longer apply
        await self.repository.save(intake)
        translated = await self._engine(intake)
        assert translated is not None  # its clinic engine was just found
        logger.info("intake %s now runs in %s (consent typed in it)", intake.id, language)
        return [
            Reply(words_for(language).consent_now_in_language),
            self._screen(translated, intake),
        ]

    def _consent_notes(
        self, chat: ChatRef, engine: IntakeEngine, intake: StoredIntake
    ) -> list[Reply]:
        """When the submitted form says the patient has questions about treatment, or
        declines it: the flow's words for the patient, and a note for the staff chats. Only
        at submission: the answer may still change before, and a form never sent tells the
        clinic nothing."""
        step = next(
            (s for s in engine.applicable(intake.state.answers) if kind_of(s).treatment_consent),
            None,
        )
        answer = intake.state.answers.get(step.id) if step is not None else None
        if step is None or answer not in (CONSENT_QUESTIONS, CONSENT_DECLINE):
            return []
        told = step.questions_message if answer == CONSENT_QUESTIONS else step.decline_message
        patient = [Reply(told)] if told else []
        note = self._staff_notes.treatment_consent(
            chat.chat_id, intake.id, declined=answer == CONSENT_DECLINE
        )
        return [*patient, note]

    async def _emergency(
        self,
        chat: ChatRef,
        intake: StoredIntake,
        raised: tuple[Flag, ...],
        words: IntakeWords,
    ) -> list[Reply]:
        emergencies = [flag for flag in raised if flag.level is FlagLevel.EMERGENCY]
        logger.warning("intake %s stopped by emergency answer", intake.id)
        replies: list[Reply] = []
        for flag in emergencies[:1]:
            replies.extend(self._emergency_replies(flag, words.language))
        replies.append(Reply(words.emergency_stopped))
        labels = "; ".join(f"{flag.id} ({flag.label})" for flag in emergencies)
        replies.append(
            await self._staff_notes.intake_emergency(
                chat.chat_id,
                intake.id,
                [flag.id for flag in emergencies],
                f"Emergency answer in the intake form from chat {chat.chat_id} "
                f"(intake #{intake.id}): {labels}. The patient was told to seek emergency "
                "care now.",
            )
        )
        return replies

    async def _submit(
        self, chat: ChatRef, engine: IntakeEngine, intake: StoredIntake
    ) -> list[Reply]:
        now = self._clock()
        intake.submitted_at = now
        clinic = await self._clinic_engine(intake)
        intake.summary = build_summary(
            clinic or engine,
            intake.state,
            intake_id=intake.id,
            chat_id=chat.chat_id,
            submitted_at=now,
            appointment_ref=intake.appointment_ref,
        )
        await self.repository.save(intake)
        logger.info("intake %s submitted", intake.id)
        return [
            Reply(
                engine.flow.completion_message,
                title=words_for(engine.flow.language).form_sent_title,
            ),
            *self._consent_notes(chat, engine, intake),
            self._staff_notes.intake_submitted(
                intake.id,
                [flag["level"] for flag in intake.summary["flags"]],
                summary_text(intake.summary, self._tz),
            ),
        ]

    # --- emergencies typed anywhere ----------------------------------------------------

    async def _record_on_open(
        self, chat: ChatRef, record: Callable[[IntakeState], None]
    ) -> StoredIntake | None:
        """Apply `record` to the chat's open intake and save it (None when none is open)."""
        if not await self.repository.has_open(chat.chat_id):
            return None
        async with self._lock(chat.chat_id):
            return await self._record_on_open_held(chat, record)

    async def _record_on_open_held(
        self, chat: ChatRef, record: Callable[[IntakeState], None]
    ) -> StoredIntake | None:
        """`_record_on_open` for a caller that already holds the chat's lock."""
        intake = await self._open(chat.chat_id)
        if intake is None:
            return None
        record(intake.state)
        await self.repository.save(intake)
        return intake

    async def on_emergency(self, chat: ChatRef, rule_id: str) -> list[Reply]:
        """Emergency listener: stop an open intake, tell the patient so under the emergency
        reply (their next messages no longer answer it), and alert staff (never the
        patient's words)."""
        intake = await self._record_on_open(chat, lambda s: s.stop_for_emergency(rule_id))
        return self._emergency_stopped(chat, rule_id, intake)

    def _emergency_stopped(
        self, chat: ChatRef, rule_id: str, intake: StoredIntake | None
    ) -> list[Reply]:
        """What the patient and staff are told under the emergency reply when it stopped
        `intake` (nothing when no form was open)."""
        if intake is None:
            return []
        return [
            Reply(words_for(intake.state.language).emergency_stopped),
            self._staff_notes.screen_emergency(chat.chat_id, rule_id, intake.id),
        ]

    async def on_urgent(self, chat: ChatRef, rule_id: str) -> list[Reply]:
        """Urgent listener: record the urgent problem on the open form (the rule, never the
        patient's words); the form goes on, so the patient is told where it waits."""

        def record(state: IntakeState) -> None:
            if rule_id and rule_id not in state.urgent_rules:
                state.urgent_rules.append(rule_id)

        intake = await self._record_on_open(chat, record)
        return self._way_back(intake) if intake is not None else []

    async def on_non_text(self, chat: ChatRef) -> list[Reply]:
        """Non-text listener: after a photo or sticker, the way back to the question the
        form is asking (none when the form is stopped or waits on another question)."""
        if not await self.repository.has_open(chat.chat_id):
            return []
        intake = await self._open(chat.chat_id)
        if intake is None or not takes_next_message(intake, self._clock()):
            return []
        return self._way_back(intake)

    def _way_back(self, intake: StoredIntake) -> list[Reply]:
        """The button back to the question `intake` is asking, when it is on screen."""
        state = intake.state
        if state.paused or state.resume_pending or state.stop_pending:
            return []  # the form is not on screen: nothing to go back to yet
        return [self._form_waiting(state.language)]

    # --- personal data ------------------------------------------------------------------

    async def describe(self, chat_id: int) -> list[str]:
        """What the intake feature holds for a chat."""
        return await self.describe_chat(chat_id, "en")

    async def describe_chat(self, chat_id: int, language: str) -> list[str]:
        """What the intake feature holds for a chat, worded for a reader of `language`."""
        french = language == "fr"
        lines: list[str] = []
        try:
            intakes = await self.repository.for_chat(chat_id)
        except DecryptionError:
            return [
                "Formulaires d'accueil chiffrés avec une autre clé (illisibles; /forget les "
                "supprime)"
                if french
                else "Intake forms stored with another encryption key (unreadable; /forget "
                "deletes them)"
            ]
        for intake in intakes:
            engine = await self._engine(intake)
            questions = {s.id for s in engine.flow.questions} if engine else set()
            answered = sum(
                1
                for step_id, value in intake.state.answers.items()
                if value is not None and (step_id in questions or engine is None)
            )
            if french:
                status = _FRENCH_STATUS.get(intake.status.value, intake.status.value)
                plural = "s" if answered > 1 else ""
                lines.append(
                    f"Formulaire d'accueil no {intake.id} : {status}, commencé le "
                    f"{intake.started_at:%Y-%m-%d}, {answered} réponse{plural} "
                    f"conservée{plural} (chiffrée{plural})"
                    + (", avec un résumé envoyé à la clinique" if intake.summary else "")
                )
                continue
            count = f"{answered} answer{'' if answered == 1 else 's'}"
            lines.append(
                f"Intake form #{intake.id}: "
                f"{_ENGLISH_STATUS.get(intake.status.value, intake.status.value)}, started "
                f"{intake.started_at:%Y-%m-%d}, {count} stored (encrypted)"
                + (", with a summary sent to the clinic" if intake.summary else "")
            )
        return lines

    async def erase(self, chat_id: int) -> int:
        """Delete every intake of a chat."""
        async with self._lock(chat_id):
            return await self.repository.delete_for_chat(chat_id)

    async def sweep_abandoned(self) -> int:
        """Mark intakes idle for longer than the limit abandoned."""
        return await self.repository.mark_abandoned(self._clock() - self._abandon_after)


def register_intake_personal_data(
    conversation: IntakeConversation, registry: PersonalDataRegistry
) -> None:
    """Tell /mydata and /forget what the intake holds, in English and French."""
    registry.register(
        "Intake forms",
        conversation.describe,
        conversation.erase,
        titles={"fr": "Formulaires d'accueil"},
        describe_in=conversation.describe_chat,
        staff_trace=conversation.repository.sent_for_chat,
    )


# How /mydata names an intake's status for its reader.
_ENGLISH_STATUS = {
    "in_progress": "in progress",
    "submitted": "sent",
    "stopped_emergency": "stopped (emergency)",
    "declined": "declined",
    "abandoned": "abandoned",
}
_FRENCH_STATUS = {
    "in_progress": "en cours",
    "submitted": "envoyé",
    "stopped_emergency": "arrêté (urgence)",
    "declined": "refusé",
    "abandoned": "abandonné",
}


def register_intake_routes(conversation: IntakeConversation, assistant: Assistant) -> None:
    """Register /intake, the intake buttons, the text route and the emergency listener."""
    assistant.add_command(
        CommandSpec(
            "intake",
            "Fill in your intake form",
            conversation.on_intake_command,
            translations={"fr": "Remplir votre formulaire d'accueil"},
        )
    )
    assistant.add_action(ACTION_PREFIX, conversation.on_action)
    assistant.add_text_route("intake", conversation.claim_text)
    assistant.add_answer_check(conversation.takes_typed_answer)
    assistant.add_answer_reader(conversation.answers_tell)
    assistant.add_emergency_listener(conversation.on_emergency)
    assistant.add_urgent_listener(conversation.on_urgent)
    assistant.add_non_text_listener(conversation.on_non_text)
    # Without a French version of the form (intake_flow_fr.yaml), French speakers are told
    # it is in English before they tap.
    french = conversation.loaded.flow.in_language("fr").language == "fr"
    label = words_for("fr").fill_in_button + ("" if french else " (en anglais)")
    assistant.add_menu_button(
        Button(words_for(ENGLISH).fill_in_button, f"{ACTION_PREFIX}:start"),
        {"fr": Button(label, f"{ACTION_PREFIX}:start:fr")},
        command="intake",
    )


def _emergency_replies_for(content: ClinicContent) -> EmergencyReplies:
    """Flag messages through the safety stage's one emergency reply builder."""
    from bot.safety.stage import SafetyReplies

    clinic = content.clinic
    replies = SafetyReplies(content.emergency, clinic.phone, clinic.emergency_number)

    def build(flag: Flag, language: str = ENGLISH) -> list[Reply]:
        return replies.emergency(None, language, message=flag.message)

    return build


def register_intake(
    host: FeatureHost,
    settings: Settings,
    content: ClinicContent,
    database: Database,
    *,
    faq: FaqAnswerer | None,
    staff_notes: StaffNotes | None = None,
) -> IntakeConversation:
    """Build the intake feature and register everything it offers on the host."""
    from bot.storage.encryption import load_cipher

    loaded = content.intake_flow
    if loaded is None:
        raise ContentError(
            [Problem(display_path(settings.content_dir / FLOW_FILE_NAME), 0, "file not found")]
        )
    conversation = IntakeConversation(
        loaded,
        IntakeRepository(database, load_cipher(settings)),
        host.assistant,
        faq=faq,
        emergency_replies=_emergency_replies_for(content),
        abandon_after=settings.intake_abandon_after,
        staff_notes=staff_notes,
        tz=settings.clinic_timezone,
    )
    register_intake_routes(conversation, host.assistant)
    register_intake_personal_data(conversation, host.personal_data)

    async def sweep(_outbound: object) -> None:
        await conversation.sweep_abandoned()

    host.jobs.append(PeriodicJob("intake-abandon", ABANDON_SWEEP_INTERVAL, sweep))
    return conversation
