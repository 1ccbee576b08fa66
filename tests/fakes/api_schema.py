"""Checks Bot API requests the way Telegram would, from facts of the published schema.

The facts (method and parameter names, types, required flags, size limits) live in
`bot_api_facts.json` beside this file, generated from the Bot API spec by
`scripts/bot_api_facts.py`, so the tests need nothing outside the repository.
`BotApiSchema.check(method, params)` returns a list of problems, empty when the request
would be accepted; tests assert that the bot made none.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FACTS_PATH = Path(__file__).resolve().parent / "bot_api_facts.json"
_FACTS: dict[str, Any] = json.loads(FACTS_PATH.read_text(encoding="utf-8"))
_LIMITS: dict[str, list[int]] = _FACTS["limits"]

MAX_TEXT_CHARS = _LIMITS["message_text_chars"][1]
MAX_CAPTION_CHARS = _LIMITS["caption_chars"][1]
MIN_CALLBACK_DATA_BYTES, MAX_CALLBACK_DATA_BYTES = _LIMITS["callback_data_bytes"]
MAX_CALLBACK_ANSWER_CHARS = _LIMITS["callback_answer_chars"][1]
_NAME_MIN, _NAME_MAX = _LIMITS["command_name_chars"]
COMMAND_NAME = re.compile(rf"[a-z0-9_]{{{_NAME_MIN},{_NAME_MAX}}}")
MIN_COMMAND_DESCRIPTION, MAX_COMMAND_DESCRIPTION = _LIMITS["command_description_chars"]
# Parameters whose value PTB sends JSON-encoded inside a form field.
SCALAR_TYPES = {"String", "Integer", "Float", "Boolean", "Float number", "True"}

# Telegram's HTML parse mode: the tags it accepts and the attributes each may carry.
ALLOWED_TAGS: dict[str, set[str]] = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
}
TAG = re.compile(
    r"<(?P<close>/)?(?P<name>[a-zA-Z][a-zA-Z0-9-]*)"
    r"(?P<attrs>(?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)\s*>"
)
ATTRIBUTE = re.compile(r"([a-zA-Z-]+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
INTEGER = re.compile(r"-?[0-9]+")
ENTITY = re.compile(r"&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")


@dataclass(frozen=True)
class MethodSchema:
    """One Bot API method: its parameters, which are required, and their types."""

    name: str
    required: frozenset[str]
    types: dict[str, list[str]]


def _attribute_problems(tag: str, attrs: str) -> list[str]:
    problems = []
    for name, raw_value in ATTRIBUTE.findall(attrs):
        value = raw_value.strip("\"'")
        if name not in ALLOWED_TAGS[tag]:
            problems.append(f"attribute {name!r} is not allowed on <{tag}>")
        elif tag == "span" and value != "tg-spoiler":
            problems.append('<span> needs class="tg-spoiler"')
        elif tag == "code" and not value.startswith("language-"):
            problems.append('<code class> must be "language-…"')
    if tag == "a" and "href" not in {name for name, _ in ATTRIBUTE.findall(attrs)}:
        problems.append("<a> needs an href")
    return problems


def parse_html(text: str) -> tuple[str, list[str]]:
    """Telegram-style parse of HTML text: (visible text, problems)."""
    problems: list[str] = []
    visible: list[str] = []
    open_tags: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        if char == "<":
            match = TAG.match(text, position)
            if match is None:
                problems.append(f"unescaped '<' at offset {position}")
                position += 1
                continue
            name = match["name"].lower()
            if name not in ALLOWED_TAGS:
                problems.append(f"unsupported tag <{name}> at offset {position}")
            elif match["close"]:
                if not open_tags or open_tags[-1] != name:
                    problems.append(f"closing </{name}> without a matching open tag")
                else:
                    open_tags.pop()
            else:
                problems.extend(_attribute_problems(name, match["attrs"]))
                open_tags.append(name)
            position = match.end()
        elif char == "&":
            match = ENTITY.match(text, position)
            if match is None:
                problems.append(f"unescaped '&' at offset {position}")
                visible.append(char)
                position += 1
            else:
                visible.append(html.unescape(match.group()))
                position = match.end()
        elif char == ">":
            problems.append(f"unescaped '>' at offset {position}")
            visible.append(char)
            position += 1
        else:
            visible.append(char)
            position += 1
    problems.extend(f"<{tag}> is never closed" for tag in open_tags)
    return "".join(visible), problems


def _decode(value: Any, types: list[str]) -> Any:
    """A form value as Telegram reads it: JSON for objects, numbers and flags typed."""
    if not isinstance(value, str):
        return value
    if not set(types) <= SCALAR_TYPES:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if "Integer" in types and INTEGER.fullmatch(value):
        return int(value)
    if "Boolean" in types and value in {"true", "false"}:
        return value == "true"
    if "Float" in types or "Float number" in types:
        try:
            return float(value)
        except ValueError:
            return value
    return value


def keyboard_problems(markup: Any) -> list[str]:
    """Problems in an inline keyboard: empty labels, callback_data outside 1–64 bytes."""
    if not isinstance(markup, dict) or "inline_keyboard" not in markup:
        return []
    problems = []
    for row in markup["inline_keyboard"]:
        for button in row:
            if not str(button.get("text", "")).strip():
                problems.append("an inline button has no text")
            data = button.get("callback_data")
            if data is not None:
                size = len(str(data).encode("utf-8"))
                if not MIN_CALLBACK_DATA_BYTES <= size <= MAX_CALLBACK_DATA_BYTES:
                    problems.append(
                        f"callback_data is {size} bytes, must be "
                        f"{MIN_CALLBACK_DATA_BYTES}-{MAX_CALLBACK_DATA_BYTES}: {data!r}"
                    )
            kinds = {"callback_data", "url", "web_app", "login_url", "switch_inline_query"}
            if not kinds & set(button):
                problems.append("an inline button needs callback_data or url")
    return problems


def _text_problems(params: dict[str, Any], field: str, required: bool, maximum: int) -> list[str]:
    raw = params.get(field)
    if raw is None:
        return []
    text = str(raw)
    problems: list[str] = []
    if str(params.get("parse_mode", "")).upper() == "HTML":
        text, html_problems = parse_html(text)
        problems.extend(f"{field}: {problem}" for problem in html_problems)
    if required and not text.strip():
        problems.append(f"{field} is empty")
    if len(text) > maximum:
        problems.append(f"{field} has {len(text)} characters, at most {maximum} allowed")
    return problems


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def entities_problems(text: str, entities: Any) -> list[str]:
    """Problems in explicit message entities: ranges outside the text, missing fields."""
    if not isinstance(entities, list):
        return ["entities must be a JSON array"]
    size = utf16_length(text)
    problems = []
    for entity in entities:
        offset, length = entity.get("offset"), entity.get("length")
        if not isinstance(offset, int) or not isinstance(length, int) or "type" not in entity:
            problems.append(f"entity {entity!r} needs type, offset and length")
        elif offset < 0 or length <= 0 or offset + length > size:
            problems.append(f"entity {entity['type']} [{offset}, +{length}] is outside the text")
    return problems


def _commands_problems(commands: Any) -> list[str]:
    if not isinstance(commands, list):
        return ["commands must be a JSON array"]
    problems = []
    for command in commands:
        name = str(command.get("command", ""))
        description = str(command.get("description", ""))
        if not COMMAND_NAME.fullmatch(name):
            problems.append(f"command name {name!r} must be {_NAME_MIN}-{_NAME_MAX} of a-z, 0-9, _")
        if not MIN_COMMAND_DESCRIPTION <= len(description) <= MAX_COMMAND_DESCRIPTION:
            problems.append(
                f"description of /{name} must have "
                f"{MIN_COMMAND_DESCRIPTION}-{MAX_COMMAND_DESCRIPTION} characters"
            )
    return problems


class BotApiSchema:
    """The Bot API methods and their parameters, from the generated facts file."""

    def __init__(self, facts: dict[str, Any] | None = None) -> None:
        raw = _FACTS if facts is None else facts
        self.version: str = str(raw.get("version", "?"))
        self.methods: dict[str, MethodSchema] = {
            name.lower(): MethodSchema(
                name=name,
                required=frozenset(method["required"]),
                types={param: list(types) for param, types in method["params"].items()},
            )
            for name, method in raw["methods"].items()
        }

    def decode(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Form values decoded to what Telegram sees (JSON objects parsed)."""
        schema = self.methods.get(method.lower())
        if schema is None:
            return dict(params)
        return {key: _decode(value, schema.types.get(key, [])) for key, value in params.items()}

    def check(self, method: str, params: dict[str, Any]) -> list[str]:
        """Every reason Telegram would reject this request (empty: accepted)."""
        schema = self.methods.get(method.lower())
        if schema is None:
            return [f"unknown method {method!r}"]
        problems = [
            f"missing required parameter {name!r}"
            for name in sorted(schema.required)
            if name not in params
        ]
        problems += [f"unknown parameter {name!r}" for name in params if name not in schema.types]
        decoded = self.decode(method, params)
        problems += _text_problems(decoded, "text", True, MAX_TEXT_CHARS)
        problems += _text_problems(decoded, "caption", False, MAX_CAPTION_CHARS)
        problems += keyboard_problems(decoded.get("reply_markup"))
        for text_field, entities_field in (("text", "entities"), ("caption", "caption_entities")):
            if entities_field in decoded:
                text = str(decoded.get(text_field, ""))
                problems += entities_problems(text, decoded[entities_field])
        if "commands" in decoded:
            problems += _commands_problems(decoded["commands"])
        if (
            schema.name == "answerCallbackQuery"
            and len(str(decoded.get("text", ""))) > MAX_CALLBACK_ANSWER_CHARS
        ):
            problems.append("answerCallbackQuery text is longer than 200 characters")
        return problems
