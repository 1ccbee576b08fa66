"""Building and running the PTB Application for a Runtime (long polling).

One polling instance; updates of different chats are handled concurrently and each
chat's updates in the order they came (`ChatOrderedUpdateProcessor`); an update that
cannot be parsed is logged by id and skipped (`PoisonSafeBot`); every outgoing message
goes through the one pacing layer (`PriorityPacer`). HTML parse mode by default, and
the clinic's time zone for the JobQueue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias, cast

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    ExtBot,
    JobQueue,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.channels.telegram.handlers import TelegramHandlers
from bot.channels.telegram.outbound import TelegramOutbound, api_base_url, bot_defaults
from bot.channels.telegram.pacing import PriorityPacer
from bot.config import Settings
from bot.core.assistant import CommandSpec
from bot.core.features import PeriodicJob
from bot.logging_setup import describe_exception

if TYPE_CHECKING:
    from bot.runtime import Runtime

logger = logging.getLogger(__name__)

# The Application this module builds: PTB's default context and data types; the bot's
# type parameter is the rate limiter's argument type, which depends on `rate_limited`.
TelegramApplication: TypeAlias = Application[
    ExtBot[Any],
    ContextTypes.DEFAULT_TYPE,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[ContextTypes.DEFAULT_TYPE],
]

ALLOWED_UPDATES = [
    Update.MESSAGE,
    Update.EDITED_MESSAGE,
    Update.CALLBACK_QUERY,
    Update.MY_CHAT_MEMBER,
]
MAX_COMMAND_DESCRIPTION = 256  # Bot API limit for BotCommand.description
# The `channel` entry of bot_data holds the TelegramChannel of this Application.
CHANNEL_KEY = "channel"
JOB_ID_PREFIX = "periodic:"
JOB_KWARGS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
# Edits are not new questions: only new messages are answered; an edit goes to the core
# only for the safety screen (a danger added by editing still gets its reply).
NEW_MESSAGES = filters.UpdateType.MESSAGE
EDITED_PRIVATE_TEXT = (
    filters.UpdateType.EDITED_MESSAGE
    & filters.ChatType.PRIVATE
    & (filters.TEXT | filters.CAPTION)
    & ~filters.COMMAND
)
NON_TEXT = NEW_MESSAGES & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL
MAX_CONCURRENT_UPDATES = 64  # chats handled at once; more wait their turn in order
REQUEST_POOL_SIZE = 64  # connections for sends (one per concurrent update, roughly)
UNBOUNDED = 1 << 30  # PTB's own semaphore: ours (after the chat lock) does the limiting
STARTUP_RETRY_INITIAL_S = 1.0
STARTUP_RETRY_MAX_S = 60.0


class ChatOrderedUpdateProcessor(BaseUpdateProcessor):
    """Different chats concurrently, one chat's updates in arrival order.

    The chat lock is taken before a concurrency slot, so a chat with a long backlog
    waits on its own lock and never fills the slots other chats need.
    """

    def __init__(self, max_concurrent: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(UNBOUNDED)
        self._slots = asyncio.BoundedSemaphore(max_concurrent)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run `coroutine` after this chat's earlier updates, within the concurrency limit."""
        key = _chat_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock, self._slots:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _chat_key(update: object) -> int | None:
    """The chat an update belongs to (the user's id for a tap on an old message)."""
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return update.effective_chat.id
    return update.effective_user.id if update.effective_user is not None else None


class PoisonSafeBot(ExtBot[None]):
    """An ExtBot whose getUpdates survives an update it cannot parse.

    PTB parses a whole batch at once, so one malformed update would fail every poll
    and stall every chat. Each update is checked alone; one that does not parse is
    logged once (its id and the error type, never its content) and replaced by an
    empty update with the same id, so the offset moves past it.
    """

    _poisoned: set[int]

    async def _post(self, endpoint: str, *args: Any, **kwargs: Any) -> Any:
        result = await super()._post(endpoint, *args, **kwargs)
        if endpoint != "getUpdates" or not isinstance(result, list):
            return result
        return [self._checked(item) for item in result]

    def _checked(self, item: Any) -> Any:
        try:
            Update.de_json(item, self)
        except Exception as error:
            update_id = item.get("update_id") if isinstance(item, dict) else None
            poisoned = self.__dict__.setdefault("_poisoned", set())
            if update_id not in poisoned:
                poisoned.add(update_id)
                logger.error(
                    "skipped update %s: it could not be read (%s)",
                    update_id,
                    type(error).__name__,
                )
            return {"update_id": update_id} if isinstance(update_id, int) else {"update_id": 0}
        return item


