"""The emergency screen: recognise an emergency described in free text, and answer it.

Runs on every message before anything else, so it is pure (no Telegram), fast and never
raises. Rules come from content/emergency.yaml (see README.md, "Safety screen"). The
screen errs on the side of caution: a sentence such as "no chest pain" still triggers it.
"""

from __future__ import annotations

import bisect
import logging
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.content.model import Review
from bot.safety.denial import Denial, DenialWords, find_denials
from bot.safety.readings import ContextGrammar, Frame, WordLists, compile_pattern
from bot.safety.terms import (
    CompiledTerm,
    TermIndex,
    TermWord,
    common_english_words,
    compile_term,
    non_latin,
    normalise_text,
    normalise_words,
    parse_term,
    written_without_spaces,
)

logger = logging.getLogger(__name__)

# A long phrase also matches character by character (catching "short ofbreath", "dont
# wantto live") when its normalised form has at least this many characters and scores at
# least this high; shorter phrases would match too much inside ordinary sentences.
MIN_FUZZY_PHRASE_CHARS = 15
PHRASE_CUTOFF = 94.0
PHRASE_LENGTH_SLACK = 2  # a phrase may be this much longer than the text (missing spaces)
# Before the costly partial_ratio, a phrase must share enough character trigrams with the
# text. A window within k insertions or deletions of the phrase keeps all but at most
# GRAM_SIZE * k of the phrase's trigrams (the q-gram lemma), so a phrase that shares fewer
# cannot score PHRASE_CUTOFF: the filter skips only phrases that could never match.
GRAM_SIZE = 3
EDIT_BOUND_SLACK = 1e-6
# Words a question opens with, in English and French ("is chest pain after IMS a sign of...",
# "est-ce que..."): a sign named after them is asked about, not reported.
_QUESTION_OPENERS = frozenset(
    (
        "is", "are", "am", "was", "were", "does", "do", "did", "can", "could", "would", "will",
        "should", "shall", "what", "whats", "how", "when", "why", "where", "which", "who", "whom",
        "if", "any", "has", "have", "had", "may", "might", "est", "comment", "quels", "quelles",
        "quel", "quelle", "que", "quoi", "qu", "pourquoi", "quand", "combien", "si", "peut",
        "peux", "puis",
    )
)  # fmt: skip
# Questions that ask what a sign means or what to do about it now. Stated after the sign
# ("his face is drooping, how do I know if it's a stroke?") they follow a report; other risk
# questions after a sign ("…can you needle pecs?") are about treatment and stay questions.
_DIAGNOSTIC_QUESTIONS = (
        "signs of", "symptoms of", "warning signs", "what are the signs", "a sign of",
        "how do i know if", "how would i know if", "how can i tell if", "how will i know",
        "is this a", "is it a", "could this be", "could it be", "what should i do",
        "what do i do", "what to do", "should i go to the er", "should i call",
        "is that normal", "is this normal", "is it normal", "is normal", "normal side effect",
        "signes de", "signes d'un", "symptômes de", "quels sont les signes", "comment savoir si",
        "comment je sais si", "est ce que c'est un", "est ce un", "que faire", "quoi faire",
        "qu'est ce que je fais", "je fais quoi", "dois je appeler", "je dois appeler",
)  # fmt: skip
# Clinical shorthand for past history ("hx MI", "h/o stroke", "PMH anaphylaxis"): the one word
# after it names an old condition, not what is happening now.
_HISTORY_NOTE = re.compile(r" (?:hx|pmh|h o)(?: of)? \S+(?= )")
# "Il y a cinq ans", "ça fait 10 ans", "cela fait deux ans", "il y a 16 mois": a French count
# of years or months ago is past history (the bare word "ans" is not: "j'ai 66 ans" is an
# age). Applied beside the clinic's `past` phrases.
_YEARS_AGO = re.compile(
    r" (?:il y a|y a|ca fait|cela fait|ya) (?:\d+|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|"
    r"quinze|vingt|trente|quarante|cinquante|quelques|plusieurs|des) (?:ans|annees|mois) "
    # The same in Spanish ("hace cinco años"), Portuguese ("há 3 anos"), Italian ("due anni
    # fa") and German ("vor zwei Jahren"), the languages the notice answers in Latin letters.
    r"| (?:hace|ha) (?:\d+|un|uno|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|unos|"
    r"varios|muchos|dois|duas|quatro|seis|sete|oito|nove|dez|alguns|muitos) (?:anos|meses) "
    r"| (?:\d+|due|tre|quattro|cinque|sei|sette|otto|nove|dieci|alcuni|molti) anni fa "
    r"| vor (?:\d+|zwei|drei|vier|funf|sechs|sieben|acht|neun|zehn|vielen|einigen) jahren "
)
# "Since 2021", "depuis 2021": the "since" of a past year is history too, not "now".
_SINCE_A_YEAR = re.compile(r" (?:since|depuis|desde|seit|dal|dall|sejak) (?=\d{4} )")
# The "since" of an event dated years back ("since my bypass 3 years ago", "depuis mon
# pontage il y a quatre ans") dates a long-standing condition; it is not the "since" of now.
_SINCE_AN_OLD_EVENT = re.compile(
    r" (?:ever since|since|depuis) (?=(?:\S+ ){1,4}(?:(?:il y a|y a|ca fait|ya) \S+ (?:ans|annees)|"
    r"(?:\d+|a few|a couple of|two|three|four|five|six|seven|eight|nine|ten|several|many) "
    r"(?:years|yrs) ago|(?:en|in) \d{4}) )"
)
# Prevention asked about ("so it doesn't happen again", "pour que ça n'arrive plus"): the
# "again" of a wish, not of an event now.
_NOT_AGAIN = re.compile(
    r" (?:(?:doesnt|does not|dont|do not|wont|will not|never|not) (?:happen|happens) again|"
    r"from happening again|(?:ne )?(?:se reproduise|arrive) (?:pas|plus|jamais)(?: encore)?) "
)


# French compound past: an auxiliary, then a past participle ("a fait", "a eu", "a perdu").
# Accents are folded, so "est tombé" reads as "est tombe" and stays unsure: it escalates.
_PAST_PARTICIPLE_FR = re.compile(
    r"\b(?:a|ai|as|ont|avons|avait|est|suis|sont|etait)\s+(?:\S+\s+)?"
    r"(?:fait|eu|pris|mis|dit|\S{2,}i|\S{2,}is|\S{2,}u|\S{2,}us)\b"
)


@dataclass(frozen=True)
class ClauseWords:
    """The words a later clause is told apart with: the clinic's `clause_*` word lists."""

    subjects: frozenset[str] = frozenset()
    links: frozenset[str] = frozenset()
    not_after: frozenset[str] = frozenset()
    past: frozenset[str] = frozenset()
    present: frozenset[str] = frozenset()
    # Words that end a time told of the past ("2 years ago"): a new clause starts after them.
    after: frozenset[str] = frozenset()

    def tell_the_past(self, words: list[str]) -> bool:
        """Whether a clause's own words put it in the past or the usual: a past or habitual
        word, or, with no present word, a past form ("his face drooped", "il a eu")."""
        if not self.past.isdisjoint(words):
            return True
        return self.present.isdisjoint(words) and (
            any(word.endswith("ed") for word in words)
            or _PAST_PARTICIPLE_FR.search(" ".join(words)) is not None
        )

    @classmethod
    def of(cls, lists: WordLists) -> ClauseWords:
        """The clause words of a clinic's word lists (none when a list is not written)."""

        names = ("subjects", "links", "not_after", "past", "present", "after")
        return cls(*(frozenset(lists.normalised(f"clause_{name}")) for name in names))


# Where a sentence ends: a question and a report beside it are read apart.
_SENTENCE = re.compile(r"[^.!?;\n\u3002\uff01\uff1f]+[.!?;\n\u3002\uff01\uff1f]*")

# Quoted words ("'I can't breathe without you' keeps playing in my head"): a song, a title or
# someone's line, read as a clause of its own whose words are not the patient's report.
_QUOTED = re.compile(r"\"([^\"]+)\"|\u201c([^\u201d]+)\u201d|(?<!\w)'(.+?)'(?!\w)")
# Marks that open a frame's content ("the form asks: chest pain?", "anaphylaxis = hives"),
# and those that go on with a list ("checkboxes for heart attack, stroke and seizure").
_CONTENT_MARKS = (":", "=")
_LIST_JOINERS = frozenset((",", "and", "(", ")"))
_ALTERNATIVES = frozenset(("or",))  # "chest pain or shortness of breath": any length
MAX_LIST_ITEM_WORDS = 3

