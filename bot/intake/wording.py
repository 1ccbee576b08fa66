"""The words the intake's code says to a patient, in each language the form runs in.

The questions, choices and flag messages are the clinic's content (`intake_flow.yaml` and
its French version `intake_flow_fr.yaml`); what the engine and the screens add around them
(instructions, hints for an answer that does not fit, buttons such as Skip and Back, the
review, the stop and resume questions) is worded here. Each language gives only its words;
the code that uses them is the same for every language. A text with `{name}` fields is
filled with `str.format`.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.intake.flow import CONSENT_GIVERS

ENGLISH, FRENCH = "en", "fr"


@dataclass(frozen=True)
class IntakeWords:
    """Everything the intake's code says to a patient, in one language."""

    language: str
    # --- step kinds ---------------------------------------------------------------------
    tap_a_button: str
    tap_continue: str
    continue_button: str
    yes_no: tuple[str, str]
    consent_buttons: tuple[str, str]
    answer_yes_no: str
    consent_explicit: str  # why an "ok" does not give consent
    # A consent typed in this language at a form in another one: the form is now in this
    # language, or (when the clinic does not offer it) consent needs a text understood.
    consent_now_in_language: str
    consent_only_in: str  # {form_language} {agree}
    # A yes typed in another language once the patient has settled the form in this one.
    consent_in_form_language: str  # {agree}
    language_names: tuple[tuple[str, str], ...]  # (code, name in this language)
    scale_refused: str
    scale_half: str  # {low} {high}
    scale_prompt: str  # {low} {high}
    scale_none: str
    scale_most: str
    number_prompt: str  # {low} {high}
    text_prompt: str  # {limit}
    typed_question_confirm: str  # {typed}
    ask_question_button: str
    typed_command_confirm: str  # {typed}
    save_typed: str  # {typed}
    retype: str
    multi_instruction: str
    regions_instruction: str
    duration_instruction: str
    selected: str  # {chosen}
    done_button: str
    choose_one: str  # {extra}
    choose_one_none: str  # {none}
    choose_area: str
    side_refused: str
    side_prompt: str  # {label}
    worst_default: str
    kept_others: str
    noted: str
    noted_ask: str  # {ask}
    sides: tuple[str, str, str]  # left, right, both (buttons)
    side_words: tuple[str, str, str, str]  # left, right, both, worst (in a review line)
    typed_duration: str  # {bucket} {typed}
    since_date: str  # {began}
    skipped: str
    none_chosen: str
    # --- typed-answer hints ---------------------------------------------------------------
    option_hint: str  # {numbered}
    options_hint: str  # {numbered}: a question taking several answers
    unsure_hint: str  # {named}
    unmatched_hint: str  # {said} {numbered}
    number_only: str  # {bounds} {example}
    whole_number: str  # {bounds}
    out_of_range: str  # {bounds}
    bounds: str  # {low} {high}
    text_too_long: str  # {length} {limit}
    text_empty: str
    future_date: str
    amount_without_unit: str  # {amount}
    duration_hint: str  # {example_date}
    # --- the engine and the screens -----------------------------------------------------------
    progress: str  # {position} {total}
    progress_follow_up: str  # {position} {total}
    submit_button: str
    review_intro: str
    review_title: str
    change_button: str  # {number}
    change_page_button: str  # {first} {last}
    back_to_review: str
    skip_button: str
    back_button: str
    pick_review_answer: str  # {first} {last}
    review_hint: str
    needs_answer: str
    first_question: str
    hello_again: str
    you_are_welcome: str
    form_changed: str
    answer_so_far: str  # {answer}
    # --- the conversation ------------------------------------------------------------------
    moved_on: str
    flag_titles: tuple[str, str, str]  # emergency, urgent, attention
    paused: str
    carry_on_button: str
    private_chat_only: str
    stopped_offer: str  # {started}
    continue_button_resume: str
    start_over_button: str
    where_review: str
    where_start: str
    where_question: str  # {line}
    where_follow_up: str  # {line}
    resume_offer: str  # {started} {where}
    form_updated: str
    stop_question: str
    stop_yes: str
    stop_no: str
    resume_refused: str
    form_waiting: str
    back_to_form: str
    form_closed: str
    fill_in_button: str
    flow_gone: str
    start_new_button: str
    nothing_saved: str
    emergency_stopped: str
    form_sent_title: str
    form_title: str
    sent_offer: str  # {when}
    already_sent: str  # {when}: a button of a form that was sent already
    new_form_button: str
    my_data_button: str
    # --- asked before a typed answer is taken (round 10) ----------------------------------
    did_you_mean: str  # {label}
    yes_that: str  # {label}
    no_not_that: str
    back_or_area: str  # {areas}
    go_back_button: str
    not_saved: str  # {chosen}
    ratings_disagree: str  # {now} {other} {which}
    ratings_keep: str  # {value}
    ratings_change: str
    ratings_which: tuple[str, str]  # worst, least
    # --- who gives the answer to consent to treatment (round 17) ----------------------------
    consent_given_by: str  # {answer}
    # (label, typed aliases) for each of flow.CONSENT_GIVERS, in that order.
    consent_givers: tuple[tuple[str, tuple[str, ...]], ...]
    # The same people as a record names them (the clinician's summary, the FHIR export).
    givers_on_record: tuple[str, ...]
    # The FHIR Questionnaire's items recorded with that answer: version, time, who gave it.
    consent_record_items: tuple[str, str, str]


