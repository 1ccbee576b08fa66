"""/forget's question answered by typing: before any feature, English and French."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.assistant import Assistant, ChatRef
from bot.core.privacy import (
    CONFIRMATION_STANDS,
    PersonalDataRegistry,
    register_privacy_commands,
)
from bot.core.replies import Reply
from bot.runtime import new_assistant

CHAT = ChatRef(chat_id=7)


class OpenConversation:
    """Stands for an open intake: a feature that claims every typed text."""

    def __init__(self, assistant: Assistant) -> None:
        self.heard: list[str] = []
        self.records = 3
        assistant.add_text_route("intake", self.claim)

    async def claim(self, chat: ChatRef, text: str) -> list[Reply]:
        self.heard.append(text)
        return [Reply("Please type just a number.")]

    async def describe(self, chat_id: int) -> list[str]:
        return [f"{self.records} answers"] if self.records else []

    async def erase(self, chat_id: int) -> int:
        removed, self.records = self.records, 0
        return removed


@pytest.fixture
def setup() -> tuple[Assistant, OpenConversation]:
    assistant = new_assistant()  # the root's route order, as the bot runs
    feature = OpenConversation(assistant)
    registry = PersonalDataRegistry()
    registry.register("Intake forms", feature.describe, feature.erase)
    register_privacy_commands(assistant, registry)
    return assistant, feature


def text_of(replies: list[Reply]) -> str:
    return "\n".join(reply.text for reply in replies)


@pytest.mark.parametrize("typed", ["yes", "Yes!", "oui", "OUI."])
async def test_a_typed_yes_deletes_before_an_open_conversation_sees_it(
    setup: tuple[Assistant, OpenConversation], typed: str
) -> None:
    assistant, feature = setup
    asked = await assistant.handle_command(CHAT, "forget")
    assert "Are you sure?" in text_of(asked)
    done = text_of(await assistant.handle_text(CHAT, typed))
    assert feature.records == 0 and feature.heard == []
    expected = "j'ai supprimé" if typed.lower().startswith("oui") else "I deleted everything"
    assert expected in done and "3" in done
    await assistant.handle_text(CHAT, "yes")  # answered: the next "yes" is the feature's
    assert feature.heard == ["yes"]


@pytest.mark.parametrize(("typed", "said"), [("no", "Nothing was deleted"), ("non", "Rien")])
async def test_a_typed_no_keeps_everything(
    setup: tuple[Assistant, OpenConversation], typed: str, said: str
) -> None:
    assistant, feature = setup
    await assistant.handle_command(CHAT, "forget")
    assert said in text_of(await assistant.handle_text(CHAT, typed))
    assert feature.records == 3 and feature.heard == []


async def test_anything_else_says_nothing_was_deleted_and_how_to_confirm(
    setup: tuple[Assistant, OpenConversation],
) -> None:
    assistant, feature = setup
    await assistant.handle_command(CHAT, "forget")
    replies = await assistant.handle_text(CHAT, "hmm what does that mean")
    said = text_of(replies)
    assert "Nothing was deleted" in said and "type yes" in said
    assert [b.action.split(":")[:2] for b in replies[0].buttons] == [
        ["forget", "yes"],
        ["forget", "no"],
    ]
    assert feature.records == 3 and feature.heard == []
    await assistant.handle_text(CHAT, "yes")  # still asked: the answer counts
    assert feature.records == 0


async def test_moving_on_drops_the_question(setup: tuple[Assistant, OpenConversation]) -> None:
    assistant, feature = setup
    await assistant.handle_command(CHAT, "forget")
    await assistant.handle_command(CHAT, "mydata")  # another command: the question is gone
    await assistant.handle_text(CHAT, "yes")  # a yes meant for the open conversation
    assert feature.records == 3 and feature.heard == ["yes"]
    await assistant.handle_text(CHAT, "yes")
    assert feature.records == 3  # never asked in the first place
    other = ChatRef(chat_id=8)
    await assistant.handle_command(other, "forget")
    await assistant.handle_text(CHAT, "yes")  # another chat's question is not this one's
    assert feature.records == 3


async def test_the_buttons_still_answer(setup: tuple[Assistant, OpenConversation]) -> None:
    assistant, feature = setup
    [asked] = await assistant.handle_command(CHAT, "forget")
    yes, no = (button.action for button in asked.buttons)
    kept = await assistant.handle_action(CHAT, no)
    assert kept[0].text == "Nothing was deleted." and kept[0].replace_previous
    await assistant.handle_text(CHAT, "yes")  # the tap answered it
    assert feature.records == 3 and feature.heard == ["yes"]
    done = await assistant.handle_action(CHAT, yes)
    assert "(3 records)" in done[0].text and feature.records == 0


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clocked() -> tuple[Assistant, OpenConversation, Clock]:
    assistant = new_assistant()
    feature = OpenConversation(assistant)
    registry = PersonalDataRegistry()
    registry.register("Intake forms", feature.describe, feature.erase)
    clock = Clock()
    register_privacy_commands(assistant, registry, clock)
    return assistant, feature, clock


async def test_a_yes_tapped_long_after_the_question_asks_again(
    clocked: tuple[Assistant, OpenConversation, Clock],
) -> None:
    assistant, feature, clock = clocked
    [asked] = await assistant.handle_command(CHAT, "forget")
    old_yes = asked.buttons[0].action
    clock.now += CONFIRMATION_STANDS + timedelta(seconds=1)
    again = await assistant.handle_action(CHAT, old_yes)
    assert feature.records == 3  # nothing erased
    assert "Nothing was deleted yet" in again[0].text and "Are you sure?" in again[0].text
    assert not again[0].replace_previous  # a new question at the foot of the chat
    new_yes = again[0].buttons[0].action
    assert new_yes != old_yes
    clock.now += timedelta(minutes=1)
    done = await assistant.handle_action(CHAT, new_yes)
    assert "(3 records)" in done[0].text and feature.records == 0


async def test_a_yes_button_from_before_a_restart_or_without_its_time_asks_again(
    clocked: tuple[Assistant, OpenConversation, Clock],
) -> None:
    assistant, feature, _ = clocked
    # A button sent before buttons carried when they were asked, or a forged one.
    for action in ("forget:yes", "forget:yes:fr", "forget:yes:notatime"):
        again = await assistant.handle_action(CHAT, action)
        assert feature.records == 3
        said = again[0].text
        assert "Are you sure?" in said or "En êtes-vous sûr?" in said
    assert (
        "Rien n'a encore été supprimé"
        in (await assistant.handle_action(CHAT, "forget:yes:fr"))[0].text
    )


async def test_a_typed_yes_long_after_the_question_asks_again(
    clocked: tuple[Assistant, OpenConversation, Clock],
) -> None:
    assistant, feature, clock = clocked
    await assistant.handle_command(CHAT, "forget")
    clock.now += timedelta(hours=2)
    again = await assistant.handle_text(CHAT, "yes")
    assert feature.records == 3 and "Are you sure?" in again[0].text
    done = await assistant.handle_text(CHAT, "yes")  # asked just now: it counts
    assert "(3 records)" in done[0].text and feature.records == 0


@pytest.mark.parametrize(
    ("held", "typed", "said"),
    [
        (1, "yes", "(1 record)."),
        (0, "yes", "(0 records)."),
        (1, "oui", "(1 enregistrement)."),
        (0, "oui", "(0 enregistrement)."),
        (3, "oui", "(3 enregistrements)."),
    ],
)
async def test_the_count_of_deleted_records_agrees_with_its_noun(
    setup: tuple[Assistant, OpenConversation], held: int, typed: str, said: str
) -> None:
    assistant, feature = setup
    feature.records = held
    await assistant.handle_command(CHAT, "forget")
    assert text_of(await assistant.handle_text(CHAT, typed)).endswith(said)


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("Yes, delete everything", "Nothing was deleted: that question is no longer open"),
        ("no, keep it", "Nothing was deleted: that question is no longer open"),
        ("Oui, tout supprimer", "Rien n'a été supprimé : cette question n'est plus ouverte"),
    ],
)
async def test_a_button_label_typed_with_no_question_open_says_nothing_was_deleted(
    setup: tuple[Assistant, OpenConversation], typed: str, said: str
) -> None:
    """The question lives in the process: after a restart, typing its answer must not read
    as done, nor reach a feature as a question or an answer."""
    assistant, feature = setup
    replies = text_of(await assistant.handle_text(CHAT, typed))
    assert said in replies and "/forget" in replies
    assert feature.records == 3 and feature.heard == []


async def test_a_french_app_is_asked_and_shown_its_data_in_french(
    setup: tuple[Assistant, OpenConversation],
) -> None:
    assistant, feature = setup
    french_app = ChatRef(chat_id=CHAT.chat_id, language_code="fr-CA")
    shown = text_of(await assistant.handle_command(french_app, "mydata"))
    assert shown.startswith("Voici ce que je garde") and "/forget" in shown
    [asked] = await assistant.handle_command(french_app, "forget")
    assert "En êtes-vous sûr?" in asked.text and "Are you sure" not in asked.text
    assert asked.buttons[0].label == "Oui, tout supprimer"
    done = text_of(await assistant.handle_text(french_app, "oui"))
    assert done.endswith("(3 enregistrements).") and feature.records == 0
    empty = text_of(await assistant.handle_command(french_app, "mydata"))
    assert empty == "Je ne garde aucune donnée personnelle à votre sujet."
