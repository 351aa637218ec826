"""An index on `entity (kind, date, state)`: the console's counts per state over a date range
read the index alone instead of every order of the window (issue 16, ADR 0025).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entity_kind_date_state", "entity", ["kind", "date", "state"])


def downgrade() -> None:
    op.drop_index("ix_entity_kind_date_state", table_name="entity")
