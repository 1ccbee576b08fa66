"""The safety stage of the core: emergency and urgent screens, languages, one reply builder."""

from bot.safety.emergency import (
    EmergencyContent,
    EmergencyDetector,
    EmergencyHit,
    EmergencyRule,
)
from bot.safety.emergency_content import check_emergency_content, load_emergency_content
from bot.safety.stage import SafetyReplies, SafetyStage, build_safety_stage

__all__ = [
    "EmergencyContent",
    "EmergencyDetector",
    "EmergencyHit",
    "EmergencyRule",
    "SafetyReplies",
    "SafetyStage",
    "build_safety_stage",
    "check_emergency_content",
    "load_emergency_content",
]
