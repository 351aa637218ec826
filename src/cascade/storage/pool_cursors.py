"""A pool's cursor on PostgreSQL, advanced outside the allocating transaction (ADR 0027).

The cursor row (`pool_cursor`) hands out each never-used ordinal once. Locked inside the
allocating transaction, it would stay locked until that transaction's group commit ends: every
writer allocating from the pool (in any process) would wait for it, and two writers taking two
pools in opposite orders would deadlock. Here the cursor moves in its own one-statement
transaction, on a side connection of the writer's thread, like a sequence's `nextval`: the row
lock lasts one statement, and nothing waits for the allocating transaction.

An ordinal whose allocating transaction rolls back is not handed out again by the cursor; it
is a gap, found again by the gap search once the cursor reaches the pool's size. The side
transaction commits without waiting for its WAL flush (`synchronous_commit = off`): the
allocating transaction commits after it, and its flush covers the cursor's record, so a crash
can never leave a committed allocation above a cursor that forgot it.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Connection, Engine

_ADVANCE = (
    "UPDATE pool_cursor SET next_ordinal = next_ordinal + 1"
    " WHERE pool = %s AND next_ordinal < %s RETURNING next_ordinal - 1"
)
# A new pool (or a lost cursor) starts after the highest ordinal committed.
_CREATE = (
    "INSERT INTO pool_cursor (pool, next_ordinal)"
    " SELECT %s, coalesce(max(ordinal) + 1, 0) FROM allocation WHERE pool = %s"
    " ON CONFLICT DO NOTHING"
)

_local = threading.local()


def take_ordinal(connection: Connection, pool: str, size: int) -> int | None:
    """The pool's next never-used ordinal, committed at once; None when every ordinal below
    `size` was handed out (the caller searches the gaps)."""
    side = _side(connection.engine)
    try:
        for _ in range(2):
            found = side.exec_driver_sql(_ADVANCE, (pool, size)).scalar()
            if found is not None:
                return int(found)
            if not side.exec_driver_sql(_CREATE, (pool, pool)).rowcount:
                return None  # the cursor exists and is at the size
        return None
    except Exception:
        _drop(connection.engine)
        raise


def _side(engine: Engine) -> Connection:
    """This thread's autocommit connection for cursors of `engine`'s database."""
    connections: dict[int, Connection] = _local.__dict__.setdefault("connections", {})
    side = connections.get(id(engine))
    if side is None or side.invalidated or side.closed:
        side = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        side.exec_driver_sql("SET synchronous_commit TO off")
        connections[id(engine)] = side
    return side


def close_thread() -> None:
    """Close this thread's side connections (the writer thread calls it as it ends)."""
    connections: dict[int, Connection] = _local.__dict__.setdefault("connections", {})
    for side in connections.values():
        side.close()
    connections.clear()


def _drop(engine: Engine) -> None:
    connections: dict[int, Any] = _local.__dict__.setdefault("connections", {})
    side = connections.pop(id(engine), None)
    if side is not None:
        side.close()
