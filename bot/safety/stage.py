"""The core's safety stage: every typed text is screened here before any feature sees it.

One screen (emergency, then urgent, then "a language I do not read", then "a question about
a risk") and one builder of every safety reply, so the FAQ, the intake and the reminders
all say the same thing in the patient's language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

from bot.core.assistant import ANSWERS_TELL_HISTORY, ChatRef, SafetyVerdict, Screening
from bot.core.replies import Reply
from bot.core.staff_notes import (
    CAUTION,
    EMERGENCY,
    SELF_HARM,
    SELF_HARM_RULE,
    URGENT,
    SafetyAlert,
    safety_alert_note,
)
from bot.safety.emergency import (
    ENGLISH,
    EmergencyContent,
    EmergencyHit,
    EmergencyRule,
    LanguageNotice,
)
from bot.safety.language import (
    CANTONESE,
    FRENCH,
    JAPANESE,
    LanguageGuess,
    detect_language,
    load_language_model,
)
from bot.safety.present import (
    JUDGED_LANGUAGES,
    NOT_PRESENT,
    PresentJudge,
    judge_cues,
    load_present_judge,
    never_judged,
    never_lowered_told,
)
from bot.safety.second_opinion import RULE_ID, Opinion, SecondOpinion, load_second_opinion
from bot.safety.terms import non_latin, normalise_words

logger = logging.getLogger(__name__)

# Short lines of the two languages the bot reads in full (the long texts are content).
_PHONE_LINE = {
    ENGLISH: "For anything that is not an emergency, the clinic's number is {phone}.",
    FRENCH: "Pour tout ce qui n'est pas une urgence, le numéro de la clinique est le {phone}.",
}
_URGENT_PHONE_LINE = {
    ENGLISH: "Please also call the clinic at {phone} so the team knows.",
    FRENCH: "Appelez aussi la clinique au {phone} pour que l'équipe soit au courant.",
}
_FALLBACK_LINE = {
    ENGLISH: "If this is an emergency, call {number} now.",
    FRENCH: "S'il s'agit d'une urgence, appelez le {number} maintenant.",
}
_TITLES = {
    ("emergency", ENGLISH): "Please get help now",
    ("emergency", FRENCH): "Obtenez de l'aide maintenant",
    ("urgent", ENGLISH): "Please see a doctor today",
    ("urgent", FRENCH): "Consultez un médecin aujourd'hui",
}
CLINIC_PHONE_LINE = _PHONE_LINE[ENGLISH]
DEFAULT_EMERGENCY_NUMBER = "911"
# What the staff note names when the urgent net, not a rule, gave the urgent reply.
PRESENT_PROBLEM = "present_problem"
# Why a caution was given: a rule's sign in an answer to a question about history.
HISTORY_ANSWER = "history_answer"


@dataclass(frozen=True)
class SafetyReplies:
    """The one builder of emergency, urgent, notice and warning-sign replies."""

    content: EmergencyContent
    clinic_phone: str | None = None
    emergency_number: str = DEFAULT_EMERGENCY_NUMBER
    # The learned second opinion: a message it finds close to urgent gets the urgent reply
    # in place of "I don't know" (`Thresholds.fallback_urgent`).
    second_opinion: SecondOpinion | None = None

    def emergency(
        self,
        rule_id: str | None,
        language: str = ENGLISH,
        message: str | None = None,
        language_sure: bool = False,
    ) -> list[Reply]:
        """The patient's emergency reply: the message in their language, then the phone.

        `message` replaces the rule's (an intake flag's own reviewed text). In a language
        the bot does not read, the English reply follows unless `language_sure`."""
        rule = self.content.rule(rule_id) if rule_id else None
        return [self._tiered("emergency", self.content, rule, language, message, language_sure)]

    def urgent(
        self, rule_id: str | None, language: str = ENGLISH, language_sure: bool = False
    ) -> list[Reply]:
        """The patient's urgent reply: same-day care, 811, the clinic's phone."""
        urgent = self.content.urgent
        if urgent is None:
            return self.emergency(None, language, language_sure=language_sure)
        rule = urgent.rule(rule_id or "")
        return [self._tiered("urgent", urgent, rule, language, None, language_sure)]

    def _tiered(
        self,
        level: str,
        content: EmergencyContent,
        rule: EmergencyRule | None,
        language: str,
        message: str | None,
        language_sure: bool,
    ) -> Reply:
        read = _read_language(language)
        own = rule.message_in(read) if rule is not None else None
        text = (message or own or content.message_in(read) or content.message).strip()
        phone = self.clinic_phone.strip() if self.clinic_phone else ""
        lines = _PHONE_LINE if level == "emergency" else _URGENT_PHONE_LINE
        if phone:
            text += "\n\n" + lines[read].format(phone=phone)
        title = _TITLES[(level, read)]
        notice = self.notice_for(language) if language not in (ENGLISH, FRENCH, "und") else None
        if notice is not None:
            # Title, message and phone in the patient's language; the English reply under
            # it only when the language is a guess (a short or romanised message).
            emergency = level == "emergency"
            own_text = self.filled(notice.emergency if emergency else notice.urgent)
            if phone:
                own_text += "\n\n" + notice.phone.strip().format(phone=phone)
            if not language_sure:
                own_text += f"\n\n{title}\n{text}"
            title = notice.emergency_title if emergency else notice.urgent_title
            text = own_text
        # urgent=True: sent before anything else and retried until delivered.
        return Reply(text=text, title=title.strip(), urgent=True, safety_tier=level)

    def notice_for(self, language: str) -> LanguageNotice | None:
        """The notice for a language the bot does not read (romanised, then base language)."""
        notices = self.content.notices
        if notices is None:
            return None
        return notices.get(language) or notices.get(language.split("-")[0])

    def notice(self, language: str) -> list[Reply]:
        """ "I can only read English and French…" in `language` and in English."""
        notices = self.content.notices
        english = self.filled(notices.notice if notices else _DEFAULT_NOTICE)
        found = self.notice_for(language)
        if found is None:
            return [Reply(english)]
        return [Reply(f"{self.filled(found.notice)}\n\n{english}")]

    def filled(self, text: str) -> str:
        """A notice's text as the patient reads it: {number} and {phone} filled in (the
        content check allows no other placeholder there)."""
        return text.strip().format(phone=self.clinic_phone or "", number=self.emergency_number)

    def warning_signs(self, language: str = ENGLISH, rule_id: str | None = None) -> list[Reply]:
        """What to watch for, shown under an FAQ answer to a question about a risk (the
        rule's own line when it has one)."""
        signs = self.content.rule_warnings.get(rule_id or "") or self.content.warning_signs
        text = signs.get(_read_language(language)) or signs.get(ENGLISH)
        return [Reply(text.strip())] if text else []

    def urgent_fallback(
        self, text: str, chat_id: int | None = None
    ) -> tuple[list[Reply], SafetyAlert] | None:
        """The urgent reply (or the emergency reply, see `fallback_tier`), with a note to
        staff and the alert to record, for a message the FAQ cannot answer that comes near
        an urgent rule: an urgent problem never gets the plain "I don't know"."""
        placed = self.fallback_tier(text)
        if placed is None:
            return None
        level, rule_id = placed
        language = detect_language(text).code
        language = language if language != "und" else ENGLISH
        logger.warning("safety: %s (unplaced) rule=%s language=%s", level, rule_id, language)
        kind = EMERGENCY if level == "emergency" else URGENT
        by_model = level == "emergency"
        note, alert = _alerted(
            SafetyAlert(kind, f"{rule_id}, unplaced", language, chat_id, by_model=by_model)
        )
        build = self.emergency if level == "emergency" else self.urgent
        return [*build(None, language), note], alert

    def fallback_tier(self, text: str) -> tuple[Literal["emergency", "urgent"], str] | None:
        """The reply that replaces "I don't know" for a message the FAQ cannot answer, with
        the rule it came near (`unplaced_urgent_rule`), or None. Where the learned second
        opinion reads an English message as close to an emergency as makes it add the
        warning signs under an answer (`Thresholds.caution`), and there is no answer to add
        them to, the reply is the emergency one: when the screen cannot tell, it escalates."""
        rule_id = self.unplaced_urgent_rule(text)
        if rule_id is None:
            return None
        return ("emergency" if self._close_to_an_emergency(text) else "urgent"), rule_id

    def _close_to_an_emergency(self, text: str) -> bool:
        model = self.second_opinion
        if model is None or detect_language(text).code not in (ENGLISH, "und"):
            return False
        found = model.may_decide(normalise_words(text))
        return found is not None and found[0] >= model.thresholds.caution

    def unplaced_urgent_rule(self, text: str) -> str | None:
        """The urgent rule `text` comes near without meeting it (see `sensed_rule_ids`), or
        PRESENT_PROBLEM when it reports a health problem now that no rule names."""
        urgent = self.content.urgent
        sensed = urgent.detector().sensed_rule_ids(text) if urgent is not None else []
        if sensed:
            return sensed[0]
        if self.content.detector().reports_a_present_problem(text):
            return PRESENT_PROBLEM
        model = self.second_opinion
        found = model.may_decide(normalise_words(text)) if model is not None else None
        if model is None or found is None or sum(found) < model.thresholds.fallback_urgent:
            return None
        return RULE_ID if self.content.detector().may_be_a_present_problem(text) else None

    def fallback_line(self, language: str = ENGLISH) -> str:
        """The line every "I don't know" ends with: no silent miss."""
        return _FALLBACK_LINE[_read_language(language)].format(number=self.emergency_number)


_DEFAULT_NOTICE = (
    "I can only read English and French. If this is an emergency, call {number} now; "
    "otherwise please call the clinic at {phone}."
)


def _read_language(language: str) -> str:
    """The language a full reply is written in: French for French, English otherwise."""
    return FRENCH if language == FRENCH else ENGLISH


@dataclass(frozen=True)
class SafetyStage:
    """Screens a typed text: pure, quick, and never raises."""

    content: EmergencyContent
    replies: SafetyReplies
    # The learned second opinion beside the rules (escalate only); None: the rules alone.
    second_opinion: SecondOpinion | None = None
    # The learned "happening now?" judgement that may lower a rule's emergency to the
    # cautious reply (warning signs naming 911, a staff note); None: it never does.
    judge: PresentJudge | None = None

    def __call__(self, chat: ChatRef, text: str) -> Screening:
        """The core's safety screen (see `Assistant.set_safety_screen`): the message's
        language (the features answer in it, without detecting again) and the verdict."""
        try:
            guess = detect_language(text, chat.language_prior)
            history = chat.answers_tell == ANSWERS_TELL_HISTORY
            verdict = self._verdict(text, guess, chat.chat_id, history)
            return Screening(guess.code, verdict, guess.confidence)
        except Exception as error:  # the screen must never take the conversation down
            logger.error("safety stage failed (%s); message not screened", type(error).__name__)
            return Screening(None)

    def screen(
        self,
        text: str,
        language_hint: str | None = None,
        chat_id: int | None = None,
        history: bool = False,
    ) -> SafetyVerdict | None:
        """Emergency, urgent, notice, caution (a danger sign read as not happening now), or
        None (an ordinary message). `history`: `text` answers a question about past events
        or standing conditions."""
        return self._verdict(text, detect_language(text, language_hint), chat_id, history)

    def _verdict(
        self, text: str, guess: LanguageGuess, chat_id: int | None, history: bool = False
    ) -> SafetyVerdict | None:
        emergency = self.content.detector()
        # Normalised once for every detector and the risk-question check.
        words = normalise_words(text)
        hit, sensed = emergency.sense(text, words)
        # An answer to a question about history that tells a past event or a standing
        # condition is read as the screen reads past history, unless it tells something
        # happening now; a bare sign there is not set aside (when unsure, escalate).
        # Only where the screen reads the words of now (as the judgement: English, French).
        history = (
            history
            and guess.code in JUDGED_LANGUAGES
            and emergency.tells_history(words)
            and not self._told_now(text, words)
        )
        # Thoughts of suicide are read by the screen's own context alone: "I want to die"
        # tells a state now, whatever the question asked.
        read = hit is not None and hit.language in (ENGLISH, FRENCH)
        if hit is not None and read and history and hit.rule_id != SELF_HARM_RULE:
            return self._cautious_verdict(hit, guess, text, chat_id, HISTORY_ANSWER)
        if hit is not None:
            lowered = self._judged_not_present(text, words, guess, hit)
            if lowered is None:
                return self._tier_verdict("emergency", hit, guess, text, chat_id)
            return self._cautious_verdict(hit, guess, text, chat_id, NOT_PRESENT, lowered)
        self_harm = emergency.self_harm_cue(words)
        # Where context set a rule's words aside, the model needs more, except beside a
        # `never_lowered` word (a sign after a treatment, "right now", a cry for help). In a
        # language the bot does not read, the context's words of history or of a risk
        # question count so too: the model would otherwise read them with the lower bar.
        told_not_now = (
            sensed
            or history
            or (
                not guess.is_read
                and guess.code != "und"
                and (emergency.not_now(words) or emergency.is_risk_question(text, words))
            )
        )
        aside = told_not_now and not emergency.never_lowered(words)
        opinion, p_emergency = self._second_opinion(text, words, guess, sensed, self_harm, aside)
        if opinion == "emergency":
            return self._second_opinion_verdict("emergency", guess, chat_id, RULE_ID)
        urgent = self.content.urgent
        urgent_hit = urgent.detector().detect(text, words) if urgent is not None else None
        if urgent_hit is not None and history:
            return self._cautious_verdict(urgent_hit, guess, text, chat_id, HISTORY_ANSWER)
        if urgent_hit is not None:
            return self._tier_verdict("urgent", urgent_hit, guess, text, chat_id)
        if opinion == "urgent":
            # Named as the urgent net names it, when it does (what staff know to look for).
            placed = self.replies.unplaced_urgent_rule(text)
            rule_id = f"{placed}, unplaced" if placed not in (None, RULE_ID) else RULE_ID
            return self._second_opinion_verdict("urgent", guess, chat_id, rule_id)
        if not guess.is_read and guess.code != "und" and _worth_a_notice(text, guess):
            notice = tuple(self.replies.notice(guess.code))
            # Some English words in it: the FAQ answers them below the notice.
            mixed = guess.english_words >= MIN_ENGLISH_WORDS_ANSWERED
            return SafetyVerdict("notice", guess.code, None, notice, features_answer=mixed)
        # Words of a plan, a means or a farewell (never a rule of their own): the features
        # answer, then the crisis line and 911; staff are alerted.
        if self_harm:
            language = guess.code if guess.code != "und" else ENGLISH
            logger.warning("safety: self-harm words answered cautiously language=%s", language)
            warnings = self.replies.warning_signs(language, SELF_HARM_RULE)
            note, alert = _alerted(SafetyAlert(SELF_HARM, SELF_HARM_RULE, language, chat_id))
            return SafetyVerdict("caution", language, None, (note,), tuple(warnings), alert=alert)
        # A danger sign set aside as history, a risk question, a joke or a frame, or an
        # English message the second opinion finds close to an emergency: the features
        # answer, and the warning signs (call 911 if any happen now) follow, so a misread
        # present emergency is never answered without the number.
        if sensed or self._model_cautious(p_emergency, guess):
            # A rule with a line of its own (the crisis line for suicidal thoughts denied:
            # "not suicidal, just worn out") gives that line in place of the needling signs.
            named = emergency.rules_named(words) if sensed else []
            own = next((rule for rule in named if rule in self.content.rule_warnings), None)
            warnings = self.replies.warning_signs(guess.code, own)
            return SafetyVerdict("caution", guess.code, None, (), tuple(warnings))
        return None

    def _model_cautious(self, p_emergency: float | None, guess: LanguageGuess) -> bool:
        """Whether the second opinion's P(emergency) of an English message asks for the
        warning signs under the features' answer (`Thresholds.caution`)."""
        model = self.second_opinion
        if model is None or p_emergency is None or guess.code not in (ENGLISH, "und"):
            return False
        return p_emergency >= model.thresholds.caution

    def _tier_verdict(
        self,
        level: Literal["emergency", "urgent"],
        hit: EmergencyHit,
        guess: LanguageGuess,
        text: str,
        chat_id: int | None,
    ) -> SafetyVerdict:
        language = _reply_language(guess, hit, text)
        logger.warning("safety: %s rule=%s language=%s", level, hit.rule_id, language)
        build = self.replies.emergency if level == "emergency" else self.replies.urgent
        note, alert = _alerted(SafetyAlert(level, hit.rule_id, language, chat_id))
        sure = language == guess.code and _surely_read(guess)
        replies = (*build(hit.rule_id, language, language_sure=sure), note)
        return SafetyVerdict(level, language, hit.rule_id, replies, alert=alert)

    def _judged_not_present(
        self, text: str, words: list[str], guess: LanguageGuess, hit: EmergencyHit
    ) -> float | None:
        """P(no emergency now) when the learned judgement lowers a rule's emergency to the
        cautious reply, else None: never in a language whose context words the screen does
        not read, never beside a `never_lowered` word told (not imagined in a question),
        never when the second opinion reads an emergency itself."""
        judge = self.judge
        if judge is None or guess.code not in JUDGED_LANGUAGES:
            return None
        if hit.language not in (ENGLISH, FRENCH):
            return None
        emergency = self.content.detector()
        if never_lowered_told(emergency.never_lowered, text, words):
            return None
        cues = judge_cues(emergency.context_cues(text, words), words)
        if never_judged(hit.rule_id, cues, emergency.self_harm_cue(words)):
            return None
        probability = judge.not_present(words, cues)
        if probability < judge.threshold:
            return None
        if self._second_opinion(text, words, guess, True, set_aside=False)[0] == "emergency":
            return None
        return probability

    def _cautious_verdict(
        self,
        hit: EmergencyHit,
        guess: LanguageGuess,
        text: str,
        chat_id: int | None,
        caution: str,
        probability: float | None = None,
    ) -> SafetyVerdict:
        """The cautious reply in place of a rule's: the features answer, the warning signs
        (911 if any happen now) follow, and staff get a note. `caution`: why
        (NOT_PRESENT with the judge's `probability`, or HISTORY_ANSWER)."""
        language = _reply_language(guess, hit, text)
        logger.warning(
            "safety: possible emergency answered cautiously rule=%s language=%s why=%s%s",
            hit.rule_id,
            language,
            caution,
            f" p_not_now={probability:.3f}" if probability is not None else "",
        )
        note, alert = _alerted(
            SafetyAlert(CAUTION, hit.rule_id, language, chat_id, p_not_now=probability)
        )
        return SafetyVerdict(
            "caution",
            language,
            hit.rule_id,
            (note,),
            tuple(self.replies.warning_signs(language, hit.rule_id)),
            caution=caution,
            alert=alert,
        )

    def _told_now(self, text: str, words: list[str]) -> bool:
        """Whether `text` tells something happening now: a `never_lowered` word (a word of
        now, a cry for help, a sign after a treatment), the grammar of now, or a self-harm
        cue (a plan, a means, a farewell)."""
        emergency = self.content.detector()
        return (
            never_lowered_told(emergency.never_lowered, text, words)
            or emergency.tells_now(words)
            or emergency.self_harm_cue(words)
        )

    def _second_opinion(
        self,
        text: str,
        words: list[str],
        guess: LanguageGuess,
        sensed: bool,
        self_harm: bool = False,
        set_aside: bool | None = None,
    ) -> tuple[Opinion | None, float | None]:
        """The model's opinion and its P(emergency) (None when it has none to give);
        whether the rules came near is asked only when it matters. `sensed`: a rule's
        terms were found; `set_aside`: and context set them aside (`sensed` when not
        given); `self_harm`: a self-harm cue."""
        model = self.second_opinion
        found = model.may_decide(words) if model is not None else None
        if model is None or found is None:
            return None, None
        english = guess.code in (ENGLISH, "und")
        near = self_harm or self.near_rules(text, words, sensed)
        aside = sensed if set_aside is None else set_aside
        return model.thresholds.opinion(*found, near, english, aside), found[0]

    def near_rules(self, text: str, words: list[str], sensed: bool | None = None) -> bool:
        """Whether the rules came near `text` without deciding: a rule's terms found before
        context set them aside (`sensed`, when the screen knows it already), an urgent rule's
        terms, or a health problem reported now."""
        emergency = self.content.detector()
        if sensed if sensed is not None else emergency.matching_rule_ids(text, words):
            return True
        urgent = self.content.urgent
        if urgent is not None and urgent.detector().matching_rule_ids(text, words):
            return True
        return emergency.reports_a_present_problem(text)

    def _second_opinion_verdict(
        self,
        level: Literal["emergency", "urgent"],
        guess: LanguageGuess,
        chat_id: int | None,
        rule_id: str,
    ) -> SafetyVerdict:
        # No rule matched, so the detected language (or English) is the reply's language.
        language = guess.code if guess.code != "und" else ENGLISH
        logger.warning("safety: %s rule=%s (second opinion) language=%s", level, rule_id, language)
        build = self.replies.emergency if level == "emergency" else self.replies.urgent
        note, alert = _alerted(SafetyAlert(level, rule_id, language, chat_id, by_model=True))
        sure = _surely_read(guess)
        replies = (*build(None, language, language_sure=sure), note)
        return SafetyVerdict(level, language, rule_id, replies, alert=alert)

    def language_of(self, text: str, language_hint: str | None = None) -> LanguageGuess:
        """The language the stage reads `text` as."""
        return detect_language(text, language_hint)


# A language guessed this surely is the only one an emergency or urgent reply is written
# in; below it (a short message, say) the English reply follows the patient's.
LANGUAGE_SURE = 0.9

MIN_NOTICE_WORDS = 2  # one Latin-script word ("mri", "gracias") is too little to tell


# A message the bot does not read with this many English words in it (four letters or more)
# gets the FAQ's reply to them below the notice ("... mera appointment cancel kar dio").
MIN_ENGLISH_WORDS_ANSWERED = 2


def _surely_read(guess: LanguageGuess) -> bool:
    """Whether a message is surely in the language guessed: the reply is then in that
    language alone. Romanised spellings never are (Hindi, Punjabi and Urdu share them)."""
    return guess.confidence >= LANGUAGE_SURE and not guess.code.endswith("-Latn")


def _worth_a_notice(text: str, guess: LanguageGuess) -> bool:
    """Whether the text says enough to answer "I only read English and French": a
    non-Latin script always does; Latin letters need a few words (an intake answer such
    as "physio" must not be taken for another language)."""
    if guess.code.endswith("-Latn") or guess.confidence < 1.0:
        return len(text.split()) >= MIN_NOTICE_WORDS
    return True


def _reply_language(guess: LanguageGuess, hit: EmergencyHit, text: str) -> str:
    """The language to answer in: the words that matched tell it best (a short message
    is easily misread), in the spelling the patient used ("zh-Latn" for pinyin)."""
    if hit.language == ENGLISH or hit.language == guess.base or guess.code in (JAPANESE, CANTONESE):
        # Kana make a message Japanese, and Cantonese characters make it Cantonese, whichever
        # language's Chinese characters matched.
        return guess.code if guess.code != "und" else ENGLISH
    if hit.language not in (ENGLISH, FRENCH) and not non_latin(text):
        return f"{hit.language}-Latn"
    return hit.language


def _alerted(alert: SafetyAlert) -> tuple[Reply, SafetyAlert]:
    """The stage's note for `alert` (the assistant's recorder words it with its number);
    never the patient's words: the rule, the language and the chat are enough to act on."""
    return safety_alert_note(alert), alert


def build_safety_stage(
    content: EmergencyContent,
    clinic_phone: str | None,
    emergency_number: str = "911",
    use_second_opinion: bool = True,
) -> SafetyStage:
    """The stage for a clinic's content (built once at start)."""
    content.detector()  # compile now, not on the first patient's message
    load_language_model()
    if content.urgent is not None:
        content.urgent.detector()
    model = load_second_opinion() if use_second_opinion else None
    if use_second_opinion and model is None:
        logger.warning("safety: the second opinion's weights are missing; the rules run alone")
    judge = load_present_judge() if use_second_opinion else None
    replies = SafetyReplies(content, clinic_phone, emergency_number, model)
    return SafetyStage(content, replies, model, judge)
