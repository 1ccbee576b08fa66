"""Dates in words, as an English or a French reader writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.core.dates import day_and_time, long_date, weekday_and_date


def test_english_dates_read_day_month_year_in_words() -> None:
    assert long_date(date(2026, 12, 6)) == "6 December 2026"
    assert weekday_and_date(datetime(2026, 3, 10, 10, 0)) == "Tuesday 10 March 2026"


def test_french_dates_use_french_months_and_1er() -> None:
    assert long_date(date(2026, 12, 6), "fr") == "6 décembre 2026"
    assert long_date(date(2026, 8, 1), "fr") == "1er août 2026"
    assert weekday_and_date(date(2026, 3, 10), "fr") == "mardi 10 mars 2026"


def test_day_and_time_is_written_in_the_clinics_zone_in_each_language() -> None:
    toronto = ZoneInfo("America/Toronto")
    moment = datetime(2026, 12, 7, 14, 5, tzinfo=UTC)  # 9:05 in Toronto
    assert day_and_time(moment, toronto) == "Monday 7 December 2026 at 9:05"
    assert day_and_time(moment, toronto, "fr") == "lundi 7 décembre 2026 à 9 h 05"
    assert day_and_time(moment.replace(minute=0), toronto, "fr").endswith("à 9 h")
