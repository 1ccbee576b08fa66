"""Which language a patient wrote in, so safety replies come in a language they read.

Script first (a Chinese, Punjabi or Arabic-script message needs no model), then the
romanisations a statistical model never saw (pinyin, romanised Punjabi and Hindi-Urdu,
Arabizi), then py3langid over Latin-script text, nudged by the language the patient's app
reports (Telegram's `language_code`). Short English is easy to misread as something else,
and a misread English message would be told "I can only read English and French": so a
Latin-script text counts as foreign only when the model is sure and most of its words are
not English. The reverse holds too: English or French words inside another language (a
romanised script with "appointment cancel" in it) do not make a message English. Whatever the
guess, a Latin-script message of a few words of which the bot can read too small a share (the
words of its English or French vocabulary, typos forgiven, against the words of the languages
it does not read) is one it does not read.
"""

from __future__ import annotations

import gzip
import json
import pkgutil
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from bot.core.english import english_frequencies, one_slip_away

ENGLISH = "en"
FRENCH = "fr"
READ_LANGUAGES = (ENGLISH, FRENCH)  # the bot answers these in full
# The Latin-script languages the model chooses among; others come from the script or a
# romanisation. A language outside this list still gets the English notice.
MODEL_LANGUAGES = (
    "en", "fr", "es", "pt", "it", "de", "tl", "vi", "nl", "pl", "ro", "tr", "id", "sw", "so",
    "hr", "cs", "sv", "hu",
)  # fmt: skip
PINYIN = "zh-Latn"
ROMAN_PUNJABI = "pa-Latn"
ROMAN_HINDUSTANI = "hi-Latn"  # romanised Hindi and Urdu read the same
ARABIZI = "ar-Latn"
FINGLISH = "fa-Latn"
JYUTPING = "yue-Latn"  # Cantonese as people type it in Latin letters
CANTONESE = "yue"
MANDARIN = "zh"
JAPANESE = "ja"
# How sure the model must be before a Latin-script message counts as not English/French.
FOREIGN_CONFIDENCE = 0.6
# A message whose words are mostly English stays English whatever the model says.
ENGLISH_WORD_SHARE = 0.5
PRIOR_WEIGHT = 4.0  # the app's language counts this many times its model probability
MIN_ROMANISED_WORDS = 2
# A message of this many words, nearly all common English, is English without the model.
PLAIN_ENGLISH_WORDS = 4
PLAIN_ENGLISH_SHARE = 0.85
ENGLISH_VOCABULARY = 20_000  # most frequent words counted as English
FRENCH_VOCABULARY = 10_000  # most frequent words counted as French
FOREIGN_VOCABULARY = 3_000  # most frequent words of each other language with a word list
FOREIGN_LANGUAGES = ("es", "it", "pt", "de")  # those languages
# Reading how much of a message is English takes rarer words too ("dyspnea", "thinners").
READABLE_ENGLISH_VOCABULARY = 100_000
# How much of a message the bot must be able to read. Below READABLE_SHARE of its words in
# English or in French it is not read; below MIXED_READABLE_SHARE it is not read when at least
# a third of its words belong to a language the bot does not read. The app's language moves
# both by PRIOR_SHARE (an English or French app lowers them, another language raises them).
READABLE_SHARE = 0.5
MIXED_READABLE_SHARE = 0.65
PRIOR_SHARE = 0.1
MIN_READABLE_WORDS = 3  # fewer words than this say too little to judge
MIN_FOREIGN_WORDS = 2  # everyday words of another language a message needs to count as one
MIN_TYPO_LENGTH = 4  # a shorter unknown word is not taken for a typo of an English one
MIN_CONTENT_LENGTH = 4  # shorter English words ("no", "dos", "main") are shared too widely

_WORD = re.compile(r"[^\W\d_]+(?:\d[^\W\d_]*)*|\d+[^\W\d_]+[\w]*", re.UNICODE)

