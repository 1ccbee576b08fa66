"""The FAQ conversation through the real core: answers, suggestions, fallbacks, buttons."""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import Settings
from bot.core.assistant import ChatRef
from bot.core.replies import Reply
from bot.core.staff_notes import CONTACT_REQUEST
from bot.faq.pipeline import FaqPipeline
from bot.faq.unanswered import UnansweredLog
from bot.runtime import Runtime, build_runtime
from bot.web.events import StaffEventLog

from .conftest import CONTENT_DIR

PATIENT = ChatRef(chat_id=501, first_name="Sam")


def _actions(reply: Reply) -> list[str]:
    return [button.action for button in reply.buttons]


async def test_start_shows_welcome_with_every_feature_in_the_menu(runtime: Runtime) -> None:
    [welcome] = await runtime.assistant.handle_command(PATIENT, "start")
    assert welcome.text.startswith("Hello Sam!")
    assert runtime.content.clinic.name in welcome.text
    assert "911" in welcome.text  # the emergency number is in the very first message
    assert "faq:cats" in _actions(welcome)
    assert "faq:human" in _actions(welcome)


async def test_unknown_deep_link_gets_polite_message_and_menu(runtime: Runtime) -> None:
    replies = await runtime.assistant.handle_command(PATIENT, "start", ["forged-token-123"])
    assert "isn't one I recognise" in replies[0].text
    assert replies[-1].buttons


async def test_clear_question_gets_the_curated_answer(runtime: Runtime) -> None:
    [reply] = await runtime.assistant.handle_text(PATIENT, "hi, quick question - what is IMS?")
    entry = runtime.content.faq.get("what_is_ims")
    assert entry is not None
    assert reply.title == entry.question
    assert reply.text.startswith(entry.answer)
    assert "Checked by" in reply.text  # provenance: when a clinician last reviewed it
    assert "faq:human" in _actions(reply)
    for follow_up in entry.follow_ups:
        assert f"faq:a:{follow_up}" in _actions(reply)


async def test_follow_up_button_answers_that_entry(runtime: Runtime) -> None:
    [reply] = await runtime.assistant.handle_action(PATIENT, "faq:a:does_it_hurt")
    entry = runtime.content.faq.get("does_it_hurt")
    assert entry is not None and reply.title == entry.question


@pytest.mark.parametrize(
    ("question", "says", "never_says"),
    [
        # far from everything: the honest "I don't know"
        ("how far away is the moon from the earth", "don't know", "not something I can"),
        # a topic the clinic lists as not answered here: an honest "not here"
        ("do you sell gift cards for the spa next door", "not something I can", "don't know"),
    ],
)
async def test_a_question_not_answered_here_falls_back_honestly_and_is_kept_for_the_clinic(
    runtime: Runtime, question: str, says: str, never_says: str
) -> None:
    [reply] = await runtime.assistant.handle_text(PATIENT, question)
    clinic = runtime.content.clinic
    assert says in reply.text and never_says not in reply.text
    assert clinic.phone in reply.text and clinic.email in reply.text
    assert "911" in reply.text  # no silent miss
    assert _actions(reply) == ["faq:cats", "faq:human"]
    stored = await UnansweredLog(runtime.database, retention=_days(90)).list()
    assert [record.text for record in stored] == [question]


async def test_general_physiotherapy_questions_do_not_borrow_an_ims_answer(
    runtime: Runtime,
) -> None:
    for question in (
        "which stretches would loosen a tight calf",
        "what is reiki and how does it feel",
    ):
        [reply] = await runtime.assistant.handle_text(PATIENT, question)
        assert reply.title is None, question  # no entry's answer
        assert "not something I can answer here" in reply.text, question
    # What physiotherapy is has an entry of its own, not the IMS one.
    [reply] = await runtime.assistant.handle_text(
        PATIENT, "could you tell me what physiotherapy is all about"
    )
    assert reply.title == "What is physiotherapy, and who is it for?"
    # The same words about the treatment still get its answer.
    [reply] = await runtime.assistant.handle_text(PATIENT, "how is IMS different from physio")
    assert reply.title == "How is IMS different from regular physiotherapy?"


