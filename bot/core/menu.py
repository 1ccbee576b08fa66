"""/start, /help and the main menu every feature adds buttons to."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.clinic import Clinic
from bot.core.assistant import Assistant, ChatRef, CommandSpec
from bot.core.features import FeatureHost
from bot.core.replies import Reply

WELCOME = (
    "I'm the chat assistant of {clinic}. I can answer common questions about IMS "
    "(intramuscular stimulation), help you fill in your intake form before a visit, "
    "and remind you of your appointments.\n\n"
    "Just type a question, or pick one of the options below.\n\n"
    "I can't give medical advice or a diagnosis. If you think you are having an "
    "emergency, call {emergency} or go to the nearest emergency department now."
)
HELP = (
    "Type any question about IMS or your visit and I'll find the answer. "
    "Where I'm not sure, I'll offer a few questions to choose from; where I don't know, "
    "I'll say so and tell you how to reach the clinic.\n\n"
    "Commands:\n{commands}\n\n"
    "In an emergency, call {emergency} or go to the nearest emergency department."
)


class MainMenu:
    """The welcome message and main menu, built from what features registered."""

    def __init__(self, assistant: Assistant, clinic_name: str, emergency_number: str) -> None:
        self._assistant = assistant
        self._clinic_name = clinic_name
        self._emergency_number = emergency_number

    def welcome(self, chat: ChatRef) -> Reply:
        """The greeting with every feature's menu buttons."""
        greeting = f"Hello {chat.first_name}! " if chat.first_name else "Hello! "
        text = greeting + WELCOME.format(clinic=self._clinic_name, emergency=self._emergency_number)
        return Reply(text=text, buttons=self._assistant.menu_buttons())

    async def start(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Answer /start, handing a deep-link payload to the feature that owns it."""
        if args:
            linked = await self._assistant.handle_deep_link(chat, args[0])
            if linked is not None:
                return linked
            return [
                Reply(
                    "That link isn't one I recognise, or it has expired. "
                    "Here is what I can help with:"
                ),
                self.welcome(chat),
            ]
        return [self.welcome(chat)]

    async def help(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Answer /help with the commands this chat may use."""
        specs = self._assistant.commands()
        if chat.is_staff:
            specs = specs + self._assistant.commands(staff=True)
        lines = "\n".join(f"/{spec.name} - {spec.description}" for spec in specs)
        text = HELP.format(commands=lines, emergency=self._emergency_number)
        return [Reply(text=text, buttons=self._assistant.menu_buttons())]


def register_menu(host: FeatureHost, clinic: Clinic) -> MainMenu:
    """Register /start and /help on the host's assistant."""
    menu = MainMenu(host.assistant, clinic.name, clinic.emergency_number)
    host.assistant.add_command(CommandSpec("start", "Start over and show the menu", menu.start))
    host.assistant.add_command(CommandSpec("help", "What I can do and how", menu.help))
    return menu
