"""`ims-bot faq unanswered` lists what the FAQ could not answer, newest first."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import sqlite3
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli.main import main
from bot.faq.unanswered import UnansweredLog
from bot.storage.console_tables import UnansweredReview
from bot.storage.database import open_database
from bot.storage.faq_tables import UnansweredQuestion
from bot.web.spreadsheet import spreadsheet_csv


async def _seed(url: str) -> None:
    database = await open_database(url)
    log = UnansweredLog(database, timedelta(days=90))
    now = datetime.now(UTC)
    await log.record("do you validate parking", "hours_locations", 0.31, now - timedelta(days=5))
    await log.record("can my dog come along", None, 0.0, now - timedelta(hours=1))
    await database.close()


async def test_lists_newest_first_and_filters_by_days(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await _seed(url)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    # main() runs its own event loop, so call it from a worker thread.
    assert await asyncio.to_thread(main, ["faq", "unanswered"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "can my dog come along" in lines[0]
    assert "do you validate parking" in lines[1] and "hours_locations 0.31" in lines[1]
    assert lines[-1] == "2 unanswered question(s)"

    assert await asyncio.to_thread(main, ["faq", "unanswered", "--days", "1", "--json"]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["text"] for r in records] == ["can my dog come along"]
    assert records[0]["closest_faq_id"] is None


@pytest.mark.parametrize("days", ["0", "-1", "two"])
def test_days_below_one_is_refused_with_one_line(
    days: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["faq", "unanswered", "--days", days])
    assert exited.value.code == 2
    error = capsys.readouterr().err.strip().splitlines()[-1]
    assert "--days" in error and "1 or more" in error


async def test_a_patients_control_characters_never_reach_the_staff_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a patient typed is printed one question a line, with no escape sequence
    (clearing the screen, retitling the window) or reversed text reaching the terminal."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    database = await open_database(url)
    log = UnansweredLog(database, timedelta(days=90))
    typed = "wifi \x1b[2J\x1b]0;pwned\x07password\nplease \u202eevil\u202c ok 👩\u200d⚕️"
    await log.record(typed, None, 0.0, datetime.now(UTC))
    await database.close()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    assert await asyncio.to_thread(main, ["faq", "unanswered"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2, lines
    assert "\x1b" not in lines[0] and "\x07" not in lines[0] and "\u202e" not in lines[0]
    assert "wifi \\x1b[2J\\x1b]0;pwned\\x07password please \\u202eevil\\u202c ok" in lines[0]
    assert "👩\u200d⚕️" in lines[0]  # an emoji's joiner is not a control


# What patients type, as a spreadsheet must show it and never run it.
HOSTILE = {
    '=HYPERLINK("http://evil.example","refund")': "'=HYPERLINK",
    "+1 613 555 0100 call me": "'+1 613",
    "-2+3 is my pain": "'-2+3",
    "@SUM(1+1)": "'@SUM",
}
PLAIN = 'le stationnement près de la clinique, c\'est où? "vite"\nmerci'


async def test_csv_export_opens_in_a_spreadsheet_with_accents_and_no_formula(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    database = await open_database(url)
    log = UnansweredLog(database, timedelta(days=90))
    now = datetime.now(UTC)
    for minutes, text in enumerate([PLAIN, *HOSTILE]):
        await log.record(text, "hours_locations", 0.31, now - timedelta(minutes=minutes))
    await database.close()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "questions.csv"
    assert await asyncio.to_thread(main, ["faq", "unanswered", "--csv", str(target)]) == 0
    assert "Wrote 5 unanswered question(s)" in capsys.readouterr().out
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 (accents) only with it
    assert stat.S_IMODE(target.stat().st_mode) == 0o600  # what patients typed
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    assert header == ["asked at", "question", "closest FAQ entry", "closest score"]
    assert rows[0][1] == PLAIN  # newest first, accents and quotes intact
    cells = {row[1] for row in rows[1:]}
    for shown in HOSTILE.values():
        assert any(cell.startswith(shown) for cell in cells), shown
    assert all(row[2:] == ["hours_locations", "0.31"] for row in rows)
    # Never over an existing file; the refusal on standard error.
    assert await asyncio.to_thread(main, ["faq", "unanswered", "--csv", str(target)]) == 1
    said = capsys.readouterr()
    assert "exists" in said.err and said.out == "" and target.read_bytes() == data
    with sqlite3.connect(tmp_path / "bot.sqlite3") as connection:
        actions = [row[0] for row in connection.execute("SELECT action FROM staff_audit_log")]
    assert actions.count("export_unanswered") == 5  # one line per question that left


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_cell_that_would_start_a_formula_is_made_text(start: str) -> None:
    """Tab and carriage return too (the log trims them from questions; other exports may
    not): a spreadsheet would shift the cell and read what follows as a formula."""
    data = spreadsheet_csv(("a", "b"), [(f"{start}cmd|' /C calc'!A0", "plain")])
    [_, row] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert row == [f"'{start}cmd|' /C calc'!A0", "plain"]


async def _mark(url: str, text: str, state: str) -> None:
    """Mark the question `text` as staff do on the console's Questions page."""
    database = await open_database(url)
    async with database.sessions.begin() as session:
        question = await session.scalar(
            select(UnansweredQuestion).where(UnansweredQuestion.text == text)
        )
        assert question is not None
        session.add(
            UnansweredReview(
                question_id=question.id, state=state, at=datetime.now(UTC), by="desk@example.org"
            )
        )
    await database.close()


async def test_questions_marked_handled_or_dismissed_are_left_out_unless_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}"
    await _seed(url)
    database = await open_database(url)
    await UnansweredLog(database, timedelta(days=90)).record(
        "is there a bike rack", None, 0.0, datetime.now(UTC) - timedelta(days=2)
    )
    await database.close()
    await _mark(url, "do you validate parking", "handled")
    await _mark(url, "is there a bike rack", "dismissed")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.chdir(tmp_path)
    # As the console's Questions page: only the questions still open.
    assert await asyncio.to_thread(main, ["faq", "unanswered"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == [lines[0], "1 unanswered question(s)"] and "dog" in lines[0]
    assert await asyncio.to_thread(main, ["faq", "unanswered", "--json"]) == 0
    texts = [json.loads(line)["text"] for line in capsys.readouterr().out.splitlines()]
    assert texts == ["can my dog come along"]
    export = tmp_path / "open.csv"
    assert await asyncio.to_thread(main, ["faq", "unanswered", "--csv", str(export)]) == 0
    assert "parking" not in export.read_text(encoding="utf-8-sig")
    assert capsys.readouterr().out.startswith("Wrote 1 unanswered question(s)")
    # --all: every question kept, each closed one saying how it was closed.
    assert await asyncio.to_thread(main, ["faq", "unanswered", "--all"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == "3 unanswered question(s), 2 of them handled or dismissed"
    assert "bike rack" in lines[1] and lines[1].endswith("[dismissed]")
    assert "parking" in lines[2] and lines[2].endswith("[handled]")
    assert await asyncio.to_thread(main, ["faq", "unanswered", "--all", "--json"]) == 0
    states = [json.loads(line)["state"] for line in capsys.readouterr().out.splitlines()]
    assert states == [None, "dismissed", "handled"]
