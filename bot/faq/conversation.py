"""The FAQ as a conversation: answers, "did you mean…", honest fallbacks, topics, a person.

Channel-independent: everything here speaks in core `Reply`/`Button` objects.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from bot.content.model import FaqEntry
from bot.core.assistant import Assistant, ChatRef, CommandSpec
from bot.core.recent import RecentMemory
from bot.core.replies import Button, Reply
from bot.core.small_talk import small_talk_kind
from bot.core.staff_notes import StaffNotes
from bot.faq.encoder_tuning import choose_faq_encoder
from bot.faq.french import FRENCH, FrenchIndex
from bot.faq.matcher import Candidate, FaqMatcher
from bot.faq.reading import FaqReading, MessageReader
from bot.faq.replies import ACTION_PREFIX, ENGLISH_TEXTS, FRENCH_TEXTS, FaqReplies
from bot.faq.semantic import PhrasingVectorCache
from bot.faq.unanswered import UnansweredLog
from bot.safety.stage import SafetyReplies

if TYPE_CHECKING:
    from bot.clinic_content import ClinicContent
    from bot.config import Settings
    from bot.content.clinic import Clinic
    from bot.content.model import FaqContent
    from bot.core.features import FeatureHost
    from bot.storage.database import Database

logger = logging.getLogger(__name__)
_Result = TypeVar("_Result")

PENDING_QUESTIONS_KEPT = 500  # chats whose last unclear question we remember for "none of these"
# A second "talk to a person" this soon after one staff have not handled yet (a double tap,
# an impatient repeat) is answered again but does not alert staff again: the first request,
# recorded in the database, is still waiting for them.
CONTACT_REPEAT_WINDOW = timedelta(minutes=30)

Clock = Callable[[], datetime]


class FaqConversation:
    """Answers free text from the FAQ and handles the FAQ's buttons."""

    def __init__(
        self,
        faq: FaqContent,
        clinic: Clinic,
        matcher: FaqMatcher,
        safety: SafetyReplies,
        unanswered: UnansweredLog,
        assistant: Assistant,
        clock: Clock = lambda: datetime.now(UTC),
        staff_notes: StaffNotes | None = None,
        french: FrenchIndex | None = None,
    ) -> None:
        self._faq = faq
        # One composer per language: the English replies, and when the clinic has
        # faq_fr.yaml the French ones (a message the safety stage read as French is matched
        # against the French wordings and answered in French, with the clinic's French facts).
        menu, offers = assistant.menu_buttons, assistant.command_buttons
        self._en = FaqReplies(faq, clinic, safety, ENGLISH_TEXTS, menu, offers)
        self._french = french
        self._fr = (
            FaqReplies(french.faq, clinic.in_french(), safety, FRENCH_TEXTS, menu, offers)
            if french is not None
            else None
        )
        self._staff_notes = staff_notes or StaffNotes()
        self._matcher = matcher
        self._reader = MessageReader(matcher, faq=faq)
        # Below a notice, only what the lexical matcher alone is sure of: the English words
        # of a mostly unread message are too few for a second opinion.
        self._notice_reader = MessageReader(matcher.lexical_only(), faq=faq)
        self._safety = safety
        self._unanswered = unanswered
        self._assistant = assistant
        self._clock = clock
        # Last unclear question per chat, so "none of these" can record it. In memory
        # only: losing it on restart costs one log line, not a patient's answer.
        self._pending: RecentMemory[int, str] = RecentMemory(PENDING_QUESTIONS_KEPT)

    # --- replies ------------------------------------------------------------------

    def answer_reply(self, entry: FaqEntry) -> Reply:
        """The English answer to one entry, with its follow-up questions as buttons."""
        return self._en.answer(entry)

    def _replies_in(self, language: str | None) -> FaqReplies:
        """The replies in the message's language: French for French when the clinic has
        faq_fr.yaml, English otherwise."""
        return self._fr if language == FRENCH and self._fr is not None else self._en

    async def _human_replies(self, chat: ChatRef, replies: FaqReplies) -> list[Reply]:
        since = self._clock() - CONTACT_REPEAT_WINDOW
        if await self._staff_notes.contact_waiting(chat.chat_id, since):
            return [replies.human()]
        return [
            replies.human(),
            await self._staff_notes.contact_request(chat.chat_id, chat.first_name),
        ]

    # --- routes -------------------------------------------------------------------

    async def answer(
        self, chat: ChatRef, text: str, *, keep_unanswered: bool = False
    ) -> list[Reply]:
        """Answer a free-text question: an answer, suggestions, or an honest fallback.

        Only questions asked outside any open conversation are kept as unanswered
        (`keep_unanswered`): a side question in the middle of an intake may be part of
        the patient's health story, which belongs in the encrypted intake, not the list.
        """
        replies = self._replies_in(chat.message_language)
        if not any(character.isalpha() for character in text) and small_talk_kind(text) is None:
            # No silent miss: "🆘" or "😭" alone lands here, so the emergency number is named.
            return [replies.no_words()]
        reading = await self._read(text, replies)
        if chat.language_unclear and reading.kind == "fallback" and not reading.out_of_scope:
            # "IMS ?" in a French chat: answered in French, from whichever wordings read it
            # (the two FAQs share their entry ids).
            other = self._en if replies is self._fr else self._fr
            if other is not None and (second := await self._read(text, other)).kind != "fallback":
                reading = second
        logger.info(
            "faq decision=%s answers=%d language=%s",
            reading.kind,
            len(reading.answers),
            replies.language,
        )
        if reading.kind == "small_talk":
            return replies.replies(reading)
        urgent = await self._record(chat, text, reading, keep_unanswered)
        return urgent or replies.replies(reading, kept=keep_unanswered)

    async def _record(
        self, chat: ChatRef, text: str, reading: FaqReading, keep_unanswered: bool
    ) -> list[Reply] | None:
        """Keep what the clinic should see of a reading (English or French): an unanswered
        part, the question awaiting a choice of suggestion, or the unanswered question. For a
        fallback, the same-day advice that replaces "I don't know" when an urgent rule comes
        near the text (an urgent problem never gets the plain "I don't know")."""
        if reading.answers:
            if reading.unanswered_part is not None and keep_unanswered:
                await self._keep_unanswered(chat.chat_id, reading.unanswered_part)
            return None
        if reading.kind == "suggest" and reading.suggestions:
            if keep_unanswered:
                self._remember(chat.chat_id, text)
            return None
        if keep_unanswered:
            best = reading.suggestions[0] if reading.suggestions else None
            await self._keep_unanswered(chat.chat_id, text, best)
        found = self._safety.urgent_fallback(text, chat.chat_id)
        if found is None:
            return None
        replies, alert = found
        # The staff note recorded for the Alerts page, with the ways to reach the patient.
        note = await self._staff_notes.safety_alert(alert)
        return [note if reply.for_staff else reply for reply in replies]

    async def _read(self, text: str, replies: FaqReplies) -> FaqReading:
        """The reading of `text` against the wordings of `replies`' language."""
        if replies is self._fr:
            return await self._read_french(text)
        # Typed text reaches here only after the core's emergency screen, so only the
        # matcher runs (screening twice cost a fifth of the time per message).
        return await self._run_matcher(partial(self._reader.read_question, text))

    async def _read_french(self, text: str) -> FaqReading:
        """The reading of a message the safety stage read as French, from the French wordings."""
        assert self._french is not None
        french = self._french
        # Built on the first French message, off the event loop (about a second).
        index = french.get() if french.ready else await asyncio.to_thread(french.get)
        return index.read(text)

    async def _run_matcher(self, work: Callable[[], _Result]) -> _Result:
        """`work()`, which uses the matcher; matching by meaning runs in a worker thread."""
        if self._matcher.encoder_name is None:
            return work()
        # An embedding takes ~20 ms of CPU: on the event loop it would hold every other
        # chat (and reminder sends) that long. Lexical matching is too quick to be worth a
        # thread hop.
        return await asyncio.to_thread(work)

    async def answer_below_notice(self, chat: ChatRef, text: str) -> list[Reply]:
        """The answers to the English words of a mostly unread message, if the FAQ is sure."""
        decision = await self._run_matcher(partial(self._notice_reader.read_question, text))
        entries = [entry for faq_id in decision.answers if (entry := self._faq.get(faq_id))]
        return [self._en.answer(entry) for entry in entries]

    async def claim_text(self, chat: ChatRef, text: str) -> list[Reply] | None:
        """Text route: the FAQ answers whatever no open conversation claimed."""
        return await self.answer(chat, text, keep_unanswered=True)

    # --- personal data ------------------------------------------------------------

    async def describe_chat(self, chat_id: int, language: str = "en") -> list[str]:
        """/mydata lines: questions of this chat kept for the clinic, in `language`."""
        count = await self._unanswered.count_for_chat(chat_id)
        lines = []
        if language == FRENCH:
            if count == 1:
                lines.append(
                    "1 question à laquelle je n'ai pas su répondre, gardée pour la clinique"
                )
            elif count:
                lines.append(
                    f"{count} questions auxquelles je n'ai pas su répondre, gardées pour la "
                    "clinique"
                )
            if chat_id in self._pending:
                lines.append(
                    "votre dernière question, le temps que vous choisissiez parmi mes suggestions"
                )
            return lines
        if count:
            noun = "question" if count == 1 else "questions"
            lines.append(f"{count} {noun} I could not answer, kept for the clinic to review")
        if chat_id in self._pending:
            lines.append("your last question, while you choose among my suggestions")
        return lines

    async def erase_chat(self, chat_id: int) -> int:
        """/forget: this chat's unanswered questions and the question awaiting a choice."""
        pending = 1 if self._pending.pop(chat_id, None) is not None else 0
        return pending + await self._unanswered.erase_chat(chat_id)

    async def on_action(self, chat: ChatRef, rest: str) -> list[Reply]:
        """Handle `faq:*` buttons (`faq:*:fr`: a button of a French reply, answered in French)."""
        replies = self._en
        if self._fr is not None and rest.endswith(":" + FRENCH):
            replies, rest = self._fr, rest.removesuffix(":" + FRENCH)
        kind, _, arg = rest.partition(":")
        if kind == "a":
            self._pending.pop(chat.chat_id, None)
            return replies.entry(arg)
        if kind == "none":
            pending = self._pending.pop(chat.chat_id, None)
            if pending is not None:
                await self._keep_unanswered(chat.chat_id, pending)
            return [replies.fallback(kept=pending is not None)]
        if kind == "cats":
            return [replies.categories()]
        if kind == "c" and arg.isdigit():
            return [replies.category(int(arg))]
        if kind == "human":
            return await self._human_replies(chat, replies)
        return [self._assistant.unknown_action_reply(chat)]

    async def on_faq_command(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Answer /faq: the topics, or the answer to `/faq <question>`."""
        if args:
            question = " ".join(args)
            screening = await self._assistant.screen(chat, question)
            chat, verdict = screening.chat(chat), screening.verdict
            if verdict is not None and verdict.level == "notice" and verdict.features_answer:
                return [*verdict.replies, *await self.answer_below_notice(chat, question)]
            if verdict is not None and verdict.stops:
                return list(verdict.replies)
            after = list(verdict.after) if verdict is not None else []
            return [*await self.answer(chat, question, keep_unanswered=True), *after]
        return [self._replies_in(chat.reply_language).categories()]

    async def on_contact_command(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Answer /contact: how to reach a person, in French for an app set to French."""
        return await self._human_replies(chat, self._replies_in(chat.reply_language))

    async def _keep_unanswered(
        self, chat_id: int, text: str, best: Candidate | None = None
    ) -> None:
        """Add `text` to the clinic's list of unanswered questions, with the nearest entry."""
        await self._unanswered.record(
            text,
            best.faq_id if best else None,
            best.score if best else 0.0,
            self._clock(),
            chat_id=chat_id,
        )

    def _remember(self, chat_id: int, text: str) -> None:
        self._pending.remember(chat_id, text)


def register_faq(
    host: FeatureHost,
    settings: Settings,
    content: ClinicContent,
    database: Database,
    *,
    safety: SafetyReplies,
    staff_notes: StaffNotes | None = None,
) -> FaqConversation:
    """Build the FAQ conversation and register its routes on the host's assistant;
    `safety`: the safety stage's replies (the 911 line, the urgent reply for a present
    problem the FAQ cannot answer)."""
    matcher = FaqMatcher.from_content(
        content.faq,
        encoder=choose_faq_encoder(settings.semantic_matching, content.faq, settings.data_dir),
        vector_cache=PhrasingVectorCache(settings.data_dir),
    )
    logger.info("FAQ matching: %s", matcher.encoder_name or "lexical only")
    french = FrenchIndex(content.faq_fr, content.faq) if content.faq_fr is not None else None
    conversation = FaqConversation(
        faq=content.faq,
        clinic=content.clinic,
        matcher=matcher,
        safety=safety,
        unanswered=UnansweredLog.for_settings(database, settings),
        assistant=host.assistant,
        staff_notes=staff_notes,
        french=french,
    )
    assistant = host.assistant
    assistant.add_text_route("faq", conversation.claim_text)
    assistant.add_notice_answerer(conversation.answer_below_notice)
    assistant.add_action(ACTION_PREFIX, conversation.on_action)
    assistant.add_command(
        CommandSpec(
            "faq",
            "Browse common questions by topic",
            conversation.on_faq_command,
            screens_its_words=True,
            translations={FRENCH: "Parcourir les questions fréquentes par sujet"},
        )
    )
    assistant.add_command(
        CommandSpec(
            "contact",
            "How to reach a person at the clinic",
            conversation.on_contact_command,
            translations={FRENCH: "Comment joindre une personne à la clinique"},
        )
    )
    # In French, the FAQ's menu buttons answer in French (when the clinic has faq_fr.yaml).
    in_french = french is not None
    assistant.add_menu_button(
        Button("Browse common questions", f"{ACTION_PREFIX}:cats"),
        {FRENCH: Button("Parcourir les questions fréquentes", FRENCH_TEXTS.action("cats"))}
        if in_french
        else None,
    )
    assistant.add_menu_button(
        Button("Talk to a person", f"{ACTION_PREFIX}:human"),
        {FRENCH: Button("Parler à une personne", FRENCH_TEXTS.action("human"))}
        if in_french
        else None,
    )
    host.personal_data.register(
        "Unanswered questions",
        conversation.describe_chat,
        conversation.erase_chat,
        titles={FRENCH: "Questions sans réponse"},
        describe_in=conversation.describe_chat,
    )
    return conversation
