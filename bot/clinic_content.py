"""The clinic's content folder: which files it holds, whose reader reads each, read once.

Part of the composition root: `bot/content` only knows how to read YAML and report
problems; this module hands each file to the reader of the feature that owns it and
assembles one `ClinicContent`, with every problem of every file, in one pass. The bot's
start-up, `ims-bot content check` and the console's content-health page all go through
`read_content`, so a file is never parsed twice and a check never disagrees with a load.

Files (in `content/`)         reader
  clinic.yaml                 bot.content.clinic (the facts every feature quotes)
  faq.yaml                    bot.content.faq_loader (needs clinic.yaml's facts)
  faq_fr.yaml                 bot.content.faq_translation (optional; needs faq.yaml)
  faq_statistics.json         bot.content.faq_statistics (optional, generated: the
                              word statistics both FAQs are weighed by)
  emergency.yaml, urgent.yaml,
  safety_languages.yaml       bot.safety.emergency_content
  appointment_types.yaml      bot.reminders.types
  intake_flow.yaml            bot.intake.flow_file

Every file but faq_fr.yaml and safety_languages.yaml is required (`REQUIRED_FILES`):
without one the bot cannot start or cannot screen safely, so start-up and the check both
refuse a folder that lacks it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import pickle
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Generic, TypeVar

from bot.content.check_cache import ContentCheckCache
from bot.content.clinic import CLINIC_FILE, Clinic, read_clinic
from bot.content.faq_loader import FAQ_FILE, read_faq
from bot.content.faq_statistics import (
    ENGLISH,
    FAQ_STATISTICS_FILE,
    FRENCH,
    read_statistics,
    staleness_note,
)
from bot.content.faq_translation import FAQ_FRENCH_FILE, read_faq_translation
from bot.content.model import FaqContent
from bot.content.problems import ContentError, Problem, display_path
from bot.core.english import english_frequencies
from bot.intake.flow_file import FLOW_FILE_NAME, LoadedFlow, long_button_labels, read_flow_file
from bot.intake.flow_translation import FLOW_FRENCH_FILE_NAME
from bot.reminders.types import APPOINTMENT_TYPES_FILE, AppointmentTypes, parse_appointment_types
from bot.safety.emergency import EmergencyContent
from bot.safety.emergency_content import (
    EMERGENCY_FILE,
    LANGUAGES_FILE,
    URGENT_FILE,
    read_emergency_files,
    screen_problems,
    untranslated_rules,
)
from bot.safety.term_reach import grouped_by_term

_Result = TypeVar("_Result")
PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent ends
STDOUT, STDERR = 1, 2
# The files each slow check reads (its results are cached under their bytes).
SCREEN_FILES = (EMERGENCY_FILE, URGENT_FILE, LANGUAGES_FILE)
FAQ_FILES = (FAQ_FILE, CLINIC_FILE, FAQ_STATISTICS_FILE)


@dataclass(frozen=True)
class ClinicContent:
    """Everything the clinic edits, read once at start and handed to each feature."""

    faq: FaqContent
    clinic: Clinic
    emergency: EmergencyContent
    appointment_types: AppointmentTypes
    # None only when built by hand: `read_content` requires intake_flow.yaml.
    intake_flow: LoadedFlow | None = None
    # The FAQ's French version (faq_fr.yaml), None when the clinic has none.
    faq_fr: FaqContent | None = None
    # What `ims-bot content check` tells the clinic without refusing the content (entries
    # with no French version yet).
    notes: tuple[Problem, ...] = ()


def read_faq_bundle(
    content_dir: Path, today: date | None = None
) -> tuple[FaqContent | None, Clinic | None, list[Problem]]:
    """faq.yaml and clinic.yaml from `content_dir`, with every problem in either; the
    FAQ carries its frozen word statistics when the folder has them."""
    clinic, clinic_problems = read_clinic(content_dir / CLINIC_FILE)
    faq, faq_problems = read_faq(content_dir / FAQ_FILE, clinic, today)
    statistics = read_statistics(content_dir / FAQ_STATISTICS_FILE)[0]
    if faq is not None and ENGLISH in statistics:
        faq = replace(faq, word_statistics=statistics[ENGLISH])
    return faq, clinic, sorted(clinic_problems + faq_problems)


class _Forked(Generic[_Result]):
    """`work()` run in a forked child process when asked to, so that it runs beside this
    process on another core; else (or when the child dies) run here by `result()`.

    Forked, the child already has every module and object `work` uses: nothing is re-read
    or sent to it, and only the result comes back, pickled, through a pipe.
    """

    def __init__(self, work: Callable[[], _Result], *, in_child: bool) -> None:
        self._work = work
        self._child: tuple[int, int] | None = None  # (process id, pipe to read)
        # Forking is safe only with no other thread running (one might hold a lock the
        # child would then wait on for ever); the command line has none.
        if in_child and hasattr(os, "fork") and threading.active_count() == 1:
            read, write = os.pipe()
            pid = os.fork()
            if pid == 0:  # the child: do the work, send the result, leave at once
                os.close(read)
                try:
                    _answer_through_the_pipe_only()
                    with os.fdopen(write, "wb") as pipe:
                        pipe.write(pickle.dumps(work()))
                finally:
                    os._exit(0)  # no atexit handlers, no flushing the parent's buffers
            os.close(write)
            self._child = (pid, read)

    @property
    def forked(self) -> bool:
        """Whether a child process is doing the work."""
        return self._child is not None

    def result(self) -> _Result:
        """The work's result (computed here unless a child computed it)."""
        if self._child is None:
            return self._work()
        pid, read = self._child
        self._child = None
        with os.fdopen(read, "rb") as pipe:
            sent = pipe.read()
        os.waitpid(pid, 0)
        if not sent:
            # The child died (killed, out of memory, or the work raised): do it here,
            # where an error is reported as the command's own.
            return self._work()
        result: _Result = pickle.loads(sent)
        return result


