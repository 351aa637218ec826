"""Security: API keys (hashes only), the audit trail, owners of hub subscriptions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PrimaryKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "api_key",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("scopes", sa.Text, nullable=False),
        sa.Column("party", sa.String(128)),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("revoked_at", sa.String(32)),
    )
    op.create_table(
        "audit_entry",
        sa.Column("seq", PrimaryKey, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(256), nullable=False),
        sa.Column("party", sa.String(128)),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(128), nullable=False),
        sa.Column("request_id", sa.String(64)),
        sa.Column("detail", sa.Text),
    )
    op.create_index("ix_audit_entry_entity", "audit_entry", ["kind", "entity_id", "seq"])
    op.create_index("ix_audit_entry_actor", "audit_entry", ["actor", "seq"])
    op.create_table(
        "entity_owner",
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("entity_id", sa.String(128), primary_key=True),
        sa.Column("party", sa.String(128), nullable=False),
    )
    op.create_index("ix_entity_owner_party", "entity_owner", ["kind", "party", "entity_id"])


def downgrade() -> None:
    op.drop_table("entity_owner")
    op.drop_table("audit_entry")
    op.drop_table("api_key")
