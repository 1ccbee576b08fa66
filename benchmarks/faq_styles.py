"""The FAQ on the style sets (clinic headings, searches, "dry needling" wording, two-part
questions, chat shorthand, small talk, out of scope), through what a patient's message
goes through.

Reads `tests/data/faq_styles_tune.yaml` and `tests/data/faq_styles_heldout.yaml` (or the
files given): items `{q, expect, style}` where `expect` is an entry id, a list of two ids
in the order asked, `smalltalk` or `fallback` (with a `gap`). Every message goes through
the emergency screen and `bot.faq.reading.MessageReader` with the lexical matcher and
content/faq.yaml. Reported per file:

* single questions: right (an answer given is the expected entry), confidently wrong
  (answers given, none expected), held back ("did you mean" or fallback);
* two-part questions: both answers given, one of them, a wrong answer among them;
* small talk read as small talk;
* out of scope: held back, or answered (listed with `--misses`: a new entry may cover it).

    python benchmarks/faq_styles.py                    # both style sets
    python benchmarks/faq_styles.py --misses FILE      # and every item not right

A benchmark, not a test: `tests/faq` keeps its own floors.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import yaml

from bot.clinic_content import load_content
from bot.faq.reading import FaqReading, MessageReader

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_FILES = (
    REPO_ROOT / "tests" / "data" / "faq_styles_tune.yaml",
    REPO_ROOT / "tests" / "data" / "faq_styles_heldout.yaml",
)


def _shown(reading: FaqReading) -> str:
    if reading.answers:
        return "answer:" + "+".join(reading.answers)
    if reading.kind == "suggest":
        return "suggest:" + ",".join(c.faq_id for c in reading.suggestions[:3])
    return reading.kind


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100.0 * part / whole:.1f} %)" if whole else "-"


def measure(path: Path, reader: MessageReader, misses: bool) -> list[str]:
    """Report lines for one style file."""
    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    count: Counter[str] = Counter()
    missed: list[str] = []
    for item in items:
        text, expect = str(item["q"]), item["expect"]
        reading = reader.read(text)
        answers = list(reading.answers)
        if isinstance(expect, list):
            count["two"] += 1
            hits = [faq_id for faq_id in expect if faq_id in answers]
            count["two_both"] += len(hits) == len(expect)
            count["two_one"] += len(hits) == 1
            wrong = any(faq_id not in expect for faq_id in answers)
            count["two_wrong"] += wrong
            ok = len(hits) == len(expect) and not wrong
        elif expect == "smalltalk":
            count["talk"] += 1
            ok = reading.kind == "small_talk"
            count["talk_ok"] += ok
        elif expect == "fallback":
            count["oos"] += 1
            ok = not answers and reading.kind != "small_talk"
            count["oos_held"] += ok
        else:
            count["single"] += 1
            ok = expect in answers
            count["single_right"] += ok
            count["single_wrong"] += bool(answers) and not ok
        if not ok:
            kind = "WRONG" if answers and expect != "fallback" else "miss"
            missed.append(f"  {kind:5} want {expect!s:44} got {_shown(reading):44} {text}")
    lines = [
        f"{path.name} ({len(items)} messages, lexical matcher, content/faq.yaml)",
        f"  single questions answered right    {_pct(count['single_right'], count['single'])}",
        f"  single questions confidently wrong {_pct(count['single_wrong'], count['single'])}",
        f"  two-part: both answers             {_pct(count['two_both'], count['two'])}",
        f"  two-part: exactly one answer right {_pct(count['two_one'], count['two'])}",
        f"  two-part: a wrong answer given     {_pct(count['two_wrong'], count['two'])}",
        f"  small talk read as small talk      {_pct(count['talk_ok'], count['talk'])}",
        f"  out of scope held back             {_pct(count['oos_held'], count['oos'])}",
    ]
    if misses:
        lines += ["  not right:", *missed]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark on the given style files (default: both in tests/data)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, help="style files (default: both)")
    parser.add_argument("--misses", action="store_true", help="list every item not right")
    args = parser.parse_args(argv)
    reader = MessageReader.from_content(load_content(REPO_ROOT / "content"))
    for path in args.files or DEFAULT_FILES:
        if not path.is_file():
            print(f"skipped: {path} not found")
            continue
        print("\n".join(measure(path, reader, args.misses)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
