"""Small PTB handlers: turn an update into one Assistant call and show the replies.

Nothing here logs what a patient wrote: log lines carry chat ids, update ids and
tracebacks whose messages are withheld unless they cannot quote a patient.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from telegram import Chat, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.channels.telegram.outbound import TelegramOutbound
from bot.channels.telegram.rendering import TelegramMessage, render_reply
from bot.core.assistant import Assistant, ChatRef
from bot.core.outbound import DeliveryError, DeliveryKind, DeliveryRejected
from bot.core.replies import Reply
from bot.logging_setup import describe_exception

logger = logging.getLogger(__name__)

COMMAND_PREFIX = "/"
BOT_NAME_SEPARATOR = "@"


def parse_command(text: str) -> tuple[str, str | None, list[str]]:
    """`/Name@bot a b` -> ("name", "bot", ["a", "b"]); the same split PTB uses for args."""
    head, *args = text.split()
    name, _, addressee = head.removeprefix(COMMAND_PREFIX).partition(BOT_NAME_SEPARATOR)
    return name.lower(), addressee or None, args


def _from_this_bot(message: Message, context: ContextTypes.DEFAULT_TYPE) -> bool:
    sender = message.from_user
    return sender is not None and sender.id == context.bot.id


# What a non-text message is, in words staff read ("The patient sent a photo").
_NON_TEXT_KINDS = (
    ("photo", "photo"),
    ("voice", "voice message"),
    ("video_note", "video message"),
    ("video", "video"),
    ("audio", "audio file"),
    ("sticker", "sticker"),
    ("animation", "animation"),
    ("document", "file"),
    ("location", "location"),
    ("contact", "contact card"),
)


def _kind_of(message: Message) -> str:
    """The kind of a non-text message, in words."""
    return next((words for field, words in _NON_TEXT_KINDS if getattr(message, field)), "file")


class TelegramHandlers:
    """The channel's handlers, bound to one Assistant, the staff chats and an outbound."""

    def __init__(
        self, assistant: Assistant, staff_chat_ids: frozenset[int], outbound: TelegramOutbound
    ) -> None:
        self._assistant = assistant
        self._staff_chat_ids = staff_chat_ids
        self._outbound = outbound

    # --- who is talking -------------------------------------------------------------

    def chat_ref(
        self, chat: Chat | None, first_name: str | None, language_code: str | None = None
    ) -> ChatRef | None:
        """The core's view of a chat, or None for chats the bot ignores (other groups)."""
        if chat is None:
            return None
        is_staff = chat.id in self._staff_chat_ids
        if chat.type == ChatType.PRIVATE:
            return ChatRef(chat.id, is_staff, True, first_name, language_code)
        if is_staff:
            return ChatRef(chat.id, True, False, first_name, language_code)
        return None

    def _message_chat(self, update: Update) -> ChatRef | None:
        user = update.effective_user
        return self.chat_ref(
            update.effective_chat,
            user.first_name if user else None,
            user.language_code if user else None,
        )

    # --- handlers -------------------------------------------------------------------

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A slash command (with its arguments, e.g. the `/start` payload)."""
        message = update.effective_message
        chat = self._message_chat(update)
        if chat is None or message is None or not message.text:
            return
        name, addressee, args = parse_command(message.text)
        if addressee and addressee.lower() != (context.bot.username or "").lower():
            return  # a command meant for another bot in the same group
        replies = await self._assistant.handle_command(chat, name, args)
        await self.deliver(context, chat, replies)

    async def on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Typed text that is not a command."""
        message = update.effective_message
        chat = self._message_chat(update)
        if chat is None or message is None or not message.text:
            return
        replied = message.reply_to_message
        if chat.is_staff and replied is not None and _from_this_bot(replied, context):
            # A staff chat's reply to the bot's note (e.g. an alert): the core decides
            # whether it is meant for the patient.
            note = replied.text or replied.caption or ""
            replies = await self._assistant.handle_staff_reply(chat, note, message.text)
        else:
            replies = await self._assistant.handle_text(chat, message.text, message.message_id)
        await self.deliver(context, chat, replies)

    async def on_edited_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A patient edited a text, or a photo's caption, they had sent: the core answers
        only a danger it adds."""
        message = update.edited_message
        chat = self._message_chat(update)
        text = (message.text or message.caption) if message is not None else None
        if chat is None or message is None or not text:
            return
        replies = await self._assistant.handle_edited_text(chat, text, message.message_id)
        await self.deliver(context, chat, replies)

    async def on_non_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Photos, stickers, voice notes and the like: the core reads the caption and says
        that only text works."""
        chat = self._message_chat(update)
        message = update.effective_message
        if chat is None or message is None:
            return
        replies = await self._assistant.handle_non_text(
            chat, message.caption, message.message_id, kind=_kind_of(message)
        )
        await self.deliver(context, chat, replies)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button tap: always answered (stops the spinner), then routed as an action."""
        query = update.callback_query
        if query is None:
            return
        try:
            await query.answer()
        except TelegramError as error:  # too old to answer; the tap itself still counts
            logger.info("could not answer callback query: %s", type(error).__name__)
        tapped = query.message if isinstance(query.message, Message) else None
        chat_obj = tapped.chat if tapped is not None else None
        if chat_obj is None and query.from_user is not None:
            # Inaccessible (very old) message: the tap came from the user's private chat.
            chat_obj = Chat(query.from_user.id, ChatType.PRIVATE)
        user = query.from_user
        chat = self.chat_ref(
            chat_obj,
            user.first_name if user else None,
            user.language_code if user else None,
        )
        if chat is None or not query.data:
            return
        replies = await self._assistant.handle_action(chat, query.data)
        tapped_id = tapped.message_id if tapped is not None else None
        await self.deliver(context, chat, replies, tapped_message_id=tapped_id)

    async def on_membership(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The bot was added, removed or blocked somewhere: note it, without personal data;
        a patient who unblocks the bot is reachable again."""
        change = update.my_chat_member
        if change is None:
            return
        logger.info(
            "bot membership in a %s chat is now %s",
            change.chat.type,
            change.new_chat_member.status,
        )
        if (
            change.chat.type == ChatType.PRIVATE
            and change.old_chat_member.status == ChatMemberStatus.BANNED
            and change.new_chat_member.status == ChatMemberStatus.MEMBER
        ):
            await self._assistant.chat_unblocked(change.chat.id)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the update id and the traceback (never the update), and apologise if possible."""
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        if update is None and isinstance(error, NetworkError):
            # Polling could not reach Telegram; PTB retries with its own backoff.
            logger.warning("polling: Telegram unreachable (%s)", type(error).__name__)
            return
        details = describe_exception(error) if error is not None else "no exception given"
        logger.error("error while handling update %s:\n%s", update_id, details)
        if not isinstance(update, Update):
            return
        chat = self._message_chat(update)
        if chat is None:
            return
        try:
            await self.deliver(context, chat, [self._assistant.went_wrong_reply(chat)])
        except TelegramError as error:
            logger.error("could not send the apology: %s", type(error).__name__)

    # --- showing replies ------------------------------------------------------------

    async def deliver(
        self,
        context: ContextTypes.DEFAULT_TYPE,
        chat: ChatRef,
        replies: Sequence[Reply],
        tapped_message_id: int | None = None,
    ) -> None:
        """Show replies in `chat` (staff replies are queued for the staff chats instead).

        Each message is paced and retried per the delivery contract; a message that
        still fails is logged (chat id and error type) and the rest are still tried.
        """
        for reply in replies:
            if reply.for_staff:
                await self._outbound.send_to_staff(reply)
                continue
            kind = DeliveryKind.EMERGENCY if reply.urgent else DeliveryKind.REPLY
            messages = render_reply(reply)
            try:
                if reply.replace_previous and messages and tapped_message_id is not None:
                    edited = await self._edit(chat.chat_id, tapped_message_id, messages[0], kind)
                    messages = messages[1:] if edited else messages
                for message in messages:
                    await self._outbound.send_message(chat.chat_id, message, kind)
            except DeliveryError as error:
                logger.error(
                    "reply to chat %s not delivered: %s", chat.chat_id, type(error).__name__
                )

    async def _edit(
        self, chat_id: int, message_id: int, message: TelegramMessage, kind: DeliveryKind
    ) -> bool:
        """Replace the tapped message; False when Telegram refuses (then a new one is sent)."""
        try:
            await self._outbound.edit_message(
                chat_id, message_id, message.html, message.keyboard, kind
            )
        except DeliveryRejected:
            # "message is not modified", "message to edit not found", too old to edit...
            logger.info("edit refused, sending a new message instead")
            return False
        return True
