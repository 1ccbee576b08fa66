"""What a patient's message asks of the FAQ: small talk, one question or two.

A pure core step between the matcher and the conversation: the conversation turns a
`FaqReading` into replies, the benchmarks count them.

* Small talk (greetings, thanks, goodbyes, "ok", rudeness) is not a question: it gets a
  short friendly reply, never the "I don't know" fallback, and is never kept as unanswered.
* A question with no needling word in it is about physiotherapy in general or another
  therapy more often than about IMS: an IMS entry answers it only with a clear lead over
  the closest topic the clinic does not answer here, and a comparison entry ("IMS vs
  acupuncture") answers only a question that names the treatment or asks to compare.
  The other way round, an entry about physiotherapy in general does not answer a question
  naming the treatment but not physiotherapy ("is IMS good for athletes?"): "did you mean".
* A message that asks two things ("does it hurt and how much is it?") is read as two
  questions when each part stands alone as one: it gets both answers, in the order asked
  (at most two), or the answer to the part the FAQ covers and an honest word about the rest.
* A question about another subject (a therapy, test or profession no entry is about) gets
  no IMS entry's answer, and "what is acupuncture?" (a related treatment) is answered by
  the entry comparing it with IMS, not read as "what is IMS?".
* An entry saying what IMS is answers only a question about IMS: "how does acupuncture
  work?" or "how does physiotherapy work?" gets the entry saying what that subject is (read
  from the content) or a "did you mean"; "acupuncture / dry needling" names one service.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from rapidfuzz.distance import Levenshtein

from bot.core.small_talk import SmallTalkKind, small_talk_kind
from bot.core.text import WORDS_CACHE_SIZE, normalise, word_set
from bot.faq.matcher import MAX_SUGGESTIONS, Candidate, FaqMatcher, MatchResult
from bot.faq.pipeline import EmergencyCheck
from bot.faq.splitting import (
    JOINERS,
    QUESTION_STARTS,
    question_parts,
    shared_question_parts,
)
from bot.faq.text import FILLER_WORDS, STOP_WORDS, SynonymMap, analyse
from bot.faq.treatment_names import (
    TREATMENT_NAME,
    defined_subject,
    definitions,
    entry_for_name,
    name_asked,
    slip_of,
    treatment_entries,
    treatment_names,
)

if TYPE_CHECKING:
    from bot.clinic_content import ClinicContent
    from bot.content.model import FaqContent, FaqEntry

ReadingKind = Literal["emergency", "small_talk", "answer", "suggest", "fallback"]
MAX_ANSWERS = 2
# Both answers to one question about two things must be among this many of the entries
# the whole message ranks first.
SHARED_RANK_DEPTH = 2
# An unclear part of a two-part message, read beside the other part, is answered with an
# entry among its own first this many.
CONTEXT_RANK_DEPTH = 2
# Only a short question beside another short one is read in its context; in a story, the
# other part says too much besides.
MAX_CONTEXT_PART_WORDS = 12
SAME_OPENING_WORDS = 2
HEADING_WORD_LENGTH = 4
HEADING_CAPITALS_SHARE = 0.6

_BACK_REFERENCES = word_set("it its they them that this those")
# Words naming needling. With none of them in a question, an IMS entry must lead the closest
# out-of-scope topic by this much, or the topic wins ("what causes back pain in pregnancy"
# is no question about IMS in pregnancy).
_NEEDLE_WORDS = r"ims|intra ?muscular|gunn|needl\w*|aiguill\w*"  # aiguill: French, canonical
_NEEDLING_RE = re.compile(rf"\b({_NEEDLE_WORDS}|acupunct\w*)\b")
NO_NEEDLING_LEAD = 0.1
# The clinic's treatment, or its needles: a question naming another treatment as well
# ("acupuncture needles") still asks about needling.
_NEEDLE_RE = re.compile(rf"\b({_NEEDLE_WORDS})\b")
# Words asking for a comparison besides the content's comparison synonyms; an entry most of
# whose phrasings use one is a comparison entry.
_EXTRA_COMPARISON_WORDS = ("like", "instead", "rather", "the way")
COMPARISON_ENTRY_SHARE = 0.5
# Comparison cues whose slips are read as the cue; shorter words are left alone.
_SLIP_CUES = ("difference", "different", "differ", "versus", "compare", "compared", "similar")
MIN_SLIP_LENGTH = 5
# "Is this acupuncture?": the treatment named by a pronoun, asked whether it is another.
_IS_IT_RE = re.compile(r"(is|is not) (this|it|that) ")
# Generic words only ("will it work for me?"): the matcher answers only with a lead of its
# clear_lead (0.2); a whole message is answered with this lead over the next entry when its
# score reaches the answer threshold. Chosen on the tuning sets (real A, C, E, dev, the style
# sets): none answered wrongly from 0.08 up; leave-one-set-out over every tuning set
# (benchmarks/faq_calibration.py) finds any value from 0.05 to 0.15 equal on the set left out.
# Messages asking only for a kind of answer ("what is the purpose of ...", "what to expect")
# stay a "did you mean".
HEADING_LEAD = 0.09
# A related treatment's name is read as the clinic's own treatment (TREATMENT_NAME), in a
# question of at least this many words ("acupuncture?" alone asks whether IMS is it).
MIN_RELATED_WORDS = 3
# Up to this many words, a question that does not name the clinic's treatment and names a
# subject no entry is about (`FaqMatcher.foreign_words`: "is myotherapy safe?", "what is
# the difference between osteopathy, physiotherapy and chiropractic?") is not answered, nor
# is one naming another treatment (content's `other_treatments`) with an entry that never
# names it.
# Chosen by leave-one-set-out over the real-question sets (benchmarks/faq_policy_loso.py).
OTHER_SUBJECT_WORDS = 12
NAMED_IN_WORDINGS = 2
# The clinic's general service, as its synonym group names it. A question about it that
# names no needling ("what happens at a physio appointment?") gets no entry about the
# needling treatment while an entry about the service is among the matches: "did you mean".
SERVICE_NAME = "physiotherapy"
# An entry is about a subject when at least this share of its wordings name it; an entry
# about the treatment that names the service in this smaller share is about both ("who
# performs IMS?": physiotherapists).
ABOUT_SHARE = 0.5
ALSO_ABOUT_SHARE = 0.25
# "Does IMS help plantar fasciitis?": a question naming the treatment and a condition of the
# content's `conditions` vocabulary asks whether the treatment helps it when the words left
# (besides stop words, names, body parts) only ask that. Any other word ("safe", "after",
# "how many sessions") leaves the question to the matcher.
_HELP_WORDS = word_set(
    """
    help helps helped helping helpful treat treats treated treating treatment treatments
    work works worked working good effective effectiveness fix fixes fixing cure cures
    relieve relieves relieving relief option options beneficial useful
    worth right suitable recommended improve improves ease eases manage address resolve
    pain pains painful chronic acute bad severe persistent recurring constant problem
    problems issue issues suffer suffering sufferer sufferers people patients person
    back neck shoulder shoulders knee knees hip hips elbow elbows wrist wrists hand hands
    foot feet heel heels ankle ankles leg legs arm arms jaw head calf calves thigh thighs
    glute glutes buttock lower upper low mid spine spinal muscle muscles muscular joint
    joints tendon tendons nerve nerves left side both sore tight
    """
)
# "How does IMS help sciatica?" asks how it works, not whether it helps.
_MECHANISM_WORDS = word_set("how why not no")
# "Do I need dry needling?", "should you try IMS?", "are you a candidate for IMS?": whether
# the treatment is for the one asking, answered by the content's entry on conditions when
# a person and one of these words are named and every other word is one of _HELP_WORDS.
_PERSON_WORDS = word_set("i me my you your someone anyone person people patient patients who")
_CANDIDACY_WORDS = word_set(
    "need needs try right suitable candidate candidates worth fit consider considering"
)
# "What's the point of acupuncture?", "what is the purpose of X": asks what X is for.
_POINT_OF_RE = re.compile(r"^what(?: is)? the (?:point|purpose|idea|deal) (?:of|with) ")


@dataclass(frozen=True)
class FaqReading:
    """What to do with one message."""

    kind: ReadingKind
    answers: tuple[str, ...] = ()  # entry ids to answer, in the order asked
    suggestions: tuple[Candidate, ...] = ()
    score: float = 0.0
    small_talk: SmallTalkKind | None = None
    unanswered_part: str | None = None  # a part of a two-part message the FAQ cannot answer
    out_of_scope: str | None = None  # a fallback on a topic the clinic does not answer here
    # A related treatment the message named and was answered as about the clinic's own.
    read_as: str | None = None


class MessageReader:
    """Reads a message into a `FaqReading`."""

    def __init__(
        self,
        matcher: FaqMatcher,
        detector: EmergencyCheck | None = None,
        faq: FaqContent | None = None,
        heading_lead: float = HEADING_LEAD,
        other_subject: int | None = OTHER_SUBJECT_WORDS,
        define_related: bool = True,
        own_subject: bool = True,
        paired_names: bool = True,
        other_treatments: Collection[str] | None = None,
    ) -> None:
        self.matcher = matcher
        self.detector = detector
        self.heading_lead = heading_lead
        # Up to this many words, a question about a subject no entry is about (see
        # `_other_subject`) gets no answer; None: never held back for it.
        self.other_subject = other_subject
        # "What is acupuncture?" asks what the related treatment is: the entry comparing it
        # with IMS answers it, instead of the question being read as "what is IMS?".
        self.define_related = define_related
        # An entry saying what the clinic's treatment is or how it works answers only a
        # question about the treatment: "how does physiotherapy work?" gets the entry saying
        # what physiotherapy is (see `_about_subject`).
        self.own_subject = own_subject
        # "Acupuncture / dry needling" on a clinic's page is one service, not a comparison.
        self.paired_names = paired_names
        self._treatment_re, self._comparison_re, self._comparison_entries = _subject_cues(faq)
        related = faq.related_treatments if faq is not None else ()
        self._related_re = _words_re(list(related)) if related else None
        self._synonyms = SynonymMap(faq.synonyms if faq is not None else ())
        # A synonym group's term -> the stems of its one-word names, for reading a slip of
        # one ("physiotheraphy") as the group.
        plain_words = SynonymMap(())
        self._group_stems: dict[str, frozenset[str]] = {}
        for group in faq.synonyms if faq is not None else ():
            (term, *_) = analyse(group[0], self._synonyms) or [""]
            self._group_stems[term] = frozenset(
                found[0] for name in group if len(found := analyse(name, plain_words)) == 1
            )
        # Each entry's wordings, normalised once for the readings below.
        self._plain: dict[str, tuple[str, ...]] = {
            entry.id: tuple(normalise(p) for p in entry.phrasings)
            for entry in (faq.entries if faq is not None else ())
        }
        # Which related treatments each entry's wordings name.
        self._entry_names: dict[str, frozenset[str]] = {
            entry_id: frozenset(
                normalise(name)
                for name in related
                if any(_words_re([name]).search(p) for p in plain)
            )
            for entry_id, plain in self._plain.items()
        }
        self._defines = definitions(self._plain, self._synonyms)
        self._treatment_stems = frozenset(analyse(TREATMENT_NAME, self._synonyms))
        self._subject_entries = self._entries_by_subject(related)
        # The entries that say what the clinic's own treatment is (one of their phrasings
        # asks "what is IMS ...").
        self._treatment_entries = treatment_entries(self._defines, self._treatment_stems)
        self._pair_re = (
            _pair_re(related, self._treatment_re) if related and self._treatment_re else None
        )
        self._name_entries = treatment_names(faq, self._plain, self._treatment_entries)
        # Other treatments (their stems; the content's `other_treatments` unless given) and,
        # per entry, the ones it is about, found on first need (few questions name one):
        # a question about another treatment gets only an entry that names it.
        if other_treatments is None:
            other_treatments = faq.other_treatments if faq is not None else ()
        self._other_treatments = frozenset(
            stems
            for name in other_treatments
            if (stems := frozenset(analyse(name, self._synonyms)))
        ) - {self._treatment_stems}
        self._entries: dict[str, FaqEntry] = {
            entry.id: entry for entry in (faq.entries if faq is not None else ())
        }
        self._entry_treatments: dict[str, frozenset[frozenset[str]]] = {}
        # The clinic's general service (physiotherapy, with its synonyms): the share of each
        # entry's wordings naming it, and the entries about the treatment or its needles.
        self._service_stems = frozenset(analyse(SERVICE_NAME, self._synonyms))
        self._service_share = self._shares(
            lambda p: self._service_stems <= frozenset(analyse(p, self._synonyms))
        )
        needling = self._shares(
            lambda p: bool(_NEEDLE_RE.search(p) or self._treatment_re.search(p))
        )
        self._needling_entries = frozenset(
            e for e, share in needling.items() if share >= ABOUT_SHARE
        )
        # The content's condition vocabulary and the entry answering "does IMS help X?".
        self._condition_entry = faq.condition_entry if faq is not None else None
        names = faq.condition_names if faq is not None else ()
        self._condition_re = _names_re(names) if names else None
        # Each condition's own pattern, longest name first: the name a question uses.
        self._conditions = tuple(
            _names_re([name]) for name in sorted(names, key=lambda n: len(n.split()), reverse=True)
        )

    @classmethod
    def from_content(cls, content: ClinicContent) -> MessageReader:
        """A reader over the clinic's FAQ and emergency screen (lexical matching)."""
        return cls(FaqMatcher.from_content(content.faq), content.emergency.detector(), content.faq)

    def read(self, text: str) -> FaqReading:
        """The reading of `text`; an emergency wins over everything."""
        if self.detector is not None and self.detector.detect(text) is not None:
            return FaqReading("emergency", score=1.0)
        return self.read_question(text)

    def read_question(self, text: str, *, typed: str | None = None) -> FaqReading:
        """The reading of `text` once the emergency screen has passed it. `typed`: the message
        as the patient typed it, when `text` rewords it (French in the FAQ's terms), so small
        talk is read in the patient's own words too ("à plus" is no "has more")."""
        kind = small_talk_kind(typed) if typed is not None else None
        kind = kind or small_talk_kind(text)
        if kind is not None:
            return FaqReading("small_talk", small_talk=kind)
        whole, read_as = self._match(text, whole=True)
        parts = question_parts(text, no_small_talk=True)
        if len(parts) >= 2:
            split = self._read_parts(parts[:MAX_ANSWERS], whole, "?" in text)
            if split is not None:
                return split
        elif shared := self._read_shared(shared_question_parts(text), text):
            return shared
        return _single(whole, read_as)

    def _read_shared(self, told: list[tuple[str, str]], text: str) -> FaqReading | None:
        """Both answers to one question asked about two things ("I'm on blood thinners and
        I'm also diabetic, can I still do IMS?"), when each thing with the question gets an
        answer of its own and both are among the entries the whole message ranks first. A
        thing that is only the treatment's name ("IMS and diabetes: is it safe?") is none."""
        if not told or any(
            not self._treatment_re.sub(" ", normalise(thing)).strip() for thing, _ in told
        ):
            return None
        parts = [f"{thing}, {question}" for thing, question in told]
        results = [self._match(part)[0] for part in parts]
        answered = [r.faq_id for r in results if r.decision == "answer" and r.faq_id]
        if len(answered) != len(parts) or len(set(answered)) != len(parts):
            return None
        ranked = self.matcher.rank(text, limit=MAX_SUGGESTIONS)
        if not set(answered) <= {c.faq_id for c in ranked[:SHARED_RANK_DEPTH]}:
            return None
        return FaqReading("answer", tuple(answered), (), ranked[0].score)

    def _read_parts(
        self, parts: list[str], whole: MatchResult, punctuated: bool
    ) -> FaqReading | None:
        """Two answers, or one and a word about the rest; None when the message reads
        better as one question. In a `punctuated` message, a part without a "?" is a
        remark: when the FAQ cannot answer it, nothing is said about it."""
        # A remark after the last "?" ("... the IMS? my physio never mentioned it") asks
        # nothing about its subject.
        remark = punctuated and not parts[-1].endswith("?")
        matched = [
            self._match(part, subject=not (remark and index == len(parts) - 1))
            for index, part in enumerate(parts)
        ]
        if self.own_subject:
            matched = [matched[0]] + [
                (self._referred(parts[0], part, result), name)
                for part, (result, name) in zip(parts[1:], matched[1:], strict=True)
            ]
        results = [result for result, _ in matched]
        read_as = next((name for result, name in matched if name is not None), None)
        answered = [r.faq_id for r in results if r.decision == "answer" and r.faq_id]
        if len(set(answered)) >= 2:
            return FaqReading(
                "answer", tuple(dict.fromkeys(answered)), (), whole.score, read_as=read_as
            )
        if len(answered) != 1:
            return None
        rest, other = next(
            (p, r) for p, r in zip(parts, results, strict=True) if r.decision != "answer"
        )
        known = next(p for p in parts if p != rest)
        found = (
            self._in_context(rest, known, answered[0])
            if rest == parts[-1]
            and other.out_of_scope is None
            and _asks_after(rest)
            and all(len(part.split()) <= MAX_CONTEXT_PART_WORDS for part in parts)
            and not _same_question(known, rest)
            and name_asked(normalise(known)) is None
            and not _is_heading(" ".join(parts))
            else None
        )
        if found is not None:
            # "Will I feel better right away, and how long will it last?": read beside the
            # answered part, the unclear part is about how long the relief lasts.
            in_order = [found if part == rest else answered[0] for part in parts]
            return FaqReading("answer", tuple(in_order), (), whole.score, read_as=read_as)
        if other.decision == "fallback":
            if other.out_of_scope is not None and _refers_back(parts, rest):
                # "what is reiki and does it hurt": the answered part asks about the
                # other part's subject, which this chat does not cover.
                return None
            if punctuated and not rest.endswith("?"):
                return FaqReading("answer", tuple(answered), (), whole.score, read_as=read_as)
            return FaqReading(
                "answer", tuple(answered), (), whole.score, unanswered_part=rest, read_as=read_as
            )
        # The other part is unclear: its "did you mean" follows the answer.
        return FaqReading(
            "answer", tuple(answered), other.suggestions, whole.score, read_as=read_as
        )

    def _in_context(self, part: str, known: str, answered: str) -> str | None:
        """The entry an unclear `part` asks about, read beside the `known` part (answered
        with `answered`): the first entry but that one when the two are read together, if
        it is also among the part's own first two and near enough to suggest."""
        own = [c for c in self.matcher.rank(part, limit=MAX_SUGGESTIONS) if not c.out_of_scope]
        if not own or own[0].score < self.matcher.thresholds.suggest:
            return None
        together = self.matcher.rank(f"{known} {part}", limit=MAX_SUGGESTIONS + 1)
        pick = next((c for c in together if c.faq_id != answered and not c.out_of_scope), None)
        if pick is None or pick.faq_id not in {c.faq_id for c in own[:CONTEXT_RANK_DEPTH]}:
            return None
        return pick.faq_id

    def _compares(self, plain: str) -> bool:
        """Whether normalised `plain` names the treatment or asks for a comparison."""
        return bool(
            self._treatment_re.search(plain)
            or self._asks_comparison(plain)
            or _IS_IT_RE.match(plain)
        )

    def _asks_comparison(self, plain: str) -> bool:
        """Whether normalised `plain` has a comparison cue ("vs", "difference"), or a slip
        for a one-word cue."""
        return bool(self._comparison_re.search(plain)) or any(
            _near_comparison_word(word) for word in plain.split()
        )

    def _match(
        self, text: str, whole: bool = False, subject: bool = True
    ) -> tuple[MatchResult, str | None]:
        """The matcher's decision, and the related treatment the message named when it is
        answered as a question about the clinic's own treatment; `subject`: whether an
        answer saying what IMS is must be about the question's subject (`_about_subject`)."""
        plain = normalise(text)
        paired = self._paired(text)
        if paired is not None:
            # "What does acupuncture / dry needling involve?": one service, two names.
            return self._match_as_asked(paired, whole), None
        result, read_as = self._match_named(text, whole)
        if self.own_subject and subject and result.decision == "answer":
            routed = self._about_subject(text, plain, result)
            if routed is not None:
                return routed, None
        if result.decision == "answer" and self._other_treatment(plain, result.faq_id):
            # "Is acupuncture safe?", "can I use my FSA for massage?": no IMS entry answers it.
            return MatchResult("suggest", None, result.score, result.suggestions), None
        return result, read_as

    def _other_treatment(self, plain: str, faq_id: str | None) -> bool:
        """Whether normalised `plain`, a question of a few words (`other_subject`) that names
        none of the clinic's treatment's names and no needle, names another treatment that
        the entry `faq_id`'s wordings never name."""
        if not self._other_treatments or faq_id is None:
            return False
        if self.other_subject is not None and len(plain.split()) > self.other_subject:
            return False
        if self._treatment_re.search(plain) or _NEEDLE_RE.search(plain):
            return False
        stems = frozenset(analyse(plain, self._synonyms))
        named = [t for t in self._other_treatments if t <= stems]
        return bool(named) and any(t not in self._named_treatments(faq_id) for t in named)

    def _named_treatments(self, faq_id: str) -> frozenset[frozenset[str]]:
        """The other treatments entry `faq_id` is about: named in its question, in any
        wording of a comparison entry, or in at least `NAMED_IN_WORDINGS` wordings of another
        entry (one patient's story mentioning massage does not make the insurance entry about
        massage)."""
        found = self._entry_treatments.get(faq_id)
        if found is None:
            entry = self._entries.get(faq_id)
            phrasings = entry.phrasings if entry is not None else ()
            worded = [frozenset(analyse(p, self._synonyms)) for p in phrasings]
            needed = 1 if faq_id in self._comparison_entries else NAMED_IN_WORDINGS
            found = frozenset(
                t
                for t in self._other_treatments
                # The first wording is the entry's question.
                if (worded and t <= worded[0]) or sum(1 for w in worded if t <= w) >= needed
            )
            self._entry_treatments[faq_id] = found
        return found

    def _paired(self, text: str) -> str | None:
        """Normalised `text` with a related treatment named beside the clinic's own with a
        slash or "or" between ("acupuncture / dry needling", "dry needling or acupuncture")
        read as the clinic's treatment alone, when nothing else in it asks for a comparison
        and it does not ask what they are (the comparison entry says that); else None."""
        if not self.paired_names or self._pair_re is None:
            return None
        lowered = text.lower()
        found = self._pair_re.search(lowered)
        if found is None:
            return None
        own = found.group("own") or found.group("own2")
        alone = normalise(f"{lowered[: found.start()]} {own} {lowered[found.end() :]}")
        rest = self._treatment_re.sub(" ", alone)
        if self._asks_comparison(rest) or self._defined(alone) == self._treatment_stems:
            return None
        return alone

    def _about_subject(self, text: str, plain: str, result: MatchResult) -> MatchResult | None:
        """For an answer saying what the clinic's treatment is, to a question that does not
        name it but names a subject another entry says what it is ("how does physiotherapy
        work?", "how does acupuncture work?"): that entry when the matcher finds it close,
        else "did you mean"; None to keep the answer."""
        if result.faq_id not in self._treatment_entries or self._treatment_re.search(plain):
            return None
        if self.other_subject is not None and len(plain.split()) > self.other_subject:
            return None  # a story names many things besides what it asks about
        unrelated = self._related_re.sub(" ", plain) if self._related_re else plain
        if _NEEDLING_RE.search(unrelated):
            return None  # "will the physio add electrical stimulation to the needles"
        if self._asks_comparison(plain):
            return None
        stems = set(analyse(plain, self._synonyms))
        subjects = {self._subject_entries[s] for s in stems if s in self._subject_entries}
        subjects.discard(result.faq_id)
        if len(subjects) != 1:
            return None
        (entry_id,) = subjects
        ranked = self.matcher.rank(text, limit=MAX_SUGGESTIONS + 1)
        found = next((c for c in ranked if c.faq_id == entry_id), None)
        if found is not None and found.score >= self.matcher.thresholds.suggest:
            return MatchResult("answer", entry_id, found.score, result.suggestions)
        shown = tuple(c for c in ranked if not c.out_of_scope)[:MAX_SUGGESTIONS]
        return MatchResult("suggest", None, result.score, shown)

    def _referred(self, first: str, part: str, result: MatchResult) -> MatchResult:
        """`result` for a later `part` that points back to the `first` part with a pronoun
        ("what is physiotherapy and how does it work"), read with the first part's subject."""
        plain = normalise(part)
        if result.decision != "answer" or not set(plain.split()) & _BACK_REFERENCES:
            return result
        routed = self._about_subject(part, f"{normalise(first)} {plain}", result)
        return result if routed is None else routed

    def _entries_by_subject(self, related: tuple[str, ...] | list[str]) -> dict[str, str]:
        """A subject's one stem -> the entry saying what it is: an entry one of whose
        phrasings asks only what that subject is ("what is physiotherapy?"), and for a related
        treatment the comparison entry naming it. A subject two entries claim is left out."""
        claims: dict[str, set[str]] = {}
        for entry_id, subjects in self._defines.items():
            for found in subjects:
                if len(found) == 1 and not found & self._treatment_stems:
                    claims.setdefault(next(iter(found)), set()).add(entry_id)
        for name in related:
            stems = frozenset(analyse(name, self._synonyms))
            naming = {
                entry_id
                for entry_id in self._comparison_entries
                if normalise(name) in self._entry_names.get(entry_id, frozenset())
            }
            if len(stems) == 1 and naming:
                claims.setdefault(next(iter(stems)), set()).update(naming)
        return {stem: next(iter(ids)) for stem, ids in claims.items() if len(ids) == 1}

    def _match_named(self, text: str, whole: bool) -> tuple[MatchResult, str | None]:
        """The matcher's decision, and the related treatment the message named when it is
        answered as a question about the clinic's own treatment: one that names it without
        comparing ("is acupuncture safe?" is answered as "is IMS safe?")."""
        result = self._match_as_asked(text, whole)
        if self._related_re is None:
            return result, None
        if result.decision == "fallback" and result.out_of_scope is not None:
            return result, None  # "does acupuncture help me quit smoking"
        plain = normalise(text)
        named = self._related_re.search(plain)
        if named is None or len(plain.split()) < MIN_RELATED_WORDS or self._compares(plain):
            return result, None
        if self.define_related and self._asks_what(plain, named.group(0)):
            return self._definition_of(text, named.group(0), result), None
        if result.decision == "answer" and result.faq_id not in self._comparison_entries:
            return result, named.group(0)
        reread = self._match_as_asked(self._related_re.sub(TREATMENT_NAME, plain), whole)
        if reread.decision == "answer" and reread.faq_id not in self._comparison_entries:
            return reread, named.group(0)
        return result, None

    def _asks_what(self, plain: str, name: str) -> bool:
        """Whether normalised `plain` asks what `name` (a related treatment) is, and nothing
        narrower ("what is ear acupuncture" asks about one kind of it)."""
        subject = self._defined(_POINT_OF_RE.sub("what is ", plain))
        return bool(subject) and subject == frozenset(analyse(name, self._synonyms))

    def _definition_of(self, text: str, name: str, result: MatchResult) -> MatchResult:
        """The comparison entry naming `name` when the matcher ranks it first, else a "did
        you mean" (never an entry about the clinic's own treatment)."""
        ranked = self.matcher.rank(text, limit=MAX_SUGGESTIONS + 1)
        best = ranked[0] if ranked else None
        if (
            best is not None
            and not best.out_of_scope
            and best.faq_id in self._comparison_entries
            and best.score >= self.matcher.thresholds.suggest
            and name in self._entry_names.get(best.faq_id, frozenset())
        ):
            return MatchResult("answer", best.faq_id, best.score, result.suggestions)
        if result.decision == "answer":
            return MatchResult("suggest", None, result.score, result.suggestions)
        return result

    def _shares(self, names: Callable[[str], bool]) -> dict[str, float]:
        """Each entry -> the share of its normalised wordings that `names`."""
        return {
            entry_id: sum(1 for p in plain if names(p)) / len(plain)
            for entry_id, plain in self._plain.items()
            if plain
        }

    def _service_alternative(
        self, ranked: list[Candidate], plain: str, faq_id: str | None
    ) -> Candidate | None:
        """For normalised `plain` naming the clinic's general service and no needling,
        answered with `faq_id`, an entry about the needling treatment: the closest entry
        about the service among the matches, if one is (None keeps the answer)."""
        if faq_id is None or faq_id not in self._needling_entries:
            return None
        if self._service_share[faq_id] >= ALSO_ABOUT_SHARE:
            return None
        if not self._service_stems or not self._service_stems <= frozenset(
            analyse(plain, self._synonyms)
        ):
            return None
        return next(
            (
                c
                for c in ranked
                if not c.out_of_scope
                and c.faq_id not in self._needling_entries
                and self._service_share.get(c.faq_id, 0.0) >= ABOUT_SHARE
                and c.score >= self.matcher.thresholds.suggest
            ),
            None,
        )

    def _about_service_only(self, plain: str, faq_id: str | None) -> bool:
        """Whether `faq_id` is an entry about the clinic's general service, not the
        needling, while normalised `plain` does not name the service."""
        return (
            faq_id is not None
            and faq_id not in self._needling_entries
            and self._service_share.get(faq_id, 0.0) >= ABOUT_SHARE
            and bool(self._service_stems)
            and not self._service_stems <= frozenset(analyse(plain, self._synonyms))
        )

    def _other_subject(self, ranked: list[Candidate], plain: str) -> bool:
        """Whether a short question that does not name the clinic's treatment is about a
        subject no entry is about ("is myotherapy safe?", "what is osteopathy?")."""
        if self.other_subject is None or len(plain.split()) > self.other_subject:
            return False
        return any(c.foreign for c in ranked[:1])

    def _defined(self, plain: str) -> frozenset[str]:
        """The subject words of normalised `plain` when it asks only what a thing is."""
        return defined_subject(plain, self._synonyms)

    def _entry_explaining(self, asked: str | None) -> str | None:
        """The entry saying what the treatment's name `asked` means, with a slip forgiven in
        each of its words ("what is dry neddling"), or None."""
        return entry_for_name(self._name_entries, asked)

    def _with_names(self, stems: frozenset[str]) -> frozenset[str]:
        """`stems` with the one-word names of the synonym groups among them."""
        return stems.union(*(self._group_stems.get(s, frozenset()) for s in stems))

    def _heading_answer(self, ranked: list[Candidate]) -> bool:
        """Whether a message of generic words only ("can I go jogging after?", "will it
        work for me?"), which the matcher only suggests for, still has one entry so far
        ahead, and so close to a phrasing of its own, that it is the answer."""
        best = ranked[0]
        if best.out_of_scope or not best.essential_words or best.topical or best.vague:
            return False  # "what is the purpose of dry needling" asks a kind of answer only
        thresholds = self.matcher.thresholds
        rivals = [c for c in ranked[1:] if c.essential_words]
        lead = best.score - (rivals[0].score if rivals else 0.0)
        return (
            best.score >= thresholds.answer
            and best.coverage >= thresholds.coverage
            and lead >= self.heading_lead
        )

    def _condition_asked(self, plain: str) -> re.Pattern[str] | None:
        """The pattern of the condition normalised `plain` asks the clinic's treatment helps
        ("does dry needling help plantar fasciitis?"), or None: it names the treatment or its
        needles and a condition of the content's vocabulary, compares nothing, asks no "how"
        or "why", and its other words only ask whether the treatment helps (`_HELP_WORDS`)."""
        if self._condition_re is None or self._condition_entry is None:
            return None
        found = self._condition_re.search(plain)
        if found is None or not self._asks_if_it_helps(plain, self._condition_re):
            return None
        return next(pattern for pattern in self._conditions if pattern.search(plain))

    def _asks_if_it_helps(self, plain: str, named: re.Pattern[str] | None = None) -> bool:
        """Whether normalised `plain` names the treatment or its needles, compares nothing,
        asks no "how", "why" or "not", and besides the names and what `named` finds has
        at least one word, all stop words or words asking whether the treatment helps
        someone (`_HELP_WORDS`, `_CANDIDACY_WORDS`)."""
        if self._asks_comparison(plain) or _MECHANISM_WORDS & set(plain.split()):
            return False
        if not (self._treatment_re.search(plain) or _NEEDLE_RE.search(plain)):
            return False
        rest = self._treatment_re.sub(" ", named.sub(" ", plain) if named else plain)
        asked = [w for w in _NEEDLE_RE.sub(" ", rest).split() if w not in FILLER_WORDS]
        # Names alone ("back pain needles") are keywords, not a question of this frame.
        return bool(asked) and all(
            word in STOP_WORDS or word in _HELP_WORDS or word in _CANDIDACY_WORDS for word in asked
        )

    def _candidacy_asked(self, plain: str) -> bool:
        """Whether normalised `plain` asks whether the treatment is for someone ("do I need
        dry needling?", "are you a candidate for IMS?")."""
        words = set(plain.split())
        return (
            self._condition_entry is not None
            and bool(words & _PERSON_WORDS and words & _CANDIDACY_WORDS)
            and self._asks_if_it_helps(plain)
        )

    def _condition_answer(
        self, condition: re.Pattern[str], ranked: list[Candidate], result: MatchResult
    ) -> MatchResult:
        """The answer to a question asking whether the treatment helps `condition`: the
        content's entry on conditions, unless the matcher ranks above it an entry about that
        condition (named in at least `NAMED_IN_WORDINGS` of its wordings)."""
        entry_id = self._condition_entry
        assert entry_id is not None  # _condition_asked found a condition
        for candidate in ranked:
            if candidate.out_of_scope:
                continue
            wordings = self._plain.get(candidate.faq_id, ())
            if candidate.faq_id == entry_id or (
                sum(1 for p in wordings if condition.search(p)) >= NAMED_IN_WORDINGS
            ):
                return MatchResult("answer", candidate.faq_id, candidate.score, result.suggestions)
        return MatchResult("answer", entry_id, result.score, result.suggestions)

    def _match_as_asked(self, text: str, whole: bool) -> MatchResult:
        """The matcher's decision, held back when the question is not about needling; a
        `whole` message may be a heading (a part of one is not: "... and how long does it
        take" says too little on its own)."""
        ranked = self.matcher.rank(text, limit=MAX_SUGGESTIONS + 1)
        result = self.matcher.decide(ranked)
        condition = self._condition_asked(normalise(text))
        if condition is not None:
            # "Does IMS help sciatica?": a named condition, whatever the wording's words.
            return self._condition_answer(condition, ranked, result)
        if self._candidacy_asked(normalise(text)) and self._condition_entry is not None:
            # "Do I need dry needling?": not the number of sessions one needs.
            entry_id = self._condition_entry
            score = next((c.score for c in ranked if c.faq_id == entry_id), result.score)
            return MatchResult("answer", entry_id, score, result.suggestions)
        if whole and result.decision == "suggest" and self._heading_answer(ranked):
            # "Can I go jogging after?": generic words, one entry far ahead.
            result = MatchResult("answer", ranked[0].faq_id, ranked[0].score, result.suggestions)
        plain = normalise(text)
        explains = self._entry_explaining(name_asked(plain))
        if explains is not None:
            # "What is dry needling?": the entry saying what that name means.
            found = next((c.score for c in ranked if c.faq_id == explains), result.score)
            return MatchResult("answer", explains, found, result.suggestions)
        if result.decision != "answer" or result.faq_id is None:
            return result
        if (
            result.faq_id in self._comparison_entries
            and not self._compares(plain)
            and self._defined(plain) not in self._defines.get(result.faq_id, ())
        ):
            # "Does acupuncture work?" asks about acupuncture, not how it differs from IMS;
            # "what is chiropractic care?" is answered by the entry one of whose wordings
            # asks just that.
            return MatchResult("suggest", None, result.score, result.suggestions)
        if _NEEDLING_RE.search(plain) or self._treatment_re.search(plain):
            if self._about_service_only(plain, result.faq_id):
                # "Dry needling: is it right for athletes?": an entry about physiotherapy in
                # general would not answer a question about the treatment.
                return MatchResult("suggest", None, result.score, result.suggestions)
            return result
        service = self._service_alternative(ranked, plain, result.faq_id)
        if service is not None:
            # "What happens at a physio appointment?": the needling entry's answer would
            # describe IMS; the entry about physiotherapy is offered first.
            shown = (service, *(c for c in result.suggestions if c.faq_id != service.faq_id))
            return MatchResult("suggest", None, result.score, shown[:MAX_SUGGESTIONS])
        if self._other_subject(ranked, plain):
            topic = next((c for c in ranked if c.out_of_scope), None)
            if topic is not None:
                return MatchResult("fallback", None, topic.score, (), out_of_scope=topic.faq_id)
            return MatchResult("suggest", None, result.score, result.suggestions)
        subject = self._defined(plain)
        if subject and not any(
            _names_subject(subject, self._with_names(known), self._group_stems.keys())
            for known in self._defines.get(result.faq_id, ())
        ):
            # "What is plantar fasciitis?": the entry names it, but does not say what it is.
            return MatchResult("suggest", None, result.score, result.suggestions)
        topic = next((c for c in ranked if c.out_of_scope), None)
        if topic is not None and topic.topical and topic.score >= result.score - NO_NEEDLING_LEAD:
            # Physiotherapy in general or another therapy: the topic the clinic does not
            # answer here is as close as the IMS entry.
            return MatchResult("fallback", None, topic.score, (), out_of_scope=topic.faq_id)
        return result


