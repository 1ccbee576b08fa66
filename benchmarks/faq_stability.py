"""Does one added FAQ entry move questions that are not about it?

A clinic that adds an entry (parking, a policy of its own) should see only questions about
that entry move. This reads every labelled question text (`match_snapshot.questions()`:
tests/data and benchmarks/data) with the shipped content and with the content plus one
made-up entry, FAQ reading only (no safety stage; it does not read the FAQ), and counts
the decisions that move. A move whose new decision answers or offers the added entry is
"about it"; every other move is a question the entry is not about, and should be none.

    python benchmarks/faq_stability.py                  # every probe entry
    python benchmarks/faq_stability.py --probe lost_and_found --misses
    python benchmarks/faq_stability.py --content DIR    # another content folder
    python benchmarks/faq_stability.py --hold corpus --hold ranker   # what moves them

`--hold` builds the matcher with the added entry but keeps one thing as the shipped
content has it, to find what the moves come from: `corpus` (the number of entries and
their average length, which every word's IDF and BM25's length discount read), `idf`
(that and every word's IDF: the added entry's words weigh as before), `ranker` (the
learned ranker of the shipped content), `scale` (the score a verbatim wording gets).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from collections import Counter
from collections.abc import Collection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.match_snapshot import questions
from bot.cli.content import default_content_dir
from bot.clinic_content import load_content
from bot.content.model import FaqContent, FaqEntry
from bot.faq.matcher import FaqMatcher
from bot.faq.reading import FaqReading, MessageReader

# Made-up entries on topics the labelled sets barely ask about, each in its own words.
PROBES: dict[str, tuple[str, tuple[str, ...]]] = {
    "lost_and_found": (
        "I left something at the clinic, do you have a lost and found?",
        (
            "I forgot my umbrella in the waiting room",
            "did anyone hand in a set of keys",
            "lost my glasses at my appointment yesterday",
            "where do forgotten items go",
            "has anyone found a black scarf",
            "I think I dropped my earring in the treatment room",
        ),
    ),
    "refer_a_friend": (
        "Do you have a refer-a-friend program?",
        (
            "do I get anything for recommending a friend",
            "is there a reward if my sister becomes a patient",
            "friend referral bonus",
            "can I send my coworker to you and get a discount",
            "do you give credit when I bring in a new patient",
            "loyalty program for patients who recommend you",
        ),
    ),
    "student_discount": (
        "Do you offer a student discount?",
        (
            "is it cheaper for university students",
            "discount for seniors",
            "do you have reduced rates for students or retirees",
            "any deals for students",
            "I'm a student, is there a lower fee",
            "senior rate for treatment",
        ),
    ),
}


HOLDS = ("corpus", "idf", "ranker", "scale")


def with_probe(faq: FaqContent, probe: str) -> FaqContent:
    """`faq` with the probe entry appended (an admin topic, its own category)."""
    question, alternates = PROBES[probe]
    entry = FaqEntry(probe, question, alternates, "A made-up answer.", "Probe")
    return dataclasses.replace(faq, entries=(*faq.entries, entry))


def shown(reading: FaqReading) -> tuple[object, ...]:
    """What the patient is shown: the kind, the answers, the "did you mean" list."""
    offered = tuple(c.faq_id for c in reading.suggestions) if reading.kind == "suggest" else ()
    return (reading.kind, reading.answers, offered, reading.unanswered_part is not None)


def held_matcher(faq: FaqContent, shipped: FaqMatcher, hold: Collection[str]) -> FaqMatcher:
    """A matcher over `faq` that keeps what `hold` names as `shipped` has it."""
    count = len(shipped._analysed)
    lengths = [sum(len(tokens) for tokens in phrasings) for phrasings in shipped._analysed]
    average = sum(lengths) / len(lengths)

    class Held(FaqMatcher):
        def _inverse_document_frequency(self, analysed: list[list[list[str]]]) -> dict[str, float]:
            if not {"corpus", "idf"} & set(hold):
                return super()._inverse_document_frequency(analysed)
            frequency: Counter[str] = Counter()
            for entry_phrasings in analysed:
                frequency.update({t for tokens in entry_phrasings for t in tokens})
            idf = {
                t: math.log(1.0 + (count - df + 0.5) / (df + 0.5)) for t, df in frequency.items()
            }
            if "idf" in hold:
                idf.update((t, v) for t, v in shipped._idf.items() if t in idf)
            return idf

        def _average_length(self, lengths: list[int]) -> float:
            if {"corpus", "idf"} & set(hold):
                return average
            return super()._average_length(lengths)

    matcher = Held.from_content(faq)
    if "ranker" in hold:
        matcher.model = shipped.model
    if "scale" in hold:
        matcher._scale = shipped._scale
    return matcher


def readings(reader: MessageReader, texts: list[str]) -> list[tuple[object, ...]]:
    """Every text's shown reading by `reader`."""
    return [shown(reader.read_question(text)) for text in texts]


def main() -> int:
    """Print, per probe entry, how many decisions moved and whether they are about it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=None, help="content folder")
    parser.add_argument("--probe", choices=sorted(PROBES), action="append")
    parser.add_argument("--misses", action="store_true", help="list the unrelated moves")
    parser.add_argument("--hold", choices=HOLDS, action="append", default=[])
    args = parser.parse_args()
    faq = load_content(args.content or default_content_dir()).faq
    texts = questions()
    shipped = FaqMatcher.from_content(faq)
    before = readings(MessageReader(shipped, None, faq), texts)
    total = Counter[str]()
    for probe in args.probe or sorted(PROBES):
        grown = with_probe(faq, probe)
        matcher = held_matcher(grown, shipped, args.hold)
        after = readings(MessageReader(matcher, None, grown), texts)
        about = unrelated = 0
        for text, old, new in zip(texts, before, after, strict=True):
            if old == new:
                continue
            if probe in new[1] or probe in new[2]:
                about += 1
                continue
            unrelated += 1
            if args.misses:
                print(f"  {probe}: {text!r}\n      {old}\n   -> {new}")
        total["about"] += about
        total["unrelated"] += unrelated
        print(f"{probe:<18} moved about it {about:4}   moved, not about it {unrelated:4}")
    print(
        f"{len(texts)} texts; every probe: about it {total['about']}, "
        f"not about it {total['unrelated']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
