"""Core replies as Telegram messages: escaped HTML text plus an inline keyboard.

Every piece of text (content and anything a patient typed) is HTML-escaped here, so
no caller has to remember to; the only markup is the bold title this module adds.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.replies import Button, Reply

# Telegram allows 4096 characters; stay clearly below it so entity parsing never tips over.
MAX_MESSAGE_CHARS = 4000
PARAGRAPH_BREAK = "\n\n"
EMPTY_TEXT_WITH_BUTTONS = "Please choose:"
# Labels this short ("7", "Yes", "No") fit several to a row on a phone screen.
SHORT_LABEL_CHARS = 4
SHORT_BUTTONS_PER_ROW = 6


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


def _telegram_button(button: Button) -> InlineKeyboardButton:
    if button.url is not None:
        return InlineKeyboardButton(button.label, url=button.url)
    return InlineKeyboardButton(button.label, callback_data=button.action)


def keyboard_for(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """Buttons one per row, except runs of short labels (a 0-10 scale, Yes/No) share rows.

    Action buttons carry callback data, link buttons a url.
    """
    if not buttons:
        return None
    rows: list[list[InlineKeyboardButton]] = []
    packing = False  # whether the last row is a row of short buttons with room left
    for button in buttons:
        short = len(button.label) <= SHORT_LABEL_CHARS
        if short and packing and len(rows[-1]) < SHORT_BUTTONS_PER_ROW:
            rows[-1].append(_telegram_button(button))
        else:
            rows.append([_telegram_button(button)])
        packing = short
    return InlineKeyboardMarkup(rows)


def render_reply(reply: Reply, limit: int = MAX_MESSAGE_CHARS) -> list[TelegramMessage]:
    """The Telegram messages for one reply; the keyboard rides on the last one."""
    title = f"<b>{html.escape(reply.title, quote=False)}</b>" if reply.title else ""
    title_room = len(title) + len(PARAGRAPH_BREAK) if title else 0
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
