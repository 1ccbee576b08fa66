"""YAML loading that remembers where every mapping, key and list item came from.

PyYAML's safe loader forgets line numbers once it builds Python objects; clinics need
`file:line` in every message, so we compose the node tree ourselves and keep lines on
dict/list subclasses. Values behave exactly like plain dicts and lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bot.content.problems import ContentError, Problem, display_path


class LocatedDict(dict[str, Any]):
    """A mapping that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]
    # The file's lines a text value spans (first, last), and the file's lines themselves:
    # a problem inside a long answer names the line it is on, not the key's.
    value_spans: dict[str, tuple[int, int]] | None = None
    source_lines: list[str] | None = None

    def line_of(self, key: str) -> int:
        """Line of `key`, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)

    def line_within(self, key: str, holds: Callable[[str], bool]) -> int:
        """The first line of `key`'s text (as written in the file) for which `holds` is
        true; the key's line when none is, or when the mapping was not read from a file."""
        span = self.value_spans.get(key) if self.value_spans else None
        if span is not None and self.source_lines is not None:
            first, last = span
            for number in range(first, last + 1):
                if holds(self.source_lines[number - 1]):
                    return number
        return self.line_of(key)


def holding(text: str) -> Callable[[str], bool]:
    """A test for `LocatedDict.line_within`: the line holds `text` as written."""
    return lambda line: text in line


