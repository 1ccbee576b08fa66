"""`ims-bot faq freeze-stats`: weigh the FAQ's words by today's content from now on."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.content import content_dir_argument
from bot.clinic_content import load_content
from bot.content.faq_statistics import FAQ_STATISTICS_FILE, write_statistics
from bot.content.problems import ContentError
from bot.faq.frozen_statistics import todays_statistics

EXIT_OK = 0
EXIT_FAILED = 1


def register_freeze(group: Any) -> None:
    """Add `faq freeze-stats` to the `faq` command group."""
    parser = group.add_parser(
        "freeze-stats",
        help="weigh the FAQ's words by today's content (writes faq_statistics.json)",
        description="Count how many entries use each word in today's faq.yaml (and "
        "faq_fr.yaml) and keep the counts in the content folder as "
        f"{FAQ_STATISTICS_FILE}. The bot weighs words by these counts, so a later edit "
        "moves only the questions its own words touch. Run it after larger edits, then "
        "check the answers with `ims-bot faq eval`: every word's weight may change a little.",
    )
    parser.add_argument("--content", metavar="DIR", help="content folder (default: CONTENT_DIR)")
    parser.set_defaults(handler=run_freeze)


def run_freeze(args: argparse.Namespace) -> int:
    """`ims-bot faq freeze-stats`."""
    content_dir = content_dir_argument(args)
    try:
        content = load_content(content_dir)
    except ContentError as exc:
        print("ims-bot: faq freeze-stats: fix the content first:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return EXIT_FAILED
    parts = todays_statistics(content.faq, content.faq_fr)
    path = content_dir / FAQ_STATISTICS_FILE
    try:
        write_statistics(path, parts)
    except OSError as exc:
        print(f"ims-bot: faq freeze-stats: cannot write {path}: {exc.strerror}", file=sys.stderr)
        return EXIT_FAILED
    counted = ", ".join(
        f"{language}: {statistics.words.documents} entries and topics"
        for language, statistics in parts.items()
    )
    print(f"word statistics written to {path} ({counted})")
    return EXIT_OK
