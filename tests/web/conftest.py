"""Fixtures: a runtime with the console on, the console app over it, signed-in clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher

from bot.config import ConsoleSettings, Settings
from bot.faq.pipeline import FaqPipeline
from bot.runtime import Runtime, build_runtime
from bot.web.accounts import Role
from bot.web.app import ConsoleServices, create_app
from bot.web.content_health import ContentHealthCheck
from bot.web.server import build_services
from tests.migrated_db import start_from_migrated
from tests.telegram.conftest import fake_api  # noqa: F401 (the fake Bot API server, shared)
from tests.web.kit import make_account, sign_in

BASE = "https://console.clinic.example"
STAFF_EMAILS = {
    Role.FRONT_DESK: "desk@clinic.example",
    Role.CLINICIAN: "doctor@clinic.example",
    Role.ADMIN: "admin@clinic.example",
}


# Argon2id at its lowest cost: each real hash or check takes about 0.2 s of CPU, and these
# tests make and check a few dozen. The real parameters are tested in test_access.py and
# by every console started as a process.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(autouse=True)
def fast_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process consoles hash passwords cheaply (not for tests marked real_password_hashing)."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        monkeypatch.setattr("bot.web.accounts._HASHER", FAST_HASHER)
        monkeypatch.setattr("bot.web.accounts._DUMMY_HASH", FAST_HASHER.hash("not a password"))


@pytest.fixture
def console_settings(settings: Settings) -> Settings:
    """The shared test settings with the console on (not served: tests call the app)."""
    return replace(
        settings,
        console=ConsoleSettings(enabled=True, public_base_url=BASE, secret_key="s" * 40),
    )


@pytest.fixture
async def console_runtime(
    console_settings: Settings, migrated_database: Path
) -> AsyncIterator[Runtime]:
    """Every feature registered, with the console's staff-note policy."""
    start_from_migrated(migrated_database, console_settings.database_url)
    built = await build_runtime(console_settings)
    try:
        yield built
    finally:
        await built.close()


class StaffChat:
    """Collects the lines the console sends to the staff chat."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    async def __call__(self, text: str) -> None:
        self.lines.append(text)


@pytest.fixture
def staff_chat() -> StaffChat:
    """What the console told the staff chat."""
    return StaffChat()


@pytest.fixture
async def services(
    console_runtime: Runtime, staff_chat: StaffChat
) -> AsyncIterator[ConsoleServices]:
    """The console's services with one account per role."""
    built = build_services(
        console_runtime.settings, console_runtime.content, console_runtime.database, staff_chat
    )
    # The full wording check takes a minute; its result is `ims-bot content check`'s, tested
    # there. The page's own logic is the same with the quick check.
    built.content_health = ContentHealthCheck(
        console_runtime.settings.content_dir,
        lambda: FaqPipeline.from_content(console_runtime.content),
        console_runtime.content.faq,
        quality=False,
    )
    for role, email in STAFF_EMAILS.items():
        await make_account(built.accounts, email, role)
    yield built


ClientFactory = Callable[[Role | None], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def client_as(services: ConsoleServices) -> ClientFactory:
    """An HTTP client on the app, signed in with a role (None: anonymous)."""
    app = create_app(services)

    @asynccontextmanager
    async def open_client(role: Role | None) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            if role is not None:
                response = await sign_in(client, STAFF_EMAILS[role])
                assert response.status_code == 303, response.text
            yield client

    return open_client
