"""Files that hold secrets or health information: made the owner's alone from the moment
they exist (never world-readable, even briefly), and never written over."""

from __future__ import annotations

import os
from pathlib import Path

OWNER_ONLY = 0o600


def create_private_file(path: Path) -> int:
    """Create `path` as a new file only its owner may read and write; its descriptor, open
    for writing. FileExistsError when it exists (other OSErrors as the system gives them)."""
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY)


def write_private_file(path: Path, data: bytes) -> None:
    """`data` in a new owner-only file at `path` (see `create_private_file`)."""
    with os.fdopen(create_private_file(path), "wb") as handle:
        handle.write(data)