def _names_subject(subject: frozenset[str], known: frozenset[str], terms: Collection[str]) -> bool:
    """Whether a word of `subject` (stems) is one of `known`, or a slip of one the matcher
    already forgave in choosing the entry ("what is physiotheraphy", "wat is cuping");
    `terms` stand for synonym groups, and are no words to slip from."""
    return bool(subject & known) or any(
        slip_of(word, other)
        for word in subject
        if word not in terms
        for other in known
        if other not in terms
    )


@lru_cache(maxsize=WORDS_CACHE_SIZE)
def _near_comparison_word(word: str) -> bool:
    """Whether `word` is a slip for a one-word comparison cue ("diferent", "compair")."""
    if len(word) < MIN_SLIP_LENGTH:
        return False
    return any(Levenshtein.distance(word, cue, score_cutoff=1) <= 1 for cue in _SLIP_CUES)


def _words_re(terms: list[str]) -> re.Pattern[str]:
    """A pattern finding any of `terms` (normalised) as whole words."""
    alternatives = sorted({re.escape(normalise(t)) for t in terms if normalise(t)}, key=len)
    return re.compile(r"\b(" + "|".join(reversed(alternatives)) + r")\b")


def _names_re(names: Collection[str]) -> re.Pattern[str]:
    """A pattern finding any of `names` (normalised) as whole words, each word also with a
    plural or possessive "s" ("migraines", "golfers elbow")."""
    worded = {
        r"\s+".join(f"{re.escape(word)}s?" for word in normalise(name).split())
        for name in names
        if normalise(name)
    }
    return re.compile(r"\b(" + "|".join(sorted(worded, key=len, reverse=True)) + r")\b")


