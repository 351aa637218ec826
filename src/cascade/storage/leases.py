"""Rows claimed under a lease: due rows taken by one process at a time, given back on failure.

Every queue of due work keeps its rows with `due_ms`, `lease_owner` and `lease_until_ms`: the
controllers' work items (`work_item`), the HTTP activation sender's rows (`remote_activation`),
a component's follower's (`remote_order`) and the event deliveries (`event_delivery`). A row
is free once due and not leased (or its lease has run out, after a crash); on PostgreSQL rows
another process is claiming are skipped (SKIP LOCKED), unless the caller serialises its claims
some other way (the event deliveries take an advisory lock).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, Row, Table, and_, case, func, or_, select
from sqlalchemy import update as update_rows

from cascade.telemetry import metrics


def now_ms() -> int:
    """The clock of due times and leases: milliseconds since the epoch."""
    return int(time.time() * 1000)


def free(table: Table, moment: int) -> ColumnElement[bool]:
    """The rows of `table` that are due at `moment` and not under a running lease."""
    return and_(
        table.c.due_ms <= moment,
        or_(table.c.lease_until_ms.is_(None), table.c.lease_until_ms < moment),
    )


def claim_due(
    connection: Connection,
    table: Table,
    keys: Sequence[Column[Any]],
    active: ColumnElement[bool] | None,
    owner: str,
    lease_ms: int,
    limit: int,
    *,
    columns: Sequence[ColumnElement[Any]] = (),
    order_by: Sequence[ColumnElement[Any]] = (),
    now: int | None = None,
    skip_locked: bool = True,
) -> list[Row[Any]]:
    """Lease up to `limit` free rows matching `active` to `owner` until now + `lease_ms`.

    `keys` name a row (they must be among `columns`); `columns` are what is returned of each
    row (default: all of it; with `lease_owner` among them, takeovers are counted); `order_by`
    says which rows go first (default: the oldest due).
    `skip_locked=False` takes no row locks on PostgreSQL: for a caller whose claims are already
    one at a time, and that must not skip a row another transaction holds.
    """
    moment = now_ms() if now is None else now
    claimable = free(table, moment) if active is None else and_(active, free(table, moment))
    query = (
        (select(*columns) if columns else select(table))
        .where(claimable)
        .order_by(*(order_by or (table.c.due_ms,)))
        .limit(limit)
    )
    if skip_locked and connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = connection.execute(query).all()
    # A free row still naming an owner was leased by a holder that let the lease run out (its
    # process died): counted when `lease_owner` is among the columns returned.
    metrics.leases_taken_over(
        table.name, sum(1 for row in rows if getattr(row, "lease_owner", None) is not None)
    )
    if rows:
        connection.execute(
            update_rows(table)
            .where(_named(keys, rows))
            .values(lease_owner=owner, lease_until_ms=moment + lease_ms)
        )
    return list(rows)


def _named(keys: Sequence[Column[Any]], rows: Sequence[Row[Any]]) -> ColumnElement[bool]:
    """`rows`, by their keys: an IN list for a one-column key, else one AND per row.

    Not a row-value IN `(a, b) IN (VALUES ...)`: SQLite scans the whole table for that, while
    it searches the primary key once per AND.
    """
    if len(keys) == 1:
        key = keys[0]
        return key.in_([getattr(row, key.name) for row in rows])
    return or_(*(and_(*(key == getattr(row, key.name) for key in keys)) for row in rows))


def next_free(
    connection: Connection, table: Table, active: ColumnElement[bool] | None = None
) -> int | None:
    """When the next row matching `active` can be claimed (a leased row: when its lease ends)."""
    free_at = case(
        (table.c.lease_until_ms > table.c.due_ms, table.c.lease_until_ms), else_=table.c.due_ms
    )
    query = select(func.min(free_at))
    if active is not None:
        query = query.where(active)
    due = connection.execute(query).scalar()
    return None if due is None else int(due)
