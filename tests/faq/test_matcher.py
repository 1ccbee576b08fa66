"""Ranking and decisions of the FAQ matcher on patient-style input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clinic_content import load_content
from bot.content.model import FaqContent, FaqEntry
from bot.faq.matcher import (
    CONTENT_WIDE_LEAD,
    LARGE_FAQ_PHRASINGS,
    Candidate,
    FaqMatcher,
    MatchThresholds,
    MatchWeights,
    decide,
)
from bot.faq.policy import LearnedPolicy

from .conftest import SMALL_FAQ, SMALL_SYNONYMS


def best(matcher: FaqMatcher, text: str) -> str:
    ranked = matcher.rank(text)
    assert ranked, f"nothing ranked for {text!r}"
    return ranked[0].faq_id


def test_exact_question_answers_with_a_high_score(small_matcher: FaqMatcher) -> None:
    result = small_matcher.match("Does IMS hurt?")
    assert result.decision == "answer"
    assert result.faq_id == "does_it_hurt"
    assert result.score > 0.9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("does ims hurt alot", "does_it_hurt"),
        ("dose the tretment hurt", "does_it_hurt"),  # typos
        ("are the neeldes sterile", "needles_sterile"),  # transposed letters
        ("sterile needles are they", "needles_sterile"),  # word order
        ("hi there, quick question: how much does a session cost? thanks!", "cost"),
        ("whats the fee", "cost"),  # synonym: fee ~ cost
        ("can i book an appt", "booking"),  # abbreviation from the synonyms
        ("what is gunn intramuscular stimulation", "what_is_ims"),
    ],
)
def test_patient_phrasings_rank_the_right_entry_first(
    small_matcher: FaqMatcher, text: str, expected: str
) -> None:
    assert best(small_matcher, text) == expected


def test_question_inside_a_long_message_is_found(small_matcher: FaqMatcher) -> None:
    story = (
        "I have had a sore lower back for about three years now, since I moved house and "
        "lifted far too many boxes on my own. My physio thinks it might be worth trying "
        "something new and my sister recommended your clinic. Are the needles sterile? "
        "I worry a lot about infections."
    )
    assert best(small_matcher, story) == "needles_sterile"


def test_one_word_query_does_not_answer_a_long_entry_with_full_score(
    small_matcher: FaqMatcher,
) -> None:
    result = small_matcher.match("needles")
    assert result.score < 0.9  # token_set_ratio would say 100 here
    assert result.decision != "answer" or result.score < 0.9


def test_rank_returns_distinct_entries_best_first(small_matcher: FaqMatcher) -> None:
    ranked = small_matcher.rank("how much does IMS cost and does it hurt", limit=5)
    ids = [c.faq_id for c in ranked]
    assert len(ids) == len(set(ids))
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)
    assert all(0.0 <= c.score <= 1.0 for c in ranked)


def test_unrelated_question_falls_back(small_matcher: FaqMatcher) -> None:
    result = small_matcher.match("what will the weather be in Vancouver tomorrow")
    assert result.decision == "fallback"
    assert result.faq_id is None


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂🙂", "???", "\x00\x01", "a", "ok thanks"])
def test_empty_or_symbol_only_input_falls_back(small_matcher: FaqMatcher, text: str) -> None:
    result = small_matcher.match(text)
    assert result.decision == "fallback"
    assert result.faq_id is None


def test_huge_input_is_truncated_not_rejected(small_matcher: FaqMatcher) -> None:
    text = "Does IMS hurt? " + "blah " * 50_000
    assert small_matcher.rank(text)[0].faq_id == "does_it_hurt"


def test_matcher_with_no_entries_always_falls_back() -> None:
    matcher = FaqMatcher([])
    assert matcher.match("does ims hurt").decision == "fallback"
    assert matcher.rank("anything") == []


def candidates(*pairs: tuple[str, float]) -> list[Candidate]:
    return [Candidate(faq_id, score) for faq_id, score in pairs]


THRESHOLDS = MatchThresholds(answer=0.6, suggest=0.4, margin=0.1)


def test_decide_answers_when_confident_and_clear() -> None:
    result = decide(candidates(("a", 0.8), ("b", 0.5)), THRESHOLDS)
    assert (result.decision, result.faq_id, result.score) == ("answer", "a", 0.8)


def test_decide_suggests_when_the_runner_up_is_within_the_margin() -> None:
    result = decide(candidates(("a", 0.8), ("b", 0.75), ("c", 0.3)), THRESHOLDS)
    assert result.decision == "suggest"
    assert result.faq_id is None
    assert [c.faq_id for c in result.suggestions] == ["a", "b"]  # c is below suggest


def test_decide_suggests_between_the_thresholds() -> None:
    result = decide(candidates(("a", 0.5), ("b", 0.45), ("c", 0.41), ("d", 0.4)), THRESHOLDS)
    assert result.decision == "suggest"
    assert [c.faq_id for c in result.suggestions] == ["a", "b", "c"]  # at most three


def test_decide_falls_back_below_suggest() -> None:
    result = decide(candidates(("a", 0.39)), THRESHOLDS)
    assert result.decision == "fallback"
    assert result.faq_id is None
    assert decide([], THRESHOLDS).decision == "fallback"


GATED = MatchThresholds(0.6, 0.4, 0.1, coverage=0.4, clear_lead=0.2)


def test_decide_suggests_when_the_best_entry_covers_too_little_of_the_query() -> None:
    thin = [Candidate("a", 0.8, coverage=0.2), Candidate("b", 0.65)]
    result = decide(thin, GATED)
    assert (result.decision, result.faq_id) == ("suggest", None)
    assert [c.faq_id for c in result.suggestions] == ["a", "b"]
    covered = [Candidate("a", 0.8, coverage=0.4), Candidate("b", 0.65)]
    assert decide(covered, GATED).faq_id == "a"


def test_decide_answers_a_clear_leader_even_below_the_coverage_gate() -> None:
    far_ahead = [Candidate("a", 0.8, coverage=0.2), Candidate("b", 0.6)]
    assert decide(far_ahead, GATED).faq_id == "a"


def test_rank_reports_how_much_of_the_query_an_entry_covers(small_matcher: FaqMatcher) -> None:
    plain = small_matcher.rank("does ims hurt", 1)[0]
    padded = small_matcher.rank("does ims hurt my parrot zebra trombone", 1)[0]
    assert plain.faq_id == padded.faq_id == "does_it_hurt"
    assert plain.coverage == 1.0
    assert 0.0 < padded.coverage < 0.5  # three words the FAQ never uses


def test_thresholds_change_the_decision(small_matcher: FaqMatcher) -> None:
    strict = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, MatchThresholds(0.99, 0.98, 0.0))
    assert small_matcher.match("does the treatment hurt").decision == "answer"
    assert strict.match("does the treatment hurt").decision == "fallback"


def test_from_content_honours_threshold_overrides() -> None:
    entry = FaqEntry("x", "Does IMS hurt?", ("a", "b", "c"), "answer", "cat")
    default = FaqMatcher.from_content(FaqContent((entry,)))
    # A clinic's FAQ also answers from a wide lead (CONTENT_WIDE_LEAD); the defaults do not.
    assert default.thresholds == MatchThresholds(
        wide_lead_margin=CONTENT_WIDE_LEAD, single_wording_lead=0.2, learned=LearnedPolicy()
    )
    tuned = FaqMatcher.from_content(
        FaqContent((entry,), answer_threshold=0.8, suggest_threshold=0.5, margin=0.2)
    )
    assert tuned.thresholds == MatchThresholds(
        0.8,
        0.5,
        0.2,
        wide_lead_margin=CONTENT_WIDE_LEAD,
        single_wording_lead=0.2,
        learned=LearnedPolicy(),
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=3000))
def test_match_never_raises_and_scores_stay_in_range(text: str) -> None:
    matcher = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS)
    result = matcher.match(text)
    assert result.decision in {"answer", "suggest", "fallback"}
    assert 0.0 <= result.score <= 1.0
    assert (result.faq_id is not None) == (result.decision == "answer")
    assert len(result.suggestions) <= 3


def test_a_real_word_is_not_repaired_into_a_stop_word() -> None:
    matcher = FaqMatcher([("kids", ["do you treat kids", "does it suit children"])])
    # One letter from "does", but a patient asking about dogs is not asking about kids.
    analysed = matcher._analyse_query("do you treat dogs")
    assert analysed.repaired == frozenset()
    assert "dog" in analysed.tokens


def test_story_words_in_a_long_message_count_less_than_in_a_short_one() -> None:
    entries = SMALL_FAQ
    story = (
        "my neighbour had it done on her shoulder last winter after skiing and swears by it "
        "so does IMS hurt"
    )
    with_discount = FaqMatcher(entries, SMALL_SYNONYMS).rank(story, 1)[0]
    without = FaqMatcher(entries, SMALL_SYNONYMS, weights=MatchWeights(story_words=1000)).rank(
        story, 1
    )[0]
    assert with_discount.faq_id == without.faq_id == "does_it_hurt"
    assert with_discount.score > without.score
    # A short message with an unknown word keeps its full weight: no discount at all.
    short = "does IMS hurt horses"
    assert (
        FaqMatcher(entries, SMALL_SYNONYMS).rank(short, 1)[0].score
        == FaqMatcher(entries, SMALL_SYNONYMS, weights=MatchWeights(story_words=1000))
        .rank(short, 1)[0]
        .score
    )


def test_a_message_that_is_exactly_a_phrasing_gets_its_entry() -> None:
    # "IMS?" alone is all common words, yet a clinic that lists it as a phrasing means it.
    entries = [
        ("what_is_ims", ["What is IMS?", "IMS?"]),
        ("does_it_hurt", ["does IMS hurt", "is IMS painful"]),
        ("cost", ["how much does IMS cost", "IMS price"]),
    ]
    best_match = FaqMatcher(entries, SMALL_SYNONYMS).match("ims")
    assert best_match.decision == "answer"
    assert best_match.faq_id == "what_is_ims"
    assert best_match.score == 1.0


def test_an_entry_covering_little_of_a_short_query_scores_lower() -> None:
    entries = [*SMALL_FAQ, ("children", ["do you treat kids", "can children have IMS"])]
    full = FaqMatcher(entries).rank("do you treat kids", 1)[0]
    unknown = FaqMatcher(entries).rank("do you treat acne", 1)[0]
    unpenalised = FaqMatcher(entries, weights=MatchWeights(full_coverage=0.0)).rank(
        "do you treat acne", 1
    )[0]
    assert full.faq_id == unknown.faq_id == "children"
    assert full.score == 1.0
    assert unknown.coverage < MatchWeights().full_coverage
    assert unknown.score < unpenalised.score


# -- out-of-scope topics -----------------------------------------------------------------

SHOP_TOPIC = ("shop", ["do you sell tens machines", "can I buy a foam roller", "gift cards"])


def test_an_out_of_scope_topic_ranked_first_falls_back_with_nothing_offered() -> None:
    ranked = [Candidate("shop", 0.9, out_of_scope=True), Candidate("cost", 0.7)]
    result = decide(ranked, THRESHOLDS)
    assert (result.decision, result.faq_id, result.suggestions) == ("fallback", None, ())


def test_an_out_of_scope_runner_up_is_the_rival_for_the_margin() -> None:
    ranked = [Candidate("cost", 0.8), Candidate("shop", 0.75, out_of_scope=True)]
    result = decide(ranked, THRESHOLDS)
    assert result.decision == "suggest"
    assert [c.faq_id for c in result.suggestions] == ["cost"]  # topics are never offered
    clear = [Candidate("cost", 0.8), Candidate("shop", 0.5, out_of_scope=True)]
    answered = decide(clear, THRESHOLDS)
    assert (answered.decision, answered.faq_id) == ("answer", "cost")
    assert [c.faq_id for c in answered.suggestions] == ["cost"]


def test_a_look_alike_question_falls_back_once_its_topic_is_listed() -> None:
    question = "do you sell tens machines"
    entries = [*SMALL_FAQ, ("tens", ["do you use electrical stimulation like tens"])]
    without = FaqMatcher(entries, SMALL_SYNONYMS, THRESHOLDS).rank(question, 3)
    assert without[0].faq_id == "tens" and not without[0].out_of_scope
    matcher = FaqMatcher(entries, SMALL_SYNONYMS, THRESHOLDS, out_of_scope=[SHOP_TOPIC])
    ranked = matcher.rank(question, 3)
    assert (ranked[0].faq_id, ranked[0].out_of_scope) == ("shop", True)
    assert matcher.match(question).decision == "fallback"
    # A clinic question is still answered, and the topic is not an entry id.
    assert matcher.match("how much does a session cost").faq_id == "cost"
    assert "shop" not in matcher.faq_ids


def test_rank_keeps_the_entry_limit_and_at_most_one_topic() -> None:
    topics = [SHOP_TOPIC, ("shop_two", ["do you sell tens units", "tens machines for sale"])]
    matcher = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, out_of_scope=topics)
    ranked = matcher.rank("do you sell tens machines", 2)
    assert sum(c.out_of_scope for c in ranked) == 1
    assert sum(not c.out_of_scope for c in ranked) <= 2
    assert [c.score for c in ranked] == sorted((c.score for c in ranked), reverse=True)


def test_a_real_english_word_is_not_repaired_into_a_faq_word(small_matcher: FaqMatcher) -> None:
    # "prime" is one letter from "price", but it is a word of its own: no slip to repair.
    analysed = small_matcher._analyse_query("who is the prime minister")
    assert analysed.repaired == frozenset()
    assert small_matcher.match("who is the prime minister").decision == "fallback"


def test_a_misspelt_word_is_still_repaired(small_matcher: FaqMatcher) -> None:
    analysed = small_matcher._analyse_query("is the tretment painfull")
    assert "treatment" in analysed.repaired
    # "painfull" stems to "painful" (which keeps its own stem): nothing to repair
    assert "painful" in analysed.tokens


@pytest.mark.parametrize(
    ("said", "entry"),
    [("does ims hrt", "does_it_hurt"), ("cst of ims", "cost")],
)
def test_a_short_question_forgives_a_slip_in_a_three_letter_key_word(
    small_matcher: FaqMatcher, said: str, entry: str
) -> None:
    assert small_matcher.match(said).faq_id == entry


def test_a_three_letter_slip_is_left_alone_in_a_longer_question_or_as_a_word(
    small_matcher: FaqMatcher,
) -> None:
    # Five words and more: a three-letter word has too many neighbours to guess from.
    assert small_matcher._analyse_query("does my ims hrt a lot").repaired == frozenset()
    # "cot" is an English word, not a slip of "cost".
    assert small_matcher._analyse_query("cot for ims").repaired == frozenset()
    assert "hurt" in small_matcher._analyse_query("does ims hrt").repaired


def test_a_word_that_is_no_english_word_counts_less_than_a_real_unknown_word() -> None:
    entries = [
        ("needle_fear", ["I am scared of needles", "afraid of needles", "fear of needles"]),
        ("cost", ["how much does it cost", "what is the price", "fees"]),
    ]
    lenient = FaqMatcher(entries)
    strict = FaqMatcher(entries, weights=MatchWeights(non_word=1.0))
    # "terified" is no word: probably "terrified", so needle_fear should not lose much.
    slip = "im terified of needles"
    assert "terifi" in lenient._analyse_query(slip).non_words
    assert lenient.rank(slip, 1)[0].score > strict.rank(slip, 1)[0].score
    # A real word the FAQ never uses keeps its full weight: it may be the real topic.
    real = "im allergic to needles"
    assert lenient.rank(real, 1)[0].score == strict.rank(real, 1)[0].score


def test_the_question_clause_of_a_long_story_counts_most(small_matcher: FaqMatcher) -> None:
    story = (
        "my chiropractor mentioned gunn ims when i told him my hip has been bugging me "
        "since last winter, sorry if this is silly but what is it?"
    )
    unfocused = FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS, weights=MatchWeights(context=1.0))
    focused_best = small_matcher.rank(story, 1)[0]
    assert focused_best.faq_id == "what_is_ims"
    assert focused_best.score > unfocused.rank(story, 1)[0].score


def test_a_short_message_has_no_question_focus(small_matcher: FaqMatcher) -> None:
    assert small_matcher._question_focus("hi, what is IMS?") is None
    assert small_matcher._question_focus(
        "my back hurts after gardening all weekend, does ims hurt?"
    ) == frozenset(small_matcher._analyse_query("does ims hurt").tokens)


COMPARING_FAQ: list[tuple[str, list[str]]] = [
    (
        "what_is_ims",
        [
            "What is IMS?",
            "what does IMS mean",
            "explain dry needling to me",
            "what is this needle treatment",
            "what kind of therapy is dry needling",
            "tell me about intramuscular stimulation",
        ],
    ),
    (
        "ims_vs_dry_needling",
        [
            "What is the difference between IMS and dry needling?",
            "is IMS the same as dry needling",
            "dry needling vs IMS",
            "how is IMS different from trigger point needling",
            "compare IMS with dry needling",
            "are IMS and dry needling different",
        ],
    ),
    (
        "conditions",
        [
            "What can IMS treat?",
            "is dry needling used for back pain",
            "can IMS help my neck",
            "what problems does dry needling help",
            "does IMS work for sciatica",
            "which conditions do you treat with IMS",
        ],
    ),
]
COMPARING_SYNONYMS = [
    ["ims", "dry needling", "intramuscular stimulation", "trigger point needling"],
    ["difference", "different", "vs", "versus", "compare", "same as"],
]


@pytest.fixture
def comparing_matcher() -> FaqMatcher:
    return FaqMatcher(COMPARING_FAQ, COMPARING_SYNONYMS)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("what is dry needling used for", "conditions"),
        ("what is trigger point needling", "what_is_ims"),
        ("dry needling versus IMS", "ims_vs_dry_needling"),
        ("is IMS different from dry needling", "ims_vs_dry_needling"),
    ],
)
def test_names_of_the_treatment_mean_it_unless_compared(
    comparing_matcher: FaqMatcher, question: str, expected: str
) -> None:
    assert comparing_matcher.rank(question)[0].faq_id == expected


def test_an_entry_is_not_answered_without_the_words_all_its_phrasings_use(
    comparing_matcher: FaqMatcher,
) -> None:
    # Every comparison phrasing asks to compare; a message that does not is never
    # answered with the comparison entry, whatever its score.
    for candidate in comparing_matcher.rank("IMS and dry needling"):
        if candidate.faq_id == "ims_vs_dry_needling":
            assert not candidate.essential_words
    result = comparing_matcher.match("IMS and dry needling")
    assert result.faq_id != "ims_vs_dry_needling"


def test_decide_ignores_a_rival_that_lacks_its_essential_words() -> None:
    ranked = [
        Candidate("a", 0.9),
        Candidate("b", 0.89, essential_words=False),
        Candidate("c", 0.5),
    ]
    assert decide(ranked, MatchThresholds()).faq_id == "a"
    assert decide([Candidate("a", 0.9, essential_words=False)], MatchThresholds()).decision == (
        "suggest"
    )


def test_a_rare_word_a_slip_from_a_common_faq_word_is_read_as_it(
    small_matcher: FaqMatcher,
) -> None:
    # "cots" is a word, but a rare one next to "cost"; "prime" is common: kept as typed.
    assert small_matcher.match("how much does a session cots").faq_id == "cost"
    assert small_matcher.rank("prime")[0].faq_id != "cost" or (
        small_matcher.match("prime").decision == "fallback"
    )


GENERIC_FAQ: list[tuple[str, list[str]]] = [
    (
        "session_length",
        ["How long is a session?", "how long does a visit take", "length of an appointment"],
    ),
    (
        "results_last",
        [
            "How long does the relief last?",
            "how long does it take for the relief to come",
            "will the pain relief wear off",
        ],
    ),
    ("insurance", ["Is IMS covered by my benefits plan?", "does insurance pay", "claim it"]),
]


def test_an_answer_does_not_rest_on_generic_words_alone() -> None:
    matcher = FaqMatcher(GENERIC_FAQ)
    # "long" and "take" fit both entries; a clear lead would still answer.
    assert matcher.match("how long does it take").decision == "suggest"
    assert matcher.match("how long is a session").faq_id == "session_length"
    assert matcher.match("how long does the relief last").faq_id == "results_last"
    [best, *_] = matcher.rank("what are the benefits")
    assert not best.topical
    assert matcher.match("what are the benefits").decision != "answer"


ANCHOR_FAQ: list[tuple[str, list[str]]] = [
    (
        "who_performs",
        [
            "Who performs IMS?",
            "who does the needling at your clinic",
            "is the practitioner certified in IMS",
            "can I choose which practitioner I see",
        ],
    ),
    (
        "benefits",
        ["What are the benefits of IMS?", "why should I get IMS", "what is good about IMS"],
    ),
    ("insurance", ["Is IMS covered by my insurance?", "does insurance pay", "claim it"]),
]


def test_rank_says_when_a_match_rests_on_one_word_of_one_wording() -> None:
    matcher = FaqMatcher(ANCHOR_FAQ)
    by_id = {c.faq_id: c for c in matcher.rank("why choose IMS")}
    assert by_id["who_performs"].anchor_wordings == 1  # "choose": one wording of four
    assert by_id["who_performs"].everyday_anchor
    certified = {c.faq_id: c for c in matcher.rank("is IMS certified")}["who_performs"]
    assert certified.anchor_wordings == 1
    assert not certified.everyday_anchor  # a term, far rarer in English than "choose"
    assert {c.faq_id: c for c in matcher.rank("is the practitioner good")}[
        "who_performs"
    ].anchor_wordings == 2  # "practitioner": two wordings
    # Two topical words shared, or none: the match rests on more than one word.
    assert matcher.rank("can I choose a certified practitioner")[0].anchor_wordings == 0
    assert all(c.anchor_wordings == 0 for c in matcher.rank("does insurance pay"))  # verbatim


def test_decide_suggests_an_answer_resting_on_one_word_of_one_wording_without_a_clear_lead() -> (
    None
):
    checked = MatchThresholds(0.6, 0.4, 0.1, single_wording_lead=0.2)
    close = [Candidate("a", 0.8, anchor_wordings=1, everyday_anchor=True), Candidate("b", 0.65)]
    assert decide(close, checked).decision == "suggest"
    assert [c.faq_id for c in decide(close, checked).suggestions] == ["a", "b"]
    assert decide(close, MatchThresholds(0.6, 0.4, 0.1)).faq_id == "a"  # check off
    far_ahead = [Candidate("a", 0.8, anchor_wordings=1, everyday_anchor=True), Candidate("b", 0.55)]
    assert decide(far_ahead, checked).faq_id == "a"
    two_wordings = [
        Candidate("a", 0.8, anchor_wordings=2, everyday_anchor=True),
        Candidate("b", 0.65),
    ]
    assert decide(two_wordings, checked).faq_id == "a"
    a_term = [Candidate("a", 0.8, anchor_wordings=1), Candidate("b", 0.65)]  # "contraindications"
    assert decide(a_term, checked).faq_id == "a"


VAGUE_FAQ: list[tuple[str, list[str]]] = [
    ("what_is_ims", ["What is IMS?", "what does IMS stand for", "explain IMS to me"]),
    (
        "intake",
        [
            "What are the intake questions for?",
            "what is the purpose of the intake form",
            "why fill in the IMS questionnaire",
        ],
    ),
    (
        "aftercare",
        ["What should I do after IMS?", "what to expect after IMS", "IMS aftercare"],
    ),
    ("sessions", ["How many IMS sessions will I need?", "how often do I come in for IMS"]),
    ("other", ["Do you have parking?", "where do I park"]),
]


def test_a_kind_of_answer_about_the_treatment_alone_is_not_answered() -> None:
    matcher = FaqMatcher(VAGUE_FAQ, [["ims", "dry needling"]])
    # "purpose" and "expect" say what kind of answer is wanted; the treatment's name, used
    # by most entries, says nothing about which: offered, never answered.
    for vague in ("what is the purpose of dry needling", "what to expect with IMS"):
        result = matcher.match(vague)
        assert result.decision != "answer", vague
        assert any(c.vague for c in matcher.rank(vague))
    # With a topic ("after"), the same words still answer.
    assert matcher.match("what should I expect after IMS").faq_id == "aftercare"
    assert matcher.match("what is the purpose of the intake form").faq_id == "intake"


def test_how_often_asks_about_frequency() -> None:
    matcher = FaqMatcher(VAGUE_FAQ, [["ims", "dry needling"]])
    assert matcher.rank("how often should I get dry needling")[0].faq_id == "sessions"


def test_a_wide_lead_answers_below_the_answer_threshold_only_in_known_words() -> None:
    thresholds = MatchThresholds(answer=0.44, suggest=0.41, margin=0.04, wide_lead_margin=0.15)
    known = Candidate("a", 0.42, coverage=0.5)
    # off unless asked for (a clinic's content asks for it)
    off = MatchThresholds(answer=0.44, suggest=0.41, margin=0.04)
    assert decide([known, Candidate("b", 0.25)], off).decision == "suggest"
    assert decide([known, Candidate("b", 0.25)], thresholds).faq_id == "a"
    # not when the runner-up is near, nor when the message has words the FAQ never uses
    assert decide([known, Candidate("b", 0.30)], thresholds).decision == "suggest"
    stranger = Candidate("a", 0.42, coverage=0.5, strangers=1)
    assert decide([stranger, Candidate("b", 0.25)], thresholds).decision == "suggest"
    # below the suggest threshold nothing is answered
    low = Candidate("a", 0.40, coverage=0.5)
    assert decide([low, Candidate("b", 0.1)], thresholds).decision == "fallback"


def test_a_message_about_something_else_counts_its_strange_words(
    small_matcher: FaqMatcher,
) -> None:
    assert small_matcher.rank("how far away is the moon")[0].strangers >= 1
    assert small_matcher.rank("does ims hurt")[0].strangers == 0


def test_the_shipped_faq_stays_far_below_the_large_faq_speed_mode() -> None:
    # The large-FAQ mode reads some questions differently; a clinic adding alternates to a
    # FAQ of the shipped size must not cross into it by accident.
    faq = load_content(Path(__file__).resolve().parents[2] / "content").faq
    phrasings = sum(len(entry.phrasings) for entry in faq.entries)
    phrasings += sum(len(topic.examples) for topic in faq.out_of_scope)
    assert phrasings * 2 <= LARGE_FAQ_PHRASINGS, phrasings
