"""Length of the shipped form for three patient profiles (issue 19: the healthy adult
stays at or under 30 screens). `benchmarks/intake_length.py` prints the same table."""

from __future__ import annotations

from bot.intake.engine import Status
from bot.intake.flow_file import load_flow_file
from tests.intake.kit import SHIPPED_FLOW
from tests.intake.profiles import HEALTHY, OLDER_ANTICOAGULATED, RED_FLAGS, walk

MAX_HEALTHY_SCREENS = 30


def test_healthy_adult_takes_at_most_30_screens() -> None:
    result = walk(load_flow_file(SHIPPED_FLOW).flow, HEALTHY)
    assert result.state.status is Status.SUBMITTED
    assert result.screens <= MAX_HEALTHY_SCREENS, result.screens
    assert result.flags == () and result.messages == 0
    # Detail questions stay hidden behind "None of these".
    assert "bleeding_details" not in result.state.answers
    assert result.state.treatment_consent is not None


def test_the_anticoagulated_heart_patient_is_asked_the_details() -> None:
    result = walk(load_flow_file(SHIPPED_FLOW).flow, OLDER_ANTICOAGULATED)
    answers = result.state.answers
    assert answers["bleeding_details"] == ["anticoagulant"]
    assert answers["heart_details"] == ["irregular_heartbeat", "heart_failure"]
    assert "apixaban" in str(answers["medicines"])
    healthy = walk(load_flow_file(SHIPPED_FLOW).flow, HEALTHY)
    assert result.screens > healthy.screens  # the detail costs screens only for those who need it


def test_red_flag_patient_is_told_and_the_form_goes_on() -> None:
    result = walk(load_flow_file(SHIPPED_FLOW).flow, RED_FLAGS)
    assert result.state.status is Status.SUBMITTED
    assert {"thoracic_pain", "new_pain_over_50", "cancer_night_pain", "mood_positive"} <= set(
        result.flags
    )
    assert result.messages >= 4
