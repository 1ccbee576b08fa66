"""Loading and checking content/emergency.yaml, with `file:line: what to fix` problems."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bot.content.problems import ContentError, Problem, display_path
from bot.content.schema import ProblemLog, closest, read_yaml_with_problems
from bot.content.yaml_source import LocatedDict, LocatedList
from bot.safety.emergency import (
    EmergencyContent,
    EmergencyRule,
    LanguageNotice,
    LanguageNotices,
    RuleTerms,
    ScreenContext,
)
from bot.safety.language import ENGLISH, READ_LANGUAGES, detectable_languages
from bot.safety.readings import (
    ALL_RULES,
    CalmReading,
    ContextGrammar,
    FigureOfSpeech,
    Frame,
    PatternError,
    PatternSet,
    WordLists,
    compile_pattern,
)
from bot.safety.term_reach import CaughtNotExample, grouped_by_term
from bot.safety.terms import PREFIX_MARK, parse_term

EMERGENCY_FILE = "emergency.yaml"
URGENT_FILE = "urgent.yaml"
LANGUAGES_FILE = "safety_languages.yaml"
# Languages a rule may carry words for, beside English (its own fields). Romanised
# spellings go with their language (pinyin under zh, romanised Punjabi under pa, Arabizi
# under ar, romanised Urdu under ur or hi).
RULE_LANGUAGES = (
    "fr", "es", "pa", "zh", "yue", "ar", "tl", "hi", "ur", "fa", "vi", "ko", "pt", "it", "de",
    "ja", "ru",
)  # fmt: skip
_LANGUAGE_KEYS = ("message", "all_of", "phrases", "examples", "not_examples")
_PHRASE_CONTEXT_KEYS = ("set_aside", "past", "questions", "present", "first_person")
_GRAMMAR_KEYS = (
    "word_lists", "figures_of_speech", "calm_readings", "settled", "settled_unless",
    "now_despite_history", "hypothetical", "never_lowered", "self_harm_cues", "frames",
    "frame_breakers", "urgent_net", "told_history", "turn_to_now",
)  # fmt: skip
_CONTEXT_KEYS = (*_PHRASE_CONTEXT_KEYS, *_GRAMMAR_KEYS)
_FIGURE_KEYS = ("name", "patterns", "unless")
_CALM_KEYS = ("name", "rules", "all_of", "none_of")
_FRAME_KEYS = ("name", "markers", "signs")
_NET_KEYS = ("name", "all_of", "none_of")
# Languages a word list may hold words for (English, French and the rules' others).
_LIST_LANGUAGES = ("en", *RULE_LANGUAGES)
_NOTICE_KEYS = (
    "name",
    "notice",
    "emergency",
    "urgent",
    "emergency_title",
    "urgent_title",
    "phone",
)
MAX_MESSAGE_CHARS = 1500  # one short chat message; the reply must be read at a glance
MIN_PREFIX_CHARS = 3  # "a*" would match half the language
_TOP_KEYS = (
    "reviewed", "message", "not_typos", "not_examples", "rules", "context", "warning_signs",
    "rule_warnings", *RULE_LANGUAGES,
)  # fmt: skip
_RULE_KEYS = (
    "id", "description", "message", "all_of", "phrases", "examples", "not_examples",
    "history_matters", *RULE_LANGUAGES,
)  # fmt: skip
_RULE_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass
class _Reader(ProblemLog):
    """The shared content problem log plus the few readers emergency rules need."""

    def message(
        self,
        mapping: LocatedDict,
        where: str,
        required: bool,
        key: str = "message",
        filled: bool = False,
    ) -> str | None:
        """A reply text; `filled` when the bot fills {number} and {phone} in it (the
        notices), otherwise it is shown as written and a brace would reach the patient."""
        message = self.text(mapping, key, where, required=required)
        if message is not None and len(message) > MAX_MESSAGE_CHARS:
            self.add(
                mapping.line_of(key),
                f"'{key}' in {where} is {len(message)} characters; keep it under "
                f"{MAX_MESSAGE_CHARS} so it is read at a glance",
            )
        if message is not None and not filled and ("{" in message or "}" in message):
            self.add(
                mapping.line_of(key),
                f"'{key}' in {where} has a '{{' or '}}': this reply is shown as written, so a "
                "placeholder such as {clinic.phone} would reach the patient as typed; write "
                "the number itself (the bot adds the clinic's phone under every emergency "
                "and urgent reply)",
            )
        return message

    def phrases(self, mapping: LocatedDict, key: str, where: str) -> tuple[tuple[str, int], ...]:
        """A list of texts under `key` with their lines (empty when absent)."""
        return self.text_list(self.optional_sequence(mapping, key), key, where)

    def text_list(self, value: LocatedList, key: str, where: str) -> tuple[tuple[str, int], ...]:
        """The texts of a YAML list with their lines; a problem for each item that is not text."""
        found: list[tuple[str, int]] = []
        for index, item in enumerate(value):
            is_text = isinstance(item, str | int | float) and not isinstance(item, bool)
            if is_text and str(item).strip():
                found.append((str(item).strip(), value.line_of(index)))
            else:
                self.add(value.line_of(index), f"each item of '{key}' in {where} must be text")
        return tuple(found)

    def terms(self, texts: tuple[tuple[str, int], ...], where: str) -> tuple[str, ...]:
        """The texts that work as terms (have a word; prefixes long enough)."""
        return tuple(term for term, line in texts if self.term_ok(term, line, where))

    def term_ok(self, term: str, line: int, where: str) -> bool:
        words = parse_term(term)
        if not words:
            self.add(line, f"term {term!r} in {where} has no letters or digits")
            return False
        short = [w.text for w in words if w.prefix and len(w.text) < MIN_PREFIX_CHARS]
        if short:
            self.add(
                line,
                f"prefix {short[0] + PREFIX_MARK!r} in {where} is too short; "
                f"use at least {MIN_PREFIX_CHARS} letters before {PREFIX_MARK}",
            )
            return False
        return True

    def groups(self, rule: LocatedDict, where: str) -> tuple[tuple[str, ...], ...]:
        if "all_of" not in rule:
            return ()
        value = self.sequence(rule["all_of"], rule.line_of("all_of"), f"'all_of' in {where}")
        if not value:
            if value is not None:
                self.add(rule.line_of("all_of"), f"'all_of' in {where} has no groups")
            return ()
        groups: list[tuple[str, ...]] = []
        for index, group in enumerate(value):
            what = f"each group of 'all_of' in {where}"
            items = self.sequence(group, value.line_of(index), what)
            terms = self.terms(self.text_list(items, "all_of", where), where) if items else ()
            if terms:
                groups.append(terms)
            elif items is not None:
                self.add(value.line_of(index), f"{what} needs at least one term")
        return tuple(groups)


def _translations(reader: _Reader, raw: LocatedDict, where: str) -> tuple[RuleTerms, ...]:
    """The rule's (or the file's) sections in other languages."""
    found: list[RuleTerms] = []
    for language in RULE_LANGUAGES:
        if language not in raw:
            continue
        what = f"'{language}' in {where}"
        part = reader.mapping(raw[language], raw.line_of(language), what)
        if part is None:
            continue
        reader.unknown_keys(part, _LANGUAGE_KEYS, what)
        examples = reader.phrases(part, "examples", what)
        not_examples = reader.phrases(part, "not_examples", what)
        phrases = reader.terms(reader.phrases(part, "phrases", what), what)
        found.append(
            RuleTerms(
                language=language,
                all_of=reader.groups(part, what),
                phrases=phrases,
                examples=tuple(text for text, _ in examples),
                not_examples=tuple(text for text, _ in not_examples),
                message=reader.message(part, what, required=False),
                example_lines=tuple(line for _, line in examples),
                not_example_lines=tuple(line for _, line in not_examples),
            )
        )
    return tuple(found)


def _context(reader: _Reader, top: LocatedDict) -> ScreenContext | None:
    if "context" not in top:
        return None
    value = reader.mapping(top["context"], top.line_of("context"), "'context'")
    if value is None:
        return None
    reader.unknown_keys(value, _CONTEXT_KEYS, "'context'")

    def texts(key: str) -> tuple[str, ...]:
        return tuple(text for text, _ in reader.phrases(value, key, "'context'"))

    return ScreenContext(
        set_aside=texts("set_aside"),
        past=texts("past"),
        questions=texts("questions"),
        present=texts("present"),
        first_person=texts("first_person"),
        line=top.line_of("context"),
        grammar=_grammar(reader, value),
    )


def _grammar(reader: _Reader, context: LocatedDict) -> ContextGrammar:
    """The word lists and patterns of `context` (bot/safety/readings.py), every problem at
    its line."""
    lists = _word_lists(reader, context)

    def patterns(mapping: LocatedDict, key: str, where: str) -> PatternSet:
        return pattern_list(reader.optional_sequence(mapping, key), key, where)

    def pattern_list(items: LocatedList, key: str, where: str) -> PatternSet:
        texts = reader.text_list(items, key, where)
        compiled: list[tuple[str, str, int]] = []
        for text, line in texts:
            try:
                compiled.append((text, compile_pattern(text, lists), line))
            except PatternError as error:
                reader.add(line, f"pattern in {where}: {error}")
        return PatternSet(
            tuple(t for t, _, _ in compiled),
            tuple(c for _, c, _ in compiled),
            tuple(line for _, _, line in compiled),
        )

    figures: list[FigureOfSpeech] = []
    for entry, line in _entries(reader, context, "figures_of_speech", _FIGURE_KEYS):
        name = reader.text(entry, "name", "each of 'figures_of_speech'") or ""
        found = patterns(entry, "patterns", f"'figures_of_speech' ({name or 'no name'})")
        if not found.patterns:
            reader.add(line, "each of 'figures_of_speech' needs at least one pattern")
        unless = patterns(entry, "unless", f"'figures_of_speech' ({name or 'no name'})")
        figures.append(FigureOfSpeech(name, found, line, unless))
    calm: list[CalmReading] = []
    for entry, line in _entries(reader, context, "calm_readings", _CALM_KEYS):
        name = reader.text(entry, "name", "each of 'calm_readings'") or ""
        where = f"'calm_readings' ({name or 'no name'})"
        rules = tuple(text for text, _ in reader.phrases(entry, "rules", where))
        if not rules:
            reader.add(line, f"{where} needs 'rules': the ids of the rules it calms")
        all_of: list[PatternSet] = []
        for index, item in enumerate(reader.optional_sequence(entry, "all_of")):
            group_line = entry["all_of"].line_of(index)
            group = reader.sequence(item, group_line, f"each line of 'all_of' in {where}")
            if group is not None:
                all_of.append(pattern_list(group, "all_of", where))
        if not all_of:
            reader.add(line, f"{where} needs 'all_of': lists of patterns that must all be found")
        none_of = patterns(entry, "none_of", where)
        calm.append(CalmReading(name, rules, tuple(all_of), none_of, line))
    frames: list[Frame] = []
    for entry, line in _entries(reader, context, "frames", _FRAME_KEYS):
        name = reader.text(entry, "name", "each of 'frames'") or ""
        where = f"'frames' ({name or 'no name'})"
        markers = patterns(entry, "markers", where)
        if not markers.patterns:
            reader.add(line, f"{where} needs 'markers': patterns that say the frame is there")
        frames.append(Frame(name, markers, patterns(entry, "signs", where), line))
    net: CalmReading | None = None
    if "urgent_net" in context:
        net_entry = reader.mapping(
            context["urgent_net"], context.line_of("urgent_net"), "'urgent_net'"
        )
        if net_entry is not None:
            reader.unknown_keys(net_entry, _NET_KEYS, "'urgent_net'")
            parts = tuple(
                pattern_list(group, "all_of", "'urgent_net'")
                for index, item in enumerate(reader.optional_sequence(net_entry, "all_of"))
                if (
                    group := reader.sequence(
                        item, net_entry["all_of"].line_of(index), "'urgent_net'"
                    )
                )
                is not None
            )
            if not parts:
                reader.add(
                    context.line_of("urgent_net"),
                    "'urgent_net' needs 'all_of': lists of patterns that must all be net_entry",
                )
            net = CalmReading(
                reader.text(net_entry, "name", "'urgent_net'") or "urgent net",
                (ALL_RULES,),
                parts,
                patterns(net_entry, "none_of", "'urgent_net'"),
                context.line_of("urgent_net"),
            )
    return ContextGrammar(
        word_lists=lists,
        urgent_net=net,
        frames=tuple(frames),
        frame_breakers=patterns(context, "frame_breakers", "'context'"),
        figures_of_speech=tuple(figures),
        calm_readings=tuple(calm),
        settled=patterns(context, "settled", "'context'"),
        settled_unless=patterns(context, "settled_unless", "'context'"),
        now_despite_history=patterns(context, "now_despite_history", "'context'"),
        told_history=patterns(context, "told_history", "'context'"),
        turn_to_now=patterns(context, "turn_to_now", "'context'"),
        hypothetical=patterns(context, "hypothetical", "'context'"),
        never_lowered=patterns(context, "never_lowered", "'context'"),
        self_harm_cues=patterns(context, "self_harm_cues", "'context'"),
    )


@dataclass(frozen=True)
class _Dangling:
    """A rule id named somewhere in the file that no rule has."""

    rule_id: str
    line: int
    message: str


def _calm_rules_dangling(grammar: ContextGrammar, rule_ids: set[str]) -> list[_Dangling]:
    """Each rule a calm reading names that is not a rule of the file."""
    return [
        _Dangling(
            rule_id, reading.line, f"'calm_readings' ({reading.name}) names no rule {rule_id!r}"
        )
        for reading in grammar.calm_readings
        for rule_id in reading.rules
        if rule_id not in rule_ids and rule_id != ALL_RULES
    ]


def _report_ids(
    reader: _Reader, duplicates: list[tuple[str, int, int]], dangling: list[_Dangling]
) -> None:
    """Duplicate rule ids, and names of rules that do not exist. A rule given another
    rule's id leaves the names of its old id dangling: that is one mistake, reported
    once, at the duplicate, as its cause."""
    missing = list(dict.fromkeys(d.rule_id for d in dangling))
    hint = ""
    if duplicates and missing:
        names = ", ".join(repr(rule_id) for rule_id in missing)
        hint = f"; the file names {names}, which no rule has: is this rule meant to be that?"
    for rule_id, line, first in duplicates:
        reader.add(line, f"duplicate rule id {rule_id!r} (first used on line {first}){hint}")
    if not hint:
        for each in dangling:
            reader.add(each.line, each.message)


def _word_lists(reader: _Reader, context: LocatedDict) -> WordLists:
    """`word_lists`: each name with its words per language."""
    if "word_lists" not in context:
        return WordLists()
    value = reader.mapping(context["word_lists"], context.line_of("word_lists"), "'word_lists'")
    if value is None:
        return WordLists()
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for name in value:
        where = f"word list '{name}'"
        if not _RULE_ID.match(str(name)):
            reader.add(value.line_of(name), f"{where}: name it in lower case, digits and '_'")
            continue
        per_language = reader.mapping(value[name], value.line_of(name), where)
        if per_language is None:
            continue
        reader.unknown_keys(per_language, _LIST_LANGUAGES, where)
        words = {
            language: tuple(text for text, _ in reader.phrases(per_language, language, where))
            for language in per_language
            if language in _LIST_LANGUAGES
        }
        if not any(words.values()):
            reader.add(value.line_of(name), f"{where} has no words")
            continue
        found[str(name)] = words
    return WordLists(found)


def _entries(
    reader: _Reader, context: LocatedDict, key: str, keys: tuple[str, ...]
) -> list[tuple[LocatedDict, int]]:
    """The mappings listed under `key`, with their lines (problems for anything else)."""
    entries: list[tuple[LocatedDict, int]] = []
    items = reader.optional_sequence(context, key)
    for index, item in enumerate(items):
        entry = reader.mapping(item, items.line_of(index), f"each of '{key}'")
        if entry is not None:
            reader.unknown_keys(entry, keys, f"'{key}'")
            entries.append((entry, items.line_of(index)))
    return entries


def _warning_signs(
    reader: _Reader, top: LocatedDict, key: str = "warning_signs", where: str = "'warning_signs'"
) -> dict[str, str]:
    if key not in top:
        return {}
    value = reader.mapping(top[key], top.line_of(key), where)
    if value is None:
        return {}
    signs: dict[str, str] = {}
    for language in value:
        text = reader.message(value, where, required=False, key=str(language))
        if text:
            signs[str(language)] = text
    return signs


def _rule_warnings(
    reader: _Reader, top: LocatedDict, rule_ids: set[str], dangling: list[_Dangling]
) -> dict[str, dict[str, str]]:
    """Per rule, the cautious line shown instead of the general warning signs when that
    rule's words are read as not happening now (a crisis line, not needling signs, for a
    denial of suicidal thoughts); a name that is no rule goes into `dangling`."""
    if "rule_warnings" not in top:
        return {}
    value = reader.mapping(top["rule_warnings"], top.line_of("rule_warnings"), "'rule_warnings'")
    if value is None:
        return {}
    found: dict[str, dict[str, str]] = {}
    for rule_id in value:
        if str(rule_id) not in rule_ids:
            known = ", ".join(sorted(rule_ids))
            dangling.append(
                _Dangling(
                    str(rule_id),
                    value.line_of(rule_id),
                    f"'rule_warnings' names {rule_id!r}, which is not a rule id (known: {known})",
                )
            )
            continue
        found[str(rule_id)] = _warning_signs(
            reader, value, str(rule_id), f"'rule_warnings' {rule_id!r}"
        )
    return found


def _rule(reader: _Reader, raw: Any, line: int) -> EmergencyRule | None:
    if not isinstance(raw, LocatedDict):
        reader.add(line, "each rule must be a mapping with 'id', 'description', 'examples', ...")
        return None
    rule_id = reader.text(raw, "id", "a rule")
    where = f"rule {rule_id!r}" if rule_id else "this rule"
    if rule_id is not None and not _RULE_ID.match(rule_id):
        reader.add(
            raw.line_of("id"),
            f"rule id {rule_id!r} must be lower case letters, digits and _ (e.g. chest_pain)",
        )
    reader.unknown_keys(raw, _RULE_KEYS, where)
    description = reader.text(raw, "description", where)
    message = reader.message(raw, where, required=False)
    groups = reader.groups(raw, where)
    phrases = reader.terms(reader.phrases(raw, "phrases", where), where)
    if "all_of" not in raw and "phrases" not in raw and not reader.misspelt(raw, "all_of"):
        # (A misspelt 'all_of' or 'phrases' is reported as the typo it is.)
        reader.missing(raw, "phrases", f"{where} needs 'all_of' groups or 'phrases' to match on")
    examples = reader.phrases(raw, "examples", where)
    if not examples:
        message = f"{where} needs 'examples': messages that must trigger it (they are tested)"
        if "examples" in raw:
            reader.add(raw.line_of("examples"), message)
        else:
            reader.missing(raw, "examples", message)
    not_examples = reader.phrases(raw, "not_examples", where)
    translations = _translations(reader, raw, where)
    history_matters = raw.get("history_matters", False)
    if not isinstance(history_matters, bool):
        reader.add(
            raw.line_of("history_matters"), f"'history_matters' in {where} must be true or false"
        )
        history_matters = False
    if rule_id is None or description is None:
        return None
    return EmergencyRule(
        id=rule_id,
        description=description,
        all_of=groups,
        phrases=phrases,
        examples=tuple(text for text, _ in examples),
        not_examples=tuple(text for text, _ in not_examples),
        message=message,
        line=raw.line,
        example_lines=tuple(line for _, line in examples),
        not_example_lines=tuple(line for _, line in not_examples),
        translations=translations,
        history_matters=history_matters,
    )


def _rules(
    reader: _Reader, top: LocatedDict
) -> tuple[tuple[EmergencyRule, ...], list[tuple[str, int, int]]]:
    """The rules, and each duplicate id with its line and the line of its first use."""
    value = top.get("rules")
    if not isinstance(value, LocatedList) or not value:
        message = "the file needs 'rules', a non-empty list of rules"
        if "rules" in top:
            reader.add(top.line_of("rules"), message)
        else:
            reader.missing(top, "rules", message)
        return (), []
    rules: list[EmergencyRule] = []
    seen: dict[str, int] = {}
    duplicates: list[tuple[str, int, int]] = []
    for index, raw in enumerate(value):
        rule = _rule(reader, raw, value.line_of(index))
        if rule is None:
            continue
        if rule.id in seen:
            duplicates.append((rule.id, rule.line, seen[rule.id]))
            continue
        seen[rule.id] = rule.line
        rules.append(rule)
    return tuple(rules), duplicates


def _read(content_dir: Path) -> tuple[EmergencyContent | None, list[Problem]]:
    """The emergency rules with the urgent tier and the language notices (None when any is
    unusable), and every problem in their schema."""
    emergency, problems = _read_rules(content_dir / EMERGENCY_FILE)
    urgent: EmergencyContent | None = None
    if (content_dir / URGENT_FILE).exists():
        urgent, urgent_problems = _read_rules(content_dir / URGENT_FILE)
        problems += urgent_problems
    notices: LanguageNotices | None = None
    if (content_dir / LANGUAGES_FILE).exists():
        notices, notice_problems = _read_notices(content_dir / LANGUAGES_FILE)
        problems += notice_problems
    if emergency is not None and urgent is not None:
        problems += _shared_rule_ids(emergency, urgent)
    if emergency is None or problems:
        return None, problems
    if urgent is not None and urgent.context is None:
        # Past history and risk questions read the same way in both tiers.
        urgent = replace(urgent, context=emergency.context)
    return replace(emergency, urgent=urgent, notices=notices), problems


def _shared_rule_ids(emergency: EmergencyContent, urgent: EmergencyContent) -> list[Problem]:
    """Urgent rules named like an emergency rule: staff notes, the Alerts page and the
    safety report name a rule by its id alone."""
    lines = {rule.id: rule.line for rule in emergency.rules}
    return [
        Problem(
            urgent.file,
            rule.line,
            f"rule id {rule.id!r} is an emergency rule's id too ({EMERGENCY_FILE} line "
            f"{lines[rule.id]}); give the urgent rule a name of its own",
        )
        for rule in urgent.rules
        if rule.id in lines
    ]


def _read_notices(path: Path) -> tuple[LanguageNotices | None, list[Problem]]:
    top, problems = read_yaml_with_problems(path)
    if problems:
        return None, problems
    reader = _Reader(display_path(path))
    if not isinstance(top, LocatedDict):
        reader.add(1, "the file must be a mapping with 'reviewed', 'notice' and 'languages'")
        return None, reader.problems
    reader.unknown_keys(top, ("reviewed", "notice", "languages"), "the file")
    review = reader.review(top)
    english = reader.message(top, "the file", required=True, key="notice", filled=True)
    _check_placeholders(reader, english, top.line_of("notice"), "'notice'")
    languages = reader.mapping(top.get("languages"), top.line_of("languages"), "'languages'")
    notices: list[LanguageNotice] = []
    for code in languages or {}:
        assert languages is not None
        where = f"language {code!r}"
        entry = reader.mapping(languages[code], languages.line_of(code), where)
        if entry is None:
            continue
        _check_language_code(reader, str(code), languages.line_of(code))
        reader.unknown_keys(entry, _NOTICE_KEYS, where)
        texts = {
            key: reader.message(entry, where, required=True, key=key, filled=True)
            for key in _NOTICE_KEYS
        }
        for key, text in texts.items():
            _check_placeholders(reader, text, entry.line_of(key), f"'{key}' in {where}")
        if all(texts.values()):
            notices.append(
                LanguageNotice(
                    language=str(code),
                    name=texts["name"] or "",
                    notice=texts["notice"] or "",
                    emergency=texts["emergency"] or "",
                    urgent=texts["urgent"] or "",
                    emergency_title=texts["emergency_title"] or "",
                    urgent_title=texts["urgent_title"] or "",
                    phone=texts["phone"] or "",
                    line=languages.line_of(code),
                )
            )
    if review is None or english is None or reader.problems:
        return None, reader.problems
    return LanguageNotices(english, tuple(notices), review, reader.file), []


def _check_language_code(reader: _Reader, code: str, line: int) -> None:
    """A notice is looked up by the code the language detection gives: under any other
    code ('ptt', 'PT', 'pt-BR') it would never be shown."""
    known = detectable_languages()
    if code in known:
        return
    base = code.lower().split("-")[0]
    meant = base if base in known else closest(code.lower(), known)
    hint = f"did you mean {meant!r}?" if meant else f"use one of {', '.join(sorted(known))}"
    reader.add(
        line,
        f"language {code!r} is never given by the language detection, so this notice would "
        f"never be shown; {hint}",
    )


def _check_placeholders(reader: _Reader, text: str | None, line: int, where: str) -> None:
    """A notice may use {number} and {phone} only; anything else would fail in a chat."""
    if text is None:
        return
    try:
        text.format(number="911", phone="555-0100")
    except (KeyError, IndexError, ValueError) as error:
        reader.add(
            line,
            f"{where} has a placeholder that cannot be filled ({error}); use only "
            "{number} and {phone}, and write a brace as {{ or }}",
        )


def _read_rules(path: Path) -> tuple[EmergencyContent | None, list[Problem]]:
    """One file of screen rules (emergency or urgent) and every problem in its schema."""
    top, problems = read_yaml_with_problems(path)
    if problems:
        return None, problems
    reader = _Reader(display_path(path))
    if not isinstance(top, LocatedDict):
        reader.add(1, "the file must be a mapping with 'reviewed', 'message' and 'rules'")
        return None, reader.problems
    reader.unknown_keys(top, _TOP_KEYS, "the file")
    review = reader.review(top)
    message = reader.message(top, "the file", required=True)
    not_typos = reader.phrases(top, "not_typos", "the file")
    not_examples = reader.phrases(top, "not_examples", "the file")
    rules, duplicates = _rules(reader, top)
    rule_ids = {rule.id for rule in rules}
    translations = _translations(reader, top, "the file")
    context = _context(reader, top)
    dangling = _calm_rules_dangling(context.grammar, rule_ids) if context is not None else []
    warning_signs = _warning_signs(reader, top)
    rule_warnings = _rule_warnings(reader, top, rule_ids, dangling)
    _report_ids(reader, duplicates, dangling)
    if review is None or message is None or not rules or reader.problems:
        return None, reader.problems
    content = EmergencyContent(
        message=message,
        rules=rules,
        reviewed=review,
        not_examples=tuple(text for text, _ in not_examples),
        not_example_lines=tuple(line for _, line in not_examples),
        not_typos=tuple(text for text, _ in not_typos),
        file=reader.file,
        translations=translations,
        context=context,
        warning_signs=warning_signs,
        rule_warnings=rule_warnings,
    )
    return content, reader.problems


def load_emergency_content(content_dir: Path) -> EmergencyContent:
    """The clinic's emergency rules and replies; `ContentError` lists every problem."""
    content, problems = _read(content_dir)
    if content is None or problems:
        raise ContentError(problems)
    return content


