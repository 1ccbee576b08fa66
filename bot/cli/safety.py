"""`ims-bot safety report`: the whole safety screen on paper, for a clinician to sign."""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from bot.cli.content import content_dir_argument
from bot.content.clinic import CLINIC_FILE, read_clinic
from bot.content.problems import display_path
from bot.intake.flow import Flow, Step
from bot.intake.flow_file import FLOW_FILE_NAME, read_flow_file
from bot.safety.emergency import EmergencyContent, EmergencyRule, RuleTerms, built_in_grammar
from bot.safety.emergency_content import load_emergency_content
from bot.safety.present import PresentJudge, load_present_judge
from bot.safety.readings import ContextGrammar
from bot.safety.second_opinion import SecondOpinion, load_second_opinion
from bot.safety.stage import SafetyReplies

EXIT_OK = 0
WIDTH = 78  # columns: the report is read on paper or in a terminal, in one sitting
RULE_LINE = "-" * WIDTH
# What a notice shows for {phone} when clinic.yaml cannot be read.
PHONE_UNREAD = "[the clinic's phone: clinic.yaml could not be read]"


def register(subparsers: Any) -> None:
    """Add the `safety` command group."""
    parser = subparsers.add_parser("safety", help="the emergency and urgent screens")
    group = parser.add_subparsers(dest="safety_command", metavar="SUBCOMMAND", required=True)
    report = group.add_parser(
        "report",
        help="print every emergency and urgent rule for review",
        description="Print every emergency and urgent rule with its terms per language, its "
        "examples and not-examples, the replies per language, the notices for other "
        "languages, the flags the intake form raises (red flags, contraindications) with "
        "their messages per language, and who reviewed each when, so a clinician can read "
        "and sign the whole screen in one sitting.",
    )
    report.add_argument("--content", metavar="DIR", help="content folder (default: CONTENT_DIR)")
    report.set_defaults(handler=run_report)


def run_report(args: argparse.Namespace) -> int:
    """`ims-bot safety report`."""
    content_dir = content_dir_argument(args)
    content = load_emergency_content(content_dir)
    clinic, _ = read_clinic(content_dir / CLINIC_FILE)
    flow_path = content_dir / FLOW_FILE_NAME
    loaded, flow_problems = read_flow_file(flow_path)
    write_report(
        content,
        sys.stdout,
        load_second_opinion(),
        load_present_judge(),
        # Notices filled in as the patient reads them (`ims-bot content check` reports a
        # broken clinic.yaml; the report still prints).
        SafetyReplies(content, clinic.phone, clinic.emergency_number)
        if clinic is not None
        else SafetyReplies(content, PHONE_UNREAD),
    )
    write_intake_flags(sys.stdout, loaded.flow if loaded else None, display_path(flow_path))
    if flow_problems:
        print(
            f"\n{display_path(flow_path)} has problems, so its flags are not listed: run "
            "`ims-bot content check`, fix them and print this report again."
        )
    return EXIT_OK


def write_report(
    content: EmergencyContent,
    out: TextIO,
    second_opinion: SecondOpinion | None = None,
    judge: PresentJudge | None = None,
    replies: SafetyReplies | None = None,
) -> None:
    """The report: emergency tier, urgent tier, the learned second opinion, context, notices.

    `replies` fills the notices' {number} and {phone} as the patient reads them (None:
    the shipped emergency number and a stand-in for the phone). Every line fits WIDTH
    columns but a single term or word longer than that; lists break between their items."""
    out.write("SAFETY SCREEN REPORT\n")
    out.write(
        _prose(
            "Every message is screened in this order: emergency rules (911), urgent rules\n"
            "(see a doctor today), then a language the bot does not read (notice), then a\n"
            "question about a risk (FAQ answer plus warning signs). A typed answer to an\n"
            "intake question about history (`answers_tell: history` in intake_flow.yaml) is\n"
            "read as past history: a rule's sign in it, emergency or urgent, gets the warning\n"
            "signs and a staff note and the form goes on, unless the answer tells something\n"
            "happening now (a `never_lowered` word, a word of now of the frames' lists, a\n"
            'present progressive, "can\'t", "I feel", someone who won\'t wake, self-harm).\n'
        )
    )
    if second_opinion is not None:
        out.write(
            _prose(
                "Beside the rules, a learned second opinion reads every message: it can raise a\n"
                "message to emergency or urgent, and never lowers what a rule decided.\n"
            )
        )
    _tier(out, "EMERGENCY RULES (reply: call 911)", content)
    if content.urgent is not None:
        _tier(
            out, "URGENT RULES (reply: see a doctor today, 811, the clinic's phone)", content.urgent
        )
    if second_opinion is not None:
        _second_opinion(out, second_opinion, content)
    if judge is not None:
        _judge(out, judge, content)
    _context(out, content)
    _notices(out, content, replies or SafetyReplies(content, PHONE_UNREAD))


