"""Kinds are version-neutral: `tmf622.productOrder` is stored as `productOrder`, so another
version of an API can serve the same rows (ADR 0012).

Where two APIs name different things alike, the kind says which: TMF640's `service` is
`serviceActivation`, TMF638's is `service`. Hub subscriptions keep their API's kind
(`tmf622.hub`): they belong to one API version. Idempotency keys and audit entries name the
API resource (`tmf622.productOrder`) and stay as they are.

Every table that names a kind is rewritten: documents and their terms, work items, the HTTP
driver's wake-ups, mirrors, the event outbox and the lines of pending deliveries. On a large
database this rewrites every document row once.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# Frozen here: the names as they were when this revision was written.
RENAMED = {
    "tmf622.productOrder": "productOrder",
    "tmf622.cancelProductOrder": "cancelProductOrder",
    "tmf641.serviceOrder": "serviceOrder",
    "tmf641.cancelServiceOrder": "cancelServiceOrder",
    "tmf652.resourceOrder": "resourceOrder",
    "tmf652.cancelResourceOrder": "cancelResourceOrder",
    "tmf640.service": "serviceActivation",
    "tmf640.monitor": "serviceActivationMonitor",
    "tmf702.resource": "resourceActivation",
    "tmf702.monitor": "resourceActivationMonitor",
    "tmf637.product": "product",
    "tmf638.service": "service",
    "tmf639.resource": "resource",
    "tmf620.catalog": "productCatalog",
    "tmf620.category": "productCategory",
    "tmf620.productOffering": "productOffering",
    "tmf620.productOfferingPrice": "productOfferingPrice",
    "tmf620.productSpecification": "productSpecification",
    "tmf633.serviceCatalog": "serviceCatalog",
    "tmf633.serviceCategory": "serviceCategory",
    "tmf633.serviceCandidate": "serviceCandidate",
    "tmf633.serviceSpecification": "serviceSpecification",
    "tmf634.resourceCatalog": "resourceCatalog",
    "tmf634.resourceCategory": "resourceCategory",
    "tmf634.resourceCandidate": "resourceCandidate",
    "tmf634.resourceSpecification": "resourceSpecification",
}
# (table, column) holding a kind.
KIND_COLUMNS = (
    ("entity", "kind"),
    ("entity_term", "kind"),
    ("work_item", "kind"),
    ("remote_activation", "wake_kind"),
    ("remote_order", "kind"),
    ("event_outbox", "kind"),
)


def upgrade() -> None:
    _rename(RENAMED)


def downgrade() -> None:
    _rename({new: old for old, new in RENAMED.items()})


def _rename(names: dict[str, str]) -> None:
    bind = op.get_bind()
    for table, column in KIND_COLUMNS:
        statement = sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old")
        for old, new in names.items():
            bind.execute(statement, {"old": old, "new": new})
    # A delivery's line is `<kind>/<entity id>`: pending ones stay in line with new events.
    lines = sa.text(
        "UPDATE event_delivery SET entity = :new || substr(entity, :cut) WHERE entity LIKE :like"
    )
    for old, new in names.items():
        bind.execute(lines, {"new": f"{new}/", "cut": len(old) + 2, "like": f"{old}/%"})
