"""Shared fixtures: a real runtime on the bundled content and a fresh SQLite file."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import os
import pickle
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

import bot.clinic_content
import bot.safety.emergency_content
import tests.process_env
from bot.config import Settings, load_settings
from bot.content.model import FaqContent
from bot.content.problems import Problem
from bot.faq.matcher import FaqMatcher
from bot.faq.pipeline import EmergencyCheck
from bot.faq.reading import MessageReader
from bot.faq.semantic import PhrasingVectorCache, SentenceEncoder
from bot.runtime import Runtime, build_runtime
from bot.safety.emergency import EmergencyContent
from bot.storage.database import Database, open_database
from tests.fakes.api_schema import BotApiSchema
from tests.fakes.bot_api_server import FakeBotApiServer
from tests.migrated_db import migrate, start_from_migrated

# Bots started as subprocesses, and `faq` commands, match lexically even where the optional
# embedding model is installed: loading it for every bot would take minutes. Tests of the
# model ask for it explicitly.
os.environ.setdefault("SEMANTIC_MATCHING", "off")

# The slowest modules, longest first (`pytest -q -n 2 --durations=0`, summed per module:
# processes started by tests and whole-content checks). They run first, so under `-n 2`
# (`--dist loadscope --no-loadscope-reorder`) each worker ends on short modules rather than
# one worker finishing a long module alone. Refresh from a `--durations=0` run when the
# tail of a full run shows one worker idle; a module missing here only runs later.
SLOWEST_MODULES = (
    "content/test_content_cli.py",
    "faults/test_startup_faults.py",
    "intake/test_cli_shell.py",
    "console/test_shell.py",
    "content/test_shared_checks.py",
    "faults/test_delivery_faults.py",
    "telegram/test_e2e_telegram.py",
    "web/test_bar.py",
    "reminders/test_crash.py",
    "content/test_content_schema.py",
    "faults/test_update_faults.py",
    "web/test_content_health.py",
    "faults/test_forget_residue.py",
    "reminders/test_e2e_reminders.py",
    "faq/test_readme_chat.py",
    "web/test_browser.py",
    "web/test_e2e_beside_bot.py",
    "faq/test_french.py",
    "content/test_bundled_content.py",
    "intake/test_telegram.py",
    "content/test_content_robustness.py",
    "content/test_check_cache.py",
    "web/test_browser_reply.py",
    "content/test_required_content.py",
    "web/test_pages.py",
    "architecture/test_imports.py",
    "faq/test_leave_one_out.py",
    "faq/test_confusion.py",
    "reminders/test_button_integrity.py",
    "content/test_own_words.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The slowest modules first (`SLOWEST_MODULES`); each module's tests keep their order."""
    tests_folder = Path(__file__).parent
    rank = {name: place for place, name in enumerate(SLOWEST_MODULES)}

    def place(item: pytest.Item) -> int:
        module = item.path.relative_to(tests_folder).as_posix() if item.path else ""
        return rank.get(module, len(rank))

    items.sort(key=place)  # stable: the rest keep the collection's order


@pytest.fixture(autouse=True)
def lexical_matching_in_runtimes(monkeypatch: pytest.MonkeyPatch) -> None:
    """In-process runtimes match lexically too, whatever SEMANTIC_MATCHING their settings say."""
    monkeypatch.setattr("bot.faq.conversation.choose_faq_encoder", lambda *_: None)


# The lexical FAQ matcher over each FAQ that runtimes and pipelines were built on. About a
# hundred tests build a runtime on the same bundled content (read once per process by
# bot.clinic_content); indexing its FAQ again took about half a second of CPU each time.
# A matcher is read-only once built (its only state is a memo of typo corrections).
_SHARED_MATCHERS: dict[int, tuple[FaqContent, FaqMatcher]] = {}


class SharedLexicalMatchers:
    """Stands in for FaqMatcher where runtimes and pipelines build theirs: one lexical
    matcher per FAQ object; with an encoder, a new matcher as before."""

    @staticmethod
    def from_content(
        faq: FaqContent,
        encoder: SentenceEncoder | None = None,
        vector_cache: PhrasingVectorCache | None = None,
    ) -> FaqMatcher:
        if encoder is not None:
            return FaqMatcher.from_content(faq, encoder, vector_cache)
        kept = _SHARED_MATCHERS.get(id(faq))
        if kept is None or kept[0] is not faq:
            matcher = FaqMatcher.from_content(faq)
            # Its lexical-only copy (read-only too) is shared with it.
            matcher.lexical_only = functools.cache(matcher.lexical_only)  # type: ignore[method-assign]
            kept = (faq, matcher)
            _SHARED_MATCHERS[id(faq)] = kept
        return kept[1]