def _pair_re(related: list[str] | tuple[str, ...], own: re.Pattern[str]) -> re.Pattern[str]:
    """A pattern finding, in lower-cased text, a related treatment named right beside one
    of the clinic's own treatment's names (`own`), either way round, with a slash or "or"
    between; the own name is the group `own` or `own2`."""
    names = _words_re(list(related)).pattern
    between = r"\s*/\s*|\s+or\s+"
    return re.compile(
        rf"{names}(?:{between})(?P<own>{own.pattern})|(?P<own2>{own.pattern})(?:{between}){names}"
    )


def _subject_cues(
    faq: FaqContent | None,
) -> tuple[re.Pattern[str], re.Pattern[str], frozenset[str]]:
    """The treatment's names, the words asking for a comparison, and the comparison entries,
    read from the content's synonyms (the groups holding "ims" and "versus")."""
    groups = faq.synonyms if faq is not None else ()
    treatment = next((list(g) for g in groups if "ims" in g), ["ims"])
    comparison = next((list(g) for g in groups if "versus" in g), ["versus"])
    comparison_re = _words_re([*comparison, *_EXTRA_COMPARISON_WORDS])
    entries = frozenset(
        entry.id
        for entry in (faq.entries if faq is not None else ())
        if sum(1 for p in entry.phrasings if comparison_re.search(normalise(p)))
        >= COMPARISON_ENTRY_SHARE * len(entry.phrasings)
    )
    return _words_re(treatment), comparison_re, entries


