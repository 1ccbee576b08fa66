"""Normalising, tokenising, stemming, filler and synonyms."""

from __future__ import annotations

from bot.faq.text import (
    MAX_QUERY_CHARS,
    PLACE_WORDS,
    SECOND_NAME_SUFFIX,
    SynonymMap,
    analyse,
    normalise,
    sentences,
    stem,
    truncate,
    words,
)


def test_normalise_lowercases_strips_accents_and_symbols() -> None:
    assert normalise("Café — IMS!!! 🙂 Über-cool") == "cafe ims uber cool"


def test_contractions_expand_so_both_spellings_match() -> None:
    assert normalise("Don't") == normalise("do not")
    assert normalise("I’m scared") == "i am scared"  # typographic apostrophe
    assert normalise("what's IMS") == "what ims"


def test_filler_words_are_dropped() -> None:
    assert words("Hi, quick question please: does it hurt? thanks!") == ["does", "it", "hurt"]


def test_stemming_joins_word_forms() -> None:
    assert stem("needles") == stem("needle")
    assert stem("hurting") == stem("hurts")


def test_multi_word_synonyms_collapse_to_one_token() -> None:
    synonyms = SynonymMap([["ims", "intramuscular stimulation", "gunn ims"]])
    short = analyse("what is IMS", synonyms)
    long = analyse("what is intramuscular stimulation", synonyms)
    gunn = analyse("what is Gunn IMS", synonyms)
    assert short == long == gunn
    assert len(long) == 3


def test_synonym_map_without_groups_changes_nothing() -> None:
    assert SynonymMap().collapse(["a", "b"]) == ["a", "b"]


def test_truncate_keeps_start_and_end_of_a_long_message() -> None:
    text = "Hello there. " + ("My back hurts a lot. " * 200) + "Does IMS hurt?"
    cut = truncate(text)
    assert len(cut) <= MAX_QUERY_CHARS
    assert cut.startswith("Hello there.")
    assert cut.endswith("Does IMS hurt?")
    assert "My back hurts a lot.\nMy back" in cut  # cut at sentence boundaries


def test_truncate_without_spaces_still_bounds_length() -> None:
    assert len(truncate("x" * 10_000)) <= MAX_QUERY_CHARS
    assert truncate("short") == "short"


def test_sentences_split_on_end_punctuation_and_newlines() -> None:
    assert sentences("I hurt my back. Does IMS hurt?\nThanks") == [
        "I hurt my back.",
        "Does IMS hurt?",
        "Thanks",
    ]


def test_contractions_typed_without_apostrophes_expand() -> None:
    assert normalise("whats IMS, im not sure it doesnt hurt") == (
        "what is ims i am not sure it does not hurt"
    )
    assert words("cant I come") == words("can't I come")


def test_words_that_only_look_like_contractions_stay() -> None:
    assert normalise("ill well were id") == "ill well were id"


def test_quickly_is_a_question_word_not_filler() -> None:
    # "how quickly does it work" asks about time to relief; only "quick question" is filler.
    assert words("quick question: how quickly does it work") == [
        "how",
        "quickly",
        "does",
        "it",
        "work",
    ]


def test_chat_shorthands_become_the_words_they_stand_for() -> None:
    assert normalise("need to cancel tmrw, how many sesh") == (
        "need to cancel tomorrow how many session"
    )
    assert normalise("is it 30 mins or 1 hr") == "is it 30 minutes or 1 hour"
    assert normalise("45min, or 2hrs") == "45 minutes or 2 hours"
    # Alone, "min" and "hr" may mean something else: "min age", "can HR see this".
    assert normalise("whats the min age, can HR see this") == "what is the min age can hr see this"
    assert normalise("gf is preggo") == "gf is pregnant"


def test_slash_shorthands_expand_before_symbols_are_dropped() -> None:
    assert normalise("pain w/o injury, came w/ my GP") == "pain without injury came with my gp"
    assert normalise("w/out a referral") == "without a referral"
    assert normalise("and/or") == "and or"  # only "w/" is shorthand


def test_laughter_is_filler() -> None:
    assert words("wat even is ims lol") == words("what is IMS")


def test_saying_one_is_confused_is_filler() -> None:
    # A heading's lead-in ("confused about what dry needling is?") asks nothing itself.
    assert words("confused about how IMS works") == words("about how IMS works")
    assert words("puzzled, is it safe?") == words("is it safe")


def test_a_group_named_two_ways_apart_is_marked_as_named_again() -> None:
    synonyms = SynonymMap([["ims", "dry needling", "intramuscular stimulation"]])
    again = "syn0" + SECOND_NAME_SUFFIX
    assert again in analyse("is IMS the same as dry needling", synonyms)
    assert again not in analyse("what is dry needling", synonyms)
    assert again not in analyse("does IMS hurt? is IMS safe?", synonyms)  # the same name
    # a name spelt out next to its short form is one name
    assert again not in analyse("what is intramuscular stimulation (IMS)", synonyms)


def test_painful_is_not_stemmed_into_pain() -> None:
    # "is it painful" asks whether it hurts; "pain" is what nearly every question is about.
    assert stem("painful") == stem("painfully") != stem("pain")
    assert stem("pains") == stem("pain")


def test_chat_spellings_and_places() -> None:
    assert normalise("y does it hurt") == "why does it hurt"
    assert normalise("gotta resched sry") == "gotta reschedule sorry"
    assert "edmonton" in PLACE_WORDS and "ims" not in PLACE_WORDS


def test_slips_in_short_key_words_read_as_the_word() -> None:
    # Too short for the matcher's typo repair, or a stop word it never repairs towards.
    assert normalise("how mutch 4 a visit") == "how much for a visit"
    assert normalise("can i bok online, how mcuh") == "can i book online how much"
    assert normalise("excersises for my neck") == "exercises for my neck"