def _confusable(faq: FaqContent, parallel: bool) -> list[Problem]:
    """The confusable-phrasing check; with `parallel`, its phrasings are shared with a
    child forked once the index is built."""
    from bot.faq.confusion import ConfusableCheck, in_faq_order

    check = ConfusableCheck(faq)
    other_half = _Forked(lambda: check.run(1, 2), in_child=parallel)
    if other_half.forked:
        return in_faq_order([check.run(0, 2), other_half.result()])
    return in_faq_order([check.run(0, 1)])


def _cores() -> int:
    """How many cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _ScreenChecks:
    """The checks that screen texts with the emergency and urgent detectors: every rule's
    examples and not-examples (unless `examples` is False), and (for the wording checks,
    given the FAQ) every FAQ phrasing."""

    def __init__(self, emergency: EmergencyContent, examples: bool, faq: FaqContent | None) -> None:
        self._emergency, self._examples, self._faq = emergency, examples, faq
        emergency.detector()
        if examples and emergency.urgent is not None:
            emergency.urgent.detector()

    def run(self, part: int, parts: int) -> tuple[list[Problem], list[Problem]]:
        """Problems in the examples, and FAQ phrasings the screen takes, screening every
        `parts`-th text from the `part`-th on."""
        examples = screen_problems(self._emergency, part, parts) if self._examples else []
        if self._faq is None:
            return examples, []
        from bot.faq.confusion import check_phrasings_screened_as_emergency

        detector = self._emergency.detector()
        return examples, check_phrasings_screened_as_emergency(self._faq, detector, part, parts)


class _Stored:
    """One slow check's result in the check cache: `found` when an identical check (same
    files, same code) was done before; `keep` stores a new result."""

    def __init__(
        self, cache: ContentCheckCache | None, check: str, content_dir: Path, files: Sequence[str]
    ) -> None:
        self._cache = cache
        self._key = cache.key(check, content_dir, files) if cache is not None else ""
        self.found = cache.get(self._key) if cache is not None else None

    def keep(self, problems: list[Problem]) -> list[Problem]:
        """`problems`, stored for the next identical check."""
        if self._cache is not None:
            self._cache.put(self._key, problems)
        return problems


class _Built:
    """The whole content read and checked from `content_dir` on an earlier start, kept in
    the check cache under the bytes of every file in the folder (and today's date, which
    `reviewed:` dates are checked against, and the working folder, which file names in
    it are relative to): a restart on unchanged content and code loads it instead of
    reading every file and compiling the screen's rules again."""

    def __init__(self, cache: ContentCheckCache, content_dir: Path) -> None:
        self._cache = cache
        files = sorted(path.name for path in content_dir.iterdir() if path.is_file())
        check = f"built content {date.today().isoformat()} {Path.cwd()}"
        self._key = cache.key(check, content_dir, files)
        found = cache.get_built(self._key)
        self.found = found if isinstance(found, ClinicContent) else None

    def keep(self, content: ClinicContent) -> None:
        """Store `content` with the screen's detectors built (what every start builds)."""
        for tier in (content.emergency, content.emergency.urgent):
            if tier is not None:
                tier.detector()
        self._cache.put_built(self._key, content)


