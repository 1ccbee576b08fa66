"""Typed answers: the parsers the step kinds (`bot.intake.step_types`) read text with.

Everything a button can do can also be typed: an option's number or label (typos and
missing symbols tolerated), "7" or "7/10" on a scale, "yes", "yeah", "nope", a duration
in words ("about 8 months", "since March")... An unusable answer gives a hint that says
exactly what would work.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.core.english import english_words
from bot.intake.flow import AnswerValue, Option, Side, Step
from bot.intake.wording import ENGLISH, ENGLISH_WORDS, FRENCH, IntakeWords, words_for

LABEL_CUTOFF = 80.0  # rapidfuzz score (0-100) a typed label must reach to count
SCALE_TOP = 10
YES_WORDS = frozenset(
    {
        "yes",
        "y",
        "yeah",
        "yep",
        "yup",
        "ya",
        "yes please",
        "sure",
        "ok",
        "okay",
        "i agree",
        "agree",
        "correct",
        "true",
        "oui",
        "affirmative",
        "definitely",
        "of course",
        # French (Québec): "o" is the short form a form's yes/no boxes teach.
        "o",
        "ouais",
        "ouin",
        "oui merci",
        "oui oui",
        "d'accord",
        "daccord",
        "bien sûr",
        "bien sur",
        "certainement",
        "exact",
        "c'est ça",
        "j'accepte",
        "je suis d'accord",
    }
)
NO_WORDS = frozenset(
    {
        "no",
        "n",
        "nope",
        "nah",
        "no thanks",
        "not really",
        "never",
        "i disagree",
        "disagree",
        "false",
        "non",
        "none",
        "non merci",
        "pas vraiment",
        "jamais",
        "nan",
        "je refuse",
        "je ne suis pas d'accord",
        "not at all",
        "not once",
        "absolutely not",
        "no never",
        "pas du tout",
        "non jamais",
        "aucunement",
    }
)
# Typed consent (to share health data, or to treatment), in each language a form runs in:
# only words that say yes or agree outright. "ok", "sure" or a bare "d'accord" (the French
# everyday "ok") may only acknowledge the text, so they, like any slip, re-ask; "je suis
# d'accord" says "I agree" and counts. A word counts only in the form's own language:
# consent is given to the text the patient read (see `consent_language`).
CONSENT_WORDS = {
    ENGLISH: frozenset(
        {"yes", "yes i agree", "i agree", "agree", "yes i do", "i consent", "yes i consent"}
    ),
    FRENCH: frozenset(
        {"oui", "j'accepte", "oui j'accepte", "je suis d'accord", "oui je suis d'accord",
         "je consens", "oui je consens", "j'y consens"}
    ),
}  # fmt: skip
# Typed refusal of consent, in each language a form runs in.
REFUSAL_WORDS = {
    ENGLISH: frozenset(
        {"no", "n", "nope", "nah", "no thanks", "no thank you", "not really", "never",
         "no way", "i disagree", "disagree", "i do not agree", "i don't agree", "i dont agree",
         "no i do not agree", "no i don't agree", "absolutely not", "not at all", "i refuse",
         "no i refuse", "i do not consent", "i don't consent", "i dont consent",
         "no i do not consent", "no i don't consent", "no i dont consent"}
    ),
    FRENCH: frozenset(
        {"non", "nan", "non merci", "pas vraiment", "jamais", "je refuse", "non je refuse",
         "je ne suis pas d'accord", "non je ne suis pas d'accord", "pas d'accord",
         "je n'accepte pas", "non je n'accepte pas", "pas du tout", "je ne consens pas",
         "non je ne consens pas"}
    ),
}  # fmt: skip
# Typed alone at a multi-choice question with a "None of these" option: that option.
NOTHING_WORDS = NO_WORDS | {
    "nothing", "none of them", "none of the above", "no none", "neither", "nothing at all",
    "nothing else", "no more", "nothing more", "rien d'autre", "rien de plus",
    "aucun", "aucune", "rien", "aucun de ces choix", "aucune de ces réponses", "rien de tout ça",
    "rien de tout cela", "non aucun", "non rien", "aucun de ceux-là", "aucune de celles-là",
}  # fmt: skip
# Typed alone, "I can't say": picks a choice question's "I'm not sure" option.
UNSURE_WORDS = frozenset(
    {"idk", "i dont know", "i don't know", "dont know", "don't know", "dunno", "no idea",
     "not sure", "unsure", "i'm not sure", "im not sure", "not certain", "hard to say",
     "je ne sais pas", "je sais pas", "sais pas", "jsais pas", "chais pas", "aucune idée",
     "pas sûr", "pas sûre", "pas sur", "pas certain", "pas certaine", "difficile à dire"}
)  # fmt: skip
SIDE_WORDS: dict[str, Side] = {
    "left": Side.LEFT, "l": Side.LEFT, "my left": Side.LEFT, "left side": Side.LEFT,
    "right": Side.RIGHT, "r": Side.RIGHT, "my right": Side.RIGHT, "right side": Side.RIGHT,
    "both": Side.BOTH, "b": Side.BOTH, "both sides": Side.BOTH, "each side": Side.BOTH,
    "middle": Side.CENTRE, "centre": Side.CENTRE, "center": Side.CENTRE,
    "gauche": Side.LEFT, "g": Side.LEFT, "à gauche": Side.LEFT, "côté gauche": Side.LEFT,
    "droite": Side.RIGHT, "droit": Side.RIGHT, "d": Side.RIGHT, "à droite": Side.RIGHT,
    "côté droit": Side.RIGHT, "les deux": Side.BOTH, "les deux côtés": Side.BOTH,
    "des deux côtés": Side.BOTH, "deux côtés": Side.BOTH, "milieu": Side.CENTRE,
    "au milieu": Side.CENTRE, "au centre": Side.CENTRE,
}  # fmt: skip
NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10,
}  # fmt: skip
# Number words a typed number may be spelt with, English and French (accents dropped).
_SPELT_NUMBERS = {
    **NUMBER_WORDS,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
    "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
    "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13,
    "quatorze": 14, "quinze": 15, "seize": 16, "vingt": 20, "vingts": 20, "trente": 30,
    "quarante": 40, "cinquante": 50, "soixante": 60, "septante": 70, "huitante": 80,
    "octante": 80, "nonante": 90,
}  # fmt: skip
_HUNDREDS = frozenset({"hundred", "cent", "cents"})
_NUMBER_GLUE = frozenset({"and", "et", "a"})  # "forty and two", "vingt et un", "a hundred"
_NUMBER_VOCABULARY = tuple([*_SPELT_NUMBERS, *_HUNDREDS])
# Words around a typed number that say nothing more ("I'm 42 years old", "j'ai 42 ans").
_NUMBER_FILLER = re.compile(
    r"^(?:(?:i'm|im|i am|i’m|j'ai|j’ai|age|aged|my age is|about|around)\s+)*(?P<number>.+?)"
    r"(?:\s+(?:years?|yrs?|y/?o|ans|years? old|yrs? old|ans et demi))?(?:\s+old)?$"
)
_SCALE_RE = re.compile(r"^\s*(\d{1,2}|[^\W\d_]+)\s*(?:(?:/|out of|of|sur)\s*10)?\s*[.!]?\s*$")
_FRENCH_SCALE = {
    "zéro": 0, "zero": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5,
    "six": 6, "sept": 7, "huit": 8, "neuf": 9, "dix": 10,
}  # fmt: skip
_NUMBER_RE = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*(?!(?:st|nd|rd|th)\b)[a-z]*\s*$")
_LIST_RE = re.compile(r"\s*(?:,|;|\n)\s*")
_AND_RE = re.compile(r"\s*(?:\band\b|\bet\b|&|\+)\s*")
# Button numbers typed with spaces between them ("1 3 7"), as many patients list them.
_SPACED_NUMBERS_RE = re.compile(r"\d+(?:\s+\d+)+")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip
_MONTHS.update(
    {name: number
     for number, names in enumerate(
         [("janvier", "janv"), ("février", "fevrier", "févr", "fevr"), ("mars",),
          ("avril", "avr"), ("mai",), ("juin",), ("juillet", "juil"), ("août", "aout"),
          ("septembre",), ("octobre",), ("novembre",), ("décembre", "decembre", "déc")],
         start=1,
     )
     for name in names}
)  # fmt: skip


@dataclass(frozen=True)
class Parsed:
    """A typed answer that fits the step."""

    value: AnswerValue


@dataclass(frozen=True)
class Invalid:
    """A typed answer that does not fit; `hint` says what would."""

    hint: str


ParseResult = Parsed | Invalid


def _plain(char: str) -> str:
    """Symbols and quote marks a button label may carry (✔, ✅, «) become spaces."""
    category = unicodedata.category(char)
    return " " if category in ("So", "Sk", "Pi", "Pf") or char in "\ufe0f\u200d" else char


@lru_cache(maxsize=8192)  # option labels are normalised for every typed answer
def normalise(text: str) -> str:
    """Lower case, single spaces, no symbols (✔ «) and no surrounding punctuation."""
    plain = text.lower()
    if not plain.isascii():
        plain = "".join(_plain(char) for char in plain)
    return " ".join(plain.strip().strip(".!?").split())


def bare_words(text: str) -> str:
    """`text` normalised with its inner punctuation dropped too: "Yes, I agree", "yes I
    agree" and "yes - i agree" read the same."""
    return " ".join(re.sub(r"[^\w\s]", " ", normalise(text)).split())


