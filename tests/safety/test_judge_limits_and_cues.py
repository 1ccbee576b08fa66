"""The judgement's limits (a self-harm cue, a seizure or a collapse told as now) and its own
cues (a time back, a check done, a turn to the service). Messages written for these tests."""

from __future__ import annotations

from dataclasses import replace

from bot.safety import SafetyStage
from bot.safety.present import (
    PresentJudge,
    judge_cues,
    never_judged,
)
from bot.safety.terms import normalise_words


def test_a_self_harm_cue_is_never_judged_whatever_the_rule() -> None:
    assert never_judged("suicide_self_harm", {"past": True}, self_harm=True)
    assert never_judged("chest_pain", {}, self_harm=True)


def test_a_seizure_or_collapse_is_judged_only_where_context_says_not_now() -> None:
    for rule in ("seizure_now", "someone_collapsed"):
        assert never_judged(rule, {"reports_now": True, "present": True}, self_harm=False)
        assert not never_judged(rule, {"framed": True}, self_harm=False)
        assert not never_judged(rule, {"past": True, "present": True}, self_harm=False)
    assert not never_judged("chest_pain", {"reports_now": True}, self_harm=False)


def test_a_seizure_told_in_a_story_may_still_be_judged(
    bundled_stage: SafetyStage, rules_stage: SafetyStage, judge: PresentJudge
) -> None:
    said = "in the episode last night the goalie had a seizure on the ice, do you treat hockey?"
    before = rules_stage.screen(said)
    assert before is not None and before.level == "emergency"  # what the rules alone say
    always = replace(bundled_stage, judge=replace(judge, threshold=0.0))
    verdict = always.screen(said)
    assert verdict is not None and verdict.level == "caution"


def test_the_judgements_own_cues() -> None:
    said = "my horse threw me last week, got checked at the ER, anyway can I book a session?"
    cues = judge_cues({"past": False}, normalise_words(said))
    assert cues["past"] is False  # the screen's cues are kept as they are
    for name in ("duration", "checked", "topic_turn", "booking", "other_person"):
        assert cues[f"x {name}"] is (name != "other_person"), name
    plain = judge_cues({}, normalise_words("crushing chest pain and sweating"))
    assert not any(plain.values())


def test_the_cues_of_real_public_wording() -> None:
    said = {
        "generic": "a clot in the lung can cause sudden breathlessness in some people",
        "scenario": "picture this: you find a runner on the trail who isn't breathing",
        "story": "that night I remember the ambulance, it was years ago",
    }
    for name, text in said.items():
        cues = judge_cues({}, normalise_words(text))
        assert [key for key in ("generic", "scenario", "story") if cues[f"x {key}"]] == [name]
    told = judge_cues({}, normalise_words("my chest is crushing and I can't breathe"))
    assert not any(told[f"x {key}"] for key in ("generic", "scenario", "story"))


def test_a_collapse_in_a_story_or_a_scenario_may_be_judged() -> None:
    for cue in ("x story", "x scenario"):
        assert not never_judged("someone_collapsed", {cue: True}, self_harm=False)