def _second_opinion(out: TextIO, model: SecondOpinion, content: EmergencyContent) -> None:
    """What the model is, what it was trained on, its thresholds and its measured figures."""
    card = model.card
    out.write(f"\n\n{'=' * 78}\nLEARNED SECOND OPINION (escalate only)\n{'=' * 78}\n")
    out.write(
        _prose(
            "A statistical model (logistic regression over words, word pairs and letter groups)\n"
            "trained on the project's labelled safety messages. No rule and no clinician wrote\n"
            "its weights: read its figures below before signing. Retrain with\n"
            "`python -m bot.safety.train --loso` whenever the labelled sets change.\n\n"
        )
    )
    limits = model.thresholds
    out.write(
        _prose(
            "Where a rule's terms were found but context set them aside, where the urgent net\n"
            "sensed a problem now, or in a language other than English, it gives the emergency\n"
            f"reply when P(emergency) >= {limits.emergency:.3f} and the urgent reply when\n"
            f"P(emergency) + P(urgent) >= {limits.urgent:.3f}. In English that no rule came near,\n"
            f"only the emergency reply, when P(emergency) >= {limits.emergency_alone:.3f}.\n"
            "A self-harm cue (a plan, a means, a place, a farewell; `self_harm_cues`) counts\n"
            "as the rules coming near. Where context set a rule's terms aside, the emergency\n"
            f"reply needs P(emergency) >= {limits.emergency_set_aside:.3f}. An English answer\n"
            f"carries the warning signs when P(emergency) >= {limits.caution:.3f}, and a message\n"
            'the FAQ cannot answer gets the urgent reply in place of "I don\'t know" when\n'
            f"P(emergency) + P(urgent) >= {limits.fallback_urgent:.3f} (above 1: never).\n"
        )
    )
    cues = content.context.grammar.self_harm_cues.patterns if content.context else ()
    if cues:
        out.write("Self-harm cues (never a rule: the crisis line under any other reply):\n")
        for pattern in cues:
            out.write(_indent(pattern, "  - "))
    messages = card.get("messages", {})
    if messages:
        counts = ", ".join(f"{count} {label}" for label, count in messages.items())
        out.write(f"Trained on {counts} messages from:\n")
    for name in card.get("training_sets", []):
        out.write(_indent(f"tests/data/{name}", "  - "))
    out.write(_indent(f"Training data hash: {card.get('data_hash', '?')}", ""))
    loso = card.get("loso")
    if not loso:
        out.write("\nNo leave-one-set-out figures recorded.\n")
        return
    out.write("\nLeave-one-set-out (each set scored by a model trained without it), pooled:\n")
    for name, slices in loso.items():
        if not isinstance(slices, dict) or name == "thresholds":
            continue
        out.write(f"\n  {name}\n")
        for slice_name, figures in slices.items():
            if isinstance(figures, dict):
                figures = "; ".join(f"{k} {v}" for k, v in figures.items() if v != "-")
            out.write(_indent(f"{slice_name}: {figures}", "    "))


