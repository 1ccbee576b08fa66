"""The clinic's content folder: which files it holds, whose reader reads each, read once.

Part of the composition root: `bot/content` only knows how to read YAML and report
problems; this module hands each file to the reader of the feature that owns it and
assembles one `ClinicContent`, with every problem of every file, in one pass. The bot's
start-up, `ims-bot content check` and the console's content-health page all go through
`read_content`, so a file is never parsed twice and a check never disagrees with a load.

Files (in `content/`)         reader
  clinic.yaml                 bot.content.clinic (the facts every feature quotes)
  faq.yaml                    bot.content.faq_loader (needs clinic.yaml's facts)
  emergency.yaml, urgent.yaml,
  safety_languages.yaml       bot.safety.emergency_content
  appointment_types.yaml      bot.reminders.types
  intake_flow.yaml            bot.intake.flow_file (optional for the check; the intake
                              feature refuses to start without it)
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.content.clinic import CLINIC_FILE, Clinic, read_clinic
from bot.content.faq_loader import FAQ_FILE, read_faq
from bot.content.model import FaqContent
from bot.content.problems import ContentError, Problem
from bot.intake.flow_file import FLOW_FILE_NAME, LoadedFlow, read_flow_file
from bot.reminders.types import APPOINTMENT_TYPES_FILE, AppointmentTypes, parse_appointment_types
from bot.safety.emergency import EmergencyContent
from bot.safety.emergency_content import read_emergency_content

PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent ends
STDOUT, STDERR = 1, 2


@dataclass(frozen=True)
class ClinicContent:
    """Everything the clinic edits, read once at start and handed to each feature."""

    faq: FaqContent
    clinic: Clinic
    emergency: EmergencyContent
    appointment_types: AppointmentTypes
    # None when the folder has no intake flow (the intake feature then refuses to start).
    intake_flow: LoadedFlow | None = None


def read_faq_bundle(
    content_dir: Path, today: date | None = None
) -> tuple[FaqContent | None, Clinic | None, list[Problem]]:
    """faq.yaml and clinic.yaml from `content_dir`, with every problem in either."""
    clinic, clinic_problems = read_clinic(content_dir / CLINIC_FILE)
    faq, faq_problems = read_faq(content_dir / FAQ_FILE, clinic, today)
    return faq, clinic, sorted(clinic_problems + faq_problems)


class _ConfusableCheck:
    """The confusable-phrasing check (most of a full check's time), in a forked child
    process when asked to, so it runs beside the other files' checks on a second core."""

    def __init__(self, faq: FaqContent, *, in_child: bool) -> None:
        from bot.faq.confusion import check_confusable_phrasings

        self._faq = faq
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future[list[Problem]] | None = None
        # Forking is safe only with no other thread running (one might hold a lock the
        # child would then wait on for ever); the command line has none.
        forkable = "fork" in multiprocessing.get_all_start_methods()
        if in_child and forkable and threading.active_count() == 1:
            # Forked, the child already has every module and the FAQ; nothing is re-read.
            context = multiprocessing.get_context("fork")
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_answer_through_the_pipe_only
            )
            self._future = self._pool.submit(check_confusable_phrasings, faq)

    def result(self) -> list[Problem]:
        """The check's problems (run here unless a child ran it)."""
        from bot.faq.confusion import check_confusable_phrasings

        if self._future is None or self._pool is None:
            return check_confusable_phrasings(self._faq)
        try:
            return self._future.result()
        except BrokenProcessPool:
            # The child died (killed, out of memory): the check still gets done, here.
            return check_confusable_phrasings(self._faq)
        finally:
            self._pool.shutdown()


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


def read_content(
    content_dir: Path, *, quality: bool = False, parallel: bool = False
) -> tuple[ClinicContent | None, list[Problem]]:
    """Every file in `content_dir` read once: the content (None when any file has a
    problem) and every problem, sorted by file and line.

    `quality` adds the slower checks of content that works but would serve patients
    badly (confusable phrasings). `ims-bot content check` and CI run them; the bot's
    start-up skips them so a restart stays quick. `parallel` runs the slowest of them in
    a child process beside the rest (the CLI asks for it; in-process callers need not).
    """
    key = (quality, date.today(), *_fingerprint(content_dir)) if content_dir.is_dir() else None
    if key is not None and key in _read:
        content, problems = _read[key]
        return content, list(problems)
    faq, clinic, problems = read_faq_bundle(content_dir)
    # The quality checks are only meaningful once faq.yaml is valid.
    confusable = None
    if quality and faq is not None and not problems:
        confusable = _ConfusableCheck(faq, in_child=parallel)
    emergency, emergency_problems = read_emergency_content(content_dir)
    types, type_problems = parse_appointment_types(content_dir / APPOINTMENT_TYPES_FILE)
    flow: LoadedFlow | None = None
    if (content_dir / FLOW_FILE_NAME).exists():
        flow, flow_problems = read_flow_file(content_dir / FLOW_FILE_NAME)
        problems += flow_problems
    if confusable is not None:
        assert faq is not None  # the check starts only on a valid faq.yaml
        if emergency is not None:
            from bot.faq.confusion import check_phrasings_screened_as_emergency

            problems += check_phrasings_screened_as_emergency(faq, emergency.detector())
        problems += confusable.result()
    problems += emergency_problems + type_problems
    result: ClinicContent | None = None
    if not problems:
        # Each reader returns its content exactly when it found no problem.
        assert faq is not None and clinic is not None
        assert emergency is not None and types is not None
        result = ClinicContent(faq, clinic, emergency, types, flow)
    problems.sort()
    if key is not None:
        _read[key] = (result, list(problems))
    return result, problems


def check_content(content_dir: Path, *, quality: bool = True) -> list[Problem]:
    """All problems in `content_dir`, sorted by file and line."""
    return read_content(content_dir, quality=quality)[1]


def load_content(content_dir: Path) -> ClinicContent:
    """All content in `content_dir`; raises `ContentError` listing every problem."""
    content, problems = read_content(content_dir)
    if content is None:
        raise ContentError(problems)
    return content
