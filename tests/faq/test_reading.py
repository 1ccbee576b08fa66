"""Reading a message: small talk, one question or two (bot.faq.reading)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.clinic_content import load_content
from bot.content.faq_loader import load_faq, read_faq
from bot.content.model import FaqContent
from bot.faq.matcher import FaqMatcher
from bot.faq.reading import MessageReader, question_parts, small_talk_kind

from .conftest import CONTENT_DIR


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("hi", "greeting"),
        ("Hello there!", "greeting"),
        ("good morning", "greeting"),
        ("thanks!", "thanks"),
        ("thank you so much", "thanks"),
        ("ok", "acknowledgement"),
        ("okay cool", "acknowledgement"),
        ("bye", "goodbye"),
        ("ok thanks bye", "goodbye"),
        ("quit", "goodbye"),
        ("this is a stupid bot", "rudeness"),
        ("you are useless", "rudeness"),
        # statements that acknowledge, thank or complain, with intensifiers and emoji
        ("makes sense, ta", "thanks"),
        ("sounds perfect", "acknowledgement"),
        ("no worries at all", "acknowledgement"),
        ("ok that answers my question", "thanks"),
        ("thankssss soooo much!! 🙏", "thanks"),
        ("that really doesn't help me", "rudeness"),
        ("so annoying", "rudeness"),
        ("not what i meant", "rudeness"),
        ("oh just go away", "rudeness"),
        ("leave me alone, stupid bot", "rudeness"),
        ("is anybody there?", "greeting"),
        ("ok talk later", "goodbye"),
        ("well thanks for nothing", "rudeness"),
        ("thank you for wasting my time", "rudeness"),
        # a long thank-you that closes with a wish is a goodbye
        ("many thanks for the help today, enjoy the rest of your evening", "goodbye"),
        ("thank you so much for your help!! have a fab weekend", "goodbye"),
        # checking the chat is awake
        ("hey, u still around?", "greeting"),
        ("you there???", "greeting"),
        # a message sent to the wrong place
        ("oops wrong chat sorry", "acknowledgement"),
        ("whoops, I texted the wrong number", "acknowledgement"),
        ("my mistake", "acknowledgement"),
    ],
)
def test_small_talk_is_recognised_by_kind(said: str, kind: str) -> None:
    assert small_talk_kind(said) == kind


@pytest.mark.parametrize(
    "said",
    [
        "hi, does it hurt?",
        "thanks, how much is it",
        "ok so what is IMS",
        "help",
        "",
        "???",
        "nothing helps my back",
        "IMS did not help my neck",
        "is anyone there who does IMS",
        "that sounds good but does it hurt",
        "does the ache go away after a session",
        "can I leave my coat in the waiting room",
        # apologies and wishes around a question
        "sorry, is IMS covered by my plan?",
        "I booked the wrong appointment type, can I change it",
        "are you open on the weekend",
    ],
)
def test_a_message_that_asks_something_is_no_small_talk(said: str) -> None:
    assert small_talk_kind(said) is None


@pytest.mark.parametrize(
    ("said", "parts"),
    [
        ("Does it hurt and how much does it cost?", ["Does it hurt", "how much does it cost?"]),
        ("what r ur hours n do u take insurance", ["what r ur hours", "do u take insurance"]),
        ("Is it safe? Does it hurt?", ["Is it safe?", "Does it hurt?"]),
        # "and" inside one question does not split it
        ("can I have IMS and exercise the same day", ["can I have IMS and exercise the same day"]),
        # a story before the question is not a question
        (
            "My neck hurts. I sit all day. Does IMS help?",
            ["My neck hurts. I sit all day. Does IMS help?"],
        ),
    ],
)
def test_question_parts(said: str, parts: list[str]) -> None:
    assert question_parts(said) == parts


@pytest.fixture
def reader(small_matcher: FaqMatcher) -> MessageReader:
    return MessageReader(small_matcher)


def test_small_talk_reading(reader: MessageReader) -> None:
    reading = reader.read("thanks!")
    assert reading.kind == "small_talk" and reading.small_talk == "thanks"
    assert reading.answers == ()


def test_two_questions_get_both_answers_in_order(reader: MessageReader) -> None:
    reading = reader.read("how much does a session cost and does IMS hurt?")
    assert reading.kind == "answer"
    assert reading.answers == ("cost", "does_it_hurt")
    flipped = reader.read("does IMS hurt and how much does a session cost?")
    assert flipped.answers == ("does_it_hurt", "cost")


def test_at_most_two_answers(reader: MessageReader) -> None:
    reading = reader.read("What is IMS? Does IMS hurt? How much does a session cost?")
    assert reading.answers == ("what_is_ims", "does_it_hurt")


def test_the_part_the_faq_cannot_answer_is_named(reader: MessageReader) -> None:
    reading = reader.read("does IMS hurt and where can I park my tractor")
    assert reading.answers == ("does_it_hurt",)
    assert reading.unanswered_part == "where can I park my tractor"


def test_one_question_reads_as_before(reader: MessageReader, small_matcher: FaqMatcher) -> None:
    reading = reader.read("are the needles sterile")
    result = small_matcher.match("are the needles sterile")
    assert reading.answers == (result.faq_id,) and reading.kind == result.decision == "answer"
    assert reading.unanswered_part is None


def test_an_emergency_wins(small_matcher: FaqMatcher) -> None:
    class Screen:
        def detect(self, text: str) -> object | None:
            return object() if "chest pain" in text else None

    reader = MessageReader(small_matcher, Screen())  # type: ignore[arg-type]
    assert reader.read("hi, I have chest pain, does IMS hurt?").kind == "emergency"
    assert reader.read("hi").kind == "small_talk"


@pytest.mark.parametrize(
    ("said", "kind"),
    [
        ("👍", "acknowledgement"),
        ("see ya", "goodbye"),
        ("never mind", "acknowledgement"),
        ("you're not very smart are you", "rudeness"),
        ("ugh whatever", "rudeness"),
        ("thank you, that helped", "thanks"),
        ("much appreciated 🙏", "thanks"),
    ],
)
def test_more_small_talk(said: str, kind: str) -> None:
    assert small_talk_kind(said) == kind


@pytest.mark.parametrize("said", ["🆘", "🚑", "😭", "😢😢", "👍🆘"])
def test_a_symbol_of_distress_is_not_small_talk(said: str) -> None:
    assert small_talk_kind(said) is None


@pytest.mark.parametrize(
    "said",
    [
        "see you at 3pm tomorrow?",
        "you are smart, what is IMS",
        "does it hurt 😬",
        # yes/no questions made of small-talk words
        "Am I covered?",
        "Is it right for me?",
        "will that be ok",
    ],
)
def test_more_messages_that_ask_something(said: str) -> None:
    assert small_talk_kind(said) is None


@pytest.mark.parametrize(
    ("said", "parts"),
    [
        # what follows the last "?" is a part too
        ("Is IMS safe? also I'm on warfarin", ["Is IMS safe?", "also I'm on warfarin"]),
        # small talk is no part
        ("Does it hurt? thank you", ["Does it hurt?"]),
    ],
)
def test_question_parts_after_the_last_question_mark(said: str, parts: list[str]) -> None:
    assert question_parts(said) == parts


def test_a_remark_after_the_question_gets_no_note(reader: MessageReader) -> None:
    reading = reader.read("does IMS hurt? my tractor is red")
    assert reading.answers == ("does_it_hurt",) and reading.unanswered_part is None
    assert reader.read("does IMS hurt? can I park my tractor?").unanswered_part == (
        "can I park my tractor?"
    )


def test_a_part_answered_beats_a_different_answer_to_the_whole() -> None:
    # Read as one, "how many ... how much each" pulls the whole message to the visit length;
    # each part read alone is cleaner: the number of sessions and the price.
    reader = MessageReader.from_content(load_content(CONTENT_DIR))
    said = "how many treatments and how much each"
    assert reader.matcher.match(said).faq_id == "session_length"
    reading = reader.read(said)
    assert reading.answers == ("number_of_sessions", "cost")


@pytest.fixture(scope="module")
def clinic_reader() -> MessageReader:
    return MessageReader.from_content(load_content(CONTENT_DIR))


@pytest.fixture(scope="module")
def lexical_reader(clinic_reader: MessageReader) -> MessageReader:
    """The clinic's reader without the learned ranker's opinion."""
    faq = load_content(CONTENT_DIR).faq
    return MessageReader(clinic_reader.matcher.lexical_only(), clinic_reader.detector, faq)


@pytest.mark.parametrize(
    "said",
    [
        "why do pregnant women so often get a sore lower back",
        "what payment types can I use at the front desk",
    ],
)
def test_a_question_without_needling_is_not_borrowed_by_an_ims_entry(
    clinic_reader: MessageReader, said: str
) -> None:
    reading = clinic_reader.read(said)
    assert reading.kind == "fallback"
    assert reading.answers == ()


@pytest.mark.parametrize("said", ["does IMS help athletes", "is IMS good for athletes"])
def test_a_question_about_the_treatment_gets_no_entry_about_physiotherapy_in_general(
    clinic_reader: MessageReader, said: str
) -> None:
    # what_is_physiotherapy leads (it names athletes) but says nothing about IMS.
    reading = clinic_reader.read(said)
    assert (reading.kind, reading.answers) == ("suggest", ())
    assert reading.suggestions[0].faq_id == "what_is_physiotherapy"


def test_an_entry_about_physiotherapy_answers_a_question_naming_it(
    clinic_reader: MessageReader,
) -> None:
    said = "is physiotherapy right for athletes?"
    assert clinic_reader.read(said).answers == ("what_is_physiotherapy",)
    assert clinic_reader.read("is IMS done by physiotherapists?").answers == ("who_performs",)


@pytest.mark.parametrize(
    ("said", "entry"),
    [
        ("can I have IMS while I am pregnant", "pregnancy"),
        ("is dry needling ok after my knee operation", "after_surgery"),
        ("is IMS any different from acupuncture", "ims_vs_acupuncture"),
    ],
)
def test_needling_questions_keep_their_answers(
    clinic_reader: MessageReader, said: str, entry: str
) -> None:
    assert clinic_reader.read(said).answers == (entry,)


def test_acupuncture_asked_alone_does_not_get_the_comparison(
    clinic_reader: MessageReader,
) -> None:
    # The comparison entry wins on the word "acupuncture" alone; without a comparison asked
    # for, it is never given as the answer.
    said = "does acupuncture do anything"
    assert clinic_reader.matcher.match(said).faq_id == "ims_vs_acupuncture"
    reading = clinic_reader.read(said)
    assert "ims_vs_acupuncture" not in reading.answers


def test_a_comparison_entry_answers_what_its_own_wording_asks_a_thing_is(
    clinic_reader: MessageReader,
) -> None:
    # physio_vs_other_professions and ims_vs_acupuncture compare, and each has a wording
    # asking what the one thing is; asked that, they answer it.
    for said, entry in (
        ("What is chiropractic care?", "physio_vs_other_professions"),
        ("what is medical acupuncture", "ims_vs_acupuncture"),
    ):
        assert clinic_reader.read(said).answers == (entry,)
    # A wording about something else still does not make them answer a non-comparison.
    assert clinic_reader.read("is chiropractic care safe").answers != (
        "physio_vs_other_professions",
    )


@pytest.mark.parametrize(
    ("said", "entry"),
    [
        ("Is acupuncture safe?", "safety_side_effects"),
        ("how old do you have to be to get acupuncture", "children_age"),
        ("is acupuncture ok when you're pregnant", "pregnancy"),
        ("can I use my health spending account for massage", "insurance_claims"),
        # One of the entry's many wordings names it (a patient's story mentioning massage,
        # "acupuncture-style needles"): the entry is still not about that treatment.
        ("is massage covered by insurance", "insurance_coverage"),
        ("is acupuncture painful", "does_it_hurt"),
    ],
)
def test_another_treatment_asked_alone_gets_no_ims_entry(
    clinic_reader: MessageReader, said: str, entry: str
) -> None:
    # Acupuncture and massage are other treatments (content's `other_treatments`): the IMS
    # entry on the question's subject is offered, never given as the answer.
    reading = clinic_reader.read(said)
    assert reading.kind == "suggest"
    assert entry in [c.faq_id for c in reading.suggestions]
    assert reading.read_as is None


@pytest.mark.parametrize(
    ("said", "entry"),
    [
        ("is IMS safe?", "safety_side_effects"),  # the treatment named
        ("are acupuncture needles sterile", "needles_sterile"),  # its needles named
        ("is it ok to have a massage after IMS", "after_treatment"),
        ("what is cupping", "what_is_cupping"),  # an entry about the other treatment
        ("how does IMS compare with massage", "ims_vs_other_treatments"),
        ("can I combine massage and physio", "combining_treatments"),  # two wordings name it
    ],
)
def test_another_treatment_named_beside_the_treatment_keeps_its_answer(
    clinic_reader: MessageReader, said: str, entry: str
) -> None:
    assert clinic_reader.read(said).answers == (entry,)


@pytest.mark.parametrize(
    ("said", "entry"),
    [
        ("Is acupuncture safe?", "safety_side_effects"),
        ("how old do you have to be to get acupuncture", "children_age"),
        ("is acupuncture ok when you're pregnant", "pregnancy"),
        ("I'm really scared of acupuncture", "needle_fear"),
    ],
)
def test_a_related_treatment_not_listed_as_another_gets_the_entry_on_its_subject(
    said: str, entry: str
) -> None:
    # A clinic that lists acupuncture only as related: the answer is about IMS, and says so.
    content = load_content(CONTENT_DIR)
    faq = dataclasses.replace(content.faq, other_treatments=())
    reader = MessageReader(FaqMatcher.from_content(faq), content.emergency.detector(), faq)
    reading = reader.read(said)
    assert reading.answers == (entry,)
    assert reading.read_as == "acupuncture"  # the reply says the answer is about IMS


@pytest.mark.parametrize(
    "said",
    [
        "is acupuncture different from IMS",
        "acupuncture vs dry needling",
        "is this acupuncture?",
    ],
)
def test_a_related_treatment_compared_gets_the_comparison(
    clinic_reader: MessageReader, said: str
) -> None:
    reading = clinic_reader.read(said)
    assert reading.answers == ("ims_vs_acupuncture",)
    assert reading.read_as is None


def test_a_related_treatment_named_alone_is_not_read_as_the_treatment(
    clinic_reader: MessageReader,
) -> None:
    # "acupuncture?" asks whether IMS is acupuncture more than anything about IMS.
    reading = clinic_reader.read("acupuncture?")
    assert reading.read_as is None
    assert reading.answers in {(), ("ims_vs_acupuncture",)}


def test_a_related_treatment_off_topic_still_falls_back(clinic_reader: MessageReader) -> None:
    # A topic the clinic does not answer here wins before any re-reading.
    reading = clinic_reader.read("do you do acupuncture for fertility or IVF")
    assert reading.kind == "fallback"
    assert reading.out_of_scope is not None


def test_without_related_treatments_acupuncture_is_not_read_as_ims() -> None:
    content = load_content(CONTENT_DIR)
    faq = dataclasses.replace(content.faq, related_treatments=(), other_treatments=())
    reader = MessageReader(FaqMatcher.from_content(faq), content.emergency.detector(), faq)
    reading = reader.read("Is acupuncture safe?")
    assert "safety_side_effects" not in reading.answers
    assert reading.read_as is None


@pytest.mark.parametrize(
    ("said", "entry"),
    [
        ("can i go jogin after", "exercise_after"),  # one entry far ahead: answered
        ("How will it help me?", None),  # several entries close together: "did you mean"
    ],
)
def test_a_heading_of_generic_words_is_answered_only_with_a_wide_lead(
    lexical_reader: MessageReader, said: str, entry: str | None
) -> None:
    # The lexical matcher alone only suggests for both.
    assert lexical_reader.matcher.match(said).decision == "suggest"
    reading = lexical_reader.read(said)
    if entry is None:
        assert reading.kind == "suggest"
    else:
        assert reading.answers == (entry,)


def test_a_message_asking_only_for_a_kind_of_answer_stays_a_suggestion(
    clinic_reader: MessageReader,
) -> None:
    assert clinic_reader.read("What is the purpose of dry-needling").answers == ()


@pytest.mark.parametrize("key", ["related_treatments", "other_treatments"])
def test_a_treatment_that_is_not_a_name_is_reported_at_its_line(tmp_path: Path, key: str) -> None:
    text = (CONTENT_DIR / "faq.yaml").read_text(encoding="utf-8")
    listed = re.search(rf"^{key}: \[(.*)\]$", text, re.MULTILINE)
    assert listed is not None
    wrong = f"{key}: [{listed.group(1)}, 3]"
    text = text.replace(listed.group(0), wrong)
    path = tmp_path / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    content, problems = read_faq(path, load_content(CONTENT_DIR).clinic)
    assert content is None
    [problem] = problems
    assert problem.line == text.splitlines().index(wrong) + 1
    assert f"'{key}' has an entry that is not a name: 3" in problem.message


@pytest.mark.parametrize(
    "said",
    [
        "what is plantar fasciitis",  # the conditions entry names it but does not say what it is
        "Plantar Fasciitis Explained",
        "what is a health savings account",
    ],
)
def test_asking_what_a_thing_is_is_not_answered_by_an_entry_that_only_names_it(
    clinic_reader: MessageReader, said: str
) -> None:
    reading = clinic_reader.read(said)
    assert reading.answers == ()
    # With a needling word the same subject is the clinic's question.
    assert clinic_reader.read("can IMS help plantar fasciitis").answers == ("conditions_treated",)


@pytest.mark.parametrize(
    ("said", "entry"),
    [
        ("what is a trigger point", "trigger_points"),  # the entry says what it is
        ("what is electroacupuncture", "electrical_stimulation"),  # by its synonym
        ("what is the cost of physiotherapy", "cost"),  # a question, not a name
        ("what is physiotherapy", "what_is_physiotherapy"),  # the entry says what it is
        ("what is osteopathy", None),  # a topic the clinic does not answer here
    ],
)
def test_asking_what_a_thing_is_reaches_the_entry_that_says_it(
    clinic_reader: MessageReader, said: str, entry: str | None
) -> None:
    assert clinic_reader.read(said).answers == ((entry,) if entry else ())


@pytest.mark.parametrize(
    ("said", "entry"),
    [
        # One treatment, many names: asked what another name of it means, the entry
        # saying what the clinic's treatment is (its answer opens with dry needling).
        ("What is Dry Needling?", "what_is_ims"),
        ("so what is trigger point dry needling", "what_is_ims"),
        ("What Is Dry Needling Anyway?", "what_is_ims"),
        ("dry needling explained", "what_is_ims"),
        ("what is dry neddling", "what_is_ims"),  # a slip in the name
        ("what is IMS", "what_is_ims"),
        ("what is intramuscular stimulation", "what_is_ims"),
        ("what is gunn IMS", "what_is_ims"),
        # A question that compares the names reaches the comparison entry.
        ("is dry needling the same as IMS", "ims_vs_dry_needling"),
        ("what is the difference between trigger point needling and IMS", "ims_vs_dry_needling"),
        # A question about dry needling, not what the name means.
        ("what is dry needling used for", "conditions_treated"),
        ("what is functional dry needling", "dry_needling_styles"),
        # Another treatment's name: the comparison entry that says what it is.
        ("what is acupuncture", "ims_vs_acupuncture"),
    ],
)
def test_asking_what_a_name_of_the_treatment_means(
    clinic_reader: MessageReader, said: str, entry: str
) -> None:
    assert clinic_reader.read(said).answers[:1] == (entry,)


def test_a_clinic_without_a_what_is_entry_reads_no_name_as_one() -> None:
    """With no entry saying what the treatment is, "what is dry needling?" is left to the
    matcher, which is not sure: the comparison entry is offered, not answered."""
    faq = load_content(CONTENT_DIR).faq
    without = dataclasses.replace(
        faq, entries=tuple(e for e in faq.entries if e.id != "what_is_ims")
    )
    reader = MessageReader(FaqMatcher.from_content(without), faq=without)
    assert reader.read("What is dry needling?").kind == "suggest"
    assert reader.read("is dry needling the same as IMS").answers == ("ims_vs_dry_needling",)


@pytest.mark.parametrize(
    ("said", "entry"),
    [
        ("How is this procedure done?", "session_steps"),
        ("Who should not have this procedure?", "who_should_not"),
        ("How it works?", "how_ims_works"),
        ("How long does it take?", "session_length"),
    ],
)
def test_a_heading_whose_subject_is_the_procedure_or_it_gets_what_its_words_ask(
    clinic_reader: MessageReader, said: str, entry: str
) -> None:
    assert clinic_reader.read(said).answers == (entry,)


@pytest.mark.parametrize(
    "said",
    [
        "what is fibromyalgia",
        "can physio help after a stroke",
        "which stretches help a sore knee",
    ],
)
def test_general_physiotherapy_and_condition_questions_fall_back(
    clinic_reader: MessageReader, said: str
) -> None:
    reading = clinic_reader.read(said)
    assert reading.answers == ()


def test_what_sciatica_is_gets_the_nerve_pain_entry_that_says_it(
    clinic_reader: MessageReader,
) -> None:
    # Sciatica is the one condition the FAQ explains: its answer says what it is.
    assert clinic_reader.read("what is sciatica").answers == ("neuropathic_pain_signs",)


def test_the_heading_lead_is_a_setting_of_the_reader(clinic_reader: MessageReader) -> None:
    said = "can i go jogin after"
    assert clinic_reader.read(said).answers == ("exercise_after",)
    strict = MessageReader(clinic_reader.matcher.lexical_only(), None, None, heading_lead=1.0)
    assert strict.read(said).answers == ()


# A clinic of its own: its own ids, a related treatment it names but does not offer, and a
# topic it does not answer here.
OWN_FAQ = """
synonyms:
  - [ims, intramuscular stimulation, dry needling]
  - [difference, different, versus, vs, same as]
