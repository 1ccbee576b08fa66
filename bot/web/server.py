"""Serving the console: on its own (`ims-bot web`) or beside the bot (`CONSOLE_ENABLED`)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import secrets
import signal
import socket
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bot.clinic_content import ClinicContent
from bot.config import ConfigError, Settings, make_data_dir
from bot.core.outbound import Outbound
from bot.core.replies import staff_note
from bot.core.staff_notes import StaffNotes
from bot.faq.pipeline import FaqPipeline
from bot.faq.unanswered import UnansweredLog
from bot.intake.conversation import form_waiting
from bot.intake.repository import IntakeRepository
from bot.reminders.repository import AppointmentRepository
from bot.storage.database import Database
from bot.storage.encryption import load_cipher
from bot.storage.private_files import write_private_file
from bot.web.accounts import StaffAccounts, utc_now
from bot.web.audit import AuditLog
from bot.web.content_health import ContentHealthCheck
from bot.web.events import StaffEventLog, linked_appointments_of
from bot.web.front_desk import AppointmentBoard, QuestionBoard
from bot.web.handoff import (
    HandoffWords,
    LanguageOf,
    PatientMessenger,
    PatientRelay,
    PatientSend,
    outbound_send,
    register_staff_chat_replies,
)
from bot.web.handoff_thread import HandoffThread
from bot.web.intakes import IntakeInbox

if TYPE_CHECKING:
    import uvicorn
    from starlette.applications import Starlette

    from bot.core.features import FeatureHost
    from bot.web.app import ConsoleServices, StaffNotice

logger = logging.getLogger(__name__)

SECRET_FILE_NAME = "console-secret.key"
STOP_TIMEOUT_S = 5.0
# Who erased records, as the staff audit log names a patient's /forget.
PATIENT_ERASURE_ACTOR = "the patient (/forget in the bot)"
PATIENT_ERASURE = "erased_at_patient_request"


def console_secret(settings: Settings) -> str:
    """CONSOLE_SECRET_KEY, else a key file made once in the data folder (owner-only)."""
    if settings.console.secret_key:
        return settings.console.secret_key
    path: Path = settings.data_dir / SECRET_FILE_NAME
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    make_data_dir(settings.data_dir)
    key = secrets.token_urlsafe(48)
    write_private_file(path, key.encode("ascii"))
    logger.warning("CONSOLE_SECRET_KEY is not set: created %s for signing console cookies", path)
    return key


def build_services(
    settings: Settings,
    content: ClinicContent,
    database: Database,
    notify_staff: StaffNotice | None = None,
    send_to_patient: PatientSend | None = None,
) -> ConsoleServices:
    """The console's services over one database and the clinic's content; staff write to
    patients with `send_to_patient` (None: the console cannot send)."""
    from bot.reminders.feature import build_reminders
    from bot.web.app import ConsoleServices

    reminders = build_reminders(settings, content, database)
    cipher = load_cipher(settings)
    intakes = IntakeRepository(database, cipher)
    events = StaffEventLog(database)
    audit = AuditLog(database)
    words = HandoffWords(content.clinic, settings.clinic_timezone)
    thread = HandoffThread(
        database, cipher, settings.handoff_window, ends=words.handoff_end(settings.handoff_window)
    )
    # Built on first use and shared: lexical matching points at the entry to widen
    # without loading the optional model.
    pipeline = functools.cache(lambda: FaqPipeline.from_content(content))
    services = ConsoleServices(
        accounts=StaffAccounts(database),
        audit=audit,
        inbox=IntakeInbox(database, intakes),
        appointments=AppointmentBoard(
            reminders.repository,
            content.clinic,
            settings.clinic_timezone,
            reminders.outbox,
            settings.reminders.sweep_interval,
        ),
        questions=QuestionBoard(
            database,
            UnansweredLog(database, timedelta(days=settings.unanswered_retention_days)),
            content.faq,
            lambda: pipeline().matcher,
        ),
        events=events,
        messenger=PatientMessenger(
            events,
            audit,
            send_to_patient,
            patient_language(reminders.repository),
            thread,
            words,
            form_waiting(intakes),
        ),
        thread=thread,
        linked_appointments=linked_appointments_of(reminders.repository, settings.clinic_timezone),
        content_health=ContentHealthCheck(settings.content_dir, pipeline, content.faq),
        secret_key=console_secret(settings),
        public_base_url=settings.console.public_base_url,
        clinic_name=content.clinic.name,
        clock=utc_now,
        timezone=settings.clinic_timezone,
    )
    if notify_staff is not None:
        services.notify_staff = notify_staff
    return services


def patient_language(repository: AppointmentRepository) -> LanguageOf:
    """The language a chat's patient reads, as their appointment link recorded it."""

    async def language_of(chat_id: int) -> str | None:
        languages = [a.language for a in await repository.for_chat(chat_id) if a.language]
        return languages[-1] if languages else None

    return language_of


def outbound_staff_notice(outbound: Outbound) -> StaffNotice:
    """Sends a plain line to the staff chats through the running bot's outbound."""

    async def notify(text: str) -> None:
        await outbound.send_to_staff(staff_note(text, title="Console"))

    return notify


