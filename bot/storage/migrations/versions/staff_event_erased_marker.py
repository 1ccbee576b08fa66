"""An alert erased by /forget before staff handled it stays as a bare marker.

`staff_events.chat_id` may be empty (the marker names no chat); `staff_events.erased_at`:
when the patient's /forget erased what the alert said about them.

Revision ID: staff_event_erased_marker
Revises: 0005_appointment_language
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "staff_event_erased_marker"
down_revision = "0005_appointment_language"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_events") as batch:
        batch.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=True)
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.execute("DELETE FROM staff_events WHERE chat_id IS NULL")
    with op.batch_alter_table("staff_events") as batch:
        batch.drop_column("erased_at")
        batch.alter_column("chat_id", existing_type=sa.BigInteger(), nullable=False)
