"""A fake Telegram Bot API server on loopback: "our Telegram" for end-to-end tests.

It is a real HTTP server (stdlib, one thread per request) serving `/bot<token>/<method>`
the way api.telegram.org does, so the bot under test runs unmodified with
`TELEGRAM_API_BASE_URL=server.base_url`.

Test side, in short::

    with FakeBotApiServer() as server:
        ...start the bot with TELEGRAM_API_BASE_URL=server.base_url...
        server.push_command(42, "start")
        reply = server.wait_for("sendMessage", lambda r: r.chat_id == 42)
        assert server.violations == []

- `push_message`, `push_command`, `push_callback`, `push_non_text`, `push_update` queue
  updates that `getUpdates` hands out with real long-poll semantics (`offset` confirms
  and drops earlier updates, `timeout` waits for the next update, `limit`,
  `allowed_updates` remembered between calls as Telegram does).
- Every request is checked against the published Bot API schema (see `api_schema`);
  problems are kept in `violations` and answered with HTTP 400 like Telegram's.
- `requests` records every call; `wait_for` blocks until a matching one arrives.
- `fail_next` injects errors (403, 429 with retry_after, 400...), `delay_next` answers
  late (longer than the client's read timeout looks like a timeout while the message
  is still delivered), `block_chat` makes every send to a chat fail with 403,
  `drop_next` closes the connection without an answer (a reset), and
  `refuse_connections` stops listening for a while (connection refused), then serves
  again on the same port.
"""

from __future__ import annotations

import itertools
import json
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as default_email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.api_schema import BotApiSchema, parse_html
from tests.process_env import HANG_S

BOT_USER_ID = 123456
BOT_USERNAME = "ims_test_bot"
BOT_FIRST_NAME = "IMS Test Clinic"
DEFAULT_WAIT_S = HANG_S
MAX_LONG_POLL_S = 50.0  # Telegram caps long polling; keeps a stuck test bounded
MAX_UPDATES_PER_CALL = 100
SHUTDOWN_POLL_S = 0.05  # how quickly stop() is noticed by the serving thread
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply "
    "markup are exactly the same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
DROPPED = 0  # an injected "status" meaning: close the connection without answering
NON_TEXT_KINDS = ("photo", "sticker", "voice", "video", "document", "location", "contact")

Predicate = Callable[["RecordedRequest"], bool]


