"""Dates as people read them. Patients: in words, in English or French ("6 December 2026",
"6 décembre 2026"), one writing for every reply that shows a date (reminders, the intake
review, when an FAQ answer was checked). Staff: stored UTC moments in the clinic's zone with
the zone named ("2026-03-02 09:30 PST"), the same on the console and the command line.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from bot.content.clinic import clock_time

FRENCH = "fr"
_FRENCH_MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
_FRENCH_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_ENGLISH_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def long_date(day: date, language: str = "en") -> str:
    """The date in words: "6 December 2026"; in French "6 décembre 2026", "1er mai 2026".

    Month names are written out by the code, not the C library's locale, so the words do
    not change with the machine the bot runs on.
    """
    if language == FRENCH:
        number = "1er" if day.day == 1 else str(day.day)
        return f"{number} {_FRENCH_MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {_ENGLISH_MONTHS[day.month - 1]} {day.year}"


def weekday_and_date(moment: date | datetime, language: str = "en") -> str:
    """The weekday and the date: "Tuesday 10 March 2026"; "mardi 10 mars 2026"."""
    names = _FRENCH_WEEKDAYS if language == FRENCH else _ENGLISH_WEEKDAYS
    return f"{names[moment.weekday()]} {long_date(moment, language)}"


def day_and_time(moment: datetime, tz: tzinfo, language: str = "en") -> str:
    """Weekday, date and time in the clinic's zone: "Tuesday 10 March 2026 at 9:30"; in
    French "mardi 10 mars 2026 à 9 h 30", the time written as the clinic's hours are."""
    local = moment.astimezone(tz)
    joiner = "à" if language == FRENCH else "at"
    return f"{weekday_and_date(local, language)} {joiner} {clock_time(local, language)}"


def clinic_time(moment: datetime, tz: tzinfo) -> str:
    """`moment` (timezone-aware) in the clinic's zone, e.g. '2026-03-02 09:30 PST'."""
    local = moment.astimezone(tz)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or tz}"
