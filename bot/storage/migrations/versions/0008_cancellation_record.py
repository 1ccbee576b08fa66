"""Who cancelled an appointment, and when, for the front desk.

`appointments.cancelled_by`: "patient" (the reminder's button) or "clinic" (the export, or
a row added cancelled); `appointments.cancelled_at`: when. A row cancelled before this
revision keeps its last change as the time, and "patient" only while the patient's flag
still says so (otherwise who is not known).

Revision ID: 0008_cancellation_record
Revises: 0007_handoff_thread
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_cancellation_record"
down_revision = "0007_handoff_thread"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("cancelled_by", sa.String(16), nullable=True))
        batch.add_column(sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE appointments SET cancelled_at = updated_at, cancelled_by = CASE "
        "WHEN cancelled_by_patient THEN 'patient' ELSE NULL END WHERE status = 'cancelled'"
    )


def downgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("cancelled_at")
        batch.drop_column("cancelled_by")
