"""Fixtures for the intake tests: a migrated SQLite file, the encrypted repository, a patient."""

from __future__ import annotations

import pytest

from bot.core.assistant import Assistant
from bot.intake.conversation import IntakeConversation
from bot.intake.repository import IntakeRepository
from bot.storage.database import Database
from bot.storage.encryption import FieldCipher
from tests.intake.kit import TEST_KEY, Patient, RecordingFaq, build_conversation


@pytest.fixture
def cipher() -> FieldCipher:
    return FieldCipher(TEST_KEY.encode())


@pytest.fixture
def repository(database: Database, cipher: FieldCipher) -> IntakeRepository:
    return IntakeRepository(database, cipher)


@pytest.fixture
def faq() -> RecordingFaq:
    return RecordingFaq()


@pytest.fixture
def wired(
    database: Database, repository: IntakeRepository, faq: RecordingFaq
) -> tuple[Assistant, IntakeConversation]:
    return build_conversation(database, repository, faq=faq)


@pytest.fixture
def patient(wired: tuple[Assistant, IntakeConversation]) -> Patient:
    return Patient(wired[0])
