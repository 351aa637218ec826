"""Exclusive claims (`claim`): one cancellation per order and one running change per product,
held under any concurrency by the primary key (issue 15, ADR 0018).

Cancel tasks and running product orders recorded before this revision hold no claim: the
code still looks for them the old way (a cancel task of the order, a running order changing
the product), so nothing needs copying here.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "claim",
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("subject", sa.String(256), primary_key=True),
        sa.Column("holder", sa.String(256), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("claim")
