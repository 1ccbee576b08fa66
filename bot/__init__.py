"""IMS clinic assistant: FAQ answers, intake questionnaires and appointment reminders."""

__version__ = "0.1.0"
