"""Reminders: remember which unknown or failed reminders staff have been told about.

Revision ID: robust_reminder_staff_notice
Revises: 0003_reminders
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "robust_reminder_staff_notice"
down_revision = "0003_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "reminders", sa.Column("staff_notified_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("staff_notified_at")
