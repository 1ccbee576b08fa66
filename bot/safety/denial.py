"""A patient's denial of a sign ("no numbness, no bladder stuff, just pain").

A denial opener ("no", "without", "pas de", "sin"...) followed by the name of a sign says that
the sign is absent; the words it covers run to the end of the clause, a contrast ("but",
"just", "mais") or a new subject ("I", "he"), at most `MAX_DENIED_WORDS` words. A negation is
often the symptom itself ("no feeling down there", "no puedo respirar"): loss words and
pronouns or verbs after the opener are never read as a denial, and the screen accepts a
denial only when the sign it sets aside is still found once the opener alone is dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.safety.terms import normalise_words

MAX_DENIED_WORDS = 6
# Punctuation that ends a clause (the words themselves carry no punctuation once normalised).
_CLAUSE_BREAK = re.compile(r"[,.;:!?\n()\[\]،؛。，；！？—–]+| - ")
# Openers, as normalised word sequences, longest first where one extends another.
_OPENERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(opener.split())
    for opener in (
        "not any", "no tengo", "no tiene", "no hay", "no", "none", "zero", "without any",
        "without", "denies", "negative for", "never had any", "never had", "nothing like",
        "nao tenho", "nao tem",
        "pas de", "pas d", "aucun", "aucune", "sans", "sin", "ningun", "ninguna", "nada de",
        "sem", "nenhum", "nenhuma", "kein", "keine", "keinen", "senza", "nessun", "nessuna",
    )
)  # fmt: skip
# "Not a/an" denies only as the idiom "not an overdose or anything": elsewhere ("it's not a
# stroke is it?", "not a big bleed but it won't stop") it is no denial.
_NOT_A = (("not", "an"), ("not", "a"))
_OR_ANYTHING = (("or", "anything"), ("or", "something"), ("or", "whatever"))
# In Portuguese "no" is "in the" ("dor no peito") and in Spanish and Italian it negates a verb:
# in a message with these words, the English openers are not read.
_ENGLISH_ONLY_OPENERS = frozenset((("no",), ("none",), ("zero",)))
_ROMANCE_WORDS = frozenset(
    (
        "de", "do", "da", "dos", "das", "com", "uma", "um", "em", "meu", "minha", "estou",
        "tenho", "nao", "esta", "el", "la", "los", "las", "mi", "con", "que", "tengo", "estoy",
        "es", "muy", "desde", "il", "di", "ho", "sono", "mio", "mia", "ne", "nel", "nella", "che",
    )
)  # fmt: skip
# English "no" opens a denial at the start of a clause or after one of these ("I have no...",
# "but no...", "and no..."), not after a noun ("dor no peito", "aperto no peito").
_BEFORE_NO = frozenset(
    (
        "have", "has", "had", "got", "get", "there", "is", "are", "was", "were", "and", "or",
        "but", "with", "also", "still", "absolutely", "definitely", "really", "otherwise",
        "thankfully", "luckily", "so", "far", "yet", "its", "thats", "theres", "weve", "ive",
    )
)  # fmt: skip
# Words that end a denial: a contrast, "and", or a new subject taking over the clause.
_SPAN_ENDS = frozenset(
    (
        "but", "just", "only", "except", "though", "although", "however", "and", "then",
        "now", "still", "since", "i", "im", "ive", "id", "he", "hes", "she", "shes", "they",
        "we", "mais", "juste", "seulement", "sauf", "et", "je", "j", "il", "elle", "pero",
        "solo", "y", "mas", "so", "apenas", "e", "aber", "nur", "und", "ma", "my", "his",
        "her", "their", "our", "mon", "mes", "son", "sa", "ses", "mi", "su", "meu",
        "minha", "mein", "meine",
    )
)  # fmt: skip
# A loss of function anywhere in the denied words makes the negation the sign ("no feeling",
# "no bladder control", "pas de sensation", "sin fuerza"). A first word after the opener
# that makes it a report too: a pronoun or a verb ("no, I...",
# "no puedo", "no one can wake him"), a fixed phrase ("no way", "without warning"), or an
# endless sign ("saigne sans arrêt", "without stopping").
_LOSSES = frozenset(
    (
        "feeling", "feelings", "sensation", "sensations", "sense", "control", "strength",
        "pulse", "heartbeat", "breath", "breathing", "air", "response", "reaction", "movement",
        "use", "grip", "power", "vision", "sight", "voice", "words", "sentiment", "sensibilite",
        "force", "controle", "pouls", "souffle", "reponse", "mouvement", "voix", "sensacion",
        "sensibilidad", "fuerza", "pulso", "aire", "respuesta", "sensacao", "forca",
        "respiracao", "gefuhl", "kraft", "luft", "puls", "sensibilita", "respiro", "polso",
        "will", "envie", "ganas", "vontade", "urine", "pee", "wee",
    )
)  # fmt: skip
# Words that name a difficulty with a function: with one, a loss word is part of a denied
# sign ("no shortness of breath", "no loss of bladder control", "sem falta de ar").
_DIFFICULTIES = frozenset(
    (
        "shortness", "short", "trouble", "difficulty", "difficulties", "problem", "problems",
        "issue", "issues", "loss", "blurred", "blurry", "double", "change", "changes", "falta",
        "dificultad", "difficulte", "difficultes", "perte", "perda", "perdida", "mal",
    )
)  # fmt: skip
_REPORT_WORDS = frozenset(
    (
        "one", "body", "way",
        "idea", "longer", "more", "matter", "sooner", "warning", "reason", "notice", "cause",
        "apparent", "prevenir", "raison", "aviso", "razon", "stop", "stopping", "end", "letup",
        "arret", "cesse", "fin", "interruption", "parar", "cesar", "pausa", "parada", "fim",
        "sosta", "tregua", "ende", "pause", "i", "im", "my", "me", "he", "she", "it",
        "its", "they", "we", "you", "can", "cant", "could", "will", "wont", "is", "am", "are",
        "was", "were", "do", "does", "did", "have", "has", "puedo", "puede", "pueden",
        "siento", "siente", "se", "le", "lo", "la", "consigo", "consegue",
    )
)  # fmt: skip


# A comparison inside the denied words makes it a report of something new or worse.
_COMPARISONS = frozenset(
    ("like", "before", "ever", "worse", "worst", "comme", "jamais", "pire", "como", "nunca")
)


@dataclass(frozen=True)
class Denial:
    """A message with its denied signs left out, and with only the openers left out."""

    without_denied: list[str]
    without_openers: list[str]


def find_denials(text: str) -> Denial | None:
    """The message's words without the signs it denies, or None when it denies none."""
    without_denied: list[str] = []
    without_openers: list[str] = []
    found = False
    english = _ROMANCE_WORDS.isdisjoint(normalise_words(text))
    for clause in _CLAUSE_BREAK.split(text):
        words = normalise_words(clause)
        at = 0
        while at < len(words):
            opener = _opener_at(words, at, english=english)
            end = _denied_end(words, at + opener) if opener else at
            if end > at + opener:
                found = True
                without_openers.extend(words[at + opener : end])
                at = end
                continue
            without_denied.append(words[at])
            without_openers.append(words[at])
            at += 1
    return Denial(without_denied, without_openers) if found else None


