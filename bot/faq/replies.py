"""The FAQ conversation's replies, composed once for every language it answers in.

`FaqReplies` turns a reading of a message into replies (an answer, "did you mean", an
honest fallback, small talk, topics, a person), and `ReplyTexts` holds the words each
language writes around the clinic's content: a new kind of reply is written once, and
each language adds its sentence to its table. The English replies read `faq.yaml` and
the clinic's English facts; the French ones `faq_fr.yaml` and the clinic's French facts,
and every button of a French reply carries `:fr`, so a tap is answered in French too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.dates import long_date
from bot.core.replies import Button, Reply
from bot.core.small_talk import SmallTalkKind
from bot.faq.french import FRENCH, fold, french_terms
from bot.faq.reading import FaqReading

if TYPE_CHECKING:
    from bot.content.clinic import Clinic
    from bot.content.model import FaqContent, FaqEntry
    from bot.safety.stage import SafetyReplies

ACTION_PREFIX = "faq"
MAX_BUTTON_LABEL = 60
ENGLISH = "en"
# The main menu in a language (the features' buttons as that language shows them).
Menu = Callable[[str], tuple[Button, ...]]
# The buttons that do what a text tells the reader to type ("Type /intake to start"), in a
# language.
CommandButtons = Callable[[str, str], tuple[Button, ...]]


def label(text: str) -> str:
    """A button label short enough for every channel, cut after a whole word: "…recevoir
    de l'IM…" reads as a typo, "…recevoir de…" as a question that goes on."""
    if len(text) <= MAX_BUTTON_LABEL:
        return text
    cut = text[: MAX_BUTTON_LABEL - 1]
    space = cut.rfind(" ")
    if space >= MAX_BUTTON_LABEL // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–") + "…"


@dataclass(frozen=True)
class ReplyTexts:
    """The words one language writes around the clinic's content in FAQ replies.

    Templates name their blanks: {name} (the clinic or a treatment), {phone}, {email},
    {by}, {on} (a long date), {part}, {category}.
    """

    language: str
    talk_to_person: str
    none_of_these: str
    browse_topics: str
    all_topics: str
    checked_by: str
    related_note: str
    did_you_mean: str
    other_part_did_you_mean: str
    fallback: str
    # Without "passed on to the clinic team": for a question that was not kept.
    fallback_not_kept: str
    out_of_scope: str
    unanswered_part: str
    unanswered_part_not_kept: str
    no_words: str
    small_talk: Mapping[SmallTalkKind, str]
    small_talk_other: str
    pick_topic: str
    pick_question: str
    no_longer_listed: str
    human: str
    human_title: str
    # How a related treatment's name reads in the canonical form the reading names it by.
    canonical: Callable[[str], str] = str

    def action(self, kind: str) -> str:
        """The action of an FAQ button, marked with the language when it is not English."""
        suffix = "" if self.language == ENGLISH else f":{self.language}"
        return f"{ACTION_PREFIX}:{kind}{suffix}"


