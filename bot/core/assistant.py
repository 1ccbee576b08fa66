"""The conversation core every channel talks to.

A channel turns what a person typed or tapped into one of three calls —
`handle_command`, `handle_text`, `handle_action` — and shows the replies it gets back.
Features (FAQ, intake, appointments) register their commands, button actions and, for
features that hold a conversation open, a text claimer. The order of checks is fixed
here because it is a safety property: an emergency phrase is answered before any
feature sees the text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from bot.core.recent import RecentMemory
from bot.core.replies import Button, Reply
from bot.core.staff_notes import SafetyAlert
from bot.core.wording import CORE_WORDING, CoreWording

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatRef:
    """Who is talking: enough to answer, never logged with what they said."""

    chat_id: int
    is_staff: bool = False
    is_private: bool = True
    first_name: str | None = None
    # The language the person's app is set to (Telegram's language_code), a hint for the
    # safety stage's language detection; None when the channel does not know.
    language_code: str | None = None
    # The language the safety stage read the message being handled in ("en", "fr", ...):
    # the assistant sets it on the ChatRef it hands the features for that message, so they
    # answer in it without detecting again. None for commands, taps, or with no stage.
    message_language: str | None = None
    # The language the chat is being served in ("en" or "fr"): its last message read
    # plainly as one of them, or the language of the last button tapped that carries one.
    # The assistant sets it; None until then (the app's language stands in).
    chat_language: str | None = None
    # Whether `message_language` is the chat's, standing in for a message whose own language
    # the stage could not read plainly ("IMS ?", "ok", "42"): a feature may read such a
    # message in the other language too, and still answer in this one.
    language_unclear: bool = False
    # How the open question this message may answer asks to read it (ANSWER_READINGS;
    # "history": it asks about past events or standing conditions). The assistant sets it
    # for the safety stage from its answer readers; None: an ordinary message.
    answers_tell: str | None = None

    @property
    def reply_language(self) -> str:
        """The language to answer in: the message's as the safety stage read it, else the
        chat's (a command, a tap, a short "42"), else French for an app set to French."""
        for language in (self.message_language, self.chat_language):
            if language in SERVED_LANGUAGES:
                return language
        return "fr" if self.app_language == "fr" else "en"

    @property
    def app_language(self) -> str | None:
        """The language the person's app is set to, as a bare code ("fr" for "fr-CA")."""
        return (self.language_code or "").split("-")[0].lower() or None

    @property
    def language_prior(self) -> str | None:
        """The language a message most likely is before reading it: the chat's, else the
        app's (a French chat's "oui" is French whatever the phone is set to)."""
        return self.chat_language or self.language_code


# The languages the bot answers in full; a button for one of them other than English ends
# in ":<code>" (e.g. "faq:hours:fr").
SERVED_LANGUAGES = ("en", "fr")
# The readings an open question may ask of its typed answer (`ChatRef.answers_tell`).
ANSWERS_TELL_HISTORY = "history"
ANSWER_READINGS = (ANSWERS_TELL_HISTORY,)
# How sure the language reading of a message must be to change the chat's language (and
# to answer that message in it): "ok" or "John" in a French chat read as English by a
# hair, and must not turn it English.
CHAT_LANGUAGE_CONFIDENCE = 0.5
# The language reading of a text without words ("42", "👍").
UNDETERMINED = "und"
# Chats whose language is remembered (the least recently seen are forgotten first; a
# forgotten chat falls back to its app's language until its next plain message).
CHAT_LANGUAGES_KEPT = 10_000
# Messages whose safety reply is remembered, so that editing one does not send it again.
SAFETY_ANSWERS_KEPT = 10_000
# The safety replies an edited message gets, by how serious they are: an edit is not a new
# question, but a danger added to it must not go unanswered.
EDIT_ANSWERED_LEVELS = {"urgent": 1, "emergency": 2}


# A slash command named in a text: "/intake", not "and/or" or a web address's path.
_COMMAND_RE = re.compile(r"(?<![\w/.])/([a-z][a-z0-9_]*)(?![\w-])", re.IGNORECASE)


SafetyLevel = Literal["emergency", "urgent", "notice", "caution"]


