"""Which language a patient wrote in, so safety replies come in a language they read.

Script first (a Chinese, Punjabi or Arabic-script message needs no model), then the
romanisations a statistical model never saw (pinyin, romanised Punjabi and Hindi-Urdu,
Arabizi), then py3langid over Latin-script text, nudged by the language the patient's app
reports (Telegram's `language_code`). Short English is easy to misread as something else,
and a misread English message would be told "I can only read English and French": so a
Latin-script text counts as foreign only when the model is sure and most of its words are
not English.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.core.english import english_frequencies

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

_WORD = re.compile(r"[^\W\d_]+(?:\d[^\W\d_]*)*|\d+[^\W\d_]+[\w]*", re.UNICODE)

# Characters only written Cantonese uses (Mandarin writes these words differently).
_CANTONESE_CHARS = frozenset("嘅咗唔係佢哋嘢冇啲喺嚟嗰咁乜嘥嚿攰瞓噉")
_URDU_LETTERS = frozenset("ٹڈڑںےھۓ")
_PERSIAN_LETTERS = frozenset("پچژگکی")


@dataclass(frozen=True)
class LanguageGuess:
    """The language of a message, and whether the bot reads it."""

    code: str  # a language code ("en", "fr", "es", "zh", "pa-Latn", ...) or "und"
    confidence: float

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
    telling = [w for w in pinyin if w not in _PINYIN_LOOKALIKES and w not in english]
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


# French words that are also romanised Cantonese or Chinese syllables ("gong je m cing co").
_SHARED_WITH_ROMANISED = _word_set("je j m t s c n y qu")


@cache
def _english_words() -> frozenset[str]:
    """Common English words (the shared English list, most frequent first)."""
    ranked = sorted(english_frequencies().items(), key=lambda item: -item[1])
    # The most frequent words only: the long tail holds foreign words too ("de", "que").
    common = {word for word, _ in ranked[:ENGLISH_VOCABULARY]}
    return frozenset((common | _CHAT_ENGLISH) - _NOT_ENGLISH)


# Chat English and clinic words a dictionary does not list as common.
_CHAT_ENGLISH = _word_set(
    """
    lol lmao lmfao omg idk tbh btw pls plz thx ty u ur r ya yea yeah yep nope wat wut
    gonna wanna gotta kinda sorta dunno cuz coz bc rn tmrw tmr appt appts ims physio
    physiotherapist dry needling okay ok hmm hi hey
    """
)


# Frequent in pyspellchecker's English list because English text quotes them.
_NOT_ENGLISH = _word_set(
    """
    de la le les des que el los las por con para una est et je il du au un una o um der
    die das und ich nicht ist mit ein eine och di il che non per
    """
)


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
    script = _script_language(text)
    if script is not None:
        return LanguageGuess(script, 1.0)
    words = _words(text)
    if not words:
        return UNDETERMINED
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