# A present progressive told of anyone ("her leg is buckling", "he's shaking", "they're
# bleeding"): something going on now. "Being" and "going" say nothing of a sign.
_PROGRESSIVE = re.compile(
    r" (?:is|are|am|s|re|m|im|hes|shes|theyre|its|keeps|keep) (?:still |now |really |just )?"
    r"(?!being |going |doing |having fun )\w{3,}ing "
)

# "But" after history turns to now ("COPD is her normal, but she's gasping").
_CONTRAST = re.compile(r" (?:but|yet|however|mais|pourtant|cependant|sauf que) ")
# A year written in digits of any script ("in 2019", "2019年", "۲۰۱۹"): a past year is history.
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
FIRST_HISTORY_YEAR = 1940
SOLAR_HIJRI_FIRST = 1320  # Iran's calendar: 1320 began in 1941
SOLAR_HIJRI_OFFSET = 621
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
# A sign brought on by the thought of something ("my chest gets tight just thinking about
# needles", "le souffle coupé rien que d'y penser") is fear of it, not an attack.
_AT_THE_THOUGHT = re.compile(
    r" (?:(?:just|even|only) thinking (?:about|of)|(?:when|whenever) i think (?:about|of)|"
    r"(?:at )?the thought of|(?:a )?pictures? of (?:a |the )?needles?|"
    r"the sight of (?:a |the )?needles?|rien que d y penser|rien qu a y penser|"
    r"juste d y penser|juste a penser|juste de penser|rien qu a penser|quand j y pense|"
    r"en y pensant|a l idee d|juste en pensant|rien qu a voir|"
    r"juste a voir|a la vue d|quand je vois d|"
    r"solo de pensar|solo con pensar|so de pensar|so em pensar|sochte hi|soch ke hi|"
    r"생각만 해도|생각만 하면) "
)
# Rules where the thought is itself the sign ("I want to die when I think about my pain").
_THOUGHT_RULES = frozenset(("suicide_self_harm", "deliberate_overdose"))
# Someone else's event, asked after once it is over ("someone in your waiting room fainted
# today, hope they're ok"): a stranger, and a wish or a question about how they are.
_SOMEONE_ELSE = re.compile(
    r" (?:someone|somebody|a (?:lady|man|guy|woman|patient|person|girl|boy|kid)|"
    r"another patient|quelqu un|une dame|un monsieur|un patient|une patiente) "
)
_HOW_THEY_ARE = re.compile(
    r" (?:hope (?:they|theyre|he|hes|she|shes|everyone|everyones|everybody|the \w+)"
    r"(?: is| are| was| will be)? (?:ok|okay|alright|all right|fine|well|doing ok)|"
    r"(?:is|was) (?:she|he|the \w+) (?:ok|okay|alright|all right|fine)|"
    r"are they (?:ok|okay|alright|all right|fine)|"
    r"j espere qu (?:il|elle|ils) (?:va|vont|allait) bien|est ce qu (?:il|elle) va bien) "
)
# Words that keep such an event happening now.
_NOT_WAKING_WORDS = (
    r"not breathing|isnt breathing|wont wake|not waking|isnt waking|not responding|unconscious"
)
_NOT_WAKING = re.compile(
    rf" (?:{_NOT_WAKING_WORDS}|unresponsive|ne respire|inconscient|inconsciente) "
)
_STILL_NOW = re.compile(
    rf" (?:just|now|right now|{_NOT_WAKING_WORDS}|"
    r"(?<!can i )(?<!can we )(?<!could i )(?<!should i )still) "
)

# Words of the frames' lists of now that also tell a standing state or an old event in an
# answer to a question about history ("still hurts since the crash in May", "keeps coming
# back", "depuis un accident de ski", "he collapsed at the blood test"): not words of now there.
_ALSO_A_STANDING_STATE = frozenset(
    {"since", "depuis", "just", "still", "encore", "keep", "keeps", "worse", "worst", "pire"}
    | {"collapsed", "passed out", "fainted", "turned blue", "stopped breathing"}
    | {"s est effondre", "s est effondree", "est tombe", "est tombee"}
)
# Someone unable to do something now, in the present tense ("can't breathe", "elle ne
# respire plus"), a feeling now ("I feel faint"), "rn" or "pls help": told now even in an
# answer to a question about history.
_UNABLE_NOW = re.compile(
    r" (?:cant|cannot|can t) | rn | (?:pls|plz|please) help |"
    r" (?:i feel|im feeling|i m feeling|i am feeling|je me sens|je sens) |"
    r" (?:je|j|il|elle|ils|elles) (?:ne |n )?(?:peux|peut|peuvent|arrive|arrivent|respire|"
    r"respirent|bouge|bougent) (?:pas|plus|pu) "
)

# A joke taken back ("blood everywhere!! jk, one drop"): what comes before it is the joke.
_JOKE_TAKEN_BACK = re.compile(
    r" (?<!not )(?<!no )"
    r"(?:jk|jkjk|just kidding|just joking|only joking|im kidding|im joking|kidding) "
)
# A retraction doubted at once ("heart attack lol jk. maybe."): nothing is set aside, every
# word is read as told (when the screen cannot tell, it escalates).
_JOKE_DOUBTED = re.compile(
    r" (?:jk|jkjk|just kidding|just joking|only joking|im kidding|im joking|kidding) "
    r"(?:but |well |ok |okay |or )?(?:maybe|or not|am i|idk|i dunno|dunno|not really|unless|"
    r"kinda|sort of|i hope|hopefully|i think|actually|seriously|for real) "
)
# A scare that is over ("I honestly thought I was having a stroke lol, turned out to be a
# pinched nerve"): the feared sign named after "thought I was having" is not a report.
_FEARED_SIGN = re.compile(
    r" (?:thought|was sure|was convinced|swore|worried) (?:i|he|she|it|that i|that it)"
    r" (?:was|were|had|d|would) (?:having |going to have |gonna have |getting |be having )?"
    r"(?:a |an )?(?:\S+)(?: attack)?"
)
_SCARE_OVER = re.compile(
    r" (?:turned out|turns out|it was just|it was only|was just a|was only a|doc said it was|"
    r"doctor said it was|all clear|was nothing) "
)


ENGLISH = "en"
# The languages whose terms a match is always told in (the bot reads them in full).
_READ_LANGUAGES = frozenset({ENGLISH, "fr"})


def built_in_grammar() -> tuple[tuple[str, str], ...]:
    """The grammar the screen applies beside a clinic's `context` phrases (for the report)."""
    return (
        (
            "Clinical history notes",
            "the one word after 'hx', 'h/o' or 'PMH' names an old condition and is not screened",
        ),
        (
            "Years ago",
            "'il y a N ans', 'hace N años', 'há N anos', 'N anni fa', 'vor N Jahren' are past "
            "history (an age such as 'j'ai 66 ans' is not)",
        ),
        (
            "A sign stated, then asked about (a report)",
            "a sign before one of these, in a message that does not open with a question word: "
            + "; ".join(_DIAGNOSTIC_QUESTIONS),
        ),
        (
            "A denied sign",
            "an opener of the 'denial_openers' word list before a sign sets that sign aside up "
            "to the clause's end or a word of 'denial_ends'; never a loss ('no feeling', "
            "'denial_losses') or a report word ('no puedo respirar'), and only when the sign is "
            "still found without the opener",
        ),
        (
            "At the thought of",
            "a sign brought on 'just thinking about' or 'rien que d'y penser' something is fear",
        ),
        (
            "Someone else's event, over",
            "a stranger ('someone', 'a lady') and 'hope they're ok' or 'is she alright', "
            "with no 'just', 'now' or 'still'",
        ),
        (
            "A past year",
            f"a year from {FIRST_HISTORY_YEAR} to last year, in digits of any script, is past "
            "history, and so is 'since' or 'depuis' before it",
        ),
        (
            "Since the treatment",
            "a sign 'since' the needling, the session or the treatment is now, even "
            "beside a past phrase such as 'ever since'",
        ),
        (
            "A joke taken back",
            "'jk', 'just kidding', 'only joking' (not 'not kidding'): the words before it are "
            "the joke",
        ),
        (
            "A scare that is over",
            "'thought I was having a stroke' with 'turned out', 'it was just' or 'all clear': "
            "the feared sign is not a report",
        ),
        (
            "Hypothetical",
            "in a risk question, a sign after 'if' or 'si' is hypothetical; one before it is not",
        ),
    )