_BARE_YES = frozenset(bare_words(word) for word in YES_WORDS)
_BARE_NO = frozenset(bare_words(word) for word in NO_WORDS)
_BARE_CONSENT = {
    language: frozenset(bare_words(word) for word in said)
    for language, said in CONSENT_WORDS.items()
}
_BARE_REFUSAL = {
    language: frozenset(bare_words(word) for word in said)
    for language, said in REFUSAL_WORDS.items()
}
_BARE_UNSURE = frozenset(bare_words(word) for word in UNSURE_WORDS)
# The no-words that leave no doubt, for a choice question ("not really" may mean "a little").
_BARE_NONE = _BARE_NO - {
    bare_words(word)
    for word in ("not really", "pas vraiment", "no thanks", "non merci", "disagree",
                 "i disagree", "false", "je refuse", "je ne suis pas d'accord")
}  # fmt: skip


QUESTION_WORDS = frozenset(
    {"what", "how", "can", "could", "does", "do", "is", "are", "will", "why", "when",
     "where", "who", "should", "would", "which", "am", "may",
     "est-ce", "est-ce-que", "qu'est-ce", "comment", "pourquoi", "combien", "quel",
     "quelle", "quels", "quelles", "où", "puis-je", "dois-je", "peut-on", "faut-il", "qui"}
)  # fmt: skip
# Openings that also start a plain account ("when I bend", "where it hurts most"): at a
# free-text question they make a question only with a question mark.
_ANSWER_OPENINGS = frozenset({"when", "where", "who", "which", "qui", "où", "quand"})


def _opening(text: str) -> set[str]:
    # "est-ce que" is often typed "est ce que": hyphens and spaces read the same.
    words = [word.strip(",") for word in re.split(r"[\s\-]+", text.strip().lower()) if word]
    return {*words[:1], "-".join(words[:2])}


def looks_like_question(text: str) -> bool:
    """Whether typed text reads as a side question rather than an answer."""
    return text.strip().endswith("?") or bool(_opening(text) & QUESTION_WORDS)


def may_be_question(text: str) -> bool:
    """Whether text typed at a free-text question may be a question for the clinic rather
    than the answer ("how much does it cost?"), so the patient is asked which it is."""
    opening = _opening(text) & QUESTION_WORDS
    return text.strip().endswith("?") or bool(opening - _ANSWER_OPENINGS)


