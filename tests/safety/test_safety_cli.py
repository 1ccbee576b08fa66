"""`ims-bot safety report` and the language and urgent fields of `ims-bot faq match --json`."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from pathlib import Path

import pytest

from bot.cli.faq import match_stream
from bot.cli.main import main
from bot.cli.safety import write_report
from bot.clinic_content import load_content
from bot.content.clinic import CLINIC_FILE, load_clinic
from bot.faq.pipeline import FaqPipeline
from bot.intake.flow_file import FLOW_FILE_NAME, load_flow_file
from bot.safety import build_safety_stage, load_emergency_content
from bot.safety.stage import SafetyReplies

CONTENT = Path(__file__).resolve().parents[2] / "content"
PAGE = 78  # columns of a terminal or a printed page


def _columns(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_report_lists_every_rule_language_example_and_review() -> None:
    content = load_emergency_content(CONTENT)
    out = io.StringIO()
    write_report(content, out)
    report = out.getvalue()
    flowing = " ".join(report.split())  # examples are wrapped at the page's width
    assert content.urgent is not None and content.notices is not None
    for rule in (*content.rules, *content.urgent.rules):
        assert f". {rule.id} (line {rule.line})" in report
        for part in rule.by_language():
            for example in part.examples:
                assert " ".join(example.split()) in flowing
    assert report.count("Reviewed by") == 3  # emergency, urgent, notices
    for notice in content.notices.notices:
        assert f"{notice.language} - {notice.name}" in report
    assert "[fr]" in report and "[zh]" in report and "Past history" in report


def test_match_json_names_the_language_and_the_urgent_tier() -> None:
    content = load_content(CONTENT)
    stage = build_safety_stage(content.emergency, content.clinic.phone)
    lines = io.StringIO(
        "what is ims\nj'ai mal à la poitrine\nthe needle site is oozing pus\n"
        "hola, ¿cuánto cuesta una sesión?\n"
    )
    out = io.StringIO()
    match_stream(FaqPipeline.from_content(content), lines, out, True, stage)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["decision"], r["language"]) for r in rows] == [
        ("answer", "en"),
        ("emergency", "fr"),
        ("urgent", "en"),
        ("fallback", "es"),
    ]
    assert rows[1]["rule"] == "chest_pain" and rows[2]["rule"] == "needle_site_infection"


def test_match_json_gives_an_unplaced_urgent_problem_the_urgent_decision() -> None:
    content = load_content(CONTENT)
    stage = build_safety_stage(content.emergency, content.clinic.phone)
    lines = io.StringIO(
        "my calf is swollen since yesterday and I fly a lot\nwhat's the wifi password\n"
    )
    out = io.StringIO()
    match_stream(FaqPipeline.from_content(content), lines, out, True, stage)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(r["decision"], r["rule"]) for r in rows] == [
        ("urgent", "calf_swelling, unplaced"),
        ("fallback", None),
    ]


def test_match_json_says_when_the_warning_signs_follow_the_answer() -> None:
    content = load_content(CONTENT)
    stage = build_safety_stage(content.emergency, content.clinic.phone)
    lines = io.StringIO(
        "I had crushing chest pain two years ago, it was muscular. can IMS help my back?\n"
        "can IMS help my back?\n"
    )
    out = io.StringIO()
    match_stream(FaqPipeline.from_content(content), lines, out, True, stage)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert rows[0]["decision"] == "answer" and rows[0]["warning_signs"] is True
    assert rows[1]["decision"] == "answer" and "warning_signs" not in rows[1]


def test_report_reads_in_one_sitting_with_notices_as_patients_see_them() -> None:
    content = load_emergency_content(CONTENT)
    clinic = load_clinic(CONTENT / CLINIC_FILE)
    out = io.StringIO()
    write_report(content, out, replies=SafetyReplies(content, clinic.phone, "911"))
    report = out.getvalue()
    assert "{number}" not in report and "{phone}" not in report
    assert content.notices is not None
    unspaced = "".join(report.split())  # wrapped, and Chinese or Japanese cut anywhere
    for notice in content.notices.notices:
        for text in (notice.notice, notice.emergency, notice.urgent):
            filled = text.replace("{number}", "911").replace("{phone}", clinic.phone)
            assert "".join(filled.split()) in unspaced
    # Every line fits the page, but a single term or word that is wider on its own.
    for line in report.splitlines():
        if _columns(line) > PAGE:
            assert " " not in line.lstrip(" -\u2022"), line
    # Lists break between their items: every term stands whole on one line.
    grammar = content.context.grammar if content.context else None
    lists = [words for lists in grammar.word_lists.by_name.values() for words in lists.values()]
    for tier in (content, content.urgent):
        assert tier is not None
        for rule in tier.rules:
            for part in rule.by_language():
                lists += [part.phrases, *part.all_of]
    shown: set[str] = set()
    for line in report.splitlines():
        body = line.strip().removeprefix("- ")
        body = re.sub(r"^\{\w+\} \[[\w-]+\] ", "", body)  # a word list's "{name} [en] "
        shown.update(item.rstrip(";|").rstrip() for item in re.split(r"; | \| ", body))
    missing = [term for terms in lists for term in terms if " ".join(term.split()) not in shown]
    assert missing == []


def test_report_lists_the_intake_forms_flags_and_needling_safety_per_language(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What the form raises is clinical wording too: the clinician signing the report
    reads each flag, what raises it and its message in English and French."""
    assert main(["safety", "report", "--content", str(CONTENT)]) == 0
    report = capsys.readouterr().out
    flowing = " ".join(report.split())
    assert "INTAKE FORM: FLAGS AND NEEDLING SAFETY" in report
    loaded = load_flow_file(CONTENT / FLOW_FILE_NAME)
    flow, french = loaded.flow, loaded.flow.translations["fr"]
    section = flowing[flowing.index("INTAKE FORM: FLAGS") :]
    for flag in flow.flags.values():
        assert f"{flag.id} ({flag.level.value.upper()}): {' '.join(flag.label.split())}" in section
        assert f"[en] {' '.join(flag.message.split())}" in section
        assert f"[fr] {' '.join(french.flags[flag.id].message.split())}" in section
    assert "(no answer raises it" not in section  # every flag of the sample is used
    red = section.index("cauda_equina (EMERGENCY)")
    assert red < section.index("(URGENT)") < section.index("(ATTENTION)")
    # The contraindications: each needling-safety answer, in both languages.
    screen = flow.step("health_screen")
    french_screen = french.step("health_screen")
    assert screen is not None and french_screen is not None
    for option in (*screen.options, *french_screen.options):
        assert " ".join(option.label.split()) in section
    assert all(_columns(line) <= PAGE for line in report.splitlines()[-400:])