related_treatments: [cupping]
entries:
  - id: needling_explained
    question: What is IMS?
    alternates: [what does IMS involve, tell me about intramuscular stimulation, IMS meaning]
    answer: A needling treatment for nerve-related muscle pain.
    category: About
    reviewed: {by: Dr. Test, on: 2026-01-05}
  - id: needling_vs_cupping
    question: What is the difference between IMS and cupping?
    alternates: [is IMS the same as cupping, cupping vs IMS, how is cupping different from IMS]
    answer: Cupping uses suction cups on the skin; IMS uses a fine needle in the muscle.
    category: About
    reviewed: {by: Dr. Test, on: 2026-01-05}
  - id: needling_safe
    question: Is IMS safe?
    alternates: [is it safe, how safe is intramuscular stimulation, any risks with IMS]
    answer: Side effects are usually mild soreness.
    category: Safety
    reviewed: {by: Dr. Test, on: 2026-01-05}
out_of_scope:
  - id: spa_services
    examples: [do you offer reiki, can I book reiki, reiki sessions, is reiki relaxing]
"""


def _faq_of(text: str, folder: Path) -> FaqContent:
    """A clinic FAQ read from `text` (with the shipped clinic facts)."""
    path = folder / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    return load_faq(path, load_content(CONTENT_DIR).clinic)


@pytest.fixture(scope="module")
def own_content(tmp_path_factory: pytest.TempPathFactory) -> FaqContent:
    return _faq_of(OWN_FAQ, tmp_path_factory.mktemp("own"))


def test_asking_what_a_related_treatment_is_gets_the_entry_comparing_it(
    own_content: FaqContent,
) -> None:
    matcher = FaqMatcher.from_content(own_content)
    said = "What is cupping?"
    before = MessageReader(
        matcher, None, own_content, define_related=False, own_subject=False
    ).read(said)
    assert "needling_vs_cupping" not in before.answers  # read as "what is IMS?" or held
    reading = MessageReader(matcher, None, own_content, define_related=True).read(said)
    assert reading.answers == ("needling_vs_cupping",)
    assert reading.read_as is None
    # Any other question naming it is still read as one about the clinic's treatment.
    other = MessageReader(matcher, None, own_content, define_related=True).read("is cupping safe")
    assert other.answers == ("needling_safe",)
    assert other.read_as == "cupping"


def test_a_question_about_a_subject_no_entry_is_about_gets_no_answer(
    own_content: FaqContent,
) -> None:
    matcher = FaqMatcher.from_content(own_content)
    said = "is myotherapy safe"
    assert matcher.foreign_words(said)
    plain = MessageReader(matcher, None, own_content, other_subject=None)
    assert plain.read(said).answers == ("needling_safe",)
    held = MessageReader(matcher, None, own_content, other_subject=8).read(said)
    assert held.answers == ()
    # Naming the clinic's treatment, or longer than the setting's words, it reads as before.
    reader = MessageReader(matcher, None, own_content, other_subject=6)
    for asked in ("is myotherapy safe with IMS", "is myotherapy safe for me and my two kids"):
        assert reader.read(asked) == plain.read(asked)


# A clinic of its own whose entries say what its treatment, physiotherapy and a related
# treatment are, for the question's subject.
SUBJECT_FAQ = """
synonyms:
  - [ims, intramuscular stimulation, dry needling]
  - [difference, different, versus, vs, same as]
  - [physio, physiotherapy, physical therapy]
