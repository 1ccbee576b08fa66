"""Fixtures shared by the emergency-screen tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.safety import EmergencyDetector, SafetyStage, build_safety_stage, load_emergency_content
from bot.safety.present import PresentJudge, load_present_judge

CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"


@pytest.fixture(scope="session")
def detector() -> EmergencyDetector:
    """The screen built from the bundled content; read-only, so one serves every test."""
    return load_emergency_content(CONTENT_DIR).detector()


@pytest.fixture(scope="session")
def bundled_stage() -> SafetyStage:
    """The safety stage over the bundled content, with a sample clinic phone; read-only."""
    return build_safety_stage(load_emergency_content(CONTENT_DIR), "604-555-0123")


@pytest.fixture(scope="session")
def rules_stage() -> SafetyStage:
    """The stage with the rules alone (no learned second opinion): what the rules decide."""
    content = load_emergency_content(CONTENT_DIR)
    return build_safety_stage(content, "604-555-0123", use_second_opinion=False)


@pytest.fixture(scope="session")
def judge() -> PresentJudge:
    """The shipped "happening now?" judgement (its weights and card)."""
    found = load_present_judge()
    assert found is not None
    return found