def _judge(out: TextIO, judge: PresentJudge, content: EmergencyContent) -> None:
    """The learned "happening now?" judgement: what it lowers, its limits, its figures."""
    card = judge.card
    out.write(f"\n\n{'=' * 78}\nNOT HAPPENING NOW: THE CAUTIOUS REPLY (learned)\n{'=' * 78}\n")
    out.write(
        _prose(
            "A second statistical model, trained only on labelled messages in which an\n"
            "emergency rule's words are found (emergencies against harmless look-alikes), over\n"
            "the words and the screen's context cues (a denial, past history, a question or a\n"
            "hypothetical, someone else, a show or a form, words of now) with its own (a time\n"
            "back, a check done, a joke, a turn to the service or a booking). When a rule\n"
            "reads an\n"
            f"emergency and this model gives P(not happening now) >= {judge.threshold:.3f}, the\n"
            "patient gets the cautious reply in place of the 911-first reply: the answer to\n"
            "the message with the warning signs, which say to call 911 if any happen now, and\n"
            "the staff chat gets a note (rule and chat, never the patient's words). It never\n"
            "lowers a message in a language other than English or French, one the second\n"
            "opinion reads as an emergency, one with a self-harm cue, a seizure or collapse\n"
            "that no context word sets in the past, a question or a frame, or one with a\n"
            "'never_lowered' pattern:\n"
        )
    )
    for pattern in content.context.grammar.never_lowered.patterns if content.context else ():
        out.write(_indent(pattern, "  - "))
    messages = card.get("messages", {})
    if messages:
        counts = ", ".join(f"{count} {label}" for label, count in messages.items())
        out.write(_indent(f"Trained on {counts} messages (a rule's words found).", ""))
    loso = card.get("loso")
    if not loso:
        out.write("\nNo leave-one-set-out figures recorded.\n")
        return
    out.write(
        _prose(
            "\nLeave-one-set-out, pooled (each set scored by a model trained without it). The\n"
            "threshold is the lowest at which no labelled emergency and no urgent problem moves\n"
            "to the cautious reply (issue 17 allows 1 in 300; what moves at that bound is not\n"
            "what a clinician would accept):\n"
        )
    )
    for line in loso.get("sweep", []):
        out.write(_indent(line, "  "))
    out.write("\nAt the chosen threshold, per language group:\n")
    for name, counts in loso.get("per language group", {}).items():
        figures = ", ".join(f"{key} {value}" for key, value in counts.items())
        out.write(_indent(f"{name}: {figures}", "  "))
    moved = loso.get("emergencies moved to the cautious reply", [])
    out.write("\nLabelled emergencies it moved to the cautious reply (each still told 911):\n")
    for text in moved or ["(none)"]:
        out.write(_indent(text, "  - "))


def _tier(out: TextIO, title: str, content: EmergencyContent) -> None:
    out.write(f"\n\n{'=' * 78}\n{title}\n{content.file}\n")
    out.write(
        _indent(f"Reviewed by {content.reviewed.by} on {content.reviewed.on.isoformat()}", "")
    )
    out.write(f"{'=' * 78}\n\nGeneral reply:\n")
    out.write(_indent(content.message, "  [en] "))
    for part in content.translations:
        if part.message:
            out.write(_indent(part.message, f"  [{part.language}] "))
    if content.not_typos:
        out.write("\nNever read as a typo:\n")
        out.write(_listed(content.not_typos, ",", "  "))
    for number, rule in enumerate(content.rules, 1):
        _rule(out, number, rule)
    _examples(out, "Ordinary messages that must trigger nothing", content.not_examples)
    for part in content.translations:
        _examples(out, f"... [{part.language}]", part.not_examples)


def _rule(out: TextIO, number: int, rule: EmergencyRule) -> None:
    out.write(f"\n{RULE_LINE}\n{number}. {rule.id} (line {rule.line})\n")
    out.write(_indent(rule.description, "   "))
    if rule.history_matters:
        out.write("   Past history does not set this rule aside.\n")
    for part in rule.by_language():
        _terms(out, part)


def _terms(out: TextIO, part: RuleTerms) -> None:
    out.write(f"\n   [{part.language}]\n")
    if part.message:
        out.write("   Reply:\n")
        out.write(_indent(part.message, "     "))
    if part.phrases:
        out.write("   Any of these phrases:\n")
        out.write(_listed(part.phrases, ";", "     "))
    if part.all_of:
        out.write("   Or one word from each group:\n")
        for group in part.all_of:
            out.write(_listed(group, " |", "     - "))
    _examples(out, "   Must trigger", part.examples)
    _examples(out, "   Must not trigger", part.not_examples)


def _examples(out: TextIO, title: str, texts: tuple[str, ...]) -> None:
    if texts:
        out.write(f"{title}:\n")
        for text in texts:
            out.write(_indent(text, "       \u2022 "))


