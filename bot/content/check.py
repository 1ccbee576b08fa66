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


def _fingerprint(content_dir: Path) -> tuple[object, ...]:
    """Identifies the folder's current files, so an unchanged folder is checked once."""
    files = sorted(path for path in content_dir.iterdir() if path.is_file())
    return (
        str(content_dir.resolve()),
        *((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in files),
    )


# A process that loads the same unchanged folder several times (tests, the CLI) checks
# it once.
_checked: dict[tuple[object, ...], list[Problem]] = {}


def _quality_checkers() -> list[ContentChecker]:
    from bot.content.loader import check_faq_confusions, check_faq_emergency_overlap

    return [check_faq_confusions, check_faq_emergency_overlap]


def check_content(content_dir: Path, *, quality: bool = True) -> list[Problem]:
    """All problems in `content_dir`, sorted by file and line.

    `quality` adds the slower checks of content that works but would serve patients
    badly (confusable phrasings). `ims-bot content check` and CI run them; the bot's
    start-up skips them so a restart stays quick.
    """
    key = (quality, *_fingerprint(content_dir)) if content_dir.is_dir() else None
    if key is not None and key in _checked:
        return list(_checked[key])
    checkers = _checkers() + (_quality_checkers() if quality else [])
    problems: list[Problem] = []
    for checker in checkers:
        problems.extend(checker(content_dir))
    problems.sort()
    if key is not None:
        _checked[key] = list(problems)
    return problems
