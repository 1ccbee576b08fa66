"""Small talk on CLINC150: which utterances `bot.core.small_talk` reads as small talk.

Two figures per split: recall on the intents that are small talk (greeting, goodbye,
thank_you, are_you_a_bot), and the real questions read as small talk (every other intent
and out-of-scope; "yes", "no", "maybe", "cancel" and questions about the bot's name or
maker may go either way and are not counted). A real question read as small talk gets a
friendly nod instead of an answer or the honest fallback, so that figure must stay 0.

    python benchmarks/smalltalk_clinc150.py                # test and oos_test
    python benchmarks/smalltalk_clinc150.py --splits train --misses

Tune on `train` / `val`, report `test` / `oos_test`. A benchmark, not a test.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.clinc150 import load_data
from bot.core.small_talk import small_talk_kind

SMALL_TALK_INTENTS = ("greeting", "goodbye", "thank_you", "are_you_a_bot")
# Chat with the bot that a nod or "I'm the clinic's automated assistant" answers as well
# as anything: not counted either way.
EITHER_WAY_INTENTS = frozenset(
    {"yes", "no", "maybe", "cancel", "what_is_your_name", "who_made_you", "who_do_you_work_for"}
)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the two figures for each split asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", nargs="+", default=["test", "oos_test"])
    parser.add_argument("--misses", action="store_true", help="list every utterance not right")
    args = parser.parse_args(argv)
    found = load_data()
    if found is None:
        return 0
    _, data = found
    for split in args.splits:
        found: Counter[str] = Counter()
        asked: Counter[str] = Counter()
        wrong: list[str] = []
        for text, intent in data[split]:
            kind = small_talk_kind(text)
            if intent in SMALL_TALK_INTENTS:
                asked[intent] += 1
                found[intent] += kind is not None
                if kind is None and args.misses:
                    print(f"  missed {intent:14} {text}")
            elif kind is not None and intent not in EITHER_WAY_INTENTS:
                wrong.append(f"  WRONG  {intent:14} {kind:15} {text}")
        recall = ", ".join(f"{i} {found[i]}/{asked[i]}" for i in SMALL_TALK_INTENTS if asked[i])
        questions = sum(1 for _, i in data[split] if i not in SMALL_TALK_INTENTS)
        print(f"{split}: small talk found {recall or '-'}")
        print(f"{split}: real questions read as small talk {len(wrong)}/{questions}")
        for line in wrong:
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
