"""A patient reads the bot in their own language over Telegram: the emergency reply in a
language the bot does not read (its title too), and the command list and /help in French.
The real PTB Application and runtime on a SQLite file, the fake Bot API server on loopback."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from telegram import BotCommandScopeAllPrivateChats

from bot.channels.telegram.application import TelegramApplication
from tests.fakes.bot_api_server import FakeBotApiServer, user_dict
from tests.telegram.test_staff_reply import deliver, running_bot, settings_for, to_chat

CHAT = 7501
PHONE = "613-555-0142"  # the bundled sample clinic's


def patient(language: str) -> dict[str, Any]:
    return {**user_dict(CHAT, "Sofia"), "language_code": language}


async def say(
    app: TelegramApplication, fake: FakeBotApiServer, text: str, language: str = "en"
) -> list[str]:
    """The patient sends `text` from an app set to `language`; the texts they get back."""
    since = fake.mark()
    await deliver(app, fake, fake.push_message(CHAT, text, user=patient(language)))
    return [r.visible_text for r in to_chat(fake, CHAT, since)]


async def test_an_emergency_in_spanish_is_answered_in_spanish_title_first(
    fake_api: FakeBotApiServer, tmp_path: Path
) -> None:
    async with running_bot(settings_for(fake_api, tmp_path)) as app:
        first, *_ = await say(
            app, fake_api, "tengo un dolor de pecho muy fuerte y no puedo respirar"
        )
    title, *rest = first.split("\n\n")
    assert title == "Busque ayuda ahora"  # the title in Spanish, not "Please get help now"
    assert rest[0].startswith("Esto puede ser una emergencia. Llame al 911")
    assert f"Número de la clínica, para lo que no sea una emergencia: {PHONE}." in rest
    assert "Please get help now" not in first and "Call 911" not in first  # surely Spanish


async def test_a_romanised_emergency_gives_english_as_a_second_part(
    fake_api: FakeBotApiServer, tmp_path: Path
) -> None:
    async with running_bot(settings_for(fake_api, tmp_path)) as app:
        first, *_ = await say(app, fake_api, "meri chhati vich bahut dard ho reha")
    assert first.startswith("Hune madad lao\n\nEh emergency ho sakdi hai. Hune 911")
    own, english = first.split("\n\nPlease get help now\n")
    assert PHONE in own and "911" in english and PHONE in english


async def test_the_command_list_and_help_follow_the_chats_language(
    fake_api: FakeBotApiServer, tmp_path: Path
) -> None:
    async with running_bot(settings_for(fake_api, tmp_path)) as app:
        private = BotCommandScopeAllPrivateChats()
        english = await app.bot.get_my_commands(scope=private)
        french = await app.bot.get_my_commands(scope=private, language_code="fr")
        assert [c.command for c in french] == [c.command for c in english]
        described = {c.command: c.description for c in french}
        assert described["help"] == "Ce que je peux faire et comment"
        assert described["forget"] == "Effacer tout ce que je garde à votre sujet"
        assert not {c.description for c in french} & {c.description for c in english}

        # /help from an app set to French, and from one set to English in a chat written
        # in French: the commands are described in French.
        for language in ("fr", "en"):
            if language == "en":
                await say(app, fake_api, "bonjour, combien coûte une séance d'IMS?", "en")
            [help_text] = await say(app, fake_api, "/help", language)
            assert "Commandes :" in help_text and "(en anglais)" not in help_text
            assert "/forget - Effacer tout ce que je garde à votre sujet" in help_text
            assert "Delete everything I hold about you" not in help_text
        await say(app, fake_api, "what does ims cost?", "en")  # back to English
        [help_text] = await say(app, fake_api, "/help", "en")
        assert "/forget - Delete everything I hold about you" in help_text
