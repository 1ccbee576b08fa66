"""Public health plans have their own entry; private and workplace benefits keep theirs."""

from __future__ import annotations

import pytest

from bot.clinic_content import load_content
from bot.faq.reading import MessageReader
from tests.faq.conftest import CONTENT_DIR


@pytest.fixture(scope="module")
def clinic_reader() -> MessageReader:
    return MessageReader.from_content(load_content(CONTENT_DIR))


@pytest.mark.parametrize(
    "said",
    [
        "will the Ontario health plan pay for my needling",
        "does saskatchewan health pay for IMS",
        "my province's medical plan, does it pay for dry needling at all",
        "is physiotherapy covered by the government in Nova Scotia",
        "we are visiting from the US, would medicare pay for IMS here",
        "i only have my health card, does the province pay for physio",
    ],
)
def test_a_question_about_a_public_plan_gets_the_public_plan_entry(
    clinic_reader: MessageReader, said: str
) -> None:
    assert clinic_reader.read(said).answers == ("public_health_plans",)


@pytest.mark.parametrize(
    "said",
    [
        "is IMS covered",
        "does my insurance cover dry needling",
        "will my work benefits pay for IMS",
        "can you bill blue cross directly",
    ],
)
def test_a_question_about_private_benefits_keeps_the_insurance_entry(
    clinic_reader: MessageReader, said: str
) -> None:
    assert clinic_reader.read(said).answers == ("insurance_coverage",)


def test_the_public_plan_answer_names_plans_and_never_promises_payment() -> None:
    faq = load_content(CONTENT_DIR).faq
    [entry] = [e for e in faq.entries if e.id == "public_health_plans"]
    for plan in ("OHIP", "MSP", "RAMQ", "Medicare", "ACC"):
        assert plan in entry.answer
    assert "Usually not" in entry.answer
    assert "insurance_coverage" in entry.follow_ups
