"""Frames a sign is told in (a show, a course, a form, a hypothetical, sport talk): calm only
when nothing in the clause telling the sign reports it now, of oneself or as witnessed."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from bot.safety import SafetyStage
from bot.safety.emergency_content import (
    EMERGENCY_FILE,
    check_emergency_content,
    load_emergency_content,
)


@pytest.mark.parametrize(
    "text",
    [
        "our healer had a literal heart attack when the boss one-shot the tank lol, IMS?",
        "coach says I choked in the final again haha, IMS for my hamstring?",
        "our first aid training says call 911 if bleeding won't stop with pressure. rates?",
        '"I can\'t breathe without you" is on the playlist for the party lol',
        "the season finale had a guy with crushing chest pain, anyway booking Monday",
        "the claim form has checkboxes for heart attack, stroke, seizure disorder. do I tick any?",
        "suppose a patient started bleeding a lot after needling, what's your protocol?",
        "pharmacist here, a customer asked whether to stop their blood thinner before IMS",
    ],
)
def test_a_sign_told_inside_a_frame_is_calm(bundled_stage: SafetyStage, text: str) -> None:
    verdict = bundled_stage.screen(text)
    assert verdict is None or verdict.level not in ("emergency", "urgent"), verdict


@pytest.mark.parametrize(
    "text",
    [
        "I'm watching a movie and my chest is crushing and my left arm is numb",
        # A new event joined by "and" or a comma is not the frame's content.
        "watching a movie and can't breathe",
        "in my first aid course today, chest pain n sob n sweating buckets",
        "the claim form can wait, having chest pains rn",
        # A quotation is someone else's words only where nothing around it is a report.
        "watching a movie and my brother texted me 'thanks for everything, take care of mom', "
        "he gave away his guitar this week",
        "playing video games and my son suddenly started shaking all over and won't respond",
        "filling out the claim form and my chest is getting really tight and I'm sweating",
        "at the hockey game my dad took a puck to the head and he's throwing up and confused",
        "my client's right leg is buckling more and more today, what's your advice",
        "I overdosed on my sleeping pills an hour ago because of the insurance bills",
        "took a hit in the final, I keep throwing up and can't remember the game",
        # The frames' words are English: a French sign is not framed by them.
        "je regarde un film et j'ai une douleur écrasante à la poitrine",
    ],
)
def test_a_report_inside_a_frame_still_gets_the_emergency_reply(
    bundled_stage: SafetyStage, text: str
) -> None:
    verdict = bundled_stage.screen(text)
    assert verdict is not None and verdict.level == "emergency"


def test_a_sign_in_the_same_clause_as_history_after_ago_is_a_report(
    bundled_stage: SafetyStage,
) -> None:
    for text in (
        "had a heart attack 2 years ago, chest is tight and I'm sweating now",
        "had a heart attack 2 years ago chest is tight and sweating",
    ):
        verdict = bundled_stage.screen(text)
        assert verdict is not None and verdict.level == "emergency", text


FILE = """\
reviewed:
  by: Test Reviewer
  on: 2026-01-02
message: Call 911 now.
context:
  word_lists:
    media:
      en: [movie, song]
    sport:
      en: [final, match]
    now_words:
      en: [right now, my chest]
  frames:
    - name: a film or a song
      markers: ["{media}"]
    - name: sport talk
      markers: ["{sport}"]
      signs: ["(choked|choke)"]
    - name: no markers
      signs: ["{nowhere}"]
  frame_breakers: ["{now_words}"]
  frame_typo: []
rules:
  - id: choking
    description: Choking.
    phrases: [choking, choked]
    examples: [he is choking]
  - id: chest_pain
    description: Chest pain.
    phrases: [crushing chest pain]
    examples: [crushing chest pain]
"""


def test_frame_problems_are_reported_at_their_lines(tmp_path: Path) -> None:
    (tmp_path / EMERGENCY_FILE).write_text(textwrap.dedent(FILE), encoding="utf-8")
    found = [(p.line, p.message) for p in check_emergency_content(tmp_path)]
    assert any(line == 19 and "needs 'markers'" in msg for line, msg in found), found
    assert any(line == 20 and "no word list 'nowhere'" in msg for line, msg in found), found
    assert any(line == 22 and "frame_typo" in msg for line, msg in found), found


def test_a_frame_with_signs_frames_only_those_signs(tmp_path: Path) -> None:
    text = FILE.replace('    - name: no markers\n      signs: ["{nowhere}"]\n', "").replace(
        "  frame_typo: []\n", ""
    )
    (tmp_path / EMERGENCY_FILE).write_text(textwrap.dedent(text), encoding="utf-8")
    assert check_emergency_content(tmp_path) == []
    detector = load_emergency_content(tmp_path).detector()
    assert detector.detect("he choked in the final") is None
    assert detector.detect("crushing chest pain in the final") is not None
    assert detector.detect("the movie had crushing chest pain") is None
    assert detector.detect("the movie is on and I have crushing chest pain right now") is not None
