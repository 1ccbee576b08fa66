"""Staff console: accounts, set-password tokens, sessions, login attempts, audit log,
intake and unanswered-question review state, and staff events (no message text).

Revision ID: 0004_console
Revises: 0002_intake, robust_delivery_and_forget
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_console"
# Needs intake_sessions (0002) and the delivery migration's unanswered_questions columns;
# merges the two heads.
down_revision = ("0002_intake", "robust_delivery_and_forget")
branch_labels = None
depends_on = None

STAMP = sa.DateTime(timezone=True)
EMAIL = sa.String(length=254)


def upgrade() -> None:
    op.create_table(
        "staff_accounts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", EMAIL, nullable=False, unique=True),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_at", STAMP, nullable=True),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("password_set_at", STAMP, nullable=True),
    )
    op.create_table(
        "staff_password_tokens",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False, unique=True),
        sa.Column("expires_at", STAMP, nullable=False),
        sa.Column("used_at", STAMP, nullable=True),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(length=64), primary_key=True),
        sa.Column(
            "account_id",
            sa.Integer(),
            sa.ForeignKey("staff_accounts.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", STAMP, nullable=False),
        sa.Column("expires_at", STAMP, nullable=False),
    )
    op.create_table(
        "staff_login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", STAMP, nullable=False, index=True),
        sa.Column("email", EMAIL, nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False, index=True),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "staff_audit_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", STAMP, nullable=False, index=True),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("email", EMAIL, nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=True),
    )
    op.create_table(
        "intake_reviews",
        sa.Column(
            "intake_id",
            sa.Integer(),
            sa.ForeignKey("intake_sessions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("reviewed_at", STAMP, nullable=False),
        sa.Column("reviewed_by", EMAIL, nullable=False),
    )
    op.create_table(
        "unanswered_reviews",
        sa.Column(
            "question_id",
            sa.Integer(),
            sa.ForeignKey("unanswered_questions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("at", STAMP, nullable=False),
        sa.Column("by", EMAIL, nullable=False),
    )
    op.create_table(
        "staff_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", STAMP, nullable=False, index=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False, index=True),
        sa.Column("rule", sa.String(length=64), nullable=True),
        sa.Column("intake_id", sa.Integer(), nullable=True),
        sa.Column("handled_at", STAMP, nullable=True),
        sa.Column("handled_by", EMAIL, nullable=True),
    )


def downgrade() -> None:
    for table in (
        "staff_events",
        "unanswered_reviews",
        "intake_reviews",
        "staff_audit_log",
        "staff_login_attempts",
        "staff_sessions",
        "staff_password_tokens",
        "staff_accounts",
    ):
        op.drop_table(table)
