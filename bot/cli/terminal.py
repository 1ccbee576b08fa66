"""Patients' words printed on an operator's terminal, unable to act on it."""

from __future__ import annotations

import unicodedata

# Bidirectional overrides and isolates: they reverse how the rest of a line reads.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_line(text: str) -> str:
    """A patient's words on one terminal line: line breaks become spaces, and control
    characters (escape sequences that clear a screen or retitle a window) and reversing
    marks are shown as their codes instead of acting on the terminal."""
    return terminal_text(text.replace("\n", " "))


def terminal_text(text: str) -> str:
    """`text` with its line breaks kept and every other control character or reversing
    mark shown as its code."""
    shown = []
    for character in text:
        if character == "\n":
            shown.append(character)
        elif character in "\r\t":
            shown.append(" ")
        elif unicodedata.category(character) == "Cc" or character in _BIDI_CONTROLS:
            code = ord(character)
            shown.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            shown.append(character)
    return "".join(shown)
