"""Text preparation for FAQ matching: normalising, tokenising, stemming and synonyms.

Queries and FAQ phrasings go through exactly the same steps, so whatever we do to one
(contractions, accents, stems, synonym groups) lines up with the other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import snowballstemmer

from bot.core.text import WORDS_CACHE_SIZE, normalise, word_set

MAX_QUERY_CHARS = 2000  # longer messages are cut at a sentence or word boundary
SYNONYM_TOKEN_PREFIX = "syn"  # a synonym group collapses to one token, e.g. "syn0"
# Added once when a message names one group in two different ways ("IMS" and "dry
# needling") apart: naming a thing twice is how people ask how the two differ. Never produced
# by tokenising, so it cannot clash with a word.
SECOND_NAME_SUFFIX = ".again"
_SENTENCE_END_RE = re.compile(r"(?<=[.!?\n])\s+|\n+")

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
