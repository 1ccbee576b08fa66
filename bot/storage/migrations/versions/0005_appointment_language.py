"""The language a patient's reminders are written in (French or English).

`appointments.language`: set when the patient links their chat (their app's language),
cleared with the link by /forget.

Revision ID: 0005_appointment_language
Revises: 0004_console
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_appointment_language"
down_revision = "0004_console"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("appointments", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column("appointments", "language")
