"""Finding clinic-written terms in what a patient typed, tolerant of how people type.

Text and terms go through the same normalisation (lower case, apostrophes dropped,
punctuation to spaces, "cannot" -> "cant"). A term word then matches a typed word when
they are equal, share an English stem, or (words of 5+ letters) differ by a small typo,
unless the typed word is itself a common English word.
A term word ending in `*` matches any word starting with it ("numb*" -> "numbness"); one
starting with `=` matches only itself ("=tearing" is not "tear").
A term of several words matches those words in order, allowing one extra word between.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.core.english import english_frequencies

PREFIX_MARK = "*"
EXACT_MARK = "="
MIN_FUZZY_LENGTH = 5  # shorter words must be typed exactly (or share a stem)
LONG_WORD_LENGTH = 9  # from this length on, two typos are forgiven instead of one
MAX_GAP_WORDS = 1  # extra words allowed between the words of a several-word term
STEM_HEAD = 3  # English stemming keeps the first letters of a word
_TOKEN_CACHE_LIMIT = 20_000  # typed words remembered with their matches
# Occurrences in the English word list from which a typed word is taken as meant, never
# as a typo of a term word: "consulting" is not "convulsing", "crush" is not "crash".
# Misspellings occur a handful of times at most; 1,000 keeps rarer real words ("hart")
# forgivable.
COMMON_WORD_FLOOR = 1_000

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'"})
# Word characters, plus the vowel signs of Indic and Thai scripts (Python's \\w leaves
# combining marks out, which would cut "सीने" into pieces).
_NOT_WORD = re.compile(r"(?:[^\w\u0900-\u0dff\u0e00-\u0eff]|_)+", re.UNICODE)
# Accents dropped from Latin letters (people type "poitrine" for "poitrine", "dau nguc" for
# "đau ngực"); Arabic short vowels dropped; letter variants of Arabic, Persian and Urdu
# unified, so one term reads every spelling.
_LATIN_MARK_BASE_LIMIT = 0x0250
_LATIN_EXTENDED_ADDITIONAL = (0x1E00, 0x1EFF)  # Vietnamese letters such as "ự"
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LETTER_VARIANTS = str.maketrans(
    {"đ": "d", "ð": "d", "ø": "o", "ł": "l", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i",
     "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه",
     "ۀ": "ه", "ہ": "ه", "ۃ": "ه", "ھ": "ه", "ے": "ي", "ۓ": "ي", "ؤ": "و", "ئ": "ي",
     "\u200c": "", "\u200d": ""}
)  # fmt: skip
# Digits of Arabic, Persian/Urdu, Devanagari and Gurmukhi script read as 0-9, so a count of
# pills or a sugar reading is one term in every script ("٣٠", "۳۰", "३०" are "30").
_LETTER_VARIANTS.update(
    {start + digit: str(digit) for start in (0x0660, 0x06F0, 0x0966, 0x0A66) for digit in range(10)}
)
# A letter held down for emphasis ("myselfff", "pleaseee") counts as at most two of it.
_HELD_LETTER = re.compile(r"([a-z])\1\1+")  # the rules are English: a-z is enough, and fast
# Spellings of a negated verb that people type, mapped to one form.
# French elisions ("j'ai", "n'arrive", "l'anus") become two words, so "arrive pas" reads
# "je n'arrive pas" and "j'arrive pas" alike. English contractions ("can't", "I'm") keep
# their apostrophe rule: these letters never stand alone before one in English.
_FRENCH_ELISION = re.compile(r"\b(qu|[ljdnmstc])'(?=[a-z\u00e0-\u00ff])")
_CONTRACTIONS = {"cannot": "cant", "carnt": "cant", "cnt": "cant", "cnat": "cant", "cant": "cant"}
# Text-speak for two words, spelled out so that every "want to ..." term also reads "wanna ...".
_EXPANSIONS = {
    "wanna": ("want", "to"),
    "gonna": ("going", "to"),
    "gotta": ("got", "to"),
    # Chat French drops the "e" of "je" before a consonant ("jveux plus vivre", "chu").
    "jveux": ("je", "veux"),
    "jpeux": ("je", "peux"),
    "jsuis": ("je", "suis"),
    "chu": ("je", "suis"),
    "jme": ("je", "me"),
    "jvais": ("je", "vais"),
    "jsais": ("je", "sais"),
    "jsens": ("je", "sens"),
    "jfais": ("je", "fais"),
    "jpense": ("je", "pense"),
    "jcrois": ("je", "crois"),
    "jcomprends": ("je", "comprends"),
}
# Words people split: "can not", "can t" (an apostrophe typed as a space), "my self".
_SPLIT_WORDS = {
    ("can", "not"): "cant",
    ("can", "t"): "cant",
    ("don", "t"): "dont",
    ("my", "self"): "myself",
}

# Everyday words one typo away from a symptom word ("heard"/"heart", "should"/"shoulder",
# "cancel"/"cancer"): typed as they are, they are never read as a typo of something else.
_ORDINARY_WORDS_TEXT = """
    about after again alike attach being blocked cancel cancelled causing cheat could cores
    doing draws drugs failing feels finding given going great header healed heard heat hours
    house insurance insurer inter leave light might month night other party paused place
    plane please property redaction right scarring seeking share shell should since sleep
    soreness spin sport starting still store stored stores story sweating taking thank
    thanks there these thin thing things think those though three water weeks where while
    white whose works would