@dataclass(frozen=True)
class RuleTerms:
    """A rule's words in one more language (the rule's own fields are English)."""

    language: str
    all_of: tuple[tuple[str, ...], ...] = ()
    phrases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    not_examples: tuple[str, ...] = ()
    message: str | None = None
    example_lines: tuple[int, ...] = ()
    not_example_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class EmergencyRule:
    """One emergency sign: the words that reveal it and the phrases that prove it works."""

    id: str
    description: str
    # Every group must have one of its terms in the text ...
    all_of: tuple[tuple[str, ...], ...] = ()
    # ... or any one of these phrases appears.
    phrases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()
    not_examples: tuple[str, ...] = ()
    message: str | None = None  # replaces the general emergency message for this rule
    line: int = 0
    example_lines: tuple[int, ...] = ()
    not_example_lines: tuple[int, ...] = ()
    translations: tuple[RuleTerms, ...] = ()
    # The sign is partly past history (a cancer years ago and new back pain now), so a
    # past-history phrase does not set it aside.
    history_matters: bool = False

    def by_language(self) -> tuple[RuleTerms, ...]:
        """The rule's words per language, English first."""
        english = RuleTerms(
            ENGLISH,
            self.all_of,
            self.phrases,
            self.examples,
            self.not_examples,
            self.message,
            self.example_lines,
            self.not_example_lines,
        )
        return (english, *self.translations)

    def message_in(self, language: str) -> str | None:
        """This rule's own message in `language`, if it has one."""
        if language == ENGLISH:
            return self.message
        return next((t.message for t in self.translations if t.language == language), None)


@dataclass(frozen=True)
class EmergencyHit:
    """An emergency was recognised: which rule, and the message to show."""

    rule_id: str
    message: str
    # The language of the words that matched ("en" when the English terms did).
    language: str = ENGLISH


@dataclass(frozen=True)
class EmergencyContent:
    """The reviewed emergency rules and replies of a clinic."""

    message: str
    rules: tuple[EmergencyRule, ...]
    reviewed: Review
    # Ordinary clinic questions that must never trigger any rule.
    not_examples: tuple[str, ...] = ()
    not_example_lines: tuple[int, ...] = ()
    # Real words that look like a typo of a term ("ladder" near "bladder").
    not_typos: tuple[str, ...] = ()
    file: str = "content/emergency.yaml"
    # The file's message and not-examples in more languages (`message` is English).
    translations: tuple[RuleTerms, ...] = ()
    # Past history, risk questions and figures of speech the screen tells apart.
    context: ScreenContext | None = None
    # Shown after an FAQ answer to a question about a risk: what to watch for, per language.
    warning_signs: dict[str, str] = field(default_factory=dict)
    # Per rule id, per language: shown instead of `warning_signs` for that rule's words.
    rule_warnings: dict[str, dict[str, str]] = field(default_factory=dict)
    # The urgent tier (content/urgent.yaml) and the notices for other languages, loaded
    # with the emergency rules so every channel gets the whole safety screen at once.
    urgent: EmergencyContent | None = None
    notices: LanguageNotices | None = None

    def detector(self) -> EmergencyDetector:
        """The detector for these rules (built once, then shared)."""
        return self._detector

    @cached_property
    def _detector(self) -> EmergencyDetector:
        return EmergencyDetector(self.rules, self.message, self.not_typos, self.context)

    def message_in(self, language: str) -> str | None:
        """The file's general message in `language`, if written."""
        if language == ENGLISH:
            return self.message
        return next((t.message for t in self.translations if t.language == language), None)

    def rule(self, rule_id: str) -> EmergencyRule | None:
        """The rule with id `rule_id`."""
        return next((rule for rule in self.rules if rule.id == rule_id), None)


@dataclass(frozen=True)
class LanguageNotice:
    """What the bot says in one language it does not read."""

    language: str
    name: str  # the language's name in English, for the report
    notice: str  # "I can only read English and French..." in that language
    emergency: str  # "This may be an emergency: call 911 now" in that language
    urgent: str  # "See a doctor today..." in that language
    emergency_title: str  # "Please get help now" in that language
    urgent_title: str  # "Please see a doctor today" in that language
    phone: str  # "The clinic's number, for anything that is not an emergency: {phone}"
    line: int = 0


@dataclass(frozen=True)
class LanguageNotices:
    """The reviewed notices for languages the bot does not read (safety_languages.yaml)."""

    notice: str  # the English notice, shown under every translated one
    notices: tuple[LanguageNotice, ...]
    reviewed: Review
    file: str = "content/safety_languages.yaml"

    def get(self, language: str) -> LanguageNotice | None:
        """The notice for `language` ("pa-Latn" falls back to "pa" only if no own notice)."""
        found = next((n for n in self.notices if n.language == language), None)
        if found is None and "-" in language:
            return None
        return found


@dataclass(frozen=True)
class ScreenContext:
    """Phrases that say a message is not about something happening now.

    `set_aside` phrases are removed before the rules run: figures of speech ("nearly gave
    me a heart attack"), jokes, and words that name something else ("chest muscles"). When the
    text has a `past` marker and no `present` marker, or asks about a risk (`questions`)
    without a `present` or `first_person` marker, a rule hit is not an emergency. When in
    doubt (both kinds of marker) the screen escalates.
    """

    set_aside: tuple[str, ...] = ()
    past: tuple[str, ...] = ()
    questions: tuple[str, ...] = ()
    present: tuple[str, ...] = ()
    first_person: tuple[str, ...] = ()
    line: int = 0
    # Figures of speech, calm readings and settled states, written as word patterns.
    grammar: ContextGrammar = field(default_factory=ContextGrammar)


@dataclass(frozen=True)
class _TermGroup:
    """Terms of which one must be present: one-word terms as a set, longer ones in order."""

    single: frozenset[int]
    # Longer terms by their first word, so only those whose first word is present are tried.
    several_by_start: dict[int, tuple[CompiledTerm, ...]]
    several_starts: frozenset[int]
    # Terms in scripts other than Latin, found as substrings of the normalised text (with
    # spaces, or without them for Chinese, Japanese and Korean).
    spaced: tuple[str, ...] = ()
    unspaced: tuple[str, ...] = ()
    # One word of each Latin-script term (its rarest): a text holding none of them holds
    # no term of the group.
    keys: frozenset[int] = frozenset()

    @classmethod
    def of(
        cls, terms: tuple[CompiledTerm, ...], scripts: tuple[str, ...], index: TermIndex
    ) -> _TermGroup:
        by_start: dict[int, list[CompiledTerm]] = {}
        for term in terms:
            if len(term.word_ids) > 1:
                by_start.setdefault(term.word_ids[0], []).append(term)
        return cls(
            single=frozenset(t.word_ids[0] for t in terms if len(t.word_ids) == 1),
            several_by_start={start: tuple(group) for start, group in by_start.items()},
            several_starts=frozenset(by_start),
            spaced=tuple(t for t in scripts if not written_without_spaces(t)),
            unspaced=tuple(t.replace(" ", "") for t in scripts if written_without_spaces(t)),
            keys=frozenset(index.key_word(t.word_ids) for t in terms),
        )

    def found_in(self, typed: _Typed) -> bool:
        """Whether a term is in the typed text."""
        if not self.single.isdisjoint(typed.present):
            return True
        if typed.non_latin:
            if self.spaced and any(term in typed.spaced for term in self.spaced):
                return True
            if self.unspaced and any(term in typed.unspaced for term in self.unspaced):
                return True
        starts = self.several_starts & typed.present
        return any(
            term.found_in(typed.positions)
            for start in starts
            for term in self.several_by_start[start]
        )

    @property
    def empty(self) -> bool:
        """Whether the group has no terms at all."""
        return not (self.single or self.several_starts or self.spaced or self.unspaced)


@dataclass(frozen=True)
class _Typed:
    """A typed text, prepared once for every rule."""

    positions: dict[int, list[int]]
    present: frozenset[int]
    spaced: str  # normalised words joined by spaces, padded
    unspaced: str  # the same without spaces
    non_latin: bool  # whether any letter is outside the Latin script (else skip substrings)


@dataclass(frozen=True)
class _CompiledTerms:
    language: str
    groups: tuple[_TermGroup, ...]
    phrases: _TermGroup
    # Word ids of this language's Latin-script terms (every rule's) that are no English
    # word: a text holding none of them that these terms match is English told in words a
    # romanised language shares ("overdosed" among romanised Punjabi's terms).
    own_words: frozenset[int] = frozenset()

    @cached_property
    def first_words(self) -> frozenset[int]:
        """Every word id one of these Latin-script terms starts with or is."""
        ids: set[int] = set()
        for group in (self.phrases, *self.groups):
            ids.update(group.single, group.several_starts)
        return frozenset(ids)

    def key_bits(self) -> dict[int, int]:
        """Per key word id, what holding it tells of these terms in a Latin-script text:
        bit 0, a phrase's key (that phrase may be there); bit i + 1, a key of word group i.
        The terms can match only if bit 0 is set or every group's bit is (`all_groups`)."""
        found = dict.fromkeys(self.phrases.keys, 1)
        if self.all_groups:
            for number, group in enumerate(self.groups):
                for key in group.keys:
                    found[key] = found.get(key, 0) | 1 << (number + 1)
        return found

    @property
    def all_groups(self) -> int:
        """The bits of `key_bits` of every word group; 0 when some group has no Latin-script
        term (then only a phrase matches a Latin-script text)."""
        if not self.groups or not all(group.keys for group in self.groups):
            return 0
        return (1 << (len(self.groups) + 1)) - 2

    def matches(self, typed: _Typed) -> bool:
        if not typed.non_latin and self.first_words.isdisjoint(typed.present):
            return False
        if self.phrases.found_in(typed):
            return True
        return bool(self.groups) and all(group.found_in(typed) for group in self.groups)


