"""The emergency screen on the shipped rules: what it must catch and what it must leave alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.safety import (
    EmergencyDetector,
    EmergencyHit,
    SafetyReplies,
    SafetyStage,
    load_emergency_content,
)
from bot.safety.terms import normalise_words

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"

# Written for this test, apart from the rules' own examples: how people report emergencies.
EMERGENCIES = [
    "I suddenly can't control my bladder and my groin is numb",
    "I have chest pain and can't breathe",
    "I want to kill myself",
    "cant controll my blader",
    "i've got a numb bum and can't pee",
    "havent been able to pee all day and my back is agony",
    "I wet myself on the way to work and didnt even feel it",
    "I pooped my pants and didn't realise, my back has been bad",
    "numb down there since this morning",
    "it feels like pins and needles in my private parts",
    "no feeling in my crotch when I wipe",
    "both my legs are numb and tingly",
    "my legs keep giving way under me",
    "my foot flops when I walk, I think it's foot drop",
    "I can't walk since I woke up",
    "my chest feels tight like someone is sitting on it",
    "there's a crushing pain in my chest going down my arm",
    "I had needles near my shoulder blade and now I'm short of breath",
    "I cant breath properly after the IMS this morning",
    "i think i have a pneumothorax",
    "sharp pain when i breathe in after treatment yesterday",
    "tearing pain in my back that came on suddenly",
    "my face is droopy on the left",
    "my speech went slurred an hour ago",
    "I'm seeing double and my neck hurts badly",
    "the worst headache of my life hit me after the neck treatment",
    "I can't swallow and my throat is swelling",
    "my left arm and leg went numb suddenly",
    "I've been having suicidal thoughts",
    "sometimes I think everyone would be better off without me",
    "I don't want to live anymore with this pain",
    "I have a high fever, back pain and my legs are getting weak",
    "I was in a car crash this morning and now my neck is killing me",
    "I fell off the roof yesterday and my back hurts",
    "my tongue is swelling up after the needles",
    "I fainted after my session today",
    "my husband passed out and is unresponsive",
    "I feel really dizzy and my neck hurts after the massage",
    "I'm having trouble breathing",
    "so shortnessof breath since the treatment",
    "i dont wantto live",
    "i have to strain to pee and nothing comes",
    "i can barely walk my leg is so weak",
    "I feel like an elephant is sitting on my chest",
    "my lips are turning blue",
    "I can't find my words",
    "there's no point anymore, I want to disappear",
    "I took too many of my pills on purpose",
    "i feel like im gonna pass out",
    "hi, I had my first IMS session yesterday on my upper back and neck. I was wondering "
    "how long the soreness usually lasts because since last night I have been short of "
    "breath and it hurts to breathe in deeply, is that normal? thanks",
    "Hello! quick question, do you take ICBC claims? Also my back went out on Friday and "
    "since then I can't really feel when I need to pee and it's numb down there. I'd like "
    "to book IMS next week if possible.",
    "can you tell me if IMS is covered by blue cross, I have been so down lately that "
    "I've been thinking about ending my life",
]

# Ordinary questions and complaints a clinic hears every day.
ORDINARY = [
    "what is IMS?",
    "does IMS hurt?",
    "can I do IMS while pregnant?",
    "my back hurts when I sit",
    "how many sessions will I need?",
    "how long is each appointment?",
    "is IMS the same as acupuncture?",
    "what's the difference between IMS and dry needling?",
    "do you direct bill to my insurance?",
    "how much does it cost?",
    "can I book online?",
    "where is the clinic?",
    "are you open on Saturdays?",
    "do I need a doctor's referral?",
    "I'm on warfarin, can I still have IMS?",
    "I'm terrified of needles",
    "I can't stand needles, is there another option?",
    "what should I wear to my session?",
    "can I go to the gym after IMS?",
    "how sore will I be afterwards?",
    "my neck is stiff when I wake up",
    "I have sciatica down my right leg",
    "I get pins and needles in my hand when I type",
    "I have numbness in my toes from a pinched nerve",
    "my shoulder has been frozen for months",
    "can IMS help tennis elbow?",
    "does IMS work for plantar fasciitis?",
    "I can't sleep because of my hip pain",
    "my hamstring is always tight",
    "is IMS safe for teenagers?",
    "can I bring my daughter with me?",
    "how do I cancel my appointment?",
    "I need to reschedule to next week",
    "are the needles sterile and single use?",
    "why doesn't my MRI show anything?",
    "what does the muscle twitch feel like?",
    "is there parking at the clinic?",
    "I'd like to speak to a real person",
    "do you use electrical stimulation with the needles?",
    "my lower back pain goes into my buttock",
    "I had a stroke two years ago and my shoulder is still tight, can IMS help?",
    "I had a car accident in 2019 and my neck has hurt ever since",
    "I was in a car accident five years ago, does ICBC cover IMS?",
    "I fainted at a blood test once, is IMS ok for me?",
    "will I feel faint during the treatment?",
    "I have a collapsed disc at L5",
    "can I do breathing exercises for relaxation before IMS?",
    "how long until I see results?",
    "my leg feels weak after a long run",
    "the pain is killing me, can you fit me in this week?",
]


# What patients type as answers in the intake: none of it is an emergency.
SHORT_ANSWERS = ["no", "yes", "ok", "7/10", "skip", "done", "live", "point", "reason", "end it"]


def test_there_are_enough_cases() -> None:
    assert len(EMERGENCIES) >= 40
    assert len(ORDINARY) >= 40


@pytest.mark.parametrize("text", EMERGENCIES)
def test_emergency_phrasings_trigger(detector: EmergencyDetector, text: str) -> None:
    assert detector.detect(text) is not None, text


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_questions_do_not_trigger(detector: EmergencyDetector, text: str) -> None:
    hit = detector.detect(text)
    assert hit is None, f"{text!r} triggered {hit.rule_id if hit else ''}"


@pytest.mark.parametrize("text", SHORT_ANSWERS)
def test_short_answers_are_not_found_inside_long_phrases(
    detector: EmergencyDetector, text: str
) -> None:
    assert detector.detect(text) is None


def test_suicide_gets_the_crisis_line_and_911(detector: EmergencyDetector) -> None:
    hit = detector.detect("I want to kill myself")
    assert hit is not None and hit.rule_id == "suicide_self_harm"
    assert "9-8-8" in hit.message and "911" in hit.message


def test_suicide_wins_over_a_physical_sign_in_the_same_message(detector: EmergencyDetector) -> None:
    hit = detector.detect("my chest hurts and honestly I want to die")
    assert hit is not None and hit.rule_id == "suicide_self_harm"


def test_general_rules_use_the_general_message(detector: EmergencyDetector) -> None:
    hit = detector.detect("I suddenly can't control my bladder")
    assert hit is not None
    assert "911" in hit.message and "emergency department" in hit.message


def test_chest_symptoms_mention_a_collapsed_lung(detector: EmergencyDetector) -> None:
    hit = detector.detect("I have chest pain since my IMS session")
    assert hit is not None and "collapsed lung" in hit.message


def test_a_denied_sign_is_set_aside(detector: EmergencyDetector) -> None:
    assert detector.detect("I have no chest pain") is None


def test_a_negation_that_is_the_sign_still_triggers(detector: EmergencyDetector) -> None:
    assert detector.detect("I have no feeling in my groin") is not None


def test_a_real_word_listed_as_not_a_typo_is_not_read_as_one(detector: EmergencyDetector) -> None:
    # "ladder" is one letter from "bladder"; listed under not_typos it stays a ladder.
    assert detector.detect("I can't reach the top shelf without a ladder") is None


@pytest.mark.parametrize(
    "text",
    [
        "Before consulting a physiotherapist, do I need a referral?",  # not "convulsing"
        "my teenage crush is coming to the game tonight, back to training after",  # not "crash"
        "my hamstrings are screaming after yesterday, can IMS help?",  # not "streaming"
    ],
)
def test_a_common_word_is_never_read_as_a_typo_of_a_sign(
    bundled_stage: SafetyStage, text: str
) -> None:
    verdict = bundled_stage.screen(text)
    assert verdict is None or verdict.level not in ("emergency", "urgent")


@pytest.mark.parametrize(
    "text",
    [
        "my husband is convlusing on the kitchen floor",
        "my dad colapsed in the garden and is unconsious",
    ],
)
def test_a_misspelt_sign_is_still_forgiven(detector: EmergencyDetector, text: str) -> None:
    assert detector.detect(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\x00\x01\x02\x1b[31m",
        "😀🔥💉",
        "🫁 💔",
        "a" * 10_000,
        "chest " * 2_000,
        "ǅ ß ﬁ İ ı \u200b\u200d\ufeff",
        "'''''''",
        "* = * =",
    ],
)
def test_odd_input_never_raises(detector: EmergencyDetector, text: str) -> None:
    result = detector.detect(text)
    assert result is None or isinstance(result, EmergencyHit)


def test_emergency_at_the_end_of_a_very_long_message(detector: EmergencyDetector) -> None:
    text = "I have a question about my appointment. " * 200 + "I can't breathe"
    hit = detector.detect(text)
    assert hit is not None and hit.rule_id == "breathing"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_detect_never_raises_on_any_text(text: str) -> None:
    detector = _shared_detector()
    result = detector.detect(text)
    assert result is None or isinstance(result, EmergencyHit)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=50), st.integers(0, 3))
def test_an_emergency_survives_surrounding_noise(noise: str, where: int) -> None:
    # Whatever a person writes around it, a clear emergency sentence is still caught, unless
    # the noise happens to spell a laugh or a joke, which the detector sets aside by design
    # ("can't breathe lol" is laughter; the second opinion and the fallback's 911 line are
    # the net for it, tested with the stage).
    assume(_LAUGH_OR_JOKE.search(noise) is None)
    detector = _shared_detector()
    parts = [noise, noise]
    parts.insert(min(where, 2), ". I can't breathe. ")
    assert detector.detect(" ".join(parts)) is not None


_LAUGH_OR_JOKE = re.compile(r"(?i)lol|lmao|ha\s*ha|he\s*he|joke|jok|jk|kid|laugh|mdr")
_DETECTOR: list[EmergencyDetector] = []


def _shared_detector() -> EmergencyDetector:
    # Hypothesis tests cannot take function-scoped fixtures; build the detector once.
    if not _DETECTOR:
        _DETECTOR.append(load_emergency_content(CONTENT_DIR).detector())
    return _DETECTOR[0]


def test_replies_put_the_message_first_and_add_the_clinic_phone() -> None:
    content = load_emergency_content(CONTENT_DIR)
    replies = SafetyReplies(content, "555-0100").emergency(None, message="Call 911 now.")
    assert len(replies) == 1
    reply = replies[0]
    assert reply.text.startswith("Call 911 now.")
    assert "555-0100" in reply.text
    assert reply.buttons == ()
    assert not reply.for_staff


def test_replies_without_a_clinic_phone_are_just_the_message() -> None:
    content = load_emergency_content(CONTENT_DIR)
    for phone in (None, "  "):
        replies = SafetyReplies(content, phone).emergency(None, message="Call 911 now.")
        assert [r.text for r in replies] == ["Call 911 now."]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("I can't pee", ["i", "cant", "pee"]),
        ("I cannot pee", ["i", "cant", "pee"]),
        ("I can not pee", ["i", "cant", "pee"]),
        ("I can’t pee", ["i", "cant", "pee"]),
        ("I can t pee", ["i", "cant", "pee"]),
        ("kill my self", ["kill", "myself"]),
        ("CHEST-PAIN!!!", ["chest", "pain"]),
    ],
)
def test_normalisation_unifies_how_people_type(text: str, words: list[str]) -> None:
    assert normalise_words(text) == words


def test_an_internal_failure_is_swallowed_and_logs_no_patient_text(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    detector = load_emergency_content(CONTENT_DIR).detector()

    def broken(words: list[str]) -> None:
        raise KeyError(" ".join(words))

    monkeypatch.setattr(detector._index, "positions", broken)
    assert detector.detect("my secret symptom text") is None
    assert "emergency screen failed" in caplog.text
    assert "secret" not in caplog.text
