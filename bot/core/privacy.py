"""What the bot holds about a person, and erasing it on request (/mydata, /forget).

Each feature that stores personal data registers a describer and an eraser, so the
two commands always cover everything without knowing the features' tables. After an
erase, the registry runs its scrubbers (the database overwrites freed pages and
empties its write-ahead log), so deleted words do not linger in the files.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.core.assistant import Assistant, ChatRef, CommandSpec
from bot.core.replies import Button, Reply

logger = logging.getLogger(__name__)

# Returns human-readable lines describing what is held for a chat (empty: nothing).
Describer = Callable[[int], Awaitable[list[str]]]
# The same, worded for a reader of a language ("en", "fr").
LanguageDescriber = Callable[[int, str], Awaitable[list[str]]]
# Deletes everything held for a chat; returns how many records were removed.
Eraser = Callable[[int], Awaitable[int]]
# Run after an erase, whatever was removed (e.g. a database checkpoint).
Scrubber = Callable[[], Awaitable[None]]
# The records of a chat staff may look for, by name ("intake:12", "event:5"; no content):
# asked before an erase, so the staff audit log can say what the patient erased.
StaffTrace = Callable[[int], Awaitable[list[str]]]
# Writes the staff audit entry of an erase: the records named (None: nothing staff would
# look for), never what they held.
ErasureAudit = Callable[[list[str | None]], Awaitable[None]]
# Asked before an erase: the staff notes to send once it is done (a conversation with staff
# that it ends), never with what the patient wrote.
ErasureNotice = Callable[[int], Awaitable[list[Reply]]]
FORGET_PREFIX = "forget"
# A button that does what /mydata does ("mydata:fr": in French), for features to offer.
MY_DATA_ACTION = "mydata"
PRIVACY_ROUTE = "privacy"
# How long "are you sure?" stands: a "yes" later than this (an old message's button, a
# question asked before a restart or long ago) asks again instead of erasing.
CONFIRMATION_STANDS = timedelta(minutes=5)
Clock = Callable[[], datetime]


@dataclass(frozen=True)
class _PersonalDataFeature:
    """One feature's part of the registry: how it lists and erases what it holds."""

    name: str
    describe: Describer
    erase: Eraser
    titles: dict[str, str]  # the feature's name in other languages
    describe_in: LanguageDescriber | None  # its lines worded for a reader's language
    staff_trace: StaffTrace | None = None


@dataclass
class PersonalDataRegistry:
    """The describers and erasers of every feature, and the scrubbers to run after."""

    _features: list[_PersonalDataFeature] = field(default_factory=list)
    _scrubbers: list[Scrubber] = field(default_factory=list)
    _audits: list[ErasureAudit] = field(default_factory=list)
    _notices: list[ErasureNotice] = field(default_factory=list)

    def register(
        self,
        feature: str,
        describe: Describer,
        erase: Eraser,
        *,
        titles: dict[str, str] | None = None,
        describe_in: LanguageDescriber | None = None,
        staff_trace: StaffTrace | None = None,
    ) -> None:
        """Add a feature's describer and eraser; `titles` names the feature in other
        languages, `describe_in` words its lines in the reader's language, `staff_trace`
        names the records staff may look for (for the audit entry of an erase)."""
        self._features.append(
            _PersonalDataFeature(feature, describe, erase, titles or {}, describe_in, staff_trace)
        )

    def add_erasure_audit(self, audit: ErasureAudit) -> None:
        """Tell staff (their audit log) that an erase happened, and which records it took."""
        self._audits.append(audit)

    def add_erasure_notice(self, notice: ErasureNotice) -> None:
        """Tell staff who are talking with the patient that an erase ended it."""
        self._notices.append(notice)

    async def staff_notices(self, chat_id: int) -> list[Reply]:
        """The staff notes an erase of `chat_id` calls for (asked before it erases)."""
        return [note for notice in self._notices for note in await notice(chat_id)]

    def add_scrubber(self, scrub: Scrubber) -> None:
        """Run `scrub` after every erase."""
        self._scrubbers.append(scrub)

    async def describe(self, chat_id: int) -> dict[str, list[str]]:
        """Per feature, the lines describing what is held for `chat_id`."""
        return {feature.name: await feature.describe(chat_id) for feature in self._features}

    async def describe_in(self, chat_id: int, language: str) -> list[tuple[str, list[str]]]:
        """Per feature, its title and lines for a reader of `language` (English where a
        feature gives no wording in it)."""
        described = []
        for feature in self._features:
            worded = feature.describe_in
            lines = await (worded(chat_id, language) if worded else feature.describe(chat_id))
            described.append((feature.titles.get(language, feature.name), lines))
        return described

    async def erase(self, chat_id: int) -> int:
        """Erase everything held for `chat_id` in every feature; total records removed.
        Staff's audit log is told that an erase happened (the records' names, no content)."""
        traced: list[str | None] = []
        for feature in self._features:
            if feature.staff_trace is not None:
                traced.extend(await feature.staff_trace(chat_id))
        removed = sum([await feature.erase(chat_id) for feature in self._features])
        if removed:
            for audit in self._audits:
                try:
                    await audit(traced or [None])
                except Exception:  # the erase stands whether or not the audit log heard of it
                    logger.exception("could not write the audit entry of an erase")
        for scrub in self._scrubbers:
            await scrub()
        return removed


