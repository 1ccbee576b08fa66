"""The flow file: the shipped flow is valid, and every kind of mistake is reported at file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.main import main
from bot.clinic_content import check_content
from bot.content.problems import ContentError
from bot.intake.flow import FlagLevel, Flow, StepType
from bot.intake.flow_file import check_intake_flow, load_flow_file
from tests.intake.kit import REPO, SHIPPED_FLOW

HEAD = """\
id: t
version: "1"
title: Test
flags:
  - id: red
    level: emergency
    label: Red
    message: Go now.
    reviewed: {by: A, on: 2026-01-01}
steps:
  - id: consent
    type: consent
    version: "v1"
    text: Agree?
"""


def problems_for(tmp_path: Path, steps: str, head: str = HEAD) -> list[str]:
    (tmp_path / "intake_flow.yaml").write_text(head + steps, encoding="utf-8")
    return [str(problem) for problem in check_intake_flow(tmp_path)]


def _ids(flow: Flow, step_id: str) -> set[str]:
    step = flow.step(step_id)
    assert step is not None, step_id
    return {option.id for option in step.options}


def test_shipped_flow_is_valid_and_covers_the_issue() -> None:
    assert check_intake_flow(REPO / "content") == []
    flow = load_flow_file(SHIPPED_FLOW).flow
    types = {step.type for step in flow.steps}
    assert types >= set(StepType) - {StepType.INFO, StepType.YESNO}
    medicines = flow.step("medicines")
    assert medicines is not None and medicines.type is StepType.TEXT and medicines.required
    assert all(
        name in medicines.text for name in ("warfarin", "aspirin", "clopidogrel", "ibuprofen")
    )
    assert {
        "bleeding", "heart", "immune", "diabetes", "allergy", "pregnant", "needle_fear",
        "seizures", "bones", "lung", "infection_site", "lymphoedema", "device", "implants",
        "recent_surgery", "bad_reaction", "none",
    } <= _ids(flow, "health_screen")  # fmt: skip
    assert {"anticoagulant", "antiplatelet", "anti_inflammatory"} <= _ids(flow, "bleeding_details")
    assert {
        "irregular_heartbeat", "angina", "heart_failure", "recent_heart_surgery",
        "uncontrolled_bp", "vascular",
    } <= _ids(flow, "heart_details")  # fmt: skip
    assert {"hiv", "hepatitis_b", "hepatitis_c", "steroids", "biologics", "radiotherapy"} <= _ids(
        flow, "immune_details"
    )
    assert {"drug", "latex", "metal", "antiseptic"} <= _ids(flow, "allergy_details")
    assert flow.step("completed_by") is not None and flow.step("completed_by").section == "about"  # type: ignore[union-attr]
    for step_id in ("aggravating", "easing", "pattern", "pain_least", "episodes"):
        assert flow.step(step_id) is not None, step_id
    consent = flow.step("treatment_consent")
    assert consent is not None and consent.type is StepType.TREATMENT_CONSENT
    assert "collapsed lung" in consent.text and "hours after" in consent.text
    assert "stop the treatment at any time" in consent.text
    levels = {flag.level for flag in flow.flags.values()}
    assert levels == set(FlagLevel)
    assert all(flag.reviewed is not None for flag in flow.flags.values())
    assert [score.id for score in flow.scores] == ["phq2"]  # the only instrument: free to use
    assert "PHQ" in SHIPPED_FLOW.read_text(encoding="utf-8").split("steps:")[0]  # terms noted


def test_no_licensed_instrument_text_in_what_patients_see() -> None:
    flow = load_flow_file(SHIPPED_FLOW).flow
    shown = " ".join(
        [step.text for step in flow.steps]
        + [option.label for step in flow.steps for option in step.options]
    ).lower()
    for name in ("dn4", "paindetect", "lanss", "s-lanss", "brief pain inventory", "bpi"):
        assert name not in shown.split() and name not in shown.replace(",", " ").split()


def test_bundled_content_check_includes_the_flow() -> None:
    # The quality checks only read the FAQ (and take seconds); the flow's checker runs either way.
    problems = check_content(REPO / "content", quality=False)
    assert [p for p in problems if "intake" in p.file] == []


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (
            "  - {id: a, type: single, text: A, options: [{id: x, label: X}],\n"
            "     when: {step: nope, equals: x}}\n",
            "intake_flow.yaml:16: step 'a': when refers to unknown step 'nope'",
        ),
        (
            "  - {id: a, type: yesno, text: A, when: {step: b, equals: true}}\n"
            "  - {id: b, type: yesno, text: B}\n",
            "intake_flow.yaml:15: step 'a': when points forward at 'b'",
        ),
        (
            "  - {id: a, type: single, text: A, options: [{id: x, label: X}]}\n"
            "  - {id: b, type: text, text: B, when: {step: a, equals: y}}\n",
            "intake_flow.yaml:16: step 'b': when: step 'a' has no option 'y'",
        ),
        (
            "  - {id: a, type: single, text: A, options: [{id: x, label: X, flag: missing}]}\n",
            "intake_flow.yaml:15: step 'a' option 'x': unknown flag 'missing'",
        ),
        (
            "  - {id: a, type: yesno, text: A}\n  - {id: a, type: yesno, text: B}\n",
            "intake_flow.yaml:16: duplicate step id 'a'",
        ),
        (
            "  - {id: a, type: slider, text: A}\n",
            "intake_flow.yaml:15: step 'a': unknown type 'slider'",
        ),
        (
            "  - {id: a, type: number, text: A, min: 10, max: 5}\n",
            "intake_flow.yaml:15: step 'a': a number step needs 'min' lower than 'max'",
        ),
        (
            "  - {id: a, type: text, text: A, answers_tell: past}\n",
            "intake_flow.yaml:15: step 'a': answers_tell must be one of history",
        ),
        (
            "  - {id: a, type: text, text: A, colour: red}\n",
            "intake_flow.yaml:15: unknown key 'colour' in step 'a' (text)",
        ),
        (
            "  - {id: a, type: scale, text: A}\n"
            "  - {id: b, type: text, text: B, when: {step: a, gt: 10}}\n",
            "intake_flow.yaml:16: step 'b' is unreachable",
        ),
        (
            "  - {id: a, type: yesno, text: A}\n"
            "  - {id: b, type: text, text: B,\n"
            "     when: [{step: a, equals: true}, {step: a, equals: false}]}\n"
            "  - {id: c, type: text, text: C, when: {step: b, answered: true}}\n",
            "intake_flow.yaml:16: step 'b' is unreachable: its 'when' conditions contradict",
        ),
        (
            "  - {id: a, type: multi, text: A, options: []}\n",
            "intake_flow.yaml:15: step 'a': a multi step needs at least one option",
        ),
        (
            "  - {id: a, type: scale, text: A}\n"
            "  - {id: b, type: text, text: B, when: {step: a, includes: x}}\n",
            "step 'b': when: a scale step",
        ),
        (  # typed, the alias would pick the first option, never the second
            "  - id: a\n    type: multi\n    text: A\n    options:\n"
            "      - {id: x, label: Low back}\n"
            "      - {id: y, label: Lumbar, aliases: [low back]}\n",
            "intake_flow.yaml:20: step 'a': 'low back' names both 'x' and 'y'",
        ),
        (
            "  - id: a\n    type: multi\n    text: A\n    options:\n"
            "      - {id: x, label: X, aliases: [done]}\n"
            "      - {id: y, label: Y, aliases: ['2']}\n",
            "intake_flow.yaml:19: step 'a': alias 'done' of 'x' is a number or a command word",
        ),
    ],
)
def test_each_mistake_is_reported_with_file_and_line(
    tmp_path: Path, steps: str, expected: str
) -> None:
    found = problems_for(tmp_path, steps)
    assert any(expected in problem for problem in found), found


@pytest.mark.parametrize(
    ("bounds", "cause"),
    [
        ("min: 0, max: 12o", "'max' in step 'a' must be a number, not '12o'"),
        ("min: ten, max: 120", "'min' in step 'a' must be a number, not 'ten'"),
        ("max: 120", "step 'a': a number step needs 'min'"),
    ],
)
def test_a_bad_number_bound_reports_its_cause_only(tmp_path: Path, bounds: str, cause: str) -> None:
    found = problems_for(tmp_path, f"  - {{id: a, type: number, text: A, {bounds}}}\n")
    about_a = [problem for problem in found if "step 'a'" in problem]
    assert len(about_a) == 1 and about_a[0].endswith(f"intake_flow.yaml:15: {cause}"), found


def test_flag_without_message_and_missing_consent(tmp_path: Path) -> None:
    head = HEAD.replace("    message: Go now.\n", "").replace(
        '  - id: consent\n    type: consent\n    version: "v1"\n    text: Agree?\n', ""
    )
    found = problems_for(tmp_path, "  - {id: a, type: yesno, text: A, yes_flag: red}\n", head=head)
    assert any("flag 'red' is missing 'message'" in p for p in found), found
    assert any("needs a consent step" in p for p in found), found


def test_yaml_syntax_error_and_wrong_shapes_do_not_crash(tmp_path: Path) -> None:
    assert "YAML syntax" in problems_for(tmp_path, "  - {id: a, type: [\n")[0]
    assert problems_for(tmp_path, "", head="- just\n- a list\n")
    assert problems_for(tmp_path, "  - 42\n  - {id: b}\n")


def test_content_check_cli_reports_flow_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    content = tmp_path / "content"
    shutil.copytree(REPO / "content", content)
    flow = content / "intake_flow.yaml"
    flow.write_text(
        flow.read_text(encoding="utf-8").replace("step: onset, any_of", "step: onsett, any_of"),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code = main(["content", "check", "--content", str(content)])
    output = capsys.readouterr()
    assert code != 0
    assert "intake_flow.yaml:" in output.out + output.err
    assert "unknown step 'onsett'" in output.out + output.err
    with pytest.raises(ContentError):
        load_flow_file(flow)


def test_a_step_that_cannot_be_read_is_the_first_problem_not_its_references(
    tmp_path: Path,
) -> None:
    # A wrong type drops the step; the rule and the later step that point at it must not be
    # reported first (or at all) as pointing at an unknown step.
    steps = (
        "  - {id: age, type: integer, text: Age?, min: 0, max: 120}\n"
        "  - {id: b, type: yesno, text: B, when: {step: age, gt: 50}}\n"
        "rules:\n"
        "  - {flag: red, when: [{step: age, gt: 50}]}\n"
    )
    found = problems_for(tmp_path, steps)
    assert found, found
    assert "unknown type 'integer'" in found[0], found
    assert not any("unknown step 'age'" in problem for problem in found), found
    # A reference to a step that is really missing is still reported.
    found = problems_for(tmp_path, steps.replace("when: {step: age,", "when: {step: agee,"))
    assert any("unknown step 'agee'" in problem for problem in found), found