related_treatments: [cupping]
entries:
  - id: needling_explained
    question: What is IMS?
    alternates: [how does IMS work, what is intramuscular stimulation and how does it work,
      how does dry needling work on the muscle, how does it work]
    answer: A fine needle in a tight muscle makes it twitch and relax.
    category: About
    reviewed: {by: Dr. Test, on: 2026-01-05}
  - id: needling_visit
    question: What happens during an IMS visit?
    alternates: [what does an IMS treatment involve, what to expect at a dry needling session,
      walk me through a visit]
    answer: An assessment, then the needling, then advice for home.
    category: Visits
    reviewed: {by: Dr. Test, on: 2026-01-05}
  - id: physio_explained
    question: What is physiotherapy?
    alternates: [what is physio, what do physiotherapists do, what is physical therapy about]
    answer: Assessment and treatment of movement problems by a registered professional.
    category: About
    reviewed: {by: Dr. Test, on: 2026-01-05}
  - id: needling_vs_cupping
    question: What is the difference between IMS and cupping?
    alternates: [is IMS the same as cupping, cupping vs IMS, how is cupping different from IMS]
    answer: Cupping uses suction cups on the skin; IMS uses a fine needle in the muscle.
    category: About
    reviewed: {by: Dr. Test, on: 2026-01-05}
