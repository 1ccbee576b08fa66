"""Look-alike families of round 13's written English set, each beside the same words told with
a sign now: a worry about a sign during a treatment or a story read (no sign of the writer's
told), someone else's scare that turned out to be nothing, a question about what to bring, a
sign denied with "not" at a clause's start. Messages written for these tests."""

from __future__ import annotations

from dataclasses import replace

from bot.safety import EmergencyDetector, SafetyStage
from bot.safety.present import PresentJudge, judge_cues, never_lowered_told
from bot.safety.terms import normalise_words
from tests.safety.kit import screen_level


def test_a_worry_or_a_story_read_about_a_sign_after_a_treatment_does_not_guard(
    detector: EmergencyDetector,
) -> None:
    for worried in (
        "my cousin passed out at a funeral years ago; I'm scared of passing out during IMS",
        "a bit nervous about fainting during the needling, is that common?",
        "I read about a man whose lung collapsed after acupuncture. Does IMS do that?",
    ):
        assert not never_lowered_told(detector.never_lowered, worried, normalise_words(worried))
    for told in (
        "I'm scared of passing out during IMS, I feel faint right now on the table",
        "worried about fainting during the session and now I feel faint after IMS",
        "I'm worried about my breathing after IMS",
        "worried I'm having a stroke since the session",
        "I read about lungs collapsing after IMS, and I'm short of breath since my session",
    ):
        assert never_lowered_told(detector.never_lowered, told, normalise_words(told)), told


def test_a_scare_that_turned_out_to_be_nothing_and_a_question_what_to_bring_are_cues() -> None:
    ended = "dad went to the ER with chest pain, turned out to be heartburn, he's back home"
    assert judge_cues({}, normalise_words(ended))["x checked"]
    bring = "do I need to bring my inhaler to the session?"
    assert judge_cues({}, normalise_words(bring))["x service_question"]
    told = judge_cues({}, normalise_words("my chest is crushing and I can't breathe"))
    assert not told["x checked"] and not told["x service_question"]


def test_a_first_person_sign_now_beside_these_cues_keeps_the_emergency_reply(
    bundled_stage: SafetyStage, judge: PresentJudge
) -> None:
    always = replace(bundled_stage, judge=replace(judge, threshold=0.0))
    for alarmed in (
        "I'm nervous about fainting during IMS and right now I can't breathe",
        "it turned out to be nothing last time but I can't breathe right now",
    ):
        assert screen_level(always, alarmed) == "emergency", alarmed


def test_a_sign_denied_at_a_clauses_start_is_set_aside_by_the_rules(
    rules_stage: SafetyStage,
) -> None:
    for calm in (
        "not dizzy, not short of breath, just a sore neck since my session",
        "not bleeding - just a little bruise where the needle went in",
    ):
        assert screen_level(rules_stage, calm) != "emergency", calm
    # After a verb, or before a loss word, "not" is the sign itself.
    for alarmed in (
        "he is not breathing",
        "I have not been able to pass water since last night",
        "not peeing since this morning and my back is killing me",
        "not sure what's happening chest crushing left arm numb",
    ):
        assert screen_level(rules_stage, alarmed) == "emergency", alarmed


def test_suicidal_thoughts_denied_get_the_crisis_line_not_the_needling_signs(
    bundled_stage: SafetyStage,
) -> None:
    for said in (
        "Not suicidal, just worn out by this sciatica. Is IMS worth a try?",
        "no suicidal thoughts, only tired of the pain",
    ):
        verdict = bundled_stage.screen(said)
        assert verdict is not None and verdict.level == "caution", said
        [line] = verdict.after
        assert "9-8-8" in line.text and "911" in line.text and "IMS" not in line.text
