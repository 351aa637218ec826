"""The layers as components: the next layer's orders and cancel tasks that this component
mirrors (`remote_order`: forwarded, then followed) and its hub subscriptions (`component_link`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "remote_order",
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("local_id", sa.String(256), primary_key=True),
        sa.Column("collection_url", sa.String(1024), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("remote_id", sa.String(256)),
        sa.Column("remote_href", sa.String(1024)),
        sa.Column("remote_version", sa.Integer, nullable=False),
        sa.Column("nudges", sa.Integer, nullable=False),
        sa.Column("tries", sa.Integer, nullable=False),
        sa.Column("due_ms", sa.BigInteger, nullable=False),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until_ms", sa.BigInteger),
        sa.Column("reason", sa.Text),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_remote_order_due", "remote_order", ["phase", "due_ms"])
    op.create_index("ix_remote_order_remote", "remote_order", ["remote_id"])
    op.create_table(
        "component_link",
        sa.Column("hub_url", sa.String(1024), primary_key=True),
        sa.Column("callback", sa.String(1024), nullable=False),
        sa.Column("secret", sa.String(256), nullable=False),
        sa.Column("subscription_id", sa.String(256)),
    )


def downgrade() -> None:
    op.drop_table("component_link")
    op.drop_index("ix_remote_order_remote", "remote_order")
    op.drop_index("ix_remote_order_due", "remote_order")
    op.drop_table("remote_order")
