"""Staff told of unknown/failed reminders; unanswered questions erasable by /forget.

`reminders.staff_notified_at`: when staff were told a reminder may not have arrived.
`unanswered_questions.asker`: a one-way pseudonym of the asking chat (for /forget).

Revision ID: robust_delivery_and_forget
Revises: 0003_reminders
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "robust_delivery_and_forget"
down_revision = "0003_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "reminders", sa.Column("staff_notified_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("unanswered_questions", sa.Column("asker", sa.String(32), nullable=True))
    op.create_index("ix_unanswered_questions_asker", "unanswered_questions", ["asker"])


def downgrade() -> None:
    op.drop_index("ix_unanswered_questions_asker", table_name="unanswered_questions")
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_column("asker")
    with op.batch_alter_table("reminders") as batch:
        batch.drop_column("staff_notified_at")
