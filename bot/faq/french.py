"""The FAQ in French: the clinic's French wordings indexed by the same `FaqMatcher`.

The matcher analyses text in English (its stemmer, stop words and small-talk words). A
French message and every French wording of the content are first rewritten into one
canonical form that the matcher reads as it reads English: accents folded, elisions
("l'", "qu'") and chat spellings ("cb", "pk", "rdv") undone, French function words
written as their English equivalents (so the matcher weighs "combien", "qui", "après" as
it weighs "how much", "who", "after", and the reader splits "... et combien ..." into two
questions as it splits "... and how much ..."), greetings and thanks as the English cue
words, and every other word reduced to its French Snowball stem. Both sides go through
the same steps, so whatever the matcher does next lines up.
"""

from __future__ import annotations

import gzip
import json
import pkgutil
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from functools import cache, lru_cache

import snowballstemmer

from bot.content.model import FaqContent
from bot.faq.matcher import CONTENT_WIDE_LEAD, FaqMatcher, MatchThresholds
from bot.faq.reading import FaqReading, MessageReader

FRENCH = "fr"
FRENCH_WORD_LIST_SIZE = 30_000  # most frequent French words taken as real words, not slips

# Words kept as typed: names the French stemmer would clip ("ims" -> "im").
_KEEP = frozenset(
    [
        "ims",
        "gunn",
        "tens",
        "physio",
        "physios",
        "osteo",
        "kine",
        "kines",
        "acupuncteur",
        "rdv",
        "ppas",
        "sim",
        "ramq",
        "cnesst",
        "saaq",
        "csst",
        "ivac",
        "visa",
        "interac",
    ]
)

# Set phrases, rewritten before words are read (folded text, elisions already undone).
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"\b(?:{pattern})\b"), replacement)
    for pattern, replacement in (
        # "... et est-ce que ça fait mal" starts a second question, as "and does it hurt".
        (r"et est ce (que|qu)", " and does "),
        (r"est ce (que|qu)", " "),
        (r"qu est ce (que|qu|qui)", " what "),
        (r"c est quoi", " what is "),
        (r"ca coute (tu )?combien", " how much cost "),
        (r"combien (ca|sa|ça) coute", " how much cost "),
        (r"rendez vous", " rendezvous "),
        # "contre-indication" is one word meaning the opposite of "indication"; "s'adresser à"
        # says whom a treatment is for, not an address.
        (r"contre indications?", " contreindication "),
        (r"s adresse(nt)? (a|au|aux)", " for "),
        (r"prise de sang", " prisedesang "),
        (
            r"au revoir|a la prochaine|a plus tard"
            r"|bonne (journee|soiree|fin de semaine|nuit)"
            r"|a bientot|salut (la|a) (gang|tous)",
            " bye ",
        ),
        (r"bon matin|bonne apres midi", " hello "),
        (r"merci (beaucoup|bien|mille fois|encore)|mille mercis?", " thanks "),
        (
            r"c est (beau|bon|correct|parfait|note|beau merci)"
            r"|pas de (probleme|souci)"
            r"|d accord|ok (d accord|merci)|tres bien|je comprends|j ai compris",
            " ok ",
        ),
        (
            r"ca (m aide|aide) pas|pas (tres )?(utile|aidant)"
            r"|tu (sers|sert) a rien|(ca|sa) sert a rien",
            " useless ",
        ),
        (r"(il y a|y a) (tu )?(quelqu un|qqn)", " hello "),
        (r"comment (ca va|allez vous|vas tu)", " hello "),
        # "ça va?" alone (or after a greeting) asks how one is; "ça va pas", "ça va mieux"
        # tell something and are read as words.
        (
            r"^(?:(?:bonjour|salut|allo|coucou|bonsoir|hey) )?(?:ca|sa) va(?: tres)?(?: bien)?"
            r"(?: (?:et|pis) (?:toi|vous))?(?=(?: \?)*$)",
            " hello ",
        ),
    )
)

