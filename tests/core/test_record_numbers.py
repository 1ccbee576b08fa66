"""One reader of record numbers: the console's addresses and staff commands agree."""

from __future__ import annotations

import pytest

from bot.core.record_numbers import LARGEST_RECORD_NUMBER, record_number
from bot.core.staff_notes import alert_numbers, alert_ref


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("12", 12),
        ("#12", 12),
        ("007", 7),
        ("123456789012", 123456789012),  # 12 digits: the console refused it, /reply took it
        (str(LARGEST_RECORD_NUMBER), LARGEST_RECORD_NUMBER),
    ],
)
def test_a_number_a_row_can_have_is_read(typed: str, number: int) -> None:
    assert record_number(typed) == number


@pytest.mark.parametrize(
    "typed", ["", "#", "-1", "1.5", "12a", "١٢", "²", str(LARGEST_RECORD_NUMBER + 1), "##12"]
)
def test_anything_else_is_not_a_record_number(typed: str) -> None:
    assert record_number(typed) is None


def test_a_note_names_its_alerts_with_the_same_reader() -> None:
    big = LARGEST_RECORD_NUMBER + 1
    text = f"{alert_ref(123456789012345)} and {alert_ref(3)}, {alert_ref(big)}, {alert_ref(3)}"
    assert alert_numbers(text) == [123456789012345, 3]
