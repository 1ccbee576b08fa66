"""Safety screens that run before any other feature sees a message."""

from bot.safety.emergency import (
    EmergencyContent,
    EmergencyDetector,
    EmergencyHit,
    EmergencyRule,
    emergency_replies,
)
from bot.safety.emergency_content import check_emergency_content, load_emergency_content

__all__ = [
    "EmergencyContent",
    "EmergencyDetector",
    "EmergencyHit",
    "EmergencyRule",
    "check_emergency_content",
    "emergency_replies",
    "load_emergency_content",
]
