"""Reading a record number staff typed or a page's address carries."""

from __future__ import annotations

# The largest row id the databases we support hold (a signed 64-bit integer).
LARGEST_RECORD_NUMBER = 2**63 - 1


def record_number(typed: str) -> int | None:
    """The record `typed` names ("12", or "#12" as notes write it); None when it is not a
    number a row could have (so a lookup never reaches the database with it)."""
    digits = typed.removeprefix("#")
    if not (digits.isascii() and digits.isdecimal()):
        return None
    number = int(digits)
    return number if number <= LARGEST_RECORD_NUMBER else None
