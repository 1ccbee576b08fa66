"""Intake length: screens, taps and typed answers for three patient profiles.

Walks the shipped flow (`content/intake_flow.yaml`) with the scripted profiles in
`tests/intake/profiles.py` and prints one line per profile. The healthy adult must stay
at or under 30 screens (issue 19); `tests/intake/test_length.py` checks that bar.

    python benchmarks/intake_length.py
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bot.intake.flow_file import load_flow_file  # noqa: E402
from tests.intake.kit import SHIPPED_FLOW  # noqa: E402
from tests.intake.profiles import PROFILES, walk  # noqa: E402


def main() -> int:
    """Print the table."""
    flow = load_flow_file(SHIPPED_FLOW).flow
    print(f"flow {flow.id} v{flow.version}: {len(flow.questions)} questions in the file")
    print(f"{'profile':52} screens  taps  typed  flag messages  flags")
    for name, actions in PROFILES.items():
        result = walk(flow, actions)
        print(
            f"{name:52} {result.screens:7} {result.taps:5} {result.typed:6} "
            f"{result.messages:14}  {','.join(result.flags) or '-'}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