"""


@pytest.fixture(scope="module")
def subject_content(tmp_path_factory: pytest.TempPathFactory) -> FaqContent:
    return _faq_of(SUBJECT_FAQ, tmp_path_factory.mktemp("subject"))


def test_an_entry_saying_what_the_treatment_is_answers_only_questions_about_it(
    subject_content: FaqContent,
) -> None:
    matcher = FaqMatcher.from_content(subject_content)
    plain = MessageReader(matcher, None, subject_content, own_subject=False)
    reader = MessageReader(matcher, None, subject_content, own_subject=True)
    for said, subject_entry in (
        ("how does physiotherapy work", "physio_explained"),
        ("how does cupping work", "needling_vs_cupping"),
    ):
        assert plain.read(said).answers == ("needling_explained",)
        reading = reader.read(said)
        assert "needling_explained" not in reading.answers
        assert reading.answers in ((subject_entry,), ())
        assert reading.answers or subject_entry in [c.faq_id for c in reading.suggestions]
    # About the treatment itself, or comparing, it reads as before.
    for said in ("how does IMS work", "how does IMS work with physiotherapy", "cupping vs IMS"):
        assert reader.read(said) == plain.read(said)


def test_a_related_treatment_beside_the_treatment_is_one_service(
    subject_content: FaqContent,
) -> None:
    matcher = FaqMatcher.from_content(subject_content)
    plain = MessageReader(matcher, None, subject_content, paired_names=False)
    reader = MessageReader(matcher, None, subject_content, paired_names=True)
    for said in ("What does cupping / dry needling involve?", "what does IMS or cupping involve"):
        assert plain.read(said).answers != ("needling_visit",)
        assert reader.read(said).answers == ("needling_visit",)
    # Asked what they are, or how they differ, or named without a slash or "or": as before.
    for said in (
        "What is cupping / IMS?",
        "cupping / dry needling: what is the difference?",
        "does IMS involve cupping",
    ):
        assert reader.read(said) == plain.read(said)


def test_a_part_pointing_back_to_another_subject_is_read_with_it(
    subject_content: FaqContent,
) -> None:
    matcher = FaqMatcher.from_content(subject_content)
    plain = MessageReader(matcher, None, subject_content, own_subject=False)
    reader = MessageReader(matcher, None, subject_content, own_subject=True)
    said = "what is physiotherapy and how does it work"
    assert plain.read(said).answers == ("physio_explained", "needling_explained")
    assert reader.read(said).answers == ("physio_explained",)
    # Pointing back to the treatment itself, both parts are answered as before.
    same = "what happens during an IMS visit and how does it work"
    assert reader.read(same) == plain.read(same)
    assert reader.read(same).answers == ("needling_visit", "needling_explained")


def test_a_slip_in_the_subject_of_a_what_is_question_is_forgiven(
    clinic_reader: MessageReader,
) -> None:
    assert clinic_reader.read("whats physiotherrapy").answers == ("what_is_physiotherapy",)
    assert clinic_reader.read("whats cuping").answers == ("what_is_cupping",)
    # A subject no entry says what it is still gets no answer.
    assert clinic_reader.read("what is osteopathy").kind != "answer"
    # A synonym group's term is no word a subject slips from ("different" is no slip of
    # what "how does IMS work" asks about).
    assert clinic_reader.read("whats actualy different").answers != ("how_ims_works",)


def test_slipped_short_key_words_reach_their_entry(clinic_reader: MessageReader) -> None:
    assert clinic_reader.read("how mutch is one visit").answers == ("cost",)
    assert clinic_reader.read("can i bok online").answers == ("booking",)


def test_asking_if_it_is_a_bot_is_small_talk_saying_so(clinic_reader: MessageReader) -> None:
    # The small-talk reply says it is the clinic's automated assistant and how to reach a
    # person (tests/faq/test_smalltalk.py); asking for a person still gets the contact entry.
    for said in ("r u a bot", "is this an actual human?"):
        assert clinic_reader.read(said).small_talk == "identity"
    assert clinic_reader.read("can I talk to a real person").answers == ("contact_human",)


@pytest.mark.parametrize(
    "said",
    [
        "what happens at a physio appointment",
        "What can I expect at my first physiotherapy appointment?",
    ],
)
def test_a_question_about_physiotherapy_gets_no_answer_about_the_needling(
    clinic_reader: MessageReader, said: str
) -> None:
    """The entry describing an IMS session is not the answer: the one about a physiotherapy
    visit is offered first."""
    reading = clinic_reader.read(said)
    assert reading.kind == "suggest"
    assert reading.suggestions[0].faq_id == "physio_visit"


@pytest.mark.parametrize(
    ("said", "entry"),
    [
        ("what happens during an IMS session", "session_steps"),  # names the treatment
        ("is it done by a doctor or a physio", "who_performs"),  # about both
        ("Is Physiotherapy Safe During Early Pregnancy?", "pregnancy"),  # no physio entry near
    ],
)
def test_physiotherapy_named_beside_the_treatment_keeps_its_answer(
    clinic_reader: MessageReader, said: str, entry: str
) -> None:
    assert clinic_reader.read(said).answers == (entry,)


@pytest.fixture(scope="module")
def reader_without_conditions(clinic_reader: MessageReader) -> MessageReader:
    """The clinic's reader with the same matcher, its content's condition vocabulary removed."""
    faq = dataclasses.replace(load_content(CONTENT_DIR).faq, condition_names=())
    return MessageReader(clinic_reader.matcher, clinic_reader.detector, faq)


@pytest.mark.parametrize(
    "said",
    [
        "Does IMS help with hamstring strain?",
        "dry needling for calf strain",
        "Dry needling and patellar tendonitis",
    ],
)
def test_a_named_condition_reaches_the_conditions_entry(
    clinic_reader: MessageReader, reader_without_conditions: MessageReader, said: str
) -> None:
    """A condition no wording of the entry names is read from the content's vocabulary."""
    assert clinic_reader.read(said).answers == ("conditions_treated",)
    assert reader_without_conditions.read(said).answers != ("conditions_treated",)


