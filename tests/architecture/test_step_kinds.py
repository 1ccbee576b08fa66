"""A new intake step type touches one module: only `bot/intake/step_types.py` (its
behaviour) and `bot/intake/flow.py` (the type's name) may name a step type; everything else
in the intake reads what a type does from its kind (`kind_of(step).treatment_consent`)."""

from __future__ import annotations

import ast
from pathlib import Path

INTAKE = Path(__file__).resolve().parents[2] / "bot" / "intake"
WHERE_TYPES_LIVE = {"flow.py", "step_types.py"}


def _named_types(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        f"{path.name}:{node.lineno}: StepType.{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "StepType"
    ]


def test_only_the_step_type_modules_name_a_step_type() -> None:
    found = [
        named
        for path in sorted(INTAKE.glob("*.py"))
        if path.name not in WHERE_TYPES_LIVE
        for named in _named_types(path)
    ]
    assert found == []
    # The check reads what it should: the step-type module names every type.
    assert len(_named_types(INTAKE / "step_types.py")) >= 10