class LocatedList(list[Any]):
    """A sequence that knows its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        """Line of item `index`."""
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


# libyaml's parser (when PyYAML was built with it) composes nodes about ten times faster
# than the pure-Python one and keeps the same marks; the constructors stay ours.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LocatingLoader(_SafeBase):  # type: ignore[valid-type,misc]  # a base chosen at import
    """Safe loader that builds Located* containers."""

    source_lines: list[str]


class TextSlipError(yaml.MarkedYAMLError):
    """A value YAML reads without complaint but not as the clinic wrote it: a '#' inside
    unquoted text starts a comment, and an unquoted yes/no in a list of texts is a
    true/false. Reported at its line as it is, without the generic syntax hint."""


# A comment written against a word ("Suite #4", "#2 bus") is almost always part of the
# text; a real comment has a space after its '#'.
_GLUED_COMMENT = re.compile(r"[ \t]+#[^\s#]")
# What YAML 1.1 reads as true/false when unquoted.
_YES_NO_WORDS = frozenset({"yes", "no", "on", "off", "true", "false"})


def _check_plain_text(loader: _LocatingLoader, node: yaml.Node) -> None:
    """Raise TextSlipError when plain (unquoted) text at `node` loses what follows a '#'."""
    if not isinstance(node, yaml.ScalarNode) or node.style:  # plain: None, or '' (libyaml)
        return
    mark = node.end_mark
    lines = getattr(loader, "source_lines", [])
    if mark.line >= len(lines):
        return
    after = lines[mark.line][mark.column :]
    glued = _GLUED_COMMENT.match(after)
    if glued is not None:
        kept = node.value
        dropped = after[glued.end() - 2 :].strip()
        raise TextSlipError(
            None,
            None,
            f"the text {kept!r} stops before '{dropped}', because '#' after a space starts "
            f'a comment in YAML: put the whole text in quotes ("{kept} {dropped}")',
            node.start_mark,
        )


def _check_list_item(node: yaml.Node) -> None:
    """Raise TextSlipError for an unquoted yes/no/on/off item in a list, which YAML reads as
    true or false: lists in the content hold texts (aliases, alternates, phrases)."""
    if (
        isinstance(node, yaml.ScalarNode)
        and not node.style
        and node.tag == "tag:yaml.org,2002:bool"
        and node.value.lower() in _YES_NO_WORDS
    ):
        raise TextSlipError(
            None,
            None,
            f"{node.value!r} without quotes is read by YAML as true/false, not as the word: "
            f'put it in quotes ("{node.value}")',
            node.start_mark,
        )


def _construct_mapping(loader: _LocatingLoader, node: yaml.MappingNode) -> LocatedDict:
    result = LocatedDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    result.value_spans = {}
    result.source_lines = getattr(loader, "source_lines", None)
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        # Keys are names, never values: take a plain key's text as written, so YAML 1.1
        # does not turn `on:` or `yes:` into booleans.
        if isinstance(key_node, yaml.ScalarNode):
            key = key_node.value
        else:
            key = str(loader.construct_object(key_node, deep=True))
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        _check_plain_text(loader, value_node)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.ScalarNode):
            # A block scalar's end mark is the start of the line after it.
            last = value_node.end_mark.line + (0 if value_node.end_mark.column else -1)
            first = value_node.start_mark.line + 1
            result.value_spans[key] = (first, max(first, last + 1))
    return result


def _construct_sequence(loader: _LocatingLoader, node: yaml.SequenceNode) -> LocatedList:
    for child in node.value:
        _check_plain_text(loader, child)
        _check_list_item(child)
    result = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _LocatingLoader, node: yaml.ScalarNode) -> object:
    # An unquoted impossible date (`on: 2026-13-07`, `2026-02-30`) is a ValueError inside
    # PyYAML, which would stop the whole check with no file or line: keep it as the text
    # written, so the field's reader reports it at its line.
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


_LocatingLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_LocatingLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)
_LocatingLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
    _construct_sequence,
)


def load_located_yaml(path: Path) -> Any:
    """Parse `path`; a syntax error becomes a `ContentError` with file and line."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError([Problem(shown, 0, "file not found")]) from None
    except IsADirectoryError:
        raise ContentError(
            [Problem(shown, 0, "is a folder, not a file; put the YAML file here instead")]
        ) from None
    except PermissionError:
        raise ContentError(
            [Problem(shown, 0, "cannot be read (permission denied); let the bot's user read it")]
        ) from None
    except UnicodeDecodeError as exc:
        raise ContentError([_not_utf8(path, shown, exc)]) from None
    try:
        return _load(text)
    except TextSlipError as exc:
        mark = exc.problem_mark
        raise ContentError(
            [Problem(shown, mark.line + 1 if mark else 0, exc.problem or "")]
        ) from None
    except yaml.reader.ReaderError as exc:
        if _looks_utf16(text.encode("utf-8")):
            raise ContentError([Problem(shown, 1, SAVED_AS_UTF16)]) from None
        line = text.count("\n", 0, exc.position) + 1
        problem = Problem(shown, line, f"contains a character YAML cannot read ({exc.reason})")
        raise ContentError([problem]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        what = exc.problem or str(exc)
        opened = _unclosed_opening(text, exc)
        if opened is not None:
            where, thing = opened
            message = (
                f"YAML syntax: {thing} opened at line {where} is not closed "
                f"(YAML stopped at line {line}: {what})"
            )
            raise ContentError([Problem(shown, where, message)]) from None
        tab = _tab_indented(text, line)
        if tab is not None:
            message = f"tab at line {tab} in the indentation: use spaces (YAML reads no tabs there)"
            raise ContentError([Problem(shown, tab, message)]) from None
        odd = _odd_space_indented(text, line)
        if odd is not None:
            where, space = odd
            message = (
                f"a {ODD_SPACES[space]} (U+{ord(space):04X}) at line {where} in the "
                "indentation, often pasted from a web page or a word processor: retype the "
                "indentation with plain spaces"
            )
            raise ContentError([Problem(shown, where, message)]) from None
        lines = text.splitlines()
        written = lines[line - 1] if 0 < line <= len(lines) else ""
        if any(quote in written for quote in CURLY_QUOTES):
            hint = CURLY_QUOTES_HINT
        elif what.startswith("mapping values are not allowed") and ": " in _value_of(written):
            # "answer: Oui : c'est sûr" (French puts a space before ':'), "text: Note: ...".
            key = written.strip().removeprefix("- ").partition(": ")[0]
            value = _value_of(written).strip()
            shown_value = value if len(value) <= 40 else value[:37] + "..."
            hint = (
                "(a colon and a space inside unquoted text start a new 'key: value' to YAML: "
                f'put the whole text in quotes, {key}: "{shown_value}")'
            )
        elif what.startswith("could not find expected ':'"):
            # YAML reads the line without its ':' on into the next and stops there.
            line = _line_without_colon(lines, line)
            hint = f"(line {line} has no ':' after its key: write it as 'key: value')"
        else:
            hint = "(check indentation and quotes)"
        raise ContentError([Problem(shown, line, f"YAML syntax: {what} {hint}")]) from None


def _line_without_colon(lines: list[str], stopped: int) -> int:
    """The line (from 1) at or just above `stopped` that holds words but no ':'."""
    for number in range(stopped, max(stopped - 3, 0), -1):
        if number > len(lines):
            continue
        body = lines[number - 1].strip()
        if body and not body.startswith(("#", "-")) and ":" not in body:
            return number
    return stopped


def _value_of(line: str) -> str:
    """What follows a line's first 'key: ' (or its '- '), where a text would stand."""
    body = line.strip().removeprefix("- ")
    return body.partition(": ")[2]


def _load(text: str) -> Any:
    """`text` parsed by a loader that can read the source lines back (see
    `_check_plain_text`)."""
    loader = _LocatingLoader(text)
    loader.source_lines = text.splitlines()
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


# Byte-order marks of the encodings an editor's "Unicode" choice saves in.
_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")
SAVED_AS_UTF16 = (
    "the file was saved as UTF-16 ('Unicode' in some editors), which the bot does not "
    "read; save it as UTF-8 (in the editor's 'Save as', choose UTF-8)"
)


def _looks_utf16(data: bytes) -> bool:
    """Whether `data` is UTF-16: a byte-order mark, or (without one) a zero byte beside
    most letters, as UTF-16 writes plain English text."""
    return data.startswith(_UTF16_MARKS) or data.count(0) * 3 > len(data)


def _not_utf8(path: Path, shown: str, exc: UnicodeDecodeError) -> Problem:
    """The line of the first byte that is not UTF-8, and what it most likely was: an
    editor that saved in Windows-1252 (Notepad, Excel) writes 'é' as one such byte."""
    if _looks_utf16(exc.object):
        return Problem(shown, 1, SAVED_AS_UTF16)
    line = exc.object[: exc.start].count(b"\n") + 1
    byte = exc.object[exc.start : exc.start + 1]
    guess = byte.decode("cp1252", errors="replace")
    meant = f" (perhaps '{guess}')" if guess.isprintable() and guess != "\ufffd" else ""
    return Problem(
        shown,
        line,
        f"byte 0x{byte.hex().upper()}{meant} is not UTF-8 text: the file was saved in "
        "another encoding; save it as UTF-8 (in the editor's 'Save as', choose UTF-8)",
    )


def _tab_indented(text: str, stopped: int) -> int | None:
    """The line (from 1) of the first tab in a line's indentation up to line `stopped`,
    which YAML reports only as a character that 'cannot start any token'."""
    for number, line in enumerate(text.splitlines()[:stopped], start=1):
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))]:
            return number
    return None


