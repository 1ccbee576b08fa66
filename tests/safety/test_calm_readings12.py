"""Round 11's calm side (issue 17): a sign called fine is denied, a denial of a time before
now is no denial, a `never_lowered` word imagined in a question does not guard, an animal's
emergency at the vet, and sport or game figures. Messages written for these tests."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.safety import SafetyStage, load_emergency_content
from bot.safety.denial import DenialWords, find_denials
from bot.safety.present import PresentJudge, never_judged, never_lowered_told
from bot.safety.terms import normalise_words
from tests.safety.kit import screen_level

REPO = Path(__file__).resolve().parents[2]
WORDS = DenialWords.of(load_emergency_content(REPO / "content").context.grammar.word_lists)


def test_a_sign_called_fine_is_denied_up_to_its_clause() -> None:
    denial = find_denials("lungs are totally fine, just a sore shoulder blade", WORDS)
    assert denial is not None
    assert denial.without_denied == ["just", "a", "sore", "shoulder", "blade"]
    assert denial.without_openers[0] == "lungs"  # the sign's own word stays for the check
    assert find_denials("my breathing is not fine at all", WORDS) is None
    assert find_denials("heart is fine with me, chest crushing", WORDS) is None


@pytest.mark.parametrize(
    "text",
    [
        "breathing's fine, only the spot between my shoulder blades is achy today",
        "my lungs feel fine, heart's ok, just stiff in the upper back after IMS yesterday",
    ],
)
def test_breathing_called_fine_beside_an_ache_is_no_emergency(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) != "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "my breathing is fine but my chest is crushing and I'm sweating",
        "chest feels fine now, but I can't breathe",
        "no chest pain earlier, now it's crushing and spreading to my jaw",
        "no trouble breathing until tonight, now I can't catch my breath",
    ],
)
def test_a_sign_told_beside_a_denial_or_after_a_time_before_stays_an_emergency(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert screen_level(bundled_stage, text) == "emergency"


def test_a_never_lowered_word_imagined_in_a_question_does_not_guard() -> None:
    def guard(words: list[str]) -> bool:
        return "after" in words

    for imagined in (
        "what should I do if I got short of breath after the session?",
        "suppose I felt faint after IMS, do I call you or 911",
    ):
        assert not never_lowered_told(guard, imagined, normalise_words(imagined))
    for told in (
        "short of breath after the session, what should I do?",
        "what do I do if it gets worse, I'm short of breath after IMS",
        "what should I do if I'm short of breath after IMS right now?",
        "not sure if this is normal but I'm short of breath after IMS",
    ):
        assert never_lowered_told(guard, told, normalise_words(told)), told


def test_a_seizure_checked_or_weeks_back_may_be_judged() -> None:
    assert not never_judged("seizure_now", {"x checked": True}, self_harm=False)
    assert not never_judged("someone_collapsed", {"x duration": True}, self_harm=False)
    assert never_judged("seizure_now", {"x other_person": True}, self_harm=False)


def test_an_animals_bleeding_at_the_vet_is_read_calmly(bundled_stage: SafetyStage) -> None:
    calm = "our pony gashed her leg on the fence and is bleeding a lot, vet is on the way"
    verdict = bundled_stage.screen(calm)
    assert verdict is None or verdict.level != "emergency"
    mine = "my pony kicked me and I'm bleeding a lot from my thigh, the vet is here for her"
    verdict = bundled_stage.screen(mine)
    assert verdict is not None and verdict.level == "emergency"


def test_a_hypothetical_after_needling_may_be_lowered_by_the_judgement(
    bundled_stage: SafetyStage, judge: PresentJudge
) -> None:
    said = "if my breathing went funny after tonight's needling, what would you want me to do?"
    always = replace(bundled_stage, judge=replace(judge, threshold=0.0))
    assert screen_level(always, said) == "caution"
    told = "my breathing went funny after tonight's needling, what would you want me to do?"
    assert screen_level(always, told) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "our hockey team gives me chest pains every playoff season, anyway is Monday open?",
        "the league standings are giving me a heart attack, can I book for my neck",
    ],
)
def test_sport_figures_are_no_emergency(bundled_stage: SafetyStage, text: str) -> None:
    assert screen_level(bundled_stage, text) != "emergency"