@dataclass(frozen=True)
class _CompiledRule:
    rule: EmergencyRule
    message: str
    languages: tuple[_CompiledTerms, ...]

    def matching_language(self, typed: _Typed, phrase_hit: bool, possible: int) -> str | None:
        """The language whose terms match (English first), or None. `possible`: in a
        Latin-script text, the languages (bits by position) whose key words it holds (see
        `EmergencyDetector._possible_languages`); the others cannot match."""
        if phrase_hit:
            return ENGLISH
        if typed.non_latin:
            return next((terms.language for terms in self.languages if terms.matches(typed)), None)
        for position, terms in enumerate(self.languages):
            if possible >> position & 1 and terms.matches(typed):
                # A romanised language matched by English words alone: English context reads
                # it (history, frames, the judgement). French is read in full, as typed.
                own = terms.language in _READ_LANGUAGES or not typed.present.isdisjoint(
                    terms.own_words
                )
                return terms.language if own else ENGLISH
        return None


@dataclass
class EmergencyDetector:
    """Finds the first rule (in file order) that a text triggers."""

    rules: tuple[EmergencyRule, ...]
    default_message: str
    not_typos: tuple[str, ...] = ()
    context: ScreenContext | None = None
    _compiled: tuple[_CompiledRule, ...] = field(init=False, repr=False)
    _index: TermIndex = field(init=False, repr=False)
    _fuzzy_phrases: list[str] = field(init=False, repr=False)
    _fuzzy_phrase_rule: list[int] = field(init=False, repr=False)
    _grams: _PhraseGrams = field(init=False, repr=False)
    _set_aside: _MarkerSet = field(init=False, repr=False)
    _markers: dict[str, _MarkerSet] = field(init=False, repr=False)
    _history_matters: dict[str, bool] = field(init=False, repr=False)
    _grammar: ContextGrammar = field(init=False, repr=False)
    _denial_words: DenialWords = field(init=False, repr=False)
    _keys_of_word: dict[int, tuple[tuple[int, int], ...]] = field(init=False, repr=False)
    _key_slots: list[tuple[int, int, int]] = field(init=False, repr=False)
    _clause_words: ClauseWords = field(init=False, repr=False)
    _clause_split: re.Pattern[str] = field(init=False, repr=False)
    _content_joiners: frozenset[str] = field(init=False, repr=False)
    _words_of_now: _MarkerSet = field(init=False, repr=False)

    def __post_init__(self) -> None:
        parsed = {term: parse_term(term) for term in _all_terms(self.rules) if not non_latin(term)}
        self._index = TermIndex((words for words in parsed.values() if words), self.not_typos)
        own_words = self._own_words(parsed)
        self._compiled = tuple(self._compile(rule, parsed, own_words) for rule in self.rules)
        # Per key word, the (rule, language) slots it is a key of, with its bits there: in
        # Latin script a rule's language can match only a text holding a phrase's key or a
        # key of every word group, so the others are never looked at (most rules, most texts).
        self._key_slots = []
        keys_of_word: dict[int, list[tuple[int, int]]] = {}
        for number, compiled in enumerate(self._compiled):
            for position, terms in enumerate(compiled.languages):
                slot = len(self._key_slots)
                self._key_slots.append((number, position, terms.all_groups))
                for word_id, bits in terms.key_bits().items():
                    keys_of_word.setdefault(word_id, []).append((slot, bits))
        self._keys_of_word = {word: tuple(slots) for word, slots in keys_of_word.items()}
        self._fuzzy_phrases = []
        self._fuzzy_phrase_rule = []
        for number, rule in enumerate(self.rules):
            for phrase in rule.phrases:
                padded = _padded(normalise_text(phrase))
                if len(padded) - 2 >= MIN_FUZZY_PHRASE_CHARS and not _has_marks(parsed[phrase]):
                    self._fuzzy_phrases.append(padded)
                    self._fuzzy_phrase_rule.append(number)
        self._grams = _PhraseGrams(self._fuzzy_phrases)
        self._history_matters = {rule.id: rule.history_matters for rule in self.rules}
        context = self.context or ScreenContext()
        self._grammar = context.grammar
        self._denial_words = DenialWords.of(context.grammar.word_lists)
        self._clause_words = ClauseWords.of(context.grammar.word_lists)
        lists = context.grammar.word_lists
        content_joiners = lists.normalised("frame_content_joiners")
        self._content_joiners = frozenset((*content_joiners, *_CONTENT_MARKS))
        joiners = sorted((*lists.normalised("frame_joiners"), *content_joiners), key=len)
        words = "|".join(rf"(?<=\s){re.escape(word)}(?=\s)" for word in reversed(joiners))
        self._clause_split = re.compile(
            r"\s*(?:[,:;=()\u2013\u2014]|\s-+\s" + (f"|{words}" if words else "") + r")\s*",
            re.I,
        )
        self._set_aside = _MarkerSet(context.set_aside)
        now = (
            *lists.normalised("frame_breakers_now"),
            *lists.normalised("frame_breakers_witnessed"),
        )
        self._words_of_now = _MarkerSet(tuple(w for w in now if w not in _ALSO_A_STANDING_STATE))
        self._markers = {
            name: _MarkerSet(texts)
            for name, texts in (
                ("past", context.past),
                ("questions", context.questions),
                ("present", context.present),
                ("first_person", context.first_person),
            )
        }

    def _own_words(self, parsed: dict[str, tuple[TermWord, ...]]) -> dict[str, frozenset[int]]:
        """Per language other than English, the word ids of its Latin-script terms that are
        neither an English term's word nor a common English word."""
        english: set[str] = set(common_english_words())
        by_language: dict[str, set[TermWord]] = {}
        for rule in self.rules:
            for part in rule.by_language():
                terms = (*part.phrases, *(term for group in part.all_of for term in group))
                words = (word for term in terms for word in parsed.get(term, ()))
                if part.language == ENGLISH:
                    english.update(word.text for word in words)
                else:
                    by_language.setdefault(part.language, set()).update(words)
        return {
            language: frozenset(self._index.word_id(w) for w in words if w.text not in english)
            for language, words in by_language.items()
        }

    def _compile(
        self,
        rule: EmergencyRule,
        parsed: dict[str, tuple[TermWord, ...]],
        own_words: dict[str, frozenset[int]],
    ) -> _CompiledRule:
        def terms(texts: tuple[str, ...]) -> _TermGroup:
            return _TermGroup.of(
                tuple(compile_term(self._index, parsed[t]) for t in texts if parsed.get(t)),
                tuple(normalise_text(t) for t in texts if non_latin(t)),
                self._index,
            )

        return _CompiledRule(
            rule,
            rule.message or self.default_message,
            tuple(
                _CompiledTerms(
                    part.language,
                    tuple(g for g in (terms(group) for group in part.all_of) if not g.empty),
                    terms(part.phrases),
                    own_words.get(part.language, frozenset()),
                )
                for part in rule.by_language()
            ),
        )

    def detect(self, text: str, words: list[str] | None = None) -> EmergencyHit | None:
        """The emergency `text` describes, or None; never raises. `words` are the text's
        `normalise_words`, when the caller has them already (the safety stage reads one
        text with several detectors)."""
        try:
            return self._detect(text, words)
        except Exception as error:  # the screen must never take the conversation down
            # Only the error's type: its message or traceback could quote the patient.
            logger.error("emergency screen failed (%s); message not screened", type(error).__name__)
            return None

    def matching_rule_ids(self, text: str, words: list[str] | None = None) -> list[str]:
        """Ids of every rule `text` triggers, before context (for content checks and tests)."""
        words = normalise_words(text) if words is None else words
        return [hit.rule_id for hit in self._hits(words, first=False)]

    def screened_rule_ids(self, text: str) -> list[str]:
        """Ids of every rule `text` triggers once context is weighed (for content checks)."""
        return [hit.rule_id for hit in self._screen(text, first=False)]

    def sense(self, text: str, words: list[str] | None = None) -> tuple[EmergencyHit | None, bool]:
        """`detect`'s hit, and whether a rule's terms were in `text` at all before context
        set them aside (history, a joke, a frame, a denial); never raises."""
        try:
            words = normalise_words(text) if words is None else words
            hits = self._hits(words, first=True) if words else []
            if not hits:
                return None, False
            found = self._screen(text, first=True, words=words, hits=hits)
            return (found[0] if found else None), True
        except Exception as error:  # the screen must never take the conversation down
            logger.error("emergency screen failed (%s); message not screened", type(error).__name__)
            return None, False

    def _detect(self, text: str, words: list[str] | None = None) -> EmergencyHit | None:
        hits = self._screen(text, first=True, words=words)
        return hits[0] if hits else None

    def _screen(
        self,
        text: str,
        *,
        first: bool,
        words: list[str] | None = None,
        hits: list[EmergencyHit] | None = None,
    ) -> list[EmergencyHit]:
        """The hits once context is weighed; `hits`: `_hits(words, first=first)`, when known."""
        words = normalise_words(text) if words is None else words
        if not words:
            return []
        hits = self._hits(words, first=first) if hits is None else hits
        if not hits:
            return []
        unframed = self._without_framed_sentences(text, None if first else (words, hits))
        if unframed is not None:
            return self._screen(unframed, first=first) if unframed.strip() else []
        kept = self._without_set_aside(words)
        if kept is not words:
            hits = self._hits(kept, first=first)
            if not hits:
                return []
        denial = find_denials(text, self._denial_words)
        denied = self._without_denied_signs(denial, kept)
        if denied is not kept:
            kept = denied
            hits = self._hits(kept, first=first)
            if not hits:
                return []
        if self._at_the_thought(words):
            hits = [hit for hit in self._hits(kept, first=False) if hit.rule_id in _THOUGHT_RULES]
            return hits[:1] if first else hits
        padded = _padded(" ".join(words))
        for reading in self._grammar.calm_readings:
            if reading.applies(padded):
                every = self._hits(kept, first=False)
                hits = [hit for hit in every if not reading.calms(hit.rule_id)]
                if not hits:
                    return []
                hits = hits[:1] if first else hits
        # A marker inside a denial says nothing ("no history of heart problems, but...").
        context = denial.without_denied if denial is not None else words
        if not self.not_now(context) or self._reported_before_asking(kept):
            return hits
        told = self._told_in_a_sentence_of_its_own(text)
        if told:
            return told[:1] if first else told
        # Past history or a risk question: only signs that are partly history still count.
        if not any(self._history_matters.values()):
            return []
        every = hits if not first else self._hits(kept, first=False)
        history = [hit for hit in every if self._history_matters[hit.rule_id]]
        return history[:1] if first else history

    def _without_set_aside(self, words: list[str]) -> list[str]:
        """`words` without the set-aside phrases and the condition named after a clinical
        history note ("hx anaphylaxis", "PMH MI"), the same list when there is none."""
        padded = _padded(" ".join(words))
        if _JOKE_DOUBTED.search(padded):
            return words
        noted = _HISTORY_NOTE.search(padded) is not None
        if noted:
            padded = _HISTORY_NOTE.sub(" ", padded)
        joke = _JOKE_TAKEN_BACK.search(padded)
        if joke is not None:
            padded, noted = padded[joke.end() - 1 :], True
        if _SCARE_OVER.search(padded) and _FEARED_SIGN.search(padded):
            padded, noted = _FEARED_SIGN.sub(" ", padded), True
        padded, figure = self._grammar.without_figures(padded)
        noted = noted or figure
        if not self._set_aside.found(padded):
            return padded.split() if noted else words
        for phrase in self._set_aside.padded:
            padded = padded.replace(phrase, " ")
        return padded.split()

    def _without_denied_signs(self, denial: Denial | None, kept: list[str]) -> list[str]:
        """`kept` without the signs the message denies ("no numbness, just pain"), the same
        list when it denies none or when a negation may be the symptom itself."""
        if denial is None:
            return kept
        denied = self._without_set_aside(denial.without_denied)
        before = {hit.rule_id for hit in self._hits(kept, first=False)}
        gone = before - {hit.rule_id for hit in self._hits(denied, first=False)}
        if not gone:
            return kept
        # "no feeling down there": the sign is the negation; without the "no" it is gone too.
        bare = self._without_set_aside(denial.without_openers)
        still = {hit.rule_id for hit in self._hits(bare, first=False)}
        return denied if gone <= still else kept

    def _without_framed_sentences(
        self, text: str, known: tuple[list[str], list[EmergencyHit]] | None = None
    ) -> str | None:
        """`text` without the sentences whose every sign is told as the content of a frame (a
        show, a course, a form, a hypothetical) and reported by no one now ("our training says
        call 911 if bleeding won't stop" is framed; "I'm watching a film and my chest is
        crushing" and "watching a movie and can't breathe" are not); None when no sentence
        is. The rest is screened as before, so a sign spread over sentences stays. `known`:
        some words with their `_hits(words, first=False)`, reused for a sentence of the same
        words (a text of one sentence is not screened twice)."""
        if not self._grammar.frames:
            return None
        kept: list[str] = []
        framed = False
        for sentence in _SENTENCE.findall(text):
            words = normalise_words(sentence)
            if known is not None and words == known[0]:
                hits = known[1]
            else:
                hits = self._hits(words, first=False) if words else []
            # The frames' words are English: a sign told only in another language's words is
            # not framed (romanised languages share some English sign words).
            if any(hit.language == ENGLISH for hit in hits) and self._sentence_framed(
                sentence, hits
            ):
                framed = True
                continue
            kept.append(sentence)
        return " ".join(kept) if framed else None

    def _sentence_framed(self, sentence: str, hits: list[EmergencyHit]) -> bool:
        """Whether every clause of `sentence` that tells a sign tells it inside a frame: the
        clause names the frame ("Grey's had a stroke patient"), is its content (after "if",
        "who", "where", a colon: "the training says call 911 if bleeding won't stop"), is a
        short item of a list that began so ("checkboxes for heart attack, stroke"), or is a
        quotation where a frame is named ("'I can't breathe without you' is stuck in my
        head"); and nothing in it reports a sign now. A sign only the whole sentence tells
        (spread over clauses) is not framed. `hits`: the whole sentence's
        `_hits(normalise_words(sentence), first=False)`."""
        grammar = self._grammar
        quotes = [next(p for p in found.groups() if p) for found in _QUOTED.finditer(sentence)]
        rest = _QUOTED.sub(" , ", sentence)
        clauses = self._clauses(rest)
        told: set[str] = set()
        scope: tuple[Frame, ...] = ()  # the frames the next clause may be the content of
        listing = False  # whether a framed sign began a list the next clause may go on with
        for joiner, words in clauses:
            own = grammar.frames_of(_padded(" ".join(words)))
            listed = listing and (
                joiner in _ALTERNATIVES
                or (joiner in _LIST_JOINERS and len(words) <= MAX_LIST_ITEM_WORDS)
            )
            frames = own or (scope if joiner in self._content_joiners or listed else ())
            clause_hits = self._hits(words, first=False)
            if clause_hits and (not frames or not self._frame_holds(frames, words)):
                return False
            told.update(hit.rule_id for hit in clause_hits)
            # A list goes on after a framed sign, or inside the frame's content ("a movie
            # where the guy gets needled and his lung collapses").
            listing = bool(frames) and (
                bool(clause_hits) or listed or (not own and joiner in self._content_joiners)
            )
            scope = frames
        named = grammar.frames_of(_padded(" ".join(normalise_words(rest))))
        whole = {hit.rule_id for hit in hits}
        if quotes and named and whole - told:
            # Signs told in quotations, where a frame is named ("humming 'every breath you
            # take'"): someone else's words, unless the rest reports anything now ("my
            # brother texted me 'thanks for everything, take care of mom'").
            return not self._reports_now(normalise_words(rest))
        return bool(told) and whole <= told  # signs the clauses tell only together stay

    def _clauses(self, text: str) -> list[tuple[str, list[str]]]:
        """The clauses of `text`, each with the mark or word that joins it to the one before
        ("" for the first)."""
        found: list[tuple[str, list[str]]] = []
        joiner = ""
        at = 0
        for mark in self._clause_split.finditer(text):
            words = normalise_words(text[at : mark.start()])
            if words:
                found.append((joiner, words))
            joiner = mark.group(0).strip().lower() or ","
            at = mark.end()
        words = normalise_words(text[at:])
        if words:
            found.append((joiner, words))
        return found

    def _frame_holds(self, frames: tuple[Frame, ...], clause: list[str]) -> bool:
        """Whether one of `frames` holds the sign `clause` tells: nothing in the clause reports
        it now, and a frame limited to some sign words leaves no sign once they are set
        aside."""
        if self._reports_now(clause):
            return False
        padded = _padded(" ".join(clause))
        for frame in frames:
            if not frame.signs.patterns:
                return True
            if not self._hits(frame.signs.removed(padded).split(), first=True):
                return True
        return False

    def _reports_now(self, words: list[str]) -> bool:
        """Whether `words` report something now: a word of `frame_breakers` or of the
        `first_person` markers, or a present progressive ("her leg is buckling", "he's
        shaking")."""
        padded = _padded(" ".join(words))
        return (
            self._grammar.frame_breakers.found(padded)
            or self._markers["first_person"].found(padded)
            or _PROGRESSIVE.search(padded) is not None
        )

    @staticmethod
    def _at_the_thought(words: list[str]) -> bool:
        """Whether a sign comes "just thinking about" something, and nothing says "now"."""
        padded = _padded(" ".join(words))
        if _AT_THE_THOUGHT.search(padded) is None:
            return False
        return _STILL_NOW.search(_AT_THE_THOUGHT.sub(" ", padded)) is None

    def not_now(self, words: list[str]) -> bool:
        """Whether the words speak of the past or ask about a risk, and nothing says "now"."""
        if not self.context:
            return False
        padded = _NOT_AGAIN.sub(" ", _padded(" ".join(words)))
        past = self._markers["past"]
        years_ago = _YEARS_AGO.search(padded) is not None or _past_year(padded)
        grammar = self._grammar
        settled = grammar.settled.found(padded)
        if settled and grammar.settled_unless.found(padded) and not years_ago:
            return False  # "my heart was fine last month but I'm grey and sweating": now
        if settled or years_ago or past.found(padded):
            if grammar.now_despite_history.found(padded):
                return False  # "ever since the needling ...": history words, a sign now
            if self._sign_after_contrast(padded):
                return False  # "my heart checked out fine, but I have crushing chest pain"
            if settled:
                return True  # a settled state with no alarm beside it ("they ruled it out")
            if self._sign_in_a_clause_of_its_own(padded):
                return False  # "he had a stroke in 2019, his face is drooping": now
            # A past phrase's words say nothing of now ("depuis des années"), so past
            # phrases go before years ("depuis 2021").
            rest = _SINCE_AN_OLD_EVENT.sub(" ", grammar.settled.removed(padded))
            rest = _SINCE_A_YEAR.sub(" ", _YEARS_AGO.sub(" ", rest))
            rest = _YEAR.sub(" ", past.removed(rest))
            return not self._markers["present"].found(rest)
        if _SOMEONE_ELSE.search(padded) and _HOW_THEY_ARE.search(padded):
            return _STILL_NOW.search(padded) is None
        if self._markers["present"].found(padded):
            return False
        return self._asks_about_a_risk(padded)

    def _told_in_a_sentence_of_its_own(self, text: str) -> list[EmergencyHit]:
        """The hits of a sentence that, read alone, reports a sign now ("How do I know if it's
        a collapsed lung? I can't breathe."): a question or history around it does not make
        it one. A sentence with a past or habitual word of its own stays history."""
        sentences = [part for part in _SENTENCE.findall(text) if part.strip(" .!?;\n")]
        if len(sentences) < 2:
            return []
        lists = self._clause_words
        for sentence in sentences:
            if "?" in sentence or "\uff1f" in sentence:
                continue  # a question is read with its question words, as before
            words = normalise_words(sentence)
            if not words or lists.tell_the_past(words):
                continue
            padded = _padded(" ".join(words))
            if not (
                self._markers["present"].found(padded)
                or self._markers["first_person"].found(padded)
            ):
                continue  # nobody says it is happening to them now ("tight chest, it's the pecs")
            hits = self._screen(sentence, first=False, words=words)
            if hits:
                return hits
        return []

    def _sign_in_a_clause_of_its_own(self, padded: str) -> bool:
        """Whether a later clause (from a new subject on) tells a sign in the present with no
        past word of its own: the history before it is background to a report now. When a
        clause gives no tense, the screen escalates."""
        words = padded.split()
        lists = self._clause_words
        starts = [
            index
            for index, word in enumerate(words)
            if index > 0
            and (
                (
                    (word in lists.subjects or word in lists.links)
                    and words[index - 1] not in lists.not_after
                )
                or words[index - 1] in lists.after
            )
        ]
        for start, end in zip(starts, [*starts[1:], len(words)][: len(starts)], strict=True):
            clause = [word for word in words[start:end] if word not in lists.links]
            if not clause or lists.tell_the_past(clause):
                continue  # "his face drooped for weeks": past; "his speech is slurred": now
            padded_clause = _padded(" ".join(clause))
            if self._markers["past"].found(padded_clause) or _past_year(padded_clause):
                continue
            if self._hits(clause, first=True):
                return True
        return False

    def _sign_after_contrast(self, padded: str) -> bool:
        """Whether a sign follows the last "but" with no history words of its own: the
        history before the "but" is background to a report now."""
        parts = _CONTRAST.split(padded)
        if len(parts) < 2:
            return False
        tail = _padded(parts[-1].strip())
        if self._markers["past"].found(tail) or _YEARS_AGO.search(tail) or _past_year(tail):
            return False
        return bool(self._hits(tail.split(), first=True))

    def _reported_before_asking(self, words: list[str]) -> bool:
        """Whether a sign is stated before the risk question ("crushing chest pain, what are
        the signs of a heart attack?"): a statement, not a question about a risk."""
        padded = _padded(" ".join(words))
        if self._markers["past"].found(padded):
            return False
        start = _DIAGNOSTIC_MARKERS.first_at(padded)
        if start <= 0:
            return False
        before = padded[:start].split()
        if not before or before[0] in _QUESTION_OPENERS:
            return False  # "is chest pain after IMS a sign of...": all of it is the question
        if not self._grammar.hypothetical.before_first(_padded(" ".join(before))).strip():
            return False  # "in case I get chest pain, should I call...": imagined, then asked
        return bool(self._hits(before, first=True))

    def is_risk_question(self, text: str, words: list[str] | None = None) -> bool:
        """Whether `text` asks about a risk rather than reports a symptom now (`words`: its
        `normalise_words`, when known)."""
        padded = _padded(" ".join(normalise_words(text) if words is None else words))
        return not self._markers["present"].found(padded) and self._asks_about_a_risk(padded)

    def _asks_about_a_risk(self, padded: str) -> bool:
        """A risk question with no report in it. A report inside an "if" clause is
        hypothetical ("what should I do if I have chest pain after IMS?"); one before it
        is not ("I have chest pain, what if it gets worse?")."""
        if not self._markers["questions"].found(padded):
            return False
        before_if = self._grammar.hypothetical.before_first(padded)
        if self._markers["first_person"].found(_padded(before_if.strip())):
            return False
        # A sign told before the "if" ("he collapsed and isn't breathing, what if he
        # dies?") is a report, whoever has it.
        before = before_if.split()
        if len(before_if) == len(padded) or not before or before[0] in _QUESTION_OPENERS:
            return True
        # A sign named after the question's own words is what it asks about ("la séance
        # pourrait-elle provoquer un AVC si on pique dans le cou?").
        asked_at = self._markers["questions"].first_at(before_if)
        told = before_if[:asked_at].split() if asked_at >= 0 else before
        return not self._hits(told, first=True)

    def _typed(self, words: list[str]) -> _Typed:
        positions = self._index.positions(words)
        joined = " ".join(words)
        return _Typed(
            positions,
            frozenset(positions),
            _padded(joined),
            joined.replace(" ", ""),
            not joined.isascii() and non_latin(joined),
        )

    def reports_a_present_problem(self, text: str) -> bool:
        """Whether `text` reports a health problem happening now (the clinic's `urgent_net`:
        a sign word and someone it is happening to, since a treatment, or a time now), with
        no past history, risk question or frame around it. For a message no rule or FAQ
        entry answers: it gets same-day advice, never a plain "I don't know"."""
        return self._present_context(text, sign_words=True)

    def may_be_a_present_problem(self, text: str) -> bool:
        """Whether `text` names a sign or a body part of the urgent net's word lists, and
        nothing around it sets a problem aside (`told_as_present`): where the learned net
        stands in for the net's pairing of sign and body, never for a health word at all
        ("me and my wife both want to book" is no problem, whatever a model says). A denied
        sign ("pas de fièvre ni de rougeur") names no problem."""
        health = self._net_health_words
        if health is None:
            return False
        denial = find_denials(text, self._denial_words)
        told = denial.without_denied if denial is not None else normalise_words(text)
        if health.search(_padded(" ".join(told))) is None:
            return False
        return self.told_as_present(text)

    @cached_property
    def _net_health_words(self) -> re.Pattern[str] | None:
        lists = self._grammar.word_lists
        names = [n for n in ("net_signs", "net_local_signs", "net_body") if n in lists.by_name]
        if not names:
            return None
        return re.compile(
            " " + compile_pattern("(" + "|".join(f"{{{n}}}" for n in names) + ")", lists)
        )

    def told_as_present(self, text: str) -> bool:
        """Whether nothing around `text` sets a problem aside as the urgent net reads it (its
        calm words, a past year, a calm reading, a frame, history or a risk question), sign
        words or not: where a learned net stands in for the net's word lists, never for
        its context."""
        return self._present_context(text, sign_words=False)

    def _present_context(self, text: str, *, sign_words: bool) -> bool:
        grammar = self._grammar
        net = grammar.urgent_net
        words = normalise_words(text)
        if net is None or not words:
            return False
        # What the rules set aside is set aside here too: figures of speech, denied signs
        # ("no vomiting, no confusion"), readings such as numbness from a position.
        denial = find_denials(text, self._denial_words)
        kept = self._without_set_aside(denial.without_denied if denial is not None else words)
        padded = _padded(" ".join(kept))
        if not kept or _past_year(padded):
            return False
        if not (net.applies(padded) if sign_words else not net.none_of.found(padded)):
            return False
        if any(reading.applies(padded) for reading in grammar.calm_readings):
            return False
        return (
            not self._framed_report(kept)
            and not self.not_now(kept)
            and (not self.is_risk_question(text, kept))
        )

    def _framed_report(self, words: list[str]) -> bool:
        """Whether `words` name a frame (a show, a course, a form, a hypothetical) and report
        nothing now: for the readings that come near a rule without meeting it."""
        return bool(self._grammar.frames_of(_padded(" ".join(words)))) and not self._reports_now(
            words
        )

    def sensed_rule_ids(self, text: str) -> list[str]:
        """Rules of three or more word groups that a report of something happening now comes
        near: the first group (the sign) and all but one other are found once set-aside and
        denied words are left out, and nothing says past, a risk question or someone else's
        event. For a message nothing else answers: when unsure, the safer reply."""
        words = normalise_words(text)
        denial = find_denials(text, self._denial_words) if words else None
        kept = self._without_set_aside(denial.without_denied if denial else words)
        if not kept or self.not_now(kept) or self.is_risk_question(text):
            return []
        if self._framed_report(kept):
            return []
        padded = _padded(" ".join(kept))
        if not (
            self._markers["present"].found(padded) or self._markers["first_person"].found(padded)
        ):
            return []
        typed = self._typed(kept)
        sensed: list[str] = []
        for compiled in self._compiled:
            for terms in compiled.languages:
                if len(terms.groups) < 3 or not terms.groups[0].found_in(typed):
                    continue
                if sum(not group.found_in(typed) for group in terms.groups[1:]) <= 1:
                    sensed.append(compiled.rule.id)
                    break
        return sensed

    def context_cues(self, text: str, words: list[str] | None = None) -> dict[str, bool]:
        """The context cues of `text` in the ConText tradition (negation, history, a
        hypothetical or a question, someone else, a frame, words of now), read with the
        clinic's word lists: features for the learned "happening now?" judgement, which
        weighs them with the words, rather than rules of their own."""
        words = normalise_words(text) if words is None else words
        padded = _padded(" ".join(words))
        grammar = self._grammar
        markers = self._markers
        return {
            "denial": find_denials(text, self._denial_words) is not None,
            "not_now": self.not_now(words),
            "risk_question": self.is_risk_question(text, words),
            "framed": bool(grammar.frames_of(padded)),
            "reports_now": self._reports_now(words),
            "present": markers["present"].found(padded),
            "first_person": markers["first_person"].found(padded),
            "past": markers["past"].found(padded),
            "questions": markers["questions"].found(padded),
            "settled": grammar.settled.found(padded),
            "years_ago": _YEARS_AGO.search(padded) is not None or _past_year(padded),
            "at_thought": self._at_the_thought(words),
            "calm": any(reading.applies(padded) for reading in grammar.calm_readings),
            "someone_else": _SOMEONE_ELSE.search(padded) is not None,
            "still_now": _STILL_NOW.search(padded) is not None,
            "set_aside": self._without_set_aside(words) is not words,
            "qmark": "?" in text,
            "framed_sentence": self._without_framed_sentences(text) is not None,
        }

    def tells_history(self, words: list[str]) -> bool:
        """Whether `words` tell a past event or a standing condition (the screen's past-history
        reading, or a word of the past or of a recurring state) and nothing new set against
        it ("but this is different", "this morning", "still")."""
        padded = _padded(" ".join(words))
        if self._grammar.turn_to_now.found(padded):
            return False
        return self.not_now(words) or self._grammar.told_history.found(padded)

    def tells_now(self, words: list[str]) -> bool:
        """Whether `words` tell something happening now by themselves: a word of now of the
        frames' lists ("this morning", "right now", "he's", "not breathing"), a present
        progressive ("I'm bleeding", "he's shaking"), someone unable to do something now
        ("he can't breathe"), a feeling now ("I feel faint"), or someone not breathing or
        not waking. For an answer to a
        question about history, which needs no word of the past to be history."""
        padded = _padded(" ".join(words))
        if self._words_of_now.found(padded):
            return True
        return any(
            pattern.search(padded) is not None
            for pattern in (_PROGRESSIVE, _UNABLE_NOW, _NOT_WAKING)
        )

    def never_lowered(self, words: list[str]) -> bool:
        """Whether the clinic's `never_lowered` words are told (a sign after a treatment,
        "right now", a cry for help): then a rule's emergency always stands."""
        return self._grammar.never_lowered.found(_padded(" ".join(words)))

    def rules_named(self, words: list[str]) -> list[str]:
        """The rules whose terms `words` hold before any context sets them aside."""
        return [hit.rule_id for hit in self._hits(words, first=False)] if words else []

    def self_harm_cue(self, words: list[str]) -> bool:
        """Whether a `self_harm_cues` word is told (a plan, a means, a place, a farewell)."""
        return self._grammar.self_harm_cues.found(_padded(" ".join(words)))

    def _hits(self, words: list[str], *, first: bool) -> list[EmergencyHit]:
        typed = self._typed(words)
        joined = " ".join(words)
        phrase_rules = self._phrase_rules(joined)
        hits: list[EmergencyHit] = []
        numbers: Iterable[int] = range(len(self._compiled))
        possible: dict[int, int] = {}
        if not typed.non_latin:
            # Any other rule has no language whose keys are in the text: no match.
            possible = self._possible_languages(typed.present)
            numbers = sorted(phrase_rules.union(possible))
        for number in numbers:
            compiled = self._compiled[number]
            language = compiled.matching_language(
                typed, number in phrase_rules, possible.get(number, 0)
            )
            if language is not None:
                hits.append(EmergencyHit(compiled.rule.id, compiled.message, language))
                if first:
                    break
        return hits

    def _possible_languages(self, present: frozenset[int]) -> dict[int, int]:
        """Per rule, the languages (bits by position) whose terms a Latin-script text holding
        the term words `present` may match: a phrase's key, or a key of every word group."""
        found: dict[int, int] = {}
        keys_of_word = self._keys_of_word
        for word in present:
            for slot, bits in keys_of_word.get(word, ()):
                found[slot] = found.get(slot, 0) | bits
        possible: dict[int, int] = {}
        slots = self._key_slots
        for slot, bits in found.items():
            number, position, all_groups = slots[slot]
            if bits & 1 or (all_groups and bits & all_groups == all_groups):
                possible[number] = possible.get(number, 0) | 1 << position
        return possible

    def _phrase_rules(self, normalised: str) -> set[int]:
        if not normalised or not self._fuzzy_phrases:
            return set()
        padded = _padded(normalised)
        # partial_ratio also finds a short text inside a long phrase ("no" in "no reason to
        # live"); only phrases that fit in the text may match.
        longest = len(padded) + PHRASE_LENGTH_SLACK
        # Every fitting phrase that could reach the cutoff is scored: a prefilter on its ends
        # would skip a long phrase typed with a slip at each end, while the trigram count
        # only skips phrases no slips could bring to the cutoff.
        fitting = {int(i): self._fuzzy_phrases[i] for i in self._grams.candidates(padded, longest)}
        if not fitting:
            return set()
        hits = process.extract(
            padded, fitting, scorer=fuzz.partial_ratio, score_cutoff=PHRASE_CUTOFF, limit=None
        )
        return {self._fuzzy_phrase_rule[index] for _, _, index in hits}