# Characters only written Cantonese uses (Mandarin writes these words differently).
_CANTONESE_CHARS = frozenset("嘅咗唔係佢哋嘢冇啲喺嚟嗰咁乜嘥嚿攰瞓噉揸")
_URDU_LETTERS = frozenset("ٹڈڑںےھۓ")
_PERSIAN_LETTERS = frozenset("پچژگکی")


@dataclass(frozen=True)
class LanguageGuess:
    """The language of a message, and whether the bot reads it."""

    code: str  # a language code ("en", "fr", "es", "zh", "pa-Latn", ...) or "und"
    confidence: float
    # English words of four letters or more in a Latin-script message the bot does not read:
    # a few ("appointment cancel") mean the FAQ may answer them after the notice.
    english_words: int = 0

    @property
    def is_read(self) -> bool:
        """Whether the bot answers in this language (English or French)."""
        return self.code in READ_LANGUAGES

    @property
    def base(self) -> str:
        """The language without its script ("pa" for "pa-Latn")."""
        return self.code.split("-")[0]


UNDETERMINED = LanguageGuess("und", 0.0)


_LATIN_LIMIT = 0x0250
# Unicode blocks and the language (or script family) their letters point to.
_SCRIPTS = (
    (0x4E00, 0x9FFF, "han"), (0x3400, 0x4DBF, "han"), (0x3040, 0x30FF, "kana"),
    (0xAC00, 0xD7AF, "ko"), (0x1100, 0x11FF, "ko"), (0x3130, 0x318F, "ko"),
    (0x0A00, 0x0A7F, "pa"), (0x0900, 0x097F, "hi"), (0x0600, 0x06FF, "arab"),
    (0x0750, 0x077F, "arab"), (0xFB50, 0xFEFF, "arab"), (0x0400, 0x04FF, "ru"),
    (0x0370, 0x03FF, "el"), (0x0E00, 0x0E7F, "th"), (0x0590, 0x05FF, "he"),
    (0x0980, 0x09FF, "bn"), (0x0B80, 0x0BFF, "ta"), (0x0A80, 0x0AFF, "gu"),
    (0x1200, 0x137F, "am"),
)  # fmt: skip


def _script_language(text: str) -> str | None:
    """The language a non-Latin script points to, or None for Latin (or no) letters."""
    if text.isascii():
        return None  # every letter is Latin (most messages): no need to count them
    counts: dict[str, int] = {}
    for character in text:
        if not character.isalpha():
            continue
        point = ord(character)
        if point < _LATIN_LIMIT:
            script = "latin"
        else:
            script = next((name for low, high, name in _SCRIPTS if low <= point <= high), "")
            if not script:
                latin = unicodedata.name(character, "").startswith("LATIN")
                script = "latin" if latin else "other"
        counts[script] = counts.get(script, 0) + 1
    if not counts:
        return None
    script = max(counts, key=lambda name: counts[name])
    if script == "latin":
        return None
    if script in ("han", "kana"):
        if counts.get("kana"):
            return JAPANESE
        return CANTONESE if any(c in _CANTONESE_CHARS for c in text) else MANDARIN
    if script == "arab":
        if any(c in _URDU_LETTERS for c in text):
            return "ur"
        return "fa" if any(c in _PERSIAN_LETTERS for c in text) else "ar"
    return "und" if script == "other" else script


# Pinyin syllables without tones: a text whose every word splits into these is pinyin.
_I_FINALS = frozenset(["i", "ia", "ie", "iao", "iu", "ian", "in", "iang", "ing", "iong"])
_U_FINALS = frozenset(["ua", "uo", "uai", "uan", "uang", "ui", "un"])
_FINALS = [
    "a",
    "o",
    "e",
    "ai",
    "ei",
    "ao",
    "ou",
    "an",
    "en",
    "ang",
    "eng",
    "ong",
    "er",
    "i",
    "ia",
    "ie",
    "iao",
    "iu",
    "ian",
    "in",
    "iang",
    "ing",
    "iong",
    "u",
    "ua",
    "uo",
    "uai",
    "ui",
    "uan",
    "un",
    "uang",
    "ue",
    "v",
    "ve",
]
_INITIALS = [
    "b",
    "p",
    "m",
    "f",
    "d",
    "t",
    "n",
    "l",
    "g",
    "k",
    "h",
    "j",
    "q",
    "x",
    "zh",
    "ch",
    "sh",
    "r",
    "z",
    "c",
    "s",
]
_BARE = frozenset(["a", "o", "e", "ai", "ei", "ao", "ou", "an", "en", "ang", "eng", "er"])
_Y_W = frozenset(
    [
        "ya",
        "yao",
        "yan",
        "yang",
        "ye",
        "yi",
        "yin",
        "ying",
        "yo",
        "yong",
        "you",
        "yu",
        "yue",
        "yuan",
        "yun",
        "wa",
        "wai",
        "wan",
        "wang",
        "wei",
        "wen",
        "weng",
        "wo",
        "wu",
    ]
)


