"""The FAQ as a conversation: answers, "did you mean…", honest fallbacks, topics, a person.

Channel-independent: everything here speaks in core `Reply`/`Button` objects.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, TypeVar

from bot.content.model import FaqEntry
from bot.core.assistant import Assistant, ChatRef, CommandSpec, message_language
from bot.core.replies import Button, Reply
from bot.core.staff_notes import StaffNotes
from bot.faq.encoder_tuning import choose_faq_encoder
from bot.faq.french import FRENCH, FrenchIndex
from bot.faq.french_replies import FrenchReplies
from bot.faq.matcher import Candidate, FaqMatcher
from bot.faq.reading import FaqReading, MessageReader, SmallTalkKind, small_talk_kind
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

ACTION_PREFIX = "faq"
MAX_BUTTON_LABEL = 60
PENDING_QUESTIONS_KEPT = 500  # chats whose last unclear question we remember for "none of these"

Clock = Callable[[], datetime]


def _label(text: str) -> str:
    """A button label short enough for every channel."""
    return text if len(text) <= MAX_BUTTON_LABEL else text[: MAX_BUTTON_LABEL - 1] + "…"


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
        # The French wordings and replies, when the clinic has faq_fr.yaml: a message the
        # safety stage read as French is matched and answered in French.
        self._french = french
        self._fr = (
            FrenchReplies(french.faq, clinic, safety, assistant) if french is not None else None
        )
        self._staff_notes = staff_notes or StaffNotes()
        self._clinic = clinic
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
        self._pending: OrderedDict[int, str] = OrderedDict()

    # --- replies ------------------------------------------------------------------

    def answer_reply(self, entry: FaqEntry) -> Reply:
        """The answer to one entry, with its follow-up questions as buttons."""
        buttons = [
            Button(_label(follow.question), f"{ACTION_PREFIX}:a:{follow.id}")
            for follow_id in entry.follow_ups
            if (follow := self._faq.get(follow_id)) is not None
        ]
        buttons.append(Button("Talk to a person", f"{ACTION_PREFIX}:human"))
        text = entry.answer
        if entry.reviewed is not None:
            text += f"\n\n(Checked by {entry.reviewed.by}, {entry.reviewed.on.isoformat()}.)"
        return Reply(text=text, title=entry.question, buttons=tuple(buttons))

    def _related_note(self, name: str) -> Reply:
        """Says that a question about a related treatment ("acupuncture") is answered for
        the treatment this clinic offers, with the comparison entry one tap away."""
        comparison = next((e for e in self._faq.entries if name in e.question.casefold()), None)
        buttons = (
            (Button(_label(comparison.question), f"{ACTION_PREFIX}:a:{comparison.id}"),)
            if comparison is not None
            else ()
        )
        return Reply(
            text=f"You asked about {name}. The needling we offer is IMS (a form of dry "
            f"needling), so the answer below is about IMS; {name} uses similar needles "
            "in a different way.",
            buttons=buttons,
        )

    def _suggest_reply(
        self, faq_ids: Sequence[str], text: str = "I'm not quite sure what you mean. Did you mean:"
    ) -> Reply:
        buttons = [
            Button(_label(entry.question), f"{ACTION_PREFIX}:a:{entry.id}")
            for faq_id in faq_ids
            if (entry := self._faq.get(faq_id)) is not None
        ]
        buttons.append(Button("None of these", f"{ACTION_PREFIX}:none"))
        # No silent miss here either: an emergency the screen missed may reach a suggestion.
        return Reply(text=f"{text}\n\n{self._safety.fallback_line()}", buttons=tuple(buttons))

    def _small_talk_reply(self, kind: SmallTalkKind | None) -> Reply:
        """A short, friendly reply to small talk, with the main menu."""
        texts: dict[SmallTalkKind | None, str] = {
            "greeting": f"Hello! I'm the {self._clinic.name} assistant. Ask me a question "
            "about IMS or your visit, or pick an option below.",
            "thanks": "You're welcome! Is there anything else you'd like to know?",
            "goodbye": "Take care! Message me any time if you have another question.",
            "rudeness": "Sorry I haven't been much help. Try asking in a few words, pick "
            "a topic, or talk to a person at the clinic.",
        }
        text = texts.get(
            kind, "Okay! Anything else I can help with? Ask a question or pick an option below."
        )
        return Reply(text=text, buttons=self._assistant.menu_buttons())

    def _unanswered_part_reply(self, part: str) -> Reply:
        """An honest word about the part of a two-part message the FAQ does not answer."""
        clinic = self._clinic
        return Reply(
            text=f'I can\'t answer the other part of your message ("{_label(part)}"), '
            "so I've passed it on to the clinic team. You can also call "
            f"{clinic.phone} or e-mail {clinic.email}.\n\n{self._safety.fallback_line()}",
            buttons=(Button("Talk to a person", f"{ACTION_PREFIX}:human"),),
        )

    def _fallback_reply(self, *, out_of_scope: bool = False) -> Reply:
        """The honest "I don't know", or for a topic the clinic does not answer in this chat,
        an honest "not here"; both name the clinic's contact and the emergency number."""
        clinic = self._clinic
        if out_of_scope:
            body = (
                "That's not something I can answer here: this chat only covers IMS and your "
                f"visits to {clinic.name}. The team can help with it: call {clinic.phone} or "
                f"e-mail {clinic.email}."
            )
        else:
            body = (
                "Sorry, I don't know the answer to that one, and I'd rather not guess. "
                "I've passed the question on to the clinic team so they can add an answer.\n\n"
                f"You can reach {clinic.name} by phone at {clinic.phone} or by e-mail at "
                f"{clinic.email}. You can also browse the topics I do know about."
            )
        # No silent miss: a missed emergency still reads the emergency number.
        return Reply(
            text=f"{body}\n\n{self._safety.fallback_line()}",
            buttons=(
                Button("Browse topics", f"{ACTION_PREFIX}:cats"),
                Button("Talk to a person", f"{ACTION_PREFIX}:human"),
            ),
        )

    def _categories_reply(self) -> Reply:
        buttons = tuple(
            Button(_label(category), f"{ACTION_PREFIX}:c:{index}")
            for index, category in enumerate(self._faq.categories)
        )
        return Reply(text="Pick a topic:", buttons=buttons)

    def _category_reply(self, index: int) -> Reply:
        categories = self._faq.categories
        if not 0 <= index < len(categories):
            return self._categories_reply()
        category = categories[index]
        buttons = [
            Button(_label(entry.question), f"{ACTION_PREFIX}:a:{entry.id}")
            for entry in self._faq.entries
            if entry.category == category
        ]
        buttons.append(Button("« All topics", f"{ACTION_PREFIX}:cats"))
        return Reply(text=f"{category}: pick a question.", buttons=tuple(buttons))

    async def _human_replies(self, chat: ChatRef) -> list[Reply]:
        clinic = self._clinic
        text = (
            f"You can reach the {clinic.name} team by phone at {clinic.phone} or by e-mail at "
            f"{clinic.email}.\n\n{clinic.render_locations()}"
        )
        replies = [Reply(text=text, title="Talk to a person")]
        replies.append(await self._staff_notes.contact_request(chat.chat_id, chat.first_name))
        return replies

    # --- routes -------------------------------------------------------------------

    async def answer(
        self, chat: ChatRef, text: str, *, keep_unanswered: bool = False
    ) -> list[Reply]:
        """Answer a free-text question: an answer, suggestions, or an honest fallback.

        Only questions asked outside any open conversation are kept as unanswered
        (`keep_unanswered`): a side question in the middle of an intake may be part of
        the patient's health story, which belongs in the encrypted intake, not the list.
        """
        if not any(character.isalpha() for character in text) and small_talk_kind(text) is None:
            # No silent miss: "🆘" or "😭" alone lands here, so the emergency number is named.
            return [
                Reply(
                    "I didn't catch a question there. Type it in words, or pick a topic.\n\n"
                    f"{self._safety.fallback_line()}",
                    buttons=(Button("Browse topics", f"{ACTION_PREFIX}:cats"),),
                )
            ]
        if self._french is not None and message_language() == FRENCH:
            return await self._answer_french(chat, text, keep_unanswered=keep_unanswered)
        # Typed text reaches here only after the core's emergency screen, so only the
        # matcher runs (screening twice cost a fifth of the time per message).
        decision = await self._run_matcher(partial(self._reader.read_question, text))
        logger.info("faq decision=%s answers=%d", decision.kind, len(decision.answers))
        if decision.kind == "small_talk":
            return [self._small_talk_reply(decision.small_talk)]
        urgent = await self._record(chat, text, decision, keep_unanswered)
        entries = [entry for faq_id in decision.answers if (entry := self._faq.get(faq_id))]
        if entries:
            replies = [self.answer_reply(entry) for entry in entries]
            if decision.read_as is not None:
                replies.insert(0, self._related_note(decision.read_as))
            if decision.unanswered_part is not None:
                replies.append(self._unanswered_part_reply(decision.unanswered_part))
            elif decision.suggestions:
                replies.append(
                    self._suggest_reply(
                        [c.faq_id for c in decision.suggestions],
                        "About the other part of your message, did you mean:",
                    )
                )
            return replies
        if decision.kind == "suggest" and decision.suggestions:
            return [self._suggest_reply([c.faq_id for c in decision.suggestions])]
        return urgent or [self._fallback_reply(out_of_scope=decision.out_of_scope is not None)]

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
        return self._safety.urgent_instead_of_fallback(text, chat.chat_id)

    async def _answer_french(
        self, chat: ChatRef, text: str, *, keep_unanswered: bool
    ) -> list[Reply]:
        """`answer` for a message the safety stage read as French, from the French wordings."""
        assert self._french is not None and self._fr is not None
        french = self._french
        # Built on the first French message, off the event loop (about a second).
        index = french.get() if french.ready else await asyncio.to_thread(french.get)
        reading: FaqReading = index.read(text)
        logger.info("faq decision=%s answers=%d language=fr", reading.kind, len(reading.answers))
        replies = self._fr.replies(reading)
        if reading.kind == "small_talk":
            return replies
        urgent = await self._record(chat, text, reading, keep_unanswered)
        return urgent or replies

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
        return [self.answer_reply(entry) for entry in entries]

    async def claim_text(self, chat: ChatRef, text: str) -> list[Reply] | None:
        """Text route: the FAQ answers whatever no open conversation claimed."""
        return await self.answer(chat, text, keep_unanswered=True)

    # --- personal data ------------------------------------------------------------

    async def describe_chat(self, chat_id: int) -> list[str]:
        """/mydata lines: questions of this chat kept for the clinic."""
        count = await self._unanswered.count_for_chat(chat_id)
        pending = 1 if chat_id in self._pending else 0
        lines = []
        if count:
            lines.append(f"{count} question(s) I could not answer, kept for the clinic to review")
        if pending:
            lines.append("your last question, while you choose among my suggestions")
        return lines

    async def erase_chat(self, chat_id: int) -> int:
        """/forget: this chat's unanswered questions and the question awaiting a choice."""
        pending = 1 if self._pending.pop(chat_id, None) is not None else 0
        return pending + await self._unanswered.erase_chat(chat_id)

    async def on_action(self, chat: ChatRef, rest: str) -> list[Reply]:
        """Handle `faq:*` buttons (`faq:*:fr`: a button of a French reply)."""
        if self._fr is not None and rest.endswith(":" + FRENCH):
            return await self._on_french_action(chat, rest.removesuffix(":" + FRENCH))
        kind, _, arg = rest.partition(":")
        if kind == "a":
            entry = self._faq.get(arg)
            if entry is not None:
                self._pending.pop(chat.chat_id, None)
                return [self.answer_reply(entry)]
            return [Reply("That question is no longer in my list."), self._categories_reply()]
        if kind == "none":
            pending = self._pending.pop(chat.chat_id, None)
            if pending is not None:
                await self._keep_unanswered(chat.chat_id, pending)
            return [self._fallback_reply()]
        if kind == "cats":
            return [self._categories_reply()]
        if kind == "c" and arg.isdigit():
            return [self._category_reply(int(arg))]
        if kind == "human":
            return await self._human_replies(chat)
        return [self._assistant.unknown_action_reply]

    async def _on_french_action(self, chat: ChatRef, rest: str) -> list[Reply]:
        """The buttons of French replies, answered in French."""
        assert self._fr is not None
        kind, _, arg = rest.partition(":")
        if kind == "a":
            self._pending.pop(chat.chat_id, None)
            return self._fr.entry(arg)
        if kind == "none":
            pending = self._pending.pop(chat.chat_id, None)
            if pending is not None:
                await self._keep_unanswered(chat.chat_id, pending)
            return [self._fr.fallback()]
        if kind == "cats":
            return [self._fr.categories()]
        if kind == "c" and arg.isdigit():
            return [self._fr.category(int(arg))]
        if kind == "human":
            return [
                self._fr.human(),
                await self._staff_notes.contact_request(chat.chat_id, chat.first_name),
            ]
        return [self._assistant.unknown_action_reply]

    async def on_faq_command(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Answer /faq: the topics, or the answer to `/faq <question>`."""
        if args:
            question = " ".join(args)
            verdict = await self._assistant.screen(chat, question)
            if verdict is not None and verdict.level == "notice" and verdict.features_answer:
                return [*verdict.replies, *await self.answer_below_notice(chat, question)]
            if verdict is not None and verdict.stops:
                return list(verdict.replies)
            after = list(verdict.after) if verdict is not None else []
            return [*await self.answer(chat, question, keep_unanswered=True), *after]
        return [self._categories_reply()]

    async def on_contact_command(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Answer /contact: how to reach a person."""
        return await self._human_replies(chat)

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
        self._pending[chat_id] = text
        self._pending.move_to_end(chat_id)
        while len(self._pending) > PENDING_QUESTIONS_KEPT:
            self._pending.popitem(last=False)


def register_faq(
    host: FeatureHost,
    settings: Settings,
    content: ClinicContent,
    database: Database,
    *,
    staff_notes: StaffNotes | None = None,
) -> FaqConversation:
    """Build the FAQ conversation and register its routes on the host's assistant."""
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
        safety=SafetyReplies(
            content.emergency, content.clinic.phone, content.clinic.emergency_number
        ),
        unanswered=UnansweredLog(database, timedelta(days=settings.unanswered_retention_days)),
        assistant=host.assistant,
        staff_notes=staff_notes,
        french=french,
    )
    assistant = host.assistant
    assistant.add_text_route("faq", conversation.claim_text)
    assistant.add_notice_answerer(conversation.answer_below_notice)
    assistant.add_action(ACTION_PREFIX, conversation.on_action)
    assistant.add_command(
        CommandSpec("faq", "Browse common questions by topic", conversation.on_faq_command)
    )
    assistant.add_command(
        CommandSpec(
            "contact", "How to reach a person at the clinic", conversation.on_contact_command
        )
    )
    assistant.add_menu_button(Button("Browse common questions", f"{ACTION_PREFIX}:cats"))
    assistant.add_menu_button(Button("Talk to a person", f"{ACTION_PREFIX}:human"))
    host.personal_data.register(
        "Unanswered questions", conversation.describe_chat, conversation.erase_chat
    )
    return conversation