@dataclass
class RecordedRequest:
    """One Bot API call the bot made, as the server understood it."""

    method: str
    params: dict[str, Any]  # decoded: numbers typed, JSON objects parsed
    status: int = 200
    result: Any = None  # what the server answered (None for errors)
    description: str | None = None  # the error description for non-200 answers
    problems: list[str] = field(default_factory=list)
    at: float = field(default_factory=time.monotonic)  # when the server received it

    @property
    def chat_id(self) -> int | None:
        """The target chat (None when the method has none or it is not numeric)."""
        value = self.params.get("chat_id")
        return value if isinstance(value, int) else None

    @property
    def text(self) -> str:
        """The `text` (or `caption`) parameter as sent, markup included."""
        return str(self.params.get("text", self.params.get("caption", "")))

    @property
    def visible_text(self) -> str:
        """The text as the patient sees it: tags removed, entities decoded."""
        return parse_html(self.text)[0]

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Inline buttons in order, one dict per button."""
        markup = self.params.get("reply_markup") or {}
        if not isinstance(markup, dict):
            return []
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    @property
    def ok(self) -> bool:
        """Whether the server answered with success."""
        return self.status == 200


@dataclass(frozen=True)
class Violation:
    """A request Telegram would have rejected."""

    method: str
    problems: tuple[str, ...]


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None
    remaining: int
    delay: float = 0.0


RANDOM_FAULTS = (
    _Failure(429, "Too Many Requests: retry after 1", 1, 1),
    _Failure(500, "Internal Server Error", None, 1),
    _Failure(502, "Bad Gateway", None, 1),
    _Failure(DROPPED, "", None, 1),
)


def user_dict(user_id: int, first_name: str = "Alex") -> dict[str, Any]:
    """A Telegram User object for a patient."""
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


class FakeBotApiServer:
    """A loopback Bot API server with a test-side API; see the module docstring."""

    def __init__(self, token: str | None = None, schema: BotApiSchema | None = None) -> None:
        self.token = token  # None: accept any token
        self.schema = schema if schema is not None else BotApiSchema()
        self.requests: list[RecordedRequest] = []
        self.violations: list[Violation] = []
        self.commands: dict[str, list[dict[str, Any]]] = {}  # scope JSON -> commands
        self._cond = threading.Condition()
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._allowed_updates: list[str] | None = None
        self._failures: dict[str, list[_Failure]] = {}
        self._blocked: set[int] = set()
        self._polls_started = 0
        self._stopping = False
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._refusing_until = 0.0
        self._refusals = 0
        self._random_failures: dict[str, tuple[float, random.Random]] = {}
        self._bound_port = 0

    # --- lifecycle ---------------------------------------------------------------------

    def start(self) -> FakeBotApiServer:
        """Listen on 127.0.0.1 at a free port, serving from a background thread."""
        handler = type("BoundHandler", (_RequestHandler,), {"fake": self})
        self._httpd = _QuietServer(("127.0.0.1", self._bound_port), handler)
        self._bound_port = int(self._httpd.server_address[1])
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_S}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Wake long polls and stop serving."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def refuse_connections(self, seconds: float) -> None:
        """Stop listening for `seconds` (new connections are refused, open ones are cut),
        then listen again on the same port. Returns at once."""
        with self._cond:
            self._refusing_until = time.monotonic() + seconds
            self._refusals += 1
            refusal = self._refusals
            self._cond.notify_all()  # long polls answer now, and their connections are cut
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

        def come_back() -> None:
            time.sleep(seconds)
            if not self._stopping and refusal == self._refusals:
                self.start()

        threading.Thread(target=come_back, daemon=True).start()

    def accept_connections(self) -> None:
        """End a refuse_connections period now."""
        with self._cond:
            self._refusing_until = 0.0
            self._refusals += 1
        self.start()

    @property
    def refusing(self) -> bool:
        """Whether the server is in a refuse_connections period."""
        return time.monotonic() < self._refusing_until

    def drop_next(self, method: str, count: int = 1) -> None:
        """Close the connection of the next `count` calls to `method` without answering."""
        with self._cond:
            self._failures.setdefault(method, []).append(_Failure(0, "", None, count))

    def __enter__(self) -> FakeBotApiServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The port the server listens on (the same across refuse_connections)."""
        assert self._bound_port, "server not started"
        return self._bound_port

    @property
    def base_url(self) -> str:
        """Value for TELEGRAM_API_BASE_URL / PTB's base_url (the token is appended)."""
        return f"http://127.0.0.1:{self.port}/bot"

    # --- updates from "patients" -------------------------------------------------------

    def push_update(self, payload: dict[str, Any]) -> int:
        """Queue a raw update (without update_id); returns its update_id."""
        with self._cond:
            update_id = next(self._update_ids)
            self._updates.append({"update_id": update_id, **payload})
            self._cond.notify_all()
        return update_id

    def _chat(self, chat_id: int, chat_type: str, user: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            if chat_type == "private":
                chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            else:
                chat = {"id": chat_id, "type": chat_type, "title": f"Chat {chat_id}"}
            self._chats[chat_id] = chat
            return chat

    def _new_message(
        self, chat_id: int, user: dict[str, Any] | None, chat_type: str, **content: Any
    ) -> dict[str, Any]:
        user = user or user_dict(abs(chat_id))
        return {
            "message_id": self._next_message_id(chat_id),
            "from": user,
            "chat": self._chat(chat_id, chat_type, user),
            "date": int(time.time()),
            **content,
        }

    def push_message(
        self,
        chat_id: int,
        text: str,
        user: dict[str, Any] | None = None,
        chat_type: str = "private",
        reply_to: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A patient types `text` in `chat_id` (as a reply to the Message `reply_to`, e.g.
        one the bot sent: see `message`); returns the Message pushed."""
        extra = {"reply_to_message": reply_to} if reply_to is not None else {}
        message = self._new_message(chat_id, user, chat_type, text=text, **extra)
        if text.startswith("/"):
            command_length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": command_length}]
        self.push_update({"message": message})
        return message

    def push_edit(self, message: dict[str, Any], text: str) -> dict[str, Any]:
        """The patient edits `message` (one pushed before) to read `text`."""
        edited = {**message, "text": text, "edit_date": int(time.time())}
        edited.pop("entities", None)
        self.push_update({"edited_message": edited})
        return edited

    def push_command(
        self,
        chat_id: int,
        command: str,
        args: Sequence[str] = (),
        user: dict[str, Any] | None = None,
        chat_type: str = "private",
    ) -> dict[str, Any]:
        """A patient sends `/command arg…` (command given without the slash)."""
        text = " ".join([f"/{command}", *args])
        return self.push_message(chat_id, text, user=user, chat_type=chat_type)

    def push_non_text(
        self,
        chat_id: int,
        kind: str = "photo",
        user: dict[str, Any] | None = None,
        chat_type: str = "private",
        caption: str | None = None,
    ) -> dict[str, Any]:
        """A patient sends a photo, sticker, voice note, video, document, location or contact
        (with a `caption`, as a photo may have)."""
        file = {"file_id": f"file-{kind}", "file_unique_id": f"u-{kind}"}
        contents: dict[str, Any] = {
            "photo": [{**file, "width": 640, "height": 480, "file_size": 5120}],
            "sticker": {
                **file,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            },
            "voice": {**file, "duration": 3},
            "video": {**file, "width": 640, "height": 480, "duration": 3},
            "document": {**file, "file_name": "scan.pdf"},
            "location": {"latitude": 43.65, "longitude": -79.38},
            "contact": {"phone_number": "+15555550100", "first_name": "Alex"},
        }
        if kind not in contents:
            raise ValueError(f"kind must be one of {NON_TEXT_KINDS}")
        captioned = {"caption": caption} if caption is not None else {}
        message = self._new_message(chat_id, user, chat_type, **{kind: contents[kind]}, **captioned)
        self.push_update({"message": message})
        return message

    def push_callback(
        self, chat_id: int, data: str, message_id: int, user: dict[str, Any] | None = None
    ) -> str:
        """A patient taps the button with `data` on message `message_id`; returns the query id."""
        user = user or user_dict(abs(chat_id))
        with self._cond:
            message = self._messages.get((chat_id, message_id))
            chat = self._chats.get(chat_id) or self._chat(chat_id, "private", user)
        if message is None:
            message = {
                "message_id": message_id,
                "from": self.bot_user(),
                "chat": chat,
                "date": int(time.time()),
                "text": "(an older message)",
            }
        query_id = str(next(self._callback_ids))
        query = {
            "id": query_id,
            "from": user,
            "message": message,
            "chat_instance": f"instance-{chat_id}",
            "data": data,
        }
        self.push_update({"callback_query": query})
        return query_id

    @property
    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by the bot (via a later `offset`)."""
        with self._cond:
            return len(self._updates)

    # --- looking at what the bot did ---------------------------------------------------

    def mark(self) -> int:
        """A position in `requests`; pass it as `since` to wait only for newer requests."""
        with self._cond:
            return len(self.requests)

    def wait_for(
        self,
        method: str,
        predicate: Predicate | None = None,
        timeout: float = DEFAULT_WAIT_S,
        since: int = 0,
    ) -> RecordedRequest:
        """The first request to `method` (from index `since`) matching `predicate`."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for request in self.requests[since:]:
                    if request.method == method and (predicate is None or predicate(request)):
                        return request
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = sorted({r.method for r in self.requests[since:]})
                    raise TimeoutError(f"no {method} request within {timeout} s; saw {seen}")
                self._cond.wait(remaining)

    @property
    def polls_started(self) -> int:
        """How many getUpdates calls have arrived so far (finished or still waiting)."""
        with self._cond:
            return self._polls_started

    def wait_until_polling(self, timeout: float = DEFAULT_WAIT_S, after: int = 0) -> bool:
        """Whether a getUpdates call beyond the first `after` arrived within `timeout`.

        `requests` records a long poll only when it returns; this sees it when it arrives.
        Pass `after=polls_started` taken before starting a second bot, so the first bot's
        polls don't count as the second one's.
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._polls_started <= after:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(remaining)
            return True

    def sent_to(self, chat_id: int, since: int = 0) -> list[RecordedRequest]:
        """Successful sendMessage requests to `chat_id`."""
        with self._cond:
            return [
                r
                for r in self.requests[since:]
                if r.method == "sendMessage" and r.chat_id == chat_id and r.ok
            ]

    def calls(self, method: str) -> list[RecordedRequest]:
        """Every request to `method`, in order."""
        with self._cond:
            return [r for r in self.requests if r.method == method]

    def message(self, chat_id: int, message_id: int) -> dict[str, Any] | None:
        """The Message as Telegram holds it now (after edits)."""
        with self._cond:
            return self._messages.get((chat_id, message_id))

    # --- failure injection -------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 400,
        description: str = "Bad Request",
        retry_after: int | None = None,
        count: int = 1,
    ) -> None:
        """Answer the next `count` calls to `method` with an error (e.g. 403, 429 + retry_after)."""
        with self._cond:
            failure = _Failure(status, description, retry_after, count)
            self._failures.setdefault(method, []).append(failure)

    def delay_next(self, method: str, seconds: float, count: int = 1) -> None:
        """Process the next `count` calls normally but answer `seconds` late (client timeouts)."""
        with self._cond:
            failure = _Failure(200, "", None, count, delay=seconds)
            self._failures.setdefault(method, []).append(failure)

    def block_chat(self, chat_id: int) -> None:
        """The patient blocked the bot: every later send to `chat_id` gets 403."""
        with self._cond:
            self._blocked.add(chat_id)

    def unblock_chat(self, chat_id: int) -> int:
        """The patient unblocked the bot: sends go through again, and the bot gets the
        my_chat_member update Telegram sends (kicked -> member); returns its update_id."""
        with self._cond:
            self._blocked.discard(chat_id)
        patient = user_dict(chat_id)
        bot = {k: v for k, v in self.bot_user().items() if k != "can_join_groups"}
        return self.push_update(
            {
                "my_chat_member": {
                    "chat": self._chat(chat_id, "private", patient),
                    "from": patient,
                    "date": int(time.time()),
                    "old_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
                    "new_chat_member": {"user": bot, "status": "member"},
                }
            }
        )

    # --- serving -----------------------------------------------------------------------

    def bot_user(self) -> dict[str, Any]:
        """The bot's own User object (what getMe returns)."""
        return {
            "id": BOT_USER_ID,
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _next_message_id(self, chat_id: int) -> int:
        with self._cond:
            counter = self._message_ids.setdefault(chat_id, itertools.count(1))
            return next(counter)

    def fail_randomly(self, method: str, rate: float, seed: int = 0) -> None:
        """Answer a `rate` share of calls to `method` with a transient fault (429 with
        retry_after 1, 500, 502 or a dropped connection), chosen by a seeded generator."""
        with self._cond:
            self._random_failures[method] = (rate, random.Random(seed))

    def _take_failure(self, method: str) -> _Failure | None:
        queue = self._failures.get(method)
        if not queue and method in self._random_failures:
            rate, generator = self._random_failures[method]
            if generator.random() < rate:
                return generator.choice(RANDOM_FAULTS)
        if not queue:
            return None
        failure = queue[0]
        failure.remaining -= 1
        if failure.remaining <= 0:
            queue.pop(0)
        return failure

    def handle(self, token: str, method: str, raw_params: dict[str, Any]) -> tuple[int, Any]:
        """Answer one Bot API call: (HTTP status, JSON body)."""
        if self.refusing:
            return DROPPED, {}  # a connection opened before the outage: cut, not served
        if self.token is not None and token != self.token:
            return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        params = self.schema.decode(method, raw_params)
        record = RecordedRequest(method=method, params=params)
        record.problems = self.schema.check(method, raw_params)
        with self._cond:
            failure = None if record.problems else self._take_failure(method)
        if failure is not None and failure.delay:
            time.sleep(failure.delay)
            failure = None
        if record.problems:
            self.violations.append(Violation(method, tuple(record.problems)))
            status, body = _error(400, "Bad Request: " + "; ".join(record.problems))
        elif failure is not None and failure.status == DROPPED:
            status, body = DROPPED, {}
        elif failure is not None:
            status, body = _error(failure.status, failure.description, failure.retry_after)
        elif method == "getUpdates":
            with self._cond:
                self._polls_started += 1
                self._cond.notify_all()
            status, body = 200, {"ok": True, "result": self._get_updates(params)}
        else:
            status, body = self._answer(method, params)
        record.status = status
        record.result = body.get("result")
        record.description = body.get("description")
        with self._cond:
            self.requests.append(record)
            self._cond.notify_all()
        return status, body

    def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long poll: confirm by offset, then wait up to `timeout` for allowed updates."""
        offset = params.get("offset")
        timeout = min(float(params.get("timeout") or 0), MAX_LONG_POLL_S)
        limit = int(params.get("limit") or MAX_UPDATES_PER_CALL)
        deadline = time.monotonic() + timeout
        with self._cond:
            if "allowed_updates" in params:
                self._allowed_updates = list(params["allowed_updates"]) or None
            if isinstance(offset, int) and offset > 0:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while True:
                ready = [u for u in self._updates if self._is_allowed(u)]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0 or self._stopping or self.refusing:
                    return ready[:limit]
                self._cond.wait(remaining)

    def _is_allowed(self, update: dict[str, Any]) -> bool:
        if self._allowed_updates is None:
            return True
        return any(kind in update for kind in self._allowed_updates)

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, int) and chat_id in self._blocked and method.startswith("send"):
            return _error(403, BLOCKED)
        answers: dict[str, Callable[[dict[str, Any]], Any]] = {
            "getMe": lambda _: self.bot_user(),
            "sendMessage": self._send_message,
            "sendPhoto": lambda p: self._send_file(p, "photo"),
            "sendDocument": lambda p: self._send_file(p, "document"),
            "editMessageText": self._edit_message,
            "editMessageReplyMarkup": self._edit_message,
            "setMyCommands": self._set_commands,
            "getMyCommands": lambda p: self.commands.get(_scope_key(p), []),
            "deleteMyCommands": self._delete_commands,
            "getWebhookInfo": lambda _: {
                "url": "",
                "has_custom_certificate": False,
                "pending_update_count": self.pending_updates,
            },
        }
        answer = answers.get(method)
        try:
            result = answer(params) if answer is not None else True
        except _ApiError as error:
            return _error(error.status, error.description)
        return 200, {"ok": True, "result": result}

    def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._store_bot_message(params, text=_visible(params, "text"))

    def _send_file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        file = {"file_id": f"sent-{kind}", "file_unique_id": f"sent-u-{kind}"}
        content: dict[str, Any] = (
            {"photo": [{**file, "width": 320, "height": 320}]}
            if kind == "photo"
            else {"document": {**file, "file_name": "file"}}
        )
        if "caption" in params:
            content["caption"] = _visible(params, "caption")
        return self._store_bot_message(params, **content)

    def _store_bot_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = params["chat_id"]
        if not isinstance(chat_id, int):
            raise _ApiError(400, "Bad Request: chat not found")
        with self._cond:
            chat = self._chats.get(chat_id) or self._chat(chat_id, "private", user_dict(chat_id))
        message = {
            "message_id": self._next_message_id(chat_id),
            "from": self.bot_user(),
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        if params.get("reply_markup"):
            message["reply_markup"] = params["reply_markup"]
        with self._cond:
            self._messages[(chat_id, message["message_id"])] = message
        return message

    def _edit_message(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (params.get("chat_id"), params.get("message_id"))
        with self._cond:
            current = self._messages.get(key)  # type: ignore[arg-type]
            if current is None:
                raise _ApiError(400, "Bad Request: message to edit not found")
            edited = dict(current)
            if "text" in params:
                edited["text"] = _visible(params, "text")
            if params.get("reply_markup"):
                edited["reply_markup"] = params["reply_markup"]
            else:
                edited.pop("reply_markup", None)
            if edited == current:
                raise _ApiError(400, NOT_MODIFIED)
            edited["edit_date"] = int(time.time())
            self._messages[key] = edited  # type: ignore[index]
            return edited

    def _set_commands(self, params: dict[str, Any]) -> bool:
        with self._cond:
            self.commands[_scope_key(params)] = list(params["commands"])
        return True

    def _delete_commands(self, params: dict[str, Any]) -> bool:
        with self._cond:
            self.commands.pop(_scope_key(params), None)
        return True


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _visible(params: dict[str, Any], field: str) -> str:
    """A text parameter as the patient sees it (markup parsed only in HTML parse mode)."""
    text = str(params[field])
    if str(params.get("parse_mode", "")).upper() == "HTML":
        return parse_html(text)[0]
    return text


def _scope_key(params: dict[str, Any]) -> str:
    """Telegram keeps a command list per scope and language (none: every other language)."""
    scope = params.get("scope") or {"type": "default"}
    if isinstance(scope, str):
        scope = json.loads(scope)
    return json.dumps([scope, params.get("language_code") or ""], sort_keys=True)


def _error(
    status: int, description: str, retry_after: int | None = None
) -> tuple[int, dict[str, Any]]:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return status, body


def _form_params(body: bytes) -> dict[str, Any]:
    return {
        key: values[0] for key, values in parse_qs(body.decode(), keep_blank_values=True).items()
    }


def _multipart_params(content_type: str, body: bytes) -> dict[str, Any]:
    """Form fields as strings; uploaded files as {"file_name", "size"}."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=default_email_policy).parsebytes(head + body)
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            params[str(name)] = {"file_name": filename, "size": len(payload)}
        else:
            params[str(name)] = payload.decode()
    return params


class _QuietServer(ThreadingHTTPServer):
    """Clients cutting connections (timeouts, outages) are expected, not errors to print."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore resets and broken pipes; report anything else as usual."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    """Routes `/bot<token>/<method>` to the FakeBotApiServer bound as `fake`."""

    fake: FakeBotApiServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle's algorithm plus
    # delayed ACKs add ~40 ms to every keep-alive answer.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Silence per-request logging (the URL holds the token)."""

    def _params(self) -> dict[str, Any]:
        url = urlsplit(self.path)
        params: dict[str, Any] = _form_params(url.query.encode()) if url.query else {}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        if body and content_type.startswith("application/json"):
            params.update(json.loads(body))
        elif body and content_type.startswith("multipart/form-data"):
            params.update(_multipart_params(content_type, body))
        elif body:
            params.update(_form_params(body))
        return params

    def _serve(self) -> None:
        path = urlsplit(self.path).path
        prefix, _, method = path.lstrip("/").partition("/")
        if not prefix.startswith("bot") or not method or "/" in method:
            status, body = _error(404, "Not Found")
        else:
            status, body = self.fake.handle(prefix.removeprefix("bot"), method, self._params())
        if status == DROPPED or self.fake.refusing:
            self.close_connection = True  # no answer at all: the client sees a reset
            return
        payload = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test) before the answer

    do_GET = _serve
    do_POST = _serve


@contextmanager
def running_fake_bot_api(token: str | None = None) -> Iterator[FakeBotApiServer]:
    """A started FakeBotApiServer, stopped on exit (for fixtures)."""
    server = FakeBotApiServer(token=token).start()
    try:
        yield server
    finally:
        server.stop()
