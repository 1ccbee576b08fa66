"""The delivery contract on a real SQLite file with a controllable clock."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.channels.console import CONSOLE_CHAT_ID, ConsoleOutbound, ConsoleOutput
from bot.clinic_content import ClinicContent
from bot.core.outbound import (
    ChannelUnavailable,
    DeliveryRejected,
    DeliveryUnknown,
    RateLimited,
    RecipientUnreachable,
)
from bot.core.replies import Reply
from bot.reminders.feature import Reminders, build_reminders
from bot.reminders.model import AppointmentInput, AppointmentStatus, Reminder, ReminderStatus
from bot.reminders.outbox import PASSED_REASON
from bot.reminders.repository import Change
from bot.reminders.sender import SweepReport
from bot.storage.database import open_database
from tests.reminders.conftest import FakeClock, RecordingOutbound, make_settings

TORONTO = ZoneInfo("America/Toronto")
CHAT = 4242


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TORONTO)


async def book(
    r: Reminders,
    ref: str = "A-1",
    start: datetime | None = None,
    type_id: str = "ims_treatment",
    chat: int | None = CHAT,
) -> int:
    item = AppointmentInput(
        ref, start or local(2026, 6, 10, 15, 0), type_id, location_id="riverside"
    )
    appointment, _ = await r.repository.save(item, r.clock())
    if chat is not None:
        token = await r.repository.create_link(appointment.id, r.clock())
        await r.repository.redeem_link(token, chat, r.clock())
    return appointment.id


BOOKED_AT = local(2026, 6, 1, 12, 0)
FIRST_REMINDER_DUE = local(2026, 6, 8, 15, 0)  # 48 h before the booked A-1
SweepAt = Callable[[datetime], Awaitable[SweepReport]]


@pytest.fixture
async def booked(reminders: Reminders, clock: FakeClock) -> int:
    """A-1, booked on 1 June for 10 June 15:00 and linked to CHAT: its appointment id."""
    clock.set(BOOKED_AT)
    return await book(reminders)


@pytest.fixture
def sweep_at(reminders: Reminders, clock: FakeClock, outbound: RecordingOutbound) -> SweepAt:
    """Moves the clock to a time and runs one sweep through the recording outbound."""

    async def sweep(when: datetime) -> SweepReport:
        clock.set(when)
        return await reminders.sender.sweep(outbound)

    return sweep


async def rows_of(r: Reminders, appointment_id: int) -> dict[str, Reminder]:
    return {x.kind: x for x in await r.repository.reminders_of(appointment_id)}


async def statuses(r: Reminders, appointment_id: int) -> dict[str, ReminderStatus]:
    return {x.kind: x.status for x in await r.repository.reminders_of(appointment_id)}


async def test_each_reminder_goes_once_at_its_time(
    reminders: Reminders, outbound: RecordingOutbound, booked: int, sweep_at: SweepAt
) -> None:
    assert (await reminders.sender.sweep(outbound)).sent == 0
    await sweep_at(local(2026, 6, 8, 14, 59))
    assert outbound.sent == []
    await sweep_at(FIRST_REMINDER_DUE)
    await reminders.sender.sweep(outbound)
    assert len(outbound.to(CHAT)) == 1
    reply = outbound.to(CHAT)[0]
    assert "Wednesday 10 June 2026 at 15:00" in reply.text
    assert "Eat a light meal" in reply.text and "120 Example Street" in reply.text
    assert [b.label for b in reply.buttons] == ["Confirm", "Reschedule", "Cancel", "Map"]
    assert reply.buttons[3].url is not None
    await sweep_at(local(2026, 6, 10, 13, 0))
    await sweep_at(local(2026, 6, 11, 10, 0))
    assert len(outbound.to(CHAT)) == 3
    assert outbound.to(CHAT)[2].title == "Checking in"
    assert set((await statuses(reminders, booked)).values()) == {ReminderStatus.SENT}


async def test_cancelled_appointment_sends_nothing(
    reminders: Reminders,
    clock: FakeClock,
    outbound: RecordingOutbound,
    booked: int,
    sweep_at: SweepAt,
) -> None:
    await reminders.repository.set_status(booked, AppointmentStatus.CANCELLED, clock())
    await sweep_at(local(2026, 6, 11, 12, 0))
    assert outbound.sent == []
    assert set((await statuses(reminders, booked)).values()) == {ReminderStatus.CANCELLED}


async def test_moving_an_appointment_replans_its_reminders(
    reminders: Reminders,
    clock: FakeClock,
    outbound: RecordingOutbound,
    booked: int,
    sweep_at: SweepAt,
) -> None:
    moved = AppointmentInput(
        "A-1", local(2026, 6, 20, 11, 0), "ims_treatment", location_id="riverside"
    )
    _, change = await reminders.repository.save(moved, clock())
    assert change is Change.MOVED
    due = {
        x.kind: x.due_at.astimezone(TORONTO)
        for x in await reminders.repository.reminders_of(booked)
    }
    assert due["remind_48h"] == local(2026, 6, 18, 11, 0)
    assert due["remind_2h"] == local(2026, 6, 20, 9, 0)
    await sweep_at(FIRST_REMINDER_DUE)  # the old 48 h time: nothing goes
    assert outbound.sent == []
    await sweep_at(local(2026, 6, 18, 11, 0))
    assert "Saturday 20 June 2026 at 11:00" in outbound.to(CHAT)[0].text


async def reimport(r: Reminders, start: datetime, *, cancelled: bool = False) -> str:
    """The daily export's row for A-1, saved the way `appointments import` saves it."""
    row = AppointmentInput(
        "A-1", start, "ims_treatment", location_id="riverside", cancelled=cancelled
    )
    return str(await r.repository.save_many([row], r.clock()))


