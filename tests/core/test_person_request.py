"""A message asking for a person, told from an answer that mentions people."""

from __future__ import annotations

import pytest

from bot.core.person_request import asks_for_a_person


@pytest.mark.parametrize(
    "text",
    [
        "talk to a person",
        "Can I speak to someone?",
        "I'd like to speak with the receptionist please",
        "real human pls",
        "human",
        "get me a person",
        "connect me with the front desk",
        "could someone from the clinic call me back",
        "hi, is there someone I can talk to",
        "je veux parler à quelqu'un",
        "Est-ce que je peux parler à un humain?",
    ],
)
def test_a_request_for_a_person(text: str) -> None:
    assert asks_for_a_person(text)


@pytest.mark.parametrize(
    "text",
    [
        "to talk to people without pain",  # a goal
        "speak to my doctor first",
        "talk to my family doctor",
        "when I talk to people my jaw hurts",
        "physio",  # an answer to "which treatments have you tried?"
        "the clinic",
        "someone else",  # who fills in the form
        "talk",
        "parler",
        "7",
        "",
    ],
)
def test_an_answer_that_mentions_people_is_no_request(text: str) -> None:
    assert not asks_for_a_person(text)
