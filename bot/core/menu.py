"""/start, /help and the main menu every feature adds buttons to."""

from __future__ import annotations

from collections.abc import Sequence

from bot.content.clinic import Clinic
from bot.core.assistant import Assistant, ChatRef, CommandSpec
from bot.core.features import FeatureHost
from bot.core.replies import Reply

# The welcome and help in each language a patient's app may be set to ({first_name} is
# optional: "Hello Maya! " or "Hello! ").
WELCOME = {
    "en": (
        "I'm the chat assistant of {clinic}. I can answer common questions about IMS "
        "(intramuscular stimulation), help you fill in your intake form before a visit, "
        "and remind you of your appointments.\n\n"
        "Just type a question, or pick one of the options below.\n\n"
        "I can't give medical advice or a diagnosis. If you think you are having an "
        "emergency, call {emergency} or go to the nearest emergency department now."
    ),
    "fr": (
        "Je suis l'assistant de clavardage de {clinic}. Je peux répondre aux questions "
        "fréquentes sur l'IMS (stimulation intramusculaire), vous aider à remplir votre "
        "formulaire d'accueil avant une visite et vous rappeler vos rendez-vous.\n\n"
        "Écrivez simplement votre question, ou choisissez une option ci-dessous.\n\n"
        "Je ne peux pas donner d'avis médical ni de diagnostic. Si vous pensez vivre une "
        "urgence, appelez le {emergency} ou rendez-vous à l'urgence la plus proche maintenant."
    ),
}
GREETING = {"en": ("Hello {name}! ", "Hello! "), "fr": ("Bonjour {name}! ", "Bonjour! ")}
UNKNOWN_LINK = {
    "en": "That link isn't one I recognise, or it has expired. Here is what I can help with:",
    "fr": "Je ne reconnais pas ce lien, ou il a expiré. Voici ce que je peux faire pour vous :",
}
HELP = {
    "en": (
        "Type any question about IMS or your visit and I'll find the answer. "
        "Where I'm not sure, I'll offer a few questions to choose from; where I don't know, "
        "I'll say so and tell you how to reach the clinic.\n\n"
        "Commands:\n{commands}\n\n"
        "In an emergency, call {emergency} or go to the nearest emergency department."
    ),
    "fr": (
        "Écrivez une question sur l'IMS ou votre visite et je trouverai la réponse. "
        "Si je ne suis pas certain, je vous proposerai quelques questions; si je ne sais "
        "pas, je vous le dirai et vous indiquerai comment joindre la clinique.\n\n"
        "Commandes :\n{commands}\n\n"
        "En cas d'urgence, appelez le {emergency} ou rendez-vous à l'urgence la plus proche."
    ),
}


def _language(chat: ChatRef) -> str:
    return "fr" if chat.reply_language == "fr" else "en"


class MainMenu:
    """The welcome message and main menu, built from what features registered."""

    def __init__(self, assistant: Assistant, clinic: Clinic) -> None:
        self._assistant = assistant
        # The clinic's name as each language writes it (clinic.yaml's `fr` where given).
        self._clinic_name = {"en": clinic.name, "fr": clinic.in_french().name}
        self._emergency_number = clinic.emergency_number

    def welcome(self, chat: ChatRef) -> Reply:
        """The greeting with every feature's menu buttons, in the patient's language."""
        language = _language(chat)
        named, plain = GREETING[language]
        greeting = named.format(name=chat.first_name) if chat.first_name else plain
        text = greeting + WELCOME[language].format(
            clinic=self._clinic_name[language], emergency=self._emergency_number
        )
        return Reply(text=text, buttons=self._assistant.menu_buttons(language))

    async def start(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Answer /start, handing a deep-link payload to the feature that owns it."""
        if args:
            linked = await self._assistant.handle_deep_link(chat, args[0])
            if linked is not None:
                return linked
            return [Reply(UNKNOWN_LINK[_language(chat)]), self.welcome(chat)]
        return [self.welcome(chat)]

    async def help(self, chat: ChatRef, args: Sequence[str]) -> list[Reply]:
        """Answer /help with the commands this chat may use."""
        language = _language(chat)
        specs = self._assistant.commands()
        if chat.is_staff:
            specs = specs + self._assistant.commands(staff=True)
        lines = "\n".join(f"/{spec.name} - {spec.description_in(language)}" for spec in specs)
        text = HELP[language].format(commands=lines, emergency=self._emergency_number)
        return [Reply(text=text, buttons=self._assistant.menu_buttons(language))]


def register_menu(host: FeatureHost, clinic: Clinic) -> MainMenu:
    """Register /start and /help on the host's assistant."""
    menu = MainMenu(host.assistant, clinic)
    host.assistant.add_command(
        CommandSpec(
            "start",
            "Start over and show the menu",
            menu.start,
            translations={"fr": "Recommencer et afficher le menu"},
        )
    )
    host.assistant.add_command(
        CommandSpec(
            "help",
            "What I can do and how",
            menu.help,
            translations={"fr": "Ce que je peux faire et comment"},
        )
    )
    return menu