def bound_socket(host: str, port: int) -> socket.socket:
    """A listening socket, or ConfigError saying the address is taken or wrong."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"CONSOLE_BIND: cannot listen on {host}:{port} ({exc.strerror}); "
            "choose another port or stop what uses it"
        ) from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def console_server(services: ConsoleServices) -> uvicorn.Server:
    """The console's app for `services` in a uvicorn server. The web stack (Starlette,
    uvicorn, templates) is imported here, when a console is served, not by every start."""
    from bot.web.app import create_app

    return uvicorn_server(create_app(services))


def uvicorn_server(app: Starlette) -> uvicorn.Server:
    """A uvicorn server for `app` that trusts proxy headers only from loopback, and leaves
    Ctrl+C and SIGTERM to its caller (the bot it runs beside, or `serve_console`, which
    closes the database before the process ends)."""
    import uvicorn

    class OwnSignals(uvicorn.Server):
        def capture_signals(self) -> contextlib.AbstractContextManager[None]:  # type: ignore[override]
            return contextlib.nullcontext()

    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,  # paths carry intake numbers and set-password tokens
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
    )
    return OwnSignals(config)


async def serve_console(
    settings: Settings, content: ClinicContent, outbound: Outbound | None = None
) -> None:
    """`ims-bot web`: open the database and serve the console until interrupted; staff
    notices and staff messages to patients go through `outbound` (the one pacing layer;
    None: the console cannot send)."""
    from bot.storage.database import open_database

    sock = bound_socket(settings.console.host, settings.console.port)
    database = await open_database(settings.database_url)
    try:
        services = build_services(
            settings,
            content,
            database,
            outbound_staff_notice(outbound) if outbound is not None else None,
            outbound_send(outbound.send) if outbound is not None else None,
        )
        server = console_server(services)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, lambda: setattr(server, "should_exit", True))
        print(
            f"Staff console on http://{settings.console.host}:{settings.console.port} "
            f"(public address {settings.console.public_base_url}); Ctrl+C stops it.",
            flush=True,
        )
        warning = await services.appointments.sender_warning()
        print(
            warning
            or "Reminders: the bot's reminder sender is running (this console sends none itself).",
            flush=True,
        )
        try:
            await server.serve(sockets=[sock])
        finally:
            await services.content_health.stop()
    finally:
        sock.close()
        await database.close()


def register_console(
    host: FeatureHost,
    settings: Settings,
    content: ClinicContent,
    database: Database,
    staff_notes: StaffNotes | None = None,
) -> None:
    """Record alerts for the console (worded by `staff_notes`), let staff chats write to an
    alert's patient, audit patients' erasures; with CONSOLE_ENABLED, serve the console
    beside the bot once a channel starts (the bot keeps serving patients if it cannot
    listen)."""
    from bot.web.events import register_staff_events

    log = register_staff_events(host, database, staff_notes)
    audit = AuditLog(database)
    repository = AppointmentRepository(
        database, content.appointment_types, settings.clinic_timezone
    )
    cipher = load_cipher(settings)
    words = HandoffWords(content.clinic, settings.clinic_timezone)
    thread = HandoffThread(
        database, cipher, settings.handoff_window, ends=words.handoff_end(settings.handoff_window)
    )
    form_waits = form_waiting(IntakeRepository(database, cipher))
    messenger = PatientMessenger(
        log, audit, None, patient_language(repository), thread, words, form_waits
    )
    relay = PatientRelay(thread, staff_notes or StaffNotes(), words, form_waits)
    register_staff_chat_replies(host.assistant, messenger, relay)
    host.personal_data.register(
        "Conversations with the clinic team",
        thread.describe,
        thread.erase,
        titles={"fr": "Conversations avec l'équipe de la clinique"},
        describe_in=thread.describe,
    )
    host.personal_data.add_erasure_notice(relay.erased)

    async def audit_erasure(targets: list[str | None]) -> None:
        await audit.write_many(PATIENT_ERASURE_ACTOR, PATIENT_ERASURE, targets)

    host.personal_data.add_erasure_audit(audit_erasure)

    async def can_send(outbound: Outbound) -> None:
        messenger.send = outbound_send(outbound.send)

    host.startup.append(can_send)
    if not settings.console.enabled:
        return
    running: list[tuple[uvicorn.Server, asyncio.Task[None], ConsoleServices]] = []

    async def start(outbound: Outbound) -> None:
        try:
            sock = bound_socket(settings.console.host, settings.console.port)
        except ConfigError as exc:
            logger.error("staff console not started: %s", exc)
            return
        services = build_services(
            settings,
            content,
            database,
            outbound_staff_notice(outbound),
            outbound_send(outbound.send),
        )
        server = console_server(services)
        task = asyncio.create_task(server.serve(sockets=[sock]), name="staff-console")
        running.append((server, task, services))
        logger.info("staff console listening on %s", settings.console.public_base_url)

    async def stop() -> None:
        for server, task, services in running:
            server.should_exit = True
            try:
                await asyncio.wait_for(task, STOP_TIMEOUT_S)
            except (TimeoutError, asyncio.CancelledError):
                logger.warning("the staff console did not stop in time")
            await services.content_health.stop()
        running.clear()

    host.startup.append(start)
    host.shutdown.append(stop)
