"""What the patient and staff read about appointments: plain text plus buttons."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content.clinic import Clinic, Location
from bot.core.dates import day_and_time
from bot.core.replies import MAX_ACTION_BYTES, Button, Reply, staff_note
from bot.reminders.model import Appointment
from bot.reminders.planning import CHECK_IN_KIND
from bot.reminders.types import AppointmentType

ACTION_PREFIX = "appt"
CONFIRM = "c"
RESCHEDULE = "r"
CANCEL = "x"
CANCEL_SURE = "xy"
KEEP = "k"
SORENESS = "s"
SAFETY = "y"
SAFETY_OK = "ok"
SAFETY_CHEST = "chest"
SORENESS_SCALE = range(11)
SORENESS_HIGH = 8  # at or above: ask the clinic to check in with the patient
STAMP_DIGITS = 9  # minutes since 1970 take 8 digits until the year 2160


def action(verb: str, appointment_id: int, *extra: str | int) -> str:
    """Callback data for an appointment button, e.g. `appt:c:42`."""
    return ":".join([ACTION_PREFIX, verb, str(appointment_id), *map(str, extra)])


def time_stamp(appointment: Appointment) -> str:
    """The appointment's start as a short mark (minutes since 1970) that its Confirm,
    Reschedule and Cancel buttons carry: a button sent before staff moved the visit says
    which time it was about."""
    return str(int(appointment.starts_at.timestamp()) // 60)


def answer_action(verb: str, appointment: Appointment) -> str:
    """Callback data for a button that answers the appointment at its present time."""
    return action(verb, appointment.id, time_stamp(appointment))


def stamped_start(stamp: str) -> datetime | None:
    """The start a button's `time_stamp` names; None for a button without one (sent before
    buttons were stamped) or a mark no button of ours carries."""
    if not stamp.isdecimal() or len(stamp) > STAMP_DIGITS:
        return None
    return datetime.fromtimestamp(int(stamp) * 60, UTC)


FRENCH = "fr"
# What the patient reads around an appointment's facts, by language ("en" when the
# patient's language is unknown). The clinic's facts come from clinic.yaml in the same
# language (`Clinic.in_french`), appointment types' labels and preparation notes from
# appointment_types.yaml (`AppointmentType.label_in`, English where it gives no French).
TEXTS = {
    "en": {
        "appointment": "Appointment",
        "time_zone": "{zone} time",
        "label_colon": ": ",
        "where": "Where: ",
        "with": "With: ",
        "map": "Map",
        "confirm": "Confirm",
        "reschedule": "Reschedule",
        "cancel": "Cancel",
        "before_you_come": "Before you come: ",
        "let_us_know": "Please let us know if you can make it.",
        "reminder_title": "Appointment reminder",
        "check_in": "How are you feeling after yesterday's IMS treatment? Some muscle "
        "soreness for a day or two is common. How sore are you right now, from 0 (not at "
        "all) to 10 (the worst you can imagine)?",
        "check_in_title": "Checking in",
        "safety": "One more question: since your treatment, have you had chest pain, or "
        "found it hard to catch your breath?",
        "safety_ok": "No, neither",
        "safety_chest": "Yes",
        "hello": "Hello {name}!",
        "hello_plain": "Hello!",
        "passed": "{hello} This link is for an appointment with {clinic} whose time has passed:",
        "call_again": "If you need another visit, please call the clinic: {phone}.",
        "promise": "I'll send you a reminder before your visit.",
        "confirmation": "Your visit is soon, so this message is your confirmation: please keep it.",
        "linked": "{hello} This chat is now linked to your appointment with {clinic}.",
        "intake_now": "{promise} You can fill in the intake form now, so your clinician can "
        "read it before you arrive.",
        "intake_button": "Fill in my intake form",
        "late": "Your appointment is less than {hours} hours away, so please call us to "
        "cancel or move it: {phone}.",
        "was_cancelled": "This appointment was cancelled. Please contact us to book again.",
        "confirmed": "Thank you, you're confirmed for {when}. See you then!",
        "reschedule_asked": "Thanks for letting us know. Someone from the clinic will "
        "contact you to find a new time. You can also call us at {phone} or book at "
        "{booking_url}. Your current appointment stays booked until it is moved.",
        "already_cancelled": "This appointment is already cancelled.",
        "link_used": "This appointment link has already been used. If you opened it on "
        "another phone, please use that chat, or ask the clinic for a new link.",
        "link_expired": "This appointment link has expired. Please ask the clinic for a new one.",
        "link_unknown": "I don't recognise this appointment link. Please check you copied all "
        "of it, or ask the clinic for a new one.",
        "link_cancelled": "This appointment has been cancelled, so there is nothing to link. "
        "Please contact the clinic if that's not right.",
        "not_yours": "I can't find that appointment in this chat. Send /start to see what I can "
        "do.",
        "has_passed": "That appointment ({when}) has passed, so nothing has changed. To book "
        "again, call {phone} or visit {booking_url}.",
        "cancel_sure": "Cancel your appointment on {when}?",
        "yes_cancel": "Yes, cancel it",
        "no_keep": "No, keep it",
        "cancelled": "Your appointment is cancelled and its reminders are stopped. To book "
        "again, call {phone} or visit {booking_url}.",
        "kept": "Good, your appointment on {when} stays booked.",
        "moved": "That button was for your appointment on {old}, which the clinic has "
        "moved: nothing has changed. Your appointment is now on {when}. Please answer for "
        "the new time below.",
        "soreness_noted": "Thank you, noted: soreness {score} out of 10.",
        "safety_fine": "Good to hear. Gentle movement, warmth and your usual pain relief can "
        "help with soreness. If anything worries you, call us at {phone}.",
    },
    FRENCH: {
        "appointment": "Rendez-vous",
        "time_zone": "heure {zone}",
        "label_colon": " : ",
        "where": "Lieu : ",
        "with": "Avec : ",
        "map": "Carte",
        "confirm": "Confirmer",
        "reschedule": "Changer l'heure",
        "cancel": "Annuler",
        "before_you_come": "Avant de venir : ",
        "let_us_know": "Dites-nous si vous pourrez venir.",
        "reminder_title": "Rappel de rendez-vous",
        "check_in": "Comment vous sentez-vous après votre traitement d'IMS d'hier? Une "
        "douleur musculaire pendant un jour ou deux est fréquente. Quelle est votre douleur "
        "en ce moment, de 0 (aucune) à 10 (la pire que vous puissiez imaginer)?",
        "check_in_title": "Suivi",
        "safety": "Encore une question : depuis votre traitement, avez-vous eu une douleur "
        "à la poitrine ou de la difficulté à reprendre votre souffle?",
        "safety_ok": "Non, ni l'un ni l'autre",
        "safety_chest": "Oui",
        "hello": "Bonjour {name}!",
        "hello_plain": "Bonjour!",
        "passed": "{hello} Ce lien est celui d'un rendez-vous à {clinic} dont l'heure est passée :",
        "call_again": "Pour une autre visite, appelez la clinique : {phone}.",
        "promise": "Je vous enverrai un rappel avant votre visite.",
        "confirmation": "Votre visite approche : ce message est votre confirmation, gardez-le.",
        "linked": "{hello} Cette conversation est maintenant liée à votre rendez-vous à {clinic}.",
        "intake_now": "{promise} Vous pouvez remplir le formulaire d'accueil dès maintenant, "
        "pour que votre clinicien le lise avant votre arrivée.",
        "intake_button": "Remplir mon formulaire d'accueil",
        "late": "Votre rendez-vous est dans moins de {hours} heures : appelez-nous pour "
        "l'annuler ou le déplacer, au {phone}.",
        "was_cancelled": "Ce rendez-vous a été annulé. Communiquez avec nous pour en prendre "
        "un autre.",
        "confirmed": "Merci, votre rendez-vous du {when} est confirmé. À bientôt!",
        "reschedule_asked": "Merci de nous avoir prévenus. Quelqu'un de la clinique vous "
        "contactera pour trouver une autre heure. Vous pouvez aussi nous appeler au {phone} "
        "ou réserver à {booking_url}. Votre rendez-vous actuel reste réservé tant qu'il "
        "n'est pas déplacé.",
        "already_cancelled": "Ce rendez-vous est déjà annulé.",
        "link_used": "Ce lien de rendez-vous a déjà servi. Si vous l'avez ouvert sur un autre "
        "téléphone, continuez dans cette conversation-là, ou demandez un nouveau lien à la "
        "clinique.",
        "link_expired": "Ce lien de rendez-vous a expiré. Demandez-en un nouveau à la clinique.",
        "link_unknown": "Je ne reconnais pas ce lien de rendez-vous. Vérifiez qu'il a été copié "
        "au complet, ou demandez-en un nouveau à la clinique.",
        "link_cancelled": "Ce rendez-vous a été annulé : il n'y a rien à relier. Communiquez "
        "avec la clinique si c'est une erreur.",
        "not_yours": "Je ne trouve pas ce rendez-vous dans cette conversation. Envoyez /start "
        "pour voir ce que je peux faire.",
        "has_passed": "Ce rendez-vous ({when}) est passé : rien n'a changé. Pour en prendre "
        "un autre, appelez au {phone} ou visitez {booking_url}.",
        "cancel_sure": "Annuler votre rendez-vous du {when}?",
        "yes_cancel": "Oui, l'annuler",
        "no_keep": "Non, le garder",
        "cancelled": "Votre rendez-vous est annulé et ses rappels sont arrêtés. Pour prendre "
        "un autre rendez-vous, appelez au {phone} ou allez à {booking_url}.",
        "kept": "Parfait, votre rendez-vous du {when} reste réservé.",
        "moved": "Ce bouton visait votre rendez-vous du {old}, que la clinique a déplacé : "
        "rien n'a changé. Votre rendez-vous est maintenant le {when}. Répondez pour la "
        "nouvelle heure ci-dessous.",
        "soreness_noted": "Merci, c'est noté : douleur de {score} sur 10.",
        "safety_fine": "Tant mieux. Bouger doucement, la chaleur et vos antidouleurs "
        "habituels peuvent soulager la douleur. Si quelque chose vous inquiète, appelez-nous "
        "au {phone}.",
    },
}


def _texts(language: str | None) -> dict[str, str]:
    return TEXTS[FRENCH if language == FRENCH else "en"]


def said(key: str, language: str | None, **values: object) -> str:
    """One of the appointment conversation's sentences in the patient's language."""
    return _texts(language)[key].format(**values)


# Canada's zones as patients say them; another zone keeps its IANA name.
ZONE_NAMES = {
    "en": {
        "Pacific": "Pacific",
        "Mountain": "Mountain",
        "Central": "Central",
        "Eastern": "Eastern",
        "Atlantic": "Atlantic",
        "Newfoundland": "Newfoundland",
    },
    "fr": {
        "Pacific": "du Pacifique",
        "Mountain": "des Rocheuses",
        "Central": "du Centre",
        "Eastern": "de l'Est",
        "Atlantic": "de l'Atlantique",
        "Newfoundland": "de Terre-Neuve",
    },
}
ZONE_OF = {
    "America/Vancouver": "Pacific",
    "America/Whitehorse": "Pacific",
    "America/Edmonton": "Mountain",
    "America/Yellowknife": "Mountain",
    "America/Winnipeg": "Central",
    "America/Regina": "Central",
    "America/Toronto": "Eastern",
    "America/Montreal": "Eastern",
    "America/Halifax": "Atlantic",
    "America/Moncton": "Atlantic",
    "America/St_Johns": "Newfoundland",
}


def zone_name(tz: ZoneInfo, language: str | None = None) -> str:
    """The clinic's time zone as a patient reads it: `Pacific time`, `heure du Pacifique`."""
    texts = _texts(language)
    common = ZONE_OF.get(tz.key)
    if common is None:
        return texts["time_zone"].format(zone=tz.key if language != FRENCH else f"de {tz.key}")
    names = ZONE_NAMES[FRENCH if language == FRENCH else "en"]
    return texts["time_zone"].format(zone=names[common])


