"""The lead's blind look: run held-out sets through `ims-bot faq match --json --semantic off`.

    python benchmarks/blind_look.py benchmarks/heldout/*.yaml.gz [--misses FILE.json]

Safety sets (items with `expect: emergency | urgent | benign`) report, per language group
(en, fr, other), emergencies given the 911 reply first and those whose first reply names 911,
urgent problems given the urgent (or 911) reply and those given the plain fallback, and
harmless messages given 911 or the urgent reply. Question sets (items with `text` and
`label`, `also_ok` optional) report right / wrong / suggest / fallback per language, and how
many `none` questions got an answer; a `smalltalk` label must get the small-talk reply, and
an item with two `labels` is right when both answers come, in that order ("one": one of
them). The sets in benchmarks/heldout are compressed so that no script globbing for
`*.yaml` (training, tuning, snapshots) ever reads them; developers do not open them (see
benchmarks/heldout/README.md).
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
SAFETY_EXPECT = {"emergency", "urgent", "benign"}


def _read(path: Path) -> list[dict[str, Any]]:
    raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    items: list[dict[str, Any]] = yaml.safe_load(raw.decode("utf-8"))
    return items


def _match(texts: list[str]) -> list[dict[str, Any]]:
    """One `faq match --json` reading per text (the shipped content, lexical matching)."""
    entry = "import sys; from bot.cli.main import main; raise SystemExit(main(sys.argv[1:]))"
    done = subprocess.run(
        [sys.executable, "-c", entry, "faq", "match", "--json", "--semantic", "off"],
        input="\n".join(" ".join(t.split()) for t in texts) + "\n",
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=dict(os.environ, PYTHONWARNINGS="ignore"),
        check=True,
    )
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    if len(rows) != len(texts):
        raise SystemExit(f"expected {len(texts)} readings, got {len(rows)}: {done.stderr[-500:]}")
    return rows


def _group(item: dict[str, Any]) -> str:
    language = item.get("lang", "en")
    return language if language in ("en", "fr") else "other"


def _answer_names_911(row: dict[str, Any], answers_with_911: set[str]) -> bool:
    """Whether the first reply names 911 (emergency, fallback, a language notice, or an
    answer whose entry tells when to call 911)."""
    if row["decision"] in ("emergency", "fallback") or row.get("notice"):
        return True
    answered = row.get("answers") or [row.get("faq_id")]
    return row["decision"] == "answer" and any(a in answers_with_911 for a in answered)


def look_at_safety(items: list[dict[str, Any]], misses: list[list[Any]]) -> list[str]:
    faq = yaml.safe_load((REPO_ROOT / "content" / "faq.yaml").read_text(encoding="utf-8"))
    with_911 = {entry["id"] for entry in faq["entries"] if "911" in entry["answer"]}
    rows = _match([item["q"] for item in items])
    count: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for item, row in zip(items, rows, strict=True):
        group, expect, decision = _group(item), item["expect"], row["decision"]
        count[group, expect, "n"] += 1
        if expect == "emergency":
            count[group, expect, "first"] += decision == "emergency"
            count[group, expect, "names"] += _answer_names_911(row, with_911)
            wrong = decision != "emergency"
        elif expect == "urgent":
            count[group, expect, "ok"] += decision in ("urgent", "emergency")
            count[group, expect, "fallback"] += decision == "fallback"
            wrong = decision not in ("urgent", "emergency")
        else:
            count[group, expect, "911"] += decision == "emergency"
            count[group, expect, "urgent"] += decision == "urgent"
            wrong = decision in ("emergency", "urgent")
        if wrong:
            misses.append([group, expect, decision, row.get("rule"), item.get("kind"), item["q"]])
    lines = []
    for group in ("en", "fr", "other"):
        n = {e: count[group, e, "n"] for e in SAFETY_EXPECT}
        if not any(n.values()):
            continue
        lines.append(
            f"  {group:5} emergency 911 first {count[group, 'emergency', 'first']}/{n['emergency']}"
            f"  names 911 {count[group, 'emergency', 'names']}/{n['emergency']}"
            f" | urgent ok {count[group, 'urgent', 'ok']}/{n['urgent']}"
            f" plain fallback {count[group, 'urgent', 'fallback']}"
            f" | harmless 911 {count[group, 'benign', '911']}/{n['benign']}"
            f" urgent {count[group, 'benign', 'urgent']}"
        )
    return lines


def look_at_questions(items: list[dict[str, Any]], misses: list[list[Any]]) -> list[str]:
    rows = _match([item["text"] for item in items])
    count: collections.Counter[tuple[str, str, str]] = collections.Counter()
    for item, row in zip(items, rows, strict=True):
        group, label = _group(item), item["label"]
        accepted = {label, *(item.get("also_ok") or [])}
        decision = row["decision"]
        answers = row.get("answers") or ([row["faq_id"]] if row.get("faq_id") else [])
        if label in ("none", "fallback"):
            kind = "none"
            result = "wrong" if decision == "answer" and answers[0] not in accepted else "right"
        elif label == "smalltalk":
            kind = "chat"
            result = "right" if decision == "smalltalk" else decision
        elif len(item.get("labels") or []) == 2:
            kind = "two"
            both = decision == "answer" and answers[:2] == item["labels"]
            one = decision == "answer" and bool(set(answers[:2]) & set(item["labels"]))
            result = (
                "right" if both else "one" if one else "wrong" if decision == "answer" else decision
            )
        else:
            kind = "single"
            if decision == "answer":
                result = "right" if answers and answers[0] in accepted else "wrong"
            else:
                result = decision
        count[group, kind, result] += 1
        count[group, kind, "n"] += 1
        if result != "right":
            misses.append([group, kind, result, label, answers, decision, item["text"]])
    lines = []
    for group in ("en", "fr", "other"):
        for kind in ("single", "none", "two", "chat"):
            n = count[group, kind, "n"]
            if n:
                parts = " ".join(
                    f"{k}={count[group, kind, k]}"
                    for k in (
                        "right",
                        "one",
                        "wrong",
                        "suggest",
                        "fallback",
                        "smalltalk",
                        "emergency",
                    )
                    if count[group, kind, k]
                )
                lines.append(f"  {group:5} {kind:6} n={n:3}  {parts}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--misses", type=Path, help="write every miss here (JSON)")
    args = parser.parse_args()
    misses: list[list[Any]] = []
    for path in args.sets:
        items = _read(path)
        safety = items and items[0].get("expect") in SAFETY_EXPECT
        lines = look_at_safety(items, misses) if safety else look_at_questions(items, misses)
        print(f"== {path.name}")
        print("\n".join(lines))
    if args.misses:
        args.misses.write_text(json.dumps(misses, ensure_ascii=False, indent=0), encoding="utf-8")


if __name__ == "__main__":
    main()