# Typed answers to /forget's question, after _plain_answer; French ones get French replies.
YES_ANSWERS = frozenset(
    {"yes", "y", "yeah", "yep", "sure", "yes please", "yes sure", "yes i m sure"}
    | {"yes delete everything", "delete everything"}
    | {"oui", "ouais", "oui svp", "oui je suis sûr", "oui je suis sûre", "oui tout supprimer"}
)
NO_ANSWERS = frozenset(
    {"no", "n", "nope", "no thanks", "no keep it", "keep it", "cancel"}
    | {"non", "non merci", "annuler", "non tout garder"}
)
# Answers that can only be meant for /forget's question (its buttons' labels, typed): when no
# question is open (it lives in this process only, so a restart drops it) they are told
# that nothing was deleted, rather than passed on to a feature as a question or an answer.
EXPLICIT_ANSWERS = frozenset(
    {"yes delete everything", "delete everything", "no keep it"}
    | {"oui tout supprimer", "non tout garder"}
)
FRENCH_ANSWERS = frozenset(
    {
        answer
        for answer in YES_ANSWERS | NO_ANSWERS | EXPLICIT_ANSWERS
        if answer.split()[0] in {"oui", "ouais", "non"}
    }
    | {"annuler"}
)


def _plain_answer(text: str) -> str:
    """A short typed answer as compared: case, accents' forms and punctuation ignored."""
    kept = "".join(c if c.isalnum() else " " for c in unicodedata.normalize("NFKC", text))
    return " ".join(kept.casefold().split())


@dataclass(frozen=True)
class _Wording:
    question: str
    yes_button: str
    no_button: str
    done: str  # {records}: how many records, in words that agree with the number
    record: tuple[str, str]  # one record, several records
    zero_is_plural: bool  # "0 records", but "0 enregistrement"
    kept: str
    not_an_answer: str
    expired: str
    ask_again: str  # put before the question when a "yes" came too late to count


ENGLISH = _Wording(
    question=(
        "This deletes everything I hold about you, including unfinished and sent intake "
        "forms, questions I could not answer and appointment links. The clinic keeps its "
        "own records. Are you sure? Type yes or no, or tap a button."
    ),
    yes_button="Yes, delete everything",
    no_button="No, keep it",
    done="Done: I deleted everything I held about you ({records}).",
    record=("record", "records"),
    zero_is_plural=True,
    kept="Nothing was deleted.",
    not_an_answer=(
        "Nothing was deleted. To delete everything I hold about you, type yes (or tap "
        "\u201cYes, delete everything\u201d); to keep it, type no."
    ),
    expired=(
        "Nothing was deleted: that question is no longer open (I may have restarted since "
        "you were asked). To delete everything I hold about you, send /forget again."
    ),
    ask_again="Nothing was deleted yet: that question was asked a while ago.",
)
FRENCH = _Wording(
    question=(
        "Cela supprime tout ce que je garde à votre sujet, y compris les formulaires "
        "d'accueil commencés ou envoyés, les questions auxquelles je n'ai pas su répondre et "
        "les liens de rendez-vous. La clinique conserve ses propres dossiers. En êtes-vous "
        "sûr? Répondez oui ou non, ou touchez un bouton."
    ),
    yes_button="Oui, tout supprimer",
    no_button="Non, tout garder",
    done=("C'est fait : j'ai supprimé tout ce que je gardais à votre sujet ({records})."),
    record=("enregistrement", "enregistrements"),
    zero_is_plural=False,
    kept="Rien n'a été supprimé.",
    not_an_answer=(
        "Rien n'a été supprimé. Pour supprimer tout ce que je garde à votre sujet, "
        "répondez oui (ou touchez \u00ab Oui, tout supprimer \u00bb) ; pour tout garder, "
        "répondez non."
    ),
    expired=(
        "Rien n'a été supprimé : cette question n'est plus ouverte (j'ai peut-être redémarré "
        "depuis). Pour supprimer tout ce que je garde à votre sujet, envoyez /forget de nouveau."
    ),
    ask_again="Rien n'a encore été supprimé : cette question a été posée il y a un moment.",
)