"""
ORDINARY_WORDS = frozenset(_ORDINARY_WORDS_TEXT.split())


@lru_cache(maxsize=1)
def common_english_words() -> frozenset[str]:
    """English words frequent enough that whoever typed one meant that word."""
    return frozenset(
        word for word, count in english_frequencies().items() if count >= COMMON_WORD_FLOOR
    )


# Candidate texts for fuzzy matching and their term-word ids, in the same order.
_Candidates = tuple[list[str], list[int]]

_stemmer = snowballstemmer.stemmer("english")


def normalise_words(text: str) -> list[str]:
    """Lower-case words of `text` without punctuation, contractions unified."""
    folded = fold_script(unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold())
    if "'" in folded:
        folded = _FRENCH_ELISION.sub(r"\1 ", folded)
    folded = _HELD_LETTER.sub(r"\1\1", folded.replace("'", ""))
    raw = _NOT_WORD.sub(" ", folded).split()
    words = [_CONTRACTIONS.get(word, word) for word in raw]
    if not _EXPANSIONS.keys().isdisjoint(words):
        words = [part for word in words for part in _EXPANSIONS.get(word, (word,))]
    return _join_split_words(words)


def fold_script(text: str) -> str:
    """`text` (lower case) without accents on Latin letters, Arabic variants unified."""
    if text.isascii():
        return text
    text = text.translate(_LETTER_VARIANTS)
    decomposed = unicodedata.normalize("NFD", text)
    kept: list[str] = []
    base = 0
    for character in decomposed:
        if unicodedata.combining(character):
            if base < _LATIN_MARK_BASE_LIMIT:
                continue
        else:
            base = ord(character)
        kept.append(character)
    return _ARABIC_MARKS.sub("", unicodedata.normalize("NFC", "".join(kept)))


def written_without_spaces(text: str) -> bool:
    """Whether `text` is in a script written without spaces between words (Chinese, Japanese)
    or gluing particles to words (Korean), so a term is found as a substring."""
    return any(
        0x3040 <= ord(c) <= 0x30FF or 0x3400 <= ord(c) <= 0x9FFF or 0xAC00 <= ord(c) <= 0xD7AF
        for c in text
    )


def non_latin(text: str) -> bool:
    """Whether `text` has letters outside the Latin script (found as substrings)."""
    return any(
        c.isalpha()
        and ord(c) >= _LATIN_MARK_BASE_LIMIT
        and not _LATIN_EXTENDED_ADDITIONAL[0] <= ord(c) <= _LATIN_EXTENDED_ADDITIONAL[1]
        for c in text
    )


def _join_split_words(words: list[str]) -> list[str]:
    joined: list[str] = []
    for word in words:
        if joined:
            merged = _SPLIT_WORDS.get((joined[-1], word))
            if merged is not None:
                joined[-1] = merged
                continue
        joined.append(word)
    return joined


def normalise_text(text: str) -> str:
    """`text` as one normalised string of words separated by single spaces."""
    return " ".join(normalise_words(text))


@lru_cache(maxsize=65536)  # words repeat from message to message; stemming is pure Python
def stem(word: str) -> str:
    """The English stem of a normalised word."""
    return str(_stemmer.stemWord(word))


def max_typos(length: int) -> int:
    """How many typos a term word of `length` letters forgives."""
    if length < MIN_FUZZY_LENGTH:
        return 0
    return 2 if length >= LONG_WORD_LENGTH else 1


@dataclass(frozen=True)
class TermWord:
    """One word of a term: matched whole (with stemming and typos), as a prefix, or exactly."""

    text: str
    prefix: bool = False
    exact: bool = False


@lru_cache(maxsize=65536)  # the content check reads each term, then each detector parses it
def parse_term(term: str) -> tuple[TermWord, ...]:
    """The words of a clinic-written term such as "can't pee" or "numb*"."""
    words: list[TermWord] = []
    for piece in term.split():
        is_prefix = piece.endswith(PREFIX_MARK)
        is_exact = piece.startswith(EXACT_MARK)
        parts = normalise_words(piece.strip(PREFIX_MARK + EXACT_MARK))
        for index, part in enumerate(parts):
            prefix = is_prefix and index == len(parts) - 1
            words.append(TermWord(part, prefix=prefix, exact=is_exact and not prefix))
    return tuple(words)


class TermIndex:
    """Every term word the rules use, to find which of them a typed text contains."""

    def __init__(self, terms: Iterable[tuple[TermWord, ...]], not_typos: Iterable[str]) -> None:
        self._ids: dict[TermWord, int] = {}
        for term in terms:
            for word in term:
                self._ids.setdefault(word, len(self._ids))
        self._words = list(self._ids)  # by id
        self._by_text: dict[str, list[int]] = {}
        self._by_stem: dict[str, list[int]] = {}
        for word, word_id in self._ids.items():
            if not word.prefix:
                self._by_text.setdefault(word.text, []).append(word_id)
            if not (word.prefix or word.exact):
                self._by_stem.setdefault(stem(word.text), []).append(word_id)
        # Stemming is the slow step; a word whose start no stem shares cannot match one.
        self._stem_heads = {word_stem[:STEM_HEAD] for word_stem in self._by_stem}
        self._prefixes = [(w.text, i) for w, i in self._ids.items() if w.prefix]
        # Words and prefixes that forgive typos, by first letter (a typo there is not forgiven),
        # so each typed word is compared with a handful of candidates.
        self._fuzzy_words: dict[str, _Candidates] = {}
        self._fuzzy_prefixes: dict[str, _Candidates] = {}
        for word, word_id in self._ids.items():
            if word.exact or not max_typos(len(word.text)):
                continue
            table = self._fuzzy_prefixes if word.prefix else self._fuzzy_words
            texts, ids = table.setdefault(word.text[0], ([], []))
            texts.append(word.text)
            ids.append(word_id)
        # Real words that must never be read as a typo of a term ("ladder" is not "bladder").
        self._not_typos = {word for typed in not_typos for word in normalise_words(typed)}
        # The clinic's list also stops a prefix reading a real word ("numb*" in "number").
        self._not_prefixed = frozenset(self._not_typos)
        self._not_typos.update(self._by_text, ORDINARY_WORDS, common_english_words())
        self._cache: dict[str, frozenset[int]] = {}

    def word_id(self, word: TermWord) -> int:
        """The index's number for a term word (it must have been given at construction)."""
        return self._ids[word]

    def key_word(self, word_ids: Sequence[int]) -> int:
        """The word of a term least likely to be in an ordinary message: a term is found
        only when all its words are, so a text without this one cannot hold the term."""
        return max(word_ids, key=self.rarity)

    def rarity(self, word_id: int) -> tuple[bool, bool, int]:
        """How seldom a term word is likely to occur (larger is rarer): whole words before
        prefixes, which catch many forms, then everyday words last, then by length ("a",
        "the", "my" start many terms; "attack", "breathe" seldom occur by chance)."""
        word = self._words[word_id]
        return (not word.prefix, word.text not in ORDINARY_WORDS, len(word.text))

    def matches_of(self, token: str) -> frozenset[int]:
        """Ids of the term words that the typed word `token` matches."""
        cached = self._cache.get(token)
        if cached is None:
            if len(self._cache) >= _TOKEN_CACHE_LIMIT:
                self._cache.clear()
            cached = self._cache[token] = frozenset(self._compute_matches(token))
        return cached

    def _compute_matches(self, token: str) -> set[int]:
        found: set[int] = set(self._by_text.get(token, ()))
        if token[:STEM_HEAD] in self._stem_heads:
            found.update(self._by_stem.get(stem(token), ()))
        if token not in self._not_prefixed:
            found.update(word_id for prefix, word_id in self._prefixes if token.startswith(prefix))
        if token not in self._not_typos and len(token) >= MIN_FUZZY_LENGTH - 1:
            words = self._fuzzy_words.get(token[0])
            if words is not None:
                found.update(_close_words(token, *words))
            found.update(_close_prefixes(token, self._fuzzy_prefixes.get(token[0], ([], []))))
        return found

    def positions(self, tokens: Sequence[str]) -> dict[int, list[int]]:
        """For each term word found in `tokens`, the positions where it occurs."""
        found: dict[int, list[int]] = {}
        for position, token in enumerate(tokens):
            for word_id in self.matches_of(token):
                found.setdefault(word_id, []).append(position)
        return found


