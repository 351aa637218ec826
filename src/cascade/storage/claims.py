"""Exclusive claims: at most one holder per (scope, subject), under any concurrency.

Every function runs inside the caller's write transaction. The primary key (scope, subject) is
the guarantee: `take` inserts the claim unless it exists and returns who holds it, in one
statement (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING holder`, the update a no-op that
locks the row). On PostgreSQL a second process taking the same claim waits, inside that
statement, for the first one's transaction to end, then gets its claim, and the claim row stays
locked until the transaction ends, so a hand-over is never raced. On SQLite the writer holds the
database write lock (`BEGIN IMMEDIATE`), so claims are taken one transaction at a time.

A claim row is deleted once it can serve no one (ADR 0029): a change claim in the transaction
that ends its order, an order's cancellation claim with the order. A row deleted while a taker
is at it is no race: PostgreSQL's upsert either finds the row (and locks it, so the delete
waits) or, the delete committed first, inserts anew.
"""

from __future__ import annotations

from sqlalchemy import Connection

from cascade.storage import raw
from cascade.tmf.instants import now_instant

# Driver SQL written once (docs/performance.md): a change's step takes and reads claims.
_HOLDER = "SELECT holder FROM claim WHERE scope = ? AND subject = ?"
_TAKE = (
    "INSERT INTO claim (scope, subject, holder, created_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (scope, subject) DO UPDATE SET holder = claim.holder RETURNING holder"
)
_HAND_OVER = "UPDATE claim SET holder = ?, created_at = ? WHERE scope = ? AND subject = ?"
_RELEASE = "DELETE FROM claim WHERE scope = ? AND subject = ? AND holder = ?"
_FORGET = "DELETE FROM claim WHERE scope = ? AND subject = ?"
_FORGET_HOLDER = "DELETE FROM claim WHERE scope = ? AND holder = ?"


def holder_of(connection: Connection, scope: str, subject: str) -> str | None:
    """Who holds the claim, or None (locked until the transaction ends on PostgreSQL)."""
    sql = _HOLDER + " FOR UPDATE" if connection.dialect.name == "postgresql" else _HOLDER
    found = raw.run(connection, sql, (scope, subject)).fetchone()
    return None if found is None else str(found[0])


def take(connection: Connection, scope: str, subject: str, holder: str) -> str:
    """Claim `subject` for `holder` unless someone holds it; returns who holds it now."""
    held = raw.run(connection, _TAKE, (scope, subject, holder, now_instant())).fetchone()
    return str(held[0])  # inserted now, or by a transaction that committed first


def hand_over(connection: Connection, scope: str, subject: str, holder: str) -> None:
    """Give an existing claim to `holder` (the caller decided the old holder is done with it)."""
    raw.run(connection, _HAND_OVER, (holder, now_instant(), scope, subject))


def release(connection: Connection, scope: str, subject: str, holder: str) -> None:
    """Drop the claim if `holder` has it."""
    raw.run(connection, _RELEASE, (scope, subject, holder))


def forget(connection: Connection, scope: str, subject: str) -> None:
    """Drop the claim on `subject`, whoever holds it (its subject is gone)."""
    raw.run(connection, _FORGET, (scope, subject))


def forget_holder(connection: Connection, scope: str, holder: str) -> None:
    """Drop every claim `holder` has in `scope` (the holder is gone)."""
    raw.run(connection, _FORGET_HOLDER, (scope, holder))
