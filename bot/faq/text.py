"""Text preparation for FAQ matching: normalising, tokenising, stemming and synonyms.

Queries and FAQ phrasings go through exactly the same steps, so whatever we do to one
(contractions, accents, stems, synonym groups) lines up with the other.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import snowballstemmer

MAX_QUERY_CHARS = 2000  # longer messages are cut at a sentence or word boundary
SYNONYM_TOKEN_PREFIX = "syn"  # a synonym group collapses to one token, e.g. "syn0"
# Added once when a message names one group in two different ways ("IMS" and "dry
# needling") apart: naming a thing twice is how people ask how the two differ. Never produced
# by tokenising, so it cannot clash with a word.
SECOND_NAME_SUFFIX = ".again"
WORDS_CACHE_SIZE = 16384  # phrasings are analysed again whenever an index is rebuilt


def word_set(text: str) -> frozenset[str]:
    """The distinct words of a whitespace-separated list."""
    return frozenset(text.split())


_TOKEN_RE = re.compile(r"[a-z0-9]+")
_DIGIT_RE = re.compile(r"\d")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?\n])\s+|\n+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
# Contractions expand to the words they stand for, so "don't" and "do not" match.
_CONTRACTIONS = (
    (re.compile(r"\bcan't\b"), "can not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'m\b"), " am"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"'s\b"), ""),
)
# The same contractions typed without the apostrophe, as phones often send them, and a few
# chat spellings. Only spellings that are not also ordinary words ("ill", "well", "were",
# "id" stay as typed).
_BARE_SPELLINGS = {
    "im": "i am",
    "ive": "i have",
    "whats": "what is",
    "thats": "that is",
    "hows": "how is",
    "wheres": "where is",
    "whos": "who is",
    "theres": "there is",
    "youre": "you are",
    "theyre": "they are",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "cant": "can not",
    "couldnt": "could not",
    "wouldnt": "would not",
    "shouldnt": "should not",
    "wont": "will not",
    "hasnt": "has not",
    "havent": "have not",
    "hadnt": "had not",
    # Chat spellings: short forms phones and hurried thumbs produce.
    "wat": "what",
    "wut": "what",
    "wht": "what",
    "u": "you",
    "ur": "your",
    "r": "are",
    "abt": "about",
    "cuz": "because",
    "b4": "before",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "2moro": "tomorrow",
    "fer": "for",
    "thru": "through",
    "ppl": "people",
    "info": "information",
    "mins": "minutes",
    "hrs": "hours",
    "wk": "week",
    "wks": "weeks",
    "sesh": "session",
    "seshes": "sessions",
    "preggo": "pregnant",
    "preggers": "pregnant",
    "y": "why",
    "hav": "have",
    "wil": "will",
    "cn": "can",
    "doin": "doing",
    "sumone": "someone",
    "sum1": "someone",
    "some1": "someone",
    "wrk": "work",
    "wrks": "works",
    "wrkd": "worked",
    "wrkng": "working",
    "wrking": "working",
    "diff": "difference",
    "1st": "first",
    "gd": "good",
    "resched": "reschedule",
    "sched": "schedule",
    "sry": "sorry",
    # Slips in short key words, which the matcher's typo repair leaves alone (too short, or
    # "much", a stop word, is never a repair's target); none of them is a word of its own.
    "mutch": "much",
    "muhc": "much",
    "bok": "book",
    # Texting with the vowels dropped, in the key words of short questions.
    "mch": "much",
    "mcuh": "much",
    "mny": "many",
    "bk": "book",
    "bkd": "booked",
    "bkng": "booking",
    "appt": "appointment",
    "appts": "appointments",
    "apt": "appointment",
    "apts": "appointments",
    "appnt": "appointment",
    "appmt": "appointment",
    "cst": "cost",
    "csts": "costs",
    "insur": "insurance",
    "insce": "insurance",
    "wen": "when",
    "whn": "when",
    "wher": "where",
    "whr": "where",
    "wats": "what is",
    "wot": "what",
    "mk": "make",
    "pnt": "point",
    "pnts": "points",
    "n": "and",
    "nd": "and",
    "wanna": "want to",
    "aftr": "after",
    "shud": "should",
    "shld": "should",
    "cld": "could",
    "wld": "would",
    "rly": "really",
    "yr": "year",
    "yrs": "years",
    "excercise": "exercise",
    "excercises": "exercises",
    "excersise": "exercise",
    "excersises": "exercises",
}
# Shorthands rewritten before symbols become spaces: "w/o injury", "w/ my GP"; and "min"
# or "hr" only after a number, since alone they may be "minimum" ("min age") or "HR".
_SHORTHAND_PATTERNS = (
    (re.compile(r"\bw/o(?:ut)?\b"), " without "),
    (re.compile(r"\bw/(?!o\b|out\b)"), " with "),
    (re.compile(r"(\d)\s*mins?\b"), r"\1 minutes"),
    (re.compile(r"(\d)\s*hr\b"), r"\1 hour"),
    (re.compile(r"(\d)\s*hrs\b"), r"\1 hours"),
    (re.compile(r"(\d)\s*(?:yo|y/o|y\.o\.)(?=\W|$)"), r"\1 year old"),
)
# "ims 4 sciatica", "how 2 book", "how dose it work": a digit or a slip standing for a word
# between two words, read as that word where only it fits (see `_word_between`).
_WORD_BETWEEN_RE = re.compile(r"(?:\b([a-z]+) |^)(4|2|dose|dos) (?=([a-z]+)\b)")
# Words after which a digit is a number ("about 4", "my 2 kids", "is 4"), and words after it
# that a number counts ("4 weeks", "2 more"): with either, the digit stays.
_TAKES_A_NUMBER = word_set(
    """about around only just over under than maybe or and every per at in past last next
    first had have got took did of all total like aged age is was be been are were am i my
    the a those these another extra with within from between by on to"""
)
_COUNTED = word_set(
    """year yr week wk day month hour hr minute min session time visit treatment needle kid
    child pm am or and to of x more less extra other"""
)
# "2" reads as "to" only after these ("how 2 book", "need 2 cancel"), "4" as "for" after
# any word but those taking a number.
_DIGIT_WORDS = {"4": "for", "2": "to"}
_BEFORE_TO = word_set(
    "how what wat want need ok okay safe allowed able going where when wen time like due fine"
)
# "dose" / "dos" read as "does" at the start or after a question word, before its subject
# ("how dose it work", "who dos the needling"); "the dose", "what dose do you use" stay.
_BEFORE_DOES = word_set("how what wat wht who where when why which much long many so and also but")
_DOES_SUBJECTS = word_set(
    """it ims this that he she they u you the my your dry needling insurance one anyone
    someone physio a an needle needles treatment acupuncture msp extended"""
)


def _word_between(found: re.Match[str]) -> str:
    """The replacement of one `_WORD_BETWEEN_RE` match: the word the digit or slip stands
    for where only it fits, else the text as typed."""
    before, typed, after = found.group(1), found.group(2), found.group(3)
    lead = f"{before} " if before else ""
    if typed in ("dose", "dos"):
        fits = (not before or before in _BEFORE_DOES) and after in _DOES_SUBJECTS
        return f"{lead}{'does' if fits else typed} "
    plural = after.endswith("s") and after != "ims" and not after.endswith(("ss", "us", "is"))
    allowed = before not in _TAKES_A_NUMBER if typed == "4" else before in _BEFORE_TO
    fits = bool(before) and allowed and after not in _COUNTED and not plural
    return f"{lead}{_DIGIT_WORDS[typed] if fits else typed} "


# Letters held down for emphasis or by a slip ("neeedle", "sooo"): three or more of a letter
# are read as two.
_HELD_LETTER_RE = re.compile(r"([a-z])\1{2,}")


# Canadian provinces and large towns: a search query names the place ("ims clinic edmonton
# hours"), which never decides the topic. Weighed like a word the FAQ does not know that
# is no English word either (little), so a short query is not held back for it.
PLACE_WORDS = word_set(
    """
    canada canadian bc ab sk mb on qc ns nb nl pe pei yt nt nu
    alberta saskatchewan manitoba ontario quebec scotia brunswick newfoundland labrador
    yukon nunavut vancouver burnaby surrey richmond coquitlam langley abbotsford kelowna
    kamloops nanaimo victoria squamish whistler chilliwack delta calgary edmonton red deer
    lethbridge regina saskatoon winnipeg toronto ottawa mississauga brampton hamilton
    london markham vaughan oakville burlington kitchener waterloo guelph barrie kingston
    windsor sudbury montreal laval gatineau halifax moncton fredericton charlottetown
    whitehorse yellowknife iqaluit gta lower mainland okanagan
    """
)

# Words that carry no question: greetings, politeness and hedging. Dropped entirely.
FILLER_WORDS = word_set(
    """
    hi hello hey hiya yo greetings dear morning afternoon evening
    thanks thank thx ty cheers please pls plz kindly
    ok okay um uh umm hmm erm oh ah well so just quick wondering wonder
    question questions curious confused puzzled sorry bother
    actually really even basically exactly literally honestly seriously truly
    lol haha hehe lmao
    """
)

# Common function words: kept, but worth little next to content words.
STOP_WORDS = word_set(
    """
    a an the and or but if then than of to in on at by for with from into about as
    is are was were be been being am do does did doing done have has had having
    i me my mine we us our you your he she it its they them their this that these those
    there here what which who whom whose when where why how can could would should will
    shall may might must not no yes any some all each every more most much many very
    too also get got go going want need know tell let make ask asking
    exactly really actually basically even ever never still already just only quite
    pretty rather maybe perhaps probably usually generally like something anything
    someone anyone thing things stuff kind sort lot lots bit little
    say said says think thought guess mean means try trying tried keep keeps come coming
    see look looking use used using else such own
    now today yet again always sometimes
    """
)


# Content words too general to decide a topic alone: "benefits" (of IMS, or of an
# insurance plan?), "how long" (a visit, or the relief?), "work", "after". An answer
# resting on these only is offered as "did you mean" instead.
GENERIC_WORDS = word_set(
    """
    benefit benefits long longer work works working worked after afterwards before
    help helps helped helping happen happens happening
    take takes taking good better best worth
    """
)

# Words that only say what kind of answer is wanted ("what to expect from IMS", "the
# purpose of dry needling"): with one of them, the treatment's name is no topic either,
# so such a question is offered as "did you mean" unless a real topic word is there.
VAGUE_WORDS = word_set(
    """
    expect expected expecting expectation expectations purpose purposes overview
    """
)


@lru_cache(maxsize=1)
def generic_stems() -> frozenset[str]:
    """Stems of the generic words, as they appear in analysed text."""
    return frozenset(stem(w) for w in GENERIC_WORDS)


@lru_cache(maxsize=1)
def vague_stems() -> frozenset[str]:
    """Stems of the words that ask for a kind of answer only (VAGUE_WORDS)."""
    return frozenset(stem(w) for w in VAGUE_WORDS)


@lru_cache(maxsize=1)
def stop_stems() -> frozenset[str]:
    """Stems of the stop words, as they appear in analysed text."""
    return frozenset(stem(w) for w in STOP_WORDS)


@lru_cache(maxsize=1)
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("english")


# Words whose Snowball stem would merge them with a word of another meaning: "painful"
# asks whether something hurts, while "pain" is what nearly every question is about.
_STEM_EXCEPTIONS = {"painful": "painful", "painfully": "painful"}


@lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """The English Snowball stem of one lower-case token."""
    exception = _STEM_EXCEPTIONS.get(token)
    if exception is not None:
        return exception
    stemmed: str = _stemmer().stemWord(token)
    return stemmed


# One message is normalised by several readers (small talk, the question splitter, the
# matcher): the last few texts are kept so that they share one pass. Too few to serve a
# later message unless it repeats one of the last few (the throughput benchmark's
# questions recur only every 241 messages).
RECENT_TEXTS = 8


@lru_cache(maxsize=RECENT_TEXTS)
def normalise(text: str) -> str:
    """Lower-case, accent-free text with contractions expanded and symbols as spaces."""
    ascii_text = text.translate(_APOSTROPHES).lower()
    if not ascii_text.isascii():
        decomposed = unicodedata.normalize("NFKD", ascii_text)
        ascii_text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Each pattern needs an apostrophe, a slash or a digit: most messages have none.
    if "'" in ascii_text:
        for pattern, replacement in _CONTRACTIONS:
            ascii_text = pattern.sub(replacement, ascii_text)
    if "/" in ascii_text or _DIGIT_RE.search(ascii_text):
        for pattern, replacement in _SHORTHAND_PATTERNS:
            ascii_text = pattern.sub(replacement, ascii_text)
    if "dos" in ascii_text or "2" in ascii_text or "4" in ascii_text:
        ascii_text = _WORD_BETWEEN_RE.sub(_word_between, ascii_text)
    ascii_text = _HELD_LETTER_RE.sub(r"\1\1", ascii_text)
    return " ".join(_BARE_SPELLINGS.get(t, t) for t in _TOKEN_RE.findall(ascii_text))


@lru_cache(maxsize=WORDS_CACHE_SIZE)
def _cached_words(text: str) -> tuple[str, ...]:
    return tuple(w for w in normalise(text).split() if w not in FILLER_WORDS)


def words(text: str) -> list[str]:
    """Normalised words of `text`, without filler words."""
    return list(_cached_words(text))


def _head(text: str, limit: int) -> str:
    """At most `limit` leading characters, ending at a sentence or word end if possible."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    cut = max(head.rfind(". "), head.rfind("? "), head.rfind("! "), head.rfind("\n"))
    if cut < limit // 2:
        cut = head.rfind(" ")
    return head[: cut + 1] if cut > 0 else head


