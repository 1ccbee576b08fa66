"""`ims-bot faq match` and `ims-bot faq eval` through the real command line."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli.main import main

from .conftest import CONTENT_DIR

MATCH_KEYS = {
    "query",
    "decision",
    "faq_id",
    "answers",
    "score",
    "suggestions",
    "language",
    "rule",
}


def run_match(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], lines: str, *extra: str
) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(lines))
    code = main(["faq", "match", "--content", str(CONTENT_DIR), *extra])
    assert code == 0
    return capsys.readouterr().out


def test_match_json_prints_one_object_per_input_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    questions = [
        "does ims hurt",
        "",
        "what's the weather like in paris tomorrow",
        "i have crushing chest pain right now",
        "needles",
    ]
    out = run_match(monkeypatch, capsys, "\n".join(questions) + "\n", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [row["query"] for row in rows] == questions
    for row in rows:
        assert set(row) == MATCH_KEYS
        assert row["decision"] in {"answer", "suggest", "fallback", "emergency", "urgent"}
        assert (row["faq_id"] is None) == (row["decision"] != "answer")
        assert row["answers"] == ([row["faq_id"]] if row["faq_id"] else [])
        assert all(set(s) == {"faq_id", "score"} for s in row["suggestions"])
    assert rows[0]["decision"] == "answer"
    assert rows[0]["faq_id"] == "does_it_hurt"
    assert rows[1]["decision"] == "fallback"
    assert rows[2]["decision"] == "fallback"
    assert rows[3]["decision"] == "emergency"


def test_match_json_reports_what_the_patient_gets_for_small_talk_and_two_questions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    said = [
        "thanks!",
        "hi",
        "👍",
        "does it hurt and how much does it cost?",
        "how much does it cost and does it hurt?",
        "does IMS hurt and who won the hockey game last night",
    ]
    out = run_match(monkeypatch, capsys, "\n".join(said) + "\n", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["decision"], r.get("small_talk")) for r in rows[:3]] == [
        ("smalltalk", "thanks"),
        ("smalltalk", "greeting"),
        ("smalltalk", "acknowledgement"),
    ]
    assert all(r["faq_id"] is None and r["answers"] == [] for r in rows[:3])
    assert rows[3]["decision"] == "answer" and rows[3]["answers"] == ["does_it_hurt", "cost"]
    assert rows[3]["faq_id"] == "does_it_hurt"  # the first answer, for tools reading one id
    assert rows[4]["answers"] == ["cost", "does_it_hurt"]
    assert rows[5]["answers"] == ["does_it_hurt"]
    assert rows[5]["unanswered_part"] == "who won the hockey game last night"
    assert "unanswered_part" not in rows[3] and "small_talk" not in rows[3]


def test_match_without_json_prints_a_readable_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run_match(monkeypatch, capsys, "does ims hurt\n")
    assert out.startswith("answer")
    assert "does_it_hurt" in out
    assert "does ims hurt" in out
    two = run_match(monkeypatch, capsys, "hello\ndoes it hurt and how much does it cost?\n")
    first, second = two.splitlines()
    assert first.startswith("smalltalk") and "greeting" in first
    assert second.startswith("answer") and "does_it_hurt + cost" in second


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_eval_prints_rates_confusions_and_a_sweep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    labelled = write(
        tmp_path / "labels.yaml",
        '- q: "does ims hurt"\n  expect: does_it_hurt\n'
        '- q: "how much does it cost"\n  expect: cost\n'
        '- q: "who won the hockey game last night"\n  expect: fallback\n'
        '- q: "i cannot control my bladder since this morning"\n  expect: emergency\n'
        '- q: "are the needles sterile"\n  expect: booking\n',  # wrong on purpose
    )
    assert main(["faq", "eval", str(labelled), "--content", str(CONTENT_DIR)]) == 0
    out = capsys.readouterr().out
    for heading in ("answered correctly", "confidently wrong", "out of scope fell back"):
        assert heading in out
    assert "emergency recall        100.0%" in out
    assert "booking -> " in out and "are the needles sterile" in out
    assert "Threshold sweep" in out


def test_eval_json_and_tsv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    labelled = write(
        tmp_path / "labels.tsv",
        "# comment\ndoes ims hurt\tdoes_it_hurt\nwho won the game\tfallback\n",
    )
    assert main(["faq", "eval", str(labelled), "--content", str(CONTENT_DIR), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["total"] == 2
    assert report["accuracy"] == 1.0
    assert report["fallback_rate"] == 1.0
    assert report["sweep"]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("bad.yaml", "- q: ok\n  expect: cost\n- q: ''\n  expect: cost\n", "bad.yaml:3"),
        ("bad.yaml", "- q: ok\n  expect: no_such_entry\n", "bad.yaml:1: unknown expected id"),
        ("bad.yaml", "- q: [unclosed\n", "YAML syntax"),
        ("bad.tsv", "fine\tcost\nno tab here\n", "bad.tsv:2"),
        ("empty.yaml", "[]\n", "no labelled questions"),
        (
            "bad.yaml",
            "- q: ok\n  expect: cost\n- question: hi\n  expect: cost\n",
            "bad.yaml:3: this item has no `q:`; rename `question:` to `q:`",
        ),
        ("bad.yaml", "- q: ok\n", "bad.yaml:1: this item has no `expect:`; add `expect: "),
        ("bad.yaml", "- q: ok\n  expect: what_is_imss\n", "did you mean 'what_is_ims'?"),
        ("bad.yaml", "q: ok\nexpect: cost\n", "bad.yaml:1: the file must be a list of items"),
    ],
)
def test_eval_bad_file_reports_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, text: str, expected: str
) -> None:
    labelled = write(tmp_path / name, text)
    assert main(["faq", "eval", str(labelled), "--content", str(CONTENT_DIR)]) == 2
    err = capsys.readouterr().err
    assert expected in err
    # The test file is to fix, not the clinic's content.
    assert err.startswith(f"ims-bot: the test file {labelled} (not the FAQ content) has problems")


def test_eval_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["faq", "eval", str(tmp_path / "nope.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err