def read_emergency_content(content_dir: Path) -> tuple[EmergencyContent | None, list[Problem]]:
    """The screen's content (None when any file has a problem) and every problem in
    emergency.yaml, urgent.yaml and safety_languages.yaml, including examples that do not
    behave as promised."""
    content, problems = read_emergency_files(content_dir)
    if content is None:
        return None, problems
    tiers = [tier for tier in (content, content.urgent) if tier is not None]
    problems = problems + grouped_by_term(screen_problems(content), tiers, content_dir)
    return (None if problems else content), problems


def read_emergency_files(content_dir: Path) -> tuple[EmergencyContent | None, list[Problem]]:
    """The screen's content as written (None when a file breaks the schema), and every
    problem in the schema; `screen_problems` then checks the examples."""
    return _read(content_dir)


def check_emergency_content(content_dir: Path) -> list[Problem]:
    """Every problem in emergency.yaml, urgent.yaml and safety_languages.yaml."""
    return read_emergency_content(content_dir)[1]


def screen_problems(content: EmergencyContent, part: int = 0, parts: int = 1) -> list[Problem]:
    """Examples of both tiers that do not behave as promised (`example_problems`).

    With `parts` > 1, only every `parts`-th example from the `part`-th on is screened, so
    that processes can share the work; the parts together find exactly what one finds.
    """
    problems = example_problems(content, part=part, parts=parts)
    if content.urgent is not None:
        problems += example_problems(content.urgent, content, part=part, parts=parts)
    return problems


