"""The Bot API facts generator: facts only, limits read from the spec, --check."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.fakes.api_schema import FACTS_PATH, BotApiSchema
from tests.scripts.kit import load_script


def _load_script() -> ModuleType:
    return load_script("bot_api_facts")


def _field(name: str, types: list[str], required: bool, description: str) -> dict[str, Any]:
    return {"name": name, "types": types, "required": required, "description": description}


def _tiny_spec() -> dict[str, Any]:
    """A spec shaped like api.json, with just what the facts need."""
    secret = "PROSE-THAT-MUST-NOT-BE-COPIED"
    return {
        "version": "Bot API 99.0",
        "release_date": "January 1, 2030",
        "methods": {
            "sendMessage": {
                "description": [secret],
                "fields": [
                    _field("chat_id", ["Integer", "String"], True, secret),
                    _field("text", ["String"], True, f"Text, 1-3000 characters. {secret}"),
                ],
            },
            "sendPhoto": {"fields": [_field("caption", ["String"], False, "0-900 characters")]},
            "answerCallbackQuery": {
                "fields": [_field("text", ["String"], False, "0-150 characters")]
            },
        },
        "types": {
            "InlineKeyboardButton": {
                "fields": [_field("callback_data", ["String"], False, "1-60 bytes")]
            },
            "BotCommand": {
                "fields": [
                    _field("command", ["String"], True, "Command; 1-30 characters."),
                    _field("description", ["String"], True, "Description; 1-200 characters"),
                ]
            },
        },
    }


def test_facts_carry_names_types_required_and_limits_but_no_prose(tmp_path: Path) -> None:
    script = _load_script()
    spec_path, out = tmp_path / "api.json", tmp_path / "facts.json"
    spec_path.write_text(json.dumps(_tiny_spec()), encoding="utf-8")
    assert script.main(["--spec", str(spec_path), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "PROSE-THAT-MUST-NOT-BE-COPIED" not in text
    facts = json.loads(text)
    assert facts["methods"]["sendMessage"] == {
        "required": ["chat_id", "text"],
        "params": {"chat_id": ["Integer", "String"], "text": ["String"]},
    }
    assert facts["limits"]["message_text_chars"] == [1, 3000]
    assert facts["limits"]["callback_data_bytes"] == [1, 60]
    # The checker built from these facts enforces the spec's own limits.
    schema = BotApiSchema(facts)
    assert schema.check("sendMessage", {"chat_id": 1, "text": "hi"}) == []
    assert schema.check("sendMessage", {"chat_id": 1}) == ["missing required parameter 'text'"]


def test_check_mode_reports_a_stale_file(tmp_path: Path) -> None:
    script = _load_script()
    spec_path, out = tmp_path / "api.json", tmp_path / "facts.json"
    spec_path.write_text(json.dumps(_tiny_spec()), encoding="utf-8")
    out.write_text("{}\n", encoding="utf-8")
    assert script.main(["--spec", str(spec_path), "--out", str(out), "--check"]) == 1
    assert script.main(["--spec", str(spec_path), "--out", str(out)]) == 0
    assert script.main(["--spec", str(spec_path), "--out", str(out), "--check"]) == 0


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (lambda spec: spec["types"].pop("BotCommand"), "no type BotCommand"),
        (lambda spec: spec["methods"]["sendPhoto"]["fields"].clear(), "no field 'caption'"),
    ],
)
def test_a_spec_missing_a_fact_gets_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], broken: Any, message: str
) -> None:
    script = _load_script()
    spec = _tiny_spec()
    broken(spec)
    spec_path = tmp_path / "api.json"
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    assert script.main(["--spec", str(spec_path), "--out", str(tmp_path / "f.json")]) == 2
    assert message in capsys.readouterr().err


def test_committed_facts_know_the_methods_the_bot_calls() -> None:
    facts = json.loads(FACTS_PATH.read_text(encoding="utf-8"))
    for method in ("getUpdates", "sendMessage", "editMessageText", "answerCallbackQuery",
                   "setMyCommands", "sendPhoto", "deleteWebhook", "getMe"):  # fmt: skip
        assert method in facts["methods"], method
    assert "chat_id" in facts["methods"]["sendMessage"]["required"]
