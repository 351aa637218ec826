"""Activations sent to external TMF640/TMF702 endpoints by the HTTP activation driver.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote_activation",
        sa.Column("activation", sa.String(256), primary_key=True),
        sa.Column("target", sa.String(16), nullable=False),
        sa.Column("url", sa.String(1024), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("idempotency_key", sa.String(300), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("follow_href", sa.String(1024)),
        sa.Column("follows", sa.String(16)),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("due_ms", sa.BigInteger, nullable=False),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until_ms", sa.BigInteger),
        sa.Column("wake_kind", sa.String(64)),
        sa.Column("wake_id", sa.String(128)),
        sa.Column("reason", sa.Text),
        sa.Column("retriable", sa.Boolean, nullable=False),
        sa.Column("key_spent", sa.Boolean, nullable=False),
        sa.Column("remote_href", sa.String(1024)),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_remote_activation_due", "remote_activation", ["phase", "due_ms"])


def downgrade() -> None:
    op.drop_index("ix_remote_activation_due", "remote_activation")
    op.drop_table("remote_activation")
