"""Logging for the bot process: one format, quiet HTTP libraries, and no secrets.

The Telegram token is part of every Bot API URL, so any library that logs a URL would
leak it. `TokenRedactingFilter` masks it in every record that reaches a root handler,
whoever logged it. `PatientTextGuard` drops the DEBUG records of libraries that quote
updates and requests. `describe_exception` gives the traceback of a failure as evidence
while withholding exception messages that could quote what a patient wrote.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import Any

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
REDACTED = "<redacted>"
# Libraries that log every request URL (with the token in it) at INFO.
NOISY_HTTP_LOGGERS = ("httpx", "httpcore")
# PTB logs whole updates and request parameters (patient text) at DEBUG: never go below INFO.
PATIENT_TEXT_DEBUG_LOGGERS = ("telegram",)
# Libraries whose records below INFO can quote what a patient wrote or was sent (PTB's
# updates and request parameters, the HTTP clients' requests, aiosqlite's SQL parameters):
# the handlers drop them, whatever level one of their loggers was set to.
BELOW_INFO_WITHHELD = ("telegram", "httpx", "httpcore", "aiosqlite")
# A bot token as BotFather issues it, wherever it appears (also inside `bot<token>` URLs).
TOKEN_PATTERN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# Exceptions from these libraries describe requests and connections, not what a patient
# wrote, so their messages are kept (the token filter masks the URLs in them).
MESSAGE_SAFE_LIBRARIES = frozenset({"telegram", "httpx", "httpcore"})
WITHHELD = "<message withheld: it may quote patient text>"


class TokenRedactingFilter(logging.Filter):
    """Masks the given tokens, and anything shaped like a bot token, in a log record."""

    def __init__(self, tokens: Iterable[str | None] = ()) -> None:
        super().__init__()
        self._tokens = sorted({t for t in tokens if t}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """`text` with every known token and token-shaped string masked."""
        for token in self._tokens:
            text = text.replace(token, REDACTED)
        return TOKEN_PATTERN.sub(REDACTED, text)

    def _redact_value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.redact(value)
        if isinstance(value, int | float | bool) or value is None:
            return value
        # Objects (URLs, exceptions) are formatted now so their text can be checked.
        return self.redact(str(value))

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message, arguments and exception text; never drop it."""
        if isinstance(record.msg, str):
            record.msg = self.redact(record.msg)
        else:
            record.msg = self.redact(str(record.msg))
        if isinstance(record.args, dict):
            record.args = {key: self._redact_value(val) for key, val in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(self._redact_value(arg) for arg in record.args)
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # Format the traceback once, redacted; handlers reuse exc_text.
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        return True


class PatientTextGuard(logging.Filter):
    """Drops the DEBUG records of the libraries in `BELOW_INFO_WITHHELD` (and their child
    loggers): a logger turned up to DEBUG by a library or by hand still cannot put
    patient text in the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a record below INFO from one of those libraries."""
        library = record.name.partition(".")[0]
        return record.levelno >= logging.INFO or library not in BELOW_INFO_WITHHELD


def _safe_message(error: BaseException) -> str:
    library = type(error).__module__.partition(".")[0]
    if library in MESSAGE_SAFE_LIBRARIES or (isinstance(error, OSError) and library == "builtins"):
        return str(error)
    # Any other message (ours, the database's with its bound parameters, a parser's)
    # can quote an answer or a question, so only the type and the frames are logged.
    return WITHHELD


def describe_exception(error: BaseException) -> str:
    """The traceback of `error` and its causes: frames and types, messages only when safe."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not seen for seen in chain):
        chain.append(current)
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    parts: list[str] = []
    for index, item in enumerate(reversed(chain)):
        if index:
            parts.append("\nwhich led to:\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_tb(item.__traceback__))
        name = f"{type(item).__module__}.{type(item).__qualname__}".removeprefix("builtins.")
        parts.append(f"{name}: {_safe_message(item)}\n")
    return "".join(parts).rstrip("\n")


def install_log_filters(tokens: Iterable[str | None]) -> TokenRedactingFilter:
    """Add a `PatientTextGuard` and one `TokenRedactingFilter` to every root handler (and
    return the token filter)."""
    token_filter = TokenRedactingFilter(tokens)
    guard = PatientTextGuard()
    for handler in logging.getLogger().handlers:
        handler.addFilter(guard)
        handler.addFilter(token_filter)
    return token_filter


def install_redacting_excepthooks(token_filter: TokenRedactingFilter) -> None:
    """Uncaught exceptions (main thread and other threads) print with the token masked."""

    def print_redacted(
        kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        text = "".join(traceback.format_exception(kind, error, tb))
        sys.stderr.write(token_filter.redact(text))

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            print_redacted(args.exc_type, args.exc_value, args.exc_traceback)

    sys.excepthook = print_redacted
    threading.excepthook = thread_hook


def configure_logging(level: str = "INFO", tokens: Iterable[str | None] = ()) -> None:
    """Root logging to stderr: token redaction, quiet HTTP loggers, PTB never at DEBUG."""
    logging.basicConfig(level=level, format=LOG_FORMAT, force=True)
    # A handler that cannot write (closed pipe) would otherwise print the exception being
    # handled, unfiltered, to stderr: that exception's message may hold the token or
    # patient text.
    logging.raiseExceptions = False
    for name in NOISY_HTTP_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in PATIENT_TEXT_DEBUG_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(level)))
    install_redacting_excepthooks(install_log_filters(tokens))