def _pinyin_allowed(initial: str, final: str) -> bool:
    """Whether an initial and a final make a syllable Mandarin uses (roughly)."""
    if final in ("v", "ve"):
        return initial in ("n", "l")
    if final == "er":
        return False
    if initial in ("j", "q", "x"):
        return final in _I_FINALS or final in ("u", "ue", "uan", "un")
    if final == "o":
        return initial in ("b", "p", "m", "f")
    if final == "ue":
        return False
    if initial in ("g", "k", "h", "zh", "ch", "sh", "r", "z", "c", "s"):
        return final not in _I_FINALS or (final == "i" and initial not in ("g", "k", "h"))
    if initial in ("b", "p", "m", "f"):
        return (
            final not in _U_FINALS
            and final not in ("ong", "iong", "ia", "iang")
            and not (initial == "f" and final in _I_FINALS)
        )
    return final not in ("ua", "uai", "uang")


_PINYIN_SYLLABLES = frozenset(
    {i + f for i in _INITIALS for f in _FINALS if _pinyin_allowed(i, f)} | _BARE | _Y_W
)
_MAX_SYLLABLE = max(len(s) for s in _PINYIN_SYLLABLES)


# Short English words that are also pinyin syllables: alone they prove nothing.
def _word_set(text: str) -> frozenset[str]:
    """The words of a whitespace-separated list."""
    return frozenset(text.split())


_PINYIN_LOOKALIKES = _word_set(
    """
    a an and as at be bed been bin but can case chan dan de die do done e fan far gang
    he hen in is it la lie long man me men my nan no on one pan ran run sang say she
    shin so sun tan ten tie to tong use wen when who wing yang yo you yuan zen bang ban
    lane ling ping pong sing song hang hung mean ma den pie tea
    """
)


def _is_pinyin_word(word: str) -> bool:
    """Whether `word` splits wholly into pinyin syllables (greedy, longest first)."""
    position = 0
    while position < len(word):
        for size in range(min(_MAX_SYLLABLE, len(word) - position), 0, -1):
            if word[position : position + size] in _PINYIN_SYLLABLES:
                position += size
                break
        else:
            return False
    return True


