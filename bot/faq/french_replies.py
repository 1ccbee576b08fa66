"""The FAQ conversation's replies in French: answers, "vouliez-vous dire", fallbacks, small
talk, topics and the menu, with French button labels.

Every button of a French reply carries `:fr`, so a tap is answered in French too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.core.replies import Button, Reply
from bot.faq.french import FRENCH, fold, french_terms
from bot.faq.reading import FaqReading, SmallTalkKind

if TYPE_CHECKING:
    from bot.content.clinic import Clinic
    from bot.content.model import FaqContent, FaqEntry
    from bot.core.assistant import Assistant
    from bot.safety.stage import SafetyReplies

ACTION_PREFIX = "faq"
MAX_BUTTON_LABEL = 60
# The main menu's buttons in French, by action; a button not listed keeps its label.
_MENU_LABELS = {
    "faq:cats": "Parcourir les questions fréquentes",
    "faq:human": "Parler à une personne",
    "intake:start": "Remplir mon formulaire d'accueil (en anglais)",
}
# FAQ buttons answered in French when tapped (others belong to features that speak English).
_FRENCH_ACTIONS = frozenset({"faq:cats", "faq:human"})


def _label(text: str) -> str:
    return text if len(text) <= MAX_BUTTON_LABEL else text[: MAX_BUTTON_LABEL - 1] + "…"


def _action(kind: str) -> str:
    return f"{ACTION_PREFIX}:{kind}:{FRENCH}"


class FrenchReplies:
    """Builds the French replies of the FAQ conversation."""

    def __init__(
        self, faq: FaqContent, clinic: Clinic, safety: SafetyReplies, assistant: Assistant
    ) -> None:
        self._faq = faq
        self._clinic = clinic.in_french()  # its facts and labels in French where given
        self._safety = safety
        self._assistant = assistant

    def replies(self, reading: FaqReading) -> list[Reply]:
        """The French replies to a reading of a French message (unanswered parts and
        fallbacks are recorded by the conversation)."""
        if reading.kind == "small_talk":
            return [self.small_talk(reading.small_talk)]
        entries = [entry for faq_id in reading.answers if (entry := self._faq.get(faq_id))]
        if entries:
            replies = [self.answer(entry) for entry in entries]
            if reading.read_as is not None:
                replies.insert(0, self.related_note(reading.read_as))
            if reading.unanswered_part is not None:
                replies.append(self.unanswered_part(reading.unanswered_part))
            elif reading.suggestions:
                replies.append(
                    self.suggest(
                        [c.faq_id for c in reading.suggestions],
                        "Pour l'autre partie de votre message, vouliez-vous dire :",
                    )
                )
            return replies
        if reading.kind == "suggest" and reading.suggestions:
            return [self.suggest([c.faq_id for c in reading.suggestions])]
        return [self.fallback()]

    def answer(self, entry: FaqEntry) -> Reply:
        """The French answer to one entry, its follow-ups as French buttons."""
        buttons = [
            Button(_label(follow.question), _action(f"a:{follow.id}"))
            for follow_id in entry.follow_ups
            if (follow := self._faq.get(follow_id)) is not None
        ]
        buttons.append(Button("Parler à une personne", _action("human")))
        text = entry.answer
        if entry.reviewed is not None:
            text += f"\n\n(Vérifié par {entry.reviewed.by}, le {entry.reviewed.on.isoformat()}.)"
        return Reply(text=text, title=entry.question, buttons=tuple(buttons))

    def related_note(self, canonical: str) -> Reply:
        """Says that a question about a related treatment ("acupuncture") is answered for the
        treatment this clinic offers, with the comparison entry one tap away."""
        name = next(
            (n for n in self._faq.related_treatments if french_terms(n) == canonical), canonical
        )
        comparison = next((e for e in self._faq.entries if fold(name) in fold(e.question)), None)
        buttons = (
            (Button(_label(comparison.question), _action(f"a:{comparison.id}")),)
            if comparison is not None
            else ()
        )
        return Reply(
            text=f"Vous avez posé une question sur : {name}. Les aiguilles que nous offrons "
            "sont celles de l'IMS (une forme de puncture sèche) : la réponse ci-dessous porte "
            f"donc sur l'IMS. ({name.capitalize()} utilise des aiguilles semblables d'une autre "
            "façon.)",
            buttons=buttons,
        )

    def entry(self, faq_id: str) -> list[Reply]:
        """The answer behind a tapped French button."""
        entry = self._faq.get(faq_id)
        if entry is None:
            return [Reply("Cette question n'est plus dans ma liste."), self.categories()]
        return [self.answer(entry)]

    def suggest(
        self,
        faq_ids: Sequence[str],
        text: str = "Je ne suis pas certain de bien comprendre. Vouliez-vous dire :",
    ) -> Reply:
        """A French "did you mean", ending with the emergency line."""
        buttons = [
            Button(_label(entry.question), _action(f"a:{entry.id}"))
            for faq_id in faq_ids
            if (entry := self._faq.get(faq_id)) is not None
        ]
        buttons.append(Button("Aucune de ces réponses", _action("none")))
        line = self._safety.fallback_line(FRENCH)
        return Reply(text=f"{text}\n\n{line}", buttons=tuple(buttons))

    def fallback(self) -> Reply:
        """The honest French "I don't know", with the clinic's contact and the 911 line."""
        clinic = self._clinic
        body = (
            "Désolé, je ne connais pas la réponse à cette question, et je préfère ne pas "
            "deviner. J'ai transmis votre question à l'équipe de la clinique pour qu'elle "
            "ajoute une réponse.\n\n"
            f"Vous pouvez joindre {clinic.name} par téléphone au {clinic.phone} ou par "
            f"courriel à {clinic.email}. Vous pouvez aussi parcourir les sujets que je connais."
        )
        return Reply(
            text=f"{body}\n\n{self._safety.fallback_line(FRENCH)}",
            buttons=(
                Button("Parcourir les sujets", _action("cats")),
                Button("Parler à une personne", _action("human")),
            ),
        )

    def unanswered_part(self, part: str) -> Reply:
        """An honest French word about the part of a message the FAQ does not answer."""
        clinic = self._clinic
        return Reply(
            text=f"Je ne peux pas répondre à l'autre partie de votre message (« {_label(part)} »), "
            "alors je l'ai transmise à l'équipe de la clinique. Vous pouvez aussi appeler au "
            f"{clinic.phone} ou écrire à {clinic.email}.\n\n{self._safety.fallback_line(FRENCH)}",
            buttons=(Button("Parler à une personne", _action("human")),),
        )

    def small_talk(self, kind: SmallTalkKind | None) -> Reply:
        """A short, friendly French reply to small talk, with the menu in French."""
        texts: dict[SmallTalkKind | None, str] = {
            "greeting": f"Bonjour! Je suis l'assistant de {self._clinic.name}. Posez-moi une "
            "question sur l'IMS ou votre visite, ou choisissez une option ci-dessous.",
            "thanks": "Ça me fait plaisir! Avez-vous une autre question?",
            "goodbye": "Prenez soin de vous! Écrivez-moi quand vous voulez si vous avez une "
            "autre question.",
            "rudeness": "Désolé de ne pas vous avoir été plus utile. Essayez de poser votre "
            "question en quelques mots, choisissez un sujet ou parlez à une personne de la "
            "clinique.",
        }
        text = texts.get(
            kind,
            "D'accord! Puis-je vous aider avec autre chose? Posez une question ou choisissez "
            "une option ci-dessous.",
        )
        return Reply(text=text, buttons=self.menu())

    def menu(self) -> tuple[Button, ...]:
        """The main menu with French labels; the FAQ's own buttons answer in French."""
        return tuple(
            Button(
                _MENU_LABELS.get(button.action, button.label),
                f"{button.action}:{FRENCH}" if button.action in _FRENCH_ACTIONS else button.action,
            )
            for button in self._assistant.menu_buttons()
        )

    def categories(self) -> Reply:
        """The French topics."""
        buttons = tuple(
            Button(_label(category), _action(f"c:{index}"))
            for index, category in enumerate(self._faq.categories)
        )
        return Reply(text="Choisissez un sujet :", buttons=buttons)

    def category(self, index: int) -> Reply:
        """The French questions of one topic."""
        categories = self._faq.categories
        if not 0 <= index < len(categories):
            return self.categories()
        category = categories[index]
        buttons = [
            Button(_label(entry.question), _action(f"a:{entry.id}"))
            for entry in self._faq.entries
            if entry.category == category
        ]
        buttons.append(Button("« Tous les sujets", _action("cats")))
        return Reply(text=f"{category} : choisissez une question.", buttons=tuple(buttons))

    def human(self) -> Reply:
        """How to reach a person, in French."""
        clinic = self._clinic
        text = (
            f"Vous pouvez joindre l'équipe de {clinic.name} par téléphone au {clinic.phone} "
            f"ou par courriel à {clinic.email}.\n\n{clinic.render_locations()}"
        )
        return Reply(text=text, title="Parler à une personne")
