"""Who cancelled an appointment: a patient's cancellation survives a re-import.

`appointments.cancelled_by_patient`: set when the patient cancels with the reminder's
button, cleared when the clinic's export cancels or moves the appointment.

Revision ID: 0006_cancelled_by_patient
Revises: staff_event_erased_marker
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_cancelled_by_patient"
down_revision = "staff_event_erased_marker"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "appointments",
        sa.Column("cancelled_by_patient", sa.Boolean(), nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("cancelled_by_patient")