def _in(clinic: Clinic, language: str | None) -> Clinic:
    """The clinic's facts as a reader of `language` sees them."""
    return clinic.in_french() if language == FRENCH else clinic


def when_text(starts_at: datetime, tz: ZoneInfo, language: str | None = None) -> str:
    """Day, date and time in the clinic's time zone, e.g. `Tuesday 10 March 2026 at 10:00`
    (in French `mardi 10 mars 2026 à 10 h`)."""
    return day_and_time(starts_at, tz, FRENCH if language == FRENCH else "en")


def _place(appointment: Appointment, clinic: Clinic) -> Location | None:
    if appointment.location_id is not None:
        return clinic.location(appointment.location_id)
    return clinic.locations[0] if len(clinic.locations) == 1 else None


def details(
    appointment: Appointment,
    kind: AppointmentType | None,
    clinic: Clinic,
    tz: ZoneInfo,
    language: str | None = None,
) -> list[str]:
    """The lines describing an appointment: what, when, where, with whom."""
    texts = _texts(language)
    label = kind.label_in(language) if kind is not None else texts["appointment"]
    zone = zone_name(tz, language)
    when = when_text(appointment.starts_at, tz, language)
    lines = [f"{label}{texts['label_colon']}{when} ({zone})"]
    place = _place(appointment, _in(clinic, language))
    if place is not None:
        lines.append(f"{texts['where']}{place.name}, {place.address}")
    if appointment.clinician:
        lines.append(f"{texts['with']}{appointment.clinician}")
    return lines


