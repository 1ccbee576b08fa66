"""Settled conditions, money and sport idioms, positional numbness and procedural questions
in English and French, against the same words told as an emergency now (the whole
tests/data/safety_fa5.yaml set runs in test_english_kinds).
"""

from __future__ import annotations

import pytest

from bot.safety import SafetyStage
from tests.safety.kit import screen_level


@pytest.mark.parametrize(
    "text",
    [
        "the parking fees nearly gave me a heart attack, is there free parking?",
        "I'm choking on the tax receipts you asked for, can I bring them next time?",
        "we ran suicides all practice and my shins hurt",
        "my hand goes numb when I sleep on it and comes back when I move it, is that a nerve?",
        "my aunt has had COPD for years and is always a bit short of breath, that's just how "
        "she is. can she book IMS?",
        "the ER ruled out a heart attack, it was a pulled chest muscle. do you treat that?",
        "I fainted at a flu shot years ago, how do I make sure it doesn't happen again?",
        "what if someone stops breathing on the table, do you have a defibrillator?",
    ],
)
def test_idioms_settled_states_and_procedural_questions_are_not_emergencies(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) != "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "the ER ruled out a heart attack last week but now I have crushing chest pain",
        "my husband's breathlessness is his normal, but he's gasping and his lips are blue",
        "I'm choking on a candy and can't breathe",
        "I overdosed on my pain pills because the bills are too much",
        "went numb on the bike saddle and it hasn't come back, and I can't feel when I pee",
        "he collapsed and isn't breathing, what if he dies?",
        "j'ai eu un pontage il y a cinq ans et là j'ai une douleur écrasante à la poitrine",
        "my cardiologist says my heart is fine. now crushing chest pain and I'm clammy",
    ],
)
def test_the_same_words_never_hide_an_emergency_now(bundled_stage: SafetyStage, text: str) -> None:
    assert screen_level(bundled_stage, text) == "emergency"
