"""A conversation between staff and a patient under an alert.

`handoffs`: a chat whose messages reach staff until a time (one row per chat).
`handoff_messages`: the conversation's messages, the text encrypted.

Revision ID: 0007_handoff_thread
Revises: 0006_cancelled_by_patient
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_handoff_thread"
down_revision = "0006_cancelled_by_patient"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoffs",
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("until", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "handoff_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sender", sa.String(16), nullable=False),
        sa.Column("author", sa.String(254), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("safety", sa.String(16), nullable=True),
    )
    op.create_index("ix_handoff_messages_event_id", "handoff_messages", ["event_id"])
    op.create_index("ix_handoff_messages_chat_id", "handoff_messages", ["chat_id"])


def downgrade() -> None:
    op.drop_table("handoff_messages")
    op.drop_table("handoffs")
