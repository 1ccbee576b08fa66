"""Every message of the labelled sets through `ims-bot faq match --json`, saved or compared.

Speed work on the matcher and the safety stage must not change a single decision. This
collects every question text of the YAML files in tests/data and benchmarks/data (each text
once, in file order), runs them through `ims-bot faq match --json --semantic off` (the
safety stage first, then the FAQ reading: decision, entry, score, suggestions, language,
rule) and writes the output, or compares it line by line with a saved run.

    python benchmarks/match_snapshot.py --save /tmp/before.jsonl     # on the old code
    python benchmarks/match_snapshot.py --compare /tmp/before.jsonl  # on the new code
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
FOLDERS = (REPO_ROOT / "tests" / "data", REPO_ROOT / "benchmarks" / "data")
TEXT_KEYS = frozenset({"q", "text", "question", "message"})


def _texts(node: Any) -> Iterator[str]:
    """Question texts anywhere in a loaded YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TEXT_KEYS and isinstance(value, str):
                yield value
            else:
                yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def questions() -> list[str]:
    """Every distinct question text, one line each (inner line breaks become spaces)."""
    found: dict[str, None] = {}
    for folder in FOLDERS:
        for path in sorted(folder.rglob("*.yaml")):
            for text in _texts(yaml.safe_load(path.read_text(encoding="utf-8"))):
                line = " ".join(text.split())
                if line:
                    found.setdefault(line)
    return list(found)


def decisions(texts: list[str]) -> list[str]:
    """The JSON lines `ims-bot faq match` prints for `texts`, lexical matching only."""
    command = [sys.executable, "-m", "bot", "faq", "match", "--json", "--semantic", "off"]
    done = subprocess.run(
        command,
        input="\n".join(texts) + "\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=True,
    )
    return done.stdout.splitlines()


def main() -> int:
    """Save the decisions, or compare them with a saved run (exit 1 on any difference)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", type=Path, metavar="FILE")
    action.add_argument("--compare", type=Path, metavar="FILE")
    args = parser.parse_args()
    lines = decisions(questions())
    if args.save:
        args.save.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} decisions saved to {args.save}")
        return 0
    saved = args.compare.read_text(encoding="utf-8").splitlines()
    # Paired by text, not by line: a set added or removed shifts every later line.
    saved_by_query = {json.loads(line)["query"]: line for line in saved}
    now_by_query = {json.loads(line)["query"]: line for line in lines}
    changed = [
        (saved_by_query[query], line)
        for query, line in now_by_query.items()
        if query in saved_by_query and saved_by_query[query] != line
    ]
    if len(saved) != len(lines):
        added = len(now_by_query.keys() - saved_by_query.keys())
        gone = len(saved_by_query.keys() - now_by_query.keys())
        print(f"different counts: {len(saved)} saved, {len(lines)} now ({added} new, {gone} gone)")
    for old, new in changed[:20]:
        print(f"- {old}\n+ {new}")
    seen = [(json.loads(old), json.loads(new)) for old, new in changed]
    decided = [(old, new) for old, new in seen if _seen_by_patient(old) != _seen_by_patient(new)]
    for old, new in decided:
        print(
            f"changed decision: {old['query']!r}: "
            f"{_seen_by_patient(old)} -> {_seen_by_patient(new)}"
        )
    print(
        f"{len(lines)} decisions, {len(changed)} different, {len(decided)} of them in what the "
        "patient is told (decision, entry, language, rule, 'did you mean' list)"
    )
    return 1 if changed or len(saved) != len(lines) else 0


def _seen_by_patient(line: dict[str, Any]) -> tuple[Any, ...]:
    """What a decision shows: a fallback's closest entries and scores are only logged."""
    shown = line["suggestions"] if line["decision"] == "suggest" else []
    listed = tuple(item["faq_id"] for item in shown)
    return (
        line["decision"],
        line["faq_id"],
        tuple(line["answers"]),
        line["language"],
        line["rule"],
        listed,
    )


if __name__ == "__main__":
    sys.exit(main())