def _answer_through_the_pipe_only() -> None:
    """Set up the child: it ends with the command and holds none of its output.

    Whoever reads the command's output (the console runs it as a child process and may
    stop it) must see the end of it when the command ends, so the child lets go of
    stdout and stderr (its result and any error go back through the pool's pipe), and on
    Linux asks to be stopped when the command is.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    for descriptor in (STDOUT, STDERR):  # the descriptors, whatever wraps them in Python
        os.dup2(devnull, descriptor)
    os.close(devnull)
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _fingerprint(content_dir: Path) -> tuple[object, ...]:
    """Identifies the folder's current files, so an unchanged folder is read once."""
    files = sorted(path for path in content_dir.iterdir() if path.is_file())
    stats = ((path.name, path.stat()) for path in files)
    return (
        str(content_dir.resolve()),
        *((name, stat.st_mtime_ns, stat.st_size) for name, stat in stats),
    )


# A process that reads the same unchanged folder several times (tests, the CLI, the
# console's content page) reads it once. The content objects are frozen.
_read: dict[tuple[object, ...], tuple[ClinicContent | None, list[Problem]]] = {}


# The files the bot cannot start or screen safely without, and what each is for.
REQUIRED_FILES = {
    CLINIC_FILE: "quote the clinic's facts",
    FAQ_FILE: "answer questions",
    EMERGENCY_FILE: "screen every message for emergencies",
    URGENT_FILE: "screen every message for problems that need a doctor today",
    APPOINTMENT_TYPES_FILE: "send reminders",
    FLOW_FILE_NAME: "run the intake form",
}


def _with_missing_files(content_dir: Path, problems: list[Problem]) -> list[Problem]:
    """`problems` with one for each required file the folder lacks (in place of its
    reader's bare "file not found"), saying what the bot cannot do without it."""
    missing = {
        display_path(content_dir / name): why
        for name, why in REQUIRED_FILES.items()
        if not (content_dir / name).exists()
    }
    kept = [p for p in problems if not (p.file in missing and p.line == 0)]
    return kept + [
        Problem(
            shown,
            0,
            f"file not found: the bot needs it to {why} and will not start without it; "
            "put it back (the bundled content folder has a sample)",
        )
        for shown, why in missing.items()
    ]