class _PhraseGrams:
    """The character trigrams of each fuzzy phrase, to count how many a text shares.

    partial_ratio slides the shorter of text and phrase over the longer: the q-gram lemma
    bounds how many of the shorter one's trigram positions a window scoring the cutoff keeps
    (`_grams_needed`), so a phrase is scored only when the text holds enough of its trigrams
    (a shorter phrase) or it holds enough of the text's (one at least as long)."""

    def __init__(self, phrases: list[str]) -> None:
        # Per trigram of any phrase, its row in a table of how often each phrase holds it
        # (trigrams x phrases, 0.7 MB for the shipped emergency rules): a text's count per
        # phrase is then one sum over the rows of the trigrams it holds. The columns go
        # shortest phrase first, so the phrases shorter than a text, and the narrow band
        # of those as long or a little longer (PHRASE_LENGTH_SLACK), are slices of it.
        self._row: dict[str, int] = {}
        for phrase in phrases:
            for gram in _trigrams(phrase):
                self._row.setdefault(gram, len(self._row))
        by_length = sorted(range(len(phrases)), key=lambda number: len(phrases[number]))
        self._by_length = np.array(by_length, dtype=np.intp)  # column -> phrase number
        self._sorted_lengths = [len(phrases[number]) for number in by_length]
        self._table = np.zeros((len(self._row), len(phrases)), dtype=np.int32)
        for column, number in enumerate(by_length):
            for gram in _trigrams(phrases[number]):
                self._table[self._row[gram], column] += 1
        if self._table.max(initial=0) <= np.iinfo(np.uint8).max:
            self._table = self._table.astype(np.uint8)  # a quarter of the memory to sum over
        self._needed = np.array([_grams_needed(length) for length in self._sorted_lengths])

    def candidates(self, padded: str, longest: int) -> list[int]:
        """Phrases of at most `longest` characters that could reach the cutoff in `padded`:
        shorter phrases holding enough of the trigrams the text shares with them, longer ones
        holding enough of the text's (one as long as the text may slide either way)."""
        length = len(padded)
        lengths = self._sorted_lengths
        shorter = bisect.bisect_left(lengths, length)  # columns [:shorter]: shorter phrases
        fitting = bisect.bisect_right(lengths, longest)  # columns [:fitting]: no longer
        if not fitting:
            return []
        row = self._row
        rows: list[int] = []
        times: list[int] = []
        for gram, count in _counted_trigrams(padded).items():
            if (found := row.get(gram)) is not None:
                rows.append(found)
                times.append(count)
        # The table's rows of the text's trigrams (a trigram no phrase has adds nothing to
        # either count), gathered once for both tests.
        held = self._table[rows, :fitting]
        possible = self._possible(held)
        columns = np.flatnonzero(possible[:shorter])
        if shorter < fitting:
            # Per phrase of the band: the text's trigram positions it shares, each distinct
            # trigram of the phrase counted as often as the text holds it.
            shared = np.asarray(times, dtype=np.int64) @ (held[:, shorter:] > 0)
            kept = shared >= _grams_needed(length)
            as_long = bisect.bisect_right(lengths, length, shorter, fitting)
            kept[: as_long - shorter] |= possible[shorter:as_long]
            columns = np.concatenate((columns, shorter + np.flatnonzero(kept)))
        return sorted(self._by_length[columns].tolist())

    def _possible(
        self, held: npt.NDArray[np.unsignedinteger[Any] | np.signedinteger[Any]]
    ) -> npt.NDArray[np.bool_]:
        """Per phrase of `held`'s columns: whether it holds enough of the text's distinct
        trigrams (`held`: their rows of the table) to reach the cutoff (each counted once per
        occurrence in the phrase)."""
        # Summed in the narrowest integers that cannot overflow (the same counts, sooner).
        wide = held.dtype != np.uint8 or len(held) > _UINT16_ROWS
        counts = held.sum(axis=0, dtype=np.int64 if wide else np.uint16)
        return np.asarray(counts >= self._needed[: held.shape[1]])


