"""The screen's look-ups: context phrases found word by word, rules tried by key word."""

from __future__ import annotations

import itertools

import pytest

from bot.safety.emergency import EmergencyDetector, EmergencyRule, _MarkerSet

PHRASES = ("last year", "used to", "a heart attack", "以前", "in the past")


def _as_substring(marker_set: _MarkerSet, text: str) -> bool:
    return any(phrase in text for phrase in marker_set.padded)


@pytest.mark.parametrize(
    "text",
    [
        " i had it last year ",
        " last year ",
        "last year ",  # no space before: a padded phrase cannot start the text
        " i used  to ",  # two spaces: the phrase's words are not side by side
        " i used to",  # no space after
        " a heart attacks ",
        " had a heart attack yesterday ",
        " 我以前有过 ",
        " in the past and now ",
        " in the ",
        "",
        " ",
    ],
)
def test_found_is_exactly_a_substring_search(text: str) -> None:
    markers = _MarkerSet(PHRASES)
    assert markers.found(text) is _as_substring(markers, text)


def test_found_agrees_with_substrings_on_every_arrangement() -> None:
    markers = _MarkerSet(PHRASES)
    pieces = ["", " ", "  ", "last", "year", "used", "to", "a", "heart", "attack", "x"]
    for words in itertools.product(pieces, repeat=4):
        text = " ".join(words)
        for padded in (text, f" {text} ", f" {text}"):
            assert markers.found(padded) is _as_substring(markers, padded), padded


def _detector(*all_of: tuple[str, ...], phrases: tuple[str, ...] = ()) -> EmergencyDetector:
    rule = EmergencyRule(id="test_rule", description="test", all_of=all_of, phrases=phrases)
    return EmergencyDetector((rule,), "Call 911.")


def test_a_rule_is_tried_when_its_rarest_word_is_present() -> None:
    # "the" starts the term, but only "the worst headache" as a whole fires the rule.
    detector = _detector(phrases=("the worst headache",))
    assert detector.matching_rule_ids("this is the worst headache of my life") == ["test_rule"]
    assert detector.matching_rule_ids("the worst is over") == []
    # A typo of the key word is still found (the key is a term word, typos forgiven).
    assert detector.matching_rule_ids("the worst headahce ever") == ["test_rule"]


def test_every_group_must_be_found_whichever_group_keys_the_rule() -> None:
    detector = _detector(("my", "a"), ("chest pain", "chest pressure"))
    assert detector.matching_rule_ids("my chest pain is back") == ["test_rule"]
    assert detector.matching_rule_ids("chest pain") == []
    assert detector.matching_rule_ids("my back hurts") == []