@pytest.mark.parametrize(
    "said",
    [
        "is IMS safe for someone with fibromyalgia",  # asks about safety
        "how many IMS sessions will my sciatica need",  # asks how many
        "How does dry needling help sciatica?",  # asks how it works
        "what is plantar fasciitis",  # names no treatment
        "IMS or acupuncture for tennis elbow, which is better",  # compares
    ],
)
def test_a_condition_named_in_another_question_is_read_as_before(
    clinic_reader: MessageReader, reader_without_conditions: MessageReader, said: str
) -> None:
    assert clinic_reader.read(said) == reader_without_conditions.read(said)


CONDITIONS_FAQ = """
synonyms:
  - [ims, intramuscular stimulation, dry needling]
conditions:
  entry: what_it_treats
  names: [tennis elbow, migraine, Plantar Fasciitis]
entries:
  - id: what_it_treats
    question: What conditions can IMS help?
    alternates: [what does IMS treat, who is IMS for, which problems respond to IMS]
    answer: Muscle and nerve-related pain of many kinds.
    category: About
    reviewed: {by: Dr. Test, on: 2026-01-05}
  - id: headaches
    question: Can IMS help migraine?
    alternates: [IMS for a migraine, migraine and dry needling, my migraine and IMS]
    answer: Some headaches come from tight neck muscles.
    category: About
    reviewed: {by: Dr. Test, on: 2026-01-05}
  - id: cost
    question: How much does IMS cost?
    alternates: [what is the price of IMS, IMS fees, how much is a session]
    answer: See our prices.
    category: Fees
    reviewed: {by: Dr. Test, on: 2026-01-05}
"""