def read_content(
    content_dir: Path,
    *,
    quality: bool = False,
    parallel: bool = False,
    cache: ContentCheckCache | None = None,
) -> tuple[ClinicContent | None, list[Problem]]:
    """Every file in `content_dir` read once: the content (None when any file has a
    problem) and every problem, sorted by file and line.

    `quality` adds the slower checks of content that works but would serve patients
    badly (confusable phrasings). `ims-bot content check` and CI run them; the bot's
    start-up skips them so a restart stays quick. `parallel` (on a machine with more than
    one core) shares the work with forked child processes: the confusable-phrasing check
    runs in two (one forked by the other once the index is built, each checking every
    other phrasing), and half the screening of examples and phrasings in a third, beside
    the rest (the CLI asks for it; in-process callers need not). With `cache`, the
    screening and wording checks reuse the result of an identical earlier check (same
    files, same code; `bot.content.check_cache`) and store their own.
    """
    key = (quality, date.today(), *_fingerprint(content_dir)) if content_dir.is_dir() else None
    if key is not None and key in _read:
        content, problems = _read[key]
        return content, list(problems)
    # The bot's start-up (not the full check) may load what an earlier start read.
    built = _Built(cache, content_dir) if cache and key and not quality else None
    if key is not None and built is not None and built.found is not None:
        _read[key] = (built.found, [])
        return built.found, []
    faq, clinic, problems = read_faq_bundle(content_dir)
    faq_fr: FaqContent | None = None
    notes: list[Problem] = []
    if faq is not None and (content_dir / FAQ_FRENCH_FILE).exists():
        faq_fr, french_problems, notes = read_faq_translation(
            content_dir / FAQ_FRENCH_FILE, faq, clinic
        )
        problems = problems + french_problems
        french_statistics = read_statistics(content_dir / FAQ_STATISTICS_FILE)[0].get(FRENCH)
        if faq_fr is not None and french_statistics is not None:
            faq_fr = replace(faq_fr, word_statistics=french_statistics)
        if clinic is not None:
            # The bot answers in French, so each clinic fact it would show in English is
            # worth a note.
            notes = list(clinic.french_gaps) + notes
    # The quality checks are only meaningful once faq.yaml is valid.
    wording = quality and faq is not None and not problems
    parallel = parallel and _cores() > 1
    confusable: _Forked[list[Problem]] | None = None
    confusable_stored = _Stored(cache, "confusable", content_dir, FAQ_FILES) if wording else None
    if confusable_stored is not None and confusable_stored.found is None:
        assert faq is not None
        checked = faq
        if parallel:
            # The matcher's index (in the child) and the screen's common words (here) both
            # read the English word list: read once, before the fork, the child has it too.
            english_frequencies()
        confusable = _Forked(lambda: _confusable(checked, parallel), in_child=parallel)
    emergency, emergency_problems = read_emergency_files(content_dir)
    emergency_problems += untranslated_rules(emergency) if emergency is not None else []
    if emergency is not None:
        examples_stored = _Stored(cache, "examples", content_dir, SCREEN_FILES)
        examples = examples_stored.found
        phrasings_stored = (
            _Stored(cache, "phrasings", content_dir, SCREEN_FILES + FAQ_FILES) if wording else None
        )
        phrasings = phrasings_stored.found if phrasings_stored is not None else []
        if examples is None or phrasings is None:
            screens = _ScreenChecks(emergency, examples is None, faq if phrasings is None else None)
            # Half the texts are screened in a second child when asked to (the detectors
            # are built first, so it has them too).
            other_half = _Forked(lambda: screens.run(1, 2), in_child=parallel)
            if other_half.forked:
                new_examples, new_phrasings = screens.run(0, 2)
                more_examples, more_phrasings = other_half.result()
                new_examples += more_examples
                new_phrasings += more_phrasings
            else:
                new_examples, new_phrasings = screens.run(0, 1)
            if examples is None:
                tiers = [tier for tier in (emergency, emergency.urgent) if tier is not None]
                examples = examples_stored.keep(grouped_by_term(new_examples, tiers, content_dir))
            if phrasings is None:
                assert phrasings_stored is not None
                phrasings = phrasings_stored.keep(new_phrasings)
        if examples:
            emergency_problems += examples
            emergency = None  # the screen's content is returned only when it all works
        else:
            # Which phrasings the screen takes says something only of a screen that works.
            problems += phrasings
    types, type_problems = parse_appointment_types(content_dir / APPOINTMENT_TYPES_FILE)
    flow: LoadedFlow | None = None
    if (content_dir / FLOW_FILE_NAME).exists():
        flow, flow_problems = read_flow_file(content_dir / FLOW_FILE_NAME)
        problems += flow_problems
        if flow is not None:
            files = {
                flow.flow.language: display_path(content_dir / FLOW_FILE_NAME),
                FRENCH: display_path(content_dir / FLOW_FRENCH_FILE_NAME),
            }
            notes += long_button_labels(flow.flow, files)
    if wording:
        assert faq is not None
        from bot.faq.treatment_names import treatment_name_notes

        # Told, not refused: the bot still answers, by wording alone.
        notes += treatment_name_notes(faq)
        statistics_path = content_dir / FAQ_STATISTICS_FILE
        notes += read_statistics(statistics_path)[1]
        for language, checked_faq in ((ENGLISH, faq), (FRENCH, faq_fr)):
            stale = staleness_note(statistics_path, checked_faq, language) if checked_faq else None
            notes += [stale] if stale is not None else []
    if confusable is not None:
        assert confusable_stored is not None
        problems += confusable_stored.keep(confusable.result())
    elif confusable_stored is not None and confusable_stored.found is not None:
        problems += confusable_stored.found
    problems += emergency_problems + type_problems
    problems = _with_missing_files(content_dir, problems)
    result: ClinicContent | None = None
    if not problems:
        # Each reader returns its content exactly when it found no problem.
        assert faq is not None and clinic is not None
        assert emergency is not None and types is not None
        result = ClinicContent(faq, clinic, emergency, types, flow, faq_fr, tuple(notes))
        if built is not None:
            built.keep(result)
    problems.sort()
    if key is not None:
        _read[key] = (result, list(problems))
    return result, problems


def check_content(content_dir: Path, *, quality: bool = True) -> list[Problem]:
    """All problems in `content_dir`, sorted by file and line."""
    return read_content(content_dir, quality=quality)[1]


def load_content(content_dir: Path, cache: ContentCheckCache | None = None) -> ClinicContent:
    """All content in `content_dir`; raises `ContentError` listing every problem. With
    `cache`, an unchanged screen's examples are not screened again (`read_content`)."""
    content, problems = read_content(content_dir, cache=cache)
    if content is None:
        raise ContentError(problems)
    return content
