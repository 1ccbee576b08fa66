"""What each page shows: the intake inbox and detail, appointments, questions, alerts,
content health, staff and audit."""

from __future__ import annotations

import html
import io
import json
import re
from datetime import UTC, datetime, timedelta

from bot.channels.console import ConsoleOutbound, ConsoleOutput
from bot.core.assistant import ChatRef
from bot.core.dates import clinic_time, day_and_time
from bot.faq.unanswered import UnansweredLog
from bot.intake.repository import IntakeRepository
from bot.intake.summary import summary_text
from bot.reminders.feature import build_reminders
from bot.reminders.model import AppointmentInput, AppointmentStatus, ReminderStatus
from bot.runtime import Runtime
from bot.storage.encryption import load_cipher
from bot.web.accounts import Role
from bot.web.app import ConsoleServices
from bot.web.audit import AuditLog, AuditRecord
from tests.intake.kit import Patient, typed_until
from tests.reminders.conftest import RecordingOutbound
from tests.web.conftest import STAFF_EMAILS, ClientFactory
from tests.web.kit import HOSTILE_COMPLAINT, complete_intake, csrf_of, page_token


async def console_runtime_audit(runtime: Runtime) -> list[AuditRecord]:
    """The console's audit log, newest first."""
    return await AuditLog(runtime.database).recent()