async def test_a_look_alike_of_a_clinic_question_falls_back_by_its_listed_topic(
    runtime: Runtime,
) -> None:
    # "do you treat ..." shares its words with the children entry; the shipped
    # out_of_scope topics say skin problems are not answered here.
    question = "do you treat acne"
    assert runtime.content.faq.out_of_scope, "the shipped content lists out-of-scope topics"
    [reply] = await runtime.assistant.handle_text(PATIENT, question)
    assert "not something I can answer here" in reply.text
    assert _actions(reply) == ["faq:cats", "faq:human"]
    [stored] = await UnansweredLog(runtime.database, retention=_days(90)).list()
    assert stored.text == question
    assert stored.best_faq_id is None  # no entry was close: nothing to suggest


async def test_input_without_words_is_not_recorded(runtime: Runtime) -> None:
    [reply] = await runtime.assistant.handle_text(PATIENT, "???? 42")
    assert "didn't catch" in reply.text
    assert await UnansweredLog(runtime.database, retention=_days(90)).list() == []


UNCLEAR_CANDIDATES = ["needles", "pain", "ims", "physio", "session", "back pain needles"]


async def test_none_of_these_records_the_unclear_question(runtime: Runtime) -> None:
    pipeline = FaqPipeline.from_content(runtime.content)
    unsure = next(q for q in UNCLEAR_CANDIDATES if pipeline.decide(q).decision == "suggest")
    [suggest] = await runtime.assistant.handle_text(PATIENT, unsure)
    assert suggest.text.startswith("I'm not quite sure")
    assert 2 <= len(suggest.buttons) <= 4
    assert _actions(suggest)[-1] == "faq:none"
    [fallback] = await runtime.assistant.handle_action(PATIENT, "faq:none")
    assert "don't know" in fallback.text
    stored = await UnansweredLog(runtime.database, retention=_days(90)).list()
    assert [record.text for record in stored] == [unsure]


async def test_a_suggestion_still_names_the_emergency_number(runtime: Runtime) -> None:
    pipeline = FaqPipeline.from_content(runtime.content)
    unsure = next(q for q in UNCLEAR_CANDIDATES if pipeline.decide(q).decision == "suggest")
    [suggest] = await runtime.assistant.handle_text(PATIENT, unsure)
    assert suggest.text.rstrip().endswith("If this is an emergency, call 911 now.")


async def test_the_unanswered_part_of_two_questions_names_the_emergency_number(
    runtime: Runtime,
) -> None:
    answer, other = await runtime.assistant.handle_text(
        PATIENT, "does IMS hurt? can I park my tractor?"
    )
    assert answer.title == "Does IMS hurt?"
    assert "can't answer the other part" in other.text
    assert other.text.rstrip().endswith("If this is an emergency, call 911 now.")


@pytest.mark.parametrize("symbols", ["🆘", "😭", "…?"])
async def test_symbols_alone_still_name_the_emergency_number(
    runtime: Runtime, symbols: str
) -> None:
    [reply] = await runtime.assistant.handle_text(PATIENT, symbols)
    assert "didn't catch a question" in reply.text
    assert reply.text.rstrip().endswith("If this is an emergency, call 911 now.")


async def test_a_thumbs_up_is_still_small_talk(runtime: Runtime) -> None:
    [reply] = await runtime.assistant.handle_text(PATIENT, "👍")
    assert "911" not in reply.text and reply.buttons


async def test_topics_browse_down_to_an_answer(runtime: Runtime) -> None:
    [topics] = await runtime.assistant.handle_command(PATIENT, "faq")
    assert len(topics.buttons) == len(runtime.content.faq.categories)
    [category] = await runtime.assistant.handle_action(PATIENT, topics.buttons[0].action)
    assert category.buttons[-1].action == "faq:cats"
    [answer] = await runtime.assistant.handle_action(PATIENT, category.buttons[0].action)
    assert answer.title is not None
    assert answer.title.startswith(category.buttons[0].label.rstrip("…"))


async def test_talk_to_a_person_gives_contact_and_tells_staff(runtime: Runtime) -> None:
    replies = await runtime.assistant.handle_action(PATIENT, "faq:human")
    patient = [r for r in replies if not r.for_staff]
    staff = [r for r in replies if r.for_staff]
    assert runtime.content.clinic.phone in patient[0].text
    assert len(staff) == 1 and "501" in staff[0].text
    # Tapped again at once (or asked again with /contact): the same answer, and staff, who
    # have the first request waiting, are not alerted twice.
    for again in (
        await runtime.assistant.handle_action(PATIENT, "faq:human"),
        await runtime.assistant.handle_command(PATIENT, "contact", []),
    ):
        assert runtime.content.clinic.phone in again[0].text
        assert not [r for r in again if r.for_staff]


