"""Fulfilment: the controllers' work queue, resource pool allocations, the simulated network.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "work_item",
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("entity_id", sa.String(128), primary_key=True),
        sa.Column("due_ms", sa.BigInteger, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until_ms", sa.BigInteger),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_work_item_due", "work_item", ["due_ms"])
    op.create_table(
        "allocation",
        sa.Column("pool", sa.String(256), primary_key=True),
        sa.Column("ordinal", sa.BigInteger, primary_key=True),
        sa.Column("owner", sa.String(256), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("owner", name="uq_allocation_owner"),
    )
    op.create_table(
        "pool_cursor",
        sa.Column("pool", sa.String(256), primary_key=True),
        sa.Column("next_ordinal", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "simulated_network",
        sa.Column("activation", sa.String(256), primary_key=True),
        sa.Column("target", sa.String(64), nullable=False),
        sa.Column("specification", sa.String(128)),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("ready_ms", sa.BigInteger, nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("applied_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("simulated_network")
    op.drop_table("pool_cursor")
    op.drop_table("allocation")
    op.drop_index("ix_work_item_due", "work_item")
    op.drop_table("work_item")
