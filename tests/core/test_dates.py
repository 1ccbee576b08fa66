"""Dates in words, as an English or a French reader writes them."""

from __future__ import annotations

from datetime import date, datetime

from bot.core.dates import long_date, weekday_and_date


def test_english_dates_read_day_month_year_in_words() -> None:
    assert long_date(date(2026, 12, 6)) == "6 December 2026"
    assert weekday_and_date(datetime(2026, 3, 10, 10, 0)) == "Tuesday 10 March 2026"


def test_french_dates_use_french_months_and_1er() -> None:
    assert long_date(date(2026, 12, 6), "fr") == "6 décembre 2026"
    assert long_date(date(2026, 8, 1), "fr") == "1er août 2026"
    assert weekday_and_date(date(2026, 3, 10), "fr") == "mardi 10 mars 2026"