# Everyday function words of romanised Punjabi and Hindi-Urdu as people type them in chat.
# A few are shared; each language keeps the words that tell it apart.
_PUNJABI_WORDS = _word_set(
    """
    mainu menu mennu mainoo sanu tuhanu tusi tussi assi asi vich wich da di nu noo ae
    hega hegi kar karda kardi karde reha rehi rahe hoya hoyi hoi kive kiven kidda kidaan
    bahut bohat bhut dard peed saah sah chhati chati hath lat lattan pair sir hun hunn
    ho gaya gayi giya gia nahi nai ni koi mera meri mere sadda sada veer bhaji bebe bapu
    ji je jado jadon ki kinne kinna lende paise aa karni sakda sakdi sakde vaje kithe kujh
    lagda lagdi ohna ohnu tuhade tuhadi
    """
)
_HINDUSTANI_WORDS = _word_set(
    """
    mujhe mujhko mera meri mere hai hain tha thi raha rahi rahe ho gaya gayi nahi nahin
    kya kyun kyu aur ko se mein me main hum aap apna apni bahut bohot bhut dard saans
    sans seene sine chaati chhati haath pair sar abhi jaldi madad chahiye karo kar karna
    lag lagta lagti ki ka ke ye yeh woh hoon hu kitne kitna paise lagenge lagega sakta sakti
    sakte chahta chahti karwa karwana hoga hogi kaise kab kahan
    """
)
_PUNJABI_ONLY = _word_set(
    """
    mainu menu mennu mainoo sanu tuhanu tusi tussi vich wich nu noo ae hega hegi karda
    kardi karde reha rehi hoya hoyi kive kiven kidda kidaan peed saah sah hun kinne
    lende hunn giya gia sadda sada bebe bapu jado jadon lattan karni sakda sakdi sakde vaje
    kithe kujh lagda lagdi ohna ohnu tuhade tuhadi
    """
)
_HINDUSTANI_ONLY = _word_set(
    """
    mujhe mujhko hain tha thi raha rahi kya kyun kyu aur ko se mein hum aap apna apni
    saans sans seene sine chaati abhi chahiye karna lagta lagti yeh hoon hu kitne
    lagenge lagega sakta sakti sakte chahta chahti karwana hoga hogi kaise
    """
)
_ARABIZI_WORDS = _word_set(
    """
    ana enta enti inta inti ya habibi wallah walla inshallah yalla mish msh mesh fi fe
    bdi biddi 3ayez 3ayza 3andi 3ndi andi 3am kteer ktir awi 2awi shway shwaya alam
    waja3 wa2ja3 wej3 sadri sedri nafas ma2der mosh mafi mafish aywa la2 eh leh ezay
    keef kif shu eish addeh adde jalse jalsa ibni raso abouya
    """
)
_ARABIZI_DIGIT = re.compile(r"[a-z][2379]|[2379][a-z]")
# Romanised Persian (Finglish) and Cantonese: words no English or other romanisation uses.
_FINGLISH_WORDS = _word_set(
    """
    mikham mikhad mikhay mikhastam nemitoonam nemitoone nemitoonim nemiad nemishe kheyli
    daram nadaram shode shodam mikone mikonam konam konid bekesham dige madaram pedaram
    emrooz dirooz vaghti soozan zadam tahamol zendegim zendegi bedam mitoone mitoonam biad
    hazine jalase chande darin lotfan baraye begiram vaght kardam karde mikardam dashtam
    nazdik nafasam nafasesh chetor chera sinam sineh ghalbam mamnoon khodam khodesh
    nemikham zende basham emshab hame mikhoram ghors ghorsa maman bozorgam dahanesh kaj
    babam aragh khafam jaye ziyad harf bezane nemiad nemikonam mikonan
    """
)
_JYUTPING_WORDS = _word_set(
    """
    ngo nei keoi heoi seung soeng saang zo gam mou saai giu faai hou ngaan jeuk gaa laa
    dei lok sik tau hei dou m sing seng bong zan jat gin tung zeoi jiu jau ge aa wo
    hyut lau ting zo gat zam fong fan zung zi bin min gong je cing co sam hau ma ba
    """
)
_JYUTPING_ONLY = _word_set(
    "ngo nei keoi heoi seung soeng saang saai giu ngaan jeuk zeoi gaa laa hyut cing"
)


def _words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKC", text).casefold().replace("'", "").replace("’", "")
    return _WORD.findall(folded)