def _asks_after(part: str) -> bool:
    """Whether a later `part` opens like a question of its own ("and can it leave bruises"),
    not a remark ("i read that online")."""
    found = normalise(part).split()
    while found and found[0] in JOINERS:
        found = found[1:]
    return bool(found) and found[0] in QUESTION_STARTS


def _same_question(first: str, later: str) -> bool:
    """Whether `later` opens with the same words as `first` ("how much is the first visit
    and how much are the ones after"): the same question about another thing, which the
    first answer already covers."""
    opening = [normalise(part).split()[:SAME_OPENING_WORDS] for part in (first, later)]
    return len(opening[0]) == SAME_OPENING_WORDS and opening[0] == opening[1]


def _is_heading(text: str) -> bool:
    """Whether `text` is written as a page heading ("Sore After IMS? Why That Ache Can Be a
    Good Sign"): most of its longer words capitalised. A heading's second half says what the
    page tells, not a second question."""
    longer = [word for word in text.split() if len(word) >= HEADING_WORD_LENGTH]
    capitals = sum(1 for word in longer if word[0].isupper())
    return bool(longer) and capitals >= HEADING_CAPITALS_SHARE * len(longer)


def _refers_back(parts: list[str], first: str) -> bool:
    """Whether a part after `first` points back to it with a pronoun ("does it hurt")."""
    if parts[0] != first:
        return False
    return any(set(normalise(part).split()) & _BACK_REFERENCES for part in parts[1:])


def _single(result: MatchResult, read_as: str | None = None) -> FaqReading:
    answers = (result.faq_id,) if result.decision == "answer" and result.faq_id else ()
    # With an answer, the ranked entries are not shown: suggestions mean "did you mean".
    return FaqReading(
        result.decision,
        answers,
        () if answers else result.suggestions,
        result.score,
        out_of_scope=result.out_of_scope,
        read_as=read_as if answers else None,
    )
