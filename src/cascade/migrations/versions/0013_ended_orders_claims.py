"""Change claims left by orders that ended before ADR 0029 (or were deleted before it) are
deleted: since then an order gives its change claims back in the transaction that ends it,
and a deleted order's go with it, but rows older than that stayed (ADR 0035).

A change claim (scope `productChange`, `serviceChange`, `resourceChange`) is held by the id
of an order of its layer. One whose order is in a terminal state, or no longer exists, refuses
no one: `ChangeClaims.take` hands it over to the next order that asks, and deleting it only
makes that order insert a fresh row instead (ADR 0029). The claims of orders that have not
ended (running, or acknowledged and waiting for their start date) are kept, and so is every
other scope (a cancellation claim answers a second cancel request of an ended order).

The states are the order state machines' terminal ones when this revision was written
(`domain/states.py`), written out here so that the revision does not change with the code.
The downgrade keeps the rows deleted: they served no one.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ORDER_KINDS = {
    "productChange": "productOrder",
    "serviceChange": "serviceOrder",
    "resourceChange": "resourceOrder",
}
ENDED = ("cancelled", "completed", "failed", "partial", "rejected")
_LEFT = sa.text(
    "DELETE FROM claim WHERE scope = :scope AND NOT EXISTS ("
    " SELECT 1 FROM entity WHERE entity.kind = :kind AND entity.id = claim.holder"
    " AND (entity.state IS NULL OR entity.state NOT IN :ended))"
).bindparams(sa.bindparam("ended", expanding=True))


def upgrade() -> None:
    connection = op.get_bind()
    for scope, kind in ORDER_KINDS.items():
        connection.execute(_LEFT, {"scope": scope, "kind": kind, "ended": list(ENDED)})


def downgrade() -> None:
    """Nothing to put back: the rows deleted could serve no one."""
