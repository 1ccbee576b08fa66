"""How the console reads typed lines against the numbered buttons of the last message."""

from __future__ import annotations

import io

from bot.channels.console import ConsoleOutput, choose_button, is_command
from bot.core.replies import Button, Reply

SCALE = (*(Button(str(n), f"x:{n}") for n in range(11)), Button("« Back", "x:back"))


def test_labels_win_over_numbers_and_symbols_are_optional() -> None:
    assert choose_button("8", SCALE) == SCALE[8]  # the button labelled 8, not the 8th
    assert choose_button("12", SCALE) == SCALE[11]  # an ordinary menu: 12th button
    review = (Button("Change 1", "x:e"), Button("Send to the clinic ✔", "x:u"))
    assert choose_button("send to the clinic", review) == review[1]
    assert choose_button("back", SCALE) == SCALE[11]
    assert choose_button("13", SCALE) is None


def test_a_question_that_wants_a_typed_answer_does_not_number_its_buttons() -> None:
    stream = io.StringIO()
    output = ConsoleOutput(stream, json_mode=False)
    output.begin_batch()
    output.show(Reply("How bad is the pain right now?", SCALE, typed_answer=True))
    assert output.typed_answer
    assert "[« Back]" in stream.getvalue() and "[12]" not in stream.getvalue()
    output.begin_batch()
    output.show(Reply("Pick one", (Button("A", "x:a"),)))
    assert not output.typed_answer and "[1] A" in stream.getvalue()


def test_a_line_is_a_command_only_as_telegram_reads_one() -> None:
    # "/" alone or "/ my chest hurts" is the patient's text (it used to crash the console).
    assert is_command("/help") and is_command("/start abc") and is_command("/2fa")
    assert not is_command("/") and not is_command("/ my chest hurts")
    assert not is_command("help") and not is_command("//x")