def untranslated_rules(content: EmergencyContent) -> list[Problem]:
    """Rules of either tier without words and examples in every language the bot reads.

    The bot answers French in full, so a French patient's emergency must be caught in
    French: a rule with no French terms (or French terms no example proves) would leave
    them an "I don't know". The examples themselves are screened by `screen_problems`.
    """
    problems: list[Problem] = []
    tiers = [tier for tier in (content, content.urgent) if tier is not None]
    for tier in tiers:
        for rule in tier.rules:
            sections = {section.language: section for section in rule.translations}
            for language in (code for code in READ_LANGUAGES if code != ENGLISH):
                section = sections.get(language)
                if section is None or not (section.all_of or section.phrases):
                    lack = f"no '{language}' terms"
                elif not section.examples:
                    lack = f"no '{language}' examples"
                else:
                    continue
                problems.append(
                    Problem(
                        tier.file,
                        rule.line,
                        f"rule {rule.id!r} has {lack}: the bot reads that language, so give "
                        f"the rule an '{language}:' section with 'all_of' or 'phrases' and "
                        "'examples' (messages that must trigger it; they are tested)",
                    )
                )
    return problems


def example_problems(
    content: EmergencyContent,
    outranked_by: EmergencyContent | None = None,
    *,
    part: int = 0,
    parts: int = 1,
) -> list[Problem]:
    """Examples that miss their rule, and not-examples that trigger any rule.

    Examples are screened as a patient's message is (idioms, past history and risk
    questions set apart). An urgent example the emergency screen catches is a problem too:
    emergency wins, so that example would never get the urgent reply. `part` of `parts`:
    as in `screen_problems`.
    """
    detector = content.detector()
    higher = outranked_by.detector() if outranked_by is not None else None
    # Every text to screen, in file order: (text, line, the rule it must trigger, or None
    # for a not-example, which must trigger none, and how to name its language).
    cases: list[tuple[str, int, str | None, str]] = []
    for rule in content.rules:
        for section in rule.by_language():
            where = "" if section.language == "en" else f" ({section.language})"
            for text, line in zip(section.examples, section.example_lines, strict=True):
                cases.append((text, line, rule.id, where))
            for text, line in zip(section.not_examples, section.not_example_lines, strict=True):
                cases.append((text, line, None, ""))
    file_wide = [(content.not_examples, content.not_example_lines)]
    file_wide += [(t.not_examples, t.not_example_lines) for t in content.translations]
    for texts, lines in file_wide:
        for text, line in zip(texts, lines, strict=True):
            cases.append((text, line, None, ""))
    problems: list[Problem] = []
    for text, line, rule_id, where in cases[part::parts]:
        if rule_id is None:
            hit = detector.detect(text)
            if hit is not None:
                problems.append(
                    CaughtNotExample(
                        content.file,
                        line,
                        f"not-example {text!r} triggers rule {hit.rule_id!r}; "
                        "narrow that rule's terms or list a real word under `not_typos`",
                        hit.rule_id,
                        text,
                        hit.language,
                    )
                )
        elif rule_id not in detector.screened_rule_ids(text):
            problems.append(
                Problem(
                    content.file,
                    line,
                    f"example{where} {text!r} does not trigger rule {rule_id!r}; "
                    "add a term or phrase that covers it",
                )
            )
        elif higher is not None and (above := higher.detect(text)) is not None:
            problems.append(
                Problem(
                    content.file,
                    line,
                    f"urgent example {text!r} is caught by emergency rule "
                    f"{above.rule_id!r} first; reword it or narrow that rule",
                )
            )
    return problems