async def test_a_waiting_contact_request_survives_a_restart(
    runtime: Runtime, settings: Settings
) -> None:
    first = await runtime.assistant.handle_action(PATIENT, "faq:human")
    assert len([r for r in first if r.for_staff]) == 1
    restarted = await build_runtime(settings)  # the same database, as after a restart
    try:
        again = await restarted.assistant.handle_action(PATIENT, "faq:human")
        assert restarted.content.clinic.phone in again[0].text
        assert not [r for r in again if r.for_staff]
        # Once staff have handled it, a new request is a new wait: staff are told again.
        log = StaffEventLog(restarted.database)
        [request] = await log.recent((CONTACT_REQUEST,))
        assert await log.mark_handled(request.id, "front desk")
        later = await restarted.assistant.handle_command(PATIENT, "contact", [])
        assert len([r for r in later if r.for_staff]) == 1
    finally:
        await restarted.close()


async def test_emergency_beats_the_faq_even_inside_a_question(runtime: Runtime) -> None:
    text = "does ims hurt? also since this morning I can't control my bladder"
    replies = await runtime.assistant.handle_text(PATIENT, text)
    assert "911" in replies[0].text
    assert not replies[0].buttons


async def test_stale_or_forged_buttons_never_crash(runtime: Runtime) -> None:
    for action in ["faq:a:no_such_entry", "faq:c:999", "faq:c:x", "faq:zzz", "faq:", "faq"]:
        replies = await runtime.assistant.handle_action(PATIENT, action)
        assert replies and all(reply.text for reply in replies)


def _days(n: int) -> timedelta:
    return timedelta(days=n)


async def test_a_question_given_to_slash_faq_is_screened_for_emergencies(
    runtime: Runtime,
) -> None:
    replies = await runtime.assistant.handle_command(
        PATIENT, "faq", ["I", "have", "chest", "pain", "and", "can't", "breathe"]
    )
    assert "911" in replies[0].text
    [answer] = await runtime.assistant.handle_command(PATIENT, "faq", ["what", "is", "ims"])
    assert answer.title == "What is IMS?"


async def test_small_talk_gets_a_friendly_reply_with_the_menu_and_is_not_kept(
    runtime: Runtime,
) -> None:
    menu = [button.action for button in runtime.assistant.menu_buttons()]
    for said in (
        "hi",
        "hello!",
        "thanks!",
        "ok",
        "bye",
        "quit",
        "this is a stupid bot",
        "cheers, that really helps 🙂",
        "sounds grand",
        "honestly not helpful at all",
    ):
        [reply] = await runtime.assistant.handle_text(PATIENT, said)
        assert "don't know" not in reply.text, said
        assert _actions(reply) == menu, said
    stored = await UnansweredLog(runtime.database, retention=_days(90)).list()
    assert stored == []


async def test_two_questions_get_two_answers_in_the_order_asked(runtime: Runtime) -> None:
    replies = await runtime.assistant.handle_text(
        PATIENT, "does it hurt and how much does it cost?"
    )
    assert [reply.title for reply in replies] == [
        "Does IMS hurt?",
        "How much does IMS cost?",
    ]
    assert await UnansweredLog(runtime.database, retention=_days(90)).list() == []


async def test_a_half_covered_message_gets_the_answer_and_an_honest_word(
    runtime: Runtime,
) -> None:
    replies = await runtime.assistant.handle_text(
        PATIENT, "does it hurt and do you sell gift cards"
    )
    assert [reply.title for reply in replies] == ["Does IMS hurt?", None]
    assert "do you sell gift cards" in replies[1].text
    assert "passed it on" in replies[1].text
    [stored] = await UnansweredLog(runtime.database, retention=_days(90)).list()
    assert stored.text == "do you sell gift cards"


async def test_another_treatment_gets_did_you_mean_with_the_ims_entry(runtime: Runtime) -> None:
    # Acupuncture is one of the content's other treatments: no IMS answer is given as its
    # answer, the IMS entry is one tap away, and nothing is kept as unanswered.
    [reply] = await runtime.assistant.handle_text(PATIENT, "Is acupuncture safe?")
    assert "faq:a:safety_side_effects" in _actions(reply)
    assert "Side effects are usually mild" not in reply.text
    assert await UnansweredLog(runtime.database, retention=_days(90)).list() == []