async def test_inbox_puts_red_flags_and_contraindications_first_and_new_before_reviewed(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    await complete_intake(console_runtime, 1001)  # no flags
    await complete_intake(console_runtime, 1002, contraindication=True)
    await complete_intake(console_runtime, 1003, urgent=True, contraindication=True)
    async with client_as(Role.CLINICIAN) as clinician:
        inbox = (await clinician.get("/intakes")).text
        order = [inbox.index(f'href="/intakes/{n}"') for n in (3, 2, 1)]
        assert order == sorted(order)
        assert "URGENT: History of cancer" in inbox and "Epilepsy" in inbox
        assert "treatment: agreed" in inbox
        token = csrf_of(inbox)
        await clinician.post("/intakes/3/reviewed", data={"csrf_token": token, "state": "reviewed"})
        inbox = (await clinician.get("/intakes")).text
        order = [inbox.index(f'href="/intakes/{n}"') for n in (2, 1, 3)]
        assert order == sorted(order)  # reviewed goes below the new ones


async def test_intake_detail_shows_the_summary_escaped_and_every_view_is_audited(
    client_as: ClientFactory, console_runtime: Runtime, services: ConsoleServices
) -> None:
    await complete_intake(console_runtime, 1001, urgent=True, complaint=HOSTILE_COMPLAINT)
    async with client_as(Role.CLINICIAN) as clinician:
        page = await clinician.get("/intakes/1")
        assert page.status_code == 200
        assert "<script>alert" not in page.text and "<b>Burning</b>" not in page.text
        assert (
            "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;b&gt;Burning&lt;/b&gt;" in page.text
        )
        assert page.text.index("Red flags") < page.text.index("Main complaint")
        assert "not a diagnosis" in page.text
        fhir = await clinician.get("/intakes/1/fhir")
        assert fhir.headers["content-type"].startswith("application/fhir+json")
        assert "attachment" in fhir.headers["content-disposition"]
        resource = json.loads(fhir.text)
        assert resource["resourceType"] == "QuestionnaireResponse"
        assert (await clinician.get("/intakes/99")).status_code == 404
    views = [
        (entry.email, entry.action, entry.target)
        for entry in await services.audit.recent(target="intake:1")
    ]
    doctor = STAFF_EMAILS[Role.CLINICIAN]
    assert (doctor, "view_intake", "intake:1") in views
    async with client_as(Role.CLINICIAN) as clinician:
        await clinician.get("/intakes")
    listed = await services.audit.recent(target="intake:1")
    assert (doctor, "list_intake", "intake:1") in [(e.email, e.action, e.target) for e in listed]
    assert (doctor, "download_intake_fhir", "intake:1") in views
    async with client_as(Role.ADMIN) as admin:
        audit = (await admin.get("/audit")).text
        assert doctor in audit and "view intake" in audit and "intake:1" in audit
        assert "Burning" not in audit


async def test_mark_reviewed_records_who_and_can_be_undone(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    await complete_intake(console_runtime, 1001)
    async with client_as(Role.CLINICIAN) as clinician:
        token = await page_token(clinician, "/intakes/1")
        done = await clinician.post(
            "/intakes/1/reviewed", data={"csrf_token": token, "state": "reviewed"}
        )
        assert done.status_code == 303
        page = (await clinician.get("/intakes/1")).text
        assert f"Reviewed by {STAFF_EMAILS[Role.CLINICIAN]}" in page
        await clinician.post("/intakes/1/reviewed", data={"csrf_token": token, "state": "new"})
        assert "Mark reviewed" in (await clinician.get("/intakes/1")).text
        bogus = await clinician.post(
            "/intakes/1/reviewed", data={"csrf_token": token, "state": "bogus"}
        )
        assert bogus.status_code == 400
        assert "Mark reviewed" in (await clinician.get("/intakes/1")).text
        # An intake that does not exist cannot be marked, and the log says nothing of it.
        for state in ("new", "reviewed"):
            missing = await clinician.post(
                "/intakes/77/reviewed", data={"csrf_token": token, "state": state}
            )
            assert missing.status_code == 404, state
    actions = [e.action for e in await console_runtime_audit(console_runtime)]
    assert actions.count("mark_intake_reviewed") == 1 and actions.count("mark_intake_new") == 1
    assert not await AuditLog(console_runtime.database).recent(target="intake:77")


async def test_the_audit_log_finds_older_lines_by_record_and_by_person(
    client_as: ClientFactory, services: ConsoleServices
) -> None:
    doctor = STAFF_EMAILS[Role.CLINICIAN]
    # A view a month ago, then a busy inbox: 600 lines (one per intake listed) bury it.
    await services.audit.write(doctor, "view_intake", "intake:7")
    await services.audit.write_many(
        "alex (command line)", "list_intake", [f"intake:{n}" for n in range(100, 700)]
    )
    async with client_as(Role.ADMIN) as admin:
        newest = (await admin.get("/audit")).text
        assert "intake:7<" not in newest and "intake:699" in newest
        by_record = (await admin.get("/audit", params={"record": "intake:7"})).text
        assert "intake:7<" in by_record and doctor in by_record and "intake:699" not in by_record
        by_person = (await admin.get("/audit", params={"who": doctor})).text
        assert "intake:7<" in by_person and "intake:699" not in by_person
        # The newest page links to the older lines, filters kept.
        older = re.search(r'href="(/audit\?[^"]*before=\d+[^"]*)"', newest)
        assert older is not None
        page = (await admin.get(html.unescape(older.group(1)))).text
        assert "intake:7<" in page and "intake:699<" not in page
        nothing = (await admin.get("/audit", params={"record": "intake:8"})).text
        assert "No lines match" in nothing


async def test_forgotten_intakes_leave_the_console(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    await complete_intake(console_runtime, 1001)
    chat = ChatRef(1001)
    [asked] = await console_runtime.assistant.handle_command(chat, "forget")
    await console_runtime.assistant.handle_action(chat, asked.buttons[0].action)
    async with client_as(Role.CLINICIAN) as clinician:
        assert (await clinician.get("/intakes/1")).status_code == 404
        assert "No intakes yet" in (await clinician.get("/intakes")).text


async def test_appointments_show_reminder_states_and_highlight_late_cancels_and_unreachable(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    r = build_reminders(console_runtime.settings, console_runtime.content, console_runtime.database)
    now = datetime.now(UTC)
    soon, _ = await r.repository.save(
        AppointmentInput("REF-SOON", now + timedelta(hours=3), "ims_treatment", None, "riverside"),
        now,
    )
    token = await r.repository.create_link(soon.id, now)
    await r.repository.redeem_link(token, 777, now)
    await r.repository.mark_chat_unreachable(777, now)
    late, _ = await r.repository.save(
        AppointmentInput("REF-LATE", now + timedelta(hours=5), "ims_treatment", None, "north_hill"),
        now,
    )
    await r.repository.set_status(late.id, AppointmentStatus.CANCELLED, now)
    await r.repository.save(
        AppointmentInput("REF-LATER", now + timedelta(days=3), "ims_treatment", None, "riverside"),
        now,
    )
    async with client_as(Role.FRONT_DESK) as desk:
        page = (await desk.get("/appointments")).text
    assert "REF-SOON" in page and "REF-LATE" in page and "REF-LATER" in page
    assert "could not reach the patient" in page and "late cancellation" in page
    assert "planned" in page  # the later appointment's reminders are still to go
    assert page.count('class="attention"') == 2
    locations = {name for name in ("Riverside", "North Hill") if name in page}
    assert locations, page[:2000]


async def test_appointments_say_who_cancelled_and_when(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    settings = console_runtime.settings
    r = build_reminders(settings, console_runtime.content, console_runtime.database)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now + timedelta(hours=5)  # inside the 24 h late-cancellation window
    by_patient, _ = await r.repository.save(
        AppointmentInput("REF-PAT", start, "ims_treatment", None, "riverside"), now
    )
    token = await r.repository.create_link(by_patient.id, now)
    await r.repository.redeem_link(token, 901, now)
    await r.repository.set_status(by_patient.id, AppointmentStatus.CANCELLED, now)
    by_clinic, _ = await r.repository.save(
        AppointmentInput("REF-CLI", start, "ims_treatment", None, "riverside"), now
    )
    token = await r.repository.create_link(by_clinic.id, now)
    await r.repository.redeem_link(token, 902, now)
    later = now + timedelta(minutes=30)
    cancelled = AppointmentInput("REF-CLI", start, "ims_treatment", None, "riverside", None, True)
    await r.repository.save_many([cancelled], later)
    # The export catching up with the patient's cancellation does not make it the clinic's.
    caught_up = AppointmentInput("REF-PAT", start, "ims_treatment", None, "riverside", None, True)
    await r.repository.save_many([caught_up], later)
    async with client_as(Role.FRONT_DESK) as desk:
        page = (await desk.get("/appointments")).text
    patient_row = page[page.index("REF-PAT") : page.index("</tr>", page.index("REF-PAT"))]
    clinic_row = page[page.index("REF-CLI") : page.index("</tr>", page.index("REF-CLI"))]
    tz = settings.clinic_timezone
    assert "cancelled by the patient" in patient_row and clinic_time(now, tz) in patient_row
    assert "reply: <strong>cancelled</strong>" in patient_row
    assert "late cancellation" in patient_row
    assert "cancelled by the clinic" in clinic_row and clinic_time(later, tz) in clinic_row
    assert "reply:" not in clinic_row and "late cancellation" not in clinic_row


async def test_every_page_says_when_no_reminder_sender_runs(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    settings = console_runtime.settings
    r = build_reminders(settings, console_runtime.content, console_runtime.database)
    not_going = "Reminders are not going out: no reminder sender has run"
    async with client_as(Role.FRONT_DESK) as desk:
        for path in ("/appointments", "/questions", "/events"):
            assert f"{not_going} yet" in (await desk.get(path)).text, path
        await r.sender.sweep(RecordingOutbound())  # the bot's sweep, reaching every patient
        assert not_going not in (await desk.get("/appointments")).text
        # The bot stopped ten minutes ago; then the shell swept for its own chat only.
        stopped = datetime.now(UTC) - timedelta(minutes=10)
        await r.outbox.record_sweep(stopped)
        await r.sender.sweep(ConsoleOutbound(ConsoleOutput(io.StringIO(), json_mode=False)))
        page = (await desk.get("/appointments")).text
    since = clinic_time(stopped, settings.clinic_timezone)
    assert f"{not_going} since {since}" in page and "ims-bot run" in page


async def test_a_passed_appointments_unsent_reminder_says_why_not_planned(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    r = build_reminders(console_runtime.settings, console_runtime.content, console_runtime.database)
    now = datetime.now(UTC)
    booked = now - timedelta(days=2)
    past, _ = await r.repository.save(
        AppointmentInput("REF-PAST", now - timedelta(hours=1), "ims_treatment", None, "riverside"),
        booked,
    )
    token = await r.repository.create_link(past.id, booked)
    await r.repository.redeem_link(token, 778, booked)
    # No sender ran since it was booked (the console serves on its own).
    async with client_as(Role.FRONT_DESK) as desk:
        page = (await desk.get("/appointments")).text
    assert "REF-PAST" in page
    assert "remind_2h: <strong>skipped</strong>" in page
    assert "appointment passed before it was sent" in page
    assert "remind_2h: <strong>planned</strong>" not in page
    # A page view writes nothing: the sender settles the row when it next runs.
    stored = {x.kind: x.status for x in await r.repository.reminders_of(past.id)}
    assert stored["remind_2h"] is ReminderStatus.PENDING
    assert await r.outbox.claim_next(now) is None  # and it never goes later


async def test_questions_are_grouped_with_nearest_entries_and_can_be_handled(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    log = UnansweredLog(console_runtime.database, timedelta(days=90))
    now = datetime.now(UTC)
    for text in (
        "do you take my union benefits plan",
        "does my union benefits plan cover it",
        "<img src=x onerror=alert(1)> parking near the clinic?",
    ):
        await log.record(text, None, 0.0, now)
    async with client_as(Role.FRONT_DESK) as desk:
        page = (await desk.get("/questions")).text
        assert "2 questions" in page and "1 question," in page
        assert "<img src=x" not in page and "&lt;img src=x" in page
        assert "Nearest entries" in page
        ids = [row.id for row in await log.list() if "union" in row.text]  # the group of two
        token = csrf_of(page)
        done = await desk.post(
            "/questions/mark",
            data={"csrf_token": token, "state": "handled", "question": [str(i) for i in ids]},
        )
        assert done.status_code == 303
        page = (await desk.get("/questions")).text
        assert "union" not in page and "parking" in page
    # Which questions were marked, one line each (a count says nothing an auditor can check).
    marked = [
        e.target
        for e in await console_runtime_audit(console_runtime)
        if e.action == "questions_handled"
    ]
    assert sorted(marked) == sorted(f"question:{i}" for i in ids)
    # Each question shown is audited, by who saw it; the words never reach the log.
    seen = [
        e for e in await console_runtime_audit(console_runtime) if e.action == "view_unanswered"
    ]
    assert {e.email for e in seen} == {STAFF_EMAILS[Role.FRONT_DESK]}
    parking = next(row.id for row in await log.list() if "parking" in row.text)
    assert sum(e.target == f"question:{parking}" for e in seen) == 2
    assert sum(e.target == f"question:{ids[0]}" for e in seen) == 1
    assert not any("union" in (e.target or "") for e in seen)


async def test_alerts_show_rule_and_chat_never_the_words(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    words = "crushing chest pain and I can't breathe"
    chat = ChatRef(31337)
    await console_runtime.assistant.handle_text(chat, words)
    await console_runtime.assistant.handle_command(chat, "contact")
    async with client_as(Role.FRONT_DESK) as desk:
        page = (await desk.get("/events")).text
        assert "31337" in page and "Emergency" in page and "Contact request" in page
        assert "crushing" not in page and "breathe" not in page
        token = csrf_of(page)
        assert (await desk.post("/events/1/handled", data={"csrf_token": token})).status_code == 303
        assert STAFF_EMAILS[Role.FRONT_DESK] in (await desk.get("/events")).text
    # Rule names say what danger a chat was in: each event shown is audited, by who saw it.
    seen = [e for e in await console_runtime_audit(console_runtime) if e.action == "view_events"]
    assert {e.email for e in seen} == {STAFF_EMAILS[Role.FRONT_DESK]}
    assert sorted(e.target or "" for e in seen) == ["event:1", "event:1", "event:2", "event:2"]
    described = await console_runtime.personal_data.describe(31337)
    assert described["Staff notices"]  # /mydata covers them, /forget erases them
    await console_runtime.personal_data.erase(31337)
    assert not (await console_runtime.personal_data.describe(31337))["Staff notices"]


async def test_content_health_reports_stale_reviews_and_the_labelled_figures(
    client_as: ClientFactory, services: ConsoleServices, console_runtime: Runtime
) -> None:
    async with client_as(Role.FRONT_DESK) as desk:
        page = (await desk.get("/content")).text
    assert "Content check" in page and "No problems" in page
    assert "No labelled file" in page
    entries = console_runtime.content.faq.entries
    far_future = max(e.reviewed.on for e in entries if e.reviewed) + timedelta(days=400)
    health = await services.content_health.run(far_future)
    assert len(health.stale_reviews) == len(entries)


async def test_admin_adds_an_account_and_gets_a_one_time_link(
    client_as: ClientFactory, services: ConsoleServices
) -> None:
    async with client_as(Role.ADMIN) as admin:
        token = await page_token(admin, "/staff")
        page = await admin.post(
            "/staff",
            data={"csrf_token": token, "email": "New.Desk@Clinic.example", "role": "front_desk"},
        )
        assert page.status_code == 200
        assert "https://console.clinic.example/set-password/" in page.text
        again = await admin.post(
            "/staff",
            data={"csrf_token": token, "email": "new.desk@clinic.example", "role": "admin"},
        )
        assert again.status_code == 400 and "already has an account" in again.text
    assert "new.desk@clinic.example" in {a.email for a in await services.accounts.all()}


async def test_inbox_reads_treatment_consent_and_precautions_of_newer_summaries(
    console_runtime: Runtime, services: ConsoleServices
) -> None:
    await complete_intake(console_runtime, 1001)
    repository = IntakeRepository(console_runtime.database, load_cipher(console_runtime.settings))
    [intake] = await repository.all()
    assert intake.summary is not None
    intake.summary = {
        **intake.summary,
        "treatment_consent": {"answer": "decline", "label": "No", "version": "1"},
        "precautions": ["Pregnant or might be pregnant"],
    }
    await repository.save(intake)
    [row] = await services.inbox.rows()
    # An older summary does not say who gave it: the console says so, as the summary does.
    assert row.consent == "treatment: NOT GIVEN (given by: not recorded)"
    assert "(given by: not recorded;" in summary_text(intake.summary, UTC)
    assert row.contraindications == ("Pregnant or might be pregnant",)


async def test_an_intake_stopped_by_an_emergency_answer_is_first_and_opens(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    await complete_intake(console_runtime, 1001, urgent=True)
    patient = Patient(console_runtime.assistant, chat=ChatRef(1002))
    await patient.command("intake")
    for text in typed_until("emergency_screen"):  # up to the emergency screen
        await patient.say(text)
    await patient.tap("Bladder/bowel trouble")
    await patient.tap("Done")
    async with client_as(Role.CLINICIAN) as clinician:
        inbox = (await clinician.get("/intakes")).text
        assert inbox.index('href="/intakes/2"') < inbox.index('href="/intakes/1"')
        assert "STOPPED BY AN EMERGENCY" in inbox and "EMERGENCY:" in inbox
        detail = await clinician.get("/intakes/2")
        assert detail.status_code == 200 and "EMERGENCY" in detail.text
        assert "Main complaint" in detail.text  # the answers given so far


async def test_mydata_in_french_words_every_record_in_french(console_runtime: Runtime) -> None:
    r = build_reminders(console_runtime.settings, console_runtime.content, console_runtime.database)
    now = datetime.now(UTC)
    french = ChatRef(chat_id=781, first_name="Élise", language_code="fr-CA")
    start = (now + timedelta(days=3)).replace(microsecond=0)
    booked, _ = await r.repository.save(
        AppointmentInput("REF-FR", start, "ims_treatment", None, "riverside"), now
    )
    token = await r.repository.create_link(booked.id, now)
    await console_runtime.assistant.handle_deep_link(french, token)
    log = UnansweredLog.for_settings(console_runtime.database, console_runtime.settings)
    await log.record("je prends de la metformine", None, 0.0, now, chat_id=french.chat_id)
    await log.flush()
    replies = await console_runtime.assistant.handle_command(french, "mydata")
    shown = "\n".join(reply.text for reply in replies)
    when = day_and_time(start, console_runtime.settings.clinic_timezone, "fr")
    assert f"- Rendez-vous : rendez-vous du {when} (réservé)" in shown, shown
    assert "- Questions sans réponse : 1 question à laquelle je n'ai pas su répondre" in shown
    for english in ("appointments:", "Unanswered questions", "linked to this chat"):
        assert english not in shown


async def test_looking_at_the_audit_log_is_audited_too(
    client_as: ClientFactory, services: ConsoleServices
) -> None:
    """Who looked up whose record, or whose actions, in the log is itself a line of it."""
    doctor = STAFF_EMAILS[Role.CLINICIAN]
    admin_email = STAFF_EMAILS[Role.ADMIN]
    await services.audit.write(doctor, "view_intake", "intake:7")
    async with client_as(Role.ADMIN) as admin:
        await admin.get("/audit")
        await admin.get("/audit", params={"record": "intake:7"})
        page = (await admin.get("/audit", params={"who": doctor})).text
    assert "view intake" in page  # the page shows the log as it was before this look
    looks = [(e.email, e.target) for e in await services.audit.recent() if e.action == "view_audit"]
    assert looks == [
        (admin_email, f"who:{doctor}"),
        (admin_email, "intake:7"),
        (admin_email, None),
    ]


async def test_a_second_mark_handled_or_reviewed_changes_nothing_and_is_not_audited_again(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    """A page left open, or a colleague clicking at the same moment: the second "Mark
    handled" (or "Mark reviewed") is not a second action in the audit log, and who did it
    first stays."""
    await console_runtime.assistant.handle_text(ChatRef(4242), "crushing chest pain, can't breathe")
    await complete_intake(console_runtime, 1001)
    desk_email, doctor_email = STAFF_EMAILS[Role.FRONT_DESK], STAFF_EMAILS[Role.CLINICIAN]
    async with client_as(Role.FRONT_DESK) as desk, client_as(Role.CLINICIAN) as doctor:
        desk_token = await page_token(desk, "/events")
        doctor_token = await page_token(doctor, "/events")
        first = await desk.post("/events/1/handled", data={"csrf_token": desk_token})
        assert first.status_code == 303
        again = await doctor.post("/events/1/handled", data={"csrf_token": doctor_token})
        assert again.status_code == 409 and "already marked handled" in again.text
        assert desk_email in again.text  # who handled it
        assert (
            await desk.post("/events/9/handled", data={"csrf_token": desk_token})
        ).status_code == 404
        reviewed = {"csrf_token": doctor_token, "state": "reviewed"}
        for _ in range(2):
            assert (await doctor.post("/intakes/1/reviewed", data=reviewed)).status_code == 303
        new = {"csrf_token": doctor_token, "state": "new"}
        for _ in range(2):
            assert (await doctor.post("/intakes/1/reviewed", data=new)).status_code == 303
    actions = [
        (e.email, e.action, e.target)
        for e in await console_runtime_audit(console_runtime)
        if e.action in ("event_handled", "mark_intake_reviewed", "mark_intake_new")
    ]
    assert sorted(actions) == [
        (desk_email, "event_handled", "event:1"),
        (doctor_email, "mark_intake_new", "intake:1"),
        (doctor_email, "mark_intake_reviewed", "intake:1"),
    ]


async def test_the_questions_page_downloads_the_open_questions_as_a_spreadsheet_audited(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    log = UnansweredLog(console_runtime.database, timedelta(days=90))
    now = datetime.now(UTC)
    await log.record("où est le stationnement, près de l'entrée?", None, 0.0, now)
    await log.record('=HYPERLINK("http://evil.example","refund")', "cost", 0.2, now)
    async with client_as(None) as anonymous:
        assert (await anonymous.get("/questions.csv")).status_code == 303  # sign in first
    async with client_as(Role.FRONT_DESK) as desk:
        page = (await desk.get("/questions")).text
        assert 'href="/questions.csv"' in page
        export = await desk.get("/questions.csv")
    assert export.status_code == 200
    assert export.headers["content-type"].startswith("text/csv")
    assert (
        'attachment; filename="unanswered-questions.csv"' in export.headers["content-disposition"]
    )
    assert export.headers["cache-control"] == "no-store"  # health information
    assert export.content.startswith(b"\xef\xbb\xbf")
    text = export.content.decode("utf-8-sig")
    assert "où est le stationnement, près de l'entrée?" in text
    assert "'=HYPERLINK" in text and ',"=HYPERLINK' not in text
    exported = [
        e for e in await console_runtime_audit(console_runtime) if e.action == "export_unanswered"
    ]
    assert {e.email for e in exported} == {STAFF_EMAILS[Role.FRONT_DESK]}
    assert sorted(e.target or "" for e in exported) == [
        f"question:{row.id}" for row in sorted(await log.list(), key=lambda r: r.id)
    ]
