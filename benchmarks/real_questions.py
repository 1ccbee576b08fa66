"""Real public questions about IMS and dry needling, through the bot's FAQ as shipped.

Reads `../shared/bench/real_questions/dev.yaml` (the development half: clinic FAQ headings,
patient-education titles, questions posted by the public; see ../shared/bench/README.md)
or any file in the same format given with `--file`. Each item has `text`, `label` (the
entry whose answer answers it, or `none`), optional `also_ok` (more acceptable entries)
and, for `none` items, `gap` (the missing topic).

Every message goes through what a patient's message goes through: the emergency screen,
then the FAQ's reading of the message (small talk, one or two questions, answer / "did you
mean" / fallback), with the default (lexical) matcher and content/faq.yaml. Reported:

* answerable items: answered right (an answer given is the label or in `also_ok`),
  confidently wrong (answered, and no answer given is acceptable), the rest ("did you
  mean" or fallback);
* items that an entry added after the labels answers, judged by hand and listed (by a
  hash of their text, never the text) in `benchmarks/real_questions_judged.yaml`, count
  as answerable with that entry (`--as-labelled` ignores the judgements);
* `none` items: held back honestly ("did you mean" or fallback) or answered wrongly. An
  item whose `label` names an entry added since the labels were written is answerable.
* the same for items that say "IMS" / "intramuscular" and items that say "dry needling".

    python benchmarks/real_questions.py                 # the development half
    python benchmarks/real_questions.py --misses        # and every item not answered right
    python benchmarks/real_questions.py --file PATH     # another file in the same format
    python benchmarks/real_questions.py --lexical-only  # without the learned ranker's opinion
    python benchmarks/real_questions.py --all --as-labelled  # a row per gathering, English
    python benchmarks/real_questions.py --all --as-labelled --names-as-ims  # see below
    python benchmarks/real_questions.py --sets 'benchmarks/data/real_questions_N*.yaml'  # per file

`--names-as-ims` relabels every item that asks only what a name of the clinic's treatment
is ("What is dry needling?", "So, what is trigger point dry needling?": a name in the
synonym group holding "ims") with `what_is_ims` alone, as issue 18 item 2 reads them; the
gatherings label that heading both ways (most with the comparison entry).

A benchmark, not a test: the data lives outside the repository and never enters the tests
or the content.
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.clinic_content import load_content
from bot.content.model import FaqContent
from bot.faq.reading import FaqReading, MessageReader
from bot.faq.text import normalise

REPO_ROOT = Path(__file__).resolve().parent.parent
DEV_CANDIDATES = (
    REPO_ROOT.parent / "shared" / "bench" / "real_questions" / "dev.yaml",
    Path("/work/shared/bench/real_questions/dev.yaml"),
)
JUDGED_FILE = Path(__file__).resolve().parent / "real_questions_judged.yaml"
NONE = "none"
_IMS_RE = re.compile(r"\bims\b|intramuscular", re.IGNORECASE)


@dataclass(frozen=True)
class RealQuestion:
    """One labelled real question."""

    text: str
    acceptable: frozenset[str]  # empty for a `none` item
    gap: str = ""
    language: str = "en"


@dataclass
class Tally:
    """Counts for one group of questions."""

    answerable: int = 0
    right: int = 0
    wrong: int = 0
    unanswerable: int = 0
    held_back: int = 0
    wrong_on_none: int = 0
    suggested: int = 0  # answerable items given a "did you mean"
    misses: list[str] = field(default_factory=list)

    def add(self, question: RealQuestion, reading: FaqReading) -> None:
        """Count what the bot did with `question`."""
        answered = [faq_id for faq_id in reading.answers]
        shown = _describe(reading)
        if question.acceptable:
            self.answerable += 1
            if any(faq_id in question.acceptable for faq_id in answered):
                self.right += 1
                return
            if answered:
                self.wrong += 1
                kind = "WRONG"
            else:
                kind = "held"
                self.suggested += reading.kind == "suggest"
            wanted = "|".join(sorted(question.acceptable))
            self.misses.append(f"  {kind:5} want {wanted:40} got {shown:40} {question.text}")
            return
        self.unanswerable += 1
        if answered:
            self.wrong_on_none += 1
            self.misses.append(f"  NONE  gap {question.gap[:38]:42} got {shown:40} {question.text}")
        else:
            self.held_back += 1


def _describe(reading: FaqReading) -> str:
    if reading.answers:
        return "answer:" + "+".join(reading.answers)
    return reading.kind


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100.0 * part / whole:.1f} %)" if whole else "-"


def text_key(text: str) -> str:
    """How the judgements file names an item without quoting it."""
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:12]


def load_judged(path: Path = JUDGED_FILE) -> dict[str, frozenset[str]]:
    """Entries judged by hand to answer an item, by the item's text key."""
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return {str(item["sha1"]): frozenset(item["also_ok"]) for item in data}


