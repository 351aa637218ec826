"""Exclusive claims: at most one holder per (scope, subject), under any concurrency.

Every function runs inside the caller's write transaction. The primary key (scope, subject) is
the guarantee: `take` inserts the claim unless it exists (`INSERT ... ON CONFLICT DO NOTHING`)
and reads who holds it. On PostgreSQL a second process taking the same claim waits, inside
that insert, for the first one's transaction to end, then sees its claim (read committed: each
statement reads what was committed before it), and the claim row stays locked (`FOR UPDATE`)
until the transaction ends, so a hand-over is never raced. On SQLite the writer holds the
database write lock (`BEGIN IMMEDIATE`), so claims are taken one transaction at a time.
"""

from __future__ import annotations

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite

from cascade.storage.tables import claim
from cascade.tmf.instants import now_instant


def holder_of(connection: Connection, scope: str, subject: str) -> str | None:
    """Who holds the claim, or None (locked until the transaction ends on PostgreSQL)."""
    query = select(claim.c.holder).where(claim.c.scope == scope, claim.c.subject == subject)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    found = connection.execute(query).scalar_one_or_none()
    return None if found is None else str(found)


def take(connection: Connection, scope: str, subject: str, holder: str) -> str:
    """Claim `subject` for `holder` unless someone holds it; returns who holds it now."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    values = {"scope": scope, "subject": subject, "holder": holder, "created_at": now_instant()}
    connection.execute(insert(claim).values(**values).on_conflict_do_nothing())
    held = holder_of(connection, scope, subject)
    assert held is not None  # inserted now, or by a transaction that committed first
    return held


def hand_over(connection: Connection, scope: str, subject: str, holder: str) -> None:
    """Give an existing claim to `holder` (the caller decided the old holder is done with it)."""
    connection.execute(
        update(claim)
        .where(claim.c.scope == scope, claim.c.subject == subject)
        .values(holder=holder, created_at=now_instant())
    )


def release(connection: Connection, scope: str, subject: str, holder: str) -> None:
    """Drop the claim if `holder` has it."""
    connection.execute(
        delete(claim).where(
            claim.c.scope == scope, claim.c.subject == subject, claim.c.holder == holder
        )
    )
