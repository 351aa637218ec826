"""Allocating values from resource pools: unique under any concurrency, on SQLite and PostgreSQL.

Every function runs inside the caller's write transaction (a `Database.write` job). A pool is
identified by its key (`PoolDefinition.key`); an allocation is an ordinal of that pool, held by
one owner (for example an order item's resource). `pool_cursor` keeps each pool's next
never-used ordinal; once it reaches the pool's size, released ordinals are found again by a
gap search, lowest first.

Concurrency: on PostgreSQL the cursor moves in a one-statement transaction of its own
(`pool_cursors.py`, ADR 0027), so no allocating transaction holds a pool's row: writers of
any number of processes allocate from one pool at once, and no two transactions wait for each
other's pools (no crossed-lock deadlocks). On SQLite the cursor row is read and advanced in the
allocating transaction, under the database write lock (`BEGIN IMMEDIATE`). The primary key
(pool, ordinal) and the unique owner are the last line of defence: a value they refuse is
never handed out, and the allocation tries the next one.

Once the cursor has reached the pool's size, the gap search (lowest free ordinal first) can
find the same gap in two transactions at once. On PostgreSQL each insert first takes the
value's transaction-level advisory lock without waiting (`pg_try_advisory_xact_lock`): the
second transaction skips to the next gap instead of waiting on the primary key for the
first's end, so no allocating transaction ever waits for another, and none deadlocks (two
group-committed batches each inserting a gap the other wanted did, before).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from sqlalchemy import Connection, CursorResult, Select, delete, exists, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from cascade.domain.pools import PoolDefinition
from cascade.storage import raw
from cascade.storage.pool_cursors import take_ordinal
from cascade.storage.tables import allocation, pool_cursor
from cascade.tmf.instants import now_instant

POOL_KEY_LENGTH = 256  # allocation.pool / pool_cursor.pool
MAX_TRIES = 16  # values tried before giving up (each refused one was taken concurrently)
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


@dataclass(frozen=True)
class Allocation:
    pool: str  # the pool key
    ordinal: int
    owner: str
    values: dict[str, Any]


class PoolExhausted(Exception):  # noqa: N818 - the name the ROM controller uses
    """Every value of the pool is held."""

    def __init__(self, pool: str, size: int) -> None:
        super().__init__(f"pool '{pool}' is exhausted: all {size} values are allocated")
        self.pool = pool
        self.size = size


class OwnerConflict(ValueError):  # noqa: N818 - the name the ROM controller uses
    """The owner already holds a value from another pool (one allocation per owner)."""

    def __init__(self, held: Allocation, pool: str) -> None:
        super().__init__(
            f"owner '{held.owner}' already holds ordinal {held.ordinal} of pool '{held.pool}'"
            f" and cannot also allocate from pool '{pool}'"
        )
        self.held = held


def allocate(
    connection: Connection, definition: PoolDefinition, context: Mapping[str, Any], owner: str
) -> Allocation:
    """A value of the pool for `owner`; the same owner gets its existing allocation back."""
    pool = definition.key(context)
    if len(pool) > POOL_KEY_LENGTH:
        raise ValueError(f"pool key is longer than {POOL_KEY_LENGTH} characters: {pool!r}")
    held = allocation_of(connection, owner)
    if held is not None:
        return _same_pool(held, pool)
    size = definition.size
    if connection.dialect.name == "postgresql":
        return _allocate_apart(connection, definition, context, pool, owner)
    next_ordinal = _locked_cursor(connection, pool)
    ordinal = next_ordinal if next_ordinal < size else _lowest_free(connection, pool, size)
    if ordinal is None:
        raise PoolExhausted(pool, size)
    values = definition.values(ordinal, context)
    if not _insert(connection, pool, ordinal, owner, values):
        return _taken(connection, pool, ordinal, owner)
    if ordinal >= next_ordinal:
        _sql(connection, _ADVANCE_CURSOR, (ordinal + 1, pool))
    return Allocation(pool, ordinal, owner, values)


def _allocate_apart(
    connection: Connection,
    definition: PoolDefinition,
    context: Mapping[str, Any],
    pool: str,
    owner: str,
) -> Allocation:
    """PostgreSQL: an ordinal from the cursor advanced apart, else the lowest gap; a value
    another transaction got first is skipped for the next."""
    size, after = definition.size, -1
    for _ in range(MAX_TRIES):
        ordinal = take_ordinal(connection, pool, size)
        if ordinal is None:
            ordinal = _lowest_free(connection, pool, size, above=after)
            if ordinal is None:
                raise PoolExhausted(pool, size)
            after = ordinal
        values = definition.values(ordinal, context)
        if _insert(connection, pool, ordinal, owner, values):
            return Allocation(pool, ordinal, owner, values)
        held = allocation_of(connection, owner)
        if held is not None:  # the same owner, allocated by a concurrent transaction
            return _same_pool(held, pool)
    raise RuntimeError(f"pool '{pool}': no free ordinal after {MAX_TRIES} tries")


def _taken(connection: Connection, pool: str, ordinal: int, owner: str) -> Allocation:
    """The insert was refused: the owner's allocation made concurrently, or a broken cursor."""
    held = allocation_of(connection, owner)
    if held is not None:  # the same owner, allocated by a concurrent transaction
        return _same_pool(held, pool)
    raise RuntimeError(f"ordinal {ordinal} of pool '{pool}' is taken: pool cursor out of step")


def release(connection: Connection, owner: str) -> Allocation | None:
    """Free the owner's value for reuse; returns what was released (None if nothing was held)."""
    held = allocation_of(connection, owner)
    if held is not None:
        connection.execute(delete(allocation).where(allocation.c.owner == owner))
    return held


