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
    python benchmarks/faq_stability.py --live           # words weighed by the content
    python benchmarks/faq_stability.py --french         # French probes, French sets
    python benchmarks/faq_stability.py --entry self_needling   # a real entry, added back

The matcher weighs words by the statistics frozen in content/faq_statistics.json (which
the grown content keeps); `--live` sets them aside, so every build weighs words by its own
content, as the bot did before they were frozen.

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
from collections.abc import Callable, Collection
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.match_snapshot import questions
from bot.cli.content import default_content_dir
from bot.clinic_content import load_content
from bot.content.faq_statistics import ENGLISH
from bot.content.model import FaqContent, FaqEntry
from bot.faq.french import FrenchFaq
from bot.faq.frozen_statistics import todays_statistics
from bot.faq.matcher import FaqMatcher
from bot.faq.reading import FaqReading, MessageReader

REPO_ROOT = Path(__file__).resolve().parent.parent

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


# The same kind of entries in French, added to faq_fr.yaml's wordings; read against the
# French labelled questions (`FRENCH_SETS`).
FRENCH_PROBES: dict[str, tuple[str, tuple[str, ...]]] = {
    "objets_trouves": (
        "J'ai oublié quelque chose à la clinique, avez-vous des objets trouvés?",
        (
            "j'ai laissé mon parapluie dans la salle d'attente",
            "quelqu'un a-t-il rapporté un trousseau de clés",
            "j'ai perdu mes lunettes à mon rendez-vous hier",
            "où vont les objets oubliés",
            "avez-vous trouvé une écharpe noire",
            "je crois que j'ai fait tomber ma boucle d'oreille dans la salle de traitement",
        ),
    ),
    "rabais_etudiant": (
        "Offrez-vous un rabais aux étudiants?",
        (
            "est-ce moins cher pour les étudiants universitaires",
            "rabais pour les aînés",
            "avez-vous des tarifs réduits pour étudiants ou retraités",
            "des promotions pour les étudiants",
            "je suis étudiante, y a-t-il un tarif plus bas",
            "tarif aîné pour le traitement",
        ),
    ),
}
FRENCH_SETS = (
    REPO_ROOT / "tests" / "data" / "faq_fr_probe8.yaml",
    REPO_ROOT / "benchmarks" / "data" / "real_questions_fr8.yaml",
)

HOLDS = ("corpus", "idf", "ranker", "scale")
# What the patient is shown: the kind, the answers, the "did you mean" list, a part left.
Shown = tuple[str, tuple[str, ...], tuple[str, ...], bool]


def with_probe(faq: FaqContent, probe: str) -> FaqContent:
    """`faq` with the probe entry appended (an admin topic, its own category)."""
    question, alternates = {**PROBES, **FRENCH_PROBES}[probe]
    entry = FaqEntry(probe, question, alternates, "A made-up answer.", "Probe")
    return dataclasses.replace(faq, entries=(*faq.entries, entry))


def shown(reading: FaqReading) -> Shown:
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


def readings(reader: MessageReader, texts: list[str]) -> list[Shown]:
    """Every text's shown reading by `reader`."""
    return [shown(reader.read_question(text)) for text in texts]


def french_texts() -> list[str]:
    """The French labelled questions (`q` of the probe set, `text` of the real ones)."""
    return [
        str(item.get("q") or item.get("text"))
        for path in FRENCH_SETS
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))
    ]


def moved(
    name: str, texts: list[str], before: list[Shown], after: list[Shown]
) -> tuple[list[str], int]:
    """The texts whose reading moved not to the probe `name`, and how many moved to it."""
    unrelated = []
    about = 0
    for text, old, new in zip(texts, before, after, strict=True):
        if old == new:
            continue
        if name in new[1] or name in new[2]:
            about += 1
            continue
        unrelated.append(f"  {name}: {text!r}\n      {old}\n   -> {new}")
    return unrelated, about


def french_main(args: argparse.Namespace) -> int:
    """`--french`: the French probes added to faq_fr.yaml, read by the French FAQ."""
    content = load_content(args.content or default_content_dir())
    assert content.faq_fr is not None, "the content has no faq_fr.yaml"
    french = content.faq_fr
    if args.live:
        french = dataclasses.replace(french, word_statistics=None)
    texts = french_texts()
    before = [shown(FrenchFaq(french, content.faq).read(text)) for text in texts]

    def after(probe: str) -> list[Shown]:
        grown = FrenchFaq(with_probe(french, probe), content.faq)
        return [shown(grown.read(text)) for text in texts]

    tally(sorted(FRENCH_PROBES), texts, before, after, args.misses, "French texts")
    return 0


def entry_main(args: argparse.Namespace, faq: FaqContent) -> int:
    """`--entry ID`: the FAQ without an entry of its own, its statistics frozen then, and
    the entry added back (as when the clinic wrote it)."""
    entry = faq.get(args.entry)
    assert entry is not None, f"no entry {args.entry}"
    base = dataclasses.replace(
        faq, entries=tuple(e for e in faq.entries if e.id != entry.id), word_statistics=None
    )
    frozen = None if args.live else todays_statistics(base)[ENGLISH]
    base = dataclasses.replace(base, word_statistics=frozen)
    grown = dataclasses.replace(faq, word_statistics=frozen)
    texts = questions()
    before = readings(MessageReader(FaqMatcher.from_content(base), None, base), texts)

    def after(_: str) -> list[Shown]:
        return readings(MessageReader(FaqMatcher.from_content(grown), None, grown), texts)

    tally([entry.id], texts, before, after, args.misses, "texts")
    return 0


def tally(
    probes: list[str],
    texts: list[str],
    before: list[Shown],
    after: Callable[[str], list[Shown]],
    misses: bool,
    kind: str,
) -> None:
    """Print per probe how many readings moved to it and how many moved otherwise."""
    total = Counter[str]()
    for probe in probes:
        unrelated, about = moved(probe, texts, before, after(probe))
        if misses:
            print("\n".join(unrelated))
        total["about"] += about
        total["unrelated"] += len(unrelated)
        print(f"{probe:<18} moved about it {about:4}   moved, not about it {len(unrelated):4}")
    print(
        f"{len(texts)} {kind}; every probe: about it {total['about']}, "
        f"not about it {total['unrelated']}"
    )


def main() -> int:
    """Print, per probe entry, how many decisions moved and whether they are about it."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, default=None, help="content folder")
    parser.add_argument("--probe", choices=sorted(PROBES), action="append")
    parser.add_argument("--misses", action="store_true", help="list the unrelated moves")
    parser.add_argument("--hold", choices=HOLDS, action="append", default=[])
    parser.add_argument(
        "--live", action="store_true", help="weigh words by each content, not the frozen file"
    )
    parser.add_argument("--french", action="store_true", help="French probes and sets")
    parser.add_argument("--entry", metavar="ID", help="an entry of the content as the probe")
    args = parser.parse_args()
    if args.french:
        return french_main(args)
    faq = load_content(args.content or default_content_dir()).faq
    if args.entry:
        return entry_main(args, faq)
    if args.live:
        faq = dataclasses.replace(faq, word_statistics=None)
    texts = questions()
    shipped = FaqMatcher.from_content(faq)
    before = readings(MessageReader(shipped, None, faq), texts)

    def after(probe: str) -> list[Shown]:
        matcher = held_matcher(with_probe(faq, probe), shipped, args.hold)
        return readings(MessageReader(matcher, None, with_probe(faq, probe)), texts)

    tally(args.probe or sorted(PROBES), texts, before, after, args.misses, "texts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
