"""`ims-bot faq ...`: matching, evaluation and the unanswered-question log."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

from bot.cli.content import content_dir_argument
from bot.cli.faq_freeze import register_freeze
from bot.cli.faq_tune import register_tune
from bot.cli.faq_unanswered import register_unanswered
from bot.clinic_content import load_content
from bot.config import SEMANTIC_MODES, data_dir_setting, environment, parse_semantic_mode
from bot.content.model import FaqContent
from bot.faq.encoder_tuning import choose_faq_encoder
from bot.faq.evaluation import (
    check_labels,
    format_report,
    load_labelled,
    report_as_dict,
    run_questions,
    summarise,
    sweep,
)
from bot.faq.french import FRENCH, FrenchFaq, french_faq
from bot.faq.matcher import Candidate
from bot.faq.pipeline import FaqPipeline
from bot.faq.reading import FaqReading, MessageReader
from bot.faq.semantic import PhrasingVectorCache
from bot.safety.stage import SafetyStage, build_safety_stage

EXIT_OK = 0
TABLE_QUERY_WIDTH = 60


def register(subparsers: Any) -> None:
    """Add the `faq` command group."""
    parser = subparsers.add_parser("faq", help="FAQ matching, evaluation and unanswered questions")
    group = parser.add_subparsers(dest="faq_command", metavar="SUBCOMMAND", required=True)
    _register_match(group)
    _register_eval(group)
    register_tune(group)
    register_freeze(group)
    register_unanswered(group)


def _add_content_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--content", metavar="DIR", help="content folder (default: CONTENT_DIR)")
    parser.add_argument(
        "--semantic",
        choices=SEMANTIC_MODES,
        help="blend in the sentence-embedding model: auto (when installed), on or off "
        "(default: SEMANTIC_MATCHING, else auto)",
    )


def _register_match(group: Any) -> None:
    match = group.add_parser(
        "match",
        help="match questions read from standard input, one per line",
        description="Read one message per line from standard input and print what the "
        "patient would get, as it arrives: answer (with every answer of a two-part question), "
        "suggest, fallback, smalltalk, emergency or urgent, with the language each message was "
        "read as.",
    )
    _add_content_option(match)
    match.add_argument("--json", action="store_true", help="print one JSON object per line")
    match.set_defaults(handler=run_match)


def _register_eval(group: Any) -> None:
    evaluate = group.add_parser(
        "eval",
        help="quality report for a labelled question file",
        description="Report accuracy, confidently-wrong and fallback rates, confusions and a "
        "threshold sweep for a labelled file: a YAML list of {q: ..., expect: <id>|fallback|"
        "emergency} items, or a .tsv file of `question<TAB>expected` lines.",
    )
    evaluate.add_argument("file", type=Path, help="labelled questions (.yaml or .tsv)")
    _add_content_option(evaluate)
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.set_defaults(handler=run_eval)


def _pipeline(args: argparse.Namespace) -> FaqPipeline:
    content_dir = content_dir_argument(args)
    env = environment()  # only the settings used here: a bad token must not stop `faq`
    mode = args.semantic or parse_semantic_mode(env.get("SEMANTIC_MATCHING", ""))
    data_dir = data_dir_setting(env)
    content = load_content(content_dir)
    encoder = choose_faq_encoder(mode, content.faq, data_dir)
    return FaqPipeline.from_content(content, encoder, PhrasingVectorCache(data_dir))


@dataclass(frozen=True)
class MatchReport:
    """What `faq match` reports for one message: what the patient would get."""

    decision: str  # answer, suggest, fallback, smalltalk, emergency or urgent
    score: float
    answers: tuple[str, ...] = ()  # entries answered, in the order asked (two at most)
    suggestions: tuple[Candidate, ...] = ()  # "did you mean" (with an answer: for the rest)
    language: str = "en"
    rule: str | None = None  # the safety rule, for emergency or urgent
    small_talk: str | None = None  # its kind, for smalltalk
    unanswered_part: str | None = None  # the part of a two-part message the FAQ cannot answer
    # A language the bot does not read: the notice (naming 911) is the first reply, and the
    # FAQ's reply to the message's English words (`after_notice`, its decision) may follow.
    notice: bool = False
    after_notice: str | None = None
    # A danger sign read as not happening now (history, a risk question, a joke): the
    # warning signs, naming 911, follow the reply.
    warning_signs: bool = False
    # Why the reply is cautious where a rule read an emergency ("not_present": the learned
    # judgement read it as not happening now); `rule` names the rule.
    caution: str | None = None

    @classmethod
    def of(cls, reading: FaqReading, language: str = "en") -> MatchReport:
        """The report of the FAQ's reading of a message."""
        kind = "smalltalk" if reading.kind == "small_talk" else reading.kind
        return cls(
            kind,
            reading.score,
            reading.answers,
            reading.suggestions,
            language,
            small_talk=reading.small_talk,
            unanswered_part=reading.unanswered_part,
        )


