"""`ims-bot content check`: every checker over every content file.

Each feature contributes one checker that returns all problems it finds in the content
folder; the bot refuses to start when any checker reports a problem.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.content.problems import Problem

ContentChecker = Callable[[Path], list[Problem]]


def _checkers() -> list[ContentChecker]:
    # Imported lazily so a broken feature module cannot stop the others being checked.
    from bot.content.loader import check_faq_bundle

    checkers: list[ContentChecker] = [check_faq_bundle]
    from bot.reminders.types import check_appointment_types

    checkers.append(check_appointment_types)
    from bot.safety.emergency_content import check_emergency_content

    checkers.append(check_emergency_content)
    from bot.intake.flow_file import check_intake_flow

    checkers.append(check_intake_flow)
    return checkers


def check_content(content_dir: Path) -> list[Problem]:
    """All problems in `content_dir`, sorted by file and line."""
    problems: list[Problem] = []
    for checker in _checkers():
        problems.extend(checker(content_dir))
    return sorted(problems)