def _map_button(
    appointment: Appointment, clinic: Clinic, language: str | None = None
) -> tuple[Button, ...]:
    place = _place(appointment, clinic)
    if place is None or not place.map_url:
        return ()
    return (Button(_texts(language)["map"], url=place.map_url),)


def answer_buttons(appointment: Appointment, language: str | None = None) -> tuple[Button, ...]:
    """Confirm / Reschedule / Cancel for an appointment."""
    texts = _texts(language)
    return (
        Button(texts["confirm"], answer_action(CONFIRM, appointment)),
        Button(texts["reschedule"], answer_action(RESCHEDULE, appointment)),
        Button(texts["cancel"], answer_action(CANCEL, appointment)),
    )


def reminder_message(
    appointment: Appointment, kind: AppointmentType | None, clinic: Clinic, tz: ZoneInfo
) -> Reply:
    """The reminder before an appointment, with preparation notes and answer buttons, in
    the patient's language."""
    language = appointment.language
    texts = _texts(language)
    lines = details(appointment, kind, clinic, tz, language)
    if kind is not None and kind.preparation_in(language):
        lines += ["", f"{texts['before_you_come']}{kind.preparation_in(language)}"]
    lines += ["", texts["let_us_know"]]
    return Reply(
        "\n".join(lines),
        buttons=answer_buttons(appointment, language) + _map_button(appointment, clinic, language),
        title=texts["reminder_title"],
    )


