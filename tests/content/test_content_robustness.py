"""Whatever a clinic saves, the checkers report problems instead of crashing."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.content.clinic import read_clinic
from bot.content.faq_loader import read_faq

# Values a clinic might plausibly put anywhere in a YAML file.
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.dates(),
)
yaml_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["id", "question", "alternates", "answer", "entries", "hours", "on"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


def _write(text: str | bytes) -> Path:
    folder = Path(tempfile.mkdtemp())
    path = folder / "content.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=100))
def test_arbitrary_text_never_crashes_the_checkers(text: str | bytes) -> None:
    path = _write(text)
    faq, faq_problems = read_faq(path, None)
    clinic, clinic_problems = read_clinic(path)
    assert faq is None or not faq_problems
    assert clinic is None or not clinic_problems


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["entries", "synonyms", "matching"]), yaml_values))
def test_wrongly_shaped_faq_gives_problems_with_lines(data: dict[str, object]) -> None:
    path = _write(yaml.safe_dump(data))
    faq, problems = read_faq(path, None)
    assert faq is not None or problems
    assert all(problem.line >= 0 and problem.message for problem in problems)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["name", "phone", "locations", "prices", "late_cancellation_hours"]),
        yaml_values,
    )
)
def test_wrongly_shaped_clinic_gives_problems(data: dict[str, object]) -> None:
    path = _write(yaml.safe_dump(data))
    clinic, problems = read_clinic(path)
    assert clinic is None and problems