# Rows of uint8 counts whose sum always fits in 16 bits.
_UINT16_ROWS = np.iinfo(np.uint16).max // np.iinfo(np.uint8).max


# The last text's trigram counts: the emergency and urgent detectors read the same text
# one after the other (one entry, replaced whole, so a thread sees one text's or another's).
_last_counted: tuple[str, Counter[str]] = ("", Counter())


def _counted_trigrams(padded: str) -> Counter[str]:
    """How often each trigram occurs in `padded` (read only by the caller)."""
    global _last_counted
    text, counted = _last_counted
    if text != padded:
        counted = Counter(_trigrams(padded))
        _last_counted = (padded, counted)
    return counted


def _trigrams(padded: str) -> list[str]:
    """The character trigram at each position of `padded`."""
    return [padded[i : i + GRAM_SIZE] for i in range(len(padded) - GRAM_SIZE + 1)]


def _grams_needed(length: int) -> int:
    """Trigrams a phrase of `length` characters keeps in any window it scores the cutoff on."""
    # ratio = 1 - distance / (length + window), window <= length: so the distance is at most
    # 2 * length * (1 - cutoff); the epsilon keeps a distance exactly on the bound.
    most_edits = math.floor(2 * length * (1.0 - PHRASE_CUTOFF / 100.0) + EDIT_BOUND_SLACK)
    return length - GRAM_SIZE + 1 - GRAM_SIZE * most_edits


