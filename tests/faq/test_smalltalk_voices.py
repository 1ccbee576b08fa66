"""Small talk as people type it in a clinic chat, English and French, and its look-alikes.

Every message of SMALL_TALK is read as small talk (a short friendly reply with the menu,
never the fallback, never kept as unanswered); every message of NOT_SMALL_TALK asks a real
question, asks for a person or says something worrying, and must not be swallowed as a
nod. Written for round 20 in our own words; no sentence comes from a benchmark set.
"""

from __future__ import annotations

from datetime import timedelta

from bot.core.assistant import ChatRef
from bot.core.replies import Reply
from bot.faq.replies import ENGLISH_TEXTS, FRENCH_TEXTS
from bot.faq.unanswered import UnansweredLog
from bot.runtime import Runtime

SMALL_TALK = [
    # greetings, stretched, with emoji, with the time of day
    "heyyy",
    "hiii there 👋",
    "👋",
    "hello?",
    "helloooo",
    "yo",
    "hey hey",
    "hi, good afternoon",
    "evening!",
    "morning 🙂",
    "good morning!",
    "hi again",
    "hey you",
    "hi there, how's your day going",
    "whats up",
    # is someone there, is this a bot
    "you there?",
    "anybody home?",
    "is this a bot?",
    "are you a real person?",
    "r u a robot lol",
    "am i chatting with a machine?",
    "so you're just an AI then",
    "are you human or not",
    # thanks, typed fast, with typos, with a name
    "thx!!",
    "tyvm",
    "thnks",
    "thankss",
    "thank u sooo much",
    "thanks a bunch",
    "appreciate it",
    "much appreciated!",
    "perfect thank you so much!!",
    "ok ty",
    "thanks, Maria",
    "cheers, Tom",
    "thank you! - Linda",
    "thanks for your time",
    "thank you for the quick reply",
    "great, thanks for the info",
    "🙏🙏",
    # acknowledgements
    "ok cool",
    "got it thanks",
    "k",
    "kk thx",
    "alright then",
    "sounds good 👍",
    "noted 👍",
    "understood, thanks",
    "ok got it",
    "yup",
    "sure thing",
    "cool cool",
    "hmm ok",
    "nice one",
    "oh ok",
    "ah i see",
    "that's helpful",
    # never mind, laughter
    "nvm",
    "never mind, figured it out",
    "nevermind i found it",
    "lol",
    "haha ok",
    "lmao",
    "😂😂😂",
    "all good now thanks",
    # apologies
    "sorry wrong chat",
    "oops sorry, that was meant for my sister",
    "my apologies, wrong conversation",
    "sorry about that",
    "sorry!",
    # goodbyes, combos, sign-offs
    "ok thanks bye",
    "bye bye",
    "have a good weekend!",
    "good night and thanks again",
    "ttyl",
    "later!",
    "catch you later",
    "thanks, bye for now - Raj",
    "ok that's all, bye",
    # compliments and insults
    "you guys are awesome",
    "you rock!",
    "love this bot",
    "great service, thanks",
    "this bot is trash",
    "worst chatbot ever",
    "you're so annoying",
    "ugh",
    "whatever",
    "you're useless lol",
    # French
    "bonjour",
    "bonjour!",
    "salut",
    "allo?",
    "allô",
    "bonsoir",
    "coucou",
    "bonjour, ça va?",
    "merci",
    "merci beaucoup",
    "merci bcp!",
    "mille mercis",
    "d'accord merci",
    "ok parfait",
    "parfait 👍",
    "super, merci",
    "au revoir",
    "bonne journée!",
    "merci, bonne soirée",
    "à plus",
    "ok merci bye",
    "es-tu un robot?",
    "c'est nul",
    "désolé, mauvaise conversation",
    "vous êtes une personne?",
    "quelqu'un est là?",
    "non merci",
    "pardon?",
    # slips, and signed with a title
    "thansk",
    "goodbey",
    "awsome thx",
    "sincere thanks",
    "love it",
    "found it",
    "that was meant for my husband",
    "thanks Dr. Lee",
    "Hi Sarah!",
]

