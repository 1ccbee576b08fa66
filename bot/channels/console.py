"""The console channel: chat with the bot in a terminal, or drive it from a program.

Buttons show as numbered options and are chosen by number or label. When standard
input is not a terminal, each line is one message, answered as soon as it arrives;
with `json_mode` every bot message is one JSON line `{"text", "buttons": [...]}`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sys
import termios
import threading
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import TextIO

from bot.core.assistant import ChatRef
from bot.core.features import PeriodicJob
from bot.core.outbound import ChannelUnavailable, DeliveryKind
from bot.core.replies import Audience, Button, Reply
from bot.logging_setup import describe_exception
from bot.runtime import Runtime

logger = logging.getLogger(__name__)

CONSOLE_CHAT_ID = 1  # the one person at the keyboard
QUIT_WORDS = frozenset({"/quit", "/exit", ":q"})
PROMPT = "you> "


@dataclass
class ConsoleOutput:
    """Writes bot messages as readable text or as JSON lines, flushed at once."""

    stream: TextIO
    json_mode: bool
    last_buttons: tuple[Button, ...] = ()
    typed_answer: bool = False  # the last question wants typed text: digits are not buttons

    def begin_batch(self) -> None:
        """Start the replies to one message: choices are numbered afresh from 1."""
        self.last_buttons = ()
        self.typed_answer = False

    def show(self, reply: Reply) -> None:
        """Print one message; its buttons continue the batch's numbering."""
        if self.json_mode:
            record: dict[str, object] = {
                "text": reply.text,
                "buttons": [button.label for button in reply.buttons if button.url is None],
            }
            if reply.title:
                record["title"] = reply.title
            if reply.safety_tier:
                # What the reply is, for tools: its title is in the patient's language.
                record["kind"] = reply.safety_tier
            if reply.for_staff:
                record["to"] = "staff"
            if any(button.url for button in reply.buttons):
                record["links"] = {b.label: b.url for b in reply.buttons if b.url}
            self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            self.stream.write(self._render_text(reply, first_number=len(self.last_buttons) + 1))
        self.stream.flush()
        if not reply.for_staff:
            self.last_buttons += tuple(b for b in reply.buttons if b.url is None)
            self.typed_answer = reply.typed_answer

    @staticmethod
    def _render_text(reply: Reply, first_number: int) -> str:
        marker = "[to staff] " if reply.for_staff else ""
        body = [reply.title.upper()] if reply.title else []
        body.extend(reply.text.splitlines() or [""])
        lines = [f"bot> {marker}{body[0]}", *(f"     {line}" for line in body[1:])]
        number = first_number
        for button in reply.buttons:
            if button.url:
                lines.append(f"     [link] {button.label} -> {button.url}")
            elif reply.typed_answer:  # typed digits are the answer here: type the name
                lines.append(f"     [{button.label}]")
            else:
                lines.append(f"     [{number}] {button.label}")
                number += 1
        return "\n".join(lines) + "\n\n"


@dataclass
class ConsoleOutbound:
    """Outbound messages (reminders, staff notes) printed into the console chat.

    It reaches the console's chat only: on a clinic's database, reminders owed to
    patients' Telegram chats (and staff notes about them) stay for the bot to send."""

    output: ConsoleOutput
    chat_id: int = CONSOLE_CHAT_ID
    sent: int = field(default=0)

    @property
    def only_chat(self) -> int:
        """The console's chat: senders never hand this outbound anyone else's message."""
        return self.chat_id

    async def send(
        self, chat_id: int, reply: Reply, kind: DeliveryKind = DeliveryKind.REMINDER
    ) -> int | None:
        """Show a pushed message for the console chat; refuse any other chat's."""
        if chat_id != self.chat_id:
            # Never report another chat's message as delivered: it goes back to wait for
            # the bot, which reaches that chat.
            raise ChannelUnavailable("the console reaches only its own chat")
        self.output.show(reply)
        self.sent += 1
        return self.sent

    async def send_to_staff(self, reply: Reply) -> None:
        """The console user is the clinic's operator too: show staff notes marked."""
        self.output.show(replace(reply, audience=Audience.STAFF))


def _plain_label(text: str) -> str:
    """A label as a person types it: no symbols (✔ « ✅), case and spacing ignored."""
    kept = (
        " " if unicodedata.category(char) in ("So", "Sk", "Pi", "Pf") else char for char in text
    )
    return " ".join("".join(kept).casefold().split())


def choose_button(text: str, buttons: tuple[Button, ...]) -> Button | None:
    """The button `text` picks: by label (case-insensitive, symbols optional), else by
    number ("2").

    The label wins so that "8" on a 0-10 scale means the button labelled 8, not the
    eighth button.
    """
    wanted = _plain_label(text)
    for button in buttons:
        if _plain_label(button.label) == wanted:
            return button
    if wanted.isdigit():
        index = int(wanted) - 1
        return buttons[index] if 0 <= index < len(buttons) else None
    return None


