"""The shipped sample content is valid, complete and follows the clinical-safety rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.clinic_content import check_content, load_content, read_faq_bundle
from bot.config import BUNDLED_CONTENT_DIR
from bot.content.clinic import load_clinic
from bot.content.faq_loader import load_faq
from bot.content.model import FaqContent

REQUIRED_IDS = [
    "what_is_ims",
    "how_ims_works",
    "ims_vs_acupuncture",
    "ims_vs_dry_needling",
    "does_it_hurt",
    "conditions_treated",
    "neuropathic_pain_signs",
    "why_not_on_imaging",
    "number_of_sessions",
    "session_length",
    "who_performs",
    "safety_side_effects",
    "needles_sterile",
    "assessment_required",
    "what_to_wear_prepare",
    "after_treatment",
    "insurance_coverage",
    "cost",
    "booking",
    "cancel_reschedule",
    "hours_locations",
    "referral_needed",
    "pregnancy",
    "blood_thinners",
    "needle_fear",
    "immediate_results",
    "ims_effectiveness_evidence",
    "chronic_pain_cause",
    "electrical_stimulation",
    "children_age",
    "exercise_after",
    "spine_paraspinal",
    "difference_physio",
    "intake_what",
    "privacy",
    "contact_human",
]
MAX_SHIPPED_ANSWER = 900
MIN_SHIPPED_ALTERNATES = 5
# Claims a clinic's answer must never make.
FORBIDDEN = re.compile(
    r"\b(cure[sd]?|guarantee[sd]?|scientifically proven|permanent(ly)? fix"
    r"|you (have|suffer from) (a |an )?\w*\s?(neuropathy|syndrome|disorder))\b",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def faq() -> FaqContent:
    clinic = load_clinic(BUNDLED_CONTENT_DIR / "clinic.yaml")
    return load_faq(BUNDLED_CONTENT_DIR / "faq.yaml", clinic)


def test_bundled_faq_and_clinic_check_clean() -> None:
    assert read_faq_bundle(BUNDLED_CONTENT_DIR)[2] == []


def test_all_bundled_content_checks_clean_and_loads() -> None:
    assert [str(p) for p in check_content(BUNDLED_CONTENT_DIR)] == []
    content = load_content(BUNDLED_CONTENT_DIR)
    assert content.clinic.location("riverside") is not None
    assert len(content.faq.entries) >= len(REQUIRED_IDS)


def test_every_required_entry_is_present(faq: FaqContent) -> None:
    assert sorted(set(REQUIRED_IDS) - {entry.id for entry in faq.entries}) == []


def test_entries_are_rich_short_plain_and_reviewed(faq: FaqContent) -> None:
    for entry in faq.entries:
        assert len(entry.alternates) >= MIN_SHIPPED_ALTERNATES, entry.id
        assert len(entry.answer) < MAX_SHIPPED_ANSWER, entry.id
        assert "{" not in entry.answer and "}" not in entry.answer, entry.id
        assert entry.reviewed is not None and "sample" in entry.reviewed.by
        assert not FORBIDDEN.search(entry.answer), (entry.id, FORBIDDEN.search(entry.answer))


def test_categories_are_a_handful(faq: FaqContent) -> None:
    assert 4 <= len(faq.categories) <= 8


def test_safety_answer_sends_chest_symptoms_to_urgent_care(faq: FaqContent) -> None:
    entry = faq.get("safety_side_effects")
    assert entry is not None
    answer = entry.answer.lower()
    assert "chest pain" in answer and "breathless" in answer and "urgent" in answer
    assert "911" in answer


def test_evidence_answer_is_honest(faq: FaqContent) -> None:
    entry = faq.get("ims_effectiveness_evidence")
    assert entry is not None
    answer = entry.answer.lower()
    assert "limited" in answer and "short term" in answer


def test_sessions_answer_promises_no_number(faq: FaqContent) -> None:
    entry = faq.get("number_of_sessions")
    assert entry is not None
    assert "cannot promise" in entry.answer
    assert not re.search(r"\b\d+\s*(sessions|treatments|visits)\b", entry.answer)


def test_placeholders_are_filled_from_the_clinic(faq: FaqContent) -> None:
    clinic = load_clinic(BUNDLED_CONTENT_DIR / "clinic.yaml")
    hours = faq.get("hours_locations")
    booking = faq.get("booking")
    cancel = faq.get("cancel_reschedule")
    assert hours is not None and booking is not None and cancel is not None
    assert hours.answer == clinic.render_locations()
    assert "Getting here: Free parking" in hours.answer
    assert clinic.booking_url in booking.answer and clinic.phone in booking.answer
    assert clinic.cancellation_policy in cancel.answer


def test_a_clinic_changes_its_phone_in_one_place(content_dir: Path) -> None:
    clinic_file = content_dir / "clinic.yaml"
    clinic_file.write_text(
        clinic_file.read_text(encoding="utf-8").replace(
            'phone: "613-555-0142"', 'phone: "555-0199"', 1
        ),
        encoding="utf-8",
    )
    faq = load_faq(content_dir / "faq.yaml", load_clinic(clinic_file))
    booking = faq.get("booking")
    assert booking is not None and "555-0199" in booking.answer


def test_sample_clinic_is_clearly_fictional() -> None:
    clinic = load_clinic(BUNDLED_CONTENT_DIR / "clinic.yaml")
    assert "sample" in clinic.name.lower()
    assert clinic.late_cancellation_hours == 24
    assert len(clinic.locations) == 2
    for url in (
        clinic.website,
        clinic.booking_url,
        *(loc.map_url or "" for loc in clinic.locations),
    ):
        assert "example.org" in url
    for phone in (clinic.phone, *(loc.phone for loc in clinic.locations)):
        assert "555" in phone
    assert all(", ON " in location.address for location in clinic.locations)
    assert all(price.note == "sample price" for price in clinic.prices)


def test_acupuncture_is_not_a_synonym_of_ims(faq: FaqContent) -> None:
    ims_groups = [group for group in faq.synonyms if "ims" in group]
    assert len(ims_groups) == 1
    assert "acupuncture" not in ims_groups[0]


def test_every_shipped_phrasing_is_answered_by_its_own_entry() -> None:
    # No phrasing may trip the emergency screen or be claimed by another entry.
    from bot.faq.pipeline import FaqPipeline

    content = load_content(BUNDLED_CONTENT_DIR)
    pipeline = FaqPipeline.from_content(content)
    misrouted = [
        (entry.id, phrasing, decision.decision, decision.faq_id)
        for entry in content.faq.entries
        for phrasing in entry.phrasings
        if (decision := pipeline.decide(phrasing)).faq_id != entry.id
    ]
    assert misrouted == []


@pytest.mark.parametrize(
    ("said", "entry"),
    [
        # Physiotherapy itself, asked at a physiotherapy clinic: its own entries, not an IMS one.
        ("who can benefit from physio", "what_is_physiotherapy"),
        ("how soon after an injury should I start physio", "when_to_see_physio"),
        ("chiro or physio for a sore back, what's the difference", "physio_vs_other_professions"),
        ("what exercises can I do at home for my knee", "home_exercises"),
        ("can I do my appointment over video", "virtual_visits"),
        ("do you take visa", "payment_methods"),
        ("how long is the waiting list", "wait_for_appointment"),
        ("what is cupping", "what_is_cupping"),
        # The IMS questions with the same words keep their answers.
        ("who can benefit from IMS", "conditions_treated"),
        ("how is IMS different from physio", "difference_physio"),
        ("can I exercise after IMS", "exercise_after"),
        ("how do I book an appointment", "booking"),
    ],
)
def test_clinic_questions_beside_ims_reach_their_own_entries(said: str, entry: str) -> None:
    from bot.faq.reading import MessageReader

    reader = MessageReader.from_content(load_content(BUNDLED_CONTENT_DIR))
    assert reader.read(said).answers == (entry,)
