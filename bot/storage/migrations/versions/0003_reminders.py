"""Reminders: appointments, one-time link tokens and the reminder outbox.

Revision ID: 0003_reminders
Revises: 0001_faq
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_reminders"
down_revision = "0001_faq"
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "appointments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref", sa.String(length=64), nullable=False, unique=True),
        sa.Column("starts_at", STAMP, nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("type_id", sa.String(length=32), nullable=False),
        sa.Column("location_id", sa.String(length=64), nullable=True),
        sa.Column("clinician", sa.String(length=120), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("chat_id", sa.Integer(), nullable=True),
        sa.Column("unreachable", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("check_in_soreness", sa.Integer(), nullable=True),
        sa.Column("check_in_safety", sa.String(length=16), nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("updated_at", STAMP, nullable=False),
    )
    op.create_index("ix_appointments_starts_at", "appointments", ["starts_at"])
    op.create_index("ix_appointments_chat_id", "appointments", ["chat_id"])
    op.create_table(
        "appointment_link_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "appointment_id",
            sa.Integer(),
            sa.ForeignKey("appointments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.Column("used_at", STAMP, nullable=True),
        sa.Column("used_by_chat", sa.Integer(), nullable=True),
    )
    op.create_index(
        "ix_appointment_link_tokens_appointment_id", "appointment_link_tokens", ["appointment_id"]
    )
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "appointment_id",
            sa.Integer(),
            sa.ForeignKey("appointments.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("due_at", STAMP, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("retry_at", STAMP, nullable=True),
        sa.Column("claim_token", sa.String(length=64), nullable=True),
        sa.Column("claimed_at", STAMP, nullable=True),
        sa.Column("sent_at", STAMP, nullable=True),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", STAMP, nullable=False),
        sa.UniqueConstraint("appointment_id", "kind", name="uq_reminders_appointment_kind"),
    )
    op.create_index("ix_reminders_status_due", "reminders", ["status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_reminders_status_due", table_name="reminders")
    op.drop_table("reminders")
    op.drop_index("ix_appointment_link_tokens_appointment_id", table_name="appointment_link_tokens")
    op.drop_table("appointment_link_tokens")
    op.drop_index("ix_appointments_chat_id", table_name="appointments")
    op.drop_index("ix_appointments_starts_at", table_name="appointments")
    op.drop_table("appointments")
