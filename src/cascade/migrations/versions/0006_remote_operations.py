"""Deactivations and re-configurations sent by the HTTP activation driver (PATCH of the
remote entity): what a `remote_activation` row does, and the activation it changes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("remote_activation") as batch:
        batch.add_column(
            sa.Column("operation", sa.String(16), nullable=False, server_default="activate")
        )
        batch.add_column(sa.Column("parent", sa.String(256)))
    op.create_index("ix_remote_activation_parent", "remote_activation", ["parent"])


def downgrade() -> None:
    op.drop_index("ix_remote_activation_parent", "remote_activation")
    with op.batch_alter_table("remote_activation") as batch:
        batch.drop_column("parent")
        batch.drop_column("operation")