async def test_a_reimport_still_listing_what_the_patient_cancelled_keeps_it_cancelled(
    reminders: Reminders,
    clock: FakeClock,
    outbound: RecordingOutbound,
    booked: int,
    sweep_at: SweepAt,
) -> None:
    await sweep_at(FIRST_REMINDER_DUE)
    assert len(outbound.to(CHAT)) == 1
    await reminders.repository.set_status(booked, AppointmentStatus.CANCELLED, clock())
    summary = await reimport(reminders, local(2026, 6, 10, 15, 0))
    assert "1 cancelled by the patient, still in the export" in summary
    assert "0 moved" in summary
    appointment = await reminders.repository.get(booked)
    assert appointment is not None and appointment.is_cancelled
    assert (await statuses(reminders, booked))["remind_48h"] is ReminderStatus.SENT
    await sweep_at(local(2026, 6, 11, 12, 0))
    assert len(outbound.to(CHAT)) == 1


async def test_the_clinic_reopening_at_the_same_time_never_sends_a_reminder_twice(
    reminders: Reminders, outbound: RecordingOutbound, booked: int, sweep_at: SweepAt
) -> None:
    await sweep_at(FIRST_REMINDER_DUE)
    await reimport(reminders, local(2026, 6, 10, 15, 0), cancelled=True)
    assert "1 moved" in await reimport(reminders, local(2026, 6, 10, 15, 0))
    found = await statuses(reminders, booked)
    assert found["remind_48h"] is ReminderStatus.SENT
    assert found["remind_2h"] is ReminderStatus.PENDING  # came back with the appointment
    await sweep_at(local(2026, 6, 10, 13, 0))
    assert len(outbound.to(CHAT)) == 2
    assert "0 cancelled by" not in await reimport(reminders, local(2026, 6, 10, 15, 0))


async def test_the_export_moving_what_the_patient_cancelled_books_it_again(
    reminders: Reminders,
    clock: FakeClock,
    outbound: RecordingOutbound,
    booked: int,
    sweep_at: SweepAt,
) -> None:
    await reminders.repository.set_status(booked, AppointmentStatus.CANCELLED, clock())
    assert "1 moved" in await reimport(reminders, local(2026, 6, 20, 11, 0))
    appointment = await reminders.repository.get(booked)
    assert appointment is not None and appointment.status is AppointmentStatus.BOOKED
    await sweep_at(local(2026, 6, 18, 11, 0))
    assert "Saturday 20 June 2026 at 11:00" in outbound.to(CHAT)[0].text