@dataclass(frozen=True)
class SafetyVerdict:
    """What the safety stage found in one typed text.

    `emergency`, `urgent` and `notice` (a language the bot does not read) are answered
    with `replies` alone: no feature sees the text. `caution` (a danger sign read as not
    happening now: a question about a risk, past history, a joke, a show)
    lets the features answer and adds `after` (the warning signs) below their reply. A
    notice with `features_answer` (a message mostly in another language with some English
    words) comes first, and a confident answer to the words the bot can read may follow it
    (never a fallback or a "did you mean": the notice already says whom to call).
    """

    level: SafetyLevel
    language: str
    rule_id: str | None = None
    replies: tuple[Reply, ...] = ()
    after: tuple[Reply, ...] = ()
    features_answer: bool = False
    # Why a caution was given in place of the emergency reply ("not_present": a rule's
    # emergency judged not happening now); None for every other verdict.
    caution: str | None = None
    # What staff are told (its note is among `replies`): the alert recorder, when one is
    # set, records it and words the note with its number and the ways to reach the chat.
    alert: SafetyAlert | None = None

    @property
    def stops(self) -> bool:
        """Whether the features' text routes never see the text."""
        return self.level != "caution"


@dataclass(frozen=True)
class Screening:
    """What the safety stage read in one typed text: its language, and a verdict unless the
    message is an ordinary one."""

    language: str | None
    verdict: SafetyVerdict | None = None
    # How sure the reading of the language is (1.0: told by its script or its words).
    confidence: float = 0.0

    def chat(self, chat: ChatRef) -> ChatRef:
        """`chat` as the features see it for this message: with the message's language, and
        that language as the chat's when the message says it plainly. A message whose
        language is unclear ("IMS ?", "ok", "42", an emoji) is answered in the chat's
        language (the app's before the chat has one), not in a guess at its own."""
        plain = self.language in SERVED_LANGUAGES and self.confidence >= CHAT_LANGUAGE_CONFIDENCE
        if plain:
            return replace(chat, message_language=self.language, chat_language=self.language)
        language = self.language
        if language is None or language in SERVED_LANGUAGES or language == UNDETERMINED:
            # The chat's language, else the app's, else the guess (a first "prix?").
            known = chat.chat_language or chat.app_language
            if known in SERVED_LANGUAGES or language in (None, UNDETERMINED):
                language = replace(chat, message_language=None).reply_language
            return replace(chat, message_language=language, language_unclear=True)
        return replace(chat, message_language=language)


CommandHandler = Callable[[ChatRef, Sequence[str]], Awaitable[list[Reply]]]
ActionHandler = Callable[[ChatRef, str], Awaitable[list[Reply]]]
# A text claimer returns None when it does not want the text (the next one is asked).
TextClaimer = Callable[[ChatRef, str], Awaitable[list[Reply] | None]]
# The safety stage: pure and quick, run on every typed text before any feature sees it.
SafetyScreen = Callable[[ChatRef, str], Screening]
# Told when an emergency was detected in a chat (rule id); returns extra replies, such
# as a staff alert, and may stop an open conversation.
EmergencyListener = Callable[[ChatRef, str], Awaitable[list[Reply]]]
# Answers the words of a mostly unread message that it can read, or returns no replies:
# only a confident answer, and nothing is logged as unanswered.
NoticeAnswerer = Callable[[ChatRef, str], Awaitable[list[Reply]]]
# A deep-link handler gets the payload of `/start <payload>`; None means "not mine".
DeepLinkHandler = Callable[[ChatRef, str], Awaitable[list[Reply] | None]]
# Whether an open conversation in the chat takes `text` as a typed answer whatever its
# language (a name, a short answer no detector reads with confidence).
AnswerCheck = Callable[[ChatRef, str], Awaitable[bool]]
# How the question open in a chat asks the safety stage to read a typed answer to it
# (ANSWER_READINGS), or None: no such question is open.
AnswerReader = Callable[[ChatRef], Awaitable[str | None]]
# Told of every command and button tap in a chat before it is handled (a question left
# open by a feature, such as /forget's "are you sure?", is dropped when the person moves on).
TurnListener = Callable[[ChatRef], None]
# Asked, after a photo or sticker without words got its note, what else to offer the chat
# (an open form: the way back to its question).
NonTextListener = Callable[[ChatRef], Awaitable[list[Reply]]]
# Told that a chat which had blocked the bot unblocked it (by its chat id): what was held
# back because the chat could not be reached may go again.
UnblockListener = Callable[[int], Awaitable[None]]
# The line that names the emergency number in a language ("If this is an emergency, call 911
# now."), for replies that leave a message unanswered.
EmergencyLine = Callable[[str], str]
# Records a safety alert for staff and returns its staff note (numbered, with the ways to
# reach the chat), which takes the place of the stage's own note.
AlertRecorder = Callable[[SafetyAlert], Awaitable[Reply]]
# Answers a staff chat's reply to one of the bot's messages (the text of the message replied
# to, then the reply); no replies: the reply was staff talking among themselves.
StaffReplyHandler = Callable[[ChatRef, str, str], Awaitable[list[Reply]]]


