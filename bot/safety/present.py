"""Is a rule's emergency happening now? A learned judgement beside the rules (issue 17).

The rules fire on a danger sign's words; context rules set aside the history, denials, risk
questions, jokes and frames they were written for, and every new writer brings look-alikes
they were not ("face isn't drooping lol", "the intake asks about suicidal thoughts, I don't
have any"). This model was trained only on labelled messages in which an emergency rule's
terms are found (emergencies against harmless look-alikes: exactly the decision needed),
over the words the second opinion reads plus the screen's context cues in the ConText
tradition (negation, history, a hypothetical or a question, someone else, a frame, words of
now; `EmergencyDetector.context_cues`) as features it weighs rather than rules of their own.

When it is sure a rule's emergency is NOT happening now, the reply is the cautious one: the
feature's answer with the warning signs, which name 911, and a note to staff. It never
lowers a message in a language whose context words the screen does not read, one the
second opinion itself reads as an emergency, or one that tells a `never_lowered` word (a
sign after a treatment, "right now", a cry for help). The threshold and its
leave-one-set-out figures are in the card beside the weights (`python -m bot.safety.train`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.safety.second_opinion import LABELS, FeatureSpec, feature_hash, read_weights
from bot.safety.terms import normalise_words

JUDGE_WEIGHTS_FILE = Path(__file__).with_name("present_judge.npz")
JUDGE_CARD_FILE = Path(__file__).with_name("present_judge.json")
# What `faq match --json` and the staff note call a reply lowered by the judgement.
NOT_PRESENT = "not_present"
# The languages whose context words (history, denials, frames) the screen reads: elsewhere a
# rule's emergency always stands.
JUDGED_LANGUAGES = frozenset({"en", "fr", "und"})
_BENIGN = LABELS.index("benign")
# A seizure, a collapse or a child's swallowing of medicine or a household poison is lowered
# only where the screen's context reads it as not happening now (history, a question, a frame,
# a denial, a time back of days or more, a check done: "had a seizure last month, the ER said
# all normal"): told plainly, it always stands, whatever the words around it (issue 17's limit
# on the judgement). A child's swallowing is told in the past tense ("drank some of the
# methadone") while its harm is still to come.
PRESENT_ONLY_RULES = frozenset(
    {
        "seizure_now",
        "someone_collapsed",
        "child_swallowed_medicine",
        "child_swallowed_household_poison",
    }
)
NOT_NOW_CUES = (
    "not_now",
    "risk_question",
    "framed",
    "framed_sentence",
    "settled",
    "years_ago",
    "past",
    "calm",
    "at_thought",
    "denial",
    "x duration",
    "x checked",
    "x scenario",
    "x story",
)


# Where an imagined clause starts ("what should I do if I get short of breath after IMS?",
# "suppose I fainted after the session, who do I call"): a `never_lowered` word from there to
# the clause's end is imagined, not told; one before it ("short of breath since IMS, should
# I go in?") is told. A worry about a sign ("nervous about fainting during IMS") and a story
# read or heard ("read about a woman whose lung collapsed after acupuncture") tell no sign
# of the writer's either. Words of now or a cry for help keep
# the guard wherever they are ("if I can't breathe right now after IMS ...").
_IMAGINED_FROM = re.compile(
    r" (?:if|in case|suppose|supposing|say i|lets say|hypothetically|imagine|what if|"
    r"what would|what should|what do i do|what to do|should i|would you|do i call|"
    r"(?:nervous|worried|scared|afraid|anxious|worry|worrying) (?:about|of)(?= \S+ing )|"
    r"read about|read that|heard about|heard of|heard that|in the news|a news story|"
    r"an article|the article|the report said|according to|"
    r"si|si jamais|au cas ou|supposons|imaginons|que faire|qu est ce que je fais) "
)
_CLAUSE_BREAK = re.compile(r"[,.;:!?\n()]+")
_IMAGINED_ENDS = re.compile(
    r" (?:but|though|although|however|and|so|because|cause|cuz|now|anyway|mais|et|pis|donc) "
)
_NOW_OR_HELP = re.compile(
    r" (?:right now|just now|happening now|going on now|as we speak|at the moment|currently|"
    r"this minute|help me|help him|help her|help us|need help|please help|en ce moment|"
    r"la maintenant|au secours|aidez moi|aide moi) "
)


def told_outside_questions(text: str) -> list[str] | None:
    """`text`'s words without its imagined clauses (an "if" or "suppose" clause, a question
    about what to do), for the `never_lowered` guard; None when it imagines nothing or names
    now or a cry for help (the guard then reads every word)."""
    kept: list[str] = []
    imagined = False
    for clause in _CLAUSE_BREAK.split(text):
        rest = f" {' '.join(normalise_words(clause))} "
        while (found := _IMAGINED_FROM.search(rest)) is not None:
            imagined = True
            kept.extend(rest[: found.start() + 1].split())
            # A contrast or a new clause ends what is imagined ("not sure if it's normal but
            # my lips are turning blue after the session": the rest is told).
            ends = _IMAGINED_ENDS.search(rest, found.end() - 1)
            rest = rest[ends.start() :] if ends is not None else " "
        kept.extend(rest.split())
    if not imagined or _NOW_OR_HELP.search(f" {' '.join(normalise_words(text))} "):
        return None
    return kept


def never_lowered_told(
    never_lowered: Callable[[list[str]], bool], text: str, words: list[str]
) -> bool:
    """Whether a `never_lowered` word (`EmergencyDetector.never_lowered`) is told in `text`
    outside the imagined clauses of a question (`told_outside_questions`)."""
    outside = told_outside_questions(text)
    return never_lowered(words if outside is None else outside)


def never_judged(rule_id: str, cues: Mapping[str, bool], self_harm: bool) -> bool:
    """Whether a rule's emergency stands whatever the judgement says: beside a self-harm cue
    (a plan, a means, a place, a farewell), or a seizure or collapse no context word sets in
    the past, a question or a frame."""
    if self_harm:
        return True
    return rule_id in PRESENT_ONLY_RULES and not any(cues.get(name) for name in NOT_NOW_CUES)


# Cues of a message told as not happening now that the screen's context rules do not read as
# such, weighed by the judgement with the rest (pooled grouped-fold figures in
# benchmarks/README.md: 68 -> 75 of the rules' false alarms lowered with no emergency moved).
# Each is a family of the false alarms issue 17 names: a duration or time back, a check done
# or a state now fine, someone else, a conditional or risk question, a negation, a joke or an
# idiom, a turn to another topic, a question about the service, a booking, an animal, a
# pastime (a team, a game, a book or a show).
_COUNT = (
    r"(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|a few|few|a couple of|"
    r"couple of|couple|several|many|some)"
)
JUDGE_CUES = {
    "duration": re.compile(
        r" (?:(?:for|over|past|last|since|about|almost|nearly) (?:the )?(?:" + _COUNT + r" )?"
        r"(?:days|weeks|months|years|wks|mos|yrs)|" + _COUNT + r" (?:days|weeks|months|years|"
        r"wks|yrs) (?:ago|now|back|later)|last (?:week|month|year|summer|winter|spring|fall)|"
        r"(?:il y a|ca fait|depuis) (?:\S+ )?(?:jours|semaines|mois|ans)) "
    ),
    "checked": re.compile(
        r" (?:checked|checked out|got checked|was told|were told|they said|doctor said|"
        r"doc said|dr said|er said|hospital said|fine now|ok now|okay now|good now|better now|"
        r"all good|all clear|cleared|resolved|went away|gone now|stopped|recovered|x ray|xray|"
        r"scan|ct|mri|discharged|totally fine|was fine after|false alarm|coughed it up|"
        r"got it out|full recovery|recovered fully|turned out|turns out|recovering|home now|"
        r"back home|doing well|doing fine|doing better|verifie|tout est correct|ca va maintenant|"
        r"ca a arrete|est passe|fausse alerte) "
    ),
    "other_person": re.compile(
        r" (?:wife|husband|mom|mum|dad|mother|father|son|daughter|kid|kids|child|friend|"
        r"brother|sister|grandma|grandpa|grandmother|grandfather|partner|aunt|uncle|cousin|"
        r"neighbour|neighbor|he|she|his|him|hes|shes|ma femme|mon mari|ma mere|mon pere|"
        r"mon fils|ma fille|mon ami|mon amie|il|elle) "
    ),
    "conditional": re.compile(
        r" (?:what if|if i|if it|if my|if he|if she|if you|in case|can it|could it|can ims|"
        r"could ims|does ims|is it normal|should i worry|is it possible|how likely|how common|"
        r"how often|how rare|risk|risks|chance of|chances of|what happens if|"
        r"what would you do|what should i do if|what do i do if|signs of|symptoms of|"
        r"si jamais|est ce normal|est ce que ca peut|risque|risques|que faire si) "
    ),
    "negation": re.compile(
        r" (?:no|not|isnt|wasnt|arent|without|never|dont|didnt|doesnt|nor|neither|nothing|"
        r"none|pas|aucun|aucune|jamais|sans|ni) "
    ),
    "jocular": re.compile(
        r" (?:lol|lmao|haha|hahaha|jk|kidding|joking|rather die|dying to|to death|killing me|"
        r"kills me|murder|literally|mdr|ptdr|lolll) "
    ),
    "topic_turn": re.compile(
        r" (?:anyway|anyways|anyhow|also|btw|by the way|off topic|on another note|unrelated|"
        r"seriously though|bref|en tout cas|sinon|serieusement|autre chose) "
    ),
    "service_question": re.compile(
        r" (?:can ims|will ims|does ims|could ims|would ims|ims for|ims help|ims on|can you|"
        r"do you|does your|do your|is there|can i book|can i come|can i get|can i start|"
        r"can i still|can he|can she|can we|should i bring|need to bring|do i bring|bring my|"
        r"what should i|how much|cost|"
        r"covered|insurance|direct bill|l ims|est ce que l ims|vous|je peux prendre|puis je) "
    ),
    "animal": re.compile(
        r" (?:horse|horses|mare|pony|foal|colt|dog|dogs|puppy|pup|cat|cats|kitten|bird|budgie|"
        r"parrot|parakeet|hamster|rabbit|bunny|cow|cows|calf|heifer|goat|sheep|lamb|pig|chicken|"
        r"hen|vet|vets|veterinarian|pet|pets|cheval|chien|chat|oiseau|veterinaire) "
    ),
    "pastime": re.compile(
        r" (?:team|league|fantasy|game|games|gaming|player|players|character|boss|raid|level|"
        r"season|playoffs|goalie|coach|novel|book|audiobook|story|chapter|episode|show|series|"
        r"movie|film|podcast|detective|villain|equipe|ligue|jeu|personnage|roman|livre|serie) "
    ),
    "booking": re.compile(
        r" (?:book|booking|appointment|appt|schedule|intake|form|forms|consent|before my|"
        r"first session|first visit|rendez vous|rdv|formulaire) "
    ),
    # The styles of real public wording (round 13): a general statement about a condition, a
    # scenario told to "you" (a course, a handout), a story told as one, a news or case report.
    "generic": re.compile(
        r" (?:some people|many people|most people|people who|people with|people having|"
        r"a person|the person|someone who|anyone who|patients|in some cases|in rare cases|"
        r"can cause|can lead|may cause|can feel like|can look|is one of|are one of|"
        r"one of the most|for example|such as|is rare|are rare|is common|are common|"
        r"commonly|typically|usually|certaines personnes|les gens|peut causer|peuvent) "
    ),
    "scenario": re.compile(
        r" (?:imagine|picture this|picture yourself|say youre|say you are|suppose you|"
        r"youre at|you are at|you come across|you find|you discover|you hear|you notice|"
        r"you walk in|what do you do when|what would you do|first aid|cpr|instructor|"
        r"course|drill|scenario|handout|training|imaginez|secourisme|formation) "
    ),
    "story": re.compile(
        r" (?:thats when|that s when|at that point|i remember|i remembered|i realized|"
        r"i realised|the first time|back then|at the time|years later|that night|that day|"
        r"that morning|the next day|looking back|in hindsight|one summer|one winter|"
        r"the report said|officials said|police said|according to|the article|case study|"
        r"case report|was rushed|were rushed|story|passed away|survived|c etait|je me souviens|"
        r"ce jour la|ce soir la) "
    ),
}


def judge_cues(context: Mapping[str, bool], words: Sequence[str]) -> dict[str, bool]:
    """The screen's context cues (`EmergencyDetector.context_cues`) with the judgement's
    own (`JUDGE_CUES`), for a normalised message."""
    padded = f" {' '.join(words)} "
    return {
        **context,
        **{f"x {name}": bool(found.search(padded)) for name, found in JUDGE_CUES.items()},
    }


def judge_features(spec: FeatureSpec, words: Sequence[str], cues: Mapping[str, bool]) -> list[int]:
    """The hashed features of a message: its words (as the second opinion reads them) and
    one feature per context cue, present or absent."""
    mask = spec.size - 1
    found = spec.features(words)
    found.extend(feature_hash(f"c {name} {int(value)}") & mask for name, value in cues.items())
    return found or [0]


@dataclass
class PresentJudge:
    """The trained judgement: P(not an emergency now) for a message a rule calls one."""

    spec: FeatureSpec
    weights: npt.NDArray[np.float32]  # (features, 3): emergency, urgent, benign
    bias: npt.NDArray[np.float32]
    threshold: float  # P(benign) at or above which a rule's emergency is lowered
    card: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(
        cls, weights_file: Path = JUDGE_WEIGHTS_FILE, card_file: Path = JUDGE_CARD_FILE
    ) -> PresentJudge:
        """The judgement shipped with the code (weights and its card)."""
        card = json.loads(card_file.read_text(encoding="utf-8"))
        spec = FeatureSpec(**card["features"])
        weights, bias = read_weights(weights_file, spec)
        return cls(spec, weights, bias, float(card["threshold"]), card)

    def not_present(self, words: Sequence[str], cues: Mapping[str, bool]) -> float:
        """P(no emergency now) of a normalised message with its context cues."""
        features = judge_features(self.spec, words, cues)
        scale = 1.0 / math.sqrt(len(features))
        scores = (self.weights[features].sum(axis=0) * scale + self.bias).tolist()
        top = max(scores)
        exp = [math.exp(score - top) for score in scores]
        return exp[_BENIGN] / sum(exp)


_LOADED: list[PresentJudge] = []


def load_present_judge() -> PresentJudge | None:
    """The shipped judgement, loaded once; None when its files are missing (no lowering)."""
    if not _LOADED:
        if not (JUDGE_WEIGHTS_FILE.exists() and JUDGE_CARD_FILE.exists()):
            return None
        _LOADED.append(PresentJudge.load())
    return _LOADED[0]