def is_command(text: str) -> bool:
    """Whether a typed line is a command as Telegram reads one: a slash and at once a
    letter, digit or underscore ("/help", not "/" or "/ my chest hurts")."""
    return len(text) > 1 and text[0] == "/" and (text[1].isalnum() or text[1] == "_")


class ConsoleChannel:
    """Reads messages, asks the assistant, prints replies; runs periodic jobs alongside."""

    def __init__(
        self,
        runtime: Runtime,
        output: ConsoleOutput,
        chat: ChatRef,
        read_line: Callable[[], Awaitable[str | None]],
        interactive: bool,
    ) -> None:
        self._runtime = runtime
        self._output = output
        self._chat = chat
        self._read_line = read_line
        self._interactive = interactive
        self.outbound = ConsoleOutbound(output)

    async def handle_line(self, line: str) -> None:
        """Turn one typed line into a command, a button choice or free text."""
        assistant = self._runtime.assistant
        text = line.strip()
        if not text:
            return
        if is_command(text):
            name, *args = text[1:].split()
            replies = await assistant.handle_command(self._chat, name, args)
        elif self._output.typed_answer:
            # A question that wants typed text: what was typed is the answer.
            replies = await assistant.handle_text(self._chat, text)
        elif (button := choose_button(text, self._output.last_buttons)) is not None:
            replies = await assistant.handle_action(self._chat, button.action)
        else:
            replies = await assistant.handle_text(self._chat, text)
        await self._show(replies)

    async def _show(self, replies: list[Reply]) -> None:
        if any(not reply.for_staff for reply in replies):
            self._output.begin_batch()
        for reply in replies:
            if reply.for_staff:
                await self.outbound.send_to_staff(reply)
            else:
                self._output.show(reply)

    async def _run_job(self, job: PeriodicJob) -> None:
        while True:
            try:
                await job.run(self.outbound)
            except Exception as error:  # a failing job must not end the chat
                logger.error("periodic job %s failed:\n%s", job.name, describe_exception(error))
            await asyncio.sleep(job.interval.total_seconds())

    async def run(self) -> None:
        """Chat until end of input or a quit word."""
        for startup in self._runtime.startup:
            await startup(self.outbound)
        jobs = [asyncio.create_task(self._run_job(job)) for job in self._runtime.jobs]
        try:
            if self._interactive:
                await self.handle_line("/start")
            while True:
                line = await self._read_line()
                if line is None or line.strip().lower() in QUIT_WORDS:
                    break
                try:
                    await self.handle_line(line)
                except BrokenPipeError:
                    raise  # the reader went away (`| head -1`): stop reading, `main` exits 141
                except Exception as error:  # never crash on what a person typed
                    logger.error(
                        "console: could not handle a message:\n%s", describe_exception(error)
                    )
                    self._output.show(self._runtime.assistant.went_wrong_reply(self._chat))
        finally:
            for task in jobs:
                task.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)


def stdin_reader(interactive: bool) -> Callable[[], Awaitable[str | None]]:
    """Read one line from standard input without blocking the event loop."""

    def read() -> str | None:
        if interactive:
            try:
                return input(PROMPT)
            except EOFError:
                return None
        line = sys.stdin.readline()
        return line if line else None

    async def read_async() -> str | None:
        # A daemon thread of its own, not the loop's executor: the executor is joined when
        # the loop closes, so Ctrl-C waited for a line that might never come.
        loop = asyncio.get_running_loop()
        line: asyncio.Future[str | None] = loop.create_future()

        def settle(result: str | None, error: BaseException | None) -> None:
            if line.done():  # the reader was cancelled (Ctrl-C) meanwhile
                return
            if error is not None:
                line.set_exception(error)
            else:
                line.set_result(result)

        def work() -> None:
            try:
                result, error = read(), None
            except Exception as raised:  # handed to the reader, raised there
                result, error = None, raised
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody waits
                loop.call_soon_threadsafe(settle, result, error)

        threading.Thread(target=work, name="console-input", daemon=True).start()
        return await line

    return read_async


async def run_console(runtime: Runtime, *, json_mode: bool, as_staff: bool) -> None:
    """Run the console chat on standard input and output."""
    interactive = sys.stdin.isatty() and not json_mode
    output = ConsoleOutput(sys.stdout, json_mode)
    chat = ChatRef(chat_id=CONSOLE_CHAT_ID, is_staff=as_staff, first_name=None)
    channel = ConsoleChannel(runtime, output, chat, stdin_reader(interactive), interactive)
    # Ctrl-C may stop the chat inside the line editor, which leaves the terminal as it set it.
    saved = termios.tcgetattr(sys.stdin) if interactive else None
    try:
        await channel.run()
    finally:
        if saved is not None:
            termios.tcsetattr(sys.stdin, termios.TCSADRAIN, saved)
