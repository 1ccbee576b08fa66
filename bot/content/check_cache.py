"""The content check's slow results kept on disk, so an unchanged check is not redone.

Most of `ims-bot content check`'s time goes on screening every example of the emergency
and urgent rules (and every FAQ phrasing) through the live screen, and on matching every
phrasing against the rest of the FAQ. Each of those results is stored under a hash of
everything that decides it: the bytes of the content files it reads, every file of the
`bot` package (code, rules of thumb and model weights: a changed rule, model or matcher
checks again), the Python and library versions, and the folder's place. A result is only
ever reused for identical inputs; one with problems only in the working folder it was found
in (problems name their file relative to it).

The bot's start-up keeps the content it read there too (`get_built`/`put_built`): the
parsed files with the screen's compiled rules, pickled, under the same kind of key, so a
restart on unchanged content and code loads them in a fraction of the time it takes to
read and compile them. Pickles are only ever read from this folder, which the bot alone
writes and which also holds its database and encryption key, and only from a file of the
bot's own account that no other account may write (they are written 0600).

Only clinic content is stored, never a patient's message. The store lives where the bot
keeps its files (IMS_DATA_DIR); a folder that cannot be written (a clinic may run the
check read-only) only means the check is done in full every time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import sys
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path

from bot.content.problems import Problem

FOLDER_NAME = "content-check"
SUFFIX = ".json"
BUILT_SUFFIX = ".pickle"
# Each check and each recent version of the content has its own file (a few KB each; a
# built content a few MB).
FILES_KEPT = 24
BUILT_KEPT = 4
# Libraries whose behaviour decides a screen's or the matcher's verdict.
DECIDING_LIBRARIES = (
    "numpy",
    "rapidfuzz",
    "PyYAML",
    "snowballstemmer",
    "PyStemmer",
    "pyspellchecker",
    "py3langid",
)
PACKAGE_DIR = Path(__file__).resolve().parent.parent


@cache
def code_fingerprint() -> str:
    """A hash of every file in the `bot` package and of the deciding libraries' versions."""
    digest = hashlib.sha256(sys.version.encode())
    for name in DECIDING_LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"\0{name}={version}".encode())
    files = (
        path
        for path in PACKAGE_DIR.rglob("*")
        if "__pycache__" not in path.parts and path.is_file()
    )
    for path in sorted(files):
        data = path.read_bytes()
        name = path.relative_to(PACKAGE_DIR).as_posix()
        digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


class ContentCheckCache:
    """Problems found by a slow check, keyed by everything that decides them."""

    def __init__(self, data_dir: Path, code: str | None = None) -> None:
        self.folder = data_dir / FOLDER_NAME
        # The code's fingerprint (tests give their own to stand for changed code).
        self._code = code

    def key(self, check: str, content_dir: Path, files: Sequence[str]) -> str:
        """The key of `check` run on `files` of `content_dir` by this code."""
        code = self._code if self._code is not None else code_fingerprint()
        digest = hashlib.sha256("\0".join((check, code, str(content_dir.resolve()))).encode())
        for name in files:
            try:
                data = (content_dir / name).read_bytes()
            except OSError:
                digest.update(f"\0{name}\0absent".encode())
            else:
                digest.update(f"\0{name}\0{len(data)}\0".encode() + data)
        return digest.hexdigest()

    def _path(self, key: str, suffix: str = SUFFIX) -> Path:
        return self.folder / f"{key[:40]}{suffix}"

    def get_built(self, key: str) -> object | None:
        """What `put_built` kept under `key`; None when nothing is (or it is unreadable)."""
        path = self._path(key, BUILT_SUFFIX)
        if not _written_by_us_alone(path):
            return None
        try:
            with path.open("rb") as stored:
                found_key, built = pickle.load(stored)
        except Exception:  # missing, damaged or from another version: build it again
            return None
        if found_key != key:
            return None
        with contextlib.suppress(OSError):
            os.utime(path)
        found: object = built
        return found

    def put_built(self, key: str, built: object) -> None:
        """Keep `built` (pickled) under `key`, where the folder can be written."""
        try:
            data = pickle.dumps((key, built), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # not picklable: the next start builds it again, as before
            return
        self._write(self._path(key, BUILT_SUFFIX), data, private=True)
        self._prune(BUILT_SUFFIX, BUILT_KEPT)

    def get(self, key: str) -> list[Problem] | None:
        """The problems stored under `key`; None when there are none (or they are unreadable)."""
        path = self._path(key)
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            if stored["key"] != key:
                return None
            if stored["problems"] and stored["cwd"] != str(Path.cwd()):
                return None  # its problems name their files from another folder
            problems = [
                Problem(str(file), int(line), str(message))
                for file, line, message in stored["problems"]
            ]
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing, damaged or from another version: check again
        with contextlib.suppress(OSError):  # a read-only folder: the result still reads
            os.utime(path)
        return problems

    def put(self, key: str, problems: Sequence[Problem]) -> None:
        """Keep `problems` under `key`, where the folder can be written."""
        path = self._path(key)
        stored = {
            "key": key,
            "cwd": str(Path.cwd()),
            "problems": [[p.file, p.line, p.message] for p in problems],
        }
        self._write(path, json.dumps(stored, ensure_ascii=False).encode())
        self._prune(SUFFIX, FILES_KEPT)

    def _write(self, path: Path, data: bytes, private: bool = False) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.partial")
            partial.write_bytes(data)
            if private:
                partial.chmod(0o600)
            partial.replace(path)  # readers never see half a file
        except OSError:
            pass  # read-only or full: the next check is done in full again

    def _prune(self, suffix: str, kept: int) -> None:
        used: list[tuple[float, Path]] = []
        with contextlib.suppress(OSError):
            for found in self.folder.glob(f"*{suffix}"):
                with contextlib.suppress(FileNotFoundError):  # another process removed it
                    used.append((found.stat().st_mtime, found))
        for _, stale in sorted(used, reverse=True)[kept:]:
            with contextlib.suppress(OSError):
                stale.unlink(missing_ok=True)


def _written_by_us_alone(path: Path) -> bool:
    """Whether `path` is ours and nobody else may write it: unpickling runs code, so a
    built content is loaded only from a file no other account could have put there."""
    try:
        status = path.stat()
    except OSError:
        return False
    if not hasattr(os, "getuid"):  # Windows: the data folder's own permissions protect it
        return True
    return status.st_uid == os.getuid() and not status.st_mode & 0o022