def _past_year(padded: str) -> bool:
    """Whether the text names a past year in digits of any script (a year in a text in
    Arabic script may also be a Solar Hijri year, "۱۳۹۸": the matcher reads its digits as
    0-9)."""
    last = datetime.now(UTC).year - 1
    arabic_script: bool | None = None
    for match in _YEAR.finditer(padded):
        year = int(match.group())
        if FIRST_HISTORY_YEAR <= year <= last:
            return True
        if SOLAR_HIJRI_FIRST <= year <= last - SOLAR_HIJRI_OFFSET:
            if arabic_script is None:
                arabic_script = not match.group().isascii() or bool(_ARABIC_LETTER.search(padded))
            if arabic_script:
                return True
    return False


def _has_marks(words: tuple[TermWord, ...]) -> bool:
    # A phrase written with `=` or `*` says exactly which words count: no character fuzz.
    return any(word.exact or word.prefix for word in words)


def _padded(normalised: str) -> str:
    # Spaces on both sides keep a phrase from matching inside a longer word.
    return f" {normalised} "


def _all_terms(rules: tuple[EmergencyRule, ...]) -> set[str]:
    terms: set[str] = set()
    for rule in rules:
        for part in rule.by_language():
            terms.update(part.phrases)
            for group in part.all_of:
                terms.update(group)
    return terms