# Chat spellings and Québec forms, as whole words.
_SPELLINGS = {
    "cb": "combien",
    "cmb": "combien",
    "cbien": "combien",
    "combiens": "combien",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "pkoi": "pourquoi",
    "pourkoi": "pourquoi",
    "koi": "quoi",
    "kwa": "quoi",
    "ke": "que",
    "ki": "qui",
    "kel": "quel",
    "kelle": "quelle",
    "ds": "dans",
    "pr": "pour",
    "ms": "mais",
    "tt": "tout",
    "tjs": "toujours",
    "tjrs": "toujours",
    "bcp": "beaucoup",
    "qqch": "quelque",
    "qqn": "quelqu",
    "mtn": "maintenant",
    "auj": "aujourd",
    "dr": "docteur",
    "dre": "docteur",
    "rdv": "rendezvous",
    "rv": "rendezvous",
    "chu": "je",
    "chui": "je",
    "jsuis": "je",
    "jai": "je",
    "jpeux": "peux",
    "jveux": "veux",
    "faque": "donc",
    "pis": "et",
    "ben": "bien",
    "icitte": "ici",
    "sa": "ca",
    "ct": "etait",
    "slt": "salut",
    "bjr": "bonjour",
    "mrc": "merci",
    "mci": "merci",
    "msi": "merci",
    "svp": "svp",
    "stp": "svp",
    "physiotherapeute": "physio",
    "physiotherapie": "physio",
    "physiotherapeutes": "physio",
    "kinesitherapeute": "physio",
    "kine": "physio",
    "acuponcture": "acupuncture",
    "accuponcture": "acupuncture",
    "acupunture": "acupuncture",
    "piqures": "piqure",
    "picotement": "fourmillement",
    "bobo": "mal",
}