ENGLISH_WORDS = IntakeWords(
    language=ENGLISH,
    tap_a_button="Please tap a button.",
    tap_continue="Tap Continue when you are ready.",
    continue_button="Continue",
    yes_no=("Yes", "No"),
    consent_buttons=("Yes, I agree", "No"),
    answer_yes_no="Please answer yes or no.",
    consent_explicit=(
        "Sharing your health information needs a clear yes from you: tap 'Yes, I agree' "
        "or 'No' (or type yes or no)."
    ),
    consent_now_in_language=(
        "You answered in English, so here is this question in English, and the rest of the "
        "form will be in English too. Please read it, then give your answer."
    ),
    consent_only_in=(
        "You answered in English, but this form is only in {form_language}. Consent counts "
        "only for a text you have understood: if you understood this one, tap “{agree}”; "
        "if not, please ask the clinic to go through it with you before you answer."
    ),
    consent_in_form_language=(
        "This form is in English, and consent counts for the text you read: if you agree "
        "with the text above, tap “{agree}” or type yes."
    ),
    language_names=(("en", "English"), ("fr", "French")),
    scale_refused=(
        "Please give a whole number from 0 to 10, for example 7 or 7/10 "
        "(0 means none, 10 the most)."
    ),
    scale_half=(
        "{low} and a half is between two numbers of this scale: tap or type {low} or "
        "{high}, whichever is nearer to how it feels."
    ),
    scale_prompt="0 = {low}, 10 = {high}. Tap a number or type it.",
    scale_none="none",
    scale_most="the most",
    number_prompt="(Type a number from {low} to {high}.)",
    text_prompt="(Type your answer, up to {limit} characters.)",
    typed_question_confirm=(
        "You typed “{typed}”. Is that your answer to this question, or a question you "
        "would like us to answer first?"
    ),
    ask_question_button="It's a question: answer it",
    typed_command_confirm=(
        "You typed “{typed}”. Is that your answer to this question, or did you mean it as "
        "an instruction?"
    ),
    save_typed="Yes, save “{typed}”",
    retype="No, I'll type my answer",
    multi_instruction="Choose all that apply, then tap Done.",
    regions_instruction="Choose every area that hurts, then tap Done.",
    duration_instruction=(
        'Choose one, or type how long (for example "about 8 months" or "2 yrs") '
        'or when it began (for example "since March").'
    ),
    selected="Selected: {chosen}",
    done_button="Done ✔",
    choose_one="Please choose at least one option{extra}, then Done.",
    choose_one_none=" (or '{none}')",
    choose_area="Please choose at least one area, then Done.",
    side_refused="Please answer left, right or both (your own left and right).",
    side_prompt="Which side is the {label} pain on? (Your own left or right.)",
    worst_default="Which of these areas bothers you most?",
    kept_others=" I have kept the others.",
    noted="Noted. Add more, or type done (or tap Done) when that is all.",
    noted_ask="Noted. {ask}",
    sides=("Left", "Right", "Both sides"),
    side_words=("left", "right", "both", "worst"),
    typed_duration="{bucket} (typed: “{typed}”)",
    since_date="since {began}",
    skipped="(skipped)",
    none_chosen="None",
    option_hint="Please tap a button, or type the number or name of one option ({numbered}).",
    options_hint=(
        "Please tap the options that apply, or type their numbers or names ({numbered}), then Done."
    ),
    unsure_hint=(
        "To record this safely: if you have {named}, tap it or type its number. "
        "If not, leave it unticked."
    ),
    unmatched_hint=(
        "I could not match {said}. Type the numbers or names of the options that apply, "
        "separated by commas ({numbered}), or tap them and then Done."
    ),
    number_only="Please type just a number {bounds}, for example {example}.",
    whole_number="Please type a whole number {bounds}.",
    out_of_range="That number is out of range: please type a number {bounds}.",
    bounds="between {low} and {high}",
    text_too_long=(
        "That is {length} characters; please keep it under {limit}. "
        "A short summary is fine: you can tell your physiotherapist the rest."
    ),
    text_empty="Please type a short answer.",
    future_date="That date is in the future; please type the date the pain began.",
    amount_without_unit=(
        '{amount} what? Please add weeks, months or years, for example "{amount} months", '
        "or tap one of the buttons."
    ),
    duration_hint=(
        'Please tap one of the buttons, or type how long, such as "about 8 months", '
        '"6 weeks" or "2 yrs", or when it began, such as "since March" or {example_date}.'
    ),
    progress="Question {position} of {total}",
    progress_follow_up="Follow-up to question {position} of {total}",
    submit_button="Send to the clinic ✔",
    review_intro=(
        "Please check your answers. To change one, tap the button with its number, or type "
        "'change' and the number (for example 'change 3')."
    ),
    review_title="Review your answers",
    change_button="Change {number}",
    change_page_button="Change {first} to {last}",
    back_to_review="« Back to all answers",
    skip_button="Skip",
    back_button="« Back",
    pick_review_answer="Please pick an answer from {first} to {last}.",
    review_hint="Tap 'Send to the clinic' (or type 'send'), or 'Change 3' to edit answer 3.",
    needs_answer="This question needs an answer to continue.",
    first_question="This is the first question; there is nothing before it.",
    hello_again=(
        "Hello! We are in the middle of your intake form; your answers so far are "
        "saved. Here is the question again:"
    ),
    you_are_welcome="You're welcome. Here is the question again:",
    form_changed="This form has changed; send /intake to see where you are.",
    answer_so_far="Your answer so far: {answer}",
    moved_on="That question has moved on. Here is where you are now:",
    flag_titles=("Please get help now", "Please see a doctor soon", "A note for you"),
    paused=(
        "I have stopped the form for now. Your answers so far are kept. Send /intake (or "
        "tap below) whenever you want to carry on where you left off."
    ),
    carry_on_button="Carry on with my form",
    private_chat_only="Please fill in the intake form in a private chat with me.",
    stopped_offer=(
        "Your intake form from {started} was stopped because an answer can mean an "
        "emergency, and the clinic was told. If you are safe and it was a mistake, you can "
        "continue where you left off (the clinic still sees that it was stopped), or start "
        "over."
    ),
    continue_button_resume="Continue",
    start_over_button="Start over",
    where_review="the review of your answers",
    where_start="the start",
    where_question="{line}",
    where_follow_up="the {line}",
    resume_offer=(
        "You have an unfinished intake form from {started}; you were at {where}. Continue "
        "where you left off, or start over?"
    ),
    form_updated=(
        "The clinic has updated the form since you started. If you continue, you finish "
        "the version you began; if you start over, you get the new one."
    ),
    stop_question=(
        "Do you want to stop the form for now? Your answers so far are kept, and you can "
        "carry on later with /intake."
    ),
    stop_yes="Yes, stop for now",
    stop_no="No, carry on",
    resume_refused=(
        "Please tap Continue to pick up where you left off, or Start over for a new form "
        '(or type "continue" or "start over").'
    ),
    form_waiting="Your intake form is waiting where you left it.",
    back_to_form="Back to my intake form",
    form_closed="That form is no longer open. Send /intake to start a new one.",
    fill_in_button="Fill in my intake form",
    flow_gone=(
        "The form you started has been replaced by the clinic and cannot be continued. "
        "Please start the new one."
    ),
    start_new_button="Start the new form",
    nothing_saved="Nothing has been saved.",
    emergency_stopped=(
        "I have stopped the intake form and let the clinic know. Your answers so far are "
        "saved. Please get help now; the clinic will follow up."
    ),
    form_sent_title="Form sent",
    form_title="Intake form",
    sent_offer=(
        "You already sent your intake form, on {when} (clinic time), and the clinic has it. "
        "You only need a new one if something has changed, such as new pain or new health "
        "news. Start a new form, or see what I keep about you?"
    ),
    already_sent="That form was already sent to the clinic, on {when} (clinic time). "
    "Nothing more to do.",
    new_form_button="Start a new form",
    my_data_button="See what you keep (/mydata)",
    did_you_mean="Did you mean {label}?",
    yes_that="Yes, {label}",
    no_not_that="No",
    back_or_area=(
        "Did you mean “back” as an instruction (go to the previous question), or where it "
        "hurts? For the back, tap or type {areas}."
    ),
    go_back_button="Go to the previous question",
    not_saved="Not saved: {chosen} (choose again when you come back to that question).",
    ratings_disagree=(
        "You rated your pain now {now}/10, and {which} {other}/10. Is {other}/10 right?"
    ),
    ratings_keep="Yes, {value}/10 is right",
    ratings_change="No, I'll change it",
    ratings_which=("at its worst over the last week", "at its least over the last week"),
    consent_given_by="You answered “{answer}”. Who is giving this answer?",
    consent_givers=(
        ("The patient, for themselves", ("me", "myself", "the patient", "i am the patient")),
        (
            "A parent or legal guardian of the patient",
            ("parent", "guardian", "legal guardian", "mother", "father", "mom", "mum", "dad"),
        ),
        (
            "A substitute decision-maker for the patient",
            ("substitute decision maker", "decision maker", "power of attorney"),
        ),
        (
            "Someone typing for the patient, passing on the patient's own answer",
            ("helper", "someone helping", "i am helping", "passing on"),
        ),
    ),
    givers_on_record=(
        "the patient",
        "a parent or legal guardian",
        "a substitute decision-maker",
        "the patient, through someone typing for them",
    ),
    consent_record_items=(
        "Version of the consent text shown",
        "When the patient answered",
        "Who gave this answer",
    ),
)