def _context(out: TextIO, content: EmergencyContent) -> None:
    context = content.context
    out.write(f"\n\n{'=' * 78}\nWHAT IS NOT HAPPENING NOW ({content.file}, 'context')\n")
    if context is None:
        out.write("No context phrases: every rule hit is answered.\n")
        return
    for title, texts in (
        ("Set aside before the rules run (figures of speech, other meanings)", context.set_aside),
        ("Past history (no emergency unless a 'now' phrase is also there)", context.past),
        ("Questions about a risk (FAQ answer plus warning signs)", context.questions),
        ("Happening now (always escalates)", context.present),
        ("A report, not a question", context.first_person),
    ):
        out.write(f"\n{title}:\n")
        out.write(_listed(texts, ";", "  "))
    _grammar(out, context.grammar)
    out.write("\nBuilt into the screen (code, not content):\n")
    for title, text in built_in_grammar():
        out.write(_indent(f"{title}: {text}", "  "))
    out.write("\nWarning signs shown under a risk answer:\n")
    for language, text in content.warning_signs.items():
        out.write(_indent(text, f"  [{language}] "))
    for rule_id, signs in content.rule_warnings.items():
        out.write(f"\nInstead, for {rule_id} read as not happening now:\n")
        for language, text in signs.items():
            out.write(_indent(text, f"  [{language}] "))


def _grammar(out: TextIO, grammar: ContextGrammar) -> None:
    """The clinic's word patterns: figures of speech, calm readings, settled states."""
    out.write(
        _prose(
            "\nWord patterns ({list} = a word list below, (a|b) = one of them, x? = may be left "
            "out, ...3 = up to three other words, !(a|b) x = x not right after a or b, "
            "=> = what must follow, #+ = a number in digits, # in a word = one digit):\n"
        )
    )
    for figure in grammar.figures_of_speech:
        out.write(_prose(f"\n  Figure of speech, set aside (line {figure.line}): {figure.name}\n"))
        _patterns(out, figure.patterns.patterns)
        if figure.unless.patterns:
            out.write("    unless one of these is found:\n")
            _patterns(out, figure.unless.patterns)
    for reading in grammar.calm_readings:
        out.write(_prose(f"\n  Calm reading (line {reading.line}): {reading.name}\n"))
        out.write(
            _prose(
                f"    The rules {', '.join(reading.rules)} do not fire when each line is found:\n"
            )
        )
        for part in reading.all_of:
            out.write(_indent(" | ".join(part.patterns), "      - "))
        if reading.none_of.patterns:
            out.write("    and none of these is:\n")
            _patterns(out, reading.none_of.patterns)
    for frame in grammar.frames:
        out.write(_prose(f"\n  Frame (line {frame.line}): {frame.name}\n"))
        out.write("    A sentence telling a sign with one of these is calm:\n")
        _patterns(out, frame.markers.patterns)
        if frame.signs.patterns:
            out.write("    only for these sign words:\n")
            _patterns(out, frame.signs.patterns)
    if grammar.frames:
        out.write(
            _prose(
                "\n  A frame breaks (the sign is a report) when the clause telling the sign, or "
                "the one before it, has one of these, or a present progressive ('is buckling'):\n"
            )
        )
        _patterns(out, grammar.frame_breakers.patterns)
    net = grammar.urgent_net
    if net is not None:
        out.write(
            _prose(
                f"\n  Urgent net (line {net.line}): {net.name}. A message no rule and no FAQ entry "
                "answers gets the urgent reply when each line is found:\n"
            )
        )
        for part in net.all_of:
            out.write(_indent(" | ".join(part.patterns), "      - "))
        if net.none_of.patterns:
            out.write("    and none of these is (nor past history, a risk question or a frame):\n")
            _patterns(out, net.none_of.patterns)
    for title, found in (
        ("Settled (past history unless a word below is told)", grammar.settled),
        ("...unless", grammar.settled_unless),
        ("Now, even beside history words", grammar.now_despite_history),
        (
            "An answer to a question about history is history when it tells one of these",
            grammar.told_history,
        ),
        ("...unless it turns to now with one of these", grammar.turn_to_now),
    ):
        if found.patterns:
            out.write(f"\n  {title}:\n")
            _patterns(out, found.patterns)
    if grammar.word_lists.by_name:
        out.write("\n  Word lists:\n")
    for name, languages in grammar.word_lists.by_name.items():
        for language, words in languages.items():
            out.write(_listed(words, ";", f"    {{{name}}} [{language}] "))


