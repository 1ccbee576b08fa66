"""One reply composer for every language: a branch is written once, each language gives
its words (`ReplyTexts`), and each reads its own FAQ and the clinic's facts in its language."""

from __future__ import annotations

import re
from dataclasses import fields, replace
from pathlib import Path

import pytest
import yaml

from bot.content.model import OutOfScopeTopic
from bot.core.dates import long_date
from bot.faq.french import FrenchFaq
from bot.faq.reading import FaqReading
from bot.faq.replies import (
    ENGLISH_TEXTS,
    FRENCH_TEXTS,
    MAX_BUTTON_LABEL,
    FaqReplies,
    ReplyTexts,
    label,
)
from bot.runtime import Runtime
from bot.safety.stage import SafetyReplies


def _replies(runtime: Runtime, texts: ReplyTexts) -> FaqReplies:
    content = runtime.content
    french = texts is FRENCH_TEXTS
    assert content.faq_fr is not None
    return FaqReplies(
        content.faq_fr if french else content.faq,
        content.clinic.in_french() if french else content.clinic,
        SafetyReplies(content.emergency, content.clinic.phone, content.clinic.emergency_number),
        texts,
        runtime.assistant.menu_buttons,
    )


@pytest.mark.parametrize(
    ("texts", "not_here", "phone_line"),
    [
        (ENGLISH_TEXTS, "That's not something I can answer here", "call 613-555-0142"),
        (FRENCH_TEXTS, "Je ne peux pas répondre à cette question ici", "appelez au 613-555-0142"),
    ],
)
def test_an_out_of_scope_reading_gets_the_not_here_reply_in_either_language(
    runtime: Runtime, texts: ReplyTexts, not_here: str, phone_line: str
) -> None:
    reading = FaqReading("fallback", out_of_scope="massage_chiropractic")
    [reply] = _replies(runtime, texts).replies(reading)
    assert reply.text.startswith(not_here)
    assert phone_line in reply.text
    assert "911" in reply.text  # no silent miss
    assert "passed" not in reply.text and "transmis" not in reply.text  # nothing was kept


def test_every_english_text_has_its_own_french_text() -> None:
    for field in fields(ReplyTexts):
        english, french = getattr(ENGLISH_TEXTS, field.name), getattr(FRENCH_TEXTS, field.name)
        if isinstance(english, str):
            assert french and french != english, field.name
    assert set(FRENCH_TEXTS.small_talk) == set(ENGLISH_TEXTS.small_talk)


def test_the_date_an_answer_was_checked_reads_in_words(runtime: Runtime) -> None:
    assert runtime.content.faq_fr is not None
    entry_fr, entry_en = runtime.content.faq_fr.get("cost"), runtime.content.faq.get("cost")
    assert entry_fr is not None and entry_en is not None and entry_en.reviewed is not None
    assert entry_fr.reviewed is not None
    french = _replies(runtime, FRENCH_TEXTS).answer(entry_fr).text
    assert f", le {long_date(entry_fr.reviewed.on, 'fr')}.)" in french
    assert re.search(r", le \d{1,2}(er)? [a-zéû]+ 20\d\d\.\)$", french)
    english = _replies(runtime, ENGLISH_TEXTS).answer(entry_en).text
    assert re.search(r", \d{1,2} [A-Z][a-z]+ 20\d\d\.\)$", english)


def test_a_french_question_on_a_french_out_of_scope_topic_gets_the_french_not_here(
    runtime: Runtime,
) -> None:
    assert runtime.content.faq_fr is not None
    topic = OutOfScopeTopic(
        "massage_chiropractic",
        (
            "offrez-vous des massages",
            "avez-vous une massothérapeute",
            "y a-t-il un chiropraticien à la clinique",
            "est-ce que je peux réserver un massage",
        ),
    )
    faq_fr = replace(runtime.content.faq_fr, out_of_scope=(topic,))
    reading = FrenchFaq(faq_fr, runtime.content.faq).read("Avez-vous un massothérapeute?")
    assert reading.out_of_scope == "massage_chiropractic"
    [reply] = _replies(runtime, FRENCH_TEXTS).replies(reading)
    assert reply.text.startswith("Je ne peux pas répondre à cette question ici")


def _bundled_questions() -> list[str]:
    content = Path(__file__).resolve().parents[2] / "content"
    return [
        entry["question"]
        for name in ("faq.yaml", "faq_fr.yaml")
        for entry in yaml.safe_load((content / name).read_text(encoding="utf-8"))["entries"]
    ]


def test_a_long_question_on_a_button_is_cut_after_a_whole_word() -> None:
    """A button shows at most MAX_BUTTON_LABEL characters; a question cut mid-word
    ("...recevoir de l'IM…") reads as a typo, so it is cut after a word."""
    long_ones = [q for q in _bundled_questions() if len(q) > MAX_BUTTON_LABEL]
    assert len(long_ones) >= 5  # the bundled FAQ really has long questions
    for question in long_ones:
        shown = label(question)
        assert len(shown) <= MAX_BUTTON_LABEL and shown.endswith("…"), shown
        kept = shown[:-1]
        assert question.startswith(kept), shown
        assert question[len(kept)] in " ,;:-–", (question, shown)
    assert (
        label("Les enfants ou les adolescents peuvent-ils recevoir de l'IMS ?")
        == "Les enfants ou les adolescents peuvent-ils recevoir de…"
    )
    assert label("Short question?") == "Short question?"
