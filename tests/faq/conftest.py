"""Fixtures for FAQ matching tests: a small hand-written FAQ and the bundled content."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.faq.matcher import FaqMatcher

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = REPO_ROOT / "content"
DATA_DIR = REPO_ROOT / "tests" / "data"
HELDOUT10_FILE = DATA_DIR / "faq_heldout10.yaml"  # the bars; never used to pick a setting
HELDOUT9_FILE = DATA_DIR / "faq_heldout9.yaml"  # held out; totals seen three times
HELDOUT8_FILE = DATA_DIR / "faq_heldout8.yaml"  # its misses were read: now a tuning set
HELDOUT7_FILE = DATA_DIR / "faq_heldout7.yaml"  # its misses were read: now a tuning set
HELDOUT6_FILE = DATA_DIR / "faq_heldout6.yaml"  # picked the alternates kept: now a tuning set
HELDOUT5_FILE = DATA_DIR / "faq_heldout5.yaml"  # held out; totals seen often (see the log)
HELDOUT4_FILE = DATA_DIR / "faq_heldout4.yaml"  # held out; totals seen often (see the log)
HELDOUT3_FILE = DATA_DIR / "faq_heldout3.yaml"  # looked at in full: now a tuning set
HELDOUT2_FILE = DATA_DIR / "faq_heldout2.yaml"  # an older held-out set (totals seen often)
HELDOUT_FILE = DATA_DIR / "faq_heldout.yaml"  # the older held-out set (totals seen often)
# Tuning sets: thresholds, weights and alternates were chosen on these.
LABELLED_FILE = DATA_DIR / "faq_labelled.yaml"  # the first test set, since used for tuning
DEV_FILE = DATA_DIR / "faq_dev.yaml"
DEV2_FILE = DATA_DIR / "faq_dev2.yaml"  # rich in out-of-scope look-alikes

SMALL_FAQ: list[tuple[str, list[str]]] = [
    (
        "what_is_ims",
        ["What is IMS?", "what does IMS mean", "explain intramuscular stimulation"],
    ),
    (
        "does_it_hurt",
        ["Does IMS hurt?", "is the treatment painful", "how sore is a session"],
    ),
    (
        "needles_sterile",
        [
            "Are the needles sterile and single use?",
            "do you reuse needles",
            "are needles thrown away after each patient",
        ],
    ),
    (
        "cost",
        ["How much does a session cost?", "what is the price of treatment", "fees for IMS"],
    ),
    (
        "booking",
        ["How do I book an appointment?", "can I make a booking online", "schedule a visit"],
    ),
]
SMALL_SYNONYMS = [
    ["ims", "intramuscular stimulation", "gunn ims"],
    ["cost", "price", "fee", "fees"],
    ["appointment", "appt"],
]


@pytest.fixture
def small_matcher() -> FaqMatcher:
    """A matcher over the five-entry FAQ above at the shipped thresholds."""
    return FaqMatcher(SMALL_FAQ, SMALL_SYNONYMS)