def test_a_condition_with_an_entry_of_its_own_keeps_it(tmp_path: Path) -> None:
    faq = _faq_of(CONDITIONS_FAQ, tmp_path)
    assert faq.condition_entry == "what_it_treats"
    assert faq.condition_names == ("tennis elbow", "migraine", "plantar fasciitis")
    reader = MessageReader(FaqMatcher.from_content(faq), faq=faq)
    assert reader.read("does dry needling work for migraines").answers == ("headaches",)
    assert reader.read("would IMS be good for my tennis elbow").answers == ("what_it_treats",)
    assert reader.read("Plantar fasciitis: can dry needling help?").answers == ("what_it_treats",)


@pytest.mark.parametrize(
    "said", ["do I need IMS?", "should I try dry needling", "who needs IMS treatment"]
)
def test_asking_whether_the_treatment_is_for_me_reaches_the_conditions_entry(
    clinic_reader: MessageReader, reader_without_conditions: MessageReader, said: str
) -> None:
    """Not the number of sessions one needs, nor the benefits."""
    assert clinic_reader.read(said).answers == ("conditions_treated",)
    faq = dataclasses.replace(load_content(CONTENT_DIR).faq, condition_entry=None)
    without = MessageReader(clinic_reader.matcher, clinic_reader.detector, faq)
    assert without.read(said).answers != ("conditions_treated",)


@pytest.mark.parametrize(
    ("said", "entry"),
    [
        ("Do I need a referral for IMS?", "referral_needed"),
        ("how many IMS sessions do I need", "number_of_sessions"),
        ("Do I need to shave before IMS", "shaving"),
    ],
)
def test_needing_something_else_for_the_treatment_keeps_its_entry(
    clinic_reader: MessageReader, said: str, entry: str
) -> None:
    assert clinic_reader.read(said).answers == (entry,)
