"""Generate the Bot API facts the fake Telegram server checks requests against.

Reads the published Bot API schema (by default `../shared/telegram-bot-api/api.json`
beside the repository) and writes `tests/fakes/bot_api_facts.json`: method names, their
parameter names and types, which are required, and the size limits the server enforces.
Facts only: no description text is copied. Run it again when a newer spec arrives:

    python scripts/bot_api_facts.py [--spec PATH] [--out PATH] [--check]

`--check` exits 1 when the committed file differs from what the spec would generate.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = REPO_ROOT.parent / "shared" / "telegram-bot-api" / "api.json"
DEFAULT_OUT = REPO_ROOT / "tests" / "fakes" / "bot_api_facts.json"

# (fact name, "methods" or "types", owner, field, unit the spec states the range in)
LIMITS: tuple[tuple[str, str, str, str, str], ...] = (
    ("message_text_chars", "methods", "sendMessage", "text", "characters"),
    ("caption_chars", "methods", "sendPhoto", "caption", "characters"),
    ("callback_answer_chars", "methods", "answerCallbackQuery", "text", "characters"),
    ("callback_data_bytes", "types", "InlineKeyboardButton", "callback_data", "bytes"),
    ("command_name_chars", "types", "BotCommand", "command", "characters"),
    ("command_description_chars", "types", "BotCommand", "description", "characters"),
)
RANGE = re.compile(r"(\d+)-(\d+) (characters|bytes)")


class SpecError(Exception):
    """The spec lacks something the facts need; the message says what."""


def _field(spec: dict[str, Any], section: str, owner: str, name: str) -> dict[str, Any]:
    try:
        fields = spec[section][owner]["fields"]
    except KeyError:
        raise SpecError(f"the spec has no {section[:-1]} {owner}") from None
    for field in fields:
        if field["name"] == name:
            return dict(field)
    raise SpecError(f"{owner} has no field {name!r} in the spec")


def _limit(spec: dict[str, Any], section: str, owner: str, name: str, unit: str) -> list[int]:
    raw = _field(spec, section, owner, name).get("description", "")
    description = raw if isinstance(raw, str) else " ".join(raw)
    for low, high, found_unit in RANGE.findall(description):
        if found_unit == unit:
            return [int(low), int(high)]
    raise SpecError(f"{owner}.{name}: no '<low>-<high> {unit}' range in the spec")


def build_facts(spec: dict[str, Any]) -> dict[str, Any]:
    """The facts the fake server needs, from a parsed api.json."""
    methods: dict[str, Any] = {}
    for name in sorted(spec.get("methods", {})):
        fields = spec["methods"][name].get("fields", [])
        methods[name] = {
            "required": sorted(f["name"] for f in fields if f.get("required")),
            "params": {f["name"]: list(f.get("types", [])) for f in fields},
        }
    if not methods:
        raise SpecError("the spec lists no methods")
    limits = {fact: _limit(spec, *where) for fact, *where in LIMITS}
    return {
        "generated_by": "scripts/bot_api_facts.py",
        "version": str(spec.get("version", "?")),
        "release_date": str(spec.get("release_date", "?")),
        "limits": limits,
        "methods": methods,
    }


def render(facts: dict[str, Any]) -> str:
    """The facts as the committed file's text (stable, so diffs show real changes)."""
    return json.dumps(facts, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (or with --check, compare) the facts file; 0 on success."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    try:
        spec = json.loads(args.spec.read_text(encoding="utf-8"))
        text = render(build_facts(spec))
    except FileNotFoundError:
        print(f"{args.spec}: no such file (give the Bot API spec with --spec)", file=sys.stderr)
        return 2
    except (ValueError, SpecError) as error:
        print(f"{args.spec}: {error}", file=sys.stderr)
        return 2
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.is_file() else ""
        if current != text:
            print(f"{args.out} is out of date; run scripts/bot_api_facts.py", file=sys.stderr)
            return 1
        print(f"{args.out} matches {args.spec}")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {len(json.loads(text)['methods'])} methods")
    return 0


if __name__ == "__main__":
    sys.exit(main())