class HandoffRelay(Protocol):
    """During a handoff (staff wrote to the chat), passes a message the safety stage
    answered on its own (emergency, urgent, another language), or a message the patient
    changed (`edited`), to staff; None: no handoff is open (or an open form takes it)."""

    async def __call__(
        self,
        chat: ChatRef,
        text: str,
        verdict: SafetyVerdict | None = None,
        *,
        edited: bool = False,
    ) -> list[Reply] | None: ...


# During a handoff, what a photo, voice note or other non-text message gets (the kind in
# words: "photo", "voice message"): the patient told that it did not reach staff, and a
# note for staff; None: no handoff is open.
HandoffMedia = Callable[[ChatRef, str], Awaitable[list[Reply] | None]]


@dataclass(frozen=True)
class CommandSpec:
    """A slash command and how it is shown in the command menu."""

    name: str
    description: str
    handler: CommandHandler
    staff_only: bool = False
    in_menu: bool = True
    # Whether the handler screens the words typed after the command itself (/faq answers
    # them as a question); otherwise the assistant screens them before the command runs.
    screens_its_words: bool = False
    # The description in other languages a patient may read ({"fr": "..."}).
    translations: Mapping[str, str] = field(default_factory=dict)

    def description_in(self, language: str) -> str:
        """The description in `language` (English where it has none)."""
        return self.translations.get(language, self.description)


@dataclass
class _TextRoute:
    name: str
    claimer: TextClaimer


def _check_listed(kind: str, name: str, order: tuple[str, ...]) -> None:
    """A feature's route or button must have a place in the root's table."""
    if order and name not in order:
        raise ValueError(f"{kind} {name!r} has no place in the order table of bot/runtime.py")