async def test_downtime_within_grace_still_sends_beyond_grace_skips(
    reminders: Reminders, clock: FakeClock, outbound: RecordingOutbound, booked: int
) -> None:
    # Bot was down from before the 48 h reminder until 3 h after it: within the 12 h grace.
    clock.set(local(2026, 6, 8, 18, 0))
    await reminders.sender.reconcile(outbound)
    await reminders.sender.sweep(outbound)
    assert len(outbound.sent) == 1
    # Down again through the 2 h reminder and past the start: skipped with a reason.
    clock.set(local(2026, 6, 10, 15, 30))
    await reminders.sender.reconcile(outbound)
    rows = await rows_of(reminders, booked)
    assert rows["remind_2h"].status is ReminderStatus.SKIPPED
    assert rows["remind_2h"].reason == PASSED_REASON
    assert len(outbound.sent) == 1


async def test_a_passed_appointments_reminder_is_never_claimed_and_reads_skipped(
    reminders: Reminders, clock: FakeClock
) -> None:
    clock.set(BOOKED_AT)
    appointment_id = await book(reminders)  # 10 June 15:00, the 2 h reminder due at 13:00
    clock.set(local(2026, 6, 10, 15, 30))  # no sweep ran since: the rows are still pending
    assert (await statuses(reminders, appointment_id))["remind_2h"] is ReminderStatus.PENDING
    # Within the grace, but its appointment has begun: a sender never takes it.
    assert await reminders.outbox.claim_next(clock()) is None
    counts = await reminders.outbox.housekeep(clock())
    rows = await rows_of(reminders, appointment_id)
    assert counts.skipped == 2
    assert rows["remind_2h"].status is ReminderStatus.SKIPPED
    assert rows["remind_2h"].reason == PASSED_REASON
    assert rows["check_in"].status is ReminderStatus.PENDING  # it goes after the visit


async def test_a_read_as_of_now_shows_what_housekeeping_would_do_and_writes_nothing(
    reminders: Reminders, clock: FakeClock
) -> None:
    clock.set(BOOKED_AT)
    passed = await book(reminders)  # 10 June 15:00
    cancelled = await book(reminders, ref="A-2", start=local(2026, 6, 10, 16, 0))
    await reminders.repository.set_status(cancelled, AppointmentStatus.CANCELLED, clock())
    unlinked = await book(reminders, ref="A-3", start=local(2026, 6, 10, 17, 0), chat=None)
    await book(reminders, ref="A-4", start=local(2026, 6, 30, 15, 0))  # still to come
    claim = await reminders.outbox.claim_next(FIRST_REMINDER_DUE)  # left in "sending"
    assert claim is not None
    clock.set(local(2026, 6, 10, 18, 0))
    outbox, now = reminders.outbox, clock()
    ids = [passed, cancelled, unlinked]

    def seen(rows: dict[int, list[Reminder]]) -> list[tuple[int, str, str, str | None]]:
        return sorted((a, r.kind, r.status.value, r.reason) for a, rs in rows.items() for r in rs)

    stored = seen(await outbox.reminders_of(ids))
    read = seen(await outbox.reminders_of(ids, as_of=now))
    read_counts = await outbox.counts(as_of=now)
    read_rows = await outbox.rows(tuple(ReminderStatus), as_of=now)
    assert seen(await outbox.reminders_of(ids)) == stored  # the reads wrote nothing
    assert await outbox.counts() != read_counts
    assert {status for _, _, status, _ in read} >= {"skipped", "cancelled", "unknown"}
    await outbox.housekeep(now)
    assert seen(await outbox.reminders_of(ids)) == read  # the same rules, applied
    assert await outbox.counts() == read_counts
    assert sorted(
        (r.id, r.status, r.reason) for r, _ in await outbox.rows(tuple(ReminderStatus))
    ) == sorted((r.id, r.status, r.reason) for r, _ in read_rows)


async def test_a_reminder_due_within_the_grace_before_its_appointment_is_still_claimed(
    reminders: Reminders, clock: FakeClock
) -> None:
    clock.set(BOOKED_AT)
    await book(reminders)
    clock.set(local(2026, 6, 10, 14, 0))  # the 2 h reminder is an hour late: it still goes
    claim = await reminders.outbox.claim_next(clock())
    assert claim is not None and claim.reminder.kind == "remind_2h"