async def test_a_related_treatment_not_listed_as_another_gets_the_answer_under_a_note(
    tmp_path: Path, settings: Settings
) -> None:
    # A clinic whose content lists acupuncture as related only: the IMS entry answers,
    # under a line saying the answer is about IMS.
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    faq = content / "faq.yaml"
    text = faq.read_text(encoding="utf-8")
    faq.write_text(re.sub(r"(?m)^other_treatments: .*$", "", text), encoding="utf-8")
    built = await build_runtime(dataclasses.replace(settings, content_dir=content))
    try:
        replies = await built.assistant.handle_text(PATIENT, "Is acupuncture safe?")
    finally:
        await built.close()
    assert [reply.title for reply in replies] == [
        None,
        "Is IMS safe, and what are the side effects?",
    ]
    note = replies[0]
    assert "You asked about acupuncture" in note.text
    assert "about IMS" in note.text
    # How the two differ is one tap away.
    assert _actions(note) == ["faq:a:ims_vs_acupuncture"]


async def test_a_yes_no_question_in_small_talk_words_is_answered(runtime: Runtime) -> None:
    [reply] = await runtime.assistant.handle_text(PATIENT, "Am I covered?")
    assert reply.title == "Is IMS covered by insurance?"


async def test_a_mostly_unread_message_gets_the_notice_and_only_a_sure_answer_below(
    runtime: Runtime,
) -> None:
    # Romanised Hindi with English words the FAQ cannot answer: the notice alone (it
    # names 911 and the clinic's phone), nothing kept in the unanswered list.
    unread = "mera appointment cancel kar dena, mujhe bahut kaam hai is hafte, maaf karna"
    [notice] = await runtime.assistant.handle_text(PATIENT, unread)
    assert "911" in notice.text and runtime.content.clinic.phone in notice.text
    assert "don't know" not in notice.text
    # English words the FAQ answers with confidence: the notice first, then the answer.
    mixed = "cho toi hoi gia mot buoi IMS bao nhieu, how much does IMS cost"
    replies = await runtime.assistant.handle_text(PATIENT, mixed)
    assert "911" in replies[0].text
    assert [reply.title for reply in replies[1:]] == ["How much does IMS cost?"]
    # /faq with the same text says the same.
    by_command = await runtime.assistant.handle_command(PATIENT, "faq", unread.split())
    assert [reply.text for reply in by_command] == [notice.text]
    assert await UnansweredLog(runtime.database, retention=_days(90)).list() == []


@pytest.mark.parametrize(
    ("question", "start"),
    [
        ("I want to fill in my intake form", "intake:start"),
        ("where do I do the questionnaire", "intake:start"),
        ("je veux remplir mon formulaire", "intake:start:fr"),
    ],
)
async def test_asking_for_the_form_offers_its_start_button_under_the_answer(
    runtime: Runtime, question: str, start: str
) -> None:
    [answer] = await runtime.assistant.handle_text(PATIENT, question)
    assert "/intake" in answer.text  # the answer about the intake questions
    assert _actions(answer)[0] == start  # and the way to do what it says, first
    [form] = await runtime.assistant.handle_action(PATIENT, start)
    assert any(action.startswith("intake:") for action in _actions(form))
    # The form runs in the language the question was asked in.
    assert ("Non" in [b.label for b in form.buttons]) == start.endswith(":fr")


async def test_an_answer_naming_no_command_with_a_button_offers_no_extra_button(
    runtime: Runtime,
) -> None:
    [answer] = await runtime.assistant.handle_text(PATIENT, "who can see my information")
    assert "/mydata" in answer.text  # a command with no menu button: nothing added
    assert not any(action.startswith("intake:") for action in _actions(answer))


async def test_a_side_question_in_an_intake_is_not_said_to_be_passed_on(
    runtime: Runtime,
) -> None:
    # Kept out of the list (it may be part of the health story), so the reply must not
    # claim the clinic team was told.
    await runtime.assistant.handle_command(PATIENT, "intake")
    replies = await runtime.assistant.handle_text(PATIENT, "what is the wifi password")
    text = "\n".join(reply.text for reply in replies)
    assert "I don't know the answer" in text
    assert "passed" not in text
    assert "613-555-0142" in text  # the way to ask the team is still named
    assert await UnansweredLog(runtime.database, retention=_days(90)).list() == []
