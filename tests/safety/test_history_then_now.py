"""Past history told first does not hide a sign told now in a clause of its own."""

from __future__ import annotations

import pytest

from bot.safety import SafetyStage
from bot.safety.emergency import ClauseWords
from bot.safety.readings import WordLists


@pytest.mark.parametrize(
    "text",
    [
        "My dad had a stroke in 2019, his face is drooping on one side",
        "my dad had a stroke in 2019 and his face is drooping",
        "My mom had a heart attack 3 years ago, she has crushing chest pain",
        "I had a stroke last year, my arm is weak and my speech is slurred",
        "he had stents 2 yrs ago. he is sweaty and his chest is crushing, the nitro is not helping",
        "Mon père a fait un AVC en 2019, son visage tombe d'un côté et il parle mal",
        "Ma mère a fait un infarctus il y a 3 ans, elle a une douleur écrasante à la poitrine",
        # A report between questions is read as a sentence of its own.
        "How do I know if it's a collapsed lung? I can't breathe. What should I do?",
        "Comment je sais si. I can't breathe. Comment je sais si",
    ],
)
def test_a_sign_now_after_past_history_gets_the_emergency_reply(
    bundled_stage: SafetyStage, text: str
) -> None:
    verdict = bundled_stage.screen(text)
    assert verdict is not None and verdict.level == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "My dad had a stroke in 2019, can he book IMS?",
        "my dad had a stroke in 2019, his face drooped for weeks, can he come in",
        "I'm on blood thinners since my heart attack, can I still do this?",
        "my dad had a stroke in 2019 and he still has a weak left arm, can IMS help his shoulder",
        "I had a panic attack the last time I got a needle, racing heart, sweaty. Any tips?",
        "Mon père a fait un AVC en 2019, il va bien, peut-il réserver?",
        "Ma mère a fait un infarctus il y a 3 ans, elle a eu une douleur à la poitrine, "
        "peut-elle avoir l'IMS?",
        "what is a thunderclap headache? it's on the list of warning signs in your pamphlet",
        "My dad had a stroke in 2019. His face drooped. Can he book?",
        "tight chest and shoulders after swimming butterfly, its the pecs. can you needle pecs?",
    ],
)
def test_past_history_alone_stays_calm(bundled_stage: SafetyStage, text: str) -> None:
    verdict = bundled_stage.screen(text)
    assert verdict is None or verdict.level != "emergency"


def test_clause_words_come_from_the_clinic_lists() -> None:
    lists = WordLists({"clause_subjects": {"en": ("he", "she")}, "clause_past": {"fr": ("eu",)}})
    words = ClauseWords.of(lists)
    assert words.subjects == {"he", "she"} and words.past == {"eu"}
    assert words.links == frozenset() and words.present == frozenset()