FRENCH_WORDS = IntakeWords(
    language=FRENCH,
    tap_a_button="Touchez un des boutons, s'il vous plaît.",
    tap_continue="Touchez Continuer quand vous êtes prêt ou prête.",
    continue_button="Continuer",
    yes_no=("Oui", "Non"),
    consent_buttons=("Oui, j'accepte", "Non"),
    answer_yes_no="Répondez par oui ou par non, s'il vous plaît.",
    consent_explicit=(
        "Pour partager vos renseignements de santé, il faut un oui clair de votre part : "
        "touchez « Oui, j'accepte » ou « Non » (ou écrivez oui ou non)."
    ),
    consent_now_in_language=(
        "Vous avez répondu en français : voici donc cette question en français, et la suite "
        "du formulaire sera en français aussi. Lisez-la, puis donnez votre réponse."
    ),
    consent_only_in=(
        "Vous avez répondu en français, mais ce formulaire n'existe qu'en {form_language}. "
        "Un consentement ne vaut que pour un texte que vous avez compris : si vous avez "
        "compris celui-ci, touchez « {agree} »; sinon, demandez à la clinique de le "
        "parcourir avec vous avant de répondre."
    ),
    consent_in_form_language=(
        "Ce formulaire est en français, et un consentement vaut pour le texte que vous avez "
        "lu : si vous acceptez le texte ci-dessus, touchez « {agree} » ou écrivez oui."
    ),
    language_names=(("en", "anglais"), ("fr", "français")),
    scale_refused=(
        "Donnez un nombre entier de 0 à 10, par exemple 7 ou 7/10 "
        "(0 veut dire aucune douleur, 10 la pire)."
    ),
    scale_half=(
        "{low} et demi se situe entre deux nombres de cette échelle : touchez ou écrivez "
        "{low} ou {high}, celui qui est le plus proche de ce que vous ressentez."
    ),
    scale_prompt="0 = {low}, 10 = {high}. Touchez un nombre ou écrivez-le.",
    scale_none="aucune",
    scale_most="la pire",
    number_prompt="(Écrivez un nombre de {low} à {high}.)",
    text_prompt="(Écrivez votre réponse, {limit} caractères au maximum.)",
    typed_question_confirm=(
        "Vous avez écrit « {typed} ». Est-ce votre réponse à cette question, ou une question "
        "à laquelle vous aimeriez une réponse d'abord?"
    ),
    ask_question_button="C'est une question : répondez-y",
    typed_command_confirm=(
        "Vous avez écrit « {typed} ». Est-ce votre réponse à cette question, ou une "
        "consigne pour le formulaire?"
    ),
    save_typed="Oui, garder « {typed} »",
    retype="Non, je vais écrire ma réponse",
    multi_instruction="Choisissez tout ce qui s'applique, puis touchez Terminé.",
    regions_instruction="Choisissez chaque endroit où vous avez mal, puis touchez Terminé.",
    duration_instruction=(
        "Choisissez une réponse, ou écrivez depuis combien de temps (par exemple "
        "« environ 8 mois » ou « 2 ans ») ou quand la douleur a commencé (par exemple "
        "« depuis mars »)."
    ),
    selected="Votre choix : {chosen}",
    done_button="Terminé ✔",
    choose_one="Choisissez au moins une réponse{extra}, puis Terminé.",
    choose_one_none=" (ou « {none} »)",
    choose_area="Choisissez au moins un endroit, puis Terminé.",
    side_refused="Répondez gauche, droite ou les deux (votre gauche et votre droite à vous).",
    side_prompt="De quel côté est la douleur ({label})? Votre gauche ou votre droite à vous.",
    worst_default="Lequel de ces endroits vous dérange le plus?",
    kept_others=" J'ai gardé les autres.",
    noted=(
        "C'est noté. Ajoutez-en d'autres, ou écrivez « terminé » (ou touchez Terminé) "
        "quand c'est tout."
    ),
    noted_ask="C'est noté. {ask}",
    sides=("Gauche", "Droite", "Les deux côtés"),
    side_words=("gauche", "droite", "les deux", "le pire"),
    typed_duration="{bucket} (écrit : « {typed} »)",
    since_date="depuis le {began}",
    skipped="(passée)",
    none_chosen="Aucun",
    option_hint=(
        "Touchez un bouton, ou écrivez le numéro ou le nom d'une des réponses ({numbered})."
    ),
    options_hint=(
        "Touchez les réponses qui s'appliquent, ou écrivez leurs numéros ou leurs noms "
        "({numbered}), puis Terminé."
    ),
    unsure_hint=(
        "Pour bien noter votre réponse : si vous avez {named}, touchez-le ou écrivez son "
        "numéro. Sinon, ne le cochez pas."
    ),
    unmatched_hint=(
        "Je n'ai pas reconnu {said}. Écrivez les numéros ou les noms des réponses qui "
        "s'appliquent, séparés par des virgules ({numbered}), ou touchez-les puis Terminé."
    ),
    number_only="Écrivez seulement un nombre {bounds}, par exemple {example}.",
    whole_number="Écrivez un nombre entier {bounds}.",
    out_of_range="Ce nombre n'est pas dans les limites : écrivez un nombre {bounds}.",
    bounds="entre {low} et {high}",
    text_too_long=(
        "Votre réponse a {length} caractères; gardez-la sous {limit}, s'il vous plaît. "
        "Un court résumé suffit : vous pourrez dire le reste à votre physiothérapeute."
    ),
    text_empty="Écrivez une courte réponse, s'il vous plaît.",
    future_date=(
        "Cette date est dans le futur; écrivez la date où la douleur a commencé, s'il vous plaît."
    ),
    amount_without_unit=(
        "{amount} quoi? Ajoutez semaines, mois ou années, par exemple « {amount} mois », "
        "ou touchez un des boutons."
    ),
    duration_hint=(
        "Touchez un des boutons, ou écrivez depuis combien de temps, comme « environ 8 "
        "mois », « 6 semaines » ou « 2 ans », ou quand la douleur a commencé, comme "
        "« depuis mars » ou {example_date}."
    ),
    progress="Question {position} sur {total}",
    progress_follow_up="Suite de la question {position} sur {total}",
    submit_button="Envoyer à la clinique ✔",
    review_intro=(
        "Vérifiez vos réponses, s'il vous plaît. Pour en changer une, touchez le bouton qui "
        "porte son numéro, ou écrivez « changer » et le numéro (par exemple « changer 3 »)."
    ),
    review_title="Vérifiez vos réponses",
    change_button="Changer {number}",
    change_page_button="Changer {first} à {last}",
    back_to_review="« Retour à toutes les réponses",
    skip_button="Passer",
    back_button="« Retour",
    pick_review_answer="Choisissez une réponse de {first} à {last}.",
    review_hint=(
        "Touchez « Envoyer à la clinique » (ou écrivez « envoyer »), ou « Changer 3 » pour "
        "modifier la réponse 3."
    ),
    needs_answer="Cette question demande une réponse pour continuer.",
    first_question="C'est la première question; il n'y a rien avant.",
    hello_again=(
        "Bonjour! Nous sommes au milieu de votre formulaire d'accueil; vos réponses sont "
        "enregistrées. Voici de nouveau la question :"
    ),
    you_are_welcome="Ça me fait plaisir. Voici de nouveau la question :",
    form_changed="Ce formulaire a changé; envoyez /intake pour voir où vous en êtes.",
    answer_so_far="Votre réponse jusqu'ici : {answer}",
    moved_on="Cette question est déjà passée. Voici où vous en êtes :",
    flag_titles=(
        "Obtenez de l'aide maintenant",
        "Consultez un médecin bientôt",
        "Une note pour vous",
    ),
    paused=(
        "J'ai arrêté le formulaire pour l'instant. Vos réponses sont gardées. Envoyez "
        "/intake (ou touchez le bouton ci-dessous) quand vous voulez continuer là où vous "
        "étiez."
    ),
    carry_on_button="Continuer mon formulaire",
    private_chat_only=(
        "Remplissez le formulaire d'accueil dans une conversation privée avec moi, s'il vous plaît."
    ),
    stopped_offer=(
        "Votre formulaire d'accueil du {started} a été arrêté parce qu'une réponse peut "
        "indiquer une urgence, et la clinique a été avertie. Si vous êtes en sécurité et que "
        "c'était une erreur, vous pouvez continuer là où vous étiez (la clinique verra quand "
        "même qu'il a été arrêté) ou recommencer."
    ),
    continue_button_resume="Continuer",
    start_over_button="Recommencer",
    where_review="la vérification de vos réponses",
    where_start="au début",
    where_question="à la {line}",
    where_follow_up="à la {line}",
    resume_offer=(
        "Vous avez un formulaire d'accueil non terminé du {started}; vous étiez {where}. "
        "Voulez-vous continuer là où vous étiez ou recommencer?"
    ),
    form_updated=(
        "La clinique a mis le formulaire à jour depuis que vous l'avez commencé. Si vous "
        "continuez, vous terminez la version commencée; si vous recommencez, vous aurez la "
        "nouvelle."
    ),
    stop_question=(
        "Voulez-vous arrêter le formulaire pour l'instant? Vos réponses sont gardées et "
        "vous pourrez continuer plus tard avec /intake."
    ),
    stop_yes="Oui, arrêter pour l'instant",
    stop_no="Non, continuer",
    resume_refused=(
        "Touchez Continuer pour reprendre là où vous étiez, ou Recommencer pour un nouveau "
        "formulaire (ou écrivez « continuer » ou « recommencer »)."
    ),
    form_waiting="Votre formulaire d'accueil vous attend là où vous l'avez laissé.",
    back_to_form="Retour à mon formulaire",
    form_closed="Ce formulaire n'est plus ouvert. Envoyez /intake pour en commencer un nouveau.",
    fill_in_button="Remplir mon formulaire d'accueil",
    flow_gone=(
        "Le formulaire que vous aviez commencé a été remplacé par la clinique et ne peut "
        "plus être continué. Commencez le nouveau, s'il vous plaît."
    ),
    start_new_button="Commencer le nouveau formulaire",
    nothing_saved="Rien n'a été enregistré.",
    emergency_stopped=(
        "J'ai arrêté le formulaire d'accueil et averti la clinique. Vos réponses sont "
        "enregistrées. Obtenez de l'aide maintenant; la clinique fera un suivi."
    ),
    form_sent_title="Formulaire envoyé",
    form_title="Formulaire d'accueil",
    sent_offer=(
        "Vous avez déjà envoyé votre formulaire d'accueil, le {when} (heure de la clinique), "
        "et la clinique l'a reçu. Un nouveau formulaire n'est utile que si quelque chose a "
        "changé, comme une nouvelle douleur ou un nouveau problème de santé. Voulez-vous en "
        "commencer un nouveau, ou voir ce que je garde à votre sujet?"
    ),
    already_sent="Ce formulaire a déjà été envoyé à la clinique, le {when} (heure de la "
    "clinique). Il n'y a rien d'autre à faire.",
    new_form_button="Commencer un nouveau formulaire",
    my_data_button="Voir ce que vous gardez (/mydata)",
    did_you_mean="Vouliez-vous dire {label}?",
    yes_that="Oui, {label}",
    no_not_that="Non",
    back_or_area=(
        "Vouliez-vous dire « retour » comme instruction (revenir à la question précédente), "
        "ou l'endroit où ça fait mal? Pour le dos, touchez ou écrivez {areas}."
    ),
    go_back_button="Revenir à la question précédente",
    not_saved=("Pas enregistré : {chosen} (choisissez de nouveau en revenant à cette question)."),
    ratings_disagree=(
        "Vous avez noté votre douleur actuelle {now}/10, et {which} {other}/10. "
        "Est-ce bien {other}/10?"
    ),
    ratings_keep="Oui, {value}/10 est juste",
    ratings_change="Non, je vais corriger",
    ratings_which=(
        "à son pire au cours de la dernière semaine",
        "à son plus faible au cours de la dernière semaine",
    ),
    consent_given_by="Vous avez répondu « {answer} ». Qui donne cette réponse?",
    consent_givers=(
        ("Le patient ou la patiente, en son propre nom", ("moi", "moi-même", "moi meme")),
        (
            "Un parent ou un tuteur légal du patient",
            ("parent", "tuteur", "tutrice", "mère", "mere", "père", "pere", "maman", "papa"),
        ),
        (
            "Un mandataire qui décide pour le patient",
            ("mandataire", "mandataire spécial", "procuration"),
        ),
        (
            "Quelqu'un qui écrit pour le patient et transmet sa propre réponse",
            ("aidant", "aidante", "quelqu'un qui aide", "je l'aide"),
        ),
    ),
    givers_on_record=(
        "le patient ou la patiente",
        "un parent ou un tuteur légal",
        "un mandataire spécial",
        "le patient ou la patiente, par une personne qui écrit pour lui ou elle",
    ),
    consent_record_items=(
        "Version du texte de consentement montré",
        "Moment où la réponse a été donnée",
        "Personne qui a donné cette réponse",
    ),
)

WORDS = {ENGLISH: ENGLISH_WORDS, FRENCH: FRENCH_WORDS}
LANGUAGE_NAMES = dict(ENGLISH_WORDS.language_names)


def words_for(language: str) -> IntakeWords:
    """The intake's words in `language` (English for a language the form does not speak)."""
    return WORDS.get(language, ENGLISH_WORDS)


def giver_on_record(giver: str, language: str = ENGLISH) -> str:
    """Who gave a consent answer (an id of flow.CONSENT_GIVERS) as a record in `language`
    names them; an unknown id as stored."""
    if giver not in CONSENT_GIVERS:
        return giver
    return words_for(language).givers_on_record[CONSENT_GIVERS.index(giver)]


def language_name(language: str, reader: str) -> str:
    """The name of `language` as a reader of `reader` writes it ("anglais" for French)."""
    return dict(words_for(reader).language_names).get(language, language)
