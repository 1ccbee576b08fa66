"""The fake Bot API server behaves like Telegram where our tests rely on it."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest

from tests.fakes.api_schema import BotApiSchema, parse_html
from tests.fakes.bot_api_server import FakeBotApiServer

TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def call(server: FakeBotApiServer, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
    """POST form-encoded parameters the way PTB does (objects JSON-encoded)."""
    form = {k: json.dumps(v) if isinstance(v, dict | list) else str(v) for k, v in params.items()}
    body = urllib.parse.urlencode(form).encode()
    url = f"{server.base_url}{TOKEN}/{method}"
    try:
        with urllib.request.urlopen(url, data=body, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_get_updates_offset_confirms_earlier_updates(fake_api: FakeBotApiServer) -> None:
    first = fake_api.push_message(7, "hello")
    fake_api.push_message(7, "second")
    status, body = call(fake_api, "getUpdates", timeout=0)
    assert status == 200
    ids = [u["update_id"] for u in body["result"]]
    assert len(ids) == 2 and body["result"][0]["message"]["text"] == first["text"]
    # Without a new offset the same updates come again (not yet confirmed).
    assert [u["update_id"] for u in call(fake_api, "getUpdates", timeout=0)[1]["result"]] == ids
    _, body = call(fake_api, "getUpdates", offset=ids[0] + 1, timeout=0)
    assert [u["update_id"] for u in body["result"]] == ids[1:]
    _, body = call(fake_api, "getUpdates", offset=ids[1] + 1, timeout=0)
    assert body["result"] == []
    assert fake_api.pending_updates == 0


def test_get_updates_limit(fake_api: FakeBotApiServer) -> None:
    for n in range(5):
        fake_api.push_message(7, f"m{n}")
    _, body = call(fake_api, "getUpdates", limit=2, timeout=0)
    assert len(body["result"]) == 2


def test_long_poll_waits_for_an_update_then_returns(fake_api: FakeBotApiServer) -> None:
    timer = threading.Timer(0.3, lambda: fake_api.push_message(7, "late"))
    timer.start()
    _, body = call(fake_api, "getUpdates", timeout=5)
    timer.join()
    assert [u["message"]["text"] for u in body["result"]] == ["late"]


def test_long_poll_returns_empty_after_timeout(fake_api: FakeBotApiServer) -> None:
    started = time.monotonic()
    _, body = call(fake_api, "getUpdates", timeout=1)
    assert body["result"] == []
    assert time.monotonic() - started >= 0.9  # it really waited: long-poll semantics


def test_allowed_updates_filter_and_are_remembered(fake_api: FakeBotApiServer) -> None:
    fake_api.push_message(7, "text")
    fake_api.push_callback(7, "faq:x", message_id=99)
    _, body = call(fake_api, "getUpdates", timeout=0, allowed_updates=["callback_query"])
    assert [("callback_query" in u) for u in body["result"]] == [True]
    _, body = call(fake_api, "getUpdates", timeout=0)  # setting kept, as Telegram does
    assert len(body["result"]) == 1


def test_send_message_returns_a_realistic_message(fake_api: FakeBotApiServer) -> None:
    fake_api.push_message(7, "hi")
    keyboard = {"inline_keyboard": [[{"text": "Yes", "callback_data": "a:1"}]]}
    status, body = call(
        fake_api, "sendMessage", chat_id=7, text="<b>Hi</b> &amp; welcome",
        parse_mode="HTML", reply_markup=keyboard,
    )  # fmt: skip
    assert status == 200
    message = body["result"]
    assert message["text"] == "Hi & welcome"
    assert message["chat"]["id"] == 7 and message["reply_markup"] == keyboard
    assert abs(message["date"] - time.time()) < 60  # seconds, not milliseconds
    assert message["message_id"] == 2  # the patient's message took id 1 in this chat
    assert fake_api.violations == []


def test_edit_not_modified_and_missing_message(fake_api: FakeBotApiServer) -> None:
    _, body = call(fake_api, "sendMessage", chat_id=7, text="one")
    message_id = body["result"]["message_id"]
    status, body = call(fake_api, "editMessageText", chat_id=7, message_id=message_id, text="one")
    assert status == 400 and "message is not modified" in body["description"]
    status, _ = call(fake_api, "editMessageText", chat_id=7, message_id=message_id, text="two")
    assert status == 200
    assert fake_api.message(7, message_id)["text"] == "two"  # type: ignore[index]
    status, body = call(fake_api, "editMessageText", chat_id=7, message_id=999, text="x")
    assert status == 400 and "not found" in body["description"]


@pytest.mark.parametrize(
    ("method", "params", "expected"),
    [
        ("sendMessage", {"chat_id": 7, "text": "hi", "colour": "red"}, "unknown parameter"),
        ("sendMessage", {"chat_id": 7}, "missing required parameter 'text'"),
        ("sendMesage", {"chat_id": 7, "text": "hi"}, "unknown method"),
        ("sendMessage", {"chat_id": 7, "text": ""}, "text is empty"),
        ("sendMessage", {"chat_id": 7, "text": "x" * 4097}, "at most 4096"),
        (
            "sendMessage",
            {"chat_id": 7, "text": "<script>alert(1)</script>", "parse_mode": "HTML"},
            "unsupported tag <script>",
        ),
        ("sendMessage", {"chat_id": 7, "text": "<b>open", "parse_mode": "HTML"}, "never closed"),
        ("sendMessage", {"chat_id": 7, "text": "a & b", "parse_mode": "HTML"}, "unescaped '&'"),
        (
            "sendMessage",
            {"chat_id": 7, "text": "hi", "entities": [{"type": "bold", "offset": 1, "length": 5}]},
            "outside the text",
        ),
        (
            "sendMessage",
            {
                "chat_id": 7,
                "text": "pick",
                "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "y" * 65}]]},
            },
            "callback_data is 65 bytes",
        ),
    ],
)
def test_schema_violations_are_recorded_and_rejected(
    fake_api: FakeBotApiServer, method: str, params: dict[str, Any], expected: str
) -> None:
    status, body = call(fake_api, method, **params)
    assert status == 400 and body["ok"] is False
    assert any(expected in problem for v in fake_api.violations for problem in v.problems)


def test_html_within_4096_visible_characters_is_accepted(api_schema: BotApiSchema) -> None:
    text = "<b>" + "&lt;" * 4096 + "</b>"  # 4096 visible characters once parsed
    assert api_schema.check("sendMessage", {"chat_id": 1, "text": text, "parse_mode": "HTML"}) == []


def test_parse_html_allows_telegram_tags() -> None:
    text = (
        '<b>b</b><i>i</i><u>u</u><s>s</s><span class="tg-spoiler">x</span>'
        '<a href="https://example.org">a</a><code>c</code><pre>p</pre>'
        "<blockquote expandable>q</blockquote>&quot;&#39;"
    )
    visible, problems = parse_html(text)
    assert problems == []
    assert visible == "biusxacpq\"'"


def test_injected_failures(fake_api: FakeBotApiServer) -> None:
    fake_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3)
    status, body = call(fake_api, "sendMessage", chat_id=7, text="hi")
    assert status == 429 and body["parameters"] == {"retry_after": 3}
    assert call(fake_api, "sendMessage", chat_id=7, text="hi")[0] == 200
    fake_api.block_chat(8)
    assert call(fake_api, "sendMessage", chat_id=8, text="hi")[0] == 403


def test_wait_for_finds_the_request_or_times_out(fake_api: FakeBotApiServer) -> None:
    since = fake_api.mark()
    call(fake_api, "sendMessage", chat_id=7, text="found me")
    request = fake_api.wait_for("sendMessage", lambda r: "found" in r.text, since=since)
    assert request.chat_id == 7 and request.ok
    with pytest.raises(TimeoutError):
        fake_api.wait_for("editMessageText", timeout=0.2)


def test_token_and_path_checks(api_schema: BotApiSchema) -> None:
    with FakeBotApiServer(token="1:right", schema=api_schema) as server:
        assert call(server, "getMe")[0] == 401
        url = f"http://127.0.0.1:{server.port}/nothing"
        with pytest.raises(urllib.error.HTTPError) as caught:
            urllib.request.urlopen(url, timeout=5)
        assert caught.value.code == 404