# French words written as the English word the matcher weighs the same way.
_AS_ENGLISH = {
    # question words
    "comment": "how",
    "combien": "how much",
    "pourquoi": "why",
    "quand": "when",
    "ou": "where",
    "qui": "who",
    "quoi": "what",
    "que": "what",
    "quel": "which",
    "quelle": "which",
    "quels": "which",
    "quelles": "which",
    "lequel": "which",
    "laquelle": "which",
    # pronouns and determiners
    "je": "i",
    "j": "i",
    "moi": "me",
    "me": "me",
    "m": "me",
    "mon": "my",
    "ma": "my",
    "mes": "my",
    "tu": "you",
    "te": "you",
    "t": "you",
    "toi": "you",
    "vous": "you",
    "votre": "your",
    "vos": "your",
    "ton": "your",
    "ta": "your",
    "tes": "your",
    "il": "it",
    "elle": "it",
    "on": "we",
    "nous": "we",
    "notre": "our",
    "nos": "our",
    "ils": "they",
    "elles": "they",
    "leur": "their",
    "leurs": "their",
    "son": "its",
    "ses": "its",
    "ce": "this",
    "cet": "this",
    "cette": "this",
    "ces": "these",
    "ca": "it",
    "cela": "that",
    "ceci": "this",
    "le": "the",
    "la": "the",
    "les": "the",
    "l": "the",
    "un": "a",
    "une": "a",
    "des": "some",
    "du": "of",
    "de": "of",
    "d": "of",
    "au": "to",
    "aux": "to",
    "se": "it",
    "s": "it",
    "y": "there",
    "en": "in",
    "lui": "it",
    "n": "not",
    "ne": "not",
    "pas": "not",
    "qu": "what",
    # verbs of asking and being
    "est": "is",
    "es": "is",
    "suis": "am",
    "sont": "are",
    "etes": "are",
    "sommes": "are",
    "etre": "be",
    "ete": "been",
    "ai": "have",
    "as": "have",
    "a": "has",
    "avons": "have",
    "avez": "have",
    "ont": "have",
    "avoir": "have",
    "peux": "can",
    "peut": "can",
    "pouvez": "can",
    "pouvons": "can",
    "peuvent": "can",
    "pourrais": "could",
    "pourriez": "could",
    "pourrait": "could",
    "dois": "should",
    "doit": "should",
    "devrais": "should",
    "devrait": "should",
    "devez": "should",
    "faut": "need",
    "veux": "want",
    "voudrais": "want",
    "aimerais": "want",
    "sais": "know",
    "savoir": "know",
    "connaitre": "know",
    "fonctionne": "work",
    "fonctionnent": "work",
    "marche": "work",
    "marchent": "work",
    "aide": "help",
    "aider": "help",
    # connectives
    "et": "and",
    "aussi": "also",
    "mais": "but",
    "donc": "so",
    "c": "this",
    "g": "i",
    "si": "if",
    "pour": "for",
    "par": "by",
    "avec": "with",
    "sans": "without",
    "dans": "in",
    "sur": "on",
    "chez": "at",
    "apres": "after",
    "avant": "before",
    "pendant": "during",
    "entre": "between",
    "vers": "to",
    "tres": "very",
    "plus": "more",
    "bien": "well",
    "tout": "all",
    "tous": "all",
    "toute": "all",
    "toutes": "all",
    "deja": "already",
    "encore": "still",
    "juste": "just",
    "vraiment": "really",
    # small talk cue words
    "bonjour": "hello",
    "bonsoir": "hello",
    "salut": "hello",
    "allo": "hello",
    "coucou": "hello",
    "hey": "hey",
    "merci": "thanks",
    "mercii": "thanks",
    "remercie": "thanks",
    "bye": "bye",
    "ciao": "bye",
    "adieu": "bye",
    "ok": "ok",
    "oki": "ok",
    "okay": "ok",
    "parfait": "perfect",
    "super": "great",
    "genial": "great",
    "cool": "cool",
    "entendu": "ok",
    "oui": "yes",
    "ouais": "yes",
    "non": "no",
    "nul": "useless",
    "nulle": "useless",
    "inutile": "useless",
    "stupide": "stupid",
    "idiot": "stupid",
    "niaiseux": "stupid",
    "poche": "useless",
    "svp": "please",
    "sil": "please",
    "plait": "please",
    "bonne": "good",
    "bon": "good",
}

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_WORD_RE = re.compile(r"[a-z0-9]+|\?")


@cache
def _stemmer() -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer("french")


# French letters with accents, folded by one table look-up (the word list has 60,000).
_FRENCH_LETTERS = str.maketrans(
    {**dict.fromkeys("àâäáã", "a"), "ç": "c", **dict.fromkeys("éèêë", "e"),
     **dict.fromkeys("îïíì", "i"), **dict.fromkeys("ôöóò", "o"), **dict.fromkeys("ùûüú", "u"),
     "ÿ": "y", "œ": "oe", "æ": "ae"}
)  # fmt: skip


def fold(text: str) -> str:
    """Lower-case `text` without accents ("Séance" -> "seance")."""
    lowered = text.translate(_APOSTROPHES).lower().translate(_FRENCH_LETTERS)
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def _french_stem(word: str) -> str:
    if word in _KEEP or word.isdigit():
        return word
    stemmed: str = _stemmer().stemWord(word)
    return stemmed


@lru_cache(maxsize=4096)
def french_terms(text: str) -> str:
    """`text` in the canonical form the French index is built and queried with."""
    plain = " ".join(_WORD_RE.findall(fold(text).replace("'", " ").replace("-", " ")))
    plain = " ".join(_SPELLINGS.get(word, word) for word in plain.split())
    for pattern, replacement in _PHRASES:
        plain = pattern.sub(replacement, plain)
    out: list[str] = []
    for word in plain.split():
        english = _AS_ENGLISH.get(word)
        if english is not None:
            out.append(english)
        elif word == "?":
            if out:
                out[-1] += "?"
        else:
            out.append(_french_stem(word))
    return " ".join(out)


