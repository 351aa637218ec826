"""Documents, their indexed terms, and idempotency keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

PrimaryKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "entity",
        sa.Column("pk", PrimaryKey, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("id", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("state", sa.String(64)),
        sa.Column("date", sa.String(32)),
        sa.Column("lookup", sa.String(256)),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("doc", sa.Text, nullable=False),
        sa.UniqueConstraint("kind", "id", name="uq_entity_kind_id"),
    )
    op.create_index("ix_entity_kind_state", "entity", ["kind", "state", "pk"])
    op.create_index("ix_entity_kind_date", "entity", ["kind", "date", "pk"])
    op.create_index("ix_entity_kind_lookup", "entity", ["kind", "lookup", "pk"])
    op.create_table(
        "entity_term",
        sa.Column(
            "entity_pk",
            PrimaryKey,
            sa.ForeignKey("entity.pk", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("path", sa.String(128), nullable=False),
        sa.Column("value", sa.String(256), nullable=False),
    )
    op.create_index("ix_entity_term_lookup", "entity_term", ["kind", "path", "value", "entity_pk"])
    op.create_index("ix_entity_term_entity", "entity_term", ["entity_pk"])
    op.create_table(
        "idempotency_key",
        sa.Column("scope", sa.String(256), primary_key=True),
        sa.Column("key", sa.String(256), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer, nullable=False),
        sa.Column("location", sa.String(512)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("idempotency_key")
    op.drop_table("entity_term")
    op.drop_table("entity")