# Spaces YAML does not read as spaces, which editors show as one.
ODD_SPACES = {
    "\u00a0": "non-breaking space",
    "\u2002": "wide space",
    "\u2003": "wide space",
    "\u2009": "thin space",
    "\u202f": "narrow non-breaking space",
    "\u3000": "wide space",
    "\u200b": "zero-width space",
}
# Quote marks a phone keyboard or a word processor types instead of " and '.
CURLY_QUOTES = "\u201c\u201d\u2018\u2019"
CURLY_QUOTES_HINT = (
    "(curly quotes (\u201c \u201d) are not quotes to YAML, only letters: type straight "
    'quotes (") around the text)'
)


def _odd_space_indented(text: str, stopped: int) -> tuple[int, str] | None:
    """(line, space) of the first space YAML does not read as one in a line's indentation,
    up to the line after `stopped` (YAML often stops at the key after such a line)."""
    for number, line in enumerate(text.splitlines()[: stopped + 1], start=1):
        for character in line:
            if character in ODD_SPACES:
                return number, character
            if character not in " \t":
                break
    return None


_OPENINGS = {
    "quoted scalar": "a quote",
    "flow sequence": "a bracket '['",
    "flow mapping": "a brace '{'",
}


def _unclosed_opening(text: str, exc: yaml.MarkedYAMLError) -> tuple[int, str] | None:
    """(line, what) of a quote or bracket left open, which YAML reports only where the
    text after it stops making sense, often many lines further down."""
    context = exc.context or ""
    if exc.problem_mark is None:
        return None
    stopped = exc.problem_mark.line
    for said, thing in _OPENINGS.items():
        # On one line it is a slip inside the brackets, which the plain message names.
        if said in context and exc.context_mark is not None:
            opened = exc.context_mark.line
            return (opened + 1, thing) if opened < stopped else None
    # An unclosed quote runs on to the next quote in the file and closes there, so the
    # quoted text spans lines and ends about where YAML stopped.
    found = None
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if token.start_mark.line > stopped:
                break
            spans_lines = token.start_mark.line != token.end_mark.line
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ('"', "'")
                and spans_lines
                and token.end_mark.line >= stopped - 1
            ):
                found = (token.start_mark.line + 1, "a quote")
    except yaml.MarkedYAMLError:
        pass  # the scanner's own complaint comes after what it has read
    return found