NOT_SMALL_TALK = [
    # a real question with a greeting, thanks or a nod
    "hi, do you take insurance?",
    "thanks! how much is a session?",
    "ok but does it hurt",
    "hey is parking free",
    "good morning, can I book for tomorrow",
    "cool, how long is an appointment",
    "sorry, what should I wear?",
    "lol is it safe when pregnant",
    "nice, do you direct bill",
    "okay and what about the cost",
    "thanks, and where are you located",
    "bye, and how do I cancel my appointment",
    "nvm, what are your hours",
    "ok so how many sessions will I need",
    "cool and do i need a referral",
    "sorry, is this covered by MSP",
    "hey, how long does it take to work",
    # questions that look like chat
    "are you open on saturday?",
    "are you guys open late",
    "how are you different from acupuncture",
    "what's up with the twitching afterwards",
    "is it good for tennis elbow",
    "is a real physio doing the needling?",
    "are the needles reused?",
    "is it normal to feel tired after?",
    "good for sciatica?",
    "is this a real person doing the needling?",
    "you are a physiotherapist?",
    "do you love needles",
    "hellp me",
    "i found it hurts",
    "i figured it out, what about parking",
    "apologies for the delay, can i still book",
    "sorry for asking, how much",
    "that is meant for my kids?",
    "is that meant for my husband too",
    # French questions with a greeting or thanks
    "bonjour, combien coûte une séance?",
    "merci, est-ce que ça fait mal?",
    "salut, vous êtes où?",
    "allo, est-ce que je peux prendre rendez-vous?",
    "ça va faire mal?",
    "c'est combien?",
    "bonne idée?",
    "c'est une personne qui fait l'IMS?",
    "à demain pour mon rendez-vous",
    "pardon, c'est où?",
    # asking for a person (the contact answer, not a nod)
    "can I talk to a real person",
    "hi, I'd like to speak to someone at the clinic",
    # safety: a sign always wins
    "hi I'm having chest pain",
    "hey can't breathe after needling",
    "thanks but my lung feels weird and I'm short of breath",
    "ok i want to kill myself",
    "lol i want to die",
    "bonjour, j'ai une douleur à la poitrine",
    "merci mais je n'arrive pas à respirer",
    "🆘",
    "😭😭",
    "hi im worthless and want to end it",
]


def _small_talk_texts(runtime: Runtime) -> set[str]:
    """Every small-talk reply the bot can give, in English and French."""
    english = runtime.content.clinic
    return {
        template.format(name=clinic.name, phone=clinic.phone, email=clinic.email)
        for texts, clinic in ((ENGLISH_TEXTS, english), (FRENCH_TEXTS, english.in_french()))
        for template in (*texts.small_talk.values(), texts.small_talk_other)
    }


async def _replies(runtime: Runtime, messages: list[str]) -> list[tuple[str, list[Reply]]]:
    """Each message with the bot's replies, each sent as the first message of its own chat."""
    return [
        (said, await runtime.assistant.handle_text(ChatRef(chat_id=chat_id), said))
        for chat_id, said in enumerate(messages, start=7000)
    ]


async def test_small_talk_gets_a_friendly_reply_with_the_menu_never_the_fallback(
    runtime: Runtime,
) -> None:
    friendly = _small_talk_texts(runtime)
    wrong = [
        f"{said!r}: {replies[0].text[:60]!r}"
        for said, replies in await _replies(runtime, SMALL_TALK)
        if not all(reply.text in friendly and reply.buttons for reply in replies)
    ]
    assert wrong == [], "\n".join(wrong)
    assert await UnansweredLog(runtime.database, retention=timedelta(days=90)).list() == []


async def test_a_question_a_person_request_or_a_worry_is_never_taken_for_small_talk(
    runtime: Runtime,
) -> None:
    friendly = _small_talk_texts(runtime)
    swallowed = [
        said
        for said, replies in await _replies(runtime, NOT_SMALL_TALK)
        if any(reply.text in friendly for reply in replies)
    ]
    assert swallowed == []
