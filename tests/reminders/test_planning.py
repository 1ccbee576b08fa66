"""Pure planning: offsets, quiet hours, daylight-saving changes, offsets past at booking."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import BUNDLED_CONTENT_DIR
from bot.reminders.planning import (
    CHECK_IN_KIND,
    SKIP_PAST_AT_BOOKING,
    in_quiet_hours,
    out_of_quiet_hours,
    plan_reminders,
    reminder_kind,
)
from bot.reminders.types import (
    AppointmentType,
    QuietHours,
    check_appointment_types,
    load_appointment_types,
)

TORONTO = ZoneInfo("America/Toronto")
QUIET = QuietHours(time(21, 0), time(8, 0))
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def kind(offsets_hours: tuple[float, ...] = (48, 2), check_in: bool = False) -> AppointmentType:
    return AppointmentType(
        "ims_treatment",
        "IMS treatment",
        timedelta(minutes=45),
        tuple(timedelta(hours=h) for h in offsets_hours),
        "Eat a light meal.",
        check_in,
    )


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TORONTO)


def due_local(plans: list, which: str) -> datetime:
    return next(p for p in plans if p.kind == which).due_at.astimezone(TORONTO)


def test_shipped_types_load_with_default_offsets() -> None:
    types = load_appointment_types(BUNDLED_CONTENT_DIR)
    assert set(types.types) == {"assessment", "ims_treatment", "follow_up"}
    ims = types.types["ims_treatment"]
    assert ims.offsets == (timedelta(hours=48), timedelta(hours=2))
    assert ims.next_day_check_in and not types.types["assessment"].next_day_check_in
    assert types.quiet_hours == QUIET
    assert check_appointment_types(BUNDLED_CONTENT_DIR) == []


def test_once_one_type_gives_french_every_type_needs_it(tmp_path: Path) -> None:
    (tmp_path / "appointment_types.yaml").write_text(
        "types:\n"
        "  ims_treatment:\n"
        "    label: {en: IMS treatment, fr: Traitement IMS}\n"
        "    duration_minutes: 45\n"
        "    preparation: {en: Eat a light meal., fr: Prenez un repas léger.}\n"
        "  assessment:\n"
        "    label: Initial assessment\n"
        "    duration_minutes: 60\n"
        "    preparation: {en: Bring your medicines., fr: Apportez vos médicaments.}\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in check_appointment_types(tmp_path)]
    assert len(problems) == 1 and ":7:" in problems[0], problems
    assert "'label' of appointment type 'assessment' has no French" in problems[0]
    ims = load_appointment_types(BUNDLED_CONTENT_DIR).types["ims_treatment"]
    assert ims.label_in("fr") == "Traitement IMS" and ims.label_in("en") == "IMS treatment"


def test_checker_reports_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "appointment_types.yaml").write_text(
        "quiet_hours:\n  start: '25:00'\n"
        "types:\n"
        "  ims_treatment:\n"
        "    label: IMS\n"
        "    duration_minutes: many\n"
        "    reminders_before_hours: [48, -2, 48]\n"
        "    colour: red\n",
        encoding="utf-8",
    )
    problems = [str(p) for p in check_appointment_types(tmp_path)]
    assert any(":2:" in p and "clock time" in p for p in problems)
    assert any(":6:" in p and "duration_minutes" in p for p in problems)
    assert any("-2" in p for p in problems)
    assert any("listed twice" in p for p in problems)
    assert any(":8:" in p and "colour" in p for p in problems)


def test_whole_day_offset_keeps_clock_time_across_spring_forward() -> None:
    # DST starts Sunday 8 March 2026 in Toronto (02:00 -> 03:00).
    start = local(2026, 3, 9, 10, 0)
    plans = plan_reminders(start, kind(), QUIET, TORONTO, LONG_AGO)
    assert due_local(plans, "remind_48h") == local(2026, 3, 7, 10, 0)
    assert due_local(plans, "remind_48h").utcoffset() == timedelta(hours=-5)
    assert start.utcoffset() == timedelta(hours=-4)
    assert due_local(plans, "remind_2h") == local(2026, 3, 9, 8, 0)


def test_whole_day_offset_keeps_clock_time_across_fall_back() -> None:
    # DST ends Sunday 1 November 2026 in Toronto (02:00 -> 01:00).
    start = local(2026, 11, 2, 9, 30)
    plans = plan_reminders(start, kind(), QUIET, TORONTO, LONG_AGO)
    due = due_local(plans, "remind_48h")
    assert (due.date(), due.hour, due.minute) == (datetime(2026, 10, 31).date(), 9, 30)
    assert due.utcoffset() == timedelta(hours=-4)
    # 49 real hours separate them, because the night of the change had 25 hours.
    assert start.astimezone(UTC) - due.astimezone(UTC) == timedelta(hours=49)


def test_hour_offsets_count_real_time_across_the_change() -> None:
    # 03:30 on the spring-forward day is only 1 real hour after 01:30.
    start = local(2026, 3, 8, 12, 0)
    plans = plan_reminders(start, kind((3,)), QUIET, TORONTO, LONG_AGO)
    assert start - next(p for p in plans).due_at == timedelta(hours=3)


def test_reminder_inside_quiet_hours_moves_to_the_evening_before() -> None:
    # 2 h before an 09:00 appointment is 07:00: quiet, so it goes at 21:00 the night before.
    start = local(2026, 6, 10, 9, 0)
    plans = plan_reminders(start, kind(), QUIET, TORONTO, LONG_AGO)
    assert due_local(plans, "remind_2h") == local(2026, 6, 9, 21, 0)
    # Late evening: 23:00 -> 21:00 the same evening.
    late = plan_reminders(local(2026, 6, 12, 23, 30), kind((2.5,)), QUIET, TORONTO, LONG_AGO)
    assert late[0].due_at.astimezone(TORONTO) == local(2026, 6, 12, 21, 0)


def test_quiet_hours_edges_are_allowed() -> None:
    assert not in_quiet_hours(local(2026, 6, 1, 21, 0), QUIET, TORONTO)
    assert not in_quiet_hours(local(2026, 6, 1, 8, 0), QUIET, TORONTO)
    assert in_quiet_hours(local(2026, 6, 1, 21, 1), QUIET, TORONTO)
    assert in_quiet_hours(local(2026, 6, 1, 7, 59), QUIET, TORONTO)


def test_quiet_hours_on_a_dst_night_use_that_evenings_local_time() -> None:
    moved = out_of_quiet_hours(local(2026, 3, 8, 4, 0), QUIET, TORONTO)
    assert moved.astimezone(TORONTO) == local(2026, 3, 7, 21, 0)
    assert moved.astimezone(TORONTO).utcoffset() == timedelta(hours=-5)
    moved = out_of_quiet_hours(local(2026, 11, 1, 1, 30), QUIET, TORONTO)
    assert moved.astimezone(TORONTO) == local(2026, 10, 31, 21, 0)
    assert moved.astimezone(TORONTO).utcoffset() == timedelta(hours=-4)


def test_daytime_quiet_period_not_spanning_midnight() -> None:
    lunch = QuietHours(time(12, 0), time(13, 0))
    assert in_quiet_hours(local(2026, 6, 1, 12, 30), lunch, TORONTO)
    assert out_of_quiet_hours(local(2026, 6, 1, 12, 30), lunch, TORONTO) == local(2026, 6, 1, 12)


def test_offsets_already_past_at_booking_are_skipped_with_reason() -> None:
    start = local(2026, 6, 10, 15, 0)
    booked = local(2026, 6, 9, 12, 0)  # 27 h ahead: the 48 h reminder is already past
    plans = plan_reminders(start, kind(), QUIET, TORONTO, booked.astimezone(UTC))
    by_kind = {p.kind: p for p in plans}
    assert by_kind["remind_48h"].skip_reason == SKIP_PAST_AT_BOOKING
    assert by_kind["remind_2h"].skip_reason is None


def test_next_day_check_in_at_ten_clinic_time() -> None:
    start = local(2026, 11, 1, 0, 30)  # the night DST ends
    plans = plan_reminders(start, kind(check_in=True), QUIET, TORONTO, LONG_AGO)
    assert due_local(plans, CHECK_IN_KIND) == local(2026, 11, 2, 10, 0)


@pytest.mark.parametrize(
    ("hours", "name"), [(48, "remind_48h"), (2, "remind_2h"), (1.5, "remind_90m")]
)
def test_reminder_kind_names(hours: float, name: str) -> None:
    assert reminder_kind(timedelta(hours=hours)) == name


@given(
    start=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
    ),
    hours=st.lists(st.integers(min_value=1, max_value=24 * 7), min_size=1, max_size=4, unique=True),
    zone=st.sampled_from(["America/Toronto", "Europe/London", "Australia/Sydney", "UTC"]),
)
@settings(max_examples=300, deadline=None)
def test_planned_reminders_are_before_the_start_and_outside_quiet_hours(
    start: datetime, hours: list[int], zone: str
) -> None:
    tz = ZoneInfo(zone)
    plans = plan_reminders(start, kind(tuple(hours)), QUIET, tz, LONG_AGO)
    for plan in plans:
        assert plan.due_at < start
        assert not in_quiet_hours(plan.due_at, QUIET, tz)
        assert plan.due_at.tzinfo is not None
    assert len({p.kind for p in plans}) == len(hours)