@dataclass(frozen=True)
class _MarkerSet:
    """Context phrases, found as whole words in the normalised text (no typo forgiveness:
    markers are short everyday words that typos would blur)."""

    texts: tuple[str, ...]

    @cached_property
    def padded(self) -> tuple[str, ...]:
        # Chinese, Japanese and Korean markers ("以前", "작년") sit inside words: no padding.
        return tuple(
            normalise_text(text) if written_without_spaces(text) else _padded(normalise_text(text))
            for text in self.texts
            if normalise_text(text)
        )

    @cached_property
    def _by_first_word(self) -> dict[str, tuple[list[str], ...]]:
        """The padded phrases as word lists, by first word."""
        found: dict[str, list[list[str]]] = {}
        for phrase in self.padded:
            if phrase.startswith(" "):
                words = phrase.strip().split(" ")
                found.setdefault(words[0], []).append(words)
        return {first: tuple(phrases) for first, phrases in found.items()}

    @cached_property
    def _unpadded(self) -> tuple[str, ...]:
        return tuple(phrase for phrase in self.padded if not phrase.startswith(" "))

    @cached_property
    def _unpadded_ascii(self) -> tuple[str, ...]:
        return tuple(phrase for phrase in self._unpadded if phrase.isascii())

    def found(self, padded_text: str) -> bool:
        """Whether one of the phrases is in `padded_text` (as a substring).

        A padded phrase (" w1 w2 ") is in the text exactly when its words are consecutive
        pieces of the text split at single spaces, each piece after a space and the last one
        followed by one: a look-up per word of the text, where a pattern of all the phrases
        (hundreds of them) tried each one at every position."""
        # Unpadded phrases are Chinese, Japanese or Korean: not in a plain ASCII text.
        unpadded = self._unpadded_ascii if padded_text.isascii() else self._unpadded
        if unpadded and any(phrase in padded_text for phrase in unpadded):
            return True
        by_first = self._by_first_word
        pieces = padded_text.split(" ")
        last = len(pieces) - 1
        for start in range(1, last):
            phrases = by_first.get(pieces[start])
            if phrases is not None:
                for words in phrases:
                    end = start + len(words)
                    if end <= last and pieces[start:end] == words:
                        return True
        return False

    def first_at(self, padded_text: str) -> int:
        """Where the first of these phrases starts in `padded_text` (-1 when none is there)."""
        starts = [padded_text.find(marker) for marker in self.padded]
        found = [start for start in starts if start >= 0]
        return min(found) if found else -1

    def removed(self, padded_text: str) -> str:
        """`padded_text` without these phrases."""
        for marker in self.padded:
            padded_text = padded_text.replace(marker, " ")
        return padded_text


_DIAGNOSTIC_MARKERS = _MarkerSet(_DIAGNOSTIC_QUESTIONS)
