"""The schema: TMF documents in one table, with the filtered attributes copied into columns.

`entity` holds every resource of every API, told apart by `kind` (`productOrder`, `tmf622.hub`).
The whole TMF document is kept as JSON text in `doc` (byte for byte what clients get back);
`state`, `date` and `lookup` copy the first-level attributes a resource declares as filtered
most (for example state, orderDate, externalId) so those filters and their counts use indexes.
`entity_term` indexes values inside arrays (`relatedParty.id`, `productOrderItem.state`).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
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
    # Counts per state over a date range: one index range per state (the console's list).
    Index("ix_entity_kind_state_date", "kind", "state", "date"),
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

# --- fulfilment --------------------------------------------------------------------------------

# Entities a controller must look at: one row per (kind, id), due at `due_ms` (epoch ms).
# `seq` grows on every schedule, so finishing a step never drops a wake-up that arrived while
# the step ran; `lease_owner`/`lease_until_ms` keep two workers off the same entity.
work_item = Table(
    "work_item",
    metadata,
    Column("kind", String(64), primary_key=True),
    Column("entity_id", String(128), primary_key=True),
    Column("due_ms", BigInteger, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_until_ms", BigInteger),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text),
    Index("ix_work_item_due", "due_ms"),
)

# Values taken from resource pools: unique per (pool, ordinal), one per owner (an order item's
# resource), so no two orders ever hold the same VLAN, address, port or number.
allocation = Table(
    "allocation",
    metadata,
    Column("pool", String(256), primary_key=True),
    Column("ordinal", BigInteger, primary_key=True),
    Column("owner", String(256), nullable=False),
    Column("value", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("owner", name="uq_allocation_owner"),
)

# The next never-used ordinal of each pool (released ordinals are found by a gap search).
pool_cursor = Table(
    "pool_cursor",
    metadata,
    Column("pool", String(256), primary_key=True),
    Column("next_ordinal", BigInteger, nullable=False),
)

# Exclusive claims: at most one holder per (scope, subject), whatever the processes. A claim is
# taken in the transaction that needs it (storage/claims.py): the cancellation of an order
# (scope: the cancel task kind, subject: the order id, holder: the task id), the change of an
# installed product (scope `productChange`, subject: the product id, holder: the order id), and
# an order's kept trace context (scope `traceparent`). A row goes once it can serve no one: a
# change claim when its order ends, the others with their order (ADR 0029).
claim = Table(
    "claim",
    metadata,
    Column("scope", String(64), primary_key=True),
    Column("subject", String(256), primary_key=True),
    Column("holder", String(256), nullable=False),
    Column("created_at", String(32), nullable=False),
)

# The simulated network: what the in-process activation driver has configured, by activation.
simulated_network = Table(
    "simulated_network",
    metadata,
    Column("activation", String(256), primary_key=True),
    Column("target", String(64), nullable=False),
    Column("specification", String(128)),
    Column("outcome", String(16), nullable=False),
    Column("reason", Text),
    Column("ready_ms", BigInteger, nullable=False),
    Column("request", Text, nullable=False),
    Column("applied_at", String(32), nullable=False),
)

# Activations the HTTP driver sends to an external TMF640/TMF702 endpoint. `phase` says what is
# next: `post` (send it), `follow` (GET `follow_href`, a monitor or the entity), or the outcome
# (`done`, `failed`, then `reported` once a step has read the failure); `due_ms` when, a lease
# who is at it, `wake_kind`/`wake_id` the work item whose step the outcome wakes.
remote_activation = Table(
    "remote_activation",
    metadata,
    Column("activation", String(256), primary_key=True),
    Column("target", String(16), nullable=False),
    Column("url", String(1024), nullable=False),
    Column("body", Text, nullable=False),
    Column("idempotency_key", String(300), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("phase", String(16), nullable=False),
    Column("follow_href", String(1024)),
    Column("follows", String(16)),
    Column("tries", Integer, nullable=False),
    Column("due_ms", BigInteger, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_until_ms", BigInteger),
    Column("wake_kind", String(64)),
    Column("wake_id", String(128)),
    Column("reason", Text),
    Column("retriable", Boolean, nullable=False),
    Column("key_spent", Boolean, nullable=False),
    Column("remote_href", String(1024)),
    Column("updated_at", String(32), nullable=False),
    # activate (POST), deactivate or modify (PATCH of the parent activation's remote entity)
    Column("operation", String(16), nullable=False, server_default="activate"),
    Column("parent", String(256)),
    Index("ix_remote_activation_due", "phase", "due_ms"),
    Index("ix_remote_activation_parent", "parent"),
)

# --- components (cascade/components) ------------------------------------------------------------

# An order or cancel task of the next layer, mirrored here: `post` until the next component
# has it (then `remote_id`), `linked` while it is followed, `ended` or `failed` after.
remote_order = Table(
    "remote_order",
    metadata,
    Column("kind", String(64), primary_key=True),
    Column("local_id", String(256), primary_key=True),
    Column("collection_url", String(1024), nullable=False),
    Column("phase", String(16), nullable=False),
    Column("remote_id", String(256)),
    Column("remote_href", String(1024)),
    Column("remote_version", Integer, nullable=False),
    Column("nudges", Integer, nullable=False),  # events received: look again at once
    Column("tries", Integer, nullable=False),
    Column("due_ms", BigInteger, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_until_ms", BigInteger),
    Column("reason", Text),
    Column("updated_at", String(32), nullable=False),
    # A parent's hold or release carried to the remote order (ADR 0022): pending while
    # state_asks > state_sent; state_asked is the last state asked, kept once carried out.
    Column("state_asked", String(32)),
    Column("state_asks", Integer, nullable=False, server_default="0"),
    Column("state_sent", Integer, nullable=False, server_default="0"),
    Index("ix_remote_order_due", "phase", "due_ms"),
    Index("ix_remote_order_remote", "remote_id"),
)

# This component's subscription to the next one's hub, with the secret it chose.
component_link = Table(
    "component_link",
    metadata,
    Column("hub_url", String(1024), primary_key=True),
    Column("callback", String(1024), nullable=False),
    Column("secret", String(256), nullable=False),
    Column("subscription_id", String(256)),
)

# --- security ----------------------------------------------------------------------------------

# API keys: only a SHA-256 of the secret part is kept; the key itself is shown once, at creation.
api_key = Table(
    "api_key",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(128), nullable=False),
    Column("secret_hash", String(64), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("party", String(128)),
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
)

# The audit trail: who created, changed, cancelled or deleted what, and when. Only ever inserted.
audit_entry = Table(
    "audit_entry",
    metadata,
    Column("seq", PrimaryKey, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("actor", String(256), nullable=False),
    Column("party", String(128)),
    Column("action", String(16), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("entity_id", String(128), nullable=False),
    Column("request_id", String(64)),
    Column("detail", Text),
    Index("ix_audit_entry_entity", "kind", "entity_id", "seq"),
    Index("ix_audit_entry_actor", "actor", "seq"),
)

# The party a party-bound client created an entity for, where the document itself cannot say
# (hub subscriptions have no relatedParty).
entity_owner = Table(
    "entity_owner",
    metadata,
    Column("kind", String(64), primary_key=True),
    Column("entity_id", String(128), primary_key=True),
    Column("party", String(128), nullable=False),
    Index("ix_entity_owner_party", "kind", "party", "entity_id"),
)

# --- events ------------------------------------------------------------------------------------

# The outbox: every TMF event, written in the transaction of the change that caused it. The
# dispatcher turns each row into one delivery per matching subscription, then deletes it.
event_outbox = Table(
    "event_outbox",
    metadata,
    Column("seq", PrimaryKey, primary_key=True, autoincrement=True),
    Column("api", String(16), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("entity_id", String(128), nullable=False),
    Column("event_type", String(96), nullable=False),
    Column("envelope", Text, nullable=False),
)

# What is still to be delivered to a subscriber (`pending`) or was given up on (`parked`).
# Deliveries of one subscription and entity leave in the order they were made; a delivered row is
# deleted. `first_failure_ms` starts the clock that parks a subscriber that stays down.
event_delivery = Table(
    "event_delivery",
    metadata,
    Column("pk", PrimaryKey, primary_key=True, autoincrement=True),
    Column("hub_kind", String(64), nullable=False),
    Column("subscription", String(128), nullable=False),
    Column("entity", String(200), nullable=False),
    Column("event_seq", BigInteger, nullable=False),
    Column("event_id", String(64), nullable=False),
    Column("event_type", String(96), nullable=False),
    Column("callback", String(2048), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("due_ms", BigInteger, nullable=False),
    Column("first_failure_ms", BigInteger),
    Column("lease_owner", String(64)),
    Column("lease_until_ms", BigInteger),
    Column("last_error", Text),
    Index("ix_event_delivery_due", "status", "due_ms"),
    Index("ix_event_delivery_order", "subscription", "entity", "pk"),
)

# The HMAC secret of each hub subscription (never part of the subscription document).
subscription_secret = Table(
    "subscription_secret",
    metadata,
    Column("hub_kind", String(64), primary_key=True),
    Column("subscription", String(128), primary_key=True),
    Column("secret", String(256), nullable=False),
)