def _romanised_language(words: list[str]) -> tuple[str, float] | None:
    """Pinyin, romanised Punjabi or Hindi-Urdu, or Arabizi, when the words say so."""
    if len(words) < MIN_ROMANISED_WORDS:
        return None
    english = _english_words()
    arabizi = sum(w in _ARABIZI_WORDS or bool(_ARABIZI_DIGIT.search(w)) for w in words)
    if arabizi >= max(2, len(words) // 3):
        return ARABIZI, arabizi / len(words)
    pinyin = [w for w in words if _is_pinyin_word(w)]
    # A common French word that happens to split into syllables ("pire", "matin") tells
    # nothing either: short French reads as pinyin otherwise.
    french = _french_vocabulary()
    telling = [
        w for w in pinyin if w not in _PINYIN_LOOKALIKES and w not in english and w not in french
    ]
    others = [w for w in words if w not in pinyin and w not in _CHAT_ENGLISH]
    if not others and len(telling) >= max(2, len(words) // 2):
        return PINYIN, len(telling) / len(words)
    not_english = sum(w not in english for w in words)
    finglish = sum(w in _FINGLISH_WORDS for w in words)
    if finglish >= 2 and not_english >= len(words) / 2:
        return FINGLISH, finglish / len(words)
    jyutping = sum(w in _JYUTPING_WORDS for w in words)
    if sum(w in _JYUTPING_ONLY for w in words) >= 1 and jyutping >= max(2, len(words) / 2):
        return JYUTPING, jyutping / len(words)
    punjabi = sum(w in _PUNJABI_WORDS for w in words)
    hindustani = sum(w in _HINDUSTANI_WORDS for w in words)
    best = max(punjabi, hindustani)
    if best >= 2 and best >= len(words) / 3 and not_english >= len(words) / 3:
        punjabi_only = sum(w in _PUNJABI_ONLY for w in words)
        hindustani_only = sum(w in _HINDUSTANI_ONLY for w in words)
        code = ROMAN_PUNJABI if punjabi_only > hindustani_only else ROMAN_HINDUSTANI
        if punjabi_only == hindustani_only:
            code = ROMAN_PUNJABI if punjabi > hindustani else ROMAN_HINDUSTANI
        return code, best / len(words)
    return None


# Words only French uses among the languages here (elided "j'", "n'" split off as words).
_FRENCH_WORDS = _word_set(
    """
    je j suis ai pas pu mon mes est ça ca pis avec dans pour une des du au aux moi mais
    très tres nous vous qu n c m s t y ne plus peux veux fait être etre aussi depuis chez
    mal tête tete rendez vous merci bonjour svp
    """
)


# Greetings and thanks only French uses: a message of nothing else ("salut", "allo",
# "merci bye", "ça va?", "d'accord merci") is French even though one word is too little
# for the model.
_FRENCH_COURTESY = _word_set(
    "salut allo allô bonjour bonsoir coucou merci bonne journée journee ça ca va d accord daccord"
)
_ANY_COURTESY = _word_set("bye ok okay")

# French words that are also romanised Cantonese, Chinese or Punjabi words ("gong je m cing
# co", "hun theek ne").
_SHARED_WITH_ROMANISED = _word_set("je j m t s c n y qu ne")

# Everyday words of Tagalog and of Vietnamese typed without its marks, which no word list
# here holds, as evidence of a language the bot does not read.
_TAGALOG_WORDS = _word_set(
    """
    ang ng mga po ako ikaw siya niya kami tayo sila ito iyan yung yun lang naman kasi
    pero hindi wala mayroon meron pwede puwede paano bakit sino saan kailan magkano ilan
    opo salamat nanay tatay anak asawa ayoko gusto ayaw talaga sobra sakit masakit dibdib
    hininga hirap biglang tapos nang kung
    """
)
_VIETNAMESE_WORDS = _word_set(
    """
    toi khong co duoc bi cua cho voi nhung nay kia gi lam roi dang mot rat nhieu neu
    nguc tho dau dot quy mau chay giup cuu benh vien bac lich hen gia bao gio hom ngay
    khoe biet muon doi minh nguoi tay chan
    """
)


@cache
def _english_words() -> frozenset[str]:
    """Common English words (the shared English list, most frequent first)."""
    # The most frequent words only: the long tail holds foreign words too ("de", "que").
    common = set(_ranked(ENGLISH, ENGLISH_VOCABULARY))
    return frozenset((common | _CHAT_ENGLISH) - _NOT_ENGLISH)


# Chat English and clinic words a dictionary does not list as common, with the shorthand
# of chat ("diff btwn", "resched sry") and of clinical notes ("pt s/p DN, SOB, CP").
_CHAT_ENGLISH = _word_set(
    """
    lol lmao lmfao omg idk tbh btw pls plz thx ty u ur r ya yea yeah yep nope wat wut
    gonna wanna gotta kinda sorta dunno cuz coz bc rn tmrw tmr appt appts ims physio
    physiotherapist dry needling okay ok hmm hi hey
    im ive id vs diff btwn frm dr drs gd resched sched sry wats whats n b4 st nd rd th hw abt
    pt pts hx htn sob cp rr ra dn sats sx dx tx rx prn bp hr ecg ekg er ed gp md rn np
    l r s p c o x w
    """
)


# Frequent in pyspellchecker's English list because English text quotes them.
_NOT_ENGLISH = _word_set(
    """
    de la le les des que el los las por con para una est et je il du au un una o um der
    die das und ich nicht ist mit ein eine och di il che non
    """
)


def _fold(word: str) -> str:
    """A word without its accents ("tête" → "tete"), as unaccented chat types it."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def ranked_in_word_list(language: str, count: int) -> list[str]:
    """The `count` most frequent words of pyspellchecker's list for `language`, read from the
    packaged list (English from the shared list the matcher and the screen load anyway)."""
    if language == ENGLISH:
        return _english_ranked()[:count]
    packed = pkgutil.get_data("spellchecker", f"resources/{language}.json.gz")
    frequencies = json.loads(gzip.decompress(packed).decode("utf-8")) if packed else {}
    ranked = sorted(frequencies.items(), key=lambda item: -item[1])
    return [word.lower() for word, _ in ranked[:count]]


@cache
def _english_ranked() -> list[str]:
    ranked = sorted(english_frequencies().items(), key=lambda item: -item[1])
    return [word for word, _ in ranked]


# The other languages' most frequent words, as `ranked_in_word_list` gives them, written by
# `scripts/ranked_words.py` (a test checks them against the installed lists): reading and
# sorting four whole lists took about a second of every start.
RANKED_WORDS_FILE = "ranked_words.json"


@cache
def _shipped_ranked() -> dict[str, list[str]]:
    packed = pkgutil.get_data("bot.safety", RANKED_WORDS_FILE)
    shipped: dict[str, list[str]] = json.loads(packed) if packed else {}
    return shipped


def _ranked(language: str, count: int) -> list[str]:
    """`ranked_in_word_list(language, count)`, from the shipped lists when they hold it."""
    shipped = _shipped_ranked().get(language, []) if language != ENGLISH else []
    if len(shipped) >= count:
        return shipped[:count]
    return ranked_in_word_list(language, count)


@cache
def _french_vocabulary() -> frozenset[str]:
    """Common French words, unaccented, with the elided "d'" and "l'" and chat words."""
    common = {_fold(word) for word in _ranked("fr", FRENCH_VOCABULARY)}
    return frozenset(common | _FRENCH_WORDS | _CHAT_ENGLISH | {"d", "l"})


@cache
def _foreign_vocabulary() -> frozenset[str]:
    """Everyday words of languages the bot does not read and English and French do not use."""
    words: set[str] = set()
    for language in FOREIGN_LANGUAGES:
        words |= {_fold(word) for word in _ranked(language, FOREIGN_VOCABULARY)}
    words |= _ROMANISED_WORDS
    return frozenset(words - _english_words() - _french_vocabulary())


_ROMANISED_WORDS = (
    _PUNJABI_WORDS | _HINDUSTANI_WORDS | _ARABIZI_WORDS | _FINGLISH_WORDS | _JYUTPING_WORDS
    | _TAGALOG_WORDS | _VIETNAMESE_WORDS
)  # fmt: skip


@cache
def _readable_english() -> frozenset[str]:
    """English words as far as reading goes: the common ones, and rarer ones that are not
    everyday words of a romanised language ("hun", "po", "ana" are)."""
    rarer = set(_ranked("en", READABLE_ENGLISH_VOCABULARY)) - _ROMANISED_WORDS - _NOT_ENGLISH
    return frozenset(_english_words() | rarer)


def _reads_as_english(word: str) -> bool:
    """An English word, or an unknown one a letter away from a common English word
    ("referal", "acupunture"), unless another language uses it ("dard", "sesion")."""
    english = _readable_english()
    if word in english:
        return True
    if len(word) < MIN_TYPO_LENGTH or not (word.isascii() and word.isalpha()):
        return False  # short, or with letters English does not write ("tiền", "nhiêu")
    if word in _foreign_vocabulary():
        return False
    return not english.isdisjoint(one_slip_away(word))


def _readable_share(words: list[str]) -> float:
    """The share of `words` the bot reads: the larger of its English and its French words."""
    if not words:
        return 0.0
    return _readable_count(words, forgive_typos=True) / len(words)


def english_content_words(words: list[str]) -> int:
    """How many of `words` are English words of four letters or more that no other language
    here uses ("appointment", "insurance"; not "dolor", "main", "ims")."""
    english = _readable_english()
    foreign = _foreign_vocabulary()
    return sum(
        len(word) >= MIN_CONTENT_LENGTH
        and word in english
        and word not in _ROMANISED_WORDS
        and _fold(word) not in foreign
        for word in words
    )


def _readable_count(words: list[str], forgive_typos: bool) -> int:
    english = _readable_english()
    if forgive_typos:
        english_count = sum(_reads_as_english(word) for word in words)
    else:
        english_count = sum(word in english for word in words)
    french_vocabulary = _french_vocabulary()
    return max(english_count, sum(_fold(word) in french_vocabulary for word in words))


def _unread(words: list[str], prior: str | None) -> float | None:
    """The readable share of a Latin-script message the bot does not read, or None when it
    reads it: it has everyday words of another language, and too few of its words are English
    or French (or a few more, when a third of them belong to another language). The app's
    language tips the balance."""
    if len(words) < MIN_READABLE_WORDS:
        return None
    shift = 0.0
    if prior is not None:
        shift = -PRIOR_SHARE if prior in READ_LANGUAGES else PRIOR_SHARE
    if _readable_count(words, forgive_typos=False) >= (MIXED_READABLE_SHARE + shift) * len(words):
        return None  # plainly read: no typo to look for (most messages)
    foreign_vocabulary = _foreign_vocabulary()
    foreign = sum(_fold(word) in foreign_vocabulary for word in words)
    if foreign < MIN_FOREIGN_WORDS:
        return None  # no sign of another language: a name, a list of medicines, a typo storm
    share = _readable_share(words)
    if share < READABLE_SHARE + shift:
        return share
    if share < MIXED_READABLE_SHARE + shift and foreign >= len(words) / 3:
        return share
    return None


def _unread_language(words: list[str], text: str) -> str:
    """The likeliest language of a message the bot does not read: the romanisation or the
    unmarked language whose everyday words it uses most, else the model's best guess other
    than English and French."""
    counts = {
        ROMAN_PUNJABI: sum(w in _PUNJABI_WORDS for w in words),
        ROMAN_HINDUSTANI: sum(w in _HINDUSTANI_WORDS for w in words),
        ARABIZI: sum(w in _ARABIZI_WORDS or bool(_ARABIZI_DIGIT.search(w)) for w in words),
        FINGLISH: sum(w in _FINGLISH_WORDS for w in words),
        JYUTPING: sum(w in _JYUTPING_ONLY for w in words),
        "tl": sum(w in _TAGALOG_WORDS for w in words),
        "vi": sum(w in _VIETNAMESE_WORDS for w in words),
    }
    best = max(counts, key=lambda code: counts[code])
    if counts[best] >= MIN_FOREIGN_WORDS:
        return best
    ranked = sorted(_model_probabilities(text).items(), key=lambda item: -item[1])
    return next(code for code, _ in ranked if code not in READ_LANGUAGES)


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(MODEL_LANGUAGES))
    return identifier


def load_language_model() -> None:
    """Load the language model and the English word list now (about a second), not on the
    first patient's message."""
    _identifier()
    _english_words()
    _foreign_vocabulary()
    _readable_english()


def _model_probabilities(text: str) -> dict[str, float]:
    return {code: float(p) for code, p in _identifier().rank(text)}


def detect_language(text: str, prior: str | None = None) -> LanguageGuess:
    """The language of `text`; `prior` is the language the patient's app reports."""
    try:
        return _detect(text, _normalise_prior(prior))
    except Exception:  # a wrong guess costs a notice; a crash would cost the reply
        return UNDETERMINED


def _normalise_prior(prior: str | None) -> str | None:
    if not prior:
        return None
    return prior.strip().lower().replace("_", "-").split("-")[0] or None


def _detect(text: str, prior: str | None) -> LanguageGuess:
    guess = _first_guess(text, prior)
    if guess.code == "und" or (guess.code not in READ_LANGUAGES and guess.confidence == 1.0):
        return guess  # undetermined, or told by its script
    words = _WORD.findall(re.sub(r"['’]", " ", unicodedata.normalize("NFKC", text).casefold()))
    if not guess.is_read:
        # Its English words tell whether the FAQ may answer below the notice.
        return replace(guess, english_words=english_content_words(words))
    if guess.code == FRENCH or guess.confidence < 1.0:
        # English or French words inside another language do not make it read.
        share = _unread(words, prior)
        if share is not None:
            code = _unread_language(words, text)
            return LanguageGuess(code, 1.0 - share, english_content_words(words))
    return guess


def _first_guess(text: str, prior: str | None) -> LanguageGuess:
    script = _script_language(text)
    if script is not None:
        return LanguageGuess(script, 1.0)
    words = _words(text)
    if not words:
        return UNDETERMINED
    if any(w in _FRENCH_COURTESY for w in words) and all(
        w in _FRENCH_COURTESY or w in _ANY_COURTESY for w in words
    ):
        return LanguageGuess(FRENCH, 1.0)
    french = sum(word in _FRENCH_WORDS for word in words)
    if not french and len(words) >= PLAIN_ENGLISH_WORDS:
        english = _english_words()
        if sum(word in english for word in words) >= PLAIN_ENGLISH_SHARE * len(words):
            return LanguageGuess(ENGLISH, 1.0)  # plainly English: no model needed
    romanised = _romanised_language(words)
    if french >= MIN_ROMANISED_WORDS and (
        romanised is None or any(w in _FRENCH_WORDS - _SHARED_WITH_ROMANISED for w in words)
    ):
        # Short, unaccented or Québec French ("je suis pu capable") fools the model.
        return LanguageGuess(FRENCH, 1.0)
    if romanised is not None:
        return LanguageGuess(*romanised)
    probabilities = _model_probabilities(text)
    if prior in probabilities:
        probabilities[prior] *= PRIOR_WEIGHT
        total = sum(probabilities.values())
        probabilities = {code: p / total for code, p in probabilities.items()}
    best = max(probabilities, key=lambda code: probabilities[code])
    confidence = probabilities[best]
    english = _english_words()
    share = sum(word in english for word in words) / len(words)
    if best != ENGLISH and confidence >= FOREIGN_CONFIDENCE and share < ENGLISH_WORD_SHARE:
        return LanguageGuess(best, confidence)
    if best == FRENCH and share < 1.0:
        # French is read in full, so a doubtful French guess costs little either way.
        return LanguageGuess(FRENCH, confidence)
    return LanguageGuess(ENGLISH, probabilities.get(ENGLISH, 0.0))


@cache
def detectable_languages() -> frozenset[str]:
    """Every code `detect_language` gives for a language the bot does not read, and each
    romanisation's base language (a notice for "pa" serves "pa-Latn" too): the codes a
    notice in safety_languages.yaml can be found under."""
    romanised = (PINYIN, JYUTPING, ROMAN_PUNJABI, ROMAN_HINDUSTANI, ARABIZI, FINGLISH)
    scripts = {name for _, _, name in _SCRIPTS} - {"han", "kana", "arab"}
    codes = {*MODEL_LANGUAGES, *scripts, MANDARIN, CANTONESE, JAPANESE, "ar", "fa", "ur"}
    codes |= {*romanised, *(code.split("-")[0] for code in romanised)}
    return frozenset(codes - set(READ_LANGUAGES))
