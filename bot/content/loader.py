"""The whole content folder as one `ClinicContent`, and the check of faq.yaml + clinic.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.content.clinic import CLINIC_FILE, Clinic, read_clinic
from bot.content.faq_loader import FAQ_FILE, read_faq
from bot.content.model import FaqContent
from bot.content.problems import ContentError, Problem

if TYPE_CHECKING:
    from bot.safety.emergency import EmergencyContent


@dataclass(frozen=True)
class ClinicContent:
    """Everything the clinic edits: FAQ, clinic facts, emergency rules."""

    faq: FaqContent
    clinic: Clinic
    emergency: EmergencyContent


def read_faq_bundle(
    content_dir: Path, today: date | None = None
) -> tuple[FaqContent | None, Clinic | None, list[Problem]]:
    """faq.yaml and clinic.yaml from `content_dir`, with every problem in either."""
    clinic, clinic_problems = read_clinic(content_dir / CLINIC_FILE)
    faq, faq_problems = read_faq(content_dir / FAQ_FILE, clinic, today)
    return faq, clinic, sorted(clinic_problems + faq_problems)


def check_faq_bundle(content_dir: Path) -> list[Problem]:
    """Every problem in faq.yaml and clinic.yaml (emergency.yaml is checked by its owner)."""
    return read_faq_bundle(content_dir)[2]


def check_faq_confusions(content_dir: Path) -> list[Problem]:
    """Phrasings so close to another entry's that the matcher would confuse them.

    Only meaningful once faq.yaml is valid (the other checks report that first).
    """
    faq, _clinic, problems = read_faq_bundle(content_dir)
    if faq is None or problems:
        return []
    from bot.faq.confusion import check_confusable_phrasings

    return check_confusable_phrasings(faq)


def check_faq_emergency_overlap(content_dir: Path) -> list[Problem]:
    """FAQ phrasings that the emergency screen would catch (only once both files are valid)."""
    from bot.safety.emergency_content import load_emergency_content

    faq, _clinic, problems = read_faq_bundle(content_dir)
    if faq is None or problems:
        return []
    try:
        emergency = load_emergency_content(content_dir)
    except ContentError:
        return []  # reported by the emergency file's own check
    from bot.faq.confusion import check_phrasings_screened_as_emergency

    return check_phrasings_screened_as_emergency(faq, emergency.detector())


def load_content(content_dir: Path) -> ClinicContent:
    """All content in `content_dir`; raises `ContentError` listing every problem."""
    from bot.safety.emergency_content import load_emergency_content

    faq, clinic, problems = read_faq_bundle(content_dir)
    try:
        emergency = load_emergency_content(content_dir)
    except ContentError as exc:
        problems = problems + exc.problems
    if problems or faq is None or clinic is None:
        raise ContentError(problems)
    return ClinicContent(faq=faq, clinic=clinic, emergency=emergency)