@cache
def french_words() -> frozenset[str]:
    """Canonical forms of common French words: real words, never "repaired" into an FAQ
    word a letter away (the matcher's English list plays that part for English)."""
    packed = pkgutil.get_data("spellchecker", "resources/fr.json.gz")
    frequencies: dict[str, int] = json.loads(gzip.decompress(packed)) if packed else {}
    ranked = sorted(frequencies, key=lambda word: -frequencies[word])[:FRENCH_WORD_LIST_SIZE]
    plain = {_SPELLINGS.get(word, word) for word in map(fold, ranked)}
    stemmed: list[str] = _stemmer().stemWords(sorted(plain - _AS_ENGLISH.keys() - _KEEP))
    found = {*stemmed, *(plain & _KEEP)}
    return frozenset(found | {w for english in _AS_ENGLISH.values() for w in english.split()})


class FrenchFaq:
    """The French wordings of the FAQ, read with the same matcher and reader as English."""

    def __init__(self, faq: FaqContent, english: FaqContent) -> None:
        self.faq = faq
        defaults = MatchThresholds()
        thresholds = MatchThresholds(
            answer=english.answer_threshold or defaults.answer,
            suggest=english.suggest_threshold or defaults.suggest,
            margin=english.margin if english.margin is not None else defaults.margin,
            wide_lead_margin=CONTENT_WIDE_LEAD,
        )
        synonyms = _canonical_groups(faq.synonyms)
        self.matcher = FaqMatcher(
            [(entry.id, [french_terms(p) for p in entry.phrasings]) for entry in faq.entries],
            synonyms=synonyms,
            thresholds=thresholds,
            english=french_words(),
            # faq_fr.yaml's own out-of-scope topics, when it has them (answered "not here").
            out_of_scope=[
                (topic.id, [french_terms(e) for e in topic.examples]) for topic in faq.out_of_scope
            ],
            statistics=faq.word_statistics,
        )
        # The reader sees the canonical wordings, so its cues (the treatment's names, the
        # comparison words) are read from canonical synonyms as well.
        canonical = replace(
            faq,
            synonyms=tuple(tuple(group) for group in synonyms),
            related_treatments=tuple(french_terms(name) for name in faq.related_treatments),
            other_treatments=tuple(french_terms(name) for name in faq.other_treatments),
            entries=tuple(
                replace(
                    entry,
                    question=french_terms(entry.question),
                    alternates=tuple(french_terms(a) for a in entry.alternates),
                )
                for entry in faq.entries
            ),
            out_of_scope=(),
        )
        self.reader = MessageReader(self.matcher, faq=canonical)

    def read(self, text: str) -> FaqReading:
        """The reading of a French message once the safety screen has passed it."""
        return self.reader.read_question(french_terms(text), typed=text)


class FrenchIndex:
    """The French index of a clinic's content, built on first need: a bot that never reads
    French never pays for it, and start-up (polling Telegram) never waits for it."""

    def __init__(self, faq: FaqContent, english: FaqContent) -> None:
        self.faq = faq
        self._english = english
        self._lock = threading.Lock()
        self._built: FrenchFaq | None = None

    @property
    def ready(self) -> bool:
        """Whether the index is built (reading with it is then quick)."""
        return self._built is not None

    def get(self) -> FrenchFaq:
        """The index, built now if this is its first use (thread-safe)."""
        with self._lock:
            if self._built is None:
                self._built = french_faq(self.faq, self._english)
            return self._built


@lru_cache(maxsize=2)
def french_faq(faq: FaqContent, english: FaqContent) -> FrenchFaq:
    """The French index of `faq` (content is frozen, so equal content shares one index)."""
    return FrenchFaq(faq, english)


def _canonical_groups(groups: Sequence[Sequence[str]]) -> list[list[str]]:
    """Synonym groups in canonical form, each term once."""
    result: list[list[str]] = []
    for group in groups:
        terms = list(dict.fromkeys(t for t in (french_terms(term) for term in group) if t))
        if len(terms) >= 2:
            result.append(terms)
    return result
