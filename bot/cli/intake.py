"""`ims-bot intake ...`: list and export intakes, the flow as a FHIR Questionnaire."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bot.cli.content import content_dir_argument
from bot.cli.terminal import terminal_text
from bot.config import Settings, load_settings
from bot.core.dates import clinic_time
from bot.intake.engine import IntakeEngine
from bot.intake.fhir import questionnaire, questionnaire_response
from bot.intake.flow_file import FLOW_FILE_NAME, flow_from_definition, load_flow_file
from bot.intake.repository import IntakeRepository, StoredIntake
from bot.intake.summary import intake_flags, record_summary, summary_text
from bot.storage.database import open_database
from bot.storage.encryption import DecryptionError, cipher_for_key, load_cipher, new_key
from bot.storage.rekey import REKEY_HINT, RekeyReport, rekey
from bot.web.audit import AuditLog, command_line_actor

T = TypeVar("T")
FORMATS = ("text", "json", "fhir")


def register(subparsers: Any) -> None:
    """Add the `intake` command group."""
    parser = subparsers.add_parser("intake", help="intake forms: list, export, questionnaire")
    group = parser.add_subparsers(dest="intake_command", metavar="SUBCOMMAND", required=True)
    listing = group.add_parser(
        "list", help="one line per intake: id, status, patient chat, dates, consent, flags"
    )
    listing.set_defaults(handler=run_list)
    export = group.add_parser("export", help="one intake as text, JSON or a FHIR R4 response")
    export.add_argument("id", type=int, help="the intake id (first column of `intake list`)")
    export.add_argument("--format", choices=FORMATS, default="text")
    export.set_defaults(handler=run_export)
    form = group.add_parser("questionnaire", help="the intake flow as a FHIR R4 Questionnaire")
    form.add_argument("--format", choices=("fhir",), default="fhir")
    form.add_argument("--content", metavar="DIR", help="content folder (default: CONTENT_DIR)")
    form.set_defaults(handler=run_questionnaire)
    key = group.add_parser("new-key", help="print a fresh DATA_ENCRYPTION_KEY")
    key.set_defaults(handler=run_new_key)
    rekey_parser = group.add_parser(
        "rekey", help="re-encrypt forms stored under an old key with DATA_ENCRYPTION_KEY"
    )
    rekey_parser.add_argument(
        "--old-key",
        required=True,
        help="the key the forms were stored with (write --old-key=KEY if it starts with '-')",
    )
    rekey_parser.set_defaults(handler=run_rekey)


def _with_repository(work: Callable[[IntakeRepository, AuditLog], Awaitable[T]]) -> T:
    """Run `work` with the intakes and the audit log the console writes too."""
    settings: Settings = load_settings()

    async def main() -> T:
        # The database first: a bad DATABASE_URL must not leave a new key file behind.
        database = await open_database(settings.database_url)
        try:
            cipher = load_cipher(settings)
            return await work(IntakeRepository(database, cipher), AuditLog(database))
        finally:
            await database.close()

    return asyncio.run(main())


_ENGINES: dict[str, IntakeEngine] = {}


async def _engine_for(repository: IntakeRepository, intake: StoredIntake) -> IntakeEngine:
    """The engine for the flow version an intake was started on (parsed once per version)."""
    engine = _ENGINES.get(intake.flow_digest)
    if engine is None:
        definition = await repository.flow_definition(intake.flow_digest)
        engine = _ENGINES[intake.flow_digest] = IntakeEngine(flow_from_definition(definition))
    return engine


def _flag_text(intake: StoredIntake, engine: IntakeEngine) -> str:
    flags = intake_flags(engine, intake.state)
    return ",".join(f"{flag.level}:{flag.id}" for flag in flags) or "-"


def _consent_text(intake: StoredIntake) -> str:
    """The answer to consent to treatment (agree, questions, decline), or '-'."""
    record = intake.state.treatment_consent
    return record.get("answer", "-") if record else "-"


def run_list(args: argparse.Namespace) -> int:
    """Print one line per intake."""

    tz = load_settings().clinic_timezone

    async def work(repository: IntakeRepository, audit: AuditLog) -> int:
        listed = await repository.listing()
        # Each line shows an intake's consent and flags: a view of each, audited first.
        targets: list[str | None] = [f"intake:{row.id}" for row, _ in listed]
        await audit.write_many(command_line_actor(), "list_intake", targets or [None])
        if not listed:
            print("No intakes yet.")
        unreadable = 0
        for row, intake in listed:
            if intake is None:
                unreadable += 1
                consent, flags = "?", "? (stored with another key)"
            else:
                flags = _flag_text(intake, await _engine_for(repository, intake))
                consent = _consent_text(intake)
            print(
                f"{row.id}\t{row.status}\tchat {row.chat_id}\t"
                f"started {clinic_time(row.started_at, tz)}\t"
                f"updated {clinic_time(row.updated_at, tz)}\t"
                f"consent {consent}\t"
                f"flags {flags}"
            )
        if unreadable:
            print(
                f"ims-bot: {unreadable} intake(s) were stored with another DATA_ENCRYPTION_KEY; "
                f"{REKEY_HINT}",
                file=sys.stderr,
            )
        return 0

    return _with_repository(work)


def run_export(args: argparse.Namespace) -> int:
    """Print one intake in the chosen format."""

    async def work(repository: IntakeRepository, audit: AuditLog) -> int:
        # Audited before it is decrypted, as the console does.
        await audit.write(command_line_actor(), f"export_intake_{args.format}", f"intake:{args.id}")
        try:
            intake = await repository.get(args.id)
        except DecryptionError:
            print(
                f"ims-bot: intake {args.id} was stored with another DATA_ENCRYPTION_KEY; "
                f"{REKEY_HINT}",
                file=sys.stderr,
            )
            return 2
        if intake is None:
            # On standard error: `intake export 99 > intake.json` must not write it there.
            print(
                f"ims-bot: no intake with id {args.id}; see `ims-bot intake list`", file=sys.stderr
            )
            return 1
        engine = await _engine_for(repository, intake)
        when = intake.submitted_at or intake.updated_at
        if args.format == "fhir":
            resource = questionnaire_response(
                engine, intake.state, intake_id=intake.id, authored=when
            )
            print(json.dumps(resource, indent=2, ensure_ascii=False))
            return 0
        summary = record_summary(engine, intake)
        if args.format == "json":
            data = {"status": intake.status.value, "answers": intake.state.answers, **summary}
            print(json.dumps(data, indent=2, ensure_ascii=False))
        else:
            print(f"Status: {intake.status.value}")
            # The summary holds the patient's typed answers: nothing in them may act on
            # the terminal (clear it, retitle it, reverse the lines after them).
            print(terminal_text(summary_text(summary, load_settings().clinic_timezone)))
        return 0

    return _with_repository(work)


def run_questionnaire(args: argparse.Namespace) -> int:
    """Print the flow as a FHIR R4 Questionnaire."""
    content_dir = content_dir_argument(args)
    loaded = load_flow_file(content_dir / FLOW_FILE_NAME)
    print(json.dumps(questionnaire(loaded.flow), indent=2, ensure_ascii=False))
    return 0


def run_rekey(args: argparse.Namespace) -> int:
    """Re-encrypt every intake stored under `--old-key` with the current key."""
    settings: Settings = load_settings()
    old = cipher_for_key(args.old_key, "--old-key")

    async def main() -> RekeyReport:
        database = await open_database(settings.database_url)
        try:
            return await rekey(database, load_cipher(settings), old)
        finally:
            await database.close()

    report = asyncio.run(main())
    print(
        f"re-encrypted {report.rekeyed} intake(s); {report.current} already used the current "
        f"key; {report.unreadable} readable with neither key (left as they are)"
    )
    return 0 if not report.unreadable else 1


def run_new_key(args: argparse.Namespace) -> int:
    """Print a new encryption key."""
    print(new_key())
    return 0
