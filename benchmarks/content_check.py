"""Process CPU of the full content check (`read_content(quality=True)`), as `ims-bot content
check` runs it: in one process (`--sequential`), or forked as the CLI forks it, with the
CPU of each process's own share (the parent's, and each child's work).

    PYTHONPATH=. python benchmarks/content_check.py [--sequential] [--content DIR]
    python benchmarks/content_check.py --cli [--rounds N]

`--cli` times the command itself (`python -m bot content check`, this tree's bot, on a copy
of the content) cold (an empty IMS_DATA_DIR, as after an upgrade or on CI), warm (its
results kept) and after an edit of faq.yaml, then of emergency.yaml (each redoes the checks
that read the edited file), each with the wall clock and the CPU of the process and its
children, beside `python -c "import yaml"` timed in the same rounds, and prints each as a
ratio to that baseline.

On a shared machine, compare trees in alternating runs: CPU time also moves with the load.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import statistics
import subprocess
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
    parser.add_argument("--cli", action="store_true", help="time the command, cold and warm")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of --cli")
    args = parser.parse_args()
    if args.cli:
        return time_the_command(args.content, args.rounds)
    gc.disable()  # as `ims-bot content check` runs it (bot/cli/content.py)
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


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall clock and CPU (user + system, the process and its children) of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


# Files a clinic edits, and the run after each edit (a comment added: the checks that read
# the file run again, the others' results are reused).
EDITS = {"after a faq.yaml edit": "faq.yaml", "after an emergency.yaml edit": "emergency.yaml"}


def time_the_command(content: Path, rounds: int) -> int:
    """`ims-bot content check` cold, warm and after an edit of each file in EDITS, beside
    `python -c "import yaml"`, `rounds` times in turn; medians, and each as a ratio to the
    baseline."""
    baseline = [sys.executable, "-c", "import yaml"]
    root = Path(__file__).resolve().parents[1]
    names = ["import yaml", "cold", "warm", *EDITS]
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as data, tempfile.TemporaryDirectory() as copy:
            folder = Path(copy) / "content"
            shutil.copytree(content, folder)
            check = [sys.executable, "-m", "bot", "content", "check", "--content", str(folder)]
            env = {**os.environ, "PYTHONPATH": str(root), "IMS_DATA_DIR": data}
            times["import yaml"].append(_timed(baseline, env))
            times["cold"].append(_timed(check, env))
            times["warm"].append(_timed(check, env))
            for name, file in EDITS.items():
                with (folder / file).open("a", encoding="utf-8") as edited:
                    edited.write("# edited\n")
                times[name].append(_timed(check, env))
    base_wall = statistics.median(wall for wall, _ in times["import yaml"])
    base_cpu = statistics.median(cpu for _, cpu in times["import yaml"])
    for name, runs in times.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        walls = ", ".join(f"{w:.2f}" for w, _ in runs)
        print(
            f"{name}: wall {wall:.2f} s (x{wall / base_wall:.1f} import yaml; runs {walls}), "
            f"CPU {cpu:.2f} s (x{cpu / base_cpu:.1f})"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
