"""Two bot processes on one SQLite file see each other's open and closed intakes.

Each `Database` here has its own engine and connections, as a second process would: an
intake started or closed through one must route the chat's next message right in the
other (a per-process cache once sent an intake answer to the FAQ).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.intake.repository import IntakeRepository
from bot.storage.database import Database, open_database
from bot.storage.encryption import FieldCipher
from tests.intake.kit import PATIENT, Patient, build_conversation


@pytest.fixture
async def two_databases(tmp_path: Path) -> AsyncIterator[tuple[Database, Database]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shared.sqlite3'}"
    first = await open_database(url)
    second = await open_database(url)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def test_an_intake_started_elsewhere_claims_the_next_typed_answer(
    two_databases: tuple[Database, Database], cipher: FieldCipher
) -> None:
    first, second = two_databases
    here, there = IntakeRepository(first, cipher), IntakeRepository(second, cipher)
    patient_here = Patient(build_conversation(first, here)[0])
    patient_there = Patient(build_conversation(second, there)[0])

    assert await patient_here.say("hello") == []  # nothing open: not the intake's text
    await patient_there.command("intake")
    await patient_there.tap("Continue")
    assert await here.has_open(PATIENT)
    opened = await there.latest_open(PATIENT)
    assert opened is not None

    assert await patient_here.say("yes") != []  # the consent answer, taken here
    answered = await there.latest_open(PATIENT)
    assert answered is not None and answered.state.revision > opened.state.revision


async def test_an_intake_closed_elsewhere_no_longer_claims_text(
    two_databases: tuple[Database, Database], cipher: FieldCipher
) -> None:
    first, second = two_databases
    here, there = IntakeRepository(first, cipher), IntakeRepository(second, cipher)
    patient_here = Patient(build_conversation(first, here)[0])
    patient_there = Patient(build_conversation(second, there)[0])

    await patient_here.command("intake")
    await patient_here.tap("Continue")
    assert await patient_here.say("yes") != []  # open here: typed text is an answer
    await patient_there.command("forget")
    await patient_there.tap("Yes, delete everything")
    assert not await here.has_open(PATIENT)
    assert await patient_here.say("42") == []
    assert await here.all() == []


async def test_open_check_queries_the_session_for_a_database_that_is_not_a_file(
    cipher: FieldCipher,
) -> None:
    database = await open_database("sqlite+aiosqlite://")
    try:
        repository = IntakeRepository(database, cipher)
        assert database.read_now("SELECT 1") is None  # in memory: no file to read directly
        assert not await repository.has_open(PATIENT)
    finally:
        await database.close()