ENGLISH_TEXTS = ReplyTexts(
    language=ENGLISH,
    talk_to_person="Talk to a person",
    none_of_these="None of these",
    browse_topics="Browse topics",
    all_topics="« All topics",
    checked_by="(Checked by {by}, {on}.)",
    related_note="You asked about {name}. The needling we offer is IMS (a form of dry "
    "needling), so the answer below is about IMS; {name} uses similar needles in a "
    "different way.",
    did_you_mean="I'm not quite sure what you mean. Did you mean:",
    other_part_did_you_mean="About the other part of your message, did you mean:",
    fallback="Sorry, I don't know the answer to that one, and I'd rather not guess. "
    "I've passed the question on to the clinic team so they can add an answer.\n\n"
    "You can reach {name} by phone at {phone} or by e-mail at {email}. You can also "
    "browse the topics I do know about.",
    fallback_not_kept="Sorry, I don't know the answer to that one, and I'd rather not guess."
    "\n\nYou can reach {name} by phone at {phone} or by e-mail at {email}. You can also "
    "browse the topics I do know about.",
    out_of_scope="That's not something I can answer here: this chat only covers IMS and "
    "your visits to {name}. The team can help with it: call {phone} or e-mail {email}.",
    unanswered_part="I can't answer the other part of your message (\"{part}\"), so I've "
    "passed it on to the clinic team. You can also call {phone} or e-mail {email}.",
    unanswered_part_not_kept='I can\'t answer the other part of your message ("{part}"). '
    "The clinic team can help with it: call {phone} or e-mail {email}.",
    no_words="I didn't catch a question there. Type it in words, or pick a topic.",
    small_talk={
        "greeting": "Hello! I'm the {name} assistant. Ask me a question about IMS or your "
        "visit, or pick an option below.",
        "thanks": "You're welcome! Is there anything else you'd like to know?",
        "goodbye": "Take care! Message me any time if you have another question.",
        "rudeness": "Sorry I haven't been much help. Try asking in a few words, pick a "
        "topic, or talk to a person at the clinic.",
        "identity": "I'm the {name} automated assistant, not a person. I can answer common "
        "questions about IMS and your visits. To talk to someone on the team, call {phone} "
        "or e-mail {email}.",
    },
    small_talk_other="Okay! Anything else I can help with? Ask a question or pick an option below.",
    pick_topic="Pick a topic:",
    pick_question="{category}: pick a question.",
    no_longer_listed="That question is no longer in my list.",
    human="You can reach the {name} team by phone at {phone} or by e-mail at {email}.",
    human_title="Talk to a person",
)

FRENCH_TEXTS = ReplyTexts(
    language=FRENCH,
    talk_to_person="Parler à une personne",
    none_of_these="Aucune de ces réponses",
    browse_topics="Parcourir les sujets",
    all_topics="« Tous les sujets",
    checked_by="(Vérifié par {by}, le {on}.)",
    related_note="Vous avez posé une question sur : {name}. Les aiguilles que nous offrons "
    "sont celles de l'IMS (une forme de puncture sèche) : la réponse ci-dessous porte donc "
    "sur l'IMS. ({Name} utilise des aiguilles semblables d'une autre façon.)",
    did_you_mean="Je ne suis pas certain de bien comprendre. Vouliez-vous dire :",
    other_part_did_you_mean="Pour l'autre partie de votre message, vouliez-vous dire :",
    fallback="Désolé, je ne connais pas la réponse à cette question, et je préfère ne pas "
    "deviner. J'ai transmis votre question à l'équipe de la clinique pour qu'elle ajoute "
    "une réponse.\n\nVous pouvez joindre {name} par téléphone au {phone} ou par courriel "
    "à {email}. Vous pouvez aussi parcourir les sujets que je connais.",
    fallback_not_kept="Désolé, je ne connais pas la réponse à cette question, et je préfère "
    "ne pas deviner.\n\nVous pouvez joindre {name} par téléphone au {phone} ou par courriel "
    "à {email}. Vous pouvez aussi parcourir les sujets que je connais.",
    out_of_scope="Je ne peux pas répondre à cette question ici : cette conversation porte "
    "seulement sur l'IMS et vos visites à {name}. L'équipe peut vous aider : appelez au "
    "{phone} ou écrivez à {email}.",
    unanswered_part="Je ne peux pas répondre à l'autre partie de votre message (« {part} »), "
    "alors je l'ai transmise à l'équipe de la clinique. Vous pouvez aussi appeler au "
    "{phone} ou écrire à {email}.",
    unanswered_part_not_kept="Je ne peux pas répondre à l'autre partie de votre message "
    "(« {part} »). L'équipe de la clinique peut vous aider : appelez au {phone} ou écrivez "
    "à {email}.",
    no_words="Je n'ai pas trouvé de question dans ce message. Écrivez-la en mots, ou "
    "choisissez un sujet.",
    small_talk={
        "greeting": "Bonjour! Je suis l'assistant de {name}. Posez-moi une question sur "
        "l'IMS ou votre visite, ou choisissez une option ci-dessous.",
        "thanks": "Ça me fait plaisir! Avez-vous une autre question?",
        "goodbye": "Prenez soin de vous! Écrivez-moi quand vous voulez si vous avez une "
        "autre question.",
        "rudeness": "Désolé de ne pas vous avoir été plus utile. Essayez de poser votre "
        "question en quelques mots, choisissez un sujet ou parlez à une personne de la "
        "clinique.",
        "identity": "Je suis l'assistant automatisé de {name}, pas une personne. Je réponds "
        "aux questions courantes sur l'IMS et vos visites. Pour parler à quelqu'un de "
        "l'équipe, appelez au {phone} ou écrivez à {email}.",
    },
    small_talk_other="D'accord! Puis-je vous aider avec autre chose? Posez une question ou "
    "choisissez une option ci-dessous.",
    pick_topic="Choisissez un sujet :",
    pick_question="{category} : choisissez une question.",
    no_longer_listed="Cette question n'est plus dans ma liste.",
    human="Vous pouvez joindre l'équipe de {name} par téléphone au {phone} ou par courriel "
    "à {email}.",
    human_title="Parler à une personne",
    canonical=french_terms,
)


