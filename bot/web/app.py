"""The console's ASGI application: pages, forms and who may open them.

Every page needs a signed-in account with a role that allows it; every form carries the
session's CSRF token; every look at an intake is written to the audit log first.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.core.dates import clinic_time
from bot.core.record_numbers import record_number
from bot.core.staff_notes import CONTACT_REQUEST
from bot.web.accounts import (
    SESSION_LIFETIME,
    Account,
    AccountError,
    Role,
    SessionInfo,
    StaffAccounts,
    role_action,
)
from bot.web.audit import AuditLog, Marked
from bot.web.content_health import ContentHealthCheck
from bot.web.events import ALERT_KINDS, AppointmentsOfChats, EventRecord, StaffEventLog
from bot.web.front_desk import AppointmentBoard, QuestionBoard
from bot.web.handoff import MAX_MESSAGE_CHARS, Outcome, PatientMessenger, outcome_words
from bot.web.handoff_thread import HandoffThread
from bot.web.intakes import IntakeInbox
from bot.web.security import (
    CSRF_FIELD,
    FORM_COOKIE,
    SESSION_COOKIE,
    CookieSigner,
    SecurityHeaders,
    cookie_options,
    new_form_token,
    tokens_match,
)
from bot.web.spreadsheet import UNANSWERED_FILE_NAME, unanswered_csv

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
FORM_TOKEN_MAX_AGE = 2 * 60 * 60
AUDIT_PAGE_LINES = 500
MAX_FILTER_CHARS = 254  # the longest e-mail address an account may have
# Tells the staff chat that an account was locked (plain text, no health information).
StaffNotice = Callable[[str], Awaitable[None]]
Handler = Callable[[Request, SessionInfo], Awaitable[Response]]


async def _log_notice(text: str) -> None:
    logger.warning("console notice (no staff chat configured): %s", text)


@dataclass
class ConsoleServices:
    """Everything the pages read and change."""

    accounts: StaffAccounts
    audit: AuditLog
    inbox: IntakeInbox
    appointments: AppointmentBoard
    questions: QuestionBoard
    events: StaffEventLog
    messenger: PatientMessenger  # staff write to an alert's patient through the bot
    thread: HandoffThread  # the conversations under alerts (encrypted)
    linked_appointments: AppointmentsOfChats  # what the Alerts page names for each chat
    content_health: ContentHealthCheck
    secret_key: str
    public_base_url: str
    clinic_name: str
    clock: Callable[[], datetime]
    timezone: tzinfo  # times are shown in the clinic's time zone
    notify_staff: StaffNotice = _log_notice

    @property
    def https(self) -> bool:
        """Whether staff reach the console over HTTPS (cookies are then Secure)."""
        return self.public_base_url.startswith("https://")


def _environment(tz: tzinfo) -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = lambda value: (
        clinic_time(value, tz) if isinstance(value, datetime) else ""
    )
    return env


class Console:
    """Routes and their handlers over `ConsoleServices`."""

    def __init__(self, services: ConsoleServices) -> None:
        self.s = services
        self.templates = _environment(services.timezone)
        self.session_cookies = CookieSigner(
            services.secret_key, int(SESSION_LIFETIME.total_seconds())
        )
        self.form_cookies = CookieSigner(services.secret_key, FORM_TOKEN_MAX_AGE)

    # --- rendering ----------------------------------------------------------------

    async def render(
        self,
        request: Request,
        template: str,
        info: SessionInfo | None,
        status_code: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        """A page; signed-in pages get the account, its CSRF token and admin banners."""
        locked: list[Account] = []
        if info is not None and info.account.role is Role.ADMIN:
            locked = await self.s.accounts.locked()
        reminder_warning = await self.s.appointments.sender_warning() if info else None
        html = self.templates.get_template(template).render(
            request=request,
            me=info.account if info else None,
            csrf=info.csrf_token if info else values.pop("form_token", ""),
            csrf_field=CSRF_FIELD,
            locked_accounts=locked,
            reminder_warning=reminder_warning,
            clinic_name=self.s.clinic_name,
            Role=Role,
            **values,
        )
        return HTMLResponse(html, status_code=status_code)

    def client(self, request: Request) -> str:
        """The address a request came from (the proxy's, unless uvicorn trusts it)."""
        return request.client.host if request.client else "unknown"

    # --- who is asking ----------------------------------------------------------------

    async def session(self, request: Request) -> SessionInfo | None:
        """The signed-in session of this request, if any."""
        token = self.session_cookies.unsign(request.cookies.get(SESSION_COOKIE))
        return await self.s.accounts.session_for(token) if token else None

    def guarded(
        self, role: Role, handler: Handler, form_page: str = "/"
    ) -> Callable[[Request], Awaitable[Response]]:
        """`handler` for accounts with `role` (or above); POSTs must carry the CSRF token.
        `form_page` (filled with the path's values) is the page a POST's form is on: a
        session that ended before it was sent signs in again there."""

        async def endpoint(request: Request) -> Response:
            info = await self.session(request)
            if info is None:
                if request.method == "GET":
                    # The query too: a link to "/audit?record=intake:12" lands there.
                    wanted = request.url.path
                    if request.url.query:
                        wanted += "?" + request.url.query
                    target = quote(wanted, safe="/")
                    return RedirectResponse(f"/login?next={target}", status_code=303)
                page = form_page.format(**request.path_params)
                return await self.render(
                    request, "refused.html", None, status_code=403, sign_in_next=page,
                    why="You were signed out (30 minutes unused, or the account was changed), "
                    "so this was not done: nothing was sent or changed. Sign in, then do it "
                    "again.",
                )  # fmt: skip
            if request.method == "POST":
                form = await request.form()
                if not tokens_match(info.csrf_token, form.get(CSRF_FIELD)):
                    return await self.refuse(
                        request, info, "This form has expired. Go back, reload and try again."
                    )
            if not info.account.role.allows(role):
                return await self.refuse(request, info, "Your role does not allow this page.")
            return await handler(request, info)

        return endpoint

    async def refuse(
        self, request: Request, info: SessionInfo | None, why: str, status_code: int = 403
    ) -> Response:
        """403 (or, for a form the console never sends, 400) with a short explanation."""
        return await self.render(request, "refused.html", info, status_code=status_code, why=why)

    # --- signing in -------------------------------------------------------------------

    def _form_token(self, request: Request) -> tuple[str, bool]:
        existing = self.form_cookies.unsign(request.cookies.get(FORM_COOKIE))
        return (existing, False) if existing else (new_form_token(), True)

    def _with_form_cookie(self, response: Response, token: str, fresh: bool) -> Response:
        if fresh:
            response.set_cookie(
                FORM_COOKIE,
                self.form_cookies.sign(token),
                **cookie_options(self.s.https, FORM_TOKEN_MAX_AGE),
            )
        return response

    def _form_ok(self, request: Request, form: FormData) -> bool:
        expected = self.form_cookies.unsign(request.cookies.get(FORM_COOKIE))
        return tokens_match(expected, form.get(CSRF_FIELD))

    async def login_page(self, request: Request) -> Response:
        """The sign-in form."""
        if await self.session(request) is not None:
            return RedirectResponse("/", status_code=303)
        token, fresh = self._form_token(request)
        page = await self.render(
            request, "login.html", None, form_token=token, next=_safe_next(request), error=None
        )
        return self._with_form_cookie(page, token, fresh)

    async def login(self, request: Request) -> Response:
        """Check the password; sign in, refuse, or lock on the tenth wrong one."""
        form = await request.form()
        token, fresh = self._form_token(request)
        if not self._form_ok(request, form):
            return await self.refuse(request, None, "This form has expired. Reload and try again.")
        email = str(form.get("email", ""))
        result = await self.s.accounts.sign_in(
            email, str(form.get("password", "")), self.client(request)
        )
        if result.locked_now is not None:
            await self._report_lock(result.locked_now)
        if result.account is None:
            error = (
                "Too many wrong passwords from this address; wait a few minutes."
                if result.throttled
                else "Wrong e-mail or password, or the account is locked or disabled."
            )
            page = await self.render(
                request, "login.html", None, status_code=401, form_token=token,
                next=_safe_next(request, form), error=error,
            )  # fmt: skip
            return self._with_form_cookie(page, token, fresh)
        await self.s.audit.write(result.account, "sign_in")
        cookie = await self.s.accounts.open_session(result.account)
        response = RedirectResponse(_safe_next(request, form), status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            self.session_cookies.sign(cookie),
            **cookie_options(self.s.https, int(SESSION_LIFETIME.total_seconds())),
        )
        return response

    async def _report_lock(self, account: Account) -> None:
        await self.s.audit.write(account.email, "account_locked", f"staff:{account.id}")
        text = (
            f"Console account {account.email} ({account.role.value}) was locked after "
            "10 wrong passwords. An admin can send a new set-password link from the "
            "console's Staff page."
        )
        try:
            await self.s.notify_staff(text)
        except Exception:  # the lock holds whether or not the chat hears of it
            logger.exception("could not tell the staff chat about a locked account")

    async def logout(self, request: Request, info: SessionInfo) -> Response:
        """End the session and drop the cookie."""
        token = self.session_cookies.unsign(request.cookies.get(SESSION_COOKIE))
        if token:
            await self.s.accounts.close_session(token)
        await self.s.audit.write(info.account, "sign_out")
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    async def set_password_page(self, request: Request) -> Response:
        """The form a one-time link opens."""
        account = await self.s.accounts.account_for_link(request.path_params["token"])
        token, fresh = self._form_token(request)
        page = await self.render(
            request, "set_password.html", None, status_code=200 if account else 404,
            form_token=token, account=account, error=None,
        )  # fmt: skip
        return self._with_form_cookie(page, token, fresh)

    async def set_password(self, request: Request) -> Response:
        """Store the new password (twice typed), then go to sign-in."""
        form = await request.form()
        link = request.path_params["token"]
        if not self._form_ok(request, form):
            return await self.refuse(request, None, "This form has expired. Reload and try again.")
        account = await self.s.accounts.account_for_link(link)
        password = str(form.get("password", ""))
        error = None
        if account is None:
            error = "This link has expired or was already used; ask an admin for a new one."
        elif password != str(form.get("confirm", "")):
            error = "The two passwords differ."
        else:
            try:
                await self.s.accounts.set_password(link, password)
            except AccountError as exc:
                error = str(exc)
        if error is not None:
            token, _ = self._form_token(request)
            return await self.render(
                request, "set_password.html", None, status_code=400, form_token=token,
                account=account, error=error,
            )  # fmt: skip
        assert account is not None
        await self.s.audit.write(account, "set_password", f"staff:{account.id}")
        return RedirectResponse("/login?password=set", status_code=303)

    # --- pages --------------------------------------------------------------------

    async def home(self, request: Request, info: SessionInfo) -> Response:
        """Where each role starts."""
        if info.account.role.allows(Role.CLINICIAN):
            return RedirectResponse("/intakes", status_code=303)
        return RedirectResponse("/appointments", status_code=303)

    async def intakes(self, request: Request, info: SessionInfo) -> Response:
        """The inbox: new first, red flags, consent and contraindications first."""
        rows = await self.s.inbox.rows()
        # The list shows each intake's flags and contraindications: a view of each.
        await self.s.audit.write_many(
            info.account, "list_intake", [f"intake:{row.id}" for row in rows] or [None]
        )
        return await self.render(request, "intakes.html", info, rows=rows)

    def _intake_id(self, request: Request) -> int | None:
        return record_number(request.path_params["intake_id"])

    async def intake(self, request: Request, info: SessionInfo) -> Response:
        """One intake's clinician summary (audited before it is decrypted)."""
        intake_id = self._intake_id(request)
        if intake_id is None:
            return await self.not_found(request, info)
        await self.s.audit.write(info.account, "view_intake", f"intake:{intake_id}")
        detail = await self.s.inbox.detail(intake_id)
        if detail is None:
            return await self.not_found(request, info)
        views = await self.s.audit.recent(50, target=f"intake:{intake_id}")
        return await self.render(request, "intake.html", info, detail=detail, views=views)

    async def intake_reviewed(self, request: Request, info: SessionInfo) -> Response:
        """Mark an intake reviewed (or new again)."""
        intake_id = self._intake_id(request)
        if intake_id is None:
            return await self.not_found(request, info)
        form = await request.form()
        state = form.get("state")
        if state == "new":
            marked, action = await self.s.inbox.mark_new(intake_id), "mark_intake_new"
        elif state == "reviewed":
            marked = await self.s.inbox.mark_reviewed(intake_id, info.account.email)
            action = "mark_intake_reviewed"
        else:
            return await self.refuse(request, info, "Mark the intake reviewed or new.", 400)
        if marked is None:
            return await self.not_found(request, info)
        if marked is Marked.NOW:  # a second click changes nothing: nothing to audit
            await self.s.audit.write(info.account, action, f"intake:{intake_id}")
        return RedirectResponse(f"/intakes/{intake_id}", status_code=303)

    async def intake_fhir(self, request: Request, info: SessionInfo) -> Response:
        """The intake as a FHIR R4 QuestionnaireResponse file."""
        intake_id = self._intake_id(request)
        if intake_id is None:
            return await self.not_found(request, info)
        await self.s.audit.write(info.account, "download_intake_fhir", f"intake:{intake_id}")
        resource = await self.s.inbox.fhir(intake_id)
        if resource is None:
            return await self.not_found(request, info)
        return Response(
            json.dumps(resource, indent=2, ensure_ascii=False),
            media_type="application/fhir+json",
            headers={"content-disposition": f'attachment; filename="intake-{intake_id}.fhir.json"'},
        )

    async def appointments(self, request: Request, info: SessionInfo) -> Response:
        """Today and upcoming appointments per location, with reminder states."""
        groups = await self.s.appointments.groups()
        # Check-in answers (soreness, chest pain) are health information: each shown is audited.
        shown: list[str | None] = [
            f"appointment:{view.appointment.id}"
            for group in groups
            for view in group.rows
            if view.check_in.answered
        ]
        if shown:
            await self.s.audit.write_many(info.account, "view_check_in", shown)
        return await self.render(request, "appointments.html", info, groups=groups)

    async def questions(self, request: Request, info: SessionInfo) -> Response:
        """Unanswered questions grouped, with the nearest FAQ entries."""
        groups = await self.s.questions.groups()
        # Patients type health details among their questions: each one shown is audited.
        shown: list[str | None] = [f"question:{q.id}" for g in groups for q in g.questions]
        await self.s.audit.write_many(info.account, "view_unanswered", shown or [None])
        return await self.render(request, "questions.html", info, groups=groups)

    async def questions_csv(self, request: Request, info: SessionInfo) -> Response:
        """The open questions as a CSV file a spreadsheet opens (each one audited)."""
        groups = await self.s.questions.groups()
        records = sorted(
            (q for group in groups for q in group.questions),
            key=lambda record: record.asked_at,
            reverse=True,
        )
        # A file of what patients typed leaves the console: each question in it is audited.
        exported: list[str | None] = [f"question:{record.id}" for record in records]
        await self.s.audit.write_many(info.account, "export_unanswered", exported or [None])
        return Response(
            unanswered_csv(records, self.s.timezone),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{UNANSWERED_FILE_NAME}"'},
        )

    async def questions_mark(self, request: Request, info: SessionInfo) -> Response:
        """Dismiss a group of questions, or mark it handled."""
        form = await request.form()
        state = str(form.get("state", ""))
        picked = (record_number(v) for v in form.getlist("question") if isinstance(v, str))
        ids = [question_id for question_id in picked if question_id is not None]
        if state not in ("handled", "dismissed") or not ids:
            return await self.refuse(request, info, "Choose questions and what to do with them.")
        marked = await self.s.questions.mark(ids, state, info.account.email)
        if marked:
            await self.s.audit.write_many(
                info.account, f"questions_{state}", [f"question:{n}" for n in marked]
            )
        return RedirectResponse("/questions", status_code=303)

    async def events(
        self,
        request: Request,
        info: SessionInfo,
        *,
        notice: str | None = None,
        status_code: int = 200,
    ) -> Response:
        """Safety alerts, check-ins needing a call and contact requests: time, rule or
        finding, chat and its linked appointments, and a form to write to the patient; no
        patient text."""
        alerts = await self.s.events.recent(ALERT_KINDS)
        contacts = await self.s.events.recent((CONTACT_REQUEST,))
        # Rules name what danger a chat was in (suicide_self_harm): each event shown is audited.
        shown: list[str | None] = [f"event:{event.id}" for event in (*alerts, *contacts)]
        await self.s.audit.write_many(info.account, "view_events", shown or [None])
        appointments = await self._appointments_of((*alerts, *contacts))
        ids = [event.id for event in (*alerts, *contacts)]
        # The conversations under the alerts are the patients' own words: each view audited
        # before they are decrypted.
        with_thread = await self.s.thread.with_messages(ids)
        if with_thread:
            await self.s.audit.write_many(
                info.account, "view_handoff", [f"event:{event_id}" for event_id in with_thread]
            )
        threads = await self.s.thread.of_events(with_thread)
        open_handoffs = await self.s.thread.open_under(ids)
        return await self.render(
            request, "events.html", info, status_code=status_code, alerts=alerts,
            contacts=contacts, appointments=appointments, notice=notice,
            max_message=MAX_MESSAGE_CHARS, can_send=self.s.messenger.send is not None,
            threads=threads, open_handoffs=open_handoffs,
            handoff_hours=_hours(self.s.thread.window),
        )  # fmt: skip

    async def _appointments_of(self, events: tuple[EventRecord, ...]) -> dict[int, list[str]]:
        chats = {event.chat_id for event in events if event.chat_id is not None}
        return await self.s.linked_appointments(chats)

    async def event_reply(self, request: Request, info: SessionInfo) -> Response:
        """Send what staff typed to the alert's chat, as from the clinic team (audited;
        the text is neither logged nor stored)."""
        event_id = record_number(request.path_params["event_id"])
        if event_id is None:
            return await self.not_found(request, info)
        form = await request.form()
        message = form.get("message")
        outcome = await self.s.messenger.write(
            event_id, message if isinstance(message, str) else "", info.account
        )
        return await self._alert_outcome(request, info, event_id, outcome, Outcome.SENT)

    async def event_close(self, request: Request, info: SessionInfo) -> Response:
        """End the conversation under an alert: the patient's messages go to the bot again
        (they are told; audited)."""
        event_id = record_number(request.path_params["event_id"])
        if event_id is None:
            return await self.not_found(request, info)
        outcome = await self.s.messenger.close(event_id, info.account)
        return await self._alert_outcome(request, info, event_id, outcome, Outcome.CLOSED)

    async def _alert_outcome(
        self, request: Request, info: SessionInfo, event_id: int, outcome: Outcome, done: Outcome
    ) -> Response:
        """The Alerts page saying what became of an action on alert `event_id` (400 unless
        it is `done`); not found when there is no such alert."""
        if outcome is Outcome.NO_ALERT:
            return await self.not_found(request, info)
        status = 200 if outcome is done else 400
        return await self.events(
            request, info, notice=outcome_words(outcome, event_id), status_code=status
        )

    async def event_handled(self, request: Request, info: SessionInfo) -> Response:
        """Mark an event handled; one already handled stays as it was (by whom, when),
        and the click is neither a change nor a second audited action."""
        event_id = record_number(request.path_params["event_id"])
        marked = (
            await self.s.events.mark_handled(event_id, info.account.email)
            if event_id is not None
            else None
        )
        if marked is None:
            return await self.not_found(request, info)
        if marked is Marked.ALREADY:
            notice = (
                f"Alert #{event_id} was already marked handled (by whom and when is in its "
                "row); nothing was changed."
            )
            return await self.events(request, info, notice=notice, status_code=409)
        await self.s.audit.write(info.account, "event_handled", f"event:{event_id}")
        return RedirectResponse("/events", status_code=303)

    async def content(self, request: Request, info: SessionInfo) -> Response:
        """The content check, stale clinician reviews and FAQ figures."""
        health = await self.s.content_health.run(self.s.clock().date())
        return await self.render(request, "content.html", info, health=health)

    async def staff(self, request: Request, info: SessionInfo) -> Response:
        """Accounts (admins only)."""
        return await self._staff_page(request, info)

    async def _staff_page(
        self, request: Request, info: SessionInfo, *, link: str | None = None,
        link_for: str | None = None, error: str | None = None, status_code: int = 200,
    ) -> Response:  # fmt: skip
        accounts = await self.s.accounts.all()
        return await self.render(
            request, "staff.html", info, status_code=status_code, accounts=accounts,
            roles=list(Role), link=link, link_for=link_for, error=error,
        )  # fmt: skip

    def _link(self, token: str) -> str:
        return f"{self.s.public_base_url}/set-password/{token}"

    async def staff_add(self, request: Request, info: SessionInfo) -> Response:
        """Add an account and show its one-time set-password link."""
        form = await request.form()
        try:
            role = Role(str(form.get("role", "")))
            account, token = await self.s.accounts.add(str(form.get("email", "")), role)
        except ValueError:
            return await self._staff_page(request, info, error="Choose a role.", status_code=400)
        except AccountError as exc:
            return await self._staff_page(request, info, error=str(exc), status_code=400)
        await self.s.audit.write(info.account, "staff_add", f"staff:{account.id}")
        return await self._staff_page(request, info, link=self._link(token), link_for=account.email)

    async def _account_from_path(self, request: Request) -> Account | None:
        account_id = record_number(request.path_params["account_id"])
        return await self.s.accounts.get(account_id) if account_id is not None else None

    async def staff_disable(self, request: Request, info: SessionInfo) -> Response:
        """Disable an account (its sessions end at once), once the admin has confirmed it
        on a page naming the account: the Disable button alone only asks."""
        account = await self._account_from_path(request)
        if account is None:
            return await self.not_found(request, info)
        if account.id == info.account.id:
            return await self._staff_page(
                request, info, error="You cannot disable your own account.", status_code=400
            )
        form = await request.form()
        if form.get("confirm") != "yes":
            return await self.render(request, "confirm_disable.html", info, account=account)
        try:
            await self.s.accounts.disable(account.email)
        except AccountError as exc:
            return await self._staff_page(request, info, error=str(exc), status_code=400)
        await self.s.audit.write(info.account, "staff_disable", f"staff:{account.id}")
        return RedirectResponse("/staff", status_code=303)

    async def staff_enable(self, request: Request, info: SessionInfo) -> Response:
        """Let a disabled account sign in again."""
        account = await self._account_from_path(request)
        if account is None:
            return await self.not_found(request, info)
        try:
            await self.s.accounts.enable(account.email)
        except AccountError as exc:
            return await self._staff_page(request, info, error=str(exc), status_code=400)
        await self.s.audit.write(info.account, "staff_enable", f"staff:{account.id}")
        return RedirectResponse("/staff", status_code=303)

    async def staff_role(self, request: Request, info: SessionInfo) -> Response:
        """Change an account's role (not one's own: an admin cannot lock themselves out)."""
        account = await self._account_from_path(request)
        if account is None:
            return await self.not_found(request, info)
        if account.id == info.account.id:
            return await self._staff_page(
                request, info, error="You cannot change your own role.", status_code=400
            )
        form = await request.form()
        try:
            role = Role(str(form.get("role", "")))
            await self.s.accounts.set_role(account.email, role)
        except ValueError:
            return await self._staff_page(request, info, error="Choose a role.", status_code=400)
        except AccountError as exc:
            return await self._staff_page(request, info, error=str(exc), status_code=400)
        await self.s.audit.write(info.account, role_action(role), f"staff:{account.id}")
        return RedirectResponse("/staff", status_code=303)

    async def staff_link(self, request: Request, info: SessionInfo) -> Response:
        """A new set-password link (also reopens a locked account once used)."""
        account = await self._account_from_path(request)
        if account is None:
            return await self.not_found(request, info)
        try:
            _, token = await self.s.accounts.reset_link(account.email)
        except AccountError as exc:
            return await self._staff_page(request, info, error=str(exc), status_code=400)
        await self.s.audit.write(info.account, "staff_new_link", f"staff:{account.id}")
        return await self._staff_page(request, info, link=self._link(token), link_for=account.email)

    async def audit(self, request: Request, info: SessionInfo) -> Response:
        """The audit log (admins only): the newest lines, narrowed to one record or one
        person when asked, and older pages after the newest."""
        params = request.query_params
        record = params.get("record", "").strip()[:MAX_FILTER_CHARS] or None
        who = params.get("who", "").strip()[:MAX_FILTER_CHARS] or None
        before = record_number(params.get("before", ""))
        entries = await self.s.audit.recent(AUDIT_PAGE_LINES, target=record, who=who, before=before)
        # Who looked into whose actions is worth knowing too; written after the read, so the
        # page shows the log as it was.
        looked_at = record or (f"who:{who}" if who else None)
        await self.s.audit.write(info.account, "view_audit", looked_at)
        older = None
        if len(entries) == AUDIT_PAGE_LINES:
            filters = {"record": record, "who": who, "before": entries[-1].id}
            older = "/audit?" + urlencode({k: v for k, v in filters.items() if v})
        return await self.render(
            request, "audit.html", info, entries=entries, record=record or "", who=who or "",
            older=older, page_lines=AUDIT_PAGE_LINES, filtered=bool(record or who or before),
        )  # fmt: skip

    async def not_found(self, request: Request, info: SessionInfo | None) -> Response:
        """404 page."""
        return await self.render(request, "not_found.html", info, status_code=404)

    async def unknown(self, request: Request) -> Response:
        """Any other path: anonymous visitors go to sign-in, others get a 404."""
        info = await self.session(request)
        if info is None:
            if request.method == "GET":
                return RedirectResponse("/login", status_code=303)
            return await self.refuse(request, None, "Please sign in first.")
        return await self.not_found(request, info)

    # --- the route table ---------------------------------------------------------------

    def routes(self) -> list[Route | Mount]:
        """Every route, with the role it needs."""
        g = self.guarded
        desk, clinician, admin = Role.FRONT_DESK, Role.CLINICIAN, Role.ADMIN

        def form(path: str, role: Role, handler: Handler, page: str | None = None) -> Route:
            """A form's POST route; `page` is where its form is shown (the path's page)."""
            return Route(path, g(role, handler, page or path.rsplit("/", 1)[0]), methods=["POST"])

        return [
            Route("/login", self.login_page, methods=["GET"]),
            Route("/login", self.login, methods=["POST"]),
            Route("/set-password/{token}", self.set_password_page, methods=["GET"]),
            Route("/set-password/{token}", self.set_password, methods=["POST"]),
            Route("/logout", g(desk, self.logout), methods=["POST"]),
            Route("/", g(desk, self.home), methods=["GET"]),
            Route("/intakes", g(clinician, self.intakes), methods=["GET"]),
            Route("/intakes/{intake_id}", g(clinician, self.intake), methods=["GET"]),
            form("/intakes/{intake_id}/reviewed", clinician, self.intake_reviewed),
            Route("/intakes/{intake_id}/fhir", g(clinician, self.intake_fhir), methods=["GET"]),
            Route("/appointments", g(desk, self.appointments), methods=["GET"]),
            Route("/questions", g(desk, self.questions), methods=["GET"]),
            Route("/questions.csv", g(desk, self.questions_csv), methods=["GET"]),
            form("/questions/mark", desk, self.questions_mark, "/questions"),
            Route("/events", g(desk, self.events), methods=["GET"]),
            form("/events/{event_id}/handled", desk, self.event_handled, "/events"),
            form("/events/{event_id}/reply", desk, self.event_reply, "/events"),
            form("/events/{event_id}/close", desk, self.event_close, "/events"),
            Route("/content", g(desk, self.content), methods=["GET"]),
            Route("/staff", g(admin, self.staff), methods=["GET"]),
            form("/staff", admin, self.staff_add, "/staff"),
            form("/staff/{account_id}/disable", admin, self.staff_disable, "/staff"),
            form("/staff/{account_id}/link", admin, self.staff_link, "/staff"),
            form("/staff/{account_id}/enable", admin, self.staff_enable, "/staff"),
            form("/staff/{account_id}/role", admin, self.staff_role, "/staff"),
            Route("/audit", g(admin, self.audit), methods=["GET"]),
            Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
            Route("/{path:path}", self.unknown, methods=["GET", "POST"]),
        ]


def _hours(window: timedelta) -> str:
    """A handoff window as staff read it ("4 hours", "90 minutes")."""
    minutes = round(window.total_seconds() / 60)
    if minutes % 60:
        return f"{minutes} minutes"
    return "hour" if minutes == 60 else f"{minutes // 60} hours"


def _safe_next(request: Request, form: FormData | None = None) -> str:
    """Where to go after signing in: a local path only (never another site)."""
    raw = str(form.get("next", "")) if form is not None else request.query_params.get("next", "")
    if raw.startswith("/") and not raw.startswith("//") and "\\" not in raw:
        return raw
    return "/"


def create_app(services: ConsoleServices) -> Starlette:
    """The console as an ASGI application."""
    console = Console(services)
    return Starlette(
        routes=console.routes(),
        middleware=[Middleware(SecurityHeaders, https=services.https)],
    )
