"""Process CPU of the full content check (`read_content(quality=True)`), as `ims-bot content
check` runs it: in one process (`--sequential`), or forked as the CLI forks it, with the
CPU of each process's own share (the parent's, and each child's work).

    PYTHONPATH=. python benchmarks/content_check.py [--sequential] [--content DIR]

On a shared machine, compare trees in alternating runs: CPU time also moves with the load.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

started = time.process_time()
started_wall = time.perf_counter()

from bot import clinic_content  # noqa: E402 - timed import
from bot.config import BUNDLED_CONTENT_DIR  # noqa: E402

IMPORTS_CPU = time.process_time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequential", action="store_true", help="no child processes")
    parser.add_argument("--content", type=Path, default=BUNDLED_CONTENT_DIR)
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile("r", suffix=".jsonl") as log:
        forked = clinic_content._Forked

        class Timed(forked):  # type: ignore[misc,valid-type]
            """Each forked work also logs its own CPU (children cannot print: no stdout)."""

            def __init__(self, work: Callable[[], Any], *, in_child: bool) -> None:
                def timed() -> Any:
                    start = time.process_time()
                    result = work()
                    with open(log.name, "a", encoding="utf-8") as out:
                        cpu = time.process_time() - start
                        out.write(json.dumps({"pid": os.getpid(), "cpu": cpu}) + "\n")
                    return result

                super().__init__(timed, in_child=in_child)

        clinic_content._Forked = Timed  # type: ignore[misc]
        start = time.process_time()
        content, problems = clinic_content.read_content(
            args.content, quality=True, parallel=not args.sequential
        )
        parent = time.process_time() - start
        shares = [json.loads(line) for line in Path(log.name).read_text().splitlines()]
    children = [share for share in shares if share["pid"] != os.getpid()]
    print(f"problems: {len(problems)}; content {'OK' if content else 'with problems'}")
    print(f"imports: {IMPORTS_CPU:.2f} s CPU")
    print(f"parent after imports: {parent:.2f} s CPU")
    for share in children:
        print(f"child {share['pid']}: {share['cpu']:.2f} s CPU")
    children_cpu = os.times().children_user + os.times().children_system
    print(f"children in all: {children_cpu:.2f} s CPU")
    print(f"wall: {time.perf_counter() - started_wall:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
