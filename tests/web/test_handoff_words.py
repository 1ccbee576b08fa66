"""What a patient is told when staff first write: when the team will read their messages,
from the clinic's opening hours (every location's), in English and French."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clinic_content import ClinicContent, load_content
from bot.config import BUNDLED_CONTENT_DIR
from bot.web.handoff import HANDOFF_CAP, HandoffWords, when_staff_read

TORONTO = ZoneInfo("America/Toronto")
# The sample clinic: Riverside 8:00-19:00 on Mondays, North Hill 7:30 on Tuesdays (the
# earliest of its locations counts); 7 December 2026 is a Monday.
MONDAY_MORNING = datetime(2026, 12, 7, 10, 30, tzinfo=TORONTO)


@pytest.fixture(scope="module")
def content() -> ClinicContent:
    return load_content(BUNDLED_CONTENT_DIR)


def test_open_now_says_until_when(content: ClinicContent) -> None:
    said = when_staff_read(content.clinic, MONDAY_MORNING, "en")
    assert said == "The clinic is open now (until 19:00), so someone should read it soon."
    french = when_staff_read(content.clinic, MONDAY_MORNING, "fr")
    assert "ouverte" in french and "(jusqu'à 19 h)" in french


def test_closed_says_when_it_opens_again(content: ClinicContent) -> None:
    late = MONDAY_MORNING.replace(hour=22)
    said = when_staff_read(content.clinic, late, "en")
    assert said.startswith("The clinic is closed now") and "(Tuesday at 7:30)" in said
    early = MONDAY_MORNING.replace(hour=6)
    assert "(8:00)" in when_staff_read(content.clinic, early, "en")  # today: the time alone


def test_a_clinic_without_hours_says_during_clinic_hours(content: ClinicContent) -> None:
    no_hours = replace(
        content.clinic,
        locations=tuple(replace(location, hours=()) for location in content.clinic.locations),
    )
    said = when_staff_read(no_hours, MONDAY_MORNING, "en")
    assert said == "The team reads messages during clinic hours."


def test_the_notice_names_the_end_the_emergency_number_and_the_way_back(
    content: ClinicContent,
) -> None:
    now = MONDAY_MORNING.astimezone(UTC)
    notice = HandoffWords(content.clinic, TORONTO).notice("en", now + timedelta(hours=4), now)
    assert "until 14:30" in notice.text and "call 911 now" in notice.text
    assert "/bot" in notice.text
    [button] = notice.buttons
    assert button.action == "handoff:end"
    french = HandoffWords(content.clinic, TORONTO).notice("fr", now + timedelta(hours=4), now)
    assert "jusqu'à 14 h 30" in french.text and french.buttons[0].action == "handoff:end:fr"


def test_the_handoff_writes_times_as_the_clinics_hours_do(content: ClinicContent) -> None:
    """One way to write a time in patient text: the reopening time the handoff names reads
    exactly as that location's hours do, in English and French."""
    late = MONDAY_MORNING.replace(hour=22)
    tuesday = [location.hours_on("tuesday") for location in content.clinic.locations]
    for language, reopening in (("en", "(Tuesday at 7:30)"), ("fr", "(mardi à 7 h 30)")):
        assert reopening in when_staff_read(content.clinic, late, language)
        time_said = reopening.split(" ", 2)[2].rstrip(")")
        assert any(hours.render(language).startswith(time_said) for hours in tuesday)


@pytest.mark.parametrize(
    ("written", "ends"),
    [
        # Open now (Riverside until 19:00): four hours later, as before.
        (MONDAY_MORNING, datetime(2026, 12, 7, 14, 30, tzinfo=TORONTO)),
        # An hour and a half left today, the rest from North Hill's 7:30 opening tomorrow.
        (MONDAY_MORNING.replace(hour=17), datetime(2026, 12, 8, 10, 0, tzinfo=TORONTO)),
        # Written in the evening: the next morning's first four open hours, not 2:00.
        (MONDAY_MORNING.replace(hour=22), datetime(2026, 12, 8, 11, 30, tzinfo=TORONTO)),
    ],
)
def test_a_handoff_lasts_four_of_the_clinics_open_hours(
    content: ClinicContent, written: datetime, ends: datetime
) -> None:
    end = HandoffWords(content.clinic, TORONTO).handoff_end(timedelta(hours=4))
    assert end(written.astimezone(UTC)) == ends


def test_a_handoff_without_open_hours_ahead_ends_at_the_cap_or_in_plain_hours(
    content: ClinicContent,
) -> None:
    clinic = content.clinic
    written = MONDAY_MORNING.replace(hour=22)
    # Open only on Mondays: the next open hours are a week away, past the cap.
    mondays = replace(
        clinic,
        locations=tuple(
            replace(place, hours=tuple(h for h in place.hours if h.day == "monday"))
            for place in clinic.locations
        ),
    )
    end = HandoffWords(mondays, TORONTO).handoff_end(timedelta(hours=4))
    assert end(written) == written + HANDOFF_CAP
    no_hours = replace(clinic, locations=tuple(replace(p, hours=()) for p in clinic.locations))
    end = HandoffWords(no_hours, TORONTO).handoff_end(timedelta(hours=4))
    assert end(written) == written + timedelta(hours=4)


def test_the_evening_notice_names_the_real_end(content: ClinicContent) -> None:
    words = HandoffWords(content.clinic, TORONTO)
    evening = MONDAY_MORNING.replace(hour=22).astimezone(UTC)
    until = words.handoff_end(timedelta(hours=4))(evening)
    notice = words.notice("en", until, evening).text
    assert "until Tuesday at 11:30" in notice and "(Tuesday at 7:30)" in notice
