"""Texting shorthand and slips in the key words of short questions (bot.faq.text)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.clinic_content import load_content
from bot.faq.reading import MessageReader
from bot.faq.text import normalise

from .conftest import CONTENT_DIR


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("how mch is an appt", "how much is an appointment"),
        ("can i bk online", "can i book online"),
        ("wats the cst", "what is the cost"),
        ("do u take insur", "do you take insurance"),
        ("wen r u open", "when are you open"),
        ("is ims gd 4 sciatica", "is ims good for sciatica"),
        ("need 2 cancel my apt", "need to cancel my appointment"),
        ("ims for my 13yo", "ims for my 13 year old"),
        ("how dose it work", "how does it work"),
        ("who dos the needling", "who does the needling"),
        ("does the neeedle hurt", "does the needle hurt"),
    ],
)
def test_shorthand_is_read_as_the_words_it_stands_for(typed: str, read: str) -> None:
    assert normalise(typed) == read


@pytest.mark.parametrize(
    "typed",
    [
        # a digit that counts stays a number
        "i had 4 sessions",
        "my son is 4",
        "about 4 times",
        "i have 2 kids",
        "2 or 3 visits",
        "how 2 weeks",
        # "dose" the noun stays
        "the dose is high",
        "what dose do you use",
        "dos and donts after ims",
    ],
)
def test_numbers_and_real_words_stay_as_typed(typed: str) -> None:
    assert normalise(typed) == typed


@pytest.fixture(scope="module")
def clinic_reader() -> MessageReader:
    return MessageReader.from_content(load_content(Path(CONTENT_DIR)))


@pytest.mark.parametrize(
    ("typed", "entry"),
    [
        ("how mch is a session", "cost"),
        ("ims 4 sciatica?", "conditions_treated"),
        ("how long is the apt", "session_length"),
        ("does the neeedle hurt", "does_it_hurt"),
        ("ims for my 13yo ok?", "children_age"),
        ("how dose ims work", "how_ims_works"),
    ],
)
def test_short_questions_in_shorthand_reach_their_entry(
    clinic_reader: MessageReader, typed: str, entry: str
) -> None:
    assert clinic_reader.read(typed).answers == (entry,)