class TelegramChannel:
    """The Runtime as seen from Telegram: handlers, outbound sender, start-up work."""

    def __init__(self, runtime: Runtime, outbound: TelegramOutbound) -> None:
        self.runtime = runtime
        self.outbound = outbound
        self.handlers = TelegramHandlers(
            runtime.assistant, runtime.settings.staff_chat_ids, outbound
        )


def bot_commands(specs: Sequence[CommandSpec], language: str = "en") -> list[BotCommand]:
    """Menu entries for command specs in `language` (descriptions cut to Telegram's limit)."""
    entries = []
    for spec in specs:
        description = spec.description_in(language)[:MAX_COMMAND_DESCRIPTION]
        entries.append(BotCommand(spec.name, description or spec.name))
    return entries


async def set_command_menus(application: TelegramApplication, runtime: Runtime) -> None:
    """Patient commands for private chats (in each language they are written in, which
    Telegram shows to apps set to that language), staff (and patient) commands in each
    staff chat."""
    assistant = runtime.assistant
    patient_specs = assistant.commands(staff=False)
    patient = bot_commands(patient_specs)
    staff = bot_commands(assistant.commands(staff=True)) + patient
    languages = sorted({code for spec in patient_specs for code in spec.translations})
    try:
        await application.bot.set_my_commands(patient, scope=BotCommandScopeAllPrivateChats())
        for language in languages:
            await application.bot.set_my_commands(
                bot_commands(patient_specs, language),
                scope=BotCommandScopeAllPrivateChats(),
                language_code=language,
            )
        for chat_id in sorted(runtime.settings.staff_chat_ids):
            await application.bot.set_my_commands(staff, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:
        # The menu is a convenience; the bot answers commands without it.
        logger.warning("could not set the command menu: %s", type(error).__name__)


async def _run_periodic(context: ContextTypes.DEFAULT_TYPE) -> None:
    """JobQueue callback: run one PeriodicJob with the channel's outbound sender."""
    job = context.job
    channel = context.application.bot_data[CHANNEL_KEY]
    if job is not None and isinstance(job.data, PeriodicJob):
        await job.data.run(channel.outbound)


def schedule_jobs(application: TelegramApplication, jobs: Sequence[PeriodicJob]) -> None:
    """Run every PeriodicJob on the JobQueue at once and then at its interval."""
    if application.job_queue is None:
        raise RuntimeError("the JobQueue is missing; install python-telegram-bot[job-queue]")
    for job in jobs:
        application.job_queue.run_repeating(
            _run_periodic,
            interval=job.interval,
            first=0,
            name=job.name,
            data=job,
            job_kwargs={"id": JOB_ID_PREFIX + job.name, **JOB_KWARGS},
        )


async def _post_init(application: TelegramApplication) -> None:
    """Set the command menus, run start-up work, then start the periodic jobs."""
    channel: TelegramChannel = application.bot_data[CHANNEL_KEY]
    await set_command_menus(application, channel.runtime)
    for startup in channel.runtime.startup:
        try:
            await startup(channel.outbound)
        except Exception as error:  # one failing start-up task must not keep the bot down
            logger.error("start-up task failed:\n%s", describe_exception(error))
    schedule_jobs(application, channel.runtime.jobs)


def add_handlers(application: TelegramApplication, handlers: TelegramHandlers) -> None:
    """Register the channel's handlers in the order they must be tried."""
    application.add_handler(MessageHandler(NEW_MESSAGES & filters.COMMAND, handlers.on_command))
    application.add_handler(
        MessageHandler(NEW_MESSAGES & filters.TEXT & ~filters.COMMAND, handlers.on_text)
    )
    application.add_handler(MessageHandler(NON_TEXT, handlers.on_non_text))
    application.add_handler(MessageHandler(EDITED_PRIVATE_TEXT, handlers.on_edited_text))
    application.add_handler(CallbackQueryHandler(handlers.on_callback))
    application.add_handler(
        ChatMemberHandler(handlers.on_membership, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_error_handler(handlers.on_error)


def telegram_bot(settings: Settings, request: BaseRequest | None = None) -> PoisonSafeBot:
    """The bot object every request to Telegram goes through (`request`: a transport for
    tests)."""
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    return PoisonSafeBot(
        settings.telegram_bot_token,
        base_url=api_base_url(settings),
        request=request or HTTPXRequest(connection_pool_size=REQUEST_POOL_SIZE),
        get_updates_request=request or HTTPXRequest(),
        defaults=bot_defaults(settings),
    )


def build_application(
    runtime: Runtime,
    request: BaseRequest | None = None,
    *,
    with_post_init: bool = True,
    rate_limited: bool = True,
    bot: PoisonSafeBot | None = None,
) -> TelegramApplication:
    """The PTB Application serving `runtime` (`request`: a transport for tests) through
    `bot` (one `telegram_bot` made, by default).

    `rate_limited=False` switches the pacing layer off (no flood limits), for
    benchmarks that measure the bot's own cost; retries stay on.
    """
    settings = runtime.settings
    bot = bot or telegram_bot(settings, request)
    builder = ApplicationBuilder().bot(bot).concurrent_updates(ChatOrderedUpdateProcessor())
    if with_post_init:
        builder = builder.post_init(_post_init)
    builder = builder.post_shutdown(_post_shutdown)
    # The bot is our ExtBot subclass; the Application is used through the common alias.
    application = cast(TelegramApplication, builder.build())
    pacer = PriorityPacer(settings.delivery) if rate_limited else None
    outbound = TelegramOutbound(
        application.bot, settings.staff_chat_ids, settings.delivery, pacer=pacer
    )
    channel = TelegramChannel(runtime, outbound)
    application.bot_data[CHANNEL_KEY] = channel
    add_handlers(application, channel.handlers)
    return application


async def _post_shutdown(application: TelegramApplication) -> None:
    """Give queued staff notes a last chance, then stop the outbound's workers."""
    await channel_of(application).outbound.close()


def channel_of(application: TelegramApplication) -> TelegramChannel:
    """The TelegramChannel a built Application serves."""
    channel: TelegramChannel = application.bot_data[CHANNEL_KEY]
    return channel


class TelegramTokenRejected(Exception):
    """Telegram refused the token (401/404): it is wrong or was revoked."""


async def connect_to_telegram(
    bot: ExtBot[Any],
    *,
    initial_wait: float = STARTUP_RETRY_INITIAL_S,
    max_wait: float = STARTUP_RETRY_MAX_S,
) -> None:
    """Initialise the bot (getMe), retrying with backoff while Telegram is unreachable."""
    wait = initial_wait
    while True:
        try:
            await bot.initialize()
            return
        except InvalidToken:
            raise TelegramTokenRejected(
                "TELEGRAM_BOT_TOKEN: rejected by Telegram (401); copy it again from "
                "@BotFather, or unset it to use the console chat"
            ) from None
        except NetworkError as error:
            logger.warning(
                "Telegram is unreachable at start (%s); retrying in %.0f s",
                type(error).__name__,
                wait,
            )
        await asyncio.sleep(wait)
        wait = min(wait * 2, max_wait)


def run_polling(runtime: Runtime, bot: PoisonSafeBot) -> None:
    """Serve Telegram through `bot` (connected) by long polling until SIGINT/SIGTERM;
    pending updates are kept."""
    application = build_application(runtime, bot=bot)
    application.run_polling(
        allowed_updates=ALLOWED_UPDATES,
        drop_pending_updates=False,
        close_loop=False,
        bootstrap_retries=-1,  # a blip between getMe and polling is retried, not fatal
    )


def serve(settings: Settings) -> None:
    """Connect to Telegram, then build the runtime and poll on one event loop, then release
    the database."""
    # One loop for everything: the database engine must live on the loop that polls.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        # The token first: a wrong one is reported before the runtime (its modules
        # included) takes seconds to build.
        bot = telegram_bot(settings)
        loop.run_until_complete(connect_to_telegram(bot))
        from bot.runtime import build_runtime

        runtime = loop.run_until_complete(build_runtime(settings))
        try:
            run_polling(runtime, bot)
        finally:
            loop.run_until_complete(runtime.close())
    finally:
        asyncio.set_event_loop(None)
        loop.close()


async def run_post_init(application: TelegramApplication) -> None:
    """Run what `run_polling` runs at start (menus, start-up work, jobs): for tests."""
    await _post_init(application)