async def test_missed_by_more_than_grace_is_skipped(
    reminders: Reminders, clock: FakeClock, outbound: RecordingOutbound, sweep_at: SweepAt
) -> None:
    clock.set(BOOKED_AT)
    appointment_id = await book(reminders, start=local(2026, 6, 20, 15, 0))
    await sweep_at(local(2026, 6, 19, 12, 0))  # 48 h reminder was due 21 h ago
    rows = await rows_of(reminders, appointment_id)
    assert rows["remind_48h"].status is ReminderStatus.SKIPPED
    assert "grace" in (rows["remind_48h"].reason or "")
    assert outbound.sent == []


async def test_unlinked_patient_is_skipped_with_reason(
    reminders: Reminders, clock: FakeClock, outbound: RecordingOutbound, sweep_at: SweepAt
) -> None:
    clock.set(BOOKED_AT)
    appointment_id = await book(reminders, chat=None)
    await sweep_at(FIRST_REMINDER_DUE)
    rows = await rows_of(reminders, appointment_id)
    assert rows["remind_48h"].status is ReminderStatus.PENDING  # they may still link
    await sweep_at(local(2026, 6, 9, 3, 30))  # beyond the 12 h grace
    rows = await rows_of(reminders, appointment_id)
    assert rows["remind_48h"].reason == "patient had not linked a chat in time"
    assert outbound.sent == []


async def test_patient_linking_after_a_reminder_fell_due_still_gets_it(
    reminders: Reminders, clock: FakeClock, outbound: RecordingOutbound, sweep_at: SweepAt
) -> None:
    clock.set(BOOKED_AT)
    appointment_id = await book(reminders, chat=None)
    await sweep_at(FIRST_REMINDER_DUE)
    token = await reminders.repository.create_link(appointment_id, clock())
    clock.advance(hours=1)
    await reminders.repository.redeem_link(token, CHAT, clock())
    await reminders.sender.sweep(outbound)
    assert len(outbound.to(CHAT)) == 1


async def test_blocked_bot_marks_patient_unreachable_and_tells_staff(
    reminders: Reminders,
    clock: FakeClock,
    outbound: RecordingOutbound,
    booked: int,
    sweep_at: SweepAt,
) -> None:
    outbound.fail_with[CHAT] = [RecipientUnreachable("blocked")]
    await sweep_at(FIRST_REMINDER_DUE)
    appointment = await reminders.repository.get(booked)
    assert appointment is not None and appointment.unreachable
    assert any("blocked the bot" in note.text for note in outbound.staff)
    rows = await rows_of(reminders, booked)
    assert rows["remind_48h"].status is ReminderStatus.FAILED
    await sweep_at(local(2026, 6, 10, 13, 0))
    rows = await rows_of(reminders, booked)
    assert rows["remind_2h"].reason == "patient blocked the bot"
    assert outbound.sent == []
    # They unblock the bot before the next-day check-in: that one goes.
    assert await reminders.repository.mark_chat_reachable(CHAT, clock()) == 1
    await sweep_at(local(2026, 6, 11, 10, 0))
    rows = await rows_of(reminders, booked)
    assert rows["check_in"].status is ReminderStatus.SENT
    assert len(outbound.to(CHAT)) == 1


async def test_flood_control_waits_and_retries(
    reminders: Reminders,
    clock: FakeClock,
    outbound: RecordingOutbound,
    booked: int,
    sweep_at: SweepAt,
) -> None:
    outbound.fail_with[CHAT] = [RateLimited(7)]
    report = await sweep_at(FIRST_REMINDER_DUE)
    assert report.deferred == 1 and outbound.sent == []
    clock.advance(seconds=3)
    await reminders.sender.sweep(outbound)
    assert outbound.sent == []  # retry_after not over yet
    clock.advance(seconds=5)
    await reminders.sender.sweep(outbound)
    assert len(outbound.sent) == 1
    rows = await rows_of(reminders, booked)
    assert rows["remind_48h"].status is ReminderStatus.SENT and rows["remind_48h"].attempts == 2


