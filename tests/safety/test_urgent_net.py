"""The urgent net: a present health problem no rule or FAQ entry answers gets same-day advice,
never a plain "I don't know"; ordinary questions and things that are not a report do not."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.safety import SafetyStage, check_emergency_content
from bot.safety.emergency_content import EMERGENCY_FILE
from bot.safety.stage import PRESENT_PROBLEM


@pytest.mark.parametrize(
    "text",
    [
        "since the needling on Tuesday my knee has swollen up and I can't bend it",
        "I've been throwing up since last night and can't keep water down",
        "woke up with my whole forearm swollen and tight after IMS on my elbow",
        "ankle is purple and swollen after I twisted it this morning, cant put weight on it",
        "my toddler has had diarrhea all day and isn't peeing much",
        # pain that nothing eases (not pain alone: see below)
        "painkillers are not helping my shoulder pain since the fall yesterday",
        # a sign that will not end is no calm "goes away"
        "my knee has been swollen and stiff since the fall and it won't go away",
        "my ankle is still puffy, it never went away after the sprain last night",
    ],
)
def test_a_present_problem_no_rule_names_gets_the_urgent_reply(
    rules_stage: SafetyStage, bundled_stage: SafetyStage, text: str
) -> None:
    assert rules_stage.screen(text) is None  # no rule names it ...
    assert rules_stage.replies.unplaced_urgent_rule(text) == PRESENT_PROBLEM  # ... the net does
    verdict = bundled_stage.screen(text)  # (the second opinion may give it at once, named so)
    assert verdict is None or (verdict.level, verdict.rule_id) == (
        "urgent",
        "present_problem, unplaced",
    )
    found = rules_stage.replies.urgent_fallback(text, chat_id=7)
    assert found is not None
    replies = found[0]
    assert "8-1-1" in replies[0].text and "911" in replies[0].text
    assert any(reply.for_staff for reply in replies)


@pytest.mark.parametrize(
    "text",
    [
        "can IMS help with swelling in my knee?",
        "why is my dog vomiting after eating",
        "what do you do if you can't stop vomiting",
        "i need the temperature set at 70 f",
        "my bank account is bleeding after all these sessions haha",
        "I have no weakness in my legs, just a dull ache in the hip",
        "had a blood clot in my leg in 2020, been on blood thinners since, ok to have IMS?",
        "a small bruise came up where you needled my shoulder, not spreading",
        "my hands go numb at night when I sleep on them and come back when I shake them out",
        "my elbow was swollen yesterday but it went away",
        "my fingers tingle when I hold my phone and it goes away when I put it down",
        "in the show the guy's arm is swollen and purple, gross. booking Friday",
        "my shoulder is sore since the hockey game last night",
        "I've had back pain for years and nothing helps, is IMS worth trying?",
    ],
)
def test_what_is_not_a_present_problem_keeps_its_reply(
    bundled_stage: SafetyStage, text: str
) -> None:
    assert bundled_stage.replies.unplaced_urgent_rule(text) is None


def test_an_urgent_net_without_patterns_is_reported_at_its_line(tmp_path: Path) -> None:
    (tmp_path / EMERGENCY_FILE).write_text(
        textwrap.dedent(
            """\
            reviewed:
              by: Test Reviewer
              on: 2026-01-02
            message: Call 911 now.
            context:
              urgent_net:
                name: a present problem
                none_of: ["lol"]
                also: [x]
            rules:
              - id: choking
                description: Choking.
                phrases: [choking]
                examples: [he is choking]
            """
        ),
        encoding="utf-8",
    )
    found = [(p.line, p.message) for p in check_emergency_content(tmp_path)]
    assert any(line == 6 and "'urgent_net' needs 'all_of'" in msg for line, msg in found), found
    assert any(line == 9 and "also" in msg for line, msg in found), found
