"""The composition root: settings + content + database -> an `Assistant` with features.

This is the one module that knows every feature. It loads the content once, opens the
database, builds each feature and hands it exactly what it needs; features never import
this module. Both channels (Telegram and the console) start from `build_runtime`, so
they always offer the same features on the same content.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from bot.clinic_content import ClinicContent, load_content
from bot.config import Settings
from bot.content.check_cache import ContentCheckCache
from bot.core.assistant import Assistant
from bot.core.features import FaqAnswerer, FeatureHost, PeriodicJob, StartupTask
from bot.core.menu import register_menu
from bot.core.privacy import PersonalDataRegistry, register_privacy_commands
from bot.faq.conversation import register_faq
from bot.intake.conversation import register_intake
from bot.reminders.feature import register_reminders
from bot.reminders.repository import AppointmentRepository
from bot.safety.stage import build_safety_stage
from bot.storage.database import Database
from bot.storage.encryption import load_cipher
from bot.storage.rekey import REKEY_HINT, count_unreadable
from bot.web.events import StaffEventLog, linked_appointments, staff_notes_from
from bot.web.server import register_console

logger = logging.getLogger(__name__)

# The order in which a typed text is offered to the features. The core's safety stage
# (bot/safety: emergency, urgent, other languages, risk questions) always runs first,
# before any of these; then each route in turn until one claims the text.
TEXT_ROUTE_ORDER: Final = (
    "privacy",  # only while /forget's "are you sure?" waits: the typed yes or no
    "handoff",  # after staff wrote to the chat: its messages go to staff for a while
    "intake",  # an open intake claims typed answers (it passes side questions to the FAQ)
    "faq",  # last: answers whatever nobody else claimed
)
# The routes that keep a message as it came (a form's answer): a patient who edits one is
# told it changed nothing there. (An edit during a handoff goes on to staff instead.)
EDIT_KEPT_ROUTES: Final = ("intake",)
# The main menu (/start, /help), top to bottom, by button action.
MENU_ORDER: Final = (
    "faq:cats",  # Browse common questions
    "intake:start",  # Fill in my intake form
    "faq:human",  # Talk to a person
)


@dataclass
class Runtime:
    """Everything a channel needs to serve patients."""

    settings: Settings
    content: ClinicContent
    database: Database
    host: FeatureHost
    # The FAQ feature, for callers that answer a question directly (benchmarks, tests).
    faq: FaqAnswerer | None = None

    @property
    def assistant(self) -> Assistant:
        """The core every channel talks to."""
        return self.host.assistant

    @property
    def personal_data(self) -> PersonalDataRegistry:
        """What each feature holds about a chat (for /mydata and /forget)."""
        return self.host.personal_data

    @property
    def jobs(self) -> list[PeriodicJob]:
        """Work the channel runs on a timer."""
        return self.host.jobs

    @property
    def startup(self) -> list[StartupTask]:
        """Work the channel runs once when it starts."""
        return self.host.startup

    async def close(self) -> None:
        """Run the features' shutdown work (newest first), then release the database."""
        for task in reversed(self.host.shutdown):
            await task()
        await self.database.close()


def load_checked_content(settings: Settings) -> ClinicContent:
    """Read every content file once, refusing (with every problem listed) when any fails.
    A restart on unchanged content and code reuses the example screen's result."""
    return load_content(settings.content_dir, ContentCheckCache(settings.data_dir))


def new_assistant() -> Assistant:
    """An empty assistant that orders routes and menu buttons by this module's tables."""
    return Assistant(
        text_route_order=TEXT_ROUTE_ORDER, menu_order=MENU_ORDER, edit_kept_routes=EDIT_KEPT_ROUTES
    )


async def build_runtime(settings: Settings) -> Runtime:
    """Load and check content, open and migrate the database, register every feature."""
    # The URL and its driver first: a mistyped DATABASE_URL is told at once, not after the
    # content check (the slow part of a start).
    database = Database(settings.database_url)
    try:
        content = load_checked_content(settings)
        await database.migrate()
    except BaseException:
        await database.close()
        raise
    await report_foreign_key_rows(settings, database)
    host = FeatureHost(new_assistant())
    # Safety is a stage of the core: it screens every typed text before any feature.
    stage = build_safety_stage(
        content.emergency, content.clinic.phone, content.clinic.emergency_number
    )
    host.assistant.set_safety_screen(stage)
    host.assistant.set_emergency_line(stage.replies.fallback_line)
    # What staff-chat notes may say (bare notes and console links when the console is on);
    # alerts name the chat's linked appointments, so the front desk can find the patient.
    appointments = AppointmentRepository(
        database, content.appointment_types, settings.clinic_timezone
    )
    staff_notes = staff_notes_from(
        settings,
        StaffEventLog(database),
        linked_appointments(appointments, settings.clinic_timezone),
    )
    register_menu(host, content.clinic)
    # The FAQ's "I don't know" turns into the urgent reply by the stage's own replies (with
    # its learned second opinion), so the chat answers as `ims-bot faq match` reports.
    faq = register_faq(
        host, settings, content, database, safety=stage.replies, staff_notes=staff_notes
    )
    intake = register_intake(host, settings, content, database, faq=faq, staff_notes=staff_notes)
    reminders = register_reminders(host, settings, content, database, staff_notes=staff_notes)
    # Buttons naming an appointment start an intake linked to it only for its own chat.
    intake.appointment_owner = reminders.repository.chat_owns_ref
    # /mydata and /forget cover every feature's registered data; after an erase the
    # database overwrites freed pages and empties its write-ahead log.
    register_privacy_commands(host.assistant, host.personal_data)
    host.personal_data.add_scrubber(database.scrub)
    register_console(host, settings, content, database, staff_notes)
    return Runtime(settings=settings, content=content, database=database, host=host, faq=faq)


async def report_foreign_key_rows(settings: Settings, database: Database) -> None:
    """Say in one line, at start, when stored intakes were written under another key."""
    unreadable = await count_unreadable(database, load_cipher(settings))
    if unreadable:
        logger.error(
            "%d intake form(s) were stored with another DATA_ENCRYPTION_KEY and cannot be read "
            "(they are kept); %s",
            unreadable,
            REKEY_HINT,
        )
