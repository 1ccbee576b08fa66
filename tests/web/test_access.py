"""Who may open what: anonymous visitors, roles, CSRF, lock-out, security headers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select
from starlette.routing import Route

import bot.web.accounts as accounts_module
from bot.runtime import Runtime
from bot.storage.console_tables import LoginAttempt, StaffAccount
from bot.web.accounts import LOCK_AFTER_FAILURES, AccountError, Role
from bot.web.app import ConsoleServices, create_app
from tests.web.conftest import BASE, STAFF_EMAILS, ClientFactory, StaffChat
from tests.web.kit import PASSWORD, complete_intake, csrf_of, page_token, sign_in

PUBLIC = {"/login", "/set-password/{token}", "/{path:path}"}
PARAMS = {"intake_id": "1", "event_id": "1", "account_id": "1", "token": "x", "path": "x"}


def protected_routes(services: ConsoleServices) -> list[tuple[str, str]]:
    """(method, path) of every route that needs an account, path parameters filled in."""
    found = []
    for route in create_app(services).routes:
        if not isinstance(route, Route) or route.path in PUBLIC:
            continue
        path = route.path
        for name, value in PARAMS.items():
            path = path.replace("{" + name + "}", value)
        found.extend((method, path) for method in sorted(route.methods or ()) if method != "HEAD")
    return found


async def test_every_page_refuses_an_anonymous_visitor(
    services: ConsoleServices, client_as: ClientFactory, console_runtime: Runtime
) -> None:
    await complete_intake(console_runtime, 4242, urgent=True)
    routes = protected_routes(services)
    assert len(routes) >= 15  # the table really was read
    async with client_as(None) as client:
        for method, path in routes:
            response = await client.request(method, path, data={"state": "reviewed"})
            assert response.status_code in (303, 403), (method, path)
            if response.status_code == 303:
                assert response.headers["location"].startswith("/login"), path
            assert "Intake" not in response.text and "shoulder" not in response.text
        unknown = await client.get("/intakes/1/../../etc/passwd")
        assert unknown.status_code == 303


async def test_front_desk_gets_403_on_intakes_and_admin_pages(
    client_as: ClientFactory, console_runtime: Runtime
) -> None:
    await complete_intake(console_runtime, 4242, urgent=True)
    async with client_as(Role.FRONT_DESK) as desk:
        token = await page_token(desk, "/appointments")
        for path in ("/intakes", "/intakes/1", "/intakes/1/fhir", "/staff", "/audit"):
            response = await desk.get(path)
            assert response.status_code == 403, path
            assert "shoulder" not in response.text.lower()
        posted = await desk.post("/intakes/1/reviewed", data={"csrf_token": token})
        assert posted.status_code == 403
        for path in ("/appointments", "/questions", "/events", "/content"):
            assert (await desk.get(path)).status_code == 200, path
        nav = (await desk.get("/appointments")).text
        assert 'href="/intakes"' not in nav and 'href="/staff"' not in nav
    async with client_as(Role.CLINICIAN) as clinician:
        assert (await clinician.get("/intakes/1")).status_code == 200
        assert (await clinician.get("/staff")).status_code == 403
        assert (await clinician.get("/audit")).status_code == 403
    async with client_as(Role.ADMIN) as admin:
        for path in ("/intakes/1", "/staff", "/audit"):
            assert (await admin.get(path)).status_code == 200, path


async def test_a_record_number_too_large_for_the_database_is_not_found(
    client_as: ClientFactory,
) -> None:
    huge = "9" * 25  # more digits than a database integer holds
    async with client_as(Role.ADMIN) as admin:
        token = await page_token(admin, "/staff")
        for path in (
            f"/events/{huge}/handled",
            f"/events/{huge}/reply",
            f"/staff/{huge}/disable",
            f"/staff/{huge}/enable",
            f"/staff/{huge}/link",
            f"/staff/{huge}/role",
            f"/intakes/{huge}/reviewed",
        ):
            posted = await admin.post(
                path, data={"csrf_token": token, "state": "new", "role": "admin"}
            )
            assert posted.status_code == 404, path
        marked = await admin.post(
            "/questions/mark", data={"csrf_token": token, "state": "handled", "question": huge}
        )
        assert marked.status_code == 403
        assert (await admin.get(f"/intakes/{huge}")).status_code == 404
        assert (await admin.get("/audit", params={"before": huge})).status_code == 200


async def test_a_form_without_its_csrf_token_is_refused(
    client_as: ClientFactory, console_runtime: Runtime, services: ConsoleServices
) -> None:
    await complete_intake(console_runtime, 4242)
    async with client_as(Role.CLINICIAN) as clinician:
        missing = await clinician.post("/intakes/1/reviewed", data={"state": "reviewed"})
        wrong = await clinician.post(
            "/intakes/1/reviewed", data={"state": "reviewed", "csrf_token": "forged"}
        )
        assert missing.status_code == wrong.status_code == 403
        assert "expired" in missing.text
        [row] = await services.inbox.rows()
        assert row.reviewed_at is None  # nothing changed
        signed_out = await clinician.post("/logout")
        assert signed_out.status_code == 403
        assert (await clinician.get("/intakes")).status_code == 200  # still signed in
    async with client_as(None) as anonymous:
        page = await anonymous.get("/login")
        assert page.status_code == 200
        forged = await anonymous.post(
            "/login",
            data={"email": STAFF_EMAILS[Role.ADMIN], "password": PASSWORD, "csrf_token": "x"},
        )
        assert forged.status_code == 403 and "ims_console=" not in forged.headers.get(
            "set-cookie", ""
        )


async def test_the_tenth_wrong_password_locks_the_account_and_admins_are_told(
    client_as: ClientFactory, services: ConsoleServices, staff_chat: StaffChat
) -> None:
    email = STAFF_EMAILS[Role.CLINICIAN]
    async with client_as(None) as client:
        for _ in range(LOCK_AFTER_FAILURES - 1):
            assert (await sign_in(client, email, "wrong password!")).status_code == 401
        assert (await sign_in(client, email)).status_code == 303  # the ninth did not lock
    async with client_as(None) as client:
        for attempt in range(LOCK_AFTER_FAILURES):
            response = await sign_in(client, email, f"wrong {attempt}")
            assert response.status_code == 401
        assert not staff_chat.lines[:0]
        refused = await sign_in(client, email)  # the right password no longer works
        assert refused.status_code == 401
        assert (await client.get("/intakes")).status_code == 303
    [line] = staff_chat.lines
    assert email in line and "locked" in line
    async with client_as(Role.ADMIN) as admin:
        staff_page = await admin.get("/staff")
        assert "Locked after 10 wrong passwords" in staff_page.text and email in staff_page.text
        [locked] = [a for a in await services.accounts.all() if a.email == email]
        token = csrf_of(staff_page.text)
        link_page = await admin.post(f"/staff/{locked.id}/link", data={"csrf_token": token})
        link = link_page.text.split("/set-password/")[1].split("<")[0]
    async with client_as(None) as client:
        form = await client.get(f"/set-password/{link}")
        new_password = "a brand new passphrase"
        await client.post(
            f"/set-password/{link}",
            data={
                "password": new_password,
                "confirm": new_password,
                "csrf_token": csrf_of(form.text),
            },
        )
        assert (await sign_in(client, email, new_password)).status_code == 303


async def test_set_password_link_works_once_and_needs_a_long_password(
    services: ConsoleServices,
) -> None:
    account, link = await services.accounts.add("new@clinic.example", Role.FRONT_DESK)
    app = create_app(services)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        form = await client.get(f"/set-password/{link}")
        assert form.status_code == 200 and account.email in form.text
        token = csrf_of(form.text)
        short = await client.post(
            f"/set-password/{link}",
            data={"password": "short", "confirm": "short", "csrf_token": token},
        )
        assert short.status_code == 400 and "12 characters" in short.text
        # Long enough, but guessed at once: a few characters repeated, or the e-mail's name.
        for weak, why in (
            ("aaaaaaaaaaaaaa", "repeats"),
            ("121212121212", "repeats"),
            ("new@clinic.example!", "e-mail"),
            ("NewNewNew2026", "e-mail"),
        ):
            refused = await client.post(
                f"/set-password/{link}",
                data={"password": weak, "confirm": weak, "csrf_token": token},
            )
            assert refused.status_code == 400 and why in refused.text, weak
        good = "twelve chars and more"
        done = await client.post(
            f"/set-password/{link}", data={"password": good, "confirm": good, "csrf_token": token}
        )
        assert done.status_code == 303
        again = await client.get(f"/set-password/{link}")
        assert again.status_code == 404
        assert (await sign_in(client, account.email, good)).status_code == 303


async def test_disabling_an_account_ends_its_session(
    client_as: ClientFactory, services: ConsoleServices
) -> None:
    async with client_as(Role.FRONT_DESK) as desk:
        assert (await desk.get("/appointments")).status_code == 200
        await services.accounts.disable(STAFF_EMAILS[Role.FRONT_DESK])
        assert (await desk.get("/appointments")).status_code == 303


async def test_an_admin_enables_a_disabled_account_and_changes_roles_audited(
    client_as: ClientFactory, services: ConsoleServices
) -> None:
    desk_email = STAFF_EMAILS[Role.FRONT_DESK]
    await services.accounts.disable(desk_email)
    [desk] = [a for a in await services.accounts.all() if a.email == desk_email]
    [me] = [a for a in await services.accounts.all() if a.role is Role.ADMIN]
    async with client_as(Role.ADMIN) as admin:
        page = await admin.get("/staff")
        assert f'action="/staff/{desk.id}/enable"' in page.text
        token = csrf_of(page.text)
        forged = await admin.post(f"/staff/{desk.id}/enable", data={"csrf_token": "forged"})
        assert forged.status_code == 403
        assert (await services.accounts.get(desk.id)).disabled  # type: ignore[union-attr]
        enabled = await admin.post(f"/staff/{desk.id}/enable", data={"csrf_token": token})
        assert enabled.status_code == 303
        raised = await admin.post(
            f"/staff/{desk.id}/role", data={"csrf_token": token, "role": "clinician"}
        )
        assert raised.status_code == 303
        own = await admin.post(
            f"/staff/{me.id}/role", data={"csrf_token": token, "role": "front_desk"}
        )
        assert own.status_code == 400 and "your own role" in own.text
    now = await services.accounts.get(desk.id)
    assert now is not None and not now.disabled and now.role is Role.CLINICIAN
    async with client_as(Role.FRONT_DESK) as former_desk:  # the same password, a new role
        assert (await former_desk.get("/intakes")).status_code == 200
        token = await page_token(former_desk, "/intakes")
        refused = await former_desk.post(
            f"/staff/{desk.id}/role", data={"csrf_token": token, "role": "admin"}
        )
        assert refused.status_code == 403  # only admins
    actions = [entry.action for entry in await services.audit.recent(target=f"staff:{desk.id}")]
    assert actions[:2] == ["staff_role_clinician", "staff_enable"]


async def test_sign_out_ends_the_session_on_the_server(client_as: ClientFactory) -> None:
    async with client_as(Role.FRONT_DESK) as desk:
        cookie = desk.cookies.get("ims_console")
        token = await page_token(desk, "/appointments")
        assert (await desk.post("/logout", data={"csrf_token": token})).status_code == 303
        desk.cookies.set("ims_console", cookie or "", domain="console.clinic.example")
        assert (await desk.get("/appointments")).status_code == 303  # a copied cookie is dead


async def test_security_headers_and_cookie_flags(client_as: ClientFactory) -> None:
    async with client_as(None) as client:
        page = await client.get("/login")
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
        assert "script-src" not in csp  # no script may run at all
        assert page.headers["x-frame-options"] == "DENY"
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-store"
        assert "max-age" in page.headers["strict-transport-security"]
        signed_in = await sign_in(client, STAFF_EMAILS[Role.ADMIN])
        cookie = signed_in.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "secure" in cookie
        assert "max-age=" in cookie
        assert "<script" not in (await client.get("/staff")).text


async def test_sign_in_never_redirects_to_another_site(client_as: ClientFactory) -> None:
    async with client_as(None) as client:
        page = await client.get("/login?next=//evil.example/")
        response = await client.post(
            "/login",
            data={
                "email": STAFF_EMAILS[Role.ADMIN],
                "password": PASSWORD,
                "csrf_token": csrf_of(page.text),
                "next": "//evil.example/",
            },
        )
        assert response.headers["location"] == "/"


async def test_sign_in_returns_to_the_page_asked_for_with_its_query(
    client_as: ClientFactory,
) -> None:
    """An admin who follows a link to one record's audit lines signs in and lands on
    that record, not on the whole log."""
    async with client_as(None) as client:
        asked = await client.get("/audit?record=intake:12&who=x")
        assert asked.status_code == 303
        response = await sign_in(
            client, STAFF_EMAILS[Role.ADMIN], page_path=asked.headers["location"]
        )
        assert response.headers["location"] == "/audit?record=intake:12&who=x"


async def test_wrong_passwords_from_one_address_are_throttled(
    services: ConsoleServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.web.accounts.ADDRESS_FAILURES_ALLOWED", 3)
    accounts = services.accounts
    for attempt in range(3):  # three different accounts: none of them locks
        email = list(STAFF_EMAILS.values())[attempt]
        assert (await accounts.sign_in(email, "guess", "203.0.113.7")).account is None
    blocked = await accounts.sign_in(STAFF_EMAILS[Role.ADMIN], PASSWORD, "203.0.113.7")
    assert blocked.throttled and blocked.account is None
    elsewhere = await accounts.sign_in(STAFF_EMAILS[Role.ADMIN], PASSWORD, "198.51.100.2")
    assert elsewhere.account is not None


@pytest.mark.usefixtures("services")  # the staff accounts
async def test_sign_in_attempts_are_deleted_after_thirty_days(console_runtime: Runtime) -> None:
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    now = [start]
    dated = accounts_module.StaffAccounts(console_runtime.database, clock=lambda: now[0])
    await dated.sign_in(STAFF_EMAILS[Role.ADMIN], "guess", "203.0.113.7")
    now[0] = start + timedelta(days=29)
    await dated.sign_in(STAFF_EMAILS[Role.ADMIN], PASSWORD, "203.0.113.8")
    async with console_runtime.database.sessions() as session:
        kept = (await session.execute(select(LoginAttempt.client))).scalars().all()
    assert sorted(kept) == ["203.0.113.7", "203.0.113.8"]
    now[0] = start + timedelta(days=31)
    await dated.sign_in(STAFF_EMAILS[Role.ADMIN], PASSWORD, "203.0.113.9")
    async with console_runtime.database.sessions() as session:
        kept = (await session.execute(select(LoginAttempt.client))).scalars().all()
    # The address and e-mail of an attempt a month old are gone; the newer ones stay.
    assert sorted(kept) == ["203.0.113.8", "203.0.113.9"]


@pytest.mark.usefixtures("services")  # the staff accounts
async def test_a_session_ends_after_half_an_hour_unused_and_after_a_working_day(
    console_runtime: Runtime,
) -> None:
    start = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    now = [start]
    dated = accounts_module.StaffAccounts(console_runtime.database, clock=lambda: now[0])
    account = (await dated.sign_in(STAFF_EMAILS[Role.ADMIN], PASSWORD, "192.0.2.9")).account
    assert account is not None
    in_use = await dated.open_session(account)
    left = await dated.open_session(account)
    # Used every 25 minutes, a session lives on; one left unused 31 minutes has ended.
    now[0] = start + timedelta(minutes=25)
    assert await dated.session_for(in_use) is not None
    now[0] = start + timedelta(minutes=31)
    assert await dated.session_for(left) is None
    for minutes in range(50, 8 * 60, 25):
        now[0] = start + timedelta(minutes=minutes)
        assert await dated.session_for(in_use) is not None, minutes
    # However busy, a session ends 8 hours after sign-in.
    now[0] = start + timedelta(hours=8, minutes=1)
    assert await dated.session_for(in_use) is None


@pytest.mark.real_password_hashing
async def test_passwords_are_stored_with_argon2id_at_its_real_cost(
    services: ConsoleServices, console_runtime: Runtime
) -> None:
    real = PasswordHasher()  # the library's RFC 9106 low-memory profile
    params = f"m={real.memory_cost},t={real.time_cost},p={real.parallelism}"
    accounts = services.accounts
    assert (await accounts.sign_in(STAFF_EMAILS[Role.ADMIN], PASSWORD, "192.0.2.1")).account
    assert (await accounts.sign_in("nobody@clinic.example", PASSWORD, "192.0.2.1")).account is None
    async with console_runtime.database.sessions() as session:
        stored = (await session.execute(select(StaffAccount.password_hash))).scalars().all()
    assert len(stored) == len(STAFF_EMAILS)
    for hashed in stored:
        assert hashed is not None and hashed.startswith(f"$argon2id$v=19${params}$"), hashed
    assert accounts_module._DUMMY_HASH.startswith(f"$argon2id$v=19${params}$")


async def test_a_form_sent_after_the_session_ended_says_nothing_was_done_and_leads_back(
    client_as: ClientFactory, services: ConsoleServices
) -> None:
    """A front desk that typed a reply to a patient, or ticked questions, and sent it after
    30 idle minutes (or after an admin changed the account) is told that nothing was sent,
    and the sign-in link brings them back to the page the form was on."""
    async with client_as(Role.FRONT_DESK) as desk:
        token = await page_token(desk, "/events")
        desk.cookies.clear()  # the session ended meanwhile
        for path, back in (
            ("/events/1/reply", "/events"),
            ("/questions/mark", "/questions"),
            ("/intakes/7/reviewed", "/intakes/7"),
            ("/staff/2/role", "/staff"),
        ):
            sent = await desk.post(path, data={"csrf_token": token, "message": "Call us"})
            assert sent.status_code == 403, path
            assert "nothing was sent or changed" in sent.text, path
            assert f'href="/login?next={back}"' in sent.text, (path, sent.text[-600:])
            signed_in = await sign_in(
                desk, STAFF_EMAILS[Role.FRONT_DESK], page_path=f"/login?next={back}"
            )
            assert signed_in.headers["location"] == back
            desk.cookies.clear()


async def test_disable_asks_first_then_acts_once_and_never_takes_the_last_admin(
    client_as: ClientFactory, services: ConsoleServices
) -> None:
    """The Staff page's Disable button only asks, on a page naming the account; the
    account is disabled (and audited) when the admin confirms there, and only once."""
    desk_email = STAFF_EMAILS[Role.FRONT_DESK]
    [desk] = [a for a in await services.accounts.all() if a.email == desk_email]
    async with client_as(Role.ADMIN) as admin:
        token = await page_token(admin, "/staff")
        asked = await admin.post(f"/staff/{desk.id}/disable", data={"csrf_token": token})
        assert asked.status_code == 200 and f"Disable {desk_email}?" in asked.text
        assert 'name="confirm" value="yes"' in asked.text and 'href="/staff"' in asked.text
        assert not (await services.accounts.get(desk.id)).disabled  # type: ignore[union-attr]
        yes = {"csrf_token": token, "confirm": "yes"}
        assert (await admin.post(f"/staff/{desk.id}/disable", data=yes)).status_code == 303
        assert (await services.accounts.get(desk.id)).disabled  # type: ignore[union-attr]
        again = await admin.post(f"/staff/{desk.id}/disable", data=yes)  # a second tab
        assert again.status_code == 400 and "already disabled" in again.text
    actions = [entry.action for entry in await services.audit.recent(target=f"staff:{desk.id}")]
    assert actions.count("staff_disable") == 1
    # The only enabled admin stays, whoever asks (here the command line's way in).
    with pytest.raises(AccountError, match="only enabled admin"):
        await services.accounts.disable(STAFF_EMAILS[Role.ADMIN])