def allocation_of(connection: Connection, owner: str) -> Allocation | None:
    row = _first(connection, _OF_OWNER, (owner,))
    return None if row is None else _from_row(row)


def allocations(connection: Connection, pool_prefix: str | None = None) -> list[Allocation]:
    """Every allocation, or those of pools whose key starts with `pool_prefix`, in pool order."""
    query = _selected().order_by(allocation.c.pool, allocation.c.ordinal)
    if pool_prefix is not None:
        query = query.where(allocation.c.pool.startswith(pool_prefix, autoescape=True))
    return [_from_row(row) for row in connection.execute(query)]


def lock_conflict(exc: BaseException) -> bool:
    """Whether `exc` is a deadlock or serialization failure: the job can simply be retried."""
    if not isinstance(exc, DBAPIError):
        return False
    return getattr(exc.orig, "sqlstate", None) in RETRYABLE_SQLSTATES


# --- internals -------------------------------------------------------------------------------


def _same_pool(held: Allocation, pool: str) -> Allocation:
    if held.pool != pool:
        raise OwnerConflict(held, pool)
    return held


def _locked_cursor(connection: Connection, pool: str) -> int:
    """The pool's next never-used ordinal, with its cursor row locked (created when missing)."""
    cursor_sql = _CURSOR + (" FOR UPDATE" if connection.dialect.name == "postgresql" else "")
    found = _sql(connection, cursor_sql, (pool,)).scalar_one_or_none()
    if found is not None:
        return int(found)
    # A new pool (or a lost cursor): start after the highest ordinal already held.
    start = (
        select(func.coalesce(func.max(allocation.c.ordinal) + 1, 0))
        .where(allocation.c.pool == pool)
        .scalar_subquery()
    )
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    connection.execute(
        insert(pool_cursor).values(pool=pool, next_ordinal=start).on_conflict_do_nothing()
    )
    return int(_sql(connection, cursor_sql, (pool,)).scalar_one())


def _lowest_free(connection: Connection, pool: str, size: int, above: int = -1) -> int | None:
    """The lowest ordinal in (`above`, `size`) that nobody holds (a gap left by a release)."""
    held = allocation.alias("held")
    first = above + 1  # the gaps found below start right after a held value: not this one
    if first >= size:
        return None
    first_held = exists().where(allocation.c.pool == pool, allocation.c.ordinal == first)
    if not connection.execute(select(first_held)).scalar_one():
        return first
    after = held.c.ordinal + 1
    next_held = exists().where(allocation.c.pool == pool, allocation.c.ordinal == after)
    query = (  # walks the primary key in order and stops at the first gap
        select(after)
        .where(held.c.pool == pool, after < size, held.c.ordinal >= above, ~next_held)
        .order_by(held.c.ordinal)
        .limit(1)
    )
    found = connection.execute(query).scalar()
    return None if found is None else int(found)


def _insert(
    connection: Connection, pool: str, ordinal: int, owner: str, values: dict[str, Any]
) -> bool:
    """Insert the allocation unless (pool, ordinal) or the owner is taken; True if inserted."""
    row = (pool, ordinal, owner, msgspec.json.encode(values).decode(), now_instant())
    if connection.dialect.name == "postgresql":  # no row when another transaction is at it
        return _first(connection, _INSERT_GATED, (*row, f"{pool}#{ordinal}")) is not None
    # No row comes back when a unique constraint refused it.
    return _first(connection, _INSERT, row) is not None


# Driver SQL written once (with `?` markers): allocation runs in every resource order step.
_OF_OWNER = "SELECT pool, ordinal, owner, value FROM allocation WHERE owner = ?"
_CURSOR = "SELECT next_ordinal FROM pool_cursor WHERE pool = ?"
_ADVANCE_CURSOR = "UPDATE pool_cursor SET next_ordinal = ? WHERE pool = ?"
_INSERT = (
    "INSERT INTO allocation (pool, ordinal, owner, value, created_at) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING RETURNING ordinal"
)
# PostgreSQL: the value's advisory lock first, without waiting. A transaction that holds it
# (it is inserting the same value, uncommitted) makes this one skip to the next value instead
# of waiting on the primary key for that transaction's end: waits that two group-committed
# batches, each inserting a value the other wants, turned into deadlocks.
_INSERT_GATED = (
    "INSERT INTO allocation (pool, ordinal, owner, value, created_at) SELECT ?, ?, ?, ?, ? "
    "WHERE pg_try_advisory_xact_lock(hashtextextended(?, 0)) "
    "ON CONFLICT DO NOTHING RETURNING ordinal"
)


def _sql(connection: Connection, sql: str, parameters: tuple[Any, ...]) -> CursorResult[Any]:
    if connection.dialect.name == "postgresql":
        sql = sql.replace("?", "%s")
    return connection.exec_driver_sql(sql, parameters)


def _selected() -> Select[tuple[str, int, str, str]]:
    return select(allocation.c.pool, allocation.c.ordinal, allocation.c.owner, allocation.c.value)


def _first(connection: Connection, sql: str, parameters: tuple[Any, ...]) -> Any:
    """The first row of a hot statement (psycopg's own execute on PostgreSQL: storage/raw.py)."""
    if connection.dialect.name == "postgresql":
        return raw.execute(connection, sql.replace("?", "%s"), parameters).fetchone()
    return connection.exec_driver_sql(sql, parameters).first()


def _from_row(row: Sequence[Any]) -> Allocation:
    """An allocation from (pool, ordinal, owner, value)."""
    values: dict[str, Any] = msgspec.json.decode(row[3])
    return Allocation(row[0], int(row[1]), row[2], values)
