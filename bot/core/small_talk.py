"""Small talk: greetings, thanks, goodbyes, acknowledgements and rudeness.

Small talk is not a question: the FAQ gives it a short friendly reply with the menu, never
the "I don't know" fallback, and never keeps it as unanswered. The intake reads it too, to
say a kind word back when a greeting or thanks is typed instead of an answer.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Literal

from bot.core.english import english_frequencies, one_slip_away
from bot.core.text import WORDS_CACHE_SIZE, normalise, word_set

SmallTalkKind = Literal["greeting", "thanks", "goodbye", "acknowledgement", "rudeness", "identity"]
MAX_SMALL_TALK_WORDS = 8

# Words that make a message small talk, by kind; a message is small talk when every word
# is one of these or a word that carries no question (SMALL_TALK_GLUE), and it has at
# least one of them. Checked in this order: "thanks, bye" is a goodbye.
SMALL_TALK_WORDS: dict[SmallTalkKind, frozenset[str]] = {
    "rudeness": word_set(
        """stupid dumb useless idiot idiotic suck sucks sucky rubbish garbage trash
        pointless terrible awful worst hate crap crappy lame shit wtf ffs ugh whatever meh
        unhelpful frustrating frustrated annoying annoyed ridiculous waste seriously
        smh argh worthless hopeless clueless moron morons joke bs bullshit fuck fucking
        pathetic dumbest stupidest rude nul nulle inutile stupide debile"""
    ),
    # "Are you a bot?", "is this a real person?": read from set phrases (_IDENTITY_RE) into
    # this one cue, which no typed word can be (normalised words have no "?").
    "identity": frozenset({"<bot?>"}),
    "goodbye": word_set(
        """bye goodbye byebye cya later farewell quit exit stop done finished leave
        goodnight night ttyl adios sayonara ciao tata toodles tootles buhbye gtg g2g
        ttfn cheerio laters peace fairwell revoir bientot"""
    ),
    "thanks": word_set(
        """thanks thank thx ty tysm cheers appreciated appreciate grateful helpful
        helped ta thanx thankyou thnx tks merci thanq tq tqvm thankful gratitude obliged
        gracias danke kudos legend lifesaver champ tyvm thnks thks thanku thankyu tyty
        mercis remercie remercions love loved"""
    ),
    "greeting": word_set(
        """hi hello hey heya hiya howdy yo greetings morning afternoon evening sup hii hiii
        heyy heyyy helo hallo hullo hola gday aloha namaste salutations bonjour salut ahoy
        heyo bonsoir allo coucou bjr slt"""
    ),
    "acknowledgement": word_set(
        """ok okay k kk okey alright fine sure cool great good nice perfect awesome
        yes yeah yep yup no nope nah got understood noted gotcha right lol haha hehe
        lmao hmm hm um uh oh ah wow nvm nevermind excellent brilliant amazing fantastic
        wonderful lovely super sweet np sorry oops whoops oopsie okk okie okey dokey dokie
        alrighty righto roger ack yea ya mhm mmhm uh huh aha ahh ooh rofl lmfao xd true
        indeed kewl gr8 coolio omg apologies apology apologize apologise dac
        daccord parfait genial compris entendu desole desolee pardon oups top nickel"""
    ),
}
# Words small talk is made of besides its cue words ("thank you so much", "this is a
# stupid bot", "how are you").
SMALL_TALK_GLUE = word_set(
    """a an the you your u ur it this that is are am i me my we so very really just all
    for now too bot robot chat chatbot thing there again see good day have nice to and
    of with then ok anyway being s not ever one much kindly ya talk
    soo lot lots ton tons heaps bunch million totally truly super such pretty quite
    absolutely helps useful info information answer answers reply was were at
    honestly frankly literally actually well help many today mate buddy pal friend dude
    man guys folks everyone everybody dear machine assistant ai helper program computer
    assistance time response responses effort efforts replies answering replying all
    again once more x xx xo oh ah been lately right with today fine day this helping out
    assisting cooperation providing gave given did want would like need let will we glad happy
    pleased chatting talking speaking conversation quick fast prompt speedy clear detailed
    service wait yourself special sincere
    c est tu vous toi je j me m le la les un une de du et tres vraiment beaucoup bcp mille
    fois encore bien tout ca cela pour votre ton ta mon ma aide reponse infiniment bon
    bonne madame monsieur"""
)
_SMALL_TALK_KNOWN = SMALL_TALK_GLUE.union(*SMALL_TALK_WORDS.values())
# Words stretched for emphasis ("sooo", "thanksss") reach here with their held letters read
# as two (`normalise`); a word not known that way is read with one of them.
_DOUBLED_RE = re.compile(r"([a-z])\1")
_STRETCHED_RE = re.compile(r"(\w)\1{2,}")
# A word not known and no English word, one slip from a cue word at least this long, is
# taken for that cue ("thansk", "goodbey"); shorter words are too easily another word.
MIN_SLIP_LENGTH = 5
_SLIP_CUES = frozenset(
    w for words in SMALL_TALK_WORDS.values() for w in words if len(w) >= MIN_SLIP_LENGTH
)
# Asking whether a person or a machine is answering: "are you a bot?", "r u human", "is
# this a real person or an AI?", "am I talking to a robot", "who am I chatting with".
_MACHINE_OR_PERSON = (
    r"(?:(?:a|an|some) )?(?:(?:real|actual|live|living|automated|automatic|computer|ai|real life"
    r"|human|programmed|artificial) )*(?:bot|robot|chatbot|chat bot|machine|computer|ai|a i"
    r"|human being|human|person|people|program|automated|automatic|real|fake|alive"
    r"|someone real|somebody real|someone|somebody|artificial intelligence|auto ?reply"
    r"|autoresponder|software|ai device|ai assistant|virtual assistant"
    r"|recording)(?: in real life)?"
)
_FRENCH_MACHINE = (
    r"(?:robot|bot|humain|humaine|etre humain|personne|machine|ia|ordinateur|programme|automate"
    r"|repondeur)"
)
_IDENTITY_RE = re.compile(
    r"\b(?:(?:(?:(?:please )?tell me|(?:i )?(?:want|need|would like|wanna) (?:to )?know"
    r"|(?:i am )?curious(?: to know)?|may i know"
    r"|can (?:you|u) tell me)(?: now)? )?(?:if|whether) (?:you are|you re|u r|ur|this is|it is)"
    r"|(?:are|r) (?:you|u)|is (?:this|that|it)|(?:you|u) (?:sound|seem|talk|write|type) like"
    r"|(?:you are|u r|ur|your(?= an? ))"  # "your a bot": a slip of "you're"
    r"|am i (?:talking|chatting|speaking|texting|writing|messaging) (?:to|with))"
    r"(?: (?:really|actually|truly|even|just|definitely|secretly|honestly))?"
    rf" {_MACHINE_OR_PERSON}(?: or (?:(?:are|r) (?:you|u) |is (?:it|this|that|there) |is )?"
    rf"(?:not|what|something|{_MACHINE_OR_PERSON})"
    # "... or is somebody actually typing?"
    r"(?: (?:really|actually))?(?: (?:typing|there|answering|replying|writing|reading))?"
    # "you're a robot, aren't you?", "a bot, right?"
    r"|(?: (?:are|r) not (?:you|u)| (?:right|huh|eh|yeah)))?\b"
    # Said rather than asked: "so you're just an AI", "i think you are a bot".
    r"|\b(?:i (?:think|guess|bet|suppose) )?(?:you|u) (?:are|r)(?: (?:just|only|really|actually"
    rf"|obviously|clearly|definitely|not))? {_MACHINE_OR_PERSON}\b"
    r"|\b(?:do (?:you|u) (?:consider yourself|think (?:you|u) are)|would (?:you|u) (?:say|consider)"
    rf" (?:you are|yourself)|(?:are|r) (?:you|u) considered) {_MACHINE_OR_PERSON}\b"
    r"|\bwho (?:am i|is this|are you)(?: (?:talking|chatting|speaking|texting) (?:to|with))?\b"
    rf"|\bwhat are you(?: {_MACHINE_OR_PERSON}(?: or {_MACHINE_OR_PERSON})?)?\b"
    # In French: "es-tu un robot?", "êtes-vous une vraie personne?", "suis-je en train de
    # parler à une machine?".
    r"|\b(?:es tu|etes vous|est ce que (?:tu es|vous etes|c est)|tu es|vous etes|c est"
    r"|(?:suis je en train de|est ce que je) (?:parle|parler|discute|discuter) (?:a|avec))"
    rf"(?: (?:vraiment|juste|seulement))?(?: (?:un|une))?(?: (?:vrai|vraie))? {_FRENCH_MACHINE}"
    rf"(?: ou (?:un |une )?(?:vrai |vraie )?(?:pas|{_FRENCH_MACHINE}))?\b"
)
# Laughter typed out ("hahaha", "hehe", "lolol", "jajaja"), read as "lol".
_LAUGHTER_RE = re.compile(
    r"\b(?:a?(?:ha)+h?|(?:he)+h?|(?:hi){2,}|(?:ja){2,}|lo+l(?:o+l)*|lmf?a+o+)\b"
)
# Smileys typed with punctuation (":)", ";-)", ":D", "<3"), alone: a friendly nod. Sad or
# crying faces are not: like 😭, they get the reply that names 911.
_HAPPY_FACES_RE = re.compile(r"(?:[:;=]-?[)\]dDpP3*]|<3+|\^_?\^|\(:|xD+|XD+)+")
# Set phrases read as their plain cue word first: greetings that look like questions,
# and thanks with "much" (which elsewhere asks for a price).
_SET_PHRASES = (
    (_IDENTITY_RE, "<bot?>"),
    (_LAUGHTER_RE, "lol"),
    (
        re.compile(
            r"\bhow (are|r) (you|u|ya|things)( doing| going| feeling| treating you)?"
            r"|\bhow (is |has |have )?(everything|things|life|your day|your week|your morning)"
            r"( going| been| treating you)?|\bhow (is |has )?it (going|been|hanging)"
            r"|\bhow (have|has) (you|u|things) been( doing| going| feeling)?|\bhow goes it"
            r"|\bwhat( is)? (up|new)\b|\bwassup\b"
            r"|\b(are|r) (you|u|ya) (doing )?(ok|okay|well|alright|good|all right)\b"
        ),
        "hello",
    ),
    (re.compile(r"\b(thank you|thanks)( so| very)? much\b"), "thanks"),
    # Thanks in other words: "much obliged", "I owe you one", "you're a star", "you rock".
    (
        re.compile(
            r"\b(much|many|big|huge|mega) (thanks|thx|appreciated|obliged|love)\b"
            r"|\b(i )?owe (you|u|ya)( one| big)?\b|\b(you are|you re|u r|ur) (a |the )?"
            r"(star|gem|legend|lifesaver|life saver|champ|hero|best|rock|rockstar|doll|angel"
            r"|sweetheart|genius|great|amazing|awesome|brilliant|so kind|very kind|kind)\b"
            r"|\b(you|u) rock\b|\b(good|great|nice) (job|work|answer|stuff)\b"
            r"|\b(cheers|ta) (mate|love|luv|pal|buddy|very much)\b"
            r"|\bthat (is )?(all|everything|it)( i (need|needed|wanted))?( for now)?\b"
        ),
        "thanks",
    ),
    (re.compile(r"\bnever mind\b"), "ok"),
    # Done without the bot: "never mind, figured it out", "nvm found it".
    (
        re.compile(
            r"\b(i )?(figured|worked|sorted) (it |that |this )?out\b"
            r"|\b(i )?found (it|that|the answer|what i (needed|was looking for))\b"
        ),
        "ok",
    ),
    # Apologies: "sorry about that", "my apologies for the mix-up".
    (
        re.compile(
            r"\b(sorry|apologies|my apologies|pardon) (about|for) (that|this|the (confusion"
            r"|mix ?up|mistake|trouble|typo|spam|bother)|bothering you|my mistake)\b"
        ),
        "sorry",
    ),
    # French greetings and leave-takings: "ça va?", "y a-t-il quelqu'un?", "à plus",
    # "bonne journée".
    (
        re.compile(
            r"\b(comment )?(ca va|allez vous|vas tu|ca roule)( bien)?\b|\bbon matin\b"
            r"|\b(why|y|il y) a (t il )?(quelqu un|quelqu une)( la| ici)?\b"
            r"|\bquelqu un (est )?(la|ici)\b"
        ),
        "hello",
    ),
    (
        re.compile(
            r"\ba (plus( tard)?|bientot|la prochaine|demain|tantot)\b|\bau revoir\b"
            r"|\bbonne (journee|soiree|nuit|fin de semaine|semaine|fin de journee|apres midi)\b"
        ),
        "bye",
    ),
    # French nods. Yes and no, thanked or not, are nods: "non merci" refuses the intake's
    # consent, it does not thank for it.
    (
        re.compile(
            r"\b(oui|non)( merci)?\b|\bd accord\b|\bca marche\b|\bpas de (probleme|souci|soucis)\b"
            r"|\bje (vois|comprends)\b|\b(mauvaise|mauvais) (conversation|numero|personne|groupe"
            r"|chat|fenetre)\b|\bje me suis trompee?( de [a-z]+)?\b"
        ),
        "ok",
    ),
    (
        re.compile(
            r"\bn importe quoi\b|\b(tu|vous) (ne )?(sers|servez) a rien\b|\bca (ne )?sert a rien\b"
        ),
        "useless",
    ),
    (
        re.compile(
            r"\bnot (very |so |that )?(smart|clever|helpful|good|happy|pleased|glad|satisfied)\b"
        ),
        "useless",
    ),
    (
        re.compile(
            r"\bsee (you|ya|u)( again)?( later| soon| around| in a while| tomorrow)?"
            r"( alligator| gator)?\b"
        ),
        "bye",
    ),
    (re.compile(r"\b(talk( to you)?|speak( to you)?|chat) (soon|later)\b"), "bye"),
    # Leaving, and closing words about the chat: "gotta go", "I'm off", "nice talking to you".
    (
        re.compile(
            r"\b(i )?(have|need|got|gotta|must|ought) (to )?(go|run|head off|get going|leave)"
            r"( now)?\b"
            r"|\bi am (off|out of here|outta here|out|leaving|going)( now)?\b|\bpeace out\b"
            r"|\b(say|saying) (goodbye|bye)\b"
            r"|\b(until|till|til) (next time|later|then|tomorrow)\b|\b(catch|chat) (you|ya|u) "
            r"(later|soon|around)\b|\btake it easy\b|\b(later|see you) (gator|alligator|gater)\b"
            r"|\b(it was |was |it is |always )?(nice|good|great|lovely|fun|cool|pleasant|a pleasure"
            r"|enjoyable|glad) (to )?(talking|chatting|speaking|talk|chat|speak|conversing|converse"
            r"|meet|meeting)( with| to)?( you| u)?\b"
            r"|\b(enjoyed|liked) (talking|chatting|speaking)( with| to)?( you| u)?\b"
        ),
        "bye",
    ),
    # Wishes that close a chat: "have a lovely evening", "enjoy the rest of your day".
    (
        re.compile(
            r"\b((have|enjoy) (a|an|the|your) ((very|really) )?(good|nice|great|lovely|wonderful"
            r"|fantastic|brilliant|beautiful|blessed|happy|awesome|fab|relaxing|safe|super)? ?"
            r"(rest of (the|your) )?(one|day|night|evening|weekend|week|afternoon|morning)"
            r"|take care)\b"
        ),
        "bye",
    ),
    (re.compile(r"\b(is )?(any ?one|any ?body|some ?one|some ?body) (there|here|home)\b"), "hello"),
    (re.compile(r"\b(are )?(you|u) (still )?(there|here|real|awake|around)\b"), "hello"),
    (re.compile(r"\b(good|g) ?day\b|\b(nice|pleased|glad) to meet (you|u)\b"), "hello"),
    # A message sent to the wrong place: "sorry wrong chat", "oops, wrong number".
    (
        re.compile(
            r"\b(i )?((sent|messaged|texted|typed|posted|meant) (this |that |it )?(to |in |for )?)?"
            r"(the |a )?wrong (chat|number|person|conversation|window|group|thread|bot|account"
            r"|contact|one|app|tab)\b|\bmy (bad|mistake)\b"
        ),
        "ok",
    ),
    # "that was meant for my sister", "sent to the wrong person, meant for someone else".
    (
        re.compile(
            r"\b(that|this|it) was (meant|supposed|intended)( to (go|be))?( for| to)"
            r" (someone else|somebody else|my (sister|brother|mom|mum|mother|dad|father|wife"
            r"|husband|son|daughter|friend|boss|partner|girlfriend|boyfriend|kids?|family"
            r"|coworker|colleague|sis|bro|hubby|aunt|uncle|grandma|grandpa|cousin|neighbou?r"
            r"|roommate|team|group))\b"
        ),
        "ok",
    ),
    # Acknowledgements that read like statements.
    (
        re.compile(
            r"\b(makes?|made) (sense|sence)"
            r"|sounds? (good|great|grand|fine|ok|okay|perfect|right|lovely|fair)"
            r"|no (worries|problem|problems|prob|probs)|all (good|set|clear)|(good|nice) to know"
            r"|fair enough|will do|i see|i get it|got it"
        ),
        "ok",
    ),
    # "that answers it", "that cleared it up", "that explains it": thanks in other words.
    (
        re.compile(
            r"\b(answers|answered|clears|cleared|explains|explained|covers|covered|helps)"
            r"( it| that| everything| my question| things)?( up)?\b"
        ),
        "thanks",
    ),
    # Complaints: "you're not helping", "that didn't help", "no help at all", "not what I
    # asked".
    (
        re.compile(
            r"\b(not|no|never|nothing) (help|helping|helpful|helped|use|useful)( at all| much)?\b"
            r"|\bnot what i (asked|meant|wanted|said)( for)?\b"
            r"|\b(did|does|do|is|are|was) not (help|helping|work|working|answer)"
            r"( me| my question| at all| much)*\b"
        ),
        "useless",
    ),
    # Sarcastic thanks: "thanks for nothing", "thank you for wasting my time".
    (
        re.compile(r"\b(thanks|thank you|thx|ty) (for )?(nothing|wasting my time|no help)\b"),
        "useless",
    ),
    # Telling the bot off: "shut up", "go away", "leave me alone", "get lost".
    (
        re.compile(
            r"\b(shut (up|it)|go away|get lost|leave me alone|buzz off|piss off|screw you"
            r"|f off|bugger off|sod off|(fuck|screw|f) (off|you|u|this|that)"
            r"|what a (joke|waste( of (my )?time)?)"
            r"|(are|r) (you|u) (even )?(listening|reading|paying attention))\b"
        ),
        "useless",
    ),
)
# A name signed at the end of a message ("thanks, Maria", "bye for now - Raj", "cheers
# Dr. Lee!"): capitalised, not asked about; two names only after a dash ("thanks, Blue
# Cross" may be about the insurer). Only thanks, greetings and goodbyes are signed ("ok
# Insurance" is no nod to a person).
_SIGNED_RE = re.compile(
    r"(?:\s*[-\u2013\u2014~]\s*[A-Z][a-z]+(?: [A-Z][a-z]*\.?)?"
    r"|(?:\s*,\s*|\s+)(?:(?:Dr|Mr|Mrs|Ms|Miss)\.? )?[A-Z][a-z]+(?: [A-Z]\.?)?)[\s!.]*$"
)
_SIGNED_KINDS: frozenset[SmallTalkKind | None] = frozenset({"thanks", "greeting", "goodbye"})
# Acknowledgement and thanks words after a verb that opens a yes/no question ask something
# ("am I covered?", "is it right for me?"); greetings and rudeness stay small talk.
_ASKING_VERBS = word_set("is am are was were will would does do did can could should")
_ASKABLE_KINDS: frozenset[SmallTalkKind] = frozenset({"acknowledgement", "thanks"})

# Words that are rudeness said of the bot ("you're useless") but low mood said of oneself
# ("I'm worthless", "i am hopeless"): never small talk then, so the reply names 911 (as
# for 😭) rather than apologising for the bot.
DESPAIR_WORDS = word_set("hopeless worthless pointless useless")
FIRST_PERSON = word_set("i me my myself")
# Asking for help ("ok I need help", "hey, help!") is never small talk, whatever greeting
# or nod comes with it: a cheerful "Okay!" would leave a plea unanswered. "Help" after one
# of HELP_AS_A_THING is thanks or a complaint ("thanks for the help", "no help at all").
PLEA_WORD = "help"
HELP_AS_A_THING = word_set("the your a great big much of for no not any some")

# Symbols that say help, danger, pain or tears: sent alone they get the fallback (which ends
# with the 911 line) instead of the cheerful acknowledgement.
DISTRESS_SYMBOLS = frozenset("🆘🚑🚨🚒🚓☠💀🩸🔪💊😢😭😿😰😨😱😖😣😫😩😞😔🥺💔🤕🤒🤢🤮😵🫠🙁☹😟")


def small_talk_kind(text: str, *, signed: bool = True) -> SmallTalkKind | None:
    """The kind of small talk `text` is, or None when it asks or says something more.
    `signed`: whether a name at its end may be a signature ("thanks, Maria")."""
    kind = _kind(text)
    if kind is None and signed and (name := _SIGNED_RE.search(text)) and name.start() > 0:
        unsigned = _kind(text[: name.start()])
        return unsigned if unsigned in _SIGNED_KINDS else None
    return kind


def _kind(text: str) -> SmallTalkKind | None:
    plain = normalise(text)
    if _HAPPY_FACES_RE.fullmatch("".join(text.split())):
        return "acknowledgement"  # ":)", "<3"
    if not plain and any(unicodedata.category(ch) == "So" for ch in text):
        if any(ch in DISTRESS_SYMBOLS for ch in text):
            return None  # 🆘, 🚑, 😭 alone are not "okay": the fallback names 911
        return "acknowledgement"  # an emoji or other symbol alone: 👍, 😂
    stretched = {normalise(word) for word in text.split() if _STRETCHED_RE.search(word)}
    if len(plain.split()) <= MAX_SMALL_TALK_WORDS + 1:
        plain = " ".join(_as_typed(w, w in stretched) for w in plain.split())
    typed = plain.split()
    if any(
        word == PLEA_WORD and (i == 0 or typed[i - 1] not in HELP_AS_A_THING)
        for i, word in enumerate(typed)
    ):
        return None
    said = set(typed)  # the words as typed, before set phrases become cues
    for phrase, cue in _SET_PHRASES:
        plain = phrase.sub(cue, plain)
    found = plain.split()
    if not found or len(found) > MAX_SMALL_TALK_WORDS:
        return None
    cues = [w for w in found if any(w in words for words in SMALL_TALK_WORDS.values())]
    if not cues or any(w not in SMALL_TALK_GLUE and w not in cues for w in found):
        return None
    for kind, words in SMALL_TALK_WORDS.items():
        if any(w in words for w in cues):
            if kind in _ASKABLE_KINDS and found[0] in _ASKING_VERBS:
                return None  # "am I covered?", "is it right for me?": a yes/no question
            if kind == "rudeness" and said & FIRST_PERSON and said & DESPAIR_WORDS:
                return None  # "I am worthless": the patient's mood, not the bot's fault
            return kind
    return None


@lru_cache(maxsize=WORDS_CACHE_SIZE)
def _as_typed(word: str, stretched: bool) -> str:
    """The small-talk word `word` was typed for: itself when known or a real English word
    (unless held for emphasis), else with a doubled letter single ("thankss", "byee"), else
    the one cue word a slip away ("thansk", "goodbey", "awsome")."""
    if word in _SMALL_TALK_KNOWN or (not stretched and word in english_frequencies()):
        return word
    squeezed = _squeezed(word)
    if squeezed != word or stretched or len(word) < MIN_SLIP_LENGTH or not word.isalpha():
        return squeezed
    near = one_slip_away(word)
    frequencies = english_frequencies()
    cues = sorted(_SLIP_CUES & near, key=lambda cue: -frequencies.get(cue, 0))
    if not cues:
        return word
    # A more common English word as near ("hellp": help, not hello) is what was meant.
    own = frequencies.get(cues[0], 0)
    if any(frequencies.get(w, 0) > own for w in near - _SMALL_TALK_KNOWN):
        return word
    return cues[0]


@lru_cache(maxsize=WORDS_CACHE_SIZE)
def _squeezed(word: str) -> str:
    """`word`, or the known word it is with a doubled letter single ("thankss" -> "thanks",
    "byee" -> "bye", "helloo" -> "hello")."""
    if word in _SMALL_TALK_KNOWN or not _DOUBLED_RE.search(word):
        return word
    single = _DOUBLED_RE.sub(r"\1", word)
    if single in _SMALL_TALK_KNOWN:
        return single
    for found in _DOUBLED_RE.finditer(word):
        one_less = word[: found.start()] + word[found.start() + 1 :]
        if one_less in _SMALL_TALK_KNOWN:
            return one_less
    return word