def parse_yes_no(text: str, labels: tuple[str, str] = ("", "")) -> bool | None:
    """True for yes-like words, False for no-like words, None otherwise; `labels` (the yes
    and no buttons) read as typed, with or without their punctuation."""
    words = normalise(text)
    if words in YES_WORDS:
        return True
    if words in NO_WORDS:
        return False
    bare = bare_words(words)
    yes, no = (bare_words(label) for label in labels)
    if bare in _BARE_YES or (yes and bare == yes):
        return True
    if bare in _BARE_NO or (no and bare == no):
        return False
    return None


def parse_consent(text: str, labels: tuple[str, str], language: str = ENGLISH) -> bool | None:
    """True only for an explicit agreement in the form's `language` (or the agree button's
    words), False for a refusal in it (or the decline button's), None for anything else;
    `labels` are the agree and decline buttons ("" where the step has none)."""
    bare = bare_words(text)
    agree, decline = (bare_words(label) for label in labels)
    if bare in _BARE_CONSENT.get(language, ()) or (agree and bare == agree):
        return True
    if bare in _BARE_REFUSAL.get(language, ()) or (decline and bare == decline):
        return False
    return None


def consent_language(text: str) -> str | None:
    """The language a typed consent or refusal is in ("oui": French, "no": English); None
    for anything else."""
    bare = bare_words(text)
    said = [
        language
        for language in CONSENT_WORDS
        if bare in _BARE_CONSENT[language] or bare in _BARE_REFUSAL[language]
    ]
    return said[0] if len(said) == 1 else None


def option_by_meaning(text: str, options: tuple[Option, ...]) -> int | None:
    """The option a plain "no" or "I don't know" means where the question has exactly one
    option saying that itself: "never", "nope" or "pas du tout" pick "Not at all" (or
    "Jamais"), "idk" picks "I'm not sure"; None when the options say it in none or several."""
    bare = bare_words(text)
    if bare in _BARE_NONE:
        said = _BARE_NONE
    elif bare in _BARE_UNSURE:
        said = _BARE_UNSURE
    else:
        return None
    found = {
        index
        for index, option in enumerate(options)
        for name in (option.label, *option.aliases)
        if _says(bare_words(name), said, inside=said is _BARE_UNSURE)
    }
    return found.pop() if len(found) == 1 else None


def _says(name: str, phrases: frozenset[str], *, inside: bool) -> bool:
    """Whether an option's name is one of `phrases` (or, `inside`, holds one of them whole:
    "Elsewhere or not sure")."""
    if name in phrases:
        return True
    padded = f" {name} "
    return inside and any(f" {phrase} " in padded for phrase in phrases if " " in phrase)


def exact_option(text: str, options: tuple[Option, ...]) -> int | None:
    """Index of the option whose label, id or alias is exactly `text` (symbols ignored)."""
    words = normalise(text)
    for index, option in enumerate(options):
        names = (option.label, option.id.replace("_", " "), *option.aliases)
        if any(normalise(name) == words for name in names):
            return index
    return None


def match_option(
    text: str, options: tuple[Option, ...], numbered: bool = True, loose: bool = True
) -> int | None:
    """Index of the option `text` names by number, label or alias (typos tolerated).

    A number counts only where the options are `numbered` for the patient. A typo is
    forgiven only in a word of at least `MIN_TYPO_CHARS` letters: "hi" is not "Hip".
    Unless `loose`, a few of a label's words ("back" for "...pain in back or belly") do
    not name it.
    """
    words = normalise(text)
    if words.isdecimal():
        number = int(words)
        return number - 1 if numbered and 1 <= number <= len(options) else None
    choices: dict[int, str] = {}
    owners: list[int] = []
    for index, option in enumerate(options):
        for name in (option.label, option.id.replace("_", " "), *option.aliases):
            choices[len(owners)] = normalise(name)
            owners.append(index)
    for key, name in choices.items():
        if name == words:
            return owners[key]
    if len(words) > SHORT_WORD_CHARS:
        best = process.extractOne(words, choices, scorer=fuzz.ratio, score_cutoff=LABEL_CUTOFF)
        if best is not None:
            return owners[int(best[2])]
    elif len(words) >= MIN_TYPO_CHARS:
        # A short word: one slip ("kneee", "ankel", "elbw") that keeps its first letter, so
        # "night" is not "tight", nor "tight" "thigh", nor "hi" "Hip".
        near = {
            owners[key]
            for key, name in choices.items()
            if name[:1] == words[:1] and OSA.distance(words, name, score_cutoff=1) <= 1
        }
        if len(near) == 1:
            return near.pop()
    # "tight muscles" for "Tight or stiff muscles", "shooting" for "Spreads or shoots...":
    # every word typed is a word (or a form of one) of exactly one option.
    typed = _content_stems(words) if loose else frozenset()
    if not typed:
        return None
    found = {owners[key] for key, name in choices.items() if typed <= _content_stems(name)}
    return found.pop() if len(found) == 1 else None


# Words around a choice typed in a short sentence ("it's me", "the neck mostly").
_ANSWER_FILLER = re.compile(
    r"^(?:(?:it's|it is|its|that's|that is|i'd say|i would say|i think|i guess|probably|"
    r"maybe|mostly|mainly|c'est|ce serait|je dirais|je pense|surtout|plutôt)\s+)+"
    r"|\s+(?:mostly|mainly|i think|i guess|probably|surtout|plutôt|je pense|je crois)$"
)
_NEGATION = re.compile(r"(?<!\w)(?:not|no|never|\w+n't|pas|ne|n'|jamais|aucun|aucune)(?!\w)")
SENTENCE_WORDS = 8  # longer text says more than a choice: it is asked about
# A number that is not a 0-10 rating: a range ("6-7", "6 or 7") or an amount with a unit.
_NOT_A_RATING = re.compile(
    r"\d\s*(?:-|to|or|ou|à)\s*\d|\d\s*(?:%|days?|weeks?|months?|years?|yrs?|hours?|hrs?|"
    r"min|mins|minutes?|times?|jours?|semaines?|mois|ans?|heures?|fois|kg|lbs?|cm)(?!\w)"
)


