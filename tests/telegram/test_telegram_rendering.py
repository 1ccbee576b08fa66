"""Rendering core replies for Telegram: escaping, titles, keyboards and splitting."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardMarkup

from bot.channels.telegram.rendering import (
    EMPTY_TEXT_WITH_BUTTONS,
    MAX_MESSAGE_CHARS,
    _split_by_paragraph,
    keyboard_for,
    render_reply,
    split_text,
)
from bot.core.replies import Button, Reply
from tests.fakes.api_schema import parse_html


def test_every_piece_is_escaped_and_the_title_is_bold() -> None:
    [message] = render_reply(Reply("a < b & c > d", title="Q&A <1>"))
    assert message.html == "<b>Q&amp;A &lt;1&gt;</b>\n\na &lt; b &amp; c &gt; d"
    assert message.keyboard is None


def test_buttons_one_per_row_on_the_last_message() -> None:
    reply = Reply(
        "x\n\n" * 3000,
        buttons=(Button("Confirm", "p:a"), Button("Open the map", url="https://m.example")),
    )
    messages = render_reply(reply)
    assert len(messages) > 1
    assert all(m.keyboard is None for m in messages[:-1])
    keyboard = messages[-1].keyboard
    assert keyboard is not None
    rows = keyboard.inline_keyboard
    assert [len(row) for row in rows] == [1, 1]
    assert rows[0][0].callback_data == "p:a" and rows[1][0].url == "https://m.example"


def test_short_labels_share_rows_long_ones_do_not() -> None:
    scale = tuple(Button(str(n), f"s:{n}") for n in range(11))
    keyboard = keyboard_for((*scale, Button("Skip this question", "s:skip"), Button("Back", "b")))
    assert keyboard is not None
    rows = keyboard.inline_keyboard
    assert [len(row) for row in rows] == [6, 5, 1, 1]
    assert [b.text for b in rows[0]] == ["0", "1", "2", "3", "4", "5"]
    assert rows[3][0].callback_data == "b"


def test_empty_text_with_buttons_still_sends_something() -> None:
    [message] = render_reply(Reply("", buttons=(Button("A", "p:a"),)))
    assert message.html == EMPTY_TEXT_WITH_BUTTONS
    assert render_reply(Reply("   ")) == []


def test_a_paragraph_longer_than_the_limit_is_cut_at_words() -> None:
    words = "word " * 2000
    chunks = split_text(words, limit=1000)
    assert all(len(chunk) <= 1000 for chunk in chunks)
    assert " ".join(chunk.strip() for chunk in chunks).split() == words.split()


def test_escaping_growth_counts_against_the_limit() -> None:
    chunks = split_text("&" * 3000, limit=MAX_MESSAGE_CHARS)
    assert all(len(html.escape(chunk, quote=False)) <= MAX_MESSAGE_CHARS for chunk in chunks)
    assert "".join(chunks) == "&" * 3000


@given(
    st.lists(st.text(min_size=1, max_size=900), min_size=1, max_size=12),
    st.one_of(st.none(), st.text(max_size=80)),
)
def test_rendered_messages_are_valid_telegram_html_within_limits(
    paragraphs: list[str], title: str | None
) -> None:
    text = "\n\n".join(paragraphs)
    for message in render_reply(Reply(text, title=title)):
        _visible, problems = parse_html(message.html)
        assert problems == []
        assert len(message.html) <= 4096


def test_a_kept_keyboard_serialises_as_ptb_would_and_each_send_gets_its_own_copy() -> None:
    buttons = (Button("Yes", "i:y"), Button("No", "i:n"), Button("Map", url="https://m.example"))
    keyboard = keyboard_for(buttons)
    assert keyboard is not None and keyboard_for(buttons) is keyboard
    plain = InlineKeyboardMarkup(keyboard.inline_keyboard)
    assert keyboard.to_dict() == plain.to_dict()
    assert keyboard.to_json() == plain.to_json()
    keyboard.to_dict()["inline_keyboard"][0][0]["text"] = "changed by a caller"
    assert keyboard.to_dict() == plain.to_dict()


@given(st.lists(st.sampled_from(["a", "<b>", "&", "\n", "\n\n", " ", "word "]), max_size=40))
def test_a_text_that_fits_is_one_chunk_as_the_paragraph_path_makes_it(pieces: list[str]) -> None:
    text = "".join(pieces)
    limit = 60
    assert split_text(text, limit) == _split_by_paragraph(text, limit)
