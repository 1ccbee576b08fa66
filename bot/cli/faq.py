"""`ims-bot faq ...`: matching, evaluation and the unanswered-question log."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Add the `faq` command group."""
    parser = subparsers.add_parser("faq", help="FAQ matching, evaluation and unanswered questions")
    parser.add_subparsers(dest="faq_command", metavar="SUBCOMMAND", required=True)
