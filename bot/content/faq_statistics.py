"""faq_statistics.json: the word statistics the FAQ matcher weighs words by, kept as data.

The matcher weighs a word by how many entries use it (BM25's IDF, the character-trigram
IDF, the learned ranker's IDF) and discounts long entries against the average length. Read
from the content at every load, one added entry would shift every word's weight a little
and move questions that sit near an edge although the entry is not about them. So the
statistics are generated once (`ims-bot faq freeze-stats`) and kept beside the content:
an edit then moves only what its own words touch, and the clinic refreshes them on
purpose, checking the answers (`ims-bot faq eval`) at that moment. A content folder
without the file is weighed by its own content, as before.

Words the file does not list (it lists only words two or more entries used) weigh as
words one entry uses: a new entry's own words ("umbrella") are rare words, and counting
how many entries use them waits for the next refresh, so the entry reweighs no other
entry's words. `ims-bot content check` says when the file is from an earlier FAQ.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bot.content.model import DocumentFrequencies, FaqContent, MatcherStatistics
from bot.content.problems import Problem, display_path

FAQ_STATISTICS_FILE = "faq_statistics.json"
FORMAT_VERSION = 1
# Parts of the file: one per FAQ language the bot reads.
ENGLISH, FRENCH = "en", "fr"


def wording_fingerprint(faq: FaqContent) -> str:
    """A digest of what the statistics derive from: every wording and synonym group."""
    wordings = {
        "entries": [[entry.id, list(entry.phrasings)] for entry in faq.entries],
        "topics": [[topic.id, list(topic.examples)] for topic in faq.out_of_scope],
        "synonyms": [list(group) for group in faq.synonyms],
    }
    return hashlib.sha256(json.dumps(wordings, ensure_ascii=False).encode()).hexdigest()[:16]


def _frequencies_as_dict(found: DocumentFrequencies) -> dict[str, Any]:
    return {"documents": found.documents, "single_use": found.single_use, "counts": found.counts}


def _frequencies(data: Any) -> DocumentFrequencies:
    counts = data["counts"]
    if not isinstance(counts, dict):
        raise TypeError("counts")
    return DocumentFrequencies(
        int(data["documents"]),
        {str(k): int(v) for k, v in counts.items()},
        int(data["single_use"]),
    )


def statistics_as_dict(statistics: MatcherStatistics) -> dict[str, Any]:
    """`statistics` as JSON data."""
    return {
        "fingerprint": statistics.fingerprint,
        "average_length": statistics.average_length,
        "scale": statistics.scale,
        "words": _frequencies_as_dict(statistics.words),
        "grams": _frequencies_as_dict(statistics.grams),
        "ranker": _frequencies_as_dict(statistics.ranker) if statistics.ranker else None,
    }


def statistics_from_dict(data: Any) -> MatcherStatistics:
    """The statistics in JSON data; raises KeyError, TypeError or ValueError."""
    ranker = data.get("ranker")
    return MatcherStatistics(
        fingerprint=str(data["fingerprint"]),
        words=_frequencies(data["words"]),
        average_length=float(data["average_length"]),
        scale=float(data["scale"]),
        grams=_frequencies(data["grams"]),
        ranker=_frequencies(ranker) if ranker is not None else None,
    )


def write_statistics(path: Path, parts: Mapping[str, MatcherStatistics]) -> None:
    """Write each language's statistics to `path`, one count a line (a refresh's diff
    shows which words' counts changed)."""
    data: dict[str, Any] = {"version": FORMAT_VERSION}
    data.update((language, statistics_as_dict(s)) for language, s in parts.items())
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=0)
    path.write_text(text + "\n", encoding="utf-8")


def read_statistics(path: Path) -> tuple[dict[str, MatcherStatistics], list[Problem]]:
    """Each language's statistics in `path` (none when it is absent or unreadable), and a
    note when it cannot be read: the FAQ is then weighed by its own content, as without."""
    if not path.exists():
        return {}, []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("version") != FORMAT_VERSION:
            raise ValueError("version")
        parts = {
            language: statistics_from_dict(data[language])
            for language in (ENGLISH, FRENCH)
            if language in data
        }
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        problem = Problem(
            display_path(path),
            0,
            "the FAQ's word statistics cannot be read, so words are weighed by today's "
            "content; write them again with `ims-bot faq freeze-stats`",
        )
        return {}, [problem]
    return parts, []


def staleness_note(path: Path, faq: FaqContent, language: str) -> Problem | None:
    """A note when `faq`'s statistics are from other wordings than it has now."""
    statistics = faq.word_statistics
    if statistics is None or statistics.fingerprint == wording_fingerprint(faq):
        return None
    then = statistics.words.documents
    now = len(faq.entries) + len(faq.out_of_scope)
    name = "faq_fr.yaml" if language == FRENCH else "faq.yaml"
    return Problem(
        display_path(path),
        0,
        f"the word statistics are from an earlier {name} ({then} entries and topics then, "
        f"{now} now): answers to questions your edits are not about stay as they were. Run "
        "`ims-bot faq freeze-stats` when you want every word weighed by today's content, "
        "then check the answers with `ims-bot faq eval`",
    )