def match_as_dict(query: str, report: MatchReport) -> dict[str, Any]:
    """The JSON line `faq match --json` prints for one message. `decision`, `faq_id` (the
    first answer), `score`, `suggestions`, `language` and `rule` keep their meaning for one
    answer; `answers` lists every answer, and `small_talk` / `unanswered_part` are added
    when they apply."""
    line: dict[str, Any] = {
        "query": query,
        "decision": report.decision,
        "faq_id": report.answers[0] if report.answers else None,
        "answers": list(report.answers),
        "score": round(report.score, 4),
        "suggestions": [
            {"faq_id": c.faq_id, "score": round(c.score, 4)} for c in report.suggestions
        ],
        "language": report.language,
        "rule": report.rule,
    }
    if report.small_talk is not None:
        line["small_talk"] = report.small_talk
    if report.unanswered_part is not None:
        line["unanswered_part"] = report.unanswered_part
    if report.notice:
        line["notice"] = True
    if report.after_notice is not None:
        line["after_notice"] = report.after_notice
    if report.warning_signs:
        line["warning_signs"] = True
    if report.caution is not None:
        line["caution"] = report.caution
    return line


def screened_report(
    stage: SafetyStage, reader: MessageReader, query: str, french: FrenchFaq | None = None
) -> MatchReport:
    """What the bot does with `query`, as a patient would see it: the safety stage first
    (emergency or urgent; a language it does not read falls back with a notice), then the
    FAQ's reading of the message (small talk, one or two questions), as in the chat: a
    message read as French from the `french` wordings, when the clinic has them."""
    verdict = stage.screen(query)
    language = verdict.language if verdict is not None else stage.language_of(query).code
    if verdict is not None and verdict.level in ("emergency", "urgent"):
        return MatchReport(verdict.level, 1.0, language=verdict.language, rule=verdict.rule_id)
    if verdict is not None and verdict.level == "notice":
        # The notice (naming 911) comes first; a confident answer to the English words
        # follows it, and nothing else does.
        if verdict.features_answer:
            below = MatchReport.of(reader.read_question(query), language)
            if below.decision == "answer":
                return replace(below, decision="fallback", notice=True, after_notice="answer")
        return MatchReport("fallback", 0.0, language=language, notice=True)
    if french is not None and language == FRENCH:
        report = MatchReport.of(french.read(query), language)
    else:
        report = MatchReport.of(reader.read_question(query), language)
    if verdict is not None and verdict.level == "caution":
        report = replace(report, warning_signs=True)
        if verdict.caution is not None:
            report = replace(report, caution=verdict.caution, rule=verdict.rule_id)
    if report.decision == "fallback":
        # As in the chat: an urgent problem the screen cannot place is not "I don't know".
        placed = stage.replies.fallback_tier(query)
        if placed is not None:
            level, unplaced = placed
            return MatchReport(level, 1.0, language=language, rule=f"{unplaced}, unplaced")
    return report


def _table_line(query: str, report: MatchReport) -> str:
    shown = query if len(query) <= TABLE_QUERY_WIDTH else query[: TABLE_QUERY_WIDTH - 1] + "…"
    if report.answers:
        target = " + ".join(report.answers)
    elif report.decision == "suggest":
        target = ", ".join(f"{c.faq_id} {c.score:.2f}" for c in report.suggestions)
    elif report.decision in ("emergency", "urgent"):
        target = report.rule or ""
    elif report.decision == "smalltalk":
        target = report.small_talk or ""
    else:
        target = "-"
    if report.unanswered_part is not None:
        target += " (the rest not answered)"
    return f"{report.decision:<9} {report.score:4.2f}  {target:<40}  {shown}"


def match_stream(
    pipeline: FaqPipeline,
    lines: TextIO,
    out: TextIO,
    as_json: bool,
    stage: SafetyStage | None = None,
    faq: FaqContent | None = None,
    french: FrenchFaq | None = None,
) -> None:
    """Answer each input line as it arrives, flushing after every output line."""
    reader = MessageReader(pipeline.matcher, pipeline.detector, faq)
    for raw in lines:
        query = raw.rstrip("\r\n")
        if stage is None:
            reading = reader.read(query)
            report = MatchReport.of(reading)
        else:
            report = screened_report(stage, reader, query, french)
        if as_json:
            out.write(json.dumps(match_as_dict(query, report), ensure_ascii=False) + "\n")
        else:
            out.write(_table_line(query, report) + "\n")
        out.flush()


def run_match(args: argparse.Namespace) -> int:
    """`ims-bot faq match`."""
    content_dir = content_dir_argument(args)
    content = load_content(content_dir)
    stage = build_safety_stage(
        content.emergency, content.clinic.phone, content.clinic.emergency_number
    )
    french = french_faq(content.faq_fr, content.faq) if content.faq_fr is not None else None
    match_stream(_pipeline(args), sys.stdin, sys.stdout, args.json, stage, content.faq, french)
    return EXIT_OK


def run_eval(args: argparse.Namespace) -> int:
    """`ims-bot faq eval FILE`."""
    questions = load_labelled(args.file)
    pipeline = _pipeline(args)
    check_labels(args.file, questions, pipeline.matcher.faq_ids)
    outcomes = run_questions(pipeline, questions)
    thresholds = pipeline.matcher.thresholds
    report = summarise(outcomes, thresholds)
    rows = sweep(outcomes, thresholds)
    encoder = pipeline.matcher.encoder_name
    matcher = f"lexical + {encoder}" if encoder else "lexical only"
    if args.json:
        document = {"matcher": matcher, **report_as_dict(report, thresholds, rows)}
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print(f"Matcher: {matcher}")
        print(format_report(report, thresholds, rows))
    return EXIT_OK
