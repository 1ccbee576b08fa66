"""`ims-bot safety report` and the language and urgent fields of `ims-bot faq match --json`."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.cli.faq import match_stream
from bot.cli.safety import write_report
from bot.clinic_content import load_content
from bot.faq.pipeline import FaqPipeline
from bot.safety import build_safety_stage, load_emergency_content

CONTENT = Path(__file__).resolve().parents[2] / "content"


def test_report_lists_every_rule_language_example_and_review() -> None:
    content = load_emergency_content(CONTENT)
    out = io.StringIO()
    write_report(content, out)
    report = out.getvalue()
    assert content.urgent is not None and content.notices is not None
    for rule in (*content.rules, *content.urgent.rules):
        assert f". {rule.id} (line {rule.line})" in report
        for part in rule.by_language():
            for example in part.examples:
                assert example in report
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
