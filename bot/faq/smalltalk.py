"""Small talk: greetings, thanks, goodbyes, acknowledgements and rudeness.

Small talk is not a question: the FAQ gives it a short friendly reply with the menu, never
the "I don't know" fallback, and never keeps it as unanswered. The intake reads it too, to
say a kind word back when a greeting or thanks is typed instead of an answer.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

from bot.faq.text import WORDS_CACHE_SIZE, normalise, word_set

SmallTalkKind = Literal["greeting", "thanks", "goodbye", "acknowledgement", "rudeness"]
MAX_SMALL_TALK_WORDS = 8

# Words that make a message small talk, by kind; a message is small talk when every word
# is one of these or a word that carries no question (SMALL_TALK_GLUE), and it has at
# least one of them. Checked in this order: "thanks, bye" is a goodbye.
SMALL_TALK_WORDS: dict[SmallTalkKind, frozenset[str]] = {
    "rudeness": word_set(
        """stupid dumb useless idiot idiotic suck sucks sucky rubbish garbage trash
        pointless terrible awful worst hate crap crappy lame shit wtf ffs ugh whatever meh
        unhelpful frustrating frustrated annoying annoyed ridiculous waste seriously
        smh argh"""
    ),
    "goodbye": word_set(
        """bye goodbye byebye cya later farewell quit exit stop done finished leave
        goodnight night ttyl"""
    ),
    "thanks": word_set(
        """thanks thank thx ty tysm cheers appreciated appreciate grateful helpful
        helped ta thanx thankyou thnx tks merci"""
    ),
    "greeting": word_set(
        """hi hello hey heya hiya howdy yo greetings morning afternoon evening sup"""
    ),
    "acknowledgement": word_set(
        """ok okay k kk okey alright fine sure cool great good nice perfect awesome
        yes yeah yep yup no nope nah got understood noted gotcha right lol haha hehe
        lmao hmm hm um uh oh ah wow nvm nevermind excellent brilliant amazing fantastic
        wonderful lovely super sweet np sorry oops whoops oopsie"""
    ),
}
# Words small talk is made of besides its cue words ("thank you so much", "this is a
# stupid bot", "how are you").
SMALL_TALK_GLUE = word_set(
    """a an the you your u ur it this that is are am i me my we so very really just all
    for now too bot robot chat chatbot thing there again see good day have nice to and
    of with then ok anyway being s not ever one much kindly ya talk
    soo lot lots ton tons heaps bunch million totally truly super such pretty quite
    absolutely helps useful info information answer answers reply was were at
    honestly frankly literally actually well help many today"""
)
_SMALL_TALK_KNOWN = SMALL_TALK_GLUE.union(*SMALL_TALK_WORDS.values())
# Intensifiers and trailing words stretched for emphasis ("sooo", "thanksss") are read
# with their letters squeezed back.
_STRETCHED_RE = re.compile(r"(.)\1{2,}")
# Set phrases read as their plain cue word first: greetings that look like questions,
# and thanks with "much" (which elsewhere asks for a price).
_SET_PHRASES = (
    (
        re.compile(r"\b(how are you( doing)?( today)?|how is it going|what is up|wassup)\b"),
        "hello",
    ),
    (re.compile(r"\b(thank you|thanks)( so| very)? much\b"), "thanks"),
    (re.compile(r"\bnever mind\b"), "ok"),
    (re.compile(r"\bnot (very |so |that )?(smart|clever|helpful|good)\b"), "useless"),
    (re.compile(r"\bsee (you|ya)( later| soon| around)?\b"), "bye"),
    (re.compile(r"\b(talk( to you)?|speak( to you)?|chat) (soon|later)\b"), "bye"),
    # Wishes that close a chat: "have a lovely evening", "enjoy the rest of your day".
    (
        re.compile(
            r"\b((have|enjoy) (a|an|the|your) ((very|really) )?(good|nice|great|lovely|wonderful"
            r"|fantastic|brilliant|beautiful|blessed|happy|awesome|fab|relaxing|safe|super)? ?"
            r"(rest of (the|your) )?(one|day|night|evening|weekend|week|afternoon|morning)"
            r"|take care)\b"
        ),
        "bye",
    ),
    (re.compile(r"\b(is )?(any ?one|any ?body|some ?one|some ?body) (there|here|home)\b"), "hello"),
    (re.compile(r"\b(are )?(you|u) (still )?(there|here|real|awake|around)\b"), "hello"),
    # A message sent to the wrong place: "sorry wrong chat", "oops, wrong number".
    (
        re.compile(
            r"\b(i )?((sent|messaged|texted|typed|posted|meant) (this |that |it )?(to |in |for )?)?"
            r"(the |a )?wrong (chat|number|person|conversation|window|group|thread|bot|account"
            r"|contact|one|app|tab)\b|\bmy (bad|mistake)\b"
        ),
        "ok",
    ),
    # Acknowledgements that read like statements.
    (
        re.compile(
            r"\b(makes?|made) (sense|sence)"
            r"|sounds? (good|great|grand|fine|ok|okay|perfect|right|lovely|fair)"
            r"|no (worries|problem|problems|prob|probs)|all (good|set|clear)|(good|nice) to know"
            r"|fair enough|will do|i see|i get it|got it"
        ),
        "ok",
    ),
    # "that answers it", "that cleared it up", "that explains it": thanks in other words.
    (
        re.compile(
            r"\b(answers|answered|clears|cleared|explains|explained|covers|covered|helps)"
            r"( it| that| everything| my question| things)?( up)?\b"
        ),
        "thanks",
    ),
    # Complaints: "you're not helping", "that didn't help", "no help at all", "not what I
    # asked".
    (
        re.compile(
            r"\b(not|no|never|nothing) (help|helping|helpful|helped|use|useful)( at all| much)?\b"
            r"|\bnot what i (asked|meant|wanted|said)( for)?\b"
            r"|\b(did|does|do|is|are|was) not (help|helping|work|working|answer)"
            r"( me| my question| at all| much)*\b"
        ),
        "useless",
    ),
    # Sarcastic thanks: "thanks for nothing", "thank you for wasting my time".
    (
        re.compile(r"\b(thanks|thank you|thx|ty) (for )?(nothing|wasting my time|no help)\b"),
        "useless",
    ),
    # Telling the bot off: "shut up", "go away", "leave me alone", "get lost".
    (
        re.compile(
            r"\b(shut (up|it)|go away|get lost|leave me alone|buzz off|piss off|screw you"
            r"|f off|bugger off|sod off)\b"
        ),
        "useless",
    ),
)
# Acknowledgement and thanks words after a verb that opens a yes/no question ask something
# ("am I covered?", "is it right for me?"); greetings and rudeness stay small talk.
_ASKING_VERBS = word_set("is am are was were will would does do did can could should")
_ASKABLE_KINDS: frozenset[SmallTalkKind] = frozenset({"acknowledgement", "thanks"})

# Symbols that say help, danger, pain or tears: sent alone they get the fallback (which ends
# with the 911 line) instead of the cheerful acknowledgement.
DISTRESS_SYMBOLS = frozenset("🆘🚑🚨🚒🚓☠💀🩸🔪💊😢😭😿😰😨😱😖😣😫😩😞😔🥺💔🤕🤒🤢🤮😵🫠🙁☹😟")


def small_talk_kind(text: str) -> SmallTalkKind | None:
    """The kind of small talk `text` is, or None when it asks or says something more."""
    plain = normalise(text)
    if not plain and any(unicodedata.category(ch) == "So" for ch in text):
        if any(ch in DISTRESS_SYMBOLS for ch in text):
            return None  # 🆘, 🚑, 😭 alone are not "okay": the fallback names 911
        return "acknowledgement"  # an emoji or other symbol alone: 👍, 😂
    plain = " ".join(_squeezed(word) for word in plain.split())
    for phrase, cue in _SET_PHRASES:
        plain = phrase.sub(cue, plain)
    found = plain.split()
    if not found or len(found) > MAX_SMALL_TALK_WORDS:
        return None
    cues = [w for w in found if any(w in words for words in SMALL_TALK_WORDS.values())]
    if not cues or any(w not in SMALL_TALK_GLUE and w not in cues for w in found):
        return None
    for kind, words in SMALL_TALK_WORDS.items():
        if any(w in words for w in cues):
            if kind in _ASKABLE_KINDS and found[0] in _ASKING_VERBS:
                return None  # "am I covered?", "is it right for me?": a yes/no question
            return kind
    return None


@lru_cache(maxsize=WORDS_CACHE_SIZE)
def _squeezed(word: str) -> str:
    """`word` with letters stretched for emphasis squeezed back ("sooo" -> "so")."""
    if not _STRETCHED_RE.search(word):
        return word
    double = _STRETCHED_RE.sub(r"\1\1", word)
    single = _STRETCHED_RE.sub(r"\1", word)
    return double if double in _SMALL_TALK_KNOWN or single not in _SMALL_TALK_KNOWN else single
