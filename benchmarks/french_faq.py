"""French questions through what `ims-bot faq match` does: right / wrong / did-you-mean / fallback.

Each message goes through the safety stage (which reads its language) and then, as in the
chat, the French wordings (content/faq_fr.yaml) when it was read as French, else the
English ones. Sets: the French probe set written for this project
(tests/data/faq_fr_probe8.yaml: `q`, `expect`) and real public French questions
(benchmarks/data/real_questions_fr8.yaml: `text`, `label`, `also_ok`).

    python benchmarks/french_faq.py            # both sets
    python benchmarks/french_faq.py --misses   # and every item not answered right
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bot.cli.faq import MatchReport, screened_report  # noqa: E402
from bot.clinic_content import load_content  # noqa: E402
from bot.faq.french import french_faq  # noqa: E402
from bot.faq.matcher import FaqMatcher  # noqa: E402
from bot.faq.reading import MessageReader  # noqa: E402
from bot.safety.stage import build_safety_stage  # noqa: E402

SETS = (
    REPO_ROOT / "tests" / "data" / "faq_fr_probe8.yaml",
    REPO_ROOT / "benchmarks" / "data" / "real_questions_fr8.yaml",
)
FALLBACK = ("fallback", "none")


@dataclass(frozen=True)
class Item:
    """One labelled French question."""

    text: str
    acceptable: frozenset[str]  # empty: the FAQ cannot answer it


def load(path: Path) -> list[Item]:
    """The items of a probe file (`q`/`expect`) or a real-questions file (`text`/`label`)."""
    items = []
    for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
        text = str(raw.get("q") or raw.get("text"))
        label = str(raw.get("expect") or raw.get("label"))
        also = raw.get("also_ok") or []
        items.append(Item(text, frozenset([label, *also]) - set(FALLBACK)))
    return items


def outcome(item: Item, report: MatchReport) -> str:
    """right, wrong, suggest (a "did you mean" holding the answer or not) or fallback."""
    answered = set(report.answers)
    if not item.acceptable:
        return "wrong" if answered else "right"
    if answered:
        return "right" if answered & item.acceptable else "wrong"
    if report.decision == "suggest":
        listed = {c.faq_id for c in report.suggestions}
        return "suggest+" if listed & item.acceptable else "suggest-"
    return "fallback"


def main(argv: Sequence[str] | None = None) -> int:
    """Print right / wrong / did-you-mean / fallback per set (and per language read)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every item not right")
    parser.add_argument("files", nargs="*", type=Path, help="sets to run (default: both)")
    args = parser.parse_args(argv)
    content = load_content(REPO_ROOT / "content")
    stage = build_safety_stage(
        content.emergency, content.clinic.phone, content.clinic.emergency_number
    )
    reader = MessageReader(FaqMatcher.from_content(content.faq), None, content.faq)
    french = french_faq(content.faq_fr, content.faq) if content.faq_fr is not None else None
    for path in args.files or SETS:
        if not path.is_file():
            print(f"{path.name}: missing")
            continue
        items = load(path)
        tally: Counter[str] = Counter()
        languages: Counter[str] = Counter()
        misses = []
        for item in items:
            report = screened_report(stage, reader, item.text, french)
            languages[report.language] += 1
            result = outcome(item, report)
            kind = "answerable" if item.acceptable else "unanswerable"
            tally[f"{kind} {result}"] += 1
            if result != "right":
                misses.append((item, report, result))
        answerable = sum(1 for item in items if item.acceptable)
        right = tally["answerable right"]
        print(
            f"{path.name}: {len(items)} items, read as {dict(languages.most_common())}\n"
            f"  answerable {answerable}: right {right} ({right / max(answerable, 1):.0%}), "
            f"wrong {tally['answerable wrong']}, did-you-mean holding it "
            f"{tally['answerable suggest+']}, other did-you-mean {tally['answerable suggest-']}, "
            f"fallback {tally['answerable fallback']}\n"
            f"  unanswerable {len(items) - answerable}: fell back "
            f"{tally['unanswerable right']}, answered wrongly {tally['unanswerable wrong']}"
        )
        if args.misses:
            for item, report, result in misses:
                got = "+".join(report.answers) or ",".join(c.faq_id for c in report.suggestions)
                want = "+".join(sorted(item.acceptable)) or "fallback"
                shown = f"{result:<9} {report.language:<3} want {want:<28} got {got}"
                print(f"    {shown}  {item.text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
