"""Core replies as Telegram messages: escaped HTML text plus an inline keyboard.

Every piece of text (content and anything a patient typed) is HTML-escaped here, so
no caller has to remember to; the only markup is the bold title this module adds.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.replies import Button, Reply

# Telegram allows 4096 characters; stay clearly below it so entity parsing never tips over.
MAX_MESSAGE_CHARS = 4000
PARAGRAPH_BREAK = "\n\n"
EMPTY_TEXT_WITH_BUTTONS = "Please choose:"
# Labels this short ("7", "Yes", "No") fit several to a row on a phone screen.
SHORT_LABEL_CHARS = 4
SHORT_BUTTONS_PER_ROW = 6
# Distinct button sets kept built and serialised: each FAQ entry's, each intake step's.
KEYBOARD_CACHE_SIZE = 1024


@dataclass(frozen=True)
class TelegramMessage:
    """One message ready for the Bot API: HTML text and an optional keyboard."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


def escaped_length(text: str) -> int:
    """Length of `text` once HTML-escaped (what counts against Telegram's limit)."""
    return len(html.escape(text, quote=False))


def _cut_to_fit(text: str, limit: int) -> tuple[str, str]:
    """Split `text` so the head's escaped length fits `limit`, preferring a line or word end."""
    # Binary search for the longest head that fits (escaping makes length non-linear).
    low, high = 1, len(text)
    while low < high:
        middle = (low + high + 1) // 2
        if escaped_length(text[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    end = low
    head = text[:end]
    for separator in ("\n", " "):
        cut = head.rfind(separator)
        if cut > end // 2:
            return text[:cut], text[cut + 1 :]
    return head, text[end:]


def _pieces(text: str, limit: int) -> list[str]:
    """Paragraphs of `text`, each cut further when it alone exceeds `limit`."""
    pieces: list[str] = []
    for paragraph in text.split(PARAGRAPH_BREAK):
        rest = paragraph
        while escaped_length(rest) > limit:
            head, rest = _cut_to_fit(rest, limit)
            pieces.append(head)
        pieces.append(rest)
    return pieces


def split_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Plain text in chunks whose escaped length stays within `limit`, cut at paragraphs."""
    if _fits_whole(text, escaped_length(text), limit):
        return [text] if text.strip() else []
    return _split_by_paragraph(text, limit)


def _split_by_paragraph(text: str, limit: int) -> list[str]:
    """`split_text` the long way: paragraphs joined while the escaped join still fits."""
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        candidate = f"{current}{PARAGRAPH_BREAK}{piece}" if current else piece
        if current and escaped_length(candidate) > limit:
            chunks.append(current)
            current = piece
        else:
            current = candidate
    if current.strip():
        chunks.append(current)
    return chunks


def _fits_whole(text: str, escaped_chars: int, limit: int) -> bool:
    """Whether `text` is its own single chunk: it fits, and it does not open with a
    paragraph break (which the paragraph-by-paragraph path drops)."""
    return escaped_chars <= limit and not text.startswith(PARAGRAPH_BREAK)


class _SerialisedKeyboard(InlineKeyboardMarkup):
    """An inline keyboard that is turned into Bot API JSON once, not on every send.

    The same keyboard goes out with every answer of an FAQ entry; PTB's generic `to_dict`
    walks every button's attributes each time (a fifth of a bare echo update's cost)."""

    __slots__ = ("_serialised",)

    def __init__(self, rows: list[list[InlineKeyboardButton]]) -> None:
        super().__init__(rows)
        with self._unfrozen():
            self._serialised = super().to_dict()

    def to_dict(self, recursive: bool = True) -> dict[str, Any]:
        """The keyboard as PTB's `to_dict` gives it, copied down to the buttons."""
        rows = self._serialised["inline_keyboard"]
        return {
            **self._serialised,
            "inline_keyboard": [[dict(button) for button in row] for row in rows],
        }


def _telegram_button(button: Button) -> InlineKeyboardButton:
    if button.url is not None:
        return InlineKeyboardButton(button.label, url=button.url)
    return InlineKeyboardButton(button.label, callback_data=button.action)


def keyboard_for(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """Buttons one per row, except runs of short labels (a 0-10 scale, Yes/No) share rows.

    Action buttons carry callback data, link buttons a url. Built once per set of buttons
    (PTB's keyboards are immutable, so one object serves every message that shows it).
    """
    if not buttons:
        return None
    return _keyboard(buttons)


@lru_cache(maxsize=KEYBOARD_CACHE_SIZE)
def _keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    packing = False  # whether the last row is a row of short buttons with room left
    for button in buttons:
        short = len(button.label) <= SHORT_LABEL_CHARS
        if short and packing and len(rows[-1]) < SHORT_BUTTONS_PER_ROW:
            rows[-1].append(_telegram_button(button))
        else:
            rows.append([_telegram_button(button)])
        packing = short
    return _SerialisedKeyboard(rows)


def render_reply(reply: Reply, limit: int = MAX_MESSAGE_CHARS) -> list[TelegramMessage]:
    """The Telegram messages for one reply; the keyboard rides on the last one."""
    title = f"<b>{html.escape(reply.title, quote=False)}</b>" if reply.title else ""
    title_room = len(title) + len(PARAGRAPH_BREAK) if title else 0
    escaped = html.escape(reply.text, quote=False)
    if _fits_whole(reply.text, len(escaped), limit):  # most replies: one chunk, escaped once
        chunks = [escaped] if reply.text.strip() else []
    else:
        chunks = [html.escape(chunk, quote=False) for chunk in split_text(reply.text, limit)]
    if title:
        if chunks and len(chunks[0]) + title_room <= limit:
            chunks[0] = f"{title}{PARAGRAPH_BREAK}{chunks[0]}"
        else:
            chunks.insert(0, title)
    if not chunks:
        if not reply.buttons:
            return []
        chunks = [EMPTY_TEXT_WITH_BUTTONS]
    keyboard = keyboard_for(reply.buttons)
    messages = [TelegramMessage(chunk) for chunk in chunks[:-1]]
    messages.append(TelegramMessage(chunks[-1], keyboard))
    return messages