@dataclass
class Assistant:
    """Routes commands, taps and text to the features that registered for them."""

    # The composition root's table (bot/runtime.py): text routes by name and menu buttons
    # by action, in the order they are offered. Empty: the order of registration.
    text_route_order: tuple[str, ...] = ()
    menu_order: tuple[str, ...] = ()
    _commands: dict[str, CommandSpec] = field(default_factory=dict)
    _actions: dict[str, ActionHandler] = field(default_factory=dict)
    _text_routes: list[_TextRoute] = field(default_factory=list)
    _safety: SafetyScreen | None = None
    _emergency_line: EmergencyLine | None = None
    _alert_recorder: AlertRecorder | None = None
    _staff_reply_handler: StaffReplyHandler | None = None
    _handoff_relay: HandoffRelay | None = None
    _handoff_media: HandoffMedia | None = None
    _menu_buttons: list[Button] = field(default_factory=list)
    # A menu button as another language shows it, by (action, language).
    _menu_translations: dict[tuple[str, str], Button] = field(default_factory=dict)
    # The menu button that does what a command does, by command name ("intake").
    _command_buttons: dict[str, str] = field(default_factory=dict)
    _deep_link_handlers: list[DeepLinkHandler] = field(default_factory=list)
    _emergency_listeners: list[EmergencyListener] = field(default_factory=list)
    _urgent_listeners: list[EmergencyListener] = field(default_factory=list)
    _answer_checks: list[AnswerCheck] = field(default_factory=list)
    _answer_readers: list[AnswerReader] = field(default_factory=list)
    _notice_answerers: list[NoticeAnswerer] = field(default_factory=list)
    _turn_listeners: list[TurnListener] = field(default_factory=list)
    _unblock_listeners: list[UnblockListener] = field(default_factory=list)
    _non_text_listeners: list[NonTextListener] = field(default_factory=list)
    # The language each chat is being served in (ChatRef.chat_language), by chat id, for
    # the `chat_languages_kept` chats seen last: in memory only, so a restart falls back
    # to the app's language.
    chat_languages_kept: int = CHAT_LANGUAGES_KEPT
    _chat_languages: RecentMemory[int, str] = field(init=False)
    # The safety level each recent message was answered with, by (chat id, message id).
    _safety_answers: RecentMemory[tuple[int, int], str] = field(
        default_factory=lambda: RecentMemory(SAFETY_ANSWERS_KEPT)
    )
    # Text routes that keep a message as it came (a form's answer): editing one changes
    # nothing there, so the patient is told, once per message.
    edit_kept_routes: tuple[str, ...] = ()
    # The route that kept each recent message, by (chat id, message id).
    _kept_messages: RecentMemory[tuple[int, int], str] = field(
        default_factory=lambda: RecentMemory(SAFETY_ANSWERS_KEPT)
    )

    def __post_init__(self) -> None:
        self._chat_languages = RecentMemory(self.chat_languages_kept)

    # --- registration -------------------------------------------------------------

    def add_command(self, spec: CommandSpec) -> None:
        """Register a slash command (name without the slash, lower case)."""
        if spec.name in self._commands:
            raise ValueError(f"command /{spec.name} registered twice")
        self._commands[spec.name] = spec

    def add_action(self, prefix: str, handler: ActionHandler) -> None:
        """Register the handler for button actions of the form `<prefix>:<rest>`."""
        if ":" in prefix or prefix in self._actions:
            raise ValueError(f"bad or duplicate action prefix {prefix!r}")
        self._actions[prefix] = handler

    def add_text_route(self, name: str, claimer: TextClaimer) -> None:
        """Register a text claimer, asked in its place in `text_route_order`."""
        _check_listed("text route", name, self.text_route_order)
        self._text_routes.append(_TextRoute(name, claimer))
        if self.text_route_order:
            self._text_routes.sort(key=lambda route: self.text_route_order.index(route.name))

    def add_menu_button(
        self,
        button: Button,
        translations: Mapping[str, Button] | None = None,
        *,
        command: str | None = None,
    ) -> None:
        """Offer `button` in the main menu shown by /start, in its place in `menu_order`;
        `translations` are the same button in other languages ("fr": its French label,
        and an action answered in French where the feature answers in French). `command`:
        the slash command the button stands for, offered under any text that names it."""
        _check_listed("menu button", button.action, self.menu_order)
        self._menu_buttons.append(button)
        if command is not None:
            self._command_buttons[command] = button.action
        for language, translated in (translations or {}).items():
            self._menu_translations[button.action, language] = translated
        if self.menu_order:
            self._menu_buttons.sort(key=lambda item: self.menu_order.index(item.action))

    def menu_buttons(self, language: str = "en") -> tuple[Button, ...]:
        """The main-menu buttons every feature contributed, in order, in `language` where
        the feature gave it."""
        return tuple(
            self._menu_translations.get((button.action, language), button)
            for button in self._menu_buttons
        )

    def command_buttons(self, text: str, language: str = "en") -> tuple[Button, ...]:
        """The menu buttons of the commands `text` tells the reader to type ("Type /intake
        to start"), in `language`: a tap does what the text asks them to type."""
        named = dict.fromkeys(command.lower() for command in _COMMAND_RE.findall(text))
        return tuple(
            self._menu_translations.get((action, language), self._menu_by_action(action))
            for command in named
            if (action := self._command_buttons.get(command)) is not None
        )

    def _menu_by_action(self, action: str) -> Button:
        return next(button for button in self._menu_buttons if button.action == action)

    def add_deep_link_handler(self, handler: DeepLinkHandler) -> None:
        """Register a handler for `/start <payload>`; it returns None for payloads not its own."""
        self._deep_link_handlers.append(handler)

    async def handle_deep_link(self, chat: ChatRef, payload: str) -> list[Reply] | None:
        """Offer a `/start` payload to each deep-link handler; None when nobody claims it."""
        chat = self._in_its_language(chat)
        for handler in self._deep_link_handlers:
            replies = await handler(chat, payload)
            if replies is not None:
                return replies
        return None

    def add_emergency_listener(self, listener: EmergencyListener) -> None:
        """Be told (after the patient's emergency reply is built) of every emergency."""
        self._emergency_listeners.append(listener)

    def add_answer_check(self, check: AnswerCheck) -> None:
        """Be asked before the language notice whether the text is an answer to keep."""
        self._answer_checks.append(check)

    def add_answer_reader(self, reader: AnswerReader) -> None:
        """Be asked, before the safety stage screens a typed text, how the question open in
        the chat asks its answer to be read (`ChatRef.answers_tell`)."""
        self._answer_readers.append(reader)

    def add_turn_listener(self, listener: TurnListener) -> None:
        """Be told of every command and button tap, before it is handled."""
        self._turn_listeners.append(listener)

    def _new_turn(self, chat: ChatRef) -> None:
        for listener in self._turn_listeners:
            listener(chat)

    def add_unblock_listener(self, listener: UnblockListener) -> None:
        """Be told when a patient who had blocked the bot unblocks it."""
        self._unblock_listeners.append(listener)

    async def chat_unblocked(self, chat_id: int) -> None:
        """A patient unblocked the bot (the channel saw it): tell every listener."""
        for listener in self._unblock_listeners:
            await listener(chat_id)

    def add_non_text_listener(self, listener: NonTextListener) -> None:
        """Be asked what to offer after a photo or sticker sent without words."""
        self._non_text_listeners.append(listener)

    def add_notice_answerer(self, answerer: NoticeAnswerer) -> None:
        """Answer, below the language notice, what a mostly unread message says in English."""
        self._notice_answerers.append(answerer)

    def add_urgent_listener(self, listener: EmergencyListener) -> None:
        """Be told of every urgent (same-day care) reply; it never stops a conversation."""
        self._urgent_listeners.append(listener)

    async def notify_emergency(self, chat: ChatRef, rule_id: str) -> list[Reply]:
        """Tell every emergency listener; the extra replies they return, in order."""
        extra: list[Reply] = []
        for listener in self._emergency_listeners:
            extra.extend(await listener(chat, rule_id))
        return extra

    def set_safety_screen(self, screen: SafetyScreen) -> None:
        """Set the check that runs on every typed text before anything else."""
        self._safety = screen

    def set_staff_reply_handler(self, handler: StaffReplyHandler) -> None:
        """Answer staff chats' replies to the bot's messages (an alert's note) with `handler`."""
        self._staff_reply_handler = handler

    async def handle_staff_reply(self, chat: ChatRef, replied_to: str, text: str) -> list[Reply]:
        """A staff chat replied to the bot's message `replied_to` with `text`; other chats'
        replies are their ordinary messages."""
        if not chat.is_staff:
            return await self.handle_text(chat, text)
        if self._staff_reply_handler is None or not text.strip():
            return []
        return await self._staff_reply_handler(chat, replied_to, text.strip())

    def set_handoff_relay(self, relay: HandoffRelay) -> None:
        """Pass messages the safety stage answered on its own to staff during a handoff
        (ordinary messages reach it as a text route)."""
        self._handoff_relay = relay

    def set_handoff_media(self, media: HandoffMedia) -> None:
        """Answer a photo, voice note or the like during a handoff with `media`."""
        self._handoff_media = media

    async def _relayed(
        self, chat: ChatRef, text: str, verdict: SafetyVerdict | None, edited: bool = False
    ) -> list[Reply] | None:
        if self._handoff_relay is None:
            return None
        return await self._handoff_relay(chat, text, verdict, edited=edited)

    def set_emergency_line(self, line: EmergencyLine) -> None:
        """Name the emergency number under the core's own replies that leave a message
        unanswered (a photo, a fault), with `line` (the safety stage's, per language)."""
        self._emergency_line = line

    def wording(self, chat: ChatRef) -> CoreWording:
        """The core's own replies in the language `chat` is served in."""
        return CORE_WORDING.get(chat.reply_language, CORE_WORDING["en"])

    def unknown_command_reply(self, chat: ChatRef) -> Reply:
        """For a command nobody registered."""
        return Reply(self.wording(chat).unknown_command)

    def unknown_action_reply(self, chat: ChatRef) -> Reply:
        """For a button whose action nobody handles any more (an older message's)."""
        return Reply(self.wording(chat).unknown_action)

    def staff_only_reply(self, chat: ChatRef) -> Reply:
        """For a staff command sent from a patient's chat."""
        return Reply(self.wording(chat).staff_only)

    def went_wrong_reply(self, chat: ChatRef) -> Reply:
        """The apology when handling a message failed: the message may have been an
        emergency nobody read, so the emergency number is named."""
        chat = self._in_its_language(chat)
        return Reply(self._with_emergency_line(chat, self.wording(chat).went_wrong))

    def _with_emergency_line(self, chat: ChatRef, text: str) -> str:
        if self._emergency_line is None:
            return text
        return f"{text}\n\n{self._emergency_line(chat.reply_language)}"

    def set_alert_recorder(self, recorder: AlertRecorder) -> None:
        """Record every safety alert, and word its staff note, with `recorder`."""
        self._alert_recorder = recorder

    async def _recorded(self, verdict: SafetyVerdict) -> SafetyVerdict:
        """`verdict` with its staff note replaced by the recorder's (numbered) one."""
        if verdict.alert is None or self._alert_recorder is None:
            return verdict
        note = await self._alert_recorder(verdict.alert)
        replies = tuple(note if reply.for_staff else reply for reply in verdict.replies)
        return replace(verdict, replies=replies)

    async def screen(self, chat: ChatRef, text: str) -> Screening:
        """The safety stage's reading of `text` (its language and verdict), emergency
        listeners told (intake stops)."""
        if self._safety is None:
            return Screening(None)
        return await self._acted_on(chat, self._safety(chat, text))

    async def _acted_on(self, chat: ChatRef, screening: Screening) -> Screening:
        """`screening` with its alert recorded and the emergency or urgent listeners told."""
        verdict = screening.verdict
        if verdict is not None and verdict.alert is not None:
            verdict = await self._recorded(verdict)
            screening = replace(screening, verdict=verdict)
        if verdict is not None and verdict.level == "emergency":
            extra = await self.notify_emergency(chat, verdict.rule_id or "")
            verdict = replace(verdict, replies=one_staff_note((*verdict.replies, *extra)))
            return Screening(screening.language, verdict)
        if verdict is not None and verdict.level == "urgent":
            told: list[Reply] = []
            for listener in self._urgent_listeners:
                told.extend(await listener(chat, verdict.rule_id or ""))
            if told:  # e.g. "your form is waiting": urgent never stops a conversation
                verdict = replace(verdict, replies=(*verdict.replies, *told))
                return Screening(screening.language, verdict)
        return screening

    def commands(self, *, staff: bool = False) -> list[CommandSpec]:
        """Commands for a menu: patient commands, or staff commands when `staff`."""
        return [
            spec for spec in self._commands.values() if spec.in_menu and spec.staff_only == staff
        ]

    # --- handling -----------------------------------------------------------------

    async def handle_command(
        self, chat: ChatRef, command: str, args: Sequence[str] = ()
    ) -> list[Reply]:
        """Answer a slash command such as `/start` (given without the slash)."""
        chat = self._in_its_language(chat)
        self._new_turn(chat)
        spec = self._commands.get(command.lower())
        # An unknown command may be a patient's words after a slash ("/chest pain"): its
        # name is screened with them.
        words = list(args) if spec else [command.replace("_", " "), *args]
        verdict = None if spec and spec.screens_its_words else await self._screen_words(chat, words)
        if verdict is not None and verdict.level == "emergency":
            return list(verdict.replies)
        if spec is None:
            replies = [self.unknown_command_reply(chat)]
        elif spec.staff_only and not chat.is_staff:
            logger.warning("refused staff command /%s from a non-staff chat", spec.name)
            replies = [self.staff_only_reply(chat)]
        else:
            replies = await spec.handler(chat, list(args))
        if verdict is not None and verdict.level in ("urgent", "caution"):
            # Same-day advice first; the warning signs (naming 911) under the command's reply.
            return [*verdict.replies, *replies, *verdict.after]
        return replies

    async def _screen_words(self, chat: ChatRef, args: Sequence[str]) -> SafetyVerdict | None:
        """The safety verdict on a patient's words typed after a command ("/help my chest
        hurts"): a patient's text is screened on every path. A language notice is left out
        (the command is answered as asked)."""
        if not args or chat.is_staff or not chat.is_private:
            return None
        verdict = (await self.screen(chat, " ".join(args))).verdict
        return verdict if verdict is not None and verdict.level != "notice" else None

    async def handle_text(
        self, chat: ChatRef, text: str, message_id: int | None = None
    ) -> list[Reply]:
        """Answer typed text: the safety stage first, then claimers in the root's order.
        `message_id`: the channel's id of the message, so an edit of it is recognised."""
        text = text.strip()
        if not text or not chat.is_private:
            # A group's text is staff talking among themselves (Telegram delivers replies
            # to the bot's notes even in privacy mode): no patient's message to screen,
            # answer or keep. The staff group uses commands.
            return []
        chat = await self._with_answer_reading(self._in_its_language(chat))
        screening = await self.screen(chat, text)
        chat, verdict = screening.chat(chat), screening.verdict
        self._remember_language(chat)
        if verdict is not None and message_id is not None:
            self._safety_answers.remember((chat.chat_id, message_id), verdict.level)
        if verdict is not None and verdict.level == "notice" and await self._an_answer(chat, text):
            verdict = None  # screened for emergencies already; a name is not a language
        if verdict is not None and verdict.stops:
            # Answered by the safety stage alone; in a handoff staff still get the message.
            relayed = await self._relayed(chat, text, verdict)
            if relayed is not None:
                return [*verdict.replies, *relayed]
        if verdict is not None and verdict.level == "notice" and verdict.features_answer:
            return [*verdict.replies, *await self._below_notice(chat, text)]
        if verdict is not None and verdict.stops:
            return list(verdict.replies)
        before = list(verdict.replies) if verdict is not None else []
        after = list(verdict.after) if verdict is not None else []
        for route in self._text_routes:
            replies = await route.claimer(chat, text)
            if replies is not None:
                if message_id is not None and route.name in self.edit_kept_routes:
                    self._kept_messages.remember((chat.chat_id, message_id), route.name)
                return [*before, *replies, *after]
        return [*before, *after]

    async def handle_edited_text(self, chat: ChatRef, text: str, message_id: int) -> list[Reply]:
        """A patient changed a message they had sent. An edit is not a new question (its
        answer was given, and answering again would repeat it), but a danger the edit adds
        gets its emergency or urgent reply, once per message and level. An edit of a
        message a route kept as it came (a form's answer) says, once, that it changed
        nothing: the patient would otherwise believe the correction was made."""
        text = text.strip()
        if not text or not chat.is_private or chat.is_staff:
            return []
        # Most edits come at once, while the question the message answered is still open:
        # read it as that question asks (an answer about history is not happening now).
        chat = await self._with_answer_reading(self._in_its_language(chat))
        if danger := await self._edit_danger(chat, text, message_id):
            return danger
        if self._kept_messages.pop((chat.chat_id, message_id), None) is None:
            return []
        return [Reply(self.wording(chat).edit_not_read)]

    async def _edit_danger(self, chat: ChatRef, text: str, message_id: int) -> list[Reply]:
        """The safety replies an edited message's new danger gets; none when it adds none."""
        if self._safety is None:
            return []
        screening = self._safety(chat, text)
        verdict = screening.verdict
        answered = self._safety_answers.get((chat.chat_id, message_id))
        if (
            verdict is None
            or verdict.level not in EDIT_ANSWERED_LEVELS
            or EDIT_ANSWERED_LEVELS.get(answered or "", 0) >= EDIT_ANSWERED_LEVELS[verdict.level]
        ):
            # Nothing new to answer; during a handoff staff still read what it says now.
            return await self._relayed(chat, text, None, edited=True) or []
        verdict = (await self._acted_on(chat, screening)).verdict
        if verdict is None:
            return await self._relayed(chat, text, None, edited=True) or []
        self._safety_answers.remember((chat.chat_id, message_id), verdict.level)
        relayed = await self._relayed(chat, text, verdict, edited=True)
        return [*verdict.replies, *(relayed or [])]

    async def handle_non_text(
        self,
        chat: ChatRef,
        caption: str | None,
        message_id: int | None = None,
        kind: str = "file",
    ) -> list[Reply]:
        """A photo, sticker, voice note or the like (`kind`, in words). Its caption is the
        patient's text (a photo of a needle site, "it's hot and oozing"): screened and
        answered like any message. Then the note that the rest is not read, naming the
        emergency number (a voice note may be a cry for help); during a handoff, that it
        did not reach the clinic team, who are told it came."""
        if not chat.is_private:
            return []
        replies = await self.handle_text(chat, caption, message_id) if caption else []
        chat = self._in_its_language(chat)
        if self._handoff_media is not None and not chat.is_staff:
            told = await self._handoff_media(chat, kind)
            if told is not None:
                return [*replies, *told]
        wording = self.wording(chat)
        # Once the caption is answered, "type your question in words" would say it was not.
        note = wording.only_caption_read if replies else wording.only_text
        offers: list[Reply] = []
        if not replies:  # a caption went to whatever the chat is doing, which answered it
            for listener in self._non_text_listeners:
                offers.extend(await listener(chat))
        return [*replies, Reply(self._with_emergency_line(chat, note)), *offers]

    async def _with_answer_reading(self, chat: ChatRef) -> ChatRef:
        """`chat` with the reading the question open in it asks of a typed answer."""
        for reader in self._answer_readers:
            reading = await reader(chat)
            if reading is not None:
                return replace(chat, answers_tell=reading)
        return chat

    def _in_its_language(self, chat: ChatRef) -> ChatRef:
        """`chat` with the language it is being served in, when one is known."""
        served = self._chat_languages.get(chat.chat_id)
        if served is None:
            return chat
        self._chat_languages.move_to_end(chat.chat_id)
        return chat if chat.chat_language is not None else replace(chat, chat_language=served)

    def _remember_language(self, chat: ChatRef) -> None:
        if chat.chat_language is None:
            return
        self._chat_languages.remember(chat.chat_id, chat.chat_language)

    async def _below_notice(self, chat: ChatRef, text: str) -> list[Reply]:
        for answerer in self._notice_answerers:
            if replies := await answerer(chat, text):
                return replies
        return []

    async def _an_answer(self, chat: ChatRef, text: str) -> bool:
        for check in self._answer_checks:
            if await check(chat, text):
                return True
        return False

    async def handle_action(self, chat: ChatRef, action: str) -> list[Reply]:
        """Answer a tapped button; unknown or malformed actions get a polite reply."""
        language = button_language(action)
        if language is not None:
            chat = replace(chat, chat_language=language)
            self._remember_language(chat)
        chat = self._in_its_language(chat)
        self._new_turn(chat)
        prefix, _, rest = action.partition(":")
        handler = self._actions.get(prefix)
        if handler is None:
            return [self.unknown_action_reply(chat)]
        return await handler(chat, rest)


def one_staff_note(replies: Sequence[Reply]) -> tuple[Reply, ...]:
    """`replies` with their staff notes joined into the first one: one event (an emergency
    that also stopped an intake) is one note in the staff chat, not one per listener."""
    notes = [reply for reply in replies if reply.for_staff]
    if len(notes) < 2:
        return tuple(replies)
    joined = replace(notes[0], text="\n".join(note.text for note in notes))
    return tuple(
        joined if reply is notes[0] else reply
        for reply in replies
        if not reply.for_staff or reply is notes[0]
    )


def button_language(action: str) -> str | None:
    """The language a button's action says it is in ("faq:hours:fr" is French); None for a
    button that does not say (English, or the same in every language)."""
    ending = action.rpartition(":")[2]
    return ending if ending in SERVED_LANGUAGES and ending != "en" else None
