"""`ims-bot content ...`: checks on the clinic's content files."""

from __future__ import annotations

import argparse
import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.content.problems import Problem

if TYPE_CHECKING:
    from bot.clinic_content import ClinicContent
    from bot.content.check_cache import ContentCheckCache

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    """Add the `content` command group."""
    parser = subparsers.add_parser("content", help="check the clinic's content files")
    group = parser.add_subparsers(dest="content_command", metavar="SUBCOMMAND", required=True)
    check = group.add_parser(
        "check",
        help="validate every content file; exit non-zero on problems",
        description="Validate every content file: clinic.yaml, faq.yaml, emergency.yaml, "
        "urgent.yaml, safety_languages.yaml, appointment_types.yaml and intake_flow.yaml. "
        "Each problem is printed as file:line: what to fix. The slow checks' results are "
        "kept in IMS_DATA_DIR and reused while the files they read and the bot's code are "
        "unchanged.",
    )
    check.add_argument("--content", metavar="DIR", help="content folder (default: CONTENT_DIR)")
    check.add_argument(
        "--no-cache",
        action="store_true",
        help="screen and match everything again, ignoring the results of identical earlier "
        "checks kept in IMS_DATA_DIR",
    )
    check.set_defaults(handler=run_check)


def default_content_dir() -> Path:
    """CONTENT_DIR from the environment or `.env`, else the bundled sample content."""
    from bot.config import BUNDLED_CONTENT_DIR, single_setting

    configured = single_setting("CONTENT_DIR")
    return Path(configured) if configured else BUNDLED_CONTENT_DIR


def content_dir_argument(args: argparse.Namespace) -> Path:
    """The content folder a command's `--content DIR` names, else `default_content_dir()`."""
    return Path(args.content) if args.content else default_content_dir()


def _cache() -> ContentCheckCache:
    """The store of earlier checks' results, in IMS_DATA_DIR (from the environment or `.env`)."""
    from bot.config import data_dir_setting, environment
    from bot.content.check_cache import ContentCheckCache

    return ContentCheckCache(data_dir_setting(environment()))


def content_summary(content: ClinicContent) -> str:
    """One line saying what valid content holds."""
    faq = content.faq
    screen = content.emergency.urgent
    urgent = f", {len(screen.rules)} urgent rules" if screen is not None else ""
    loaded = content.intake_flow
    french = f", {len(content.faq_fr.entries)} French entries" if content.faq_fr else ""
    flow = f", an intake form of {len(loaded.flow.steps)} steps" if loaded is not None else ""
    if loaded is not None and loaded.flow.translations:
        flow += " (in English and French)"
    return (
        f"content OK: {len(faq.entries)} FAQ entries in {len(faq.categories)} categories, "
        f"{sum(len(entry.phrasings) for entry in faq.entries)} phrasings, "
        f"{len(faq.out_of_scope)} out-of-scope topics, "
        f"{len(content.clinic.locations)} locations, "
        f"{len(content.emergency.rules)} emergency rules{urgent}, "
        f"{len(content.appointment_types.types)} appointment types{flow}{french}"
    )


def _print_problems(problems: list[Problem]) -> int:
    for problem in problems:
        print(problem)
    count = len(problems)
    files = len({problem.file for problem in problems})
    noun = "problem" if count == 1 else "problems"
    print(f"{count} {noun} in {files} file(s); fix them and run `ims-bot content check` again")
    return EXIT_PROBLEMS


def run_check(args: argparse.Namespace) -> int:
    """Print every problem in the content folder; 0 when there are none."""
    # Imported here: `ims-bot` builds every subcommand's parser at start, and the
    # readers pull in the matcher and the screen, which other commands do not need.
    from bot.clinic_content import read_content

    content_dir = content_dir_argument(args)
    if not content_dir.is_dir():
        print(
            f"ims-bot: content folder {str(content_dir)!r} not found or not a folder",
            file=sys.stderr,
        )
        return EXIT_USAGE
    # A short command that builds large indexes, then exits: the cyclic garbage collector's
    # passes over them took about 7 % of the check's CPU and freed next to nothing (what
    # it builds is kept until the end), and in forked children its passes also copy the
    # memory they share with this process.
    gc.disable()
    try:
        content, problems = read_content(
            content_dir, quality=True, parallel=True, cache=None if args.no_cache else _cache()
        )
    finally:
        gc.enable()
    if content is None:
        return _print_problems(problems)
    print(content_summary(content))
    for note in content.notes:
        print(note)
    return EXIT_OK
