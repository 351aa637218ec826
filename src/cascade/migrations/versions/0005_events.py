"""Event outbox, deliveries to hub subscribers, and the subscriptions' signing secrets.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PrimaryKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "event_outbox",
        sa.Column("seq", PrimaryKey, primary_key=True, autoincrement=True),
        sa.Column("api", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(128), nullable=False),
        sa.Column("event_type", sa.String(96), nullable=False),
        sa.Column("envelope", sa.Text, nullable=False),
    )
    op.create_table(
        "event_delivery",
        sa.Column("pk", PrimaryKey, primary_key=True, autoincrement=True),
        sa.Column("hub_kind", sa.String(64), nullable=False),
        sa.Column("subscription", sa.String(128), nullable=False),
        sa.Column("entity", sa.String(200), nullable=False),
        sa.Column("event_seq", sa.BigInteger, nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(96), nullable=False),
        sa.Column("callback", sa.String(2048), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("due_ms", sa.BigInteger, nullable=False),
        sa.Column("first_failure_ms", sa.BigInteger),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until_ms", sa.BigInteger),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_event_delivery_due", "event_delivery", ["status", "due_ms"])
    op.create_index("ix_event_delivery_order", "event_delivery", ["subscription", "entity", "pk"])
    op.create_table(
        "subscription_secret",
        sa.Column("hub_kind", sa.String(64), primary_key=True),
        sa.Column("subscription", sa.String(128), primary_key=True),
        sa.Column("secret", sa.String(256), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("subscription_secret")
    op.drop_index("ix_event_delivery_order", "event_delivery")
    op.drop_index("ix_event_delivery_due", "event_delivery")
    op.drop_table("event_delivery")
    op.drop_table("event_outbox")
