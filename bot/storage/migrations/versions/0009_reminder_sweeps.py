"""When the bot last swept the reminder outbox, so the console can say none runs.

`reminder_sweeps`: one row (id 1, no time until the first sweep), the time of the last
sweep by a sender that reaches every patient (`ims-bot run`); the shell's own-chat sweeps
do not count.

Revision ID: 0009_reminder_sweeps
Revises: 0008_cancellation_record
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_reminder_sweeps"
down_revision = "0008_cancellation_record"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sweeps = op.create_table(
        "reminder_sweeps",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("swept_at", sa.DateTime(timezone=True), nullable=True),
    )
    # The one row exists from the start, so a sweep only ever updates it (two senders on
    # one database never race to insert it).
    op.bulk_insert(sweeps, [{"id": 1, "swept_at": None}])


def downgrade() -> None:
    op.drop_table("reminder_sweeps")