def _tail(text: str, limit: int) -> str:
    """At most `limit` trailing characters, starting at a sentence or word start if possible."""
    if len(text) <= limit:
        return text
    tail = text[-limit:]
    starts = [tail.find(mark) for mark in (". ", "? ", "! ", "\n")]
    cut = min((i for i in starts if 0 <= i < limit // 2), default=-1)
    if cut < 0:
        cut = tail.find(" ")
    return tail[cut + 1 :].lstrip() if 0 <= cut < limit // 2 else tail


def truncate(text: str, limit: int = MAX_QUERY_CHARS) -> str:
    """`text` cut to at most `limit` characters: its start and its end, where questions sit."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return _head(text, half) + "\n" + _tail(text, limit - half - 1)


def sentences(text: str) -> list[str]:
    """Non-empty sentences of `text` (a long message often hides its question in one)."""
    return [part.strip() for part in _SENTENCE_END_RE.split(text) if part.strip()]


class SynonymMap:
    """Collapses each synonym group (single or multi-word) to one shared token."""

    def __init__(self, groups: Sequence[Sequence[str]] = ()) -> None:
        # stemmed phrase (tuple of stems) -> group token; longest phrases win.
        self._phrases: dict[tuple[str, ...], str] = {}
        for index, group in enumerate(groups):
            token = f"{SYNONYM_TOKEN_PREFIX}{index}"
            for phrase in group:
                stems = tuple(stem(w) for w in normalise(phrase).split())
                if stems and stems not in self._phrases:
                    self._phrases[stems] = token
        # Per first stem, the lengths of the phrases it starts, longest first: most words
        # start none, and are passed over with one look-up.
        sizes: dict[str, set[int]] = {}
        for stemmed in self._phrases:
            sizes.setdefault(stemmed[0], set()).add(len(stemmed))
        self._sizes = {first: sorted(found, reverse=True) for first, found in sizes.items()}

    def collapse(self, stems: Sequence[str]) -> list[str]:
        """`stems` with every synonym phrase replaced by its group token."""
        if not self._phrases:
            return list(stems)
        result: list[str] = []
        named: dict[str, tuple[str, ...]] = {}  # group token -> the first phrase naming it
        i = 0
        while i < len(stems):
            for size in self._sizes.get(stems[i], ()):
                if size > len(stems) - i:
                    continue
                phrase = tuple(stems[i : i + size])
                token = self._phrases.get(phrase)
                if token is not None:
                    # A name right after another is the same name spelt out, as in
                    # "intramuscular stimulation (IMS)", not a second one.
                    spelt_out = bool(result) and result[-1] == token
                    if not spelt_out:
                        result.append(token)
                    first = named.setdefault(token, phrase)
                    if (
                        first != phrase
                        and not spelt_out
                        and token + SECOND_NAME_SUFFIX not in result
                    ):
                        result.append(token + SECOND_NAME_SUFFIX)
                    i += size
                    break
            else:
                result.append(stems[i])
                i += 1
        return result


def analyse(text: str, synonyms: SynonymMap) -> list[str]:
    """Stemmed, synonym-collapsed tokens of `text` without filler words."""
    return synonyms.collapse([stem(w) for w in words(text)])