def check_in_message(appointment: Appointment) -> Reply:
    """The morning-after question: how sore, 0 to 10."""
    texts = _texts(appointment.language)
    return Reply(
        texts["check_in"],
        buttons=tuple(Button(str(n), action(SORENESS, appointment.id, n)) for n in SORENESS_SCALE),
        title=texts["check_in_title"],
    )


def safety_question(appointment: Appointment) -> Reply:
    """The short safety check that follows the soreness answer."""
    texts = _texts(appointment.language)
    return Reply(
        texts["safety"],
        buttons=(
            Button(texts["safety_ok"], action(SAFETY, appointment.id, SAFETY_OK)),
            Button(texts["safety_chest"], action(SAFETY, appointment.id, SAFETY_CHEST)),
        ),
    )


def message_for(
    reminder_kind: str,
    appointment: Appointment,
    kind: AppointmentType | None,
    clinic: Clinic,
    tz: ZoneInfo,
) -> Reply:
    """The message an outbox row of `reminder_kind` sends."""
    if reminder_kind == CHECK_IN_KIND:
        return check_in_message(appointment)
    return reminder_message(appointment, kind, clinic, tz)


def greeting(
    appointment: Appointment,
    kind: AppointmentType | None,
    clinic: Clinic,
    tz: ZoneInfo,
    first_name: str | None,
    *,
    reminders_to_come: bool = True,
    passed: bool = False,
) -> Reply:
    """What a patient sees after opening their appointment link, in their language.

    Booked too close for any reminder, it is the confirmation itself and says so; opened
    after the visit's time, it says that instead of promising anything.
    """
    language = appointment.language
    texts = _texts(language)
    facts = _in(clinic, language)
    hello = texts["hello"].format(name=first_name) if first_name else texts["hello_plain"]
    if passed:
        lines = [
            texts["passed"].format(hello=hello, clinic=facts.name),
            "",
            *details(appointment, kind, clinic, tz, language),
            "",
            texts["call_again"].format(phone=facts.phone),
        ]
        return Reply("\n".join(lines))
    promise = texts["promise"] if reminders_to_come else texts["confirmation"]
    lines = [
        texts["linked"].format(hello=hello, clinic=facts.name),
        "",
        *details(appointment, kind, clinic, tz, language),
        "",
        texts["intake_now"].format(promise=promise),
    ]
    buttons = (Button(texts["intake_button"], action=intake_action(appointment)),)
    return Reply("\n".join(lines), buttons=buttons + _map_button(appointment, clinic, language))


