"""The schema: TMF documents in one table, with the filtered attributes copied into columns.

`entity` holds every resource of every API, told apart by `kind` (`tmf622.productOrder`).
The whole TMF document is kept as JSON text in `doc` (byte for byte what clients get back);
`state`, `date` and `lookup` copy the first-level attributes a resource declares as filtered
most (for example state, orderDate, externalId) so those filters and their counts use indexes.
`entity_term` indexes values inside arrays (`relatedParty.id`, `productOrderItem.state`).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# BIGINT on PostgreSQL, INTEGER (the rowid alias) on SQLite.
PrimaryKey = BigInteger().with_variant(Integer(), "sqlite")

entity = Table(
    "entity",
    metadata,
    Column("pk", PrimaryKey, primary_key=True, autoincrement=True),
    Column("kind", String(64), nullable=False),
    Column("id", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("state", String(64)),
    Column("date", String(32)),
    Column("lookup", String(256)),
    Column("created_at", String(32), nullable=False),
    Column("doc", Text, nullable=False),
    UniqueConstraint("kind", "id", name="uq_entity_kind_id"),
    Index("ix_entity_kind_state", "kind", "state", "pk"),
    Index("ix_entity_kind_date", "kind", "date", "pk"),
    Index("ix_entity_kind_lookup", "kind", "lookup", "pk"),
)

entity_term = Table(
    "entity_term",
    metadata,
    Column("entity_pk", PrimaryKey, ForeignKey("entity.pk", ondelete="CASCADE"), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("path", String(128), nullable=False),
    Column("value", String(256), nullable=False),
    Index("ix_entity_term_lookup", "kind", "path", "value", "entity_pk"),
    Index("ix_entity_term_entity", "entity_pk"),
)

idempotency_key = Table(
    "idempotency_key",
    metadata,
    Column("scope", String(256), primary_key=True),
    Column("key", String(256), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("location", String(512)),
    Column("body", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)