def _opener_at(words: list[str], at: int, *, english: bool) -> int:
    """How many words of a denial opener start at `at` (0 when none)."""
    if english and tuple(words[at : at + 2]) in _NOT_A and _or_anything(words[at + 2 :]):
        return 2
    for opener in _OPENERS:
        if opener in _ENGLISH_ONLY_OPENERS and not (
            english and (at == 0 or words[at - 1] in _BEFORE_NO)
        ):
            continue
        if tuple(words[at : at + len(opener)]) == opener:
            return len(opener)
    return 0


def _or_anything(words: list[str]) -> bool:
    """Whether "or anything" follows within a few words ("not an overdose or anything")."""
    head = words[: MAX_DENIED_WORDS + 2]
    return any(tuple(head[i : i + 2]) in _OR_ANYTHING for i in range(len(head) - 1))


def _denied_end(words: list[str], start: int) -> int:
    """Where the words a denial covers end (`start` when it covers none)."""
    if start >= len(words) or words[start] in _REPORT_WORDS:
        return start
    end = start
    while end < len(words) and end - start < MAX_DENIED_WORDS and words[end] not in _SPAN_ENDS:
        end += 1
    denied = words[start:end]
    if not _COMPARISONS.isdisjoint(denied):
        return start  # "never had pain like this before": a new sign
    if not _LOSSES.isdisjoint(denied) and _DIFFICULTIES.isdisjoint(denied):
        return start  # "no bladder control" is a loss; "no shortness of breath" is a denial
    return end
