"""A hold or release carried to the next component: the state an order's parent last asked
its mirrored child to take (`state_asked`), how many times it asked (`state_asks`), and the ask
carried out last (`state_sent`). An ask is pending while `state_asks > state_sent` (ADR 0022).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("remote_order") as batch:
        batch.add_column(sa.Column("state_asked", sa.String(32)))
        batch.add_column(sa.Column("state_asks", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("state_sent", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("remote_order") as batch:
        batch.drop_column("state_sent")
        batch.drop_column("state_asks")
        batch.drop_column("state_asked")
