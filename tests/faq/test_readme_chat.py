"""The README's chat transcript is what the bot says today: `ims-bot shell` replays it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
SECTION = "## What a chat looks like"
LEFT_OUT = "[...]"
SHELL_TIMEOUT = 300.0  # the shell starts, loads the content and answers every line


def transcript(readme: str) -> tuple[list[str], list[str]]:
    """The patient's lines and the bot's messages of the README's chat transcript."""
    block = readme.split(SECTION, 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    said: list[str] = []
    messages: list[str] = []
    for line in block.splitlines():
        if line.startswith("you> "):
            said.append(line.removeprefix("you> "))
        elif line.startswith("bot> "):
            messages.append(line.removeprefix("bot> "))
        elif line.startswith("     ") and messages:
            messages[-1] += "\n" + line.strip()
    return said, messages


def bot_messages(output: str) -> list[str]:
    """The bot's messages in the shell's text output (each starts with `bot> `)."""
    messages: list[str] = []
    for line in output.splitlines():
        if line.startswith("bot> "):
            messages.append(line.removeprefix("bot> "))
        elif line.startswith("     ") and messages:
            messages[-1] += "\n" + line.strip()
    return messages


def _flat(text: str) -> str:
    return " ".join(text.split())


def matches(shown: str, said: str) -> bool:
    """Whether the README's `shown` message is `said`, with `[...]` standing for any text
    and line breaks for any space."""
    parts = [re.escape(_flat(part)) for part in _flat(shown).split(LEFT_OUT)]
    return re.fullmatch(r"\s*.*?\s*".join(parts), _flat(said), flags=re.DOTALL) is not None


def test_a_left_out_part_stands_for_any_text() -> None:
    assert matches("Hello [...] there", "Hello, lovely\nthere")
    assert not matches("Hello [...] there", "Hello, lovely people")
    assert not matches("Sorry, I don't know", "Does IMS hurt?")


def test_the_readme_chat_is_what_the_bot_says(tmp_path: Path) -> None:
    said, shown = transcript(README.read_text(encoding="utf-8"))
    assert len(said) >= 5 and len(shown) >= len(said)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}
    env.update(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'readme.sqlite3'}",
        IMS_DATA_DIR=str(tmp_path / "data"),
        DATA_ENCRYPTION_KEY="dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktMzJieXQ=",
        PYTHONUNBUFFERED="1",
    )
    finished = subprocess.run(
        [sys.executable, "-m", "bot", "shell"],
        input="\n".join(said) + "\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=SHELL_TIMEOUT,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    replies = bot_messages(finished.stdout)
    assert len(replies) == len(shown), replies
    for readme_message, reply in zip(shown, replies, strict=True):
        assert matches(readme_message, reply), f"README:\n{readme_message}\n\nbot:\n{reply}"