def option_in_sentence(text: str, options: tuple[Option, ...]) -> int | None:
    """The one option a short sentence names: "it's me" (Me, the patient), "the neck
    mostly" (Neck); None when none or several are named, or the sentence negates."""
    words = normalise(text)
    if len(words.split()) > SENTENCE_WORDS or _NEGATION.search(words):
        return None
    bare = _ANSWER_FILLER.sub("", words).strip()
    if bare and bare != words:
        index = match_option(bare, options, numbered=False)
        if index is not None:
            return index
    typed = {_stem(word) for word in re.findall(r"[^\W_]+", words)}
    found = {
        index
        for index, option in enumerate(options)
        for name in (option.label, *option.aliases)
        if (content := _content_stems(normalise(name))) and content <= typed
    }
    return found.pop() if len(found) == 1 else None


MIN_TYPO_CHARS = 3
SHORT_WORD_CHARS = 5
_GLUE_WORDS = frozenset(
    {"or", "and", "the", "a", "an", "my", "of", "in", "to", "with", "i", "me", "it", "is",
     "am", "some", "very", "bit", "little", "such", "as", "when", "where", "no", "not",
     "for", "there", "at", "on", "any", "all", "that", "this", "than", "but", "so", "be",
     "been", "has", "have", "are", "was", "yes", "one",
     "ou", "et", "le", "la", "les", "l", "un", "une", "des", "de", "du", "d", "mon", "ma",
     "mes", "je", "j", "m", "en", "au", "aux", "à", "dans", "avec", "pour", "par",
     "sur", "pas", "ne", "n", "très", "tres", "peu", "qui", "que", "qu", "ce", "c", "est",
     "ai", "suis", "oui", "non", "mal", "j'ai", "y", "il", "elle", "quand", "comme",
     "tels", "telles", "tel", "telle", "ces", "cette", "se", "s", "time", "times", "fois"}
)  # fmt: skip
_SUFFIX_RE = re.compile(r"(?:ing|ness|ed|es|s|e|y)$")


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    """A crude word root, so that "shooting", "shoots" and "shoot" meet ("muscles" and
    "muscle" too); only words of five letters or more are cut."""
    return _SUFFIX_RE.sub("", word) if len(word) >= 5 else word


def _content_stems(words: str) -> frozenset[str]:
    return frozenset(
        _stem(word) for word in re.findall(r"[^\W_]+", words) if word not in _GLUE_WORDS
    )


def _numbered(options: tuple[Option, ...]) -> str:
    return "; ".join(f"{index} {option.label}" for index, option in enumerate(options, start=1))


def option_hint(options: tuple[Option, ...], words: IntakeWords = ENGLISH_WORDS) -> str:
    """The hint for a choice that was not recognised."""
    return words.option_hint.format(numbered=_numbered(options))


def options_hint(options: tuple[Option, ...], words: IntakeWords = ENGLISH_WORDS) -> str:
    """The hint for a question taking several answers when nothing typed was recognised."""
    return words.options_hint.format(numbered=_numbered(options))


def parse_scale(text: str) -> int | None:
    """0-10 from "7", "7/10", "7 out of 10" or "seven"; None otherwise."""
    words = normalise(text)
    match = _SCALE_RE.match(words)
    if match is None:
        # One number in a short answer ("about a 6", "I'd say 7 today").
        rated = re.sub(r"\s*(?:/|out of|sur)\s*10\b", "", words)
        # A number joined to a letter is a name, not a rating: a disc "L4", a nerve "C7".
        numbers = re.findall(r"(?<![\w.,/-])\d{1,2}(?![\d/]|[.,]\d)", rated)
        short = len(words.split()) <= SENTENCE_WORDS
        if len(numbers) == 1 and short and not _NOT_A_RATING.search(words):
            match = _SCALE_RE.match(numbers[0])
    if match is None:
        return None
    raw = match.group(1)
    value = int(raw) if raw.isdecimal() else NUMBER_WORDS.get(raw, _FRENCH_SCALE.get(raw))
    if value is None or not 0 <= value <= SCALE_TOP:
        return None
    return value


def _example(step: Step) -> str:
    """A plausible number for the step's hint: the middle of its bounds (60 for an age)."""
    if step.minimum is None or step.maximum is None:
        return f"{step.minimum or 0:g}"
    middle = (step.minimum + step.maximum) / 2
    return f"{int(middle)}" if step.integer else f"{middle:g}"


def _spelt_word(word: str) -> str | None:
    """`word` as a number word, with a misspelling ("fourty", "quarente") put right."""
    if word in _SPELT_NUMBERS or word in _HUNDREDS or word in _NUMBER_GLUE:
        return word
    if len(word) < 4 or word in english_words():
        # A real word ("done", "none", "sixth") is what the patient meant, not a slip.
        return None
    best = process.extractOne(word, _NUMBER_VOCABULARY, scorer=fuzz.ratio, score_cutoff=80)
    return str(best[0]) if best is not None else None


def spelt_number(text: str) -> int | None:
    """A whole number written in English or French words: "forty two", "fourty-two",
    "quatre-vingt-dix-neuf", "one hundred and five"; None when it is not one."""
    plain = unicodedata.normalize("NFKD", normalise(text))
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    words = [word for word in re.split(r"[\s-]+", plain) if word]
    total, last = 0, 1000
    seen = False
    for raw in words:
        word = _spelt_word(raw)
        if word is None:
            return None
        if word in _NUMBER_GLUE:
            continue
        if word in _HUNDREDS:
            if total >= 100:
                return None
            total, last = (total or 1) * 100, 100
        elif word.startswith("vingt") and total % 100 == 4 and last == 4:
            total, last = total + 76, 80  # quatre-vingt(s): 4 x 20
        else:
            value = _SPELT_NUMBERS[word]
            if value >= last:  # "two forty", "five five": not one number
                return None
            total, last = total + value, value
        seen = True
    return total if seen else None