def load_questions(path: Path, judged: dict[str, frozenset[str]]) -> list[RealQuestion]:
    """The items of a real-questions file, with the entries judged by hand to answer them."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # A file without `lang` fields is in one language, French when its name ends in "fr<N>".
    language = "fr" if re.search(r"_fr\d*$", path.stem) else "en"
    questions = []
    for item in data:
        label = str(item["label"]).strip()
        also = item.get("also_ok") or []
        extra = judged.get(text_key(str(item["text"])), frozenset())
        acceptable = (frozenset([label, *also]) | extra) - {NONE}
        questions.append(
            RealQuestion(
                str(item["text"]),
                acceptable,
                str(item.get("gap", "")),
                str(item.get("lang") or language),
            )
        )
    return questions


TREATMENT_ENTRY = "what_is_ims"
_ASKS_WHAT_RE = re.compile(r"^(?:so )?what is (?P<name>.+?)(?: anyway)?$")


def names_as_ims(questions: Sequence[RealQuestion], faq: FaqContent) -> list[RealQuestion]:
    """`questions` with each one asking only what a name of the clinic's treatment is
    labelled `what_is_ims` alone (one treatment, many names)."""
    group = next((g for g in faq.synonyms if "ims" in g), ())
    names = {normalise(name) for name in group}
    relabelled = []
    for question in questions:
        asked = _ASKS_WHAT_RE.match(normalise(question.text))
        if question.acceptable and asked is not None and asked.group("name") in names:
            question = RealQuestion(
                question.text, frozenset([TREATMENT_ENTRY]), question.gap, question.language
            )
        relabelled.append(question)
    return relabelled


def find_dev() -> Path | None:
    """The development half, if the shared bench folder is present."""
    return next((path for path in DEV_CANDIDATES if path.is_file()), None)


GROUPS: dict[str, Callable[[str], bool]] = {
    "all": lambda text: True,
    'says "IMS" / "intramuscular"': lambda text: bool(_IMS_RE.search(text)),
    'says "dry needling"': lambda text: "dry need" in text.lower(),
}


def run(questions: Sequence[RealQuestion], reader: MessageReader) -> dict[str, Tally]:
    """Tallies per group for `questions`."""
    tallies = {name: Tally() for name in GROUPS}
    for question in questions:
        reading = reader.read(question.text)
        for name, belongs in GROUPS.items():
            if belongs(question.text):
                tallies[name].add(question, reading)
    return tallies


def gatherings() -> list[Path]:
    """Every real-question file: the gatherings in benchmarks/data, then the development
    half when it is present."""
    found = sorted((REPO_ROOT / "benchmarks" / "data").glob("real_questions_*.yaml"))
    dev = find_dev()
    return found + ([dev] if dev is not None else [])


def gathering_rows(
    paths: Sequence[Path],
    reader: MessageReader,
    judged: dict[str, frozenset[str]],
    relabel: Callable[[list[RealQuestion]], list[RealQuestion]] | None = None,
) -> tuple[list[str], dict[str, Tally]]:
    """A line per gathering (English items: answerable, right, confidently wrong, items the
    FAQ cannot answer and how many got an answer; French right / answerable) and pooled,
    with each gathering's English tally; `relabel` rewrites each gathering's labels."""
    lines = [
        f"{'gathering':10} {'answerable':>10} {'right':>6} {'wrong':>6} {'suggest':>7}"
        f" {'fallback':>8} {'none ans.':>10}  fr"
    ]
    tallies: dict[str, Tally] = {}
    pooled = Tally()
    for path in paths:
        name = path.stem.removeprefix("real_questions_")
        english, french = Tally(), Tally()
        questions = load_questions(path, judged)
        for question in relabel(questions) if relabel else questions:
            reading = reader.read(question.text)
            (french if question.language == "fr" else english).add(question, reading)
        tallies[name] = english
        for key in ("answerable", "right", "wrong", "suggested", "unanswerable", "wrong_on_none"):
            setattr(pooled, key, getattr(pooled, key) + getattr(english, key))
        lines.append(_row(name, english) + f"  {french.right}/{french.answerable}")
    lines.append(_row("pooled", pooled))
    return lines, tallies


def _row(name: str, tally: Tally) -> str:
    none = f"{tally.wrong_on_none}/{tally.unanswerable}"
    fallback = tally.answerable - tally.right - tally.wrong - tally.suggested
    return (
        f"{name:10} {tally.answerable:>10} {tally.right:>6} {tally.wrong:>6}"
        f" {tally.suggested:>7} {fallback:>8} {none:>10}"
    )


def report(name: str, tally: Tally) -> str:
    """Lines for one group."""
    return "\n".join(
        [
            f"{name}:",
            f"  answerable answered right      {_ratio(tally.right, tally.answerable)}",
            f"  answerable confidently wrong   {_ratio(tally.wrong, tally.answerable)}",
            f"  answerable 'did you mean'/fallback "
            f"{_ratio(tally.answerable - tally.right - tally.wrong, tally.answerable)}",
            f"  unanswerable held back         {_ratio(tally.held_back, tally.unanswerable)}",
            f"  unanswerable answered wrongly  {_ratio(tally.wrong_on_none, tally.unanswerable)}",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark; exit 0 with one line when the data is absent."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, help="a real-questions file (default: dev.yaml)")
    parser.add_argument("--misses", action="store_true", help="list every item not right")
    parser.add_argument(
        "--as-labelled",
        action="store_true",
        help="ignore the hand judgements for entries added after the labels",
    )
    parser.add_argument(
        "--lexical-only",
        action="store_true",
        help="the matcher alone, without the ranker learned from the content (bot.faq.learned)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="a row per gathering (benchmarks/data and the development half), English items",
    )
    parser.add_argument(
        "--names-as-ims",
        action="store_true",
        help='label "what is <a name of the treatment>?" items what_is_ims (issue 18 item 2)',
    )
    parser.add_argument(
        "--sets",
        metavar="GLOB",
        help="like --all, over the files matching GLOB",
    )
    args = parser.parse_args(argv)
    if args.all or args.sets:
        paths = gatherings() if args.sets is None else _globbed(args.sets)
        if not paths:
            print(f"skipped: no real-questions file matches {args.sets}")
            return 0
        return _all_gatherings(
            paths, args.as_labelled, args.misses, args.lexical_only, args.names_as_ims
        )
    path = args.file or find_dev()
    if path is None or not path.is_file():
        where = args.file or "../shared/bench/real_questions/dev.yaml"
        print(f"skipped: real questions not found at {where}")
        return 0
    questions = load_questions(path, {} if args.as_labelled else load_judged())
    content = load_content(REPO_ROOT / "content")
    if args.names_as_ims:
        questions = names_as_ims(questions, content.faq)
    known = {entry.id for entry in content.faq.entries}
    unknown = sorted({i for q in questions for i in q.acceptable} - known)
    if unknown:
        print(f"note: labels name no entry in content/faq.yaml: {', '.join(unknown)}")
    reader = MessageReader.from_content(content)
    how = "lexical matcher"
    if args.lexical_only:
        reader = MessageReader(reader.matcher.lexical_only(), reader.detector, content.faq)
    elif reader.matcher.model is not None:
        how += " + ranker learned from the content"
    tallies = run(questions, reader)
    print(f"{path} ({len(questions)} questions, {how}, content/faq.yaml)")
    for name, tally in tallies.items():
        print(report(name, tally))
    if args.misses:
        print("not answered right:")
        print("\n".join(tallies["all"].misses))
    return 0


def _globbed(pattern: str) -> list[Path]:
    """The files matching `pattern` (absolute, or relative to the working folder)."""
    return sorted(Path(found) for found in glob.glob(pattern))


def _all_gatherings(
    paths: Sequence[Path],
    as_labelled: bool,
    misses: bool,
    lexical_only: bool,
    relabel_names: bool = False,
) -> int:
    """Print a row per gathering in `paths`, and with `misses` every English item not right."""
    content = load_content(REPO_ROOT / "content")
    faq = content.faq
    reader = MessageReader.from_content(content)
    if lexical_only:
        reader = MessageReader(reader.matcher.lexical_only(), reader.detector, content.faq)
    judged = {} if as_labelled else load_judged()
    relabel = (lambda found: names_as_ims(found, faq)) if relabel_names else None
    lines, tallies = gathering_rows(paths, reader, judged, relabel)
    print("\n".join(lines))
    if misses:
        for name, tally in tallies.items():
            print(f"{name}:")
            print("\n".join(tally.misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