async def test_channel_down_across_the_due_time_delivers_once_after_recovery(
    reminders: Reminders, clock: FakeClock, outbound: RecordingOutbound, booked: int
) -> None:
    outbound.fail_with[CHAT] = [ChannelUnavailable("refused")] * 4
    clock.set(FIRST_REMINDER_DUE)
    for _ in range(12):  # a sweep every 30 s for six minutes
        report = await reminders.sender.sweep(outbound)
        assert report.unknown == 0 and report.failed == 0
        clock.advance(seconds=30)
    assert [chat for chat, _ in outbound.sent] == [CHAT]
    rows = await rows_of(reminders, booked)
    assert rows["remind_48h"].status is ReminderStatus.SENT
    assert outbound.staff == []  # nothing was lost, so staff need not check anything


async def test_a_sweep_that_finds_the_channel_down_stops_and_keeps_the_rest_pending(
    reminders: Reminders, clock: FakeClock, outbound: RecordingOutbound, sweep_at: SweepAt
) -> None:
    clock.set(BOOKED_AT)
    for n in range(3):
        await book(reminders, ref=f"D-{n}", chat=2000 + n)
    outbound.fail_with[2000] = [ChannelUnavailable("refused")]
    report = await sweep_at(FIRST_REMINDER_DUE)
    assert report.deferred == 1 and outbound.sent == []
    counts = await reminders.outbox.counts()
    assert counts["sending"] == 0 and counts["unknown"] == 0


async def test_timeout_is_unknown_shown_to_staff_and_never_resent(
    reminders: Reminders,
    clock: FakeClock,
    outbound: RecordingOutbound,
    booked: int,
    sweep_at: SweepAt,
) -> None:
    outbound.fail_with[CHAT] = [DeliveryUnknown("timed out")]
    await sweep_at(FIRST_REMINDER_DUE)
    clock.advance(minutes=10)
    await reminders.sender.sweep(outbound)
    assert outbound.sent == []
    rows = await rows_of(reminders, booked)
    assert rows["remind_48h"].status is ReminderStatus.UNKNOWN
    [note] = outbound.staff  # told once, not at every sweep
    assert "may not have reached" in note.text and "A-1" in note.text


async def test_staff_hear_of_unknown_reminders_only_once_the_channel_is_back(
    reminders: Reminders, clock: FakeClock, outbound: RecordingOutbound, sweep_at: SweepAt
) -> None:
    clock.set(BOOKED_AT)
    await book(reminders, ref="U-1", chat=3000)
    await book(reminders, ref="U-2", chat=3001, start=local(2026, 6, 10, 16, 0))
    outbound.fail_with[3000] = [DeliveryUnknown("timed out")]
    outbound.fail_with[3001] = [ChannelUnavailable("refused")]
    await sweep_at(local(2026, 6, 8, 16, 0))
    assert outbound.staff == []  # the channel is down: a note now would be lost too
    clock.advance(minutes=1)
    await reminders.sender.sweep(outbound)
    [note] = outbound.staff
    assert "U-1" in note.text and "U-2" not in note.text


async def test_rejected_message_fails_permanently(
    reminders: Reminders, outbound: RecordingOutbound, booked: int, sweep_at: SweepAt
) -> None:
    outbound.fail_with[CHAT] = [DeliveryRejected("chat not found")]
    await sweep_at(FIRST_REMINDER_DUE)
    rows = await rows_of(reminders, booked)
    assert rows["remind_48h"].status is ReminderStatus.FAILED


async def test_claim_abandoned_mid_send_becomes_unknown_after_restart(
    reminders: Reminders, clock: FakeClock, outbound: RecordingOutbound, booked: int
) -> None:
    clock.set(FIRST_REMINDER_DUE)
    claim = await reminders.outbox.claim_next(clock())
    assert claim is not None  # ... and the process dies here, before sending or marking
    clock.advance(minutes=5)
    report = await reminders.sender.reconcile(outbound)
    assert report.unknown == 1
    await reminders.sender.sweep(outbound)
    assert outbound.sent == []
    rows = await rows_of(reminders, booked)
    assert rows["remind_48h"].status is ReminderStatus.UNKNOWN
    assert outbound.staff and "A-1" in outbound.staff[0].text


