"""The language a rule's hit is told in: a romanised language's terms that are plain English
words ("overdose" among romanised Punjabi's) do not make an English message that language."""

from __future__ import annotations

from bot.safety import EmergencyDetector
from bot.safety.emergency import EmergencyRule, RuleTerms

OVERDOSE = EmergencyRule(
    id="overdose_taken",
    description="Pills taken on purpose.",
    all_of=(("took", "swallowed"), ("pills",), ("all of", "on purpose")),
    translations=(
        RuleTerms("pa", phrases=("overdose", "saariyan goliyan kha laiyan")),
        RuleTerms("fr", phrases=("overdose",)),
    ),
)
DETECTOR = EmergencyDetector((OVERDOSE,), "Call 911 now.")


def _language(text: str) -> str | None:
    hit = DETECTOR.detect(text)
    return None if hit is None else hit.language


def test_english_words_of_a_romanised_language_tag_the_hit_english() -> None:
    assert _language("my coworker overdosed on his meds") == "en"
    assert _language("I took an overdose") == "en"


def test_a_romanised_language_s_own_words_keep_its_tag() -> None:
    assert _language("mere bhra ne saariyan goliyan kha laiyan") == "pa"
    # One word of its own beside the shared one is enough.
    assert _language("bhra ne overdose kar laiya, saariyan goliyan") == "pa"


def test_french_terms_keep_their_language() -> None:
    french = RuleTerms("fr", phrases=("overdose",))
    only_french = EmergencyDetector(
        (EmergencyRule("overdose", "Overdose.", translations=(french,)),), "Appelez le 911."
    )
    hit = only_french.detect("il a fait une overdose")
    assert hit is not None and hit.language == "fr"