def _prose(text: str) -> str:
    """Text broken by hand, reflowed to WIDTH: its leading and trailing blank lines and
    paragraph breaks kept, each paragraph under its first line's indent."""
    body = text.strip("\n")
    head = "\n" * (len(text) - len(text.lstrip("\n")))
    tail = "\n" * max(len(text) - len(text.rstrip("\n")) - 1, 0)
    paragraphs = [
        _indent(paragraph, " " * (len(paragraph) - len(paragraph.lstrip(" "))))
        for paragraph in re.split(r"\n\s*\n", body)
    ]
    return head + "\n".join(paragraphs) + tail


def _patterns(out: TextIO, patterns: tuple[str, ...]) -> None:
    for pattern in patterns:
        out.write(_indent(pattern, "      \u2022 "))


def _notices(out: TextIO, content: EmergencyContent, replies: SafetyReplies) -> None:
    notices = content.notices
    out.write(f"\n\n{'=' * 78}\nOTHER LANGUAGES\n")
    if notices is None:
        out.write("No notices file: other languages get the English notice only.\n")
        return
    out.write(f"{notices.file}\n")
    out.write(
        _indent(f"Reviewed by {notices.reviewed.by} on {notices.reviewed.on.isoformat()}", "")
        + "\n"
    )
    out.write(_indent(replies.filled(notices.notice), "  [en] "))
    for notice in notices.notices:
        out.write(f"\n  {notice.language} - {notice.name} (line {notice.line})\n")
        out.write(_indent(replies.filled(notice.notice), "    notice:    "))
        emergency = f"{notice.emergency_title}: {replies.filled(notice.emergency)}"
        out.write(_indent(emergency, "    emergency: "))
        urgent = f"{notice.urgent_title}: {replies.filled(notice.urgent)}"
        out.write(_indent(urgent, "    urgent:    "))
        out.write(_indent(replies.filled(notice.phone), "    phone:     "))


# The intake's section whose answers the clinician reads as contraindications and
# precautions before needling (intake_flow.yaml's `section: needling_safety`).
NEEDLING_SAFETY_SECTION = "needling_safety"


def write_intake_flags(out: TextIO, flow: Flow | None, file: str) -> None:
    """The flags the intake form raises (red flags first: the form stops at an emergency
    one) and the needling-safety questions whose answers the clinician reads as
    contraindications, each in every language the patient may read them in."""
    if flow is None:
        return
    out.write(f"\n\n{'=' * 78}\nINTAKE FORM: FLAGS AND NEEDLING SAFETY\n{file}\n{'=' * 78}\n")
    out.write(
        _prose(
            "A flag is raised by an answer of the intake form. Emergency: the form stops,\n"
            "the patient is shown the message (call 911) and staff are alerted. Urgent: the\n"
            "patient is shown the message, the form goes on and the flag heads the\n"
            "clinician's summary. Attention: for the clinician only.\n"
        )
    )
    languages = {flow.language: flow, **flow.translations}
    order = {"emergency": 0, "urgent": 1, "attention": 2}
    flags = sorted(flow.flags.values(), key=lambda flag: order.get(flag.level.value, 3))
    for number, flag in enumerate(flags, 1):
        out.write(f"\n{RULE_LINE}\n")
        out.write(_indent(f"{flag.id} ({flag.level.value.upper()}): {flag.label}", f"{number}. "))
        if flag.reviewed is not None:
            reviewed = f"Reviewed by {flag.reviewed.by} on {flag.reviewed.on.isoformat()}"
            out.write(_indent(reviewed, "   "))
        raised = _raised_by(flow, flag.id, languages)
        out.write("   Raised by:\n")
        for line in raised or ["(no answer raises it: a flag nothing uses)"]:
            out.write(_indent(line, "     - "))
        for language, translated in languages.items():
            message = translated.flags.get(flag.id)
            if message is not None:
                out.write(_indent(message.message, f"   [{language}] "))
    out.write(f"\n{RULE_LINE}\nNEEDLING SAFETY (contraindications and precautions)\n")
    out.write(
        _prose(
            "Every answer to these questions other than none is listed to the clinician as\n"
            "a precaution before needling; a flag beside an answer is raised as above.\n"
        )
    )
    for step in flow.steps:
        if step.section != NEEDLING_SAFETY_SECTION:
            continue
        out.write("\n" + _indent(f"{step.id} (line {step.line}): {step.short}", "   "))
        for language, translated in languages.items():
            shown = translated.step(step.id)
            if shown is None:
                continue
            out.write(_indent(shown.asked, f"     [{language}] "))
            for option in shown.options:
                english = step.option(option.id)  # flags are set in the English file
                flagged = f" [flag: {english.flag}]" if english and english.flag else ""
                out.write(_indent(f"{option.label}{flagged}", "         \u2022 "))


