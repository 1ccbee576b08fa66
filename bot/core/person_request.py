"""A message that asks for a person: "talk to a person", "can I speak to someone?",
"real human please", "je veux parler à quelqu'un".

Read as a whole message, never as words inside one: "to talk to people without pain" (a
goal) or "speak to my doctor first" are answers, not requests. A feature that reads typed
text as an answer (the intake) asks here first, so the wish for a person is heard at
every step, as it is outside the form.
"""

from __future__ import annotations

import re

from bot.core.text import normalise

MAX_REQUEST_WORDS = 16
# Who a patient asks for (text as `bot.core.text.normalise` gives it: no accents, no
# punctuation, contractions expanded).
_PERSON = (
    r"(?:(?:a|an|the|some|one of the|your|a member of|someone from|somebody from)\s+)?"
    r"(?:(?:real|actual|live|human)\s+)?"
    r"(?:person|persons|human|human being|humans|people|someone|somebody|anyone|anybody|"
    r"staff|staff member|member of staff|members of staff|receptionist|front desk|"
    r"team|clinic|office|physio|physiotherapist|therapist|clinician|practitioner|agent|"
    r"operator)"
    r"(?:\s+(?:at|from|in)\s+(?:the|your)\s+(?:clinic|office|front desk))?"
)
# Typed alone: only words that name a person ("physio" or "the clinic" alone answer the
# form's questions).
_PERSON_ALONE = (
    r"(?:(?:a|an)\s+)?(?:(?:real|actual|live)\s+)?"
    r"(?:person|human|human being|staff member|member of staff|receptionist|operator|agent)"
)
_OPENING = (
    r"(?:(?:hi|hello|hey|please|excuse me|sorry|ok|okay|um|uh|actually|just|can you|could you)"
    r"\s+)*"
)
_ASKING = (
    r"(?:(?:can|could|may)\s+(?:i|we)\s+(?:please\s+)?(?:just\s+)?"
    r"|(?:i|we)\s+(?:would|need|want|wanna|must|am|prefer)?\s*(?:like|want|need|prefer|"
    r"rather|wanting|trying|hoping)?\s*(?:to\s+)?(?:just\s+)?"
    r"|(?:let|get)\s+me\s+"
    r"|is\s+(?:there\s+a\s+way|it\s+possible)\s+(?:for me\s+)?(?:to\s+)?)?"
)
_POLITE_END = r"(?:\s+(?:please|pls|plz|now|instead|asap|thanks|thank you|right now))*"
_ENGLISH = re.compile(
    rf"^{_OPENING}(?:"
    # "talk to a person", "can I speak with someone at the clinic", "I want to chat to a human"
    rf"{_ASKING}(?:talk|speak|chat|talking|speaking)\s+(?:to|with)\s+{_PERSON}"
    # "real person please", "human", "a real human"
    rf"|{_PERSON_ALONE}"
    # "get me a person", "connect me with the front desk", "put me through to a human"
    rf"|(?:get|put|connect|transfer)\s+me\s+(?:through\s+)?(?:to\s+|with\s+)?{_PERSON}"
    # "can someone call me back", "could the clinic phone me"
    rf"|(?:can|could|will|would)\s+{_PERSON}\s+(?:please\s+)?(?:call|phone|ring|contact)"
    r"\s+me(?:\s+back)?"
    # "is there someone I can talk to"
    rf"|is\s+there\s+{_PERSON}\s+(?:i can|to)\s+(?:talk|speak|chat)\s+(?:to|with)"
    rf"){_POLITE_END}$"
)
_FRENCH = re.compile(
    r"^(?:(?:bonjour|allo|svp|s il vous plait|excusez moi)\s+)*"
    r"(?:(?:je\s+)?(?:veux|voudrais|aimerais|peux|pourrais|dois)\s+|puis je\s+|"
    r"est ce que je (?:peux|pourrais)\s+|j aimerais\s+)?"
    r"(?:parler|discuter|jaser)\s+(?:a|avec)\s+"
    r"(?:(?:une|un|la|le|l|une vraie|un vrai)\s+)?"
    r"(?:personne|humain|etre humain|quelqu un|reception|receptionniste|clinique|equipe|"
    r"vraie personne|vrai humain|membre du personnel|personnel)"
    r"(?:\s+(?:de|a)\s+la\s+clinique)?"
    r"(?:\s+(?:svp|s il vous plait|maintenant|merci))*$"
)


def asks_for_a_person(text: str) -> bool:
    """Whether the whole message asks to talk to a person at the clinic."""
    words = normalise(text)
    if not words or len(words.split()) > MAX_REQUEST_WORDS:
        return False
    return bool(_ENGLISH.match(words) or _FRENCH.match(words))
