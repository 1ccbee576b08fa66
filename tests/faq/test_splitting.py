"""Two questions in one message (bot.faq.splitting, read by bot.faq.reading)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clinic_content import load_content
from bot.faq.reading import MessageReader
from bot.faq.splitting import shared_question_parts

from .conftest import CONTENT_DIR


@pytest.mark.parametrize(
    ("said", "told"),
    [
        (
            "I have diabetes and I also take heparin, is needling ok?",
            [("I have diabetes", "is needling ok?"), ("I also take heparin", "is needling ok?")],
        ),
        (
            "Mum takes warfarin. Also she's pregnant. Can she have IMS?",
            [("Mum takes warfarin", "Can she have IMS?"), ("she's pregnant", "Can she have IMS?")],
        ),
    ],
)
def test_two_things_told_before_one_question_are_two_questions(
    said: str, told: list[tuple[str, str]]
) -> None:
    assert shared_question_parts(said) == told


@pytest.mark.parametrize(
    "said",
    [
        "can I have IMS and exercise the same day",  # no question after what is told
        "what is it, and does it hurt?",  # two questions: split at the joiner instead
        "My back has been sore since my second baby was born four years ago and I tried "
        "massage, will IMS help?",  # a story: its "and" joins anything
    ],
)
def test_one_thing_told_or_a_story_is_not_split(said: str) -> None:
    assert shared_question_parts(said) == []


@pytest.fixture(scope="module")
def clinic_reader() -> MessageReader:
    return MessageReader.from_content(load_content(Path(CONTENT_DIR)))


@pytest.mark.parametrize(
    ("said", "answers"),
    [
        # one question about two things
        (
            "I take warfarin and I'm also diabetic, is IMS ok for me?",
            ("blood_thinners", "diabetes"),
        ),
        # a later part that points back is read beside the first
        (
            "will it feel better straight away, and how long will it last?",
            ("immediate_results", "results_last"),
        ),
    ],
)
def test_both_answers_in_the_order_asked(
    clinic_reader: MessageReader, said: str, answers: tuple[str, ...]
) -> None:
    assert clinic_reader.read(said).answers == answers


@pytest.mark.parametrize(
    "said",
    [
        "IMS and diabetes: is it safe?",  # the treatment's name is no second thing
        "Sore After IMS? Why That Ache Can Be a Good Sign",  # a heading, not two questions
    ],
)
def test_one_question_keeps_one_answer(clinic_reader: MessageReader, said: str) -> None:
    assert len(clinic_reader.read(said).answers) <= 1
