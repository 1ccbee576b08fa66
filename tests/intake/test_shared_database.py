"""Two bot processes on one SQLite file see each other's open and closed intakes.

Each `Database` here has its own engine and connections, as a second process would: an
intake started or closed through one must route the chat's next message right in the
other (a per-process cache once sent an intake answer to the FAQ).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from bot.intake.repository import IntakeRecord, IntakeRepository
from bot.storage.database import Database, open_database
from bot.storage.encryption import FieldCipher
from bot.storage.intake_tables import IntakeSession
from tests.intake.kit import PATIENT, TEST_KEY, TYPED_PATH, Patient, build_conversation

T = TypeVar("T")


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


@dataclass
class Process:
    """One bot process's view: its repository and a patient talking to its Assistant."""

    repository: IntakeRepository
    patient: Patient


@pytest.fixture
def here_and_there(
    two_databases: tuple[Database, Database], cipher: FieldCipher
) -> tuple[Process, Process]:
    processes = []
    for database in two_databases:
        repository = IntakeRepository(database, cipher)
        processes.append(Process(repository, Patient(build_conversation(database, repository)[0])))
    return processes[0], processes[1]


async def test_an_intake_started_elsewhere_claims_the_next_typed_answer(
    here_and_there: tuple[Process, Process],
) -> None:
    here, there = here_and_there

    assert await here.patient.say("hello") == []  # nothing open: not the intake's text
    await there.patient.command("intake")
    assert await here.repository.has_open(PATIENT)
    opened = await there.repository.latest_open(PATIENT)
    assert opened is not None

    assert await here.patient.say("yes") != []  # the consent answer, taken here
    answered = await there.repository.latest_open(PATIENT)
    assert answered is not None and answered.state.revision > opened.state.revision


async def test_an_intake_closed_elsewhere_no_longer_claims_text(
    here_and_there: tuple[Process, Process],
) -> None:
    here, there = here_and_there

    await here.patient.command("intake")
    assert await here.patient.say("yes") != []  # open here: typed text is an answer
    await there.patient.command("forget")
    await there.patient.tap("Yes, delete everything")
    assert not await here.repository.has_open(PATIENT)
    assert await here.patient.say("42") == []
    assert await here.repository.all() == []


async def test_the_open_intake_read_from_the_file_is_the_one_the_session_reads(
    here_and_there: tuple[Process, Process],
) -> None:
    here, there = here_and_there
    await there.patient.command("intake")
    await there.patient.say("yes")
    direct = await here.repository.latest_open(PATIENT)  # straight from the file
    assert direct is not None
    through_session = await here.repository.get(direct.id)
    assert through_session is not None
    assert direct.updated_at.tzinfo is not None
    assert vars(direct) == vars(through_session)


async def test_answers_typed_in_turn_through_two_processes_build_on_each_other(
    here_and_there: tuple[Process, Process],
) -> None:
    # Each process keeps the state it last wrote; the other's write must replace it.
    here, there = here_and_there
    await here.patient.command("intake")
    revision = 0
    for number, text in enumerate(TYPED_PATH[:8]):
        speaker = here if number % 2 == 0 else there
        assert await speaker.patient.say(text) != []
        mine = await here.repository.latest_open(PATIENT)
        theirs = await there.repository.latest_open(PATIENT)
        assert mine is not None and theirs is not None
        assert vars(mine) == vars(theirs)
        assert mine.state.revision > revision  # each answer taken on the other's last one
        revision = mine.state.revision
    assert mine.state.answers["age"] == 42


class CountingCipher(FieldCipher):
    """Counts decryptions."""

    decrypted = 0

    def decrypt_text(self, token: bytes) -> str:
        self.decrypted += 1
        return super().decrypt_text(token)


async def test_an_answer_does_not_decrypt_the_state_this_process_just_stored(
    two_databases: tuple[Database, Database],
) -> None:
    counting = CountingCipher(TEST_KEY.encode())
    repository = IntakeRepository(two_databases[0], counting)
    patient = Patient(build_conversation(two_databases[0], repository)[0])
    await patient.command("intake")
    for text in TYPED_PATH[:5]:
        assert await patient.say(text) != []
    assert counting.decrypted == 0
    # Written elsewhere (other bytes): decrypted again, once.
    other = IntakeRepository(two_databases[1], counting)
    opened = await other.latest_open(PATIENT)
    assert opened is not None and counting.decrypted == 1
    await other.save(opened)
    again = await repository.latest_open(PATIENT)
    assert again is not None and counting.decrypted == 2
    assert vars(again) == vars(opened)


def test_the_hot_path_record_has_the_table_columns_in_order() -> None:
    columns = tuple(column.key for column in IntakeSession.__table__.columns)
    assert IntakeRecord._fields == columns


async def _while_another_process_writes(path: Path, write: Awaitable[T]) -> T:
    """Run `write` while another connection holds the file's write lock: it must wait in
    the driver's thread (the event loop stays free), then finish once the lock is gone."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    task = asyncio.ensure_future(write)
    await asyncio.sleep(0.2)
    assert not task.done()
    other.execute("COMMIT")
    other.close()
    return await task


async def _consent_is_saved(
    database: Database, cipher: FieldCipher, writer_elsewhere: Path | None = None
) -> None:
    """Start an intake and answer consent: the answer is saved (a newer revision). With
    `writer_elsewhere`, another connection holds that file's write lock meanwhile."""
    repository = IntakeRepository(database, cipher)
    patient = Patient(build_conversation(database, repository)[0])
    await patient.command("intake")
    opened = await repository.latest_open(PATIENT)
    assert opened is not None
    if writer_elsewhere is None:
        assert await patient.say("yes") != []
    else:
        assert await _while_another_process_writes(writer_elsewhere, patient.say("yes")) != []
    answered = await repository.latest_open(PATIENT)
    assert answered is not None and answered.state.revision > opened.state.revision


async def test_a_database_that_is_not_a_file_is_read_and_written_through_the_session(
    cipher: FieldCipher,
) -> None:
    database = await open_database("sqlite+aiosqlite://")
    try:
        repository = IntakeRepository(database, cipher)
        assert database.read_now("SELECT 1") is None  # in memory: no file to read directly
        assert not await repository.has_open(PATIENT)
        await _consent_is_saved(database, cipher)
    finally:
        await database.close()


async def test_an_intake_starts_while_another_process_writes(
    database: Database, database_path: Path, cipher: FieldCipher
) -> None:
    repository = IntakeRepository(database, cipher)
    patient = Patient(build_conversation(database, repository)[0])
    await patient.command("intake")  # the flow version is stored by the first start
    await repository.delete_for_chat(PATIENT)
    assert await _while_another_process_writes(database_path, patient.command("intake")) != []
    opened = await repository.latest_open(PATIENT)
    assert opened is not None
    assert vars(opened) == vars(await repository.get(opened.id))


async def test_an_answer_waits_for_another_writer_instead_of_failing(
    database: Database, database_path: Path, cipher: FieldCipher
) -> None:
    await _consent_is_saved(database, cipher, writer_elsewhere=database_path)
