"""What the core itself says (not a feature): in each language the bot answers in.

A reply that ends a message unanswered (a photo, a fault on our side) names the emergency
number too: the caller appends the safety stage's line, so no miss is silent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CoreWording:
    """The core's own replies in one language."""

    unknown_command: str
    unknown_action: str
    staff_only: str
    only_text: str
    only_caption_read: str
    edit_not_read: str
    went_wrong: str


ENGLISH = CoreWording(
    unknown_command="I don't know that command. Send /help to see what I can do.",
    unknown_action=(
        "That button belongs to an older message and has moved on. "
        "Send /start to see what I can help with."
    ),
    staff_only="That command is for clinic staff only.",
    only_text=(
        "I can only read text messages. Please type your question in words, "
        "or send /help to see what I can do."
    ),
    only_caption_read=(
        "I read the words you sent with it, but I cannot open photos, files or voice "
        "messages: please describe anything else in words."
    ),
    edit_not_read=(
        "Editing a sent message doesn't change your form: it keeps the answer as you first "
        "sent it. To change it, tap « Back, or change it when you review your answers "
        "before sending."
    ),
    went_wrong=(
        "Sorry, something went wrong on our side. Please try again in a moment, "
        "or contact the clinic directly."
    ),
)

FRENCH = CoreWording(
    unknown_command=(
        "Je ne connais pas cette commande. Envoyez /help pour voir ce que je peux faire."
    ),
    unknown_action=(
        "Ce bouton vient d'un message plus ancien qui n'est plus à jour. "
        "Envoyez /start pour voir comment je peux vous aider."
    ),
    staff_only="Cette commande est réservée à l'équipe de la clinique.",
    only_text=(
        "Je peux seulement lire des messages écrits. Écrivez votre question en mots, "
        "ou envoyez /help pour voir ce que je peux faire."
    ),
    only_caption_read=(
        "J'ai lu les mots envoyés avec, mais je ne peux pas ouvrir les photos, les fichiers "
        "ni les messages vocaux : décrivez le reste en mots."
    ),
    edit_not_read=(
        "Modifier un message déjà envoyé ne change pas votre formulaire : il garde la "
        "réponse telle que vous l'avez d'abord envoyée. Pour la changer, touchez « Retour, "
        "ou changez-la en relisant vos réponses avant l'envoi."
    ),
    went_wrong=(
        "Désolé, un problème est survenu de notre côté. Réessayez dans un moment, "
        "ou communiquez directement avec la clinique."
    ),
)

CORE_WORDING = {"en": ENGLISH, "fr": FRENCH}
