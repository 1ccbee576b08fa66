"""The core router: emergency first, then claimers in order; staff-only commands."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from bot.core.assistant import (
    ANSWERS_TELL_HISTORY,
    Assistant,
    ChatRef,
    CommandSpec,
    SafetyVerdict,
    Screening,
)
from bot.core.replies import Button, Reply

PATIENT = ChatRef(chat_id=7)
STAFF = ChatRef(chat_id=-100, is_staff=True, is_private=False)


async def _echo_command(chat: ChatRef, args: Sequence[str]) -> list[Reply]:
    return [Reply("args:" + ",".join(args))]


def _assistant() -> Assistant:
    assistant = Assistant()
    assistant.add_command(CommandSpec("echo", "Echo", _echo_command))
    assistant.add_command(CommandSpec("today", "Today", _echo_command, staff_only=True))
    return assistant


async def test_emergency_screen_runs_before_any_claimer() -> None:
    assistant = _assistant()
    claimed: list[str] = []

    async def claimer(chat: ChatRef, text: str) -> list[Reply] | None:
        claimed.append(text)
        return [Reply("claimed")]

    def screen(chat: ChatRef, text: str) -> Screening:
        if "chest pain" not in text:
            return Screening("en")
        return Screening(
            "en", SafetyVerdict("emergency", "en", "chest_pain", (Reply("EMERGENCY"),))
        )

    assistant.add_text_route("intake", claimer)
    assistant.set_safety_screen(screen)
    assert (await assistant.handle_text(PATIENT, "I have chest pain"))[0].text == "EMERGENCY"
    assert claimed == []
    assert (await assistant.handle_text(PATIENT, "hello"))[0].text == "claimed"


async def test_claimers_are_asked_in_priority_order_and_may_decline() -> None:
    assistant = _assistant()
    assistant.text_route_order = ("intake", "faq")
    calls: list[str] = []

    async def declines(chat: ChatRef, text: str) -> list[Reply] | None:
        calls.append("declines")
        return None

    async def answers(chat: ChatRef, text: str) -> list[Reply] | None:
        calls.append("answers")
        return [Reply("faq")]

    # Registered in the other order: the order table decides who is asked first.
    assistant.add_text_route("faq", answers)
    assistant.add_text_route("intake", declines)
    assert (await assistant.handle_text(PATIENT, "what is ims"))[0].text == "faq"
    assert calls == ["declines", "answers"]
    assert await assistant.handle_text(PATIENT, "   ") == []


def test_routes_and_buttons_missing_from_the_order_table_are_refused() -> None:
    assistant = Assistant(text_route_order=("faq",), menu_order=("faq:cats",))

    async def claimer(chat: ChatRef, text: str) -> list[Reply] | None:
        return None

    with pytest.raises(ValueError, match="'intake' has no place"):
        assistant.add_text_route("intake", claimer)
    with pytest.raises(ValueError, match="'intake:start' has no place"):
        assistant.add_menu_button(Button("Intake", "intake:start"))


def test_menu_buttons_follow_the_order_table_not_registration() -> None:
    assistant = Assistant(menu_order=("a:1", "b:1", "a:2"))
    for action in ("a:2", "a:1", "b:1"):
        assistant.add_menu_button(Button(action, action))
    assert [button.action for button in assistant.menu_buttons()] == ["a:1", "b:1", "a:2"]


def test_a_text_naming_a_command_gets_that_commands_menu_button_in_its_language() -> None:
    assistant = Assistant()
    start, french = Button("Fill in", "intake:start"), Button("Remplir", "intake:start:fr")
    assistant.add_menu_button(start, {"fr": french}, command="intake")
    assistant.add_menu_button(Button("Topics", "faq:cats"))
    assert assistant.command_buttons("Type /intake to start.") == (start,)
    assert assistant.command_buttons("Tapez /INTAKE, puis /intake.", "fr") == (french,)
    # Commands without a button, slashes that are not commands: nothing.
    for text in ("Type /mydata", "and/or /intake-like", "see https://x.org/intake", "intake"):
        assert assistant.command_buttons(text) == (), text


async def test_staff_only_command_refused_and_logged_for_patients(
    caplog: pytest.LogCaptureFixture,
) -> None:
    assistant = _assistant()
    refused = await assistant.handle_command(PATIENT, "today", ["secret-arg"])
    assert refused == [assistant.staff_only_reply(PATIENT)]
    assert "refused staff command /today" in caplog.text
    assert "secret-arg" not in caplog.text
    allowed = await assistant.handle_command(STAFF, "today", ["a"])
    assert allowed[0].text == "args:a"


async def test_unknown_command_and_stale_action_get_polite_replies() -> None:
    assistant = _assistant()
    assert await assistant.handle_command(PATIENT, "nope") == [
        assistant.unknown_command_reply(PATIENT)
    ]
    stale = [assistant.unknown_action_reply(PATIENT)]
    assert await assistant.handle_action(PATIENT, "gone:1:2") == stale
    assert await assistant.handle_action(PATIENT, "") == stale


async def test_the_cores_own_replies_follow_the_chats_language() -> None:
    # A French chat that types an unknown command, taps a stale button or a staff command
    # is answered in French, like everything else it is told.
    assistant = _assistant()
    french = ChatRef(chat_id=8, chat_language="fr")
    [unknown] = await assistant.handle_command(french, "nope")
    assert unknown.text.startswith("Je ne connais pas cette commande")
    [stale] = await assistant.handle_action(french, "gone:1")
    assert stale.text.startswith("Ce bouton vient d'un message plus ancien")
    [refused] = await assistant.handle_command(french, "today")
    assert refused.text.startswith("Cette commande est réservée")
    [english] = await assistant.handle_command(PATIENT, "nope")
    assert english.text.startswith("I don't know that command")


def _screened_assistant(screened: list[str] | None = None) -> Assistant:
    """The router with a screen that finds an emergency in "chest pain" and an urgent
    problem in "fever", and names 911 in each language."""
    assistant = _assistant()

    def screen(chat: ChatRef, text: str) -> Screening:
        if screened is not None:
            screened.append(text)
        if "chest pain" in text:
            reply = Reply("EMERGENCY", urgent=True)
            return Screening("en", SafetyVerdict("emergency", "en", "chest_pain", (reply,)))
        if "fever" in text:
            reply = Reply("URGENT", urgent=True)
            return Screening("en", SafetyVerdict("urgent", "en", "fever", (reply,)))
        return Screening("en")

    async def answers(chat: ChatRef, text: str) -> list[Reply] | None:
        return [Reply("answer")]

    assistant.set_safety_screen(screen)
    assistant.set_emergency_line(lambda language: f"911 line ({language})")
    assistant.add_text_route("faq", answers)
    return assistant


async def test_an_unknown_commands_name_is_screened_with_its_words() -> None:
    # "/chest pain": Telegram reads "/chest" as a command, but it is the patient's words.
    assistant = _screened_assistant()
    assert [r.text for r in await assistant.handle_command(PATIENT, "chest", ["pain"])] == [
        "EMERGENCY"
    ]
    assert [r.text for r in await assistant.handle_command(PATIENT, "chest_pain")] == ["EMERGENCY"]
    # A known command's name is not the patient's words.
    assert [r.text for r in await assistant.handle_command(PATIENT, "echo", ["hi"])] == ["args:hi"]


async def test_an_edit_that_adds_a_danger_gets_its_safety_reply_once() -> None:
    assistant = _screened_assistant()
    assert [r.text for r in await assistant.handle_text(PATIENT, "my back hurts", 11)] == ["answer"]
    # Editing an ordinary message is not a new question: nothing is said again.
    assert await assistant.handle_edited_text(PATIENT, "my lower back hurts", 11) == []
    # An edit that adds an urgent problem, then an emergency, gets each reply once.
    urgent = await assistant.handle_edited_text(PATIENT, "my back hurts, fever", 11)
    assert [r.text for r in urgent] == ["URGENT"]
    assert await assistant.handle_edited_text(PATIENT, "my back hurts, high fever", 11) == []
    worse = await assistant.handle_edited_text(PATIENT, "fever and chest pain", 11)
    assert [r.text for r in worse] == ["EMERGENCY"]
    assert await assistant.handle_edited_text(PATIENT, "fever, chest pain!", 11) == []
    # A message whose emergency was answered when it came is not answered again.
    await assistant.handle_text(PATIENT, "chest pain now", 12)
    assert await assistant.handle_edited_text(PATIENT, "chest pain right now", 12) == []
    # Staff chats' edits are never a patient's message.
    assert await assistant.handle_edited_text(STAFF, "chest pain", 13) == []


async def test_an_edited_answer_is_read_as_its_open_question_asks() -> None:
    # "Have you ever had chest pain?": the answer, typed and then edited, is history.
    assistant = _assistant()

    def screen(chat: ChatRef, text: str) -> Screening:
        if "chest pain" not in text or chat.answers_tell == ANSWERS_TELL_HISTORY:
            return Screening("en")
        return Screening("en", SafetyVerdict("emergency", "en", "chest_pain", (Reply("E"),)))

    async def history(chat: ChatRef) -> str | None:
        return ANSWERS_TELL_HISTORY

    assistant.set_safety_screen(screen)
    assert [r.text for r in await assistant.handle_edited_text(PATIENT, "chest pain", 5)] == ["E"]
    assistant.add_answer_reader(history)
    assert await assistant.handle_edited_text(PATIENT, "yes, chest pain", 6) == []


async def test_a_photo_and_an_apology_name_the_emergency_number_in_the_chats_language() -> None:
    # A voice note or a photo may be a cry for help the bot cannot read.
    screened: list[str] = []
    assistant = _screened_assistant(screened)
    [note] = await assistant.handle_non_text(PATIENT, None)
    assert note.text.startswith("I can only read text messages")
    assert note.text.endswith("911 line (en)")
    french = ChatRef(chat_id=9, chat_language="fr")
    [note] = await assistant.handle_non_text(french, None)
    assert note.text.startswith("Je peux seulement lire des messages écrits")
    assert note.text.endswith("911 line (fr)")
    # A caption is the patient's words: screened, its reply first.
    replies = await assistant.handle_non_text(PATIENT, "chest pain since the needling")
    assert replies[0].text == "EMERGENCY" and screened[-1].startswith("chest")
    assert replies[-1].text.startswith("I read the words you sent with it")
    apology = assistant.went_wrong_reply(french)
    assert apology.text.startswith("Désolé, un problème est survenu")
    assert apology.text.endswith("911 line (fr)")
    assert assistant.went_wrong_reply(PATIENT).text.endswith("911 line (en)")


async def test_menus_split_patient_and_staff_commands() -> None:
    assistant = _assistant()
    assert [c.name for c in assistant.commands()] == ["echo"]
    assert [c.name for c in assistant.commands(staff=True)] == ["today"]


def test_duplicate_registrations_are_errors() -> None:
    assistant = _assistant()
    with pytest.raises(ValueError):
        assistant.add_command(CommandSpec("echo", "again", _echo_command))

    async def handler(chat: ChatRef, rest: str) -> list[Reply]:
        return []

    assistant.add_action("faq", handler)
    with pytest.raises(ValueError):
        assistant.add_action("faq", handler)


def test_button_actions_must_fit_telegram_callback_data() -> None:
    Button("ok", "x" * 64)
    with pytest.raises(ValueError):
        Button("too long", "é" * 33)  # 66 bytes in UTF-8
    with pytest.raises(ValueError):
        Button("nothing to do")


async def test_deep_links_go_to_the_first_handler_that_claims_them() -> None:
    assistant = _assistant()

    async def not_mine(chat: ChatRef, payload: str) -> list[Reply] | None:
        return None

    async def mine(chat: ChatRef, payload: str) -> list[Reply] | None:
        return [Reply(f"linked {payload}")] if payload.startswith("a") else None

    assistant.add_deep_link_handler(not_mine)
    assistant.add_deep_link_handler(mine)
    assert (await assistant.handle_deep_link(PATIENT, "abc"))[0].text == "linked abc"  # type: ignore[index]
    assert await assistant.handle_deep_link(PATIENT, "zzz") is None


async def test_the_features_get_the_language_the_screen_read_on_the_chat() -> None:
    assistant = _assistant()
    seen: list[tuple[str | None, str]] = []

    async def claimer(chat: ChatRef, text: str) -> list[Reply] | None:
        seen.append((chat.message_language, chat.reply_language))
        return [Reply("claimed")]

    def screen(chat: ChatRef, text: str) -> Screening:
        return Screening("fr" if "bonjour" in text else "en", confidence=1.0)

    assistant.add_text_route("faq", claimer)
    assistant.set_safety_screen(screen)
    french_app = ChatRef(chat_id=8, language_code="fr-CA")
    await assistant.handle_text(french_app, "bonjour, combien?")
    await assistant.handle_text(french_app, "how much is it")
    # The message's language, not the app's, and nothing carried over between messages.
    assert seen == [("fr", "fr"), ("en", "en")]
    assert french_app.message_language is None and french_app.reply_language == "fr"


async def test_the_chat_language_memory_keeps_only_the_chats_seen_last() -> None:
    assistant = Assistant(chat_languages_kept=2)
    seen: list[ChatRef] = []

    async def note(chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        seen.append(chat)
        return []

    assistant.add_command(CommandSpec("who", "who", note))
    assistant.set_safety_screen(lambda chat, text: Screening("fr", confidence=1.0))
    for chat_id in (1, 2):
        await assistant.handle_text(ChatRef(chat_id), "bonjour")
    await assistant.handle_command(ChatRef(1), "who")  # chat 1 is seen again: kept
    await assistant.handle_text(ChatRef(3), "bonjour")  # the third: chat 2 is forgotten
    for chat_id in (1, 2, 3):
        await assistant.handle_command(ChatRef(chat_id), "who")
    assert [chat.chat_language for chat in seen[1:]] == ["fr", None, "fr"]
    assert len(assistant._chat_languages) == 2


def test_an_unclear_message_keeps_the_chats_language_and_a_plain_one_decides() -> None:
    french_chat = ChatRef(1, chat_language="fr")
    unclear = Screening("en", confidence=0.15).chat(french_chat)
    assert unclear.message_language == "fr" and unclear.language_unclear
    assert unclear.chat_language == "fr"
    for wordless in (Screening("und"), Screening(None)):
        assert wordless.chat(french_chat).message_language == "fr"
    plain = Screening("en", confidence=0.9).chat(french_chat)
    assert plain.message_language == plain.chat_language == "en" and not plain.language_unclear
    # Before the chat has a language, the app's stands in; another language stays itself.
    assert (
        Screening("en", confidence=0.1).chat(ChatRef(2, language_code="fr-CA")).reply_language
        == "fr"
    )
    assert Screening("es", confidence=0.3).chat(french_chat).message_language == "es"
    # With neither, the guess stands: a first "prix?" from a chat nothing is known of.
    assert Screening("fr", confidence=0.13).chat(ChatRef(3)).message_language == "fr"