def _close_prefixes(token: str, candidates: _Candidates) -> list[int]:
    """Ids of the prefixes that the start of `token` matches within their allowed typos."""
    found: list[int] = []
    for prefix, word_id in zip(*candidates, strict=True):
        allowed = max_typos(len(prefix))
        # The typed start may be a letter shorter or longer than the prefix (a typo).
        for cut in range(len(prefix) - allowed, len(prefix) + allowed + 1):
            if (
                len(token) >= cut
                and OSA.distance(token[:cut], prefix, score_cutoff=allowed) <= allowed
            ):
                found.append(word_id)
                break
    return found


def _close_words(typed: str, texts: list[str], ids: list[int]) -> list[int]:
    """Ids of the `texts` that `typed` matches within their allowed number of typos."""
    hits = process.extract(typed, texts, scorer=OSA.distance, score_cutoff=2, limit=None)
    return [ids[index] for text, distance, index in hits if distance <= max_typos(len(text))]


@dataclass(frozen=True)
class CompiledTerm:
    """A term as a sequence of term-word ids."""

    word_ids: tuple[int, ...]

    def found_in(self, positions: dict[int, list[int]]) -> bool:
        """Whether the term's words occur in order (with small gaps) in the text."""
        first = positions.get(self.word_ids[0])
        if not first:
            return False
        return any(self._rest_follows(positions, 1, start) for start in first)

    def _rest_follows(self, positions: dict[int, list[int]], index: int, after: int) -> bool:
        if index == len(self.word_ids):
            return True
        for position in positions.get(self.word_ids[index], ()):
            if after < position <= after + 1 + MAX_GAP_WORDS and self._rest_follows(
                positions, index + 1, position
            ):
                return True
        return False


def compile_term(index: TermIndex, words: tuple[TermWord, ...]) -> CompiledTerm:
    """`words` (from `parse_term`) as ids in `index`."""
    return CompiledTerm(tuple(index.word_id(word) for word in words))
