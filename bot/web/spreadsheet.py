"""Exports a clinic opens in a spreadsheet: CSV in UTF-8 with a byte-order mark (without
it Excel reads "é" as "Ã©"), every cell guarded against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import tzinfo

from bot.core.dates import clinic_time
from bot.faq.unanswered import UnansweredRecord

BYTE_ORDER_MARK = "\ufeff"
# A cell starting with one of these is read by spreadsheets as a formula (or, for tab and
# carriage return, shifted into one): a patient's "=HYPERLINK(...)" must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UNANSWERED_HEADER = ("asked at", "question", "closest FAQ entry", "closest score")
UNANSWERED_FILE_NAME = "unanswered-questions.csv"


def spreadsheet_cell(value: str) -> str:
    """`value` as a cell shows it, never run: a leading quote makes a would-be formula text."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def spreadsheet_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    """The CSV file's bytes: a byte-order mark, the header, then the rows, each cell
    guarded."""
    text = io.StringIO()
    text.write(BYTE_ORDER_MARK)
    writer = csv.writer(text)  # quotes commas, quotes and line breaks; \r\n between rows
    writer.writerow(header)
    writer.writerows([spreadsheet_cell(cell) for cell in row] for row in rows)
    return text.getvalue().encode("utf-8")


def unanswered_csv(records: Iterable[UnansweredRecord], tz: tzinfo) -> bytes:
    """Unanswered questions as a spreadsheet: when (clinic time), the words, the nearest
    FAQ entry and its score."""
    return spreadsheet_csv(
        UNANSWERED_HEADER,
        (
            (
                clinic_time(record.asked_at, tz),
                record.text,
                record.best_faq_id or "",
                f"{record.best_score:.2f}" if record.best_faq_id else "",
            )
            for record in records
        ),
    )
