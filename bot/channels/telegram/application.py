"""Building and running the PTB Application for a Runtime (long polling).

One polling instance, updates handled one at a time (the core keeps per-chat state),
HTML parse mode by default, and the clinic's time zone for the JobQueue.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, TypeAlias

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    Defaults,
    ExtBot,
    JobQueue,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.channels.telegram.handlers import TelegramHandlers
from bot.channels.telegram.outbound import TelegramOutbound
from bot.config import Settings
from bot.core.assistant import CommandSpec
from bot.core.features import PeriodicJob
from bot.logging_setup import describe_exception
from bot.runtime import Runtime, build_runtime

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

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
MAX_COMMAND_DESCRIPTION = 256  # Bot API limit for BotCommand.description
# The `channel` entry of bot_data holds the TelegramChannel of this Application.
CHANNEL_KEY = "channel"
JOB_ID_PREFIX = "periodic:"
JOB_KWARGS = {"misfire_grace_time": None, "coalesce": True, "max_instances": 1}
NON_TEXT = filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL


class TelegramChannel:
    """The Runtime as seen from Telegram: handlers, outbound sender, start-up work."""

    def __init__(self, runtime: Runtime, outbound: TelegramOutbound) -> None:
        self.runtime = runtime
        self.outbound = outbound
        self.handlers = TelegramHandlers(
            runtime.assistant, runtime.settings.staff_chat_ids, outbound
        )


def bot_commands(specs: Sequence[CommandSpec]) -> list[BotCommand]:
    """Menu entries for command specs (descriptions cut to Telegram's limit)."""
    return [
        BotCommand(spec.name, spec.description[:MAX_COMMAND_DESCRIPTION] or spec.name)
        for spec in specs
    ]


async def set_command_menus(application: TelegramApplication, runtime: Runtime) -> None:
    """Patient commands for private chats, staff (and patient) commands in each staff chat."""
    assistant = runtime.assistant
    patient = bot_commands(assistant.commands(staff=False))
    staff = bot_commands(assistant.commands(staff=True)) + patient
    try:
        await application.bot.set_my_commands(patient, scope=BotCommandScopeAllPrivateChats())
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
    application.add_handler(MessageHandler(filters.COMMAND, handlers.on_command))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, handlers.on_text))
    application.add_handler(MessageHandler(NON_TEXT, handlers.on_non_text))
    application.add_handler(CallbackQueryHandler(handlers.on_callback))
    application.add_handler(
        ChatMemberHandler(handlers.on_membership, ChatMemberHandler.MY_CHAT_MEMBER)
    )
    application.add_error_handler(handlers.on_error)


def build_application(
    runtime: Runtime,
    request: BaseRequest | None = None,
    *,
    with_post_init: bool = True,
    rate_limited: bool = True,
) -> TelegramApplication:
    """The PTB Application serving `runtime` (`request`: a transport for tests).

    `rate_limited=False` drops Telegram's flood limits (AIORateLimiter), for benchmarks
    that measure the bot's own cost.
    """
    settings = runtime.settings
    if not settings.telegram_bot_token:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.clinic_timezone))
        .concurrent_updates(False)
    )
    if rate_limited:
        # Builder methods configure the builder in place; the returned (retyped) builder
        # is not kept so that one variable serves both cases.
        builder.rate_limiter(AIORateLimiter())
    if settings.telegram_api_base_url:
        builder = builder.base_url(settings.telegram_api_base_url)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    if with_post_init:
        builder = builder.post_init(_post_init)
    application = builder.build()
    outbound = TelegramOutbound(application.bot, settings.staff_chat_ids)
    channel = TelegramChannel(runtime, outbound)
    application.bot_data[CHANNEL_KEY] = channel
    add_handlers(application, channel.handlers)
    return application


def channel_of(application: TelegramApplication) -> TelegramChannel:
    """The TelegramChannel a built Application serves."""
    channel: TelegramChannel = application.bot_data[CHANNEL_KEY]
    return channel


def run_polling(runtime: Runtime) -> None:
    """Serve Telegram by long polling until SIGINT/SIGTERM; pending updates are kept."""
    application = build_application(runtime)
    application.run_polling(
        allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False, close_loop=False
    )


def serve(settings: Settings) -> None:
    """Build the runtime and poll Telegram on one event loop, then release the database."""
    # One loop for everything: the database engine must live on the loop that polls.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        runtime = loop.run_until_complete(build_runtime(settings))
        try:
            run_polling(runtime)
        finally:
            loop.run_until_complete(runtime.close())
    finally:
        asyncio.set_event_loop(None)
        loop.close()


async def run_post_init(application: TelegramApplication) -> None:
    """Run what `run_polling` runs at start (menus, start-up work, jobs): for tests."""
    await _post_init(application)
