"""An index on `entity (kind, state, date)` in place of 0011's `(kind, date, state)`: the
console's counts per state over a date range are one index range per state, each counted
without reading its entries, instead of every entry of the window read and grouped (issue
16, ADR 0025). A list of one state sorted by date reads it too.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_entity_kind_state_date", "entity", ["kind", "state", "date"])
    op.drop_index("ix_entity_kind_date_state", table_name="entity")


def downgrade() -> None:
    op.create_index("ix_entity_kind_date_state", "entity", ["kind", "date", "state"])
    op.drop_index("ix_entity_kind_state_date", table_name="entity")
