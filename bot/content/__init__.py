"""Clinic-editable content: loading YAML with line numbers, models and checks."""
