"""The screen's look-ups: context phrases found word by word, rules tried by key word."""

from __future__ import annotations

import itertools

import pytest
from rapidfuzz import fuzz, process

from bot.safety import load_emergency_content
from bot.safety.emergency import (
    PHRASE_CUTOFF,
    PHRASE_LENGTH_SLACK,
    EmergencyDetector,
    EmergencyRule,
    _MarkerSet,
)
from bot.safety.terms import non_latin, normalise_words
from tests.safety.conftest import CONTENT_DIR

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


# Every bit set: `matching_language` then tries each of a rule's languages.
_EVERY_LANGUAGE = (1 << 64) - 1


@pytest.fixture(scope="module")
def tiers() -> list[EmergencyDetector]:
    """The bundled emergency and urgent detectors."""
    content = load_emergency_content(CONTENT_DIR)
    assert content.urgent is not None
    return [content.detector(), content.urgent.detector()]


def _rules_tried_one_by_one(detector: EmergencyDetector, text: str) -> list[str]:
    """The rules `text` triggers, every rule and language tried (no key-word look-up)."""
    words = normalise_words(text)
    if not words:
        return []
    typed = detector._typed(words)
    phrase_rules = detector._phrase_rules(" ".join(words))
    return [
        compiled.rule.id
        for number, compiled in enumerate(detector._compiled)
        if compiled.matching_language(typed, number in phrase_rules, _EVERY_LANGUAGE) is not None
    ]


def _phrase_rules_scored_one_by_one(detector: EmergencyDetector, normalised: str) -> set[int]:
    """The rules of the fuzzy phrases that reach the cutoff, every fitting phrase scored
    (no trigram filter)."""
    padded = f" {normalised} "
    fitting = {
        number: phrase
        for number, phrase in enumerate(detector._fuzzy_phrases)
        if len(phrase) <= len(padded) + PHRASE_LENGTH_SLACK
    }
    hits = process.extract(
        padded, fitting, scorer=fuzz.partial_ratio, score_cutoff=PHRASE_CUTOFF, limit=None
    )
    return {detector._fuzzy_phrase_rule[number] for _, _, number in hits}


def test_the_key_word_look_up_finds_every_rule_the_rules_examples_trigger(
    tiers: list[EmergencyDetector],
) -> None:
    # In Latin script a rule's language is tried only when the text holds a phrase's key or
    # a key of every word group: trying every rule and language instead finds the same rules.
    for detector in tiers:
        texts = {
            text
            for rule in detector.rules
            for part in rule.by_language()
            for text in (*part.examples, *part.not_examples)
            if not non_latin(text)
        }
        assert texts
        for text in sorted(texts)[::2]:
            expected = _rules_tried_one_by_one(detector, text)
            assert detector.matching_rule_ids(text) == expected, text


def _slipped(phrase: str) -> list[str]:
    """`phrase` as typed with one slip, run together, cut short or told inside a sentence."""
    middle = len(phrase) // 2
    return [
        phrase[:middle] + phrase[middle + 1 :],
        phrase[: middle - 1] + phrase[middle] + phrase[middle - 1] + phrase[middle + 1 :],
        phrase.replace(" ", "", 1),
        phrase.rsplit(" ", 1)[0],
        f"since this morning {phrase} and it is bad",
    ]


def test_the_trigram_filter_keeps_every_phrase_that_reaches_the_cutoff(
    tiers: list[EmergencyDetector],
) -> None:
    for detector in tiers:
        phrases = [phrase.strip() for phrase in detector._fuzzy_phrases[::5]]
        assert phrases
        for phrase in phrases:
            for text in _slipped(phrase):
                normalised = " ".join(normalise_words(text))
                expected = _phrase_rules_scored_one_by_one(detector, normalised)
                assert detector._phrase_rules(normalised) == expected, text
