"""Small talk in many voices (bot.core.small_talk), and the reply to "are you a bot?"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.assistant import ChatRef
from bot.core.small_talk import small_talk_kind
from bot.faq.unanswered import UnansweredLog
from bot.runtime import Runtime

PATIENT = ChatRef(chat_id=502, first_name="Ana")


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        # thanks in every register
        ("cheers mate", "thanks"),
        ("ta very much", "thanks"),
        ("much obliged", "thanks"),
        ("u r a lifesaver", "thanks"),
        ("thank you for helping me out", "thanks"),
        ("you've been very helpful", "thanks"),
        ("that's all for now, thanks", "thanks"),
        # goodbyes in other words
        ("gotta go", "goodbye"),
        ("i'm off now", "goodbye"),
        ("nice chatting with you", "goodbye"),
        ("see u again soon", "goodbye"),
        ("adios", "goodbye"),
        # greetings that look like questions
        ("how's it going?", "greeting"),
        ("hey, how have you been", "greeting"),
        ("g'day", "greeting"),
        # rudeness and insults
        ("what a waste of time", "rudeness"),
        ("dumb machine", "rudeness"),
        ("are you even listening", "rudeness"),
        ("i'm not happy with this", "rudeness"),
        ("you are useless", "rudeness"),
        ("no help at all", "rudeness"),
        ("thanks for all your help today", "thanks"),
        ("you have been a great help", "acknowledgement"),
        ("this is hopeless", "rudeness"),
        # laughter, smileys
        ("hahaha", "acknowledgement"),
        ("lolol ok", "acknowledgement"),
        (":-)", "acknowledgement"),
        ("<3", "acknowledgement"),
        # asking whether a person answers
        ("are you a bot?", "identity"),
        ("r u human", "identity"),
        ("is this a real person or an AI?", "identity"),
        ("am i talking to a robot", "identity"),
        ("are you a computer or are you a real person", "identity"),
        ("who am I chatting with?", "identity"),
        # said as a statement with a tag, or ending in "or what", or asking who types
        ("you're a machine, aren't you?", "identity"),
        ("ur a chatbot right", "identity"),
        ("is this automated or what", "identity"),
        ("am I talking to a bot or is a person actually replying", "identity"),
        ("wait, are you a robot or is someone actually there?", "identity"),
    ],
)
def test_small_talk_in_many_voices(said: str, kind: str) -> None:
    assert small_talk_kind(said) == kind


@pytest.mark.parametrize(
    "said",
    [
        "can I talk to a real person",  # a request: the contact answer
        "is it real IMS or dry needling",
        "are the needles real",
        "what's going on with my back",
        "how is it done",
        "i have to leave early from my appointment",
        "i'm off work with back pain",
        "see you tomorrow at 3?",
        "is it normal to be sore",
        ":(",  # a sad face is no nod: the reply that names 911
        # Said of oneself, the words of rudeness are low mood, not a complaint about the bot.
        "i am worthless",
        "im hopeless",
        "I'm useless",
        "me? worthless",
        # A plea for help with a greeting or a nod is still a plea.
        "ok i need help",
        "sorry i need help",
        "no i need help now",
        "hey help",
        # Who answers, asked beside a real question or request: the question is answered.
        "you're a bot, so can you move my appointment to friday",
        "is the clinic open saturday or what",
    ],
)
def test_a_message_with_a_question_or_a_worry_is_no_small_talk(said: str) -> None:
    assert small_talk_kind(said) is None


async def test_a_patient_calling_themself_worthless_is_not_told_sorry_for_the_bot(
    runtime: Runtime,
) -> None:
    # Round 18: "i am worthless" got "Sorry I haven't been much help" (read as rudeness).
    replies = await runtime.assistant.handle_text(ChatRef(chat_id=503), "i am worthless")
    text = "\n".join(reply.text for reply in replies)
    assert "much help" not in text
    assert "911" in text
    # "no i need help now" got "Okay! Anything else I can help with?".
    replies = await runtime.assistant.handle_text(ChatRef(chat_id=504), "no i need help now")
    text = "\n".join(reply.text for reply in replies)
    assert not text.startswith("Okay!")
    assert "911" in text


async def test_are_you_a_bot_says_it_is_the_clinics_assistant_and_how_to_reach_a_person(
    runtime: Runtime,
) -> None:
    clinic = runtime.content.clinic
    [reply] = await runtime.assistant.handle_text(PATIENT, "are you a bot?")
    assert "automated assistant" in reply.text and clinic.name in reply.text
    assert clinic.phone in reply.text and clinic.email in reply.text
    assert "faq:human" in [button.action for button in reply.buttons]
    assert await UnansweredLog(runtime.database, retention=timedelta(days=90)).list() == []
