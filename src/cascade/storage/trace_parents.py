"""The trace context a request gave the order it created: the parent of the order's steps.

One `traceparent` per order, kept in the transaction that creates the order while tracing is
on (the first kept wins: a later client write to the order changes nothing), and read when a
step of its tree starts (ADR 0024). Kept in the `claim` table under the scope `traceparent`
(one value per subject, `kind/id`), so that it needs no table of its own. Deleted with its
order (`forget`, in the transaction of a client's DELETE).
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from cascade.storage.tables import claim
from cascade.tmf.instants import now_instant

SCOPE = "traceparent"


def _subject(kind: str, entity_id: str) -> str:
    return f"{kind}/{entity_id}"


def keep(connection: Connection, kind: str, entity_id: str, traceparent: str) -> None:
    """Keep `traceparent` as the parent of the entity's steps, unless one is kept already."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    values = {
        "scope": SCOPE,
        "subject": _subject(kind, entity_id),
        "holder": traceparent,
        "created_at": now_instant(),
    }
    connection.execute(insert(claim).values(**values).on_conflict_do_nothing())


def kept(connection: Connection, kind: str, entity_id: str) -> str | None:
    """The entity's kept `traceparent`, or None."""
    found = connection.execute(
        select(claim.c.holder).where(
            claim.c.scope == SCOPE, claim.c.subject == _subject(kind, entity_id)
        )
    ).scalar_one_or_none()
    return None if found is None else str(found)


def forget(connection: Connection, kind: str, entity_id: str) -> None:
    """Drop the entity's kept `traceparent` (the entity is deleted)."""
    connection.execute(
        delete(claim).where(claim.c.scope == SCOPE, claim.c.subject == _subject(kind, entity_id))
    )