async def test_the_shell_leaves_patients_reminders_and_problems_to_the_bot(
    reminders: Reminders, clock: FakeClock, outbound: RecordingOutbound
) -> None:
    """`ims-bot shell` on the clinic's database sweeps for its own chat only."""
    clock.set(BOOKED_AT)
    abandoned = await book(reminders, "A-1", local(2026, 6, 10, 15, 0))
    waiting = await book(reminders, "A-2", local(2026, 6, 10, 15, 30))
    own = await book(reminders, "A-3", local(2026, 6, 10, 16, 0), chat=CONSOLE_CHAT_ID)
    clock.set(FIRST_REMINDER_DUE)
    assert await reminders.outbox.claim_next(clock()) is not None  # the bot died mid-send
    clock.set(local(2026, 6, 8, 16, 0))
    screen = io.StringIO()
    console = ConsoleOutbound(ConsoleOutput(screen, json_mode=False))
    report = await reminders.sender.sweep(console)
    assert report.sent == 1 and "Wednesday 10 June 2026 at 16:00" in screen.getvalue()
    assert "may not have reached" not in screen.getvalue()
    assert (await statuses(reminders, own))["remind_48h"] is ReminderStatus.SENT
    assert (await statuses(reminders, waiting))["remind_48h"] is ReminderStatus.PENDING
    await reminders.sender.sweep(outbound)  # the bot, which reaches the patients
    assert [chat for chat, _ in outbound.sent] == [CHAT]
    [note] = outbound.staff
    assert "A-1" in note.text
    assert (await statuses(reminders, abandoned))["remind_48h"] is ReminderStatus.UNKNOWN


async def test_the_console_never_reports_another_chats_message_as_delivered() -> None:
    console = ConsoleOutbound(ConsoleOutput(io.StringIO(), json_mode=False))
    with pytest.raises(ChannelUnavailable):
        await console.send(CHAT, Reply("Your appointment is on Wednesday"))
    assert console.sent == 0


async def test_two_senders_on_one_database_never_double_send(
    tmp_path: Path, content: ClinicContent, clock: FakeClock
) -> None:
    settings = make_settings(tmp_path)
    first_db = await open_database(settings.database_url)
    second_db = await open_database(settings.database_url)
    try:
        first = build_reminders(settings, content, first_db, clock=clock)
        second = build_reminders(settings, content, second_db, clock=clock)
        clock.set(BOOKED_AT)
        for n in range(40):
            await book(first, ref=f"C-{n}", chat=1000 + n)
        clock.set(FIRST_REMINDER_DUE)
        out_a, out_b = RecordingOutbound(), RecordingOutbound()
        await asyncio.gather(first.sender.sweep(out_a), second.sender.sweep(out_b))
        chats = [chat for chat, _ in out_a.sent + out_b.sent]
        assert sorted(chats) == [1000 + n for n in range(40)]
    finally:
        await first_db.close()
        await second_db.close()


async def test_utc_times_are_stored_and_read_back_aware(
    reminders: Reminders, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 6, 1, 12, 0, tzinfo=UTC))
    appointment_id = await book(reminders)
    appointment = await reminders.repository.get(appointment_id)
    assert appointment is not None and appointment.starts_at.tzinfo is not None
    assert appointment.starts_at == local(2026, 6, 10, 15, 0)
    assert appointment.starts_at - clock() > timedelta(days=8)


async def test_catch_up_found_during_quiet_hours_waits_for_the_morning(
    reminders: Reminders, clock: FakeClock, outbound: RecordingOutbound, sweep_at: SweepAt
) -> None:
    clock.set(BOOKED_AT)
    appointment_id = await book(reminders, start=local(2026, 6, 10, 20, 30))
    await sweep_at(local(2026, 6, 8, 22, 0))  # back up after the 20:30 reminder, in quiet hours
    assert outbound.sent == []
    assert (await statuses(reminders, appointment_id))["remind_48h"] is ReminderStatus.PENDING
    await sweep_at(local(2026, 6, 9, 8, 0))  # 11.5 h late: still within the 12 h grace
    assert len(outbound.to(CHAT)) == 1