# The FAQ conversation's message readers over those shared matchers: building the two of
# each runtime (subject cues, entry claims) took about a third of a second of CPU. A reader
# is read-only once built, like its matcher.
_SHARED_READERS: dict[tuple[int, int], tuple[FaqMatcher, FaqContent, MessageReader]] = {}


def shared_reader(
    matcher: FaqMatcher,
    detector: EmergencyCheck | None = None,
    faq: FaqContent | None = None,
    **options: Any,
) -> MessageReader:
    """Stands in for MessageReader where the FAQ conversation builds its readers: one per
    shared lexical matcher (or its lexical-only copy) and FAQ; any other, a new reader."""
    shared = faq is not None and any(
        kept is matcher or kept.lexical_only() is matcher for _, kept in _SHARED_MATCHERS.values()
    )
    if detector is not None or options or faq is None or not shared:
        return MessageReader(matcher, detector, faq, **options)
    key = (id(matcher), id(faq))
    kept = _SHARED_READERS.get(key)
    if kept is None or kept[0] is not matcher or kept[1] is not faq:
        kept = (matcher, faq, MessageReader(matcher, faq=faq))
        _SHARED_READERS[key] = kept
    return kept[2]


@pytest.fixture(autouse=True)
def runtimes_share_lexical_matchers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Runtimes and FAQ pipelines on the same FAQ share its lexical matcher (tests of the
    matcher itself call FaqMatcher.from_content and always get a new one)."""
    monkeypatch.setattr("bot.faq.conversation.FaqMatcher", SharedLexicalMatchers)
    monkeypatch.setattr("bot.faq.pipeline.FaqMatcher", SharedLexicalMatchers)
    monkeypatch.setattr("bot.faq.conversation.MessageReader", shared_reader)


class CleanChecks:
    """A pure content check that remembers the contents it found nothing in.

    About a hundred tests read a copy of the bundled content with one file broken or
    changed; screening the unchanged emergency rules' examples again (or checking the
    unchanged FAQ for confusable phrasings) took one to two seconds of CPU each time.
    Contents are compared whole, by value, with only their file names set aside, so any
    change to a rule, example or phrasing runs the real check; a result with problems is
    never reused (its problems name the file they were found in).

    `ims-bot content check` run in a test (`main([...])`) does these checks in forked
    children, whose memory dies with them: so a clean content is also marked in `folder`
    (one session's), by a hash of its pickled value, where the parent and later children
    find it. Equal pickles unpickle to equal contents, so a mark is never taken for a
    different content (a content that pickles differently only misses the mark).
    """

    def __init__(
        self,
        check: Callable[..., list[Problem]],
        key: Callable[..., object],
        folder: Path | None = None,
    ) -> None:
        self._check, self._key, self._folder = check, key, folder
        self._clean: list[object] = []

    def _mark(self, key: object) -> Path | None:
        """Where a clean `key` is marked in the session's folder (None: not markable)."""
        if self._folder is None:
            return None
        try:
            pickled = pickle.dumps(key, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # a content that cannot be pickled is only remembered here
            return None
        return self._folder / hashlib.sha256(pickled).hexdigest()

    def __call__(self, *args: Any) -> list[Problem]:
        key = self._key(*args)
        if any(key == seen for seen in self._clean):
            return []
        mark = self._mark(key)
        if mark is not None and mark.exists():
            self._clean.append(key)
            return []
        found = self._check(*args)
        if not found:
            self._clean.append(key)
            if mark is not None:
                mark.touch()
        return found


def _unnamed(content: EmergencyContent) -> EmergencyContent:
    """`content` without the names of the files it was read from."""
    return replace(
        content,
        file="",
        urgent=None if content.urgent is None else _unnamed(content.urgent),
        notices=None if content.notices is None else replace(content.notices, file=""),
    )


@pytest.fixture(autouse=True, scope="session")
def content_checks_remember_clean_content(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[None]:
    """Content read from a changed copy re-runs the slow checks only on what changed
    (`CleanChecks`); tests of the checks themselves call them directly (names imported
    before the session starts) and always run.
    The marks of clean contents are shared by the session's workers (xdist gives each a
    folder of its own in the session's folder)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "clean-checks"
    folder.mkdir(exist_ok=True)
    screen = CleanChecks(
        bot.clinic_content.screen_problems,
        lambda content, part=0, parts=1: (_unnamed(content), part, parts),
        folder,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.clinic_content, "screen_problems", screen)
        # The safety package's own content check (`check_emergency_content`) too: the
        # shipped rules' examples, screened clean by the first runtime a worker builds,
        # were screened again by the tests of the shipped rules.
        patch.setattr(bot.safety.emergency_content, "screen_problems", screen)
        patch.setattr(
            bot.clinic_content,
            "_confusable",
            CleanChecks(
                bot.clinic_content._confusable,
                lambda faq, _parallel: replace(faq, file=""),
                folder,
            ),
        )
        yield


@pytest.fixture(autouse=True, scope="session")
def started_bots_share_content_checks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Bots and commands started as processes keep the content check's results in one
    folder per session (`tests.process_env.SHARED_CHECKS`), so only the first to start on
    the same content and code screens its examples."""
    tests.process_env.SHARED_CHECKS = tmp_path_factory.mktemp("content-checks")
    yield
    tests.process_env.SHARED_CHECKS = None


@pytest.fixture(autouse=True, scope="session")
def started_processes_share_bytecode(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Processes the tests start compile each module once per session, in one folder the
    session's workers share (`tests.process_env.SHARED_BYTECODE`), when the shell keeps
    Python from writing bytecode beside the sources.

    The first worker here compiles what `ims-bot` commands import into it at once, in the
    background, and its processes start once that is done (`process_env`): otherwise the
    first processes started (four at once in a start-up test) each compiled the same
    modules (about 3 s of CPU apiece)."""
    base = tmp_path_factory.getbasetemp()
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "bytecode"
    tests.process_env.SHARED_BYTECODE = folder
    try:
        folder.mkdir()
    except FileExistsError:
        warming = None
    else:
        warming = _compile_for_processes(folder, tmp_path_factory.mktemp("warm-up"))
    tests.process_env.COMPILING = warming
    yield
    tests.process_env.SHARED_BYTECODE = None
    tests.process_env.COMPILING = None
    if warming is not None:
        warming.wait()


# What `ims-bot` commands import (bot.cli.main imports each command's modules lazily).
COMMAND_MODULES = (
    "bot.cli.main",
    "bot.runtime",
    "bot.cli.chat",
    "bot.channels.console",
    "bot.channels.telegram.application",
    "bot.web.server",
)


def _compile_for_processes(folder: Path, cwd: Path) -> subprocess.Popen[bytes] | None:
    """Import `COMMAND_MODULES` in a process (in `cwd`) writing its bytecode to `folder`
    (None when processes write bytecode beside the sources as usual)."""
    env = tests.process_env.process_env(cwd)  # before COMPILING is set: no wait
    if env.get("PYTHONPYCACHEPREFIX") != str(folder):
        return None
    return subprocess.Popen(
        [sys.executable, "-c", f"import {', '.join(COMMAND_MODULES)}"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings on the bundled content, a tmp database and one staff chat."""
    return load_settings(
        {
            "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.sqlite3'}",
            "IMS_DATA_DIR": str(tmp_path / "data"),
            "STAFF_CHAT_IDS": "-1009999",
            "DATA_ENCRYPTION_KEY": "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=",
        },
        read_dotenv=False,
    )


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file at the latest schema, made once per worker: the databases of the
    fixtures below start as copies of it (`tests.migrated_db`)."""
    path = tmp_path_factory.mktemp("migrated") / "migrated.sqlite3"
    asyncio.run(migrate(path))
    return path


@pytest.fixture
async def runtime(settings: Settings, migrated_database: Path) -> AsyncIterator[Runtime]:
    """A fully assembled runtime (every feature registered) on a real SQLite file."""
    start_from_migrated(migrated_database, settings.database_url)
    built = await build_runtime(settings)
    try:
        yield built
    finally:
        await built.close()


@pytest.fixture
def database_path(tmp_path: Path) -> Path:
    """Where the `database` fixture's SQLite file lives."""
    return tmp_path / "bot.sqlite3"


@pytest.fixture
async def database(database_path: Path, migrated_database: Path) -> AsyncIterator[Database]:
    """A real, migrated SQLite file, closed after the test."""
    start_from_migrated(migrated_database, database_path)
    db = await open_database(f"sqlite+aiosqlite:///{database_path}")
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture(scope="session")
def api_schema() -> BotApiSchema:
    """The Bot API facts the fake Telegram server checks requests against."""
    return BotApiSchema()


@pytest.fixture
def server(api_schema: BotApiSchema) -> Iterator[FakeBotApiServer]:
    """A running fake Bot API server on loopback (for tests that start `ims-bot run`)."""
    fake = FakeBotApiServer(schema=api_schema).start()
    try:
        yield fake
    finally:
        fake.stop()