def _raised_by(flow: Flow, flag_id: str, languages: dict[str, Flow]) -> list[str]:
    """Which answers raise `flag_id`: an option (in each language), a yes, a score band,
    a combination of answers."""
    found: list[str] = []
    for step in flow.steps:
        for option in step.options:
            if option.flag == flag_id:
                words = " / ".join(
                    f"[{language}] {_option_label(translated.step(step.id), option.id)}"
                    for language, translated in languages.items()
                )
                found.append(f"{step.id} (line {step.line}), the answer {words}")
        if step.yes_flag == flag_id:
            found.append(f"{step.id} (line {step.line}), the answer yes: {step.asked}")
    for score in flow.scores:
        for band in score.bands:
            if band.flag == flag_id:
                found.append(f"score {score.id} ({score.title}) from {band.low:g} to {band.high:g}")
    for rule in flow.rules:
        if rule.flag == flag_id:
            when = "; ".join(
                f"{c.step} {c.op.value}" + (f" {c.value}" if c.value is not None else "")
                for c in rule.when
            )
            found.append(f"the answers together (line {rule.line}): {when}")
    return found


def _option_label(step: Step | None, option_id: str) -> str:
    option = step.option(option_id) if step is not None else None
    return option.label if option is not None else option_id


def _indent(text: str, prefix: str) -> str:
    """`text` after `prefix`, wrapped at WIDTH under a hanging indent."""
    return _wrapped(text.split(), prefix)


def _listed(items: Sequence[str], separator: str, prefix: str) -> str:
    """`items` joined by `separator`, wrapped between items only: a term is never cut."""
    pieces = [f"{' '.join(item.split())}{separator.rstrip()}" for item in items[:-1]]
    return _wrapped([*pieces, " ".join(items[-1].split())] if items else [], prefix)


def _wrapped(pieces: Iterable[str], prefix: str) -> str:
    """`pieces` after `prefix`, a space between them, in lines of at most WIDTH columns (a
    piece wider than a line stands alone; one in a script without spaces is cut)."""
    hang = " " * _columns(prefix)
    lines: list[str] = []
    line, fresh = prefix, True
    for piece in pieces:
        for part in _cut(piece, WIDTH - len(hang)):
            if not fresh and _columns(line) + 1 + _columns(part) > WIDTH:
                lines.append(line)
                line = hang + part
            else:
                line += part if fresh else f" {part}"
            fresh = False
    lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


def _cut(piece: str, room: int) -> list[str]:
    """`piece` in parts of at most `room` columns when it is written without spaces (as
    Chinese is) or is a pattern's alternatives; any other long piece (a term, a web
    address) whole."""
    if _columns(piece) <= room:
        return [piece]
    if any(_columns(ch) == 2 for ch in piece):
        units = list(piece)
    elif "|" in piece:  # a pattern's alternatives "(a|b|c)": cut after a bar
        units = [f"{unit}|" for unit in piece.split("|")]
        units[-1] = units[-1][:-1]
    else:
        return [piece]
    parts, part = [], ""
    for unit in units:
        if part and _columns(part + unit) > room:
            parts.append(part)
            part = ""
        part += unit
    return [*parts, part]


def _columns(text: str) -> int:
    """How many terminal columns `text` takes (wide East Asian characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