def intake_action(appointment: Appointment) -> str:
    """Start the intake tied to this appointment (its reference reaches the clinician)."""
    action = f"intake:start:{appointment.ref}"
    fits = len(action.encode("utf-8")) <= MAX_ACTION_BYTES and ":" not in appointment.ref
    return action if fits else "intake:start"


def late_cancel_reply(clinic: Clinic, language: str | None = None) -> Reply:
    """Inside the late-cancellation window: the policy and the phone, no cancel button."""
    facts = _in(clinic, language)
    late = _texts(language)["late"].format(hours=clinic.late_cancellation_hours, phone=facts.phone)
    return Reply(f"{facts.cancellation_policy}\n\n{late}")


def has_passed(appointment: Appointment, now: datetime) -> bool:
    """Whether the appointment's time has come: its buttons can no longer change it."""
    return appointment.starts_at <= now


def in_late_window(appointment: Appointment, clinic: Clinic, now: datetime) -> bool:
    """Whether cancelling now would be late under the clinic's policy."""
    return appointment.starts_at - now < timedelta(hours=clinic.late_cancellation_hours)


def staff_line(appointment: Appointment, tz: ZoneInfo) -> str:
    """One line identifying an appointment for staff (reference and time, no patient text)."""
    local = appointment.starts_at.astimezone(tz)
    who = f", {appointment.clinician}" if appointment.clinician else ""
    return f"{appointment.ref} — {local:%a %d %b %H:%M}{who} ({appointment.type_id})"


def staff_alert(text: str, appointment: Appointment, tz: ZoneInfo) -> Reply:
    """A note for the staff chats about one appointment."""
    return staff_note(f"{text}\n{staff_line(appointment, tz)}", title="Appointments")