# A number said with a half: "seven and a half", "7.5", "7½", "7 1/2", "sept et demi".
_HALF_RE = re.compile(
    r"^(?:(?:about|around|maybe|environ)\s+)?"
    r"(?:(?P<digits>\d{1,3})[.,]5|(?P<whole>.*?\S)\s*(?:and a half|et demie?|½|1/2))[.!]?$"
)


def half_number(text: str) -> int | None:
    """The whole part of a number said with a half ("seven and a half" -> 7), else None."""
    match = _HALF_RE.match(normalise(text))
    if match is None:
        return None
    if match.group("digits") is not None:
        return int(match.group("digits"))
    whole = match.group("whole")
    return int(whole) if whole.isdecimal() else spelt_number(whole)


def parse_number(text: str, step: Step) -> ParseResult:
    """A number within the step's bounds, in digits or words ("42", "I'm 42", "forty-two")."""
    said = words_for(step.language)
    bounds = said.bounds.format(low=f"{step.minimum:g}", high=f"{step.maximum:g}")
    words = normalise(text)
    match = _NUMBER_RE.match(words)
    value: float | None = None
    if match is not None:
        value = float(match.group(1).replace(",", "."))
    else:
        inner = _NUMBER_FILLER.match(words)
        number = inner.group("number") if inner is not None else words
        if re.fullmatch(r"-?\d+(?:[.,]\d+)?", number):
            value = float(number.replace(",", "."))
        else:
            spelt = spelt_number(number)
            value = float(spelt) if spelt is not None else None
            half = half_number(number) if value is None else None
            value = half + 0.5 if half is not None else value
    if value is None:
        return Invalid(said.number_only.format(bounds=bounds, example=_example(step)))
    if step.integer and value != int(value):
        return Invalid(said.whole_number.format(bounds=bounds))
    low = step.minimum if step.minimum is not None else float("-inf")
    high = step.maximum if step.maximum is not None else float("inf")
    if not low <= value <= high:
        return Invalid(said.out_of_range.format(bounds=bounds))
    return Parsed(int(value) if step.integer else value)


def parse_text(text: str, step: Step) -> ParseResult:
    """Free text within the step's length limit."""
    cleaned = text.strip()
    limit = step.max_length or 0
    said = words_for(step.language)
    if limit and len(cleaned) > limit:
        return Invalid(said.text_too_long.format(length=len(cleaned), limit=limit))
    if not cleaned:
        return Invalid(said.text_empty)
    return Parsed(cleaned)


def parse_date(text: str, today: date) -> date | None:
    """A date from "2026-03-15", "15/03/2026" (day first), "2026-03" or "March 2026"."""
    words = normalise(text)
    for pattern in (r"^(\d{4})-(\d{1,2})-(\d{1,2})$", r"^(\d{4})-(\d{1,2})$"):
        match = re.match(pattern, words)
        if match:
            parts = [int(part) for part in match.groups()]
            try:
                return date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
            except ValueError:
                return None
    match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", words)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    match = re.match(r"^(?:(\d{1,2})(?:er)?\s+)?([a-zéû]+)\.?\s+(\d{4})$", words)
    if match and match.group(2) in _MONTHS:
        try:
            return date(int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1) or 1))
        except ValueError:
            return None
    return None


_UNIT_DAYS = {
    "d": 1, "day": 1, "days": 1,
    "w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7,
    "m": 30, "mo": 30, "mos": 30, "mth": 30, "mths": 30, "month": 30, "months": 30,
    "y": 365, "yr": 365, "yrs": 365, "year": 365, "years": 365,
    "jour": 1, "jours": 1, "j": 1, "semaine": 7, "semaines": 7, "sem": 7, "mois": 30,
    "an": 365, "ans": 365, "année": 365, "années": 365, "annee": 365, "annees": 365,
}  # fmt: skip
_AMOUNT_WORDS = {
    **{word: float(value) for word, value in NUMBER_WORDS.items()},
    "a": 1.0, "an": 1.0, "one and a half": 1.5, "a year and a half": 1.5, "half a": 0.5,
    "a couple of": 2.0, "couple of": 2.0, "a couple": 2.0, "a few": 3.0, "few": 3.0,
    "several": 4.0, "eleven": 11.0, "twelve": 12.0, "fifteen": 15.0, "twenty": 20.0,
    "un": 1.0, "une": 1.0, "deux": 2.0, "trois": 3.0, "quatre": 4.0, "cinq": 5.0,
    "six": 6.0, "sept": 7.0, "huit": 8.0, "neuf": 9.0, "dix": 10.0, "onze": 11.0,
    "douze": 12.0, "quinze": 15.0, "vingt": 20.0, "quelques": 3.0, "plusieurs": 4.0,
    "une couple de": 2.0, "un an et demi": 1.5, "un peu plus d'un": 1.0,
}  # fmt: skip
# "Years" without a number is at least two years: longer than any bounded option. Vague
# weeks or months ("for months") are not read: the patient is asked for a number.
_VAGUE_YEARS = frozenset(
    {
        "years",
        "many years",
        "several years",
        "a few years",
        "a lot of years",
        "a number of years",
        "multiple years",
        "years and years",
        "des années",
        "des annees",
        "plusieurs années",
        "plusieurs annees",
        "quelques années",
        "quelques annees",
        "bien des années",
    }
)
_SEASONS = {
    "spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12,
    "printemps": 3, "été": 6, "ete": 6, "automne": 9, "hiver": 12,
}  # fmt: skip
_HEDGES = re.compile(
    r"^(?:(?:for|about|around|roughly|approximately|approx|maybe|probably|nearly|almost|"
    r"over|more than|less than|under|just under|just over|at least|close to|like|i think|"
    r"it's been|its been|it has been|been|the last|the past|past|last|a total of|total of|"
    r"on and off for|off and on for|on and off|off and on|"
    r"environ|à peu près|a peu pres|presque|plus de|moins de|au moins|pendant|depuis|"
    r"depuis environ|depuis presque|ça fait|ca fait|cela fait|il y a|déjà|deja|peut-être|"
    r"peut-etre|genre|quasiment|près de|pres de|les derniers|les dernières|je dirais)\s+)+"
)
_AGO = re.compile(
    r"\s+(?:ago|now|or so|or more|or less|on and off|and counting|environ|à peu près|"
    r"a peu pres|ou plus|ou moins|déjà|deja|maintenant)$"
)
_DURATION = re.compile(
    r"^(?P<amount>\d+(?:[.,]\d+)?|[a-z]+(?: [a-z]+){0,3}?)\s*(?:-|to)?\s*"
    r"(?:(?P<upper>\d+)\s*)?(?P<unit>[a-zé]+)(?: and a half| et demi| et demie)?$"
)
# A start said relative to today, alone or after "since" / "depuis" (days ago).
_RELATIVE_DAYS = {
    "today": 0, "this morning": 0, "yesterday": 1, "last night": 1,
    "aujourd'hui": 0, "ce matin": 0, "hier": 1, "hier soir": 1,
}  # fmt: skip
_SINCE = re.compile(
    r"^(?:(?:since|from|started in|began in|started|began|in|depuis le|depuis la|depuis|"
    r"ça a commencé en|ca a commence en|a commencé en|commencé en|en|au mois de|"
    r"à partir de|a partir de)\s+|depuis l')(?P<when>.+)$"
)


