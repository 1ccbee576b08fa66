"""Intake: flow versions and encrypted intake sessions.

Revision ID: 0002_intake
Revises: 0001_faq
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_intake"
down_revision = "0001_faq"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "intake_flow_versions",
        sa.Column("digest", sa.String(length=64), primary_key=True),
        sa.Column("flow_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
    )
    op.create_table(
        "intake_sessions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "flow_digest",
            sa.String(length=64),
            sa.ForeignKey("intake_flow_versions.digest"),
            nullable=False,
        ),
        sa.Column("flow_version", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("appointment_ref", sa.String(length=64), nullable=True),
        sa.Column("started_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.Column("submitted_at", STAMP, nullable=True),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("summary", sa.LargeBinary(), nullable=True),
    )
    op.create_index("ix_intake_sessions_chat_id", "intake_sessions", ["chat_id"])
    op.create_index("ix_intake_sessions_status", "intake_sessions", ["status"])
    op.create_index("ix_intake_sessions_updated_at", "intake_sessions", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_intake_sessions_updated_at", table_name="intake_sessions")
    op.drop_index("ix_intake_sessions_status", table_name="intake_sessions")
    op.drop_index("ix_intake_sessions_chat_id", table_name="intake_sessions")
    op.drop_table("intake_sessions")
    op.drop_table("intake_flow_versions")
