"""`ims-bot appointments ...` and `ims-bot reminders ...` on a real SQLite file."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.cli.main import main
from bot.config import BUNDLED_CONTENT_DIR

HEADER = "ref,start,type,duration_minutes,location,clinician,status\n"


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}")
    monkeypatch.setenv("CONTENT_DIR", str(BUNDLED_CONTENT_DIR))
    monkeypatch.setenv("CLINIC_TIMEZONE", "America/Toronto")
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME", raising=False)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


def future(days: int, hour: int = 15) -> str:
    """`days` weekdays ahead (the sample locations are open at 15:00 on each; an import
    leaves out a row when every location is closed), or `-days` calendar days back."""
    day = datetime.now(UTC).date()
    if days < 0:
        day += timedelta(days=days)
    for _ in range(max(days, 0)):
        day += timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
    return f"{day.isoformat()}T{hour:02d}:00"


def open_wednesday(hour: int = 15) -> str:
    """A Wednesday at least five days ahead, when both sample locations are open."""
    day = datetime.now(UTC).date() + timedelta(days=5)
    day += timedelta(days=(2 - day.weekday()) % 7)
    return f"{day.isoformat()}T{hour:02d}:00"


def next_weekday(weekday: int, hour: int, minute: int = 0) -> str:
    day = datetime.now(UTC).date() + timedelta(days=2)
    day += timedelta(days=(weekday - day.weekday()) % 7)
    return f"{day.isoformat()}T{hour:02d}:{minute:02d}"


def add(*extra: str, ref: str = "R-9", at: str | None = None) -> int:
    when = at or open_wednesday()
    return main(
        ["appointments", "add", "--at", when, "--ref", ref, "--type", "ims_treatment", *extra]
    )


def test_a_time_outside_the_locations_hours_is_refused_unless_forced(
    capsys: pytest.CaptureFixture[str],
) -> None:
    saturday_night = next_weekday(5, 22, 17)
    assert add("--location", "riverside", at=saturday_night) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "closed" in err[0] and "--force" in err[0]
    assert add("--location", "riverside", "--force", at=saturday_night) == 0


def test_without_a_location_a_time_when_every_location_is_closed_is_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    sunday = next_weekday(6, 15)
    assert add(at=sunday) == 2
    err = capsys.readouterr().err
    assert "every location is closed then" in err and "--force" in err
    assert add("--location", "riverside", at=sunday) == 2
    assert "closed all day on Sundays" in capsys.readouterr().err
    assert add("--force", at=sunday) == 0


def test_a_time_the_clocks_skip_is_refused_even_when_forced(
    capsys: pytest.CaptureFixture[str],
) -> None:
    year = datetime.now(UTC).year + 1
    march = [datetime(year, 3, day) for day in range(8, 15)]
    second_sunday = next(day for day in march if day.weekday() == 6)  # Toronto springs forward
    skipped = f"{second_sunday:%Y-%m-%d} 02:30"
    assert add("--force", at=skipped) == 2
    assert "does not exist in America/Toronto" in capsys.readouterr().err
    assert add("--force", at=f"{second_sunday:%Y-%m-%d} 03:30") == 0


def test_adding_a_reference_again_keeps_what_was_not_said_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add("--location", "riverside", "--clinician", "Alex Doe", ref="K-1") == 0
    assert add(ref="K-1", at=open_wednesday(16)) == 0
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        row = db.execute(
            "SELECT location_id, clinician FROM appointments WHERE ref = 'K-1'"
        ).fetchone()
    assert row == ("riverside", "Alex Doe")
    assert add("--clinician", "Sam Roe", ref="K-1", at=open_wednesday(16)) == 0
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        row = db.execute("SELECT clinician FROM appointments WHERE ref = 'K-1'").fetchone()
    assert row == ("Sam Roe",)


def location_of(tmp_path: Path, ref: str) -> str | None:
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        row = db.execute("SELECT location_id FROM appointments WHERE ref = ?", (ref,)).fetchone()
    return row[0] if row else None


def test_a_location_is_found_by_id_or_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for ref, name in (("L-1", "north_hill"), ("L-2", "North Hill"), ("L-3", "north hill")):
        assert add("--location", name, ref=ref) == 0, capsys.readouterr().err
        assert location_of(tmp_path, ref) == "north_hill"


def test_a_csv_may_name_a_location_by_its_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = f"C-1,{open_wednesday()},ims_treatment,,North Hill,Alex Doe,\n"
    path = write(tmp_path, "by-name.csv", HEADER + row)
    assert main(["appointments", "import", str(path)]) == 0, capsys.readouterr().err
    assert location_of(tmp_path, "C-1") == "north_hill"


def stored(tmp_path: Path, ref: str) -> tuple[str, str] | None:
    """(type id, start as stored) of the appointment `ref`, if any."""
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        row = db.execute(
            "SELECT type_id, starts_at FROM appointments WHERE ref = ?", (ref,)
        ).fetchone()
    return (row[0], row[1]) if row else None


def test_a_time_in_the_past_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    yesterday = future(-1)
    assert add(ref="P-1", at=yesterday) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is in the past" in err[0] and err[0].startswith("ims-bot: --at")
    row = f"P-2,{yesterday},ims_treatment,,,,\n"
    path = write(tmp_path, "past.csv", HEADER + f"P-3,{future(3)},assessment,,,,\n" + row)
    # A daily export still lists this morning's visits: the passed row is left out with a
    # note, the rest is imported.
    assert main(["appointments", "import", str(path)]) == 0
    err_text = capsys.readouterr().err
    assert "1 row(s) left out" in err_text
    assert "past.csv:3: left out: 'start'" in err_text and "is in the past" in err_text
    assert stored(tmp_path, "P-1") is None and stored(tmp_path, "P-2") is None
    assert stored(tmp_path, "P-3") is not None


def test_import_leaves_out_a_row_at_a_closed_location_as_add_refuses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sunday = next_weekday(6, 11)  # Riverside is closed all day on Sundays
    assert add("--location", "riverside", ref="S-0", at=sunday) == 2
    add_err = capsys.readouterr().err
    rows = (
        f"S-1,{open_wednesday()},ims_treatment,,riverside,,\n"
        f"S-2,{sunday},ims_treatment,,riverside,,\n"
    )
    path = write(tmp_path, "closed.csv", HEADER + rows)
    assert main(["appointments", "import", str(path)]) == 0
    err = capsys.readouterr().err
    assert "1 row(s) left out" in err
    reason = add_err.split("ims-bot: ", 1)[1].split(";")[0]
    assert f"closed.csv:3: left out: {reason}" in err
    assert stored(tmp_path, "S-1") is not None and stored(tmp_path, "S-2") is None


def test_add_takes_a_type_label_and_a_space_before_the_time(tmp_path: Path) -> None:
    day = open_wednesday().split("T")[0]
    assert main(["appointments", "add", "--at", f"{day} 14:30", "--ref", "T-1",
                 "--type", "IMS treatment"]) == 0  # fmt: skip
    assert main(["appointments", "add", "--at", day, "14:30", "--ref", "T-2",
                 "--type", "ims treatment"]) == 0  # fmt: skip
    for ref in ("T-1", "T-2"):
        found = stored(tmp_path, ref)
        assert found is not None and found[0] == "ims_treatment"
    assert stored(tmp_path, "T-1") == stored(tmp_path, "T-2")
    row = f"T-3,{day} 14:30,Initial assessment,,,,\n"
    path = write(tmp_path, "label.csv", HEADER + row)
    assert main(["appointments", "import", str(path)]) == 0
    assert stored(tmp_path, "T-3") == ("assessment", stored(tmp_path, "T-1")[1])  # type: ignore[index]


def test_reusing_a_reference_says_it_moves_the_existing_appointment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert add(ref="M-1") == 0
    capsys.readouterr()
    assert add(ref="M-1", at=open_wednesday(hour=11)) == 0
    out = capsys.readouterr().out
    assert "M-1 already existed" in out and "moved" in out


def test_a_booking_too_close_for_reminders_says_a_confirmation_follows(
    capsys: pytest.CaptureFixture[str],
) -> None:
    soon = (datetime.now(UTC) + timedelta(minutes=10)).isoformat()
    assert add("--force", ref="S-1", at=soon) == 0  # whatever the hour is now
    assert "too close for its reminders" in capsys.readouterr().out


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_add_prints_a_one_time_link_and_writes_a_qr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "@MapleClinicBot")
    qr = tmp_path / "link.png"
    code = main(
        [
            "appointments",
            "add",
            "--at",
            open_wednesday(),
            "--ref",
            "R-1",
            "--type",
            "ims_treatment",
            "--location",
            "riverside",
            "--clinician",
            "Alex Doe",
            "--qr",
            str(qr),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "https://t.me/MapleClinicBot?start=ap-" in out
    assert qr.read_bytes().startswith(b"\x89PNG")
    token = out.split("?start=")[1].split()[0]
    assert len(token) <= 64
    # Only the hash is stored: the token never appears in the database file.
    assert token.encode() not in (tmp_path / "bot.sqlite3").read_bytes()


def test_add_without_username_says_it_used_a_placeholder(
    capsys: pytest.CaptureFixture[str],
) -> None:
    when = open_wednesday()
    assert main(["appointments", "add", "--at", when, "--ref", "R-2", "--type", "assessment"]) == 0
    assert "TELEGRAM_BOT_USERNAME is not set" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--at", "next tuesday", "--type", "assessment"], "not an ISO 8601"),
        (["--at", future(5), "--type", "massage"], "unknown --type"),
        (["--at", future(5), "--type", "assessment", "--location", "moon"], "unknown --location"),
    ],
)
def test_add_rejects_bad_input_clearly(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["appointments", "add", "--ref", "R-3", *args]) == 2
    assert message in capsys.readouterr().err


def test_add_reads_a_reference_as_an_import_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # No reference at all: a second one would have moved the first patient's appointment.
    assert add(ref="") == 2
    assert add(ref="   ") == 2
    assert "--ref is empty" in capsys.readouterr().err
    assert add(ref="R" * 65) == 2
    assert "longer than 64" in capsys.readouterr().err
    # Spaces around it are the import's: " R-7 " and the export's R-7 are one appointment.
    assert add(ref=" R-7 ") == 0
    capsys.readouterr()
    write(tmp_path, "export.csv", HEADER + f"R-7,{future(7)},ims_treatment,,,,\n")
    assert main(["appointments", "import", str(tmp_path / "export.csv")]) == 0
    assert "0 created" in capsys.readouterr().out
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:
        refs = [ref for (ref,) in db.execute("SELECT ref FROM appointments")]
    assert refs == ["R-7"]


def test_import_reports_every_bad_row_and_imports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        "bad.csv",
        HEADER
        + f"G-1,{future(3)},ims_treatment,,riverside,Alex Doe,\n"
        + "G-2,tomorrow at 3,ims_treatment,,,,\n"
        + f"G-3,{future(3)},massage,,,,\n"
        + f"G-4,{future(3)},assessment,0,,,\n"
        + f"G-1,{future(4)},assessment,,,,\n"
        + f",{future(3)},assessment,,,,maybe\n",
    )
    assert main(["appointments", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv:3:" in err and "ISO 8601" in err
    assert "bad.csv:4:" in err and "massage" in err
    assert "bad.csv:5:" in err and "duration_minutes" in err
    assert "bad.csv:6:" in err and "appears again" in err
    assert "bad.csv:7:" in err and "'ref' is empty" in err and "maybe" in err
    assert main(["appointments", "list"]) == 0
    assert "No appointments" in capsys.readouterr().out


def test_an_exact_duplicate_row_is_reported_and_imported_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    row = f"D-1,{future(3)},ims_treatment,,riverside,Alex Doe,\n"
    path = write(tmp_path, "twice.csv", HEADER + row + f"D-2,{future(4)},assessment,,,,\n" + row)
    assert main(["appointments", "import", str(path)]) == 0
    captured = capsys.readouterr()
    assert "1 row(s) left out" in captured.err
    assert "twice.csv:4: left out: repeats line 2 exactly; imported once" in captured.err
    assert "imported 2 appointment(s)" in captured.out and "2 created" in captured.out


def test_a_duplicate_reference_with_other_details_still_stops_the_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path,
        "clash.csv",
        HEADER
        + f"D-1,{future(3)},ims_treatment,,riverside,Alex Doe,\n"
        + f"D-1,{future(3)},ims_treatment,,riverside,Sam Roe,\n",
    )
    assert main(["appointments", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "nothing was imported" in err
    assert (
        "clash.csv:3: ref 'D-1' appears again (first on line 2) with a different clinician" in err
    )
    assert "keep the one row that is right" in err


def test_import_missing_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, "cols.csv", "reference,when\nX,Y\n")
    assert main(["appointments", "import", str(path)]) == 1
    assert "cols.csv:1: missing column(s) ref, start, type" in capsys.readouterr().err


def test_reimport_updates_moves_and_cancels(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = (
        HEADER
        + f"I-1,{future(5)},ims_treatment,,riverside,Alex Doe,\n"
        + f"I-2,{future(6)},assessment,,,,\n"
    )
    path = write(tmp_path, "export.csv", first)
    assert main(["appointments", "import", str(path)]) == 0
    assert "2 created" in capsys.readouterr().out
    assert main(["appointments", "import", str(path)]) == 0
    assert "2 unchanged" in capsys.readouterr().out
    second = (
        HEADER
        + f"I-1,{future(7)},ims_treatment,,riverside,Alex Doe,\n"
        + f"I-2,{future(6)},assessment,,,,cancelled\n"
    )
    write(tmp_path, "export.csv", second)
    assert main(["appointments", "import", str(path), "--dry-run"]) == 0
    assert (
        "would change" in (out := capsys.readouterr().out)
        and "1 moved" in out
        and "1 cancelled" in out
    )
    assert main(["reminders", "preview", "--hours", str(24 * 30)]) == 0
    assert "I-2" in capsys.readouterr().out  # dry run changed nothing
    assert main(["appointments", "import", str(path)]) == 0
    assert main(["reminders", "preview", "--hours", str(24 * 30)]) == 0
    preview = capsys.readouterr().out
    assert "I-2" not in preview and "I-1" in preview
    assert main(["appointments", "list", "--days", "30"]) == 0
    listing = capsys.readouterr().out
    assert "I-2" in listing and "cancelled" in listing
    assert main(["reminders", "status"]) == 0
    status = capsys.readouterr().out
    assert "cancelled 2" in status


def test_import_ics_calendar(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A weekday: on a Saturday Riverside closes at 13:00 and the row would be left out.
    stamp = datetime.fromisoformat(future(4)).strftime("%Y%m%dT150000")
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n"
        "BEGIN:VEVENT\r\nUID:ICS-1\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART;TZID=America/Toronto:{stamp}\r\nDURATION:PT45M\r\n"
        "SUMMARY:IMS treatment\r\nLOCATION:riverside\r\nX-CLINICIAN:Alex Doe\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:ICS-2\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{stamp}\r\nCATEGORIES:assessment\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n"
        "BEGIN:VEVENT\r\nUID:ICS-3\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART;VALUE=DATE:20300101\r\nSUMMARY:Staff party\r\nEND:VEVENT\r\n"
        "END:VCALENDAR\r\n"
    )
    path = write(tmp_path, "cal.ics", ics)
    assert main(["appointments", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "cal.ics:20:" in err and "whole day" in err and "Staff party" in err
    path = write(
        tmp_path, "cal.ics", ics.split("BEGIN:VEVENT\r\nUID:ICS-3")[0] + "END:VCALENDAR\r\n"
    )
    assert main(["appointments", "import", str(path)]) == 0
    assert "1 created" in (out := capsys.readouterr().out) and "1 cancelled" in out
    assert main(["appointments", "list"]) == 0
    assert "ICS-1" in capsys.readouterr().out


def test_a_passed_appointments_reminders_read_skipped_never_planned(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add("--location", "riverside", ref="P-1") == 0
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:  # weeks on, no sender ran
        db.execute(
            "UPDATE appointments SET chat_id = 4242, starts_at = datetime(starts_at, '-20 days')"
        )
        db.execute("UPDATE reminders SET due_at = datetime(due_at, '-20 days')")
    capsys.readouterr()
    assert main(["reminders", "preview", "--hours", "48"]) == 0
    assert "P-1" not in capsys.readouterr().out
    assert main(["reminders", "status"]) == 0
    status = capsys.readouterr().out
    assert "pending 0" in status and "skipped 3" in status
    assert "remind_2h    P-1: appointment passed before it was sent" in status
    assert "check_in     P-1: missed by more than" in status
    with sqlite3.connect(tmp_path / "bot.sqlite3") as db:  # reports that wrote nothing
        assert db.execute("SELECT DISTINCT status FROM reminders").fetchall() == [("pending",)]


@pytest.mark.parametrize("hours", ["-5", "0", "soon", "inf"])
def test_preview_refuses_hours_that_look_nowhere_ahead(
    hours: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["reminders", "preview", "--hours", hours])
    assert stopped.value.code == 2
    assert "is not a number of hours ahead, above 0" in capsys.readouterr().err