@dataclass(frozen=True)
class Duration:
    """How long the pain has lasted: `days` as the options' ranges count them (a month is
    30 days, a year 365), and the day it `began` on the calendar ("10 years" before 7
    December 2026 is 7 December 2016, whatever the leap days)."""

    days: int
    began: date


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` calendar months before `day` (the month's last
    day when it is shorter: a month before 31 March is 28 or 29 February)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _lasted(amount: float, unit_days: int, today: date) -> Duration | None:
    """`amount` units of `unit_days` each, back from `today`: months and years by the
    calendar (whole months; what is left over in days), days and weeks as counted."""
    days = round(amount * unit_days)
    if not 0 <= days <= 100 * 365:
        return None
    if unit_days < _UNIT_DAYS["month"]:
        return Duration(days, today - timedelta(days=days))
    months = amount * (12 if unit_days == _UNIT_DAYS["year"] else 1)
    whole = int(months)
    rest = round((months - whole) * _UNIT_DAYS["month"])
    return Duration(days, months_before(today, whole) - timedelta(days=rest))


def _since(began: date, today: date) -> Duration:
    return Duration((today - began).days, began)


def parse_duration(text: str, today: date) -> Duration | None:
    """How long the pain has lasted, from "about 8 months", "2 yrs", "since March"...

    None when the text is not a duration. "since <month>" is the most recent such month
    that is not in the future; "since 2024" is the start of that year.
    """
    words = normalise(text)
    if words in _RELATIVE_DAYS:  # "yesterday", "since yesterday", "depuis hier"
        return _lasted(_RELATIVE_DAYS[words], 1, today)
    since = _SINCE.match(words)
    if since is not None:
        if since.group("when") in _RELATIVE_DAYS:
            return _lasted(_RELATIVE_DAYS[since.group("when")], 1, today)
        began = _since_date(since.group("when"), today)
        if began is not None:
            return _since(began, today)
        if not words.startswith("depuis"):
            return None
        # "depuis 3 mois" is French for "for 3 months": a duration, not a date.
    words = _AGO.sub("", _HEDGES.sub("", words)).strip()
    year = _UNIT_DAYS["year"]
    if words in _VAGUE_YEARS:
        return _lasted(2, year, today)
    if words in ("a year and a half", "year and a half"):
        return _lasted(1.5, year, today)
    match = _DURATION.match(words)
    if match is None:
        return None
    unit = _UNIT_DAYS.get(match.group("unit"))
    raw = match.group("amount").strip()
    amount = float(raw.replace(",", ".")) if raw[0].isdigit() else _AMOUNT_WORDS.get(raw)
    if unit is None or amount is None:
        return None
    if match.group("upper"):  # "6-8 weeks": the middle of the range
        amount = (amount + float(match.group("upper"))) / 2
    if words.endswith((" and a half", " et demi", " et demie")):
        amount += 0.5
    return _lasted(amount, unit, today)


def _since_date(when: str, today: date) -> date | None:
    when = when.removeprefix("about ").removeprefix("around ").removeprefix("environ ").strip()
    if when in ("last year", "l'an dernier", "l'année dernière", "l'an passé", "l'année passée"):
        return date(today.year - 1, 1, 1)
    if when in ("this year", "january this year", "cette année", "le début de l'année"):
        return date(today.year, 1, 1)
    if when.isdecimal() and len(when) == 4 and 1900 < int(when) <= today.year:
        return date(int(when), 1, 1)
    last = re.match(r"^(?:last|l'|le|la)\s*([a-zé]+)(?:\s+(?:dernier|passé|passe))?$", when)
    if last and last.group(1) in _SEASONS:  # "last summer": the latest one already over
        began = date(today.year, _SEASONS[last.group(1)], 1)
        return began if (today - began).days > 92 else began.replace(year=today.year - 1)
    season = re.match(
        r"^(?:the\s+|l'|le\s+|la\s+)?(?:early\s+|late\s+)?([a-zé]+)\s+(?:of\s+|de\s+|d')?(\d{4})$",
        when,
    )
    if season and season.group(1) in _SEASONS and 1900 < int(season.group(2)) <= today.year:
        began = date(int(season.group(2)), _SEASONS[season.group(1)], 1)
        return began if began <= today else None
    month_name = when.removeprefix("last ").removeprefix("early ").removeprefix("late ")
    month_name = re.sub(r"^(?:le\s+)?(?:début|debut|fin|mi)[\s-]+(?:de\s+|d')?", "", month_name)
    month_name = re.sub(r"\s+(?:dernier|passé|passe)$", "", month_name)
    if month_name in _MONTHS:
        began = date(today.year, _MONTHS[month_name], 1)
        return began if began <= today else date(today.year - 1, _MONTHS[month_name], 1)
    return parse_date(when, today)


def duration_option(step: Step, days: int) -> str | None:
    """The option of a date_or_duration step whose range holds `days` (by `within_days`)."""
    ranged = [option for option in step.options if option.within_days is not None]
    if not ranged:
        return None
    for option in ranged:
        if option.within_days is not None and days < option.within_days:
            return option.id
    longest = [option for option in step.options if option.within_days is None]
    return longest[-1].id if longest else ranged[-1].id


def parse_date_or_duration(text: str, step: Step, today: date) -> ParseResult:
    """A duration option, a duration in words, or a start date that is not in the future."""
    said = words_for(step.language)
    index = exact_option(text, step.options)
    if index is not None:
        return Parsed({"option": step.options[index].id})
    when = parse_date(text, today)
    if when is not None:
        if when > today:
            return Invalid(said.future_date)
        answer: dict[str, object] = {"date": when.isoformat()}
        bucket = duration_option(step, (today - when).days)
        return Parsed({**answer, "option": bucket} if bucket else answer)
    lasted = parse_duration(text, today)
    if lasted is None:
        # The buttons here carry no numbers, so a bare "2" is an amount without its unit.
        index = match_option(text, step.options, numbered=False)
        if index is not None:
            return Parsed({"option": step.options[index].id})
        amount = normalise(text)
        if re.fullmatch(r"\d+(?:[.,]\d+)?", amount):
            return Invalid(said.amount_without_unit.format(amount=amount))
        return Invalid(said.duration_hint.format(example_date=today.replace(day=1).isoformat()))
    bucket = duration_option(step, lasted.days)
    value: dict[str, object] = {"date": lasted.began.isoformat(), "typed": text.strip()[:60]}
    return Parsed({**value, "option": bucket} if bucket else value)


DONE_WORDS = frozenset(
    {"done", "finished", "that's all", "thats all", "that is all",
     "terminé", "termine", "fini", "c'est tout", "cest tout", "c'est fini", "j'ai fini",
     "j'ai terminé", "ça va être tout", "ca va etre tout"}
)  # fmt: skip
# Side words a body part may be typed with ("left shoulder", "both knees", "right side",
# "épaule gauche", "les deux genoux").
_SIDE_TERMS = re.compile(r"(?<!\w)(left|right|both|bilateral|gauche|droite|droit|les deux)(?!\w)")
_SIDE_FILLER = re.compile(
    r"(?<!\w)(?:my|on|the|of|side|sides|and|mon|ma|mes|du|de|la|le|les|à|au|côté|côtés|et)(?!\w)"
)
_SIDE_OF = {"gauche": "left", "droite": "right", "droit": "right", "les deux": "both"}
# Words that tell the pain or the one who has it, not the place ("my knee hurts", "it's
# my hip", "sore neck", "everywhere really"), English and French.
_PAIN_TELLING = re.compile(
    r"(?<!\w)(?:hurts?|hurting|aches?|aching|achy|pains?|painful|sore|soreness|"
    r"basically|pretty much|really|literally|my|it's|it|its|i|is|are|am|that|"
    r"douleurs?|douloureux|douloureuse|vraiment|genre|en gros)(?!\w)"
)


def place_words(words: str) -> str:
    """A typed answer to "where does it hurt?" without its words for the pain, so the
    place alone is matched: "my knee hurts" names the knee, and "pain" alone names no
    place (not the widespread-pain option, whose label holds the word)."""
    return " ".join(_PAIN_TELLING.sub(" ", words).split())


@dataclass(frozen=True)
class Picked:
    """What a typed list named: options in the order typed, sides said with them, whether
    it ended with "done", and the parts nothing matched (kept to say so)."""

    indexes: tuple[int, ...] = ()
    sides: tuple[tuple[int, Side], ...] = ()
    finish: bool = False
    unmatched: tuple[str, ...] = ()
    # Red-flag options named only by a few of their words, and options whose label's limit
    # ("not under control", "in the last 6 months") was not typed: asked about, not ticked.
    unsure: tuple[int, ...] = ()
    # Options reached only by forgiving a typo in a word that is itself a real word of
    # another sense ("heat" for Head, "chess" for Chest): asked, not ticked, when confirming.
    guessed: tuple[int, ...] = ()


def parse_side(words: str) -> Side | None:
    """The side a typed answer names: "left", "my right side", "both", "the left one"."""
    side = SIDE_WORDS.get(words)
    if side is not None:
        return side
    said = {_SIDE_OF.get(term, term) for term in _SIDE_TERMS.findall(words)}
    if said == {"left"}:
        return Side.LEFT
    if said == {"right"}:
        return Side.RIGHT
    return Side.BOTH if said else None


def _with_side(
    part: str, options: tuple[Option, ...], loose: bool = True
) -> tuple[int, Side | None] | None:
    """The option a part names, with the side said alongside it ("left shoulder")."""
    said = {_SIDE_OF.get(term, term) for term in _SIDE_TERMS.findall(part)}
    if said:
        # The side first: "right shoulder blade" is near enough "shoulder blade" for a typo
        # match, which would lose the side the patient gave.
        rest = " ".join(_SIDE_FILLER.sub(" ", _SIDE_TERMS.sub(" ", part)).split())
        index = match_option(rest, options, numbered=False, loose=loose) if rest else None
        if index is not None:
            return index, parse_side(" ".join(sorted(said))) or Side.BOTH
    index = match_option(part, options, loose=loose)
    return (index, None) if index is not None else None


def _parts(text: str, options: tuple[Option, ...]) -> list[str]:
    """Split a typed list on commas, and on 'and' only where that doesn't break a label."""
    parts: list[str] = []
    for chunk in _LIST_RE.split(text):
        chunk = chunk.strip()
        if not chunk:
            continue
        if chunk in DONE_WORDS or _with_side(chunk, options) is not None:
            parts.append(chunk)
        elif _SPACED_NUMBERS_RE.fullmatch(chunk):
            parts.extend(chunk.split())
        else:
            parts.extend(piece for piece in _AND_RE.split(chunk) if piece.strip())
    return parts


def _real_word_typo(part: str, option: Option) -> bool:
    """Whether `part` reached `option` only through a typo in a word that is a real word
    of its own ("heat" is not a slip for "head"; "kneee" and "shoulders" are fine)."""
    typed = re.findall(r"[^\W\d_]+", _SIDE_FILLER.sub(" ", _SIDE_TERMS.sub(" ", part)))
    names = (option.label, option.id.replace("_", " "), *option.aliases)
    known = {word for name in names for word in re.findall(r"[^\W\d_]+", normalise(name))}
    real = english_words()

    def named(word: str) -> bool:
        return word in known or any(
            (word.startswith(name) and len(word) - len(name) <= 2) or _stem(word) == _stem(name)
            for name in known
        )

    return any(not named(word) and word in real for word in typed if word not in _GLUE_WORDS)


def parse_many(
    text: str, options: tuple[Option, ...], careful: bool = False, confirm_typos: bool = False
) -> Picked:
    """Options named by number or label, separated by commas or 'and', with any side said
    with a body part; "done" in the list (usually last) means the patient has finished.
    When `careful`, an option carrying a flag must be named clearly (see `Picked.unsure`);
    when `confirm_typos`, one reached by a real word's "typo" is asked (`Picked.guessed`)."""
    picked: list[int] = []
    sides: dict[int, Side] = {}
    unmatched: list[str] = []
    unsure: list[int] = []
    guessed: list[int] = []
    finish = False
    for part in _parts(normalise(text), options):
        if part in DONE_WORDS:
            finish = True
            continue
        found = _with_side(part, options)
        if found is None:
            unmatched.append(part)
            continue
        index, side = found
        if confirm_typos and not part.isdecimal() and _real_word_typo(part, options[index]):
            guessed.append(index)
            continue
        flagged = careful and options[index].flag is not None
        strict = _with_side(part, options, loose=False) if flagged else found
        # A red flag's clinic-reviewed alias ("night pain") ticks it: missing one costs more.
        limited = careful and not flagged and _drops_limit(part, options[index])
        if strict is None or strict[0] != index or limited:
            # A red flag stops the form or alerts staff: "back pain" typed on the safety
            # check must not tick "...a sudden tearing pain in back or belly".
            if index not in unsure:
                unsure.append(index)
            continue
        if index not in picked:
            picked.append(index)
        if side is not None:
            known = sides.get(index)
            sides[index] = side if known in (None, side) else Side.BOTH
    return Picked(
        tuple(picked),
        tuple(sides.items()),
        finish,
        tuple(unmatched),
        tuple(unsure),
        tuple(guessed),
    )


# Words that narrow what a label means ("not under control", "in the last 6 months"):
# a typed answer without them ("high blood pressure", "heart surgery") says something else.
_LIMIT_WORDS = frozenset(
    {"not", "no", "without", "never", "last", "recent", "recently",
     "pas", "sans", "jamais", "derniers", "dernières", "dernieres", "récent", "récente",
     "récemment", "recente", "recemment"}
)  # fmt: skip


def _drops_limit(part: str, option: Option) -> bool:
    """Whether `option`'s label narrows its meaning with words the typed `part` leaves out
    (a number names the option whole)."""
    label = set(re.findall(r"[^\W\d_]+", normalise(option.label)))
    limits = label & _LIMIT_WORDS
    if not limits or part.isdecimal():
        return False
    typed = set(re.findall(r"[^\W\d_]+", part))
    said = typed & (_LIMIT_WORDS | {"uncontrolled", "unstable", "recent"})
    said |= {word for word in typed if word.startswith("un")}
    return not said


def unsure_hint(
    unsure: tuple[int, ...], options: tuple[Option, ...], words: IntakeWords = ENGLISH_WORDS
) -> str:
    """Ask about red-flag options a typed answer named only in part, by label and number."""
    named = "; ".join(f"'{options[index].label}' ({index + 1})" for index in unsure)
    return words.unsure_hint.format(named=named)


QUOTED_CHARS = 60  # a typed part quoted back in a hint: a pasted page is not repeated


def shortened(typed: str, limit: int) -> str:
    """The start of typed text (ending in "…" when cut)."""
    return typed if len(typed) <= limit else typed[: limit - 1].rstrip() + "…"


def unmatched_hint(
    unmatched: tuple[str, ...], options: tuple[Option, ...], words: IntakeWords = ENGLISH_WORDS
) -> str:
    """What to say about typed parts that named no option of a question taking several
    answers (only what to type when nothing readable was typed: an emoji, a full stop)."""
    parts = [shortened(part, QUOTED_CHARS) for part in unmatched if part]
    if not parts:
        return options_hint(options, words)
    said = ", ".join(repr(part) for part in parts)
    return words.unmatched_hint.format(said=said, numbered=_numbered(options))


def format_regions(step: Step, value: dict[str, object]) -> str:
    """Regions with sides, worst first marked, e.g. 'Shoulder (left, worst), Neck'."""
    parts = []
    left, right, both, worst_word = words_for(step.language).side_words
    side_words = {Side.LEFT.value: left, Side.RIGHT.value: right, Side.BOTH.value: both}
    worst = value.get("worst")
    regions = value.get("regions")
    for item in regions if isinstance(regions, list) else []:
        if not isinstance(item, dict):
            continue
        option = step.option(str(item.get("region")))
        label = option.label if option else str(item.get("region"))
        side = item.get("side")
        notes = [side_words.get(str(side), str(side))] if side not in (None, Side.CENTRE) else []
        if item.get("region") == worst:
            notes.append(worst_word)
        parts.append(f"{label} ({', '.join(notes)})" if notes else label)
    return ", ".join(parts) or words_for(step.language).none_chosen
