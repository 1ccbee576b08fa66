"""`ims-bot content ...`: checks on the clinic's content files."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    """Add the `content` command group."""
    parser = subparsers.add_parser("content", help="check the clinic's content files")
    group = parser.add_subparsers(dest="content_command", metavar="SUBCOMMAND", required=True)
    check = group.add_parser(
        "check",
        help="validate every content file; exit non-zero on problems",
        description="Validate faq.yaml, clinic.yaml, emergency.yaml and the intake flow. "
        "Each problem is printed as file:line: what to fix.",
    )
    check.add_argument("--content", metavar="DIR", help="content folder (default: CONTENT_DIR)")
    check.set_defaults(handler=run_check)


def run_check(args: argparse.Namespace) -> int:
    """Print every problem in the content folder; 0 when there are none."""
    raise NotImplementedError("content check is being built")