class PrivacyCommands:
    """/mydata and /forget over every feature's personal data.

    /forget asks first. Until the person answers, what they type goes here before any
    feature (an open intake would take "yes" as its own answer): yes or no (oui/non)
    settles it, anything else is told that nothing was deleted and how to confirm. The
    question is dropped when they send a command or tap a button instead (so a later
    "yes" meant for another question never deletes anything); it lives in this process
    only, and a restart drops it the same way. A typed answer that can only be meant for
    it (a button's label) with no question open is told that nothing was deleted. A "yes"
    typed or tapped more than `CONFIRMATION_STANDS` after the question (the button carries
    when it was asked, so this holds across restarts) asks again.
    """

    def __init__(self, registry: PersonalDataRegistry, clock: Clock | None = None) -> None:
        self._registry = registry
        self._clock = clock or (lambda: datetime.now(UTC))
        # Chats whose "are you sure?" is unanswered, and when it was asked.
        self._asked: dict[int, datetime] = {}

    async def on_mydata(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Show what the bot holds about this chat."""
        french = chat.reply_language == "fr"
        held = await self._registry.describe_in(chat.chat_id, "fr" if french else "en")
        colon = " : " if french else ": "
        lines = [f"{title}{colon}{line}" for title, items in held for line in items]
        if not lines:
            none = "Je ne garde aucune donnée personnelle à votre sujet."
            return [Reply(none if french else "I hold no personal data about you.")]
        listed = "\n".join(f"- {line}" for line in lines)
        if french:
            text = f"Voici ce que je garde à votre sujet :\n{listed}\n\n"
            return [Reply(text + "Envoyez /forget pour tout supprimer.", title="Vos données")]
        text = f"This is what I hold about you:\n{listed}\n\nSend /forget to delete all of it."
        return [Reply(text, title="Your data")]

    async def on_mydata_button(self, chat: ChatRef, rest: str) -> list[Reply]:
        """A button offering /mydata (its language is already the chat's)."""
        return await self.on_mydata(chat, ())

    async def on_forget(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Ask for confirmation before deleting everything."""
        wording = FRENCH if chat.reply_language == "fr" else ENGLISH
        return [self._ask(chat, wording, wording.question)]

    def _ask(self, chat: ChatRef, wording: _Wording, text: str) -> Reply:
        """ "Are you sure?" (`text`), asked now: its "yes" counts for a few minutes."""
        asked = self._clock()
        self._asked[chat.chat_id] = asked
        title = "Supprimer mes données" if wording is FRENCH else "Delete my data"
        return _question(wording, text, title=title, asked=asked)

    def _ask_again(self, chat: ChatRef, wording: _Wording) -> list[Reply]:
        return [self._ask(chat, wording, f"{wording.ask_again} {wording.question}")]

    def _stands(self, asked: datetime | None) -> bool:
        """Whether a question asked at `asked` may still be answered yes."""
        if asked is None:
            return False
        return timedelta(0) <= self._clock() - asked <= CONFIRMATION_STANDS

    def on_new_turn(self, chat: ChatRef) -> None:
        """A command or a tap: an unanswered question is dropped (the tap may answer it)."""
        self._asked.pop(chat.chat_id, None)

    async def on_action(self, chat: ChatRef, rest: str) -> list[Reply]:
        """The confirmation buttons of /forget ("yes:<when asked>", "no"; ":fr": French)."""
        wording = FRENCH if rest.endswith(":fr") else ENGLISH
        answer, _, stamp = rest.removesuffix(":fr").partition(":")
        if answer != "yes":
            return [Reply(wording.kept, replace_previous=True)]
        if not self._stands(_asked_at(stamp)):
            return self._ask_again(chat, wording)
        return [replace(reply, replace_previous=True) for reply in await self._erase(chat, wording)]

    async def takes_answer(self, chat: ChatRef, text: str) -> bool:
        """Whether `text` answers this chat's open question (read whatever its language)."""
        plain = _plain_answer(text)
        if chat.chat_id not in self._asked:
            return plain in EXPLICIT_ANSWERS
        return plain in YES_ANSWERS | NO_ANSWERS

    async def on_text(self, chat: ChatRef, text: str) -> list[Reply] | None:
        """A typed answer to "are you sure?"; None when no question is open in the chat."""
        plain = _plain_answer(text)
        if chat.chat_id not in self._asked:
            if plain not in EXPLICIT_ANSWERS:
                return None
            return [Reply((FRENCH if plain in FRENCH_ANSWERS else ENGLISH).expired)]
        french = plain in FRENCH_ANSWERS or (
            plain not in YES_ANSWERS | NO_ANSWERS and chat.message_language == "fr"
        )
        wording = FRENCH if french else ENGLISH
        if plain in YES_ANSWERS:
            asked = self._asked.pop(chat.chat_id, None)
            if not self._stands(asked):
                return self._ask_again(chat, wording)
            return await self._erase(chat, wording)
        if plain in NO_ANSWERS:
            self._asked.pop(chat.chat_id, None)
            return [Reply(wording.kept)]
        return [self._ask(chat, wording, wording.not_an_answer)]

    async def _erase(self, chat: ChatRef, wording: _Wording) -> list[Reply]:
        notes = await self._registry.staff_notices(chat.chat_id)
        removed = await self._registry.erase(chat.chat_id)
        logger.info("forget: erased %d records for a chat", removed)
        plural = removed > 1 or (removed == 0 and wording.zero_is_plural)
        noun = wording.record[1] if plural else wording.record[0]
        return [Reply(wording.done.format(records=f"{removed} {noun}")), *notes]


def _question(wording: _Wording, text: str, asked: datetime, title: str | None = None) -> Reply:
    """ "Are you sure?" with its buttons; the yes button carries when it was asked."""
    suffix = ":fr" if wording is FRENCH else ""
    stamp = int(asked.timestamp())
    return Reply(
        text,
        (
            Button(wording.yes_button, f"{FORGET_PREFIX}:yes:{stamp}{suffix}"),
            Button(wording.no_button, f"{FORGET_PREFIX}:no{suffix}"),
        ),
        title=title,
    )


def _asked_at(stamp: str) -> datetime | None:
    """When a yes button's question was asked (None: a button from before buttons said)."""
    return datetime.fromtimestamp(int(stamp), UTC) if stamp.isdigit() else None


def register_privacy_commands(
    assistant: Assistant, registry: PersonalDataRegistry, clock: Clock | None = None
) -> None:
    """Register /mydata, /forget, its confirmation buttons and typed yes/no answers."""
    privacy = PrivacyCommands(registry, clock)
    assistant.add_command(
        CommandSpec(
            "mydata",
            "See what I hold about you",
            privacy.on_mydata,
            translations={"fr": "Voir ce que je garde à votre sujet"},
        )
    )
    assistant.add_command(
        CommandSpec(
            "forget",
            "Delete everything I hold about you",
            privacy.on_forget,
            translations={"fr": "Effacer tout ce que je garde à votre sujet"},
        )
    )
    assistant.add_action(FORGET_PREFIX, privacy.on_action)
    assistant.add_action(MY_DATA_ACTION, privacy.on_mydata_button)
    assistant.add_text_route(PRIVACY_ROUTE, privacy.on_text)
    assistant.add_answer_check(privacy.takes_answer)
    assistant.add_turn_listener(privacy.on_new_turn)