class FaqReplies:
    """The FAQ conversation's replies in one language: its FAQ, its clinic facts, its words."""

    def __init__(
        self,
        faq: FaqContent,
        clinic: Clinic,
        safety: SafetyReplies,
        texts: ReplyTexts,
        menu: Menu,
        command_buttons: CommandButtons | None = None,
    ) -> None:
        self._faq = faq
        self._clinic = clinic
        self._safety = safety
        self.texts = texts
        self._menu = menu
        self._command_buttons = command_buttons

    @property
    def language(self) -> str:
        """The language these replies are written in ("en", "fr")."""
        return self.texts.language

    def replies(self, reading: FaqReading, *, kept: bool = True) -> list[Reply]:
        """The replies to a reading (unanswered parts and fallbacks are recorded by the
        conversation, which also puts urgent advice in place of a fallback). `kept`: whether
        the conversation kept what goes unanswered for the clinic, so the reply may say it
        was passed on."""
        if reading.kind == "small_talk":
            return [self.small_talk(reading.small_talk)]
        entries = [entry for faq_id in reading.answers if (entry := self._faq.get(faq_id))]
        if entries:
            replies = [self.answer(entry) for entry in entries]
            if reading.read_as is not None:
                replies.insert(0, self.related_note(reading.read_as))
            if reading.unanswered_part is not None:
                replies.append(self.unanswered_part(reading.unanswered_part, kept=kept))
            elif reading.suggestions:
                replies.append(
                    self.suggest(
                        [c.faq_id for c in reading.suggestions],
                        self.texts.other_part_did_you_mean,
                    )
                )
            return replies
        if reading.kind == "suggest" and reading.suggestions:
            return [self.suggest([c.faq_id for c in reading.suggestions])]
        return [self.fallback(out_of_scope=reading.out_of_scope is not None, kept=kept)]

    def answer(self, entry: FaqEntry) -> Reply:
        """The answer to one entry, with a button for each command it tells the reader to
        type (the intake form's start for "Type /intake"), then its follow-up questions."""
        texts = self.texts
        buttons = (
            list(self._command_buttons(entry.answer, texts.language))
            if self._command_buttons is not None
            else []
        )
        buttons.extend(
            Button(label(follow.question), texts.action(f"a:{follow.id}"))
            for follow_id in entry.follow_ups
            if (follow := self._faq.get(follow_id)) is not None
        )
        buttons.append(Button(texts.talk_to_person, texts.action("human")))
        text = entry.answer
        if entry.reviewed is not None:
            checked = texts.checked_by.format(
                by=entry.reviewed.by, on=long_date(entry.reviewed.on, texts.language)
            )
            text += f"\n\n{checked}"
        return Reply(text=text, title=entry.question, buttons=tuple(buttons))

    def entry(self, faq_id: str) -> list[Reply]:
        """The answer behind a tapped question button."""
        entry = self._faq.get(faq_id)
        if entry is None:
            return [Reply(self.texts.no_longer_listed), self.categories()]
        return [self.answer(entry)]

    def related_note(self, canonical: str) -> Reply:
        """Says that a question about a related treatment ("acupuncture") is answered for
        the treatment this clinic offers, with the comparison entry one tap away."""
        texts = self.texts
        name = next(
            (n for n in self._faq.related_treatments if texts.canonical(n) == canonical),
            canonical,
        )
        comparison = next((e for e in self._faq.entries if fold(name) in fold(e.question)), None)
        buttons = (
            (Button(label(comparison.question), texts.action(f"a:{comparison.id}")),)
            if comparison is not None
            else ()
        )
        text = texts.related_note.format(name=name, Name=name.capitalize())
        return Reply(text=text, buttons=buttons)

    def suggest(self, faq_ids: Sequence[str], text: str | None = None) -> Reply:
        """A "did you mean", ending with the emergency line (an emergency the screen
        missed may reach a suggestion)."""
        texts = self.texts
        buttons = [
            Button(label(entry.question), texts.action(f"a:{entry.id}"))
            for faq_id in faq_ids
            if (entry := self._faq.get(faq_id)) is not None
        ]
        buttons.append(Button(texts.none_of_these, texts.action("none")))
        return Reply(
            text=f"{text or texts.did_you_mean}\n\n{self._emergency_line()}",
            buttons=tuple(buttons),
        )

    def fallback(self, *, out_of_scope: bool = False, kept: bool = True) -> Reply:
        """The honest "I don't know" (saying it was passed on only if `kept`), or for a topic
        the clinic does not answer in this chat, an honest "not here"; both name the clinic's
        contact and the emergency number."""
        texts = self.texts
        template = (
            texts.out_of_scope
            if out_of_scope
            else texts.fallback
            if kept
            else texts.fallback_not_kept
        )
        return Reply(
            text=f"{self._with_contact(template)}\n\n{self._emergency_line()}",
            buttons=(
                Button(self.texts.browse_topics, self.texts.action("cats")),
                Button(self.texts.talk_to_person, self.texts.action("human")),
            ),
        )

    def unanswered_part(self, part: str, *, kept: bool = True) -> Reply:
        """An honest word about the part of a two-part message the FAQ does not answer
        (saying it was passed on only if `kept`)."""
        clinic = self._clinic
        template = self.texts.unanswered_part if kept else self.texts.unanswered_part_not_kept
        text = template.format(part=label(part), phone=clinic.phone, email=clinic.email)
        return Reply(
            text=f"{text}\n\n{self._emergency_line()}",
            buttons=(Button(self.texts.talk_to_person, self.texts.action("human")),),
        )

    def no_words(self) -> Reply:
        """For a message without a word ("🆘", "😭" alone): ask for words, name 911."""
        return Reply(
            f"{self.texts.no_words}\n\n{self._emergency_line()}",
            buttons=(Button(self.texts.browse_topics, self.texts.action("cats")),),
        )

    def small_talk(self, kind: SmallTalkKind | None) -> Reply:
        """A short, friendly reply to small talk, with the main menu."""
        template = self.texts.small_talk.get(kind) if kind is not None else None
        clinic = self._clinic
        text = (template or self.texts.small_talk_other).format(
            name=clinic.name, phone=clinic.phone, email=clinic.email
        )
        return Reply(text=text, buttons=self.menu())

    def menu(self) -> tuple[Button, ...]:
        """The main menu in this language."""
        return self._menu(self.texts.language)

    def categories(self) -> Reply:
        """The topics."""
        buttons = tuple(
            Button(label(category), self.texts.action(f"c:{index}"))
            for index, category in enumerate(self._faq.categories)
        )
        return Reply(text=self.texts.pick_topic, buttons=buttons)

    def category(self, index: int) -> Reply:
        """The questions of one topic."""
        categories = self._faq.categories
        if not 0 <= index < len(categories):
            return self.categories()
        category = categories[index]
        buttons = [
            Button(label(entry.question), self.texts.action(f"a:{entry.id}"))
            for entry in self._faq.entries
            if entry.category == category
        ]
        buttons.append(Button(self.texts.all_topics, self.texts.action("cats")))
        return Reply(
            text=self.texts.pick_question.format(category=category), buttons=tuple(buttons)
        )

    def human(self) -> Reply:
        """How to reach a person: phone, e-mail and every location with its hours."""
        text = f"{self._with_contact(self.texts.human)}\n\n{self._clinic.render_locations()}"
        return Reply(text=text, title=self.texts.human_title)

    def _with_contact(self, template: str) -> str:
        clinic = self._clinic
        return template.format(name=clinic.name, phone=clinic.phone, email=clinic.email)

    def _emergency_line(self) -> str:
        return self._safety.fallback_line(self.texts.language)
