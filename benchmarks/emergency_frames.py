"""Emergencies told inside a frame: does the screen keep them?

Every English emergency of tests/data that gets the emergency reply on its own is told again
inside frame words ("watching a movie and …", "in my first aid course today, …", "…, the
claim form can wait"), the way a patient mentions what they were doing. A frame may calm a
sign told as its content ("our training says call 911 if bleeding won't stop"), never a report
told beside it. Prints how many lose the emergency reply, per wrapper, and with --misses which.

    python benchmarks/emergency_frames.py [--misses]
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from pathlib import Path

import yaml

from bot.clinic_content import load_content
from bot.safety import build_safety_stage

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA = REPO_ROOT / "tests" / "data"
WRAPPERS = (
    "watching a movie and {text}",
    "{text} while I'm filling in the insurance form",
    "after the hockey game {text}",
    "in my first aid course today, {text}",
    "{text}, the claim form can wait",
    "playing a video game when {text}",
    "{text} (during the final)",
)


def english_emergencies() -> list[str]:
    """The English emergencies of the safety sets in tests/data, in file order."""
    texts: list[str] = []
    for path in sorted(DATA.glob("*.yaml")):
        if path.name.startswith("faq_") or "benign" in path.stem or "language" in path.stem:
            continue
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            expect = entry.get("expect") or ("urgent" if "urgent" in path.stem else "emergency")
            if expect == "emergency" and (entry.get("lang") or "en") == "en":
                texts.append(str(entry["q"]))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every lost emergency")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    content = load_content(REPO_ROOT / "content")
    stage = build_safety_stage(content.emergency, content.clinic.phone)

    def is_emergency(text: str) -> bool:
        verdict = stage.screen(text)
        return verdict is not None and verdict.level == "emergency"

    kept = [text for text in english_emergencies() if is_emergency(text)]
    lost: Counter[str] = Counter()
    missed: list[str] = []
    for wrapper in WRAPPERS:
        for text in kept:
            told = text if wrapper.startswith("{") else text[:1].lower() + text[1:]
            wrapped = wrapper.format(text=told)
            if not is_emergency(wrapped):
                lost[wrapper] += 1
                missed.append(wrapped)
    print(f"{len(kept)} English emergencies, {len(kept) * len(WRAPPERS)} told inside a frame:")
    print(f"  lose the emergency reply: {sum(lost.values())}")
    for wrapper in WRAPPERS:
        print(f"  {lost[wrapper]:6d}  {wrapper}")
    if args.misses:
        for text in missed:
            print(f"    LOST {text}")


if __name__ == "__main__":
    main()
