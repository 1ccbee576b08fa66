"""What each `ims-bot` process costs to start, as a ratio to a bare `import telegram` timed in
the same rounds.

    python benchmarks/startup.py [--rounds N] [--only NAME ...]

Each round starts, in turn: the baseline (`python -c "import telegram"`), `ims-bot --help`,
`ims-bot content check` (its results kept, as after the first check), `ims-bot shell` on an
empty data folder (cold: a first start, or the first after an upgrade) and again on the same
folder (warm: every other start), `ims-bot run` with a token Telegram rejects (until it
exits saying so), `ims-bot run` until it polls the fake Bot API server and `ims-bot web`
until it answers a page (both after an earlier start on the same data folder, each then
stopped with SIGINT, so these include stopping). CPU is
the process's own (user + system, with any children it waited for); the medians of the
rounds are printed, each as a ratio to the baseline's.

On a shared machine CPU time moves with the load too: compare trees in alternating runs.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.bot_api_server import FakeBotApiServer  # noqa: E402
from tests.process_env import console_settings, process_env  # noqa: E402

TOKEN = "123456:startup-benchmark-token-abcdefghij"
REJECTED = "999999:the-real-token-is-different-abcdefgh"
WAIT_S = 300.0
BOT = [sys.executable, "-m", "bot"]


class Started:
    """One process: its wall clock and CPU, from start until it ended."""

    def __init__(
        self,
        command: list[str],
        env: dict[str, str],
        cwd: Path,
        *,
        stdin: str = "",
        ready: Callable[[subprocess.Popen[bytes]], None] | None = None,
    ) -> None:
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert process.stdin is not None
        if ready is None:
            process.stdin.write(stdin.encode())
            process.stdin.close()
        else:
            ready(process)  # waits for the process to serve, then stops it
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        self.wall = time.perf_counter() - start
        self.cpu = usage.ru_utime + usage.ru_stime
        self.code = process.returncode


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _until_polling(server: FakeBotApiServer) -> Callable[[subprocess.Popen[bytes]], None]:
    def ready(process: subprocess.Popen[bytes]) -> None:
        if not server.wait_until_polling(WAIT_S):
            raise RuntimeError("the bot never polled")
        process.send_signal(signal.SIGINT)

    return ready


def _until_serving(port: int) -> Callable[[subprocess.Popen[bytes]], None]:
    """Until the console answers a page (its socket listens before it can)."""

    def ready(process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline and process.poll() is None:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5).close()
            except urllib.error.HTTPError:
                break  # an answer, if not a page
            except OSError:
                time.sleep(0.05)
            else:
                break
        else:
            if process.poll() is None:
                raise RuntimeError("the console never answered")
            return  # it ended by itself: its exit code says why
        process.send_signal(signal.SIGINT)

    return ready


def one_round(folder: Path, wanted: set[str] | None) -> dict[str, Started]:
    """Every command once, each in its own part of `folder`."""
    started: dict[str, Started] = {}

    def timed(name: str, make: Callable[[Path], Started]) -> None:
        if wanted is None or name in wanted or name == "import telegram":
            place = folder / name.replace(" ", "-")
            place.mkdir(exist_ok=True)
            started[name] = make(place)

    def env(place: Path, **settings: str) -> dict[str, str]:
        return process_env(place, **{"SEMANTIC_MATCHING": "off", **settings})

    # The places that two starts share (a warm start after the one that kept its results).
    warm_check, shell, bot = folder / "content-check", folder / "shell", folder / "run"
    for place in (warm_check, shell, bot):
        place.mkdir()
    timed(
        "import telegram",
        lambda place: Started([sys.executable, "-c", "import telegram"], env(place), place),
    )
    timed("--help", lambda place: Started([*BOT, "--help"], env(place), place))
    if wanted is None or "content check" in wanted:
        Started([*BOT, "content", "check"], env(warm_check), warm_check)  # keeps its results
    timed(
        "content check", lambda _: Started([*BOT, "content", "check"], env(warm_check), warm_check)
    )
    timed("shell cold", lambda _: Started([*BOT, "shell"], env(shell), shell))
    timed("shell", lambda _: Started([*BOT, "shell"], env(shell), shell))
    with FakeBotApiServer(token=TOKEN) as server:
        settings = {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": server.base_url}
        if wanted is None or {"run", "web"} & wanted:
            Started([*BOT, "shell"], env(bot, **settings), bot)  # an earlier start's data
        timed(
            "run",
            lambda _: Started(
                [*BOT, "run"], env(bot, **settings), bot, ready=_until_polling(server)
            ),
        )
        rejected = {**settings, "TELEGRAM_BOT_TOKEN": REJECTED}
        timed("run, token rejected", lambda p: Started([*BOT, "run"], env(p, **rejected), p))
    port = _free_port()
    timed(
        "web",
        lambda _: Started(
            [*BOT, "web"], env(bot, **console_settings(port)), bot, ready=_until_serving(port)
        ),
    )
    return started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="*", help="time only these commands (and the baseline)")
    args = parser.parse_args()
    rounds: list[dict[str, Started]] = []
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as folder:
            rounds.append(one_round(Path(folder), set(args.only) if args.only else None))
    base_cpu = statistics.median(r["import telegram"].cpu for r in rounds)
    base_wall = statistics.median(r["import telegram"].wall for r in rounds)
    print(f"{'command':<22}{'CPU s':>8}{'x base':>8}{'wall s':>8}{'x base':>8}  exit codes")
    for name in rounds[0]:
        cpu = statistics.median(r[name].cpu for r in rounds)
        wall = statistics.median(r[name].wall for r in rounds)
        codes = ",".join(str(r[name].code) for r in rounds)
        print(
            f"{name:<22}{cpu:>8.2f}{cpu / base_cpu:>8.1f}{wall:>8.2f}{wall / base_wall:>8.1f}"
            f"  {codes}"
        )
    print(f"{args.rounds} rounds; load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
