"""Rows claimed under a lease: due rows taken by one process at a time, given back on failure.

The HTTP activation sender (`remote_activation`) and a component's follower (`remote_order`)
both keep their work as rows with `due_ms`, `lease_owner` and `lease_until_ms`. A row is free
once due and not leased (or its lease has run out, after a crash); on PostgreSQL rows another
process is claiming are skipped (SKIP LOCKED).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, ColumnElement, Connection, Table, and_, case, func, or_, select
from sqlalchemy import update as update_rows

from cascade.storage import work


def claim_due(
    connection: Connection,
    table: Table,
    keys: tuple[Column[Any], ...],
    active: ColumnElement[bool],
    owner: str,
    lease_ms: int,
    limit: int,
) -> list[Any]:
    """Lease up to `limit` due rows matching `active` to `owner`, oldest due first."""
    now = work.now_ms()
    query = (
        select(table)
        .where(
            active,
            table.c.due_ms <= now,
            or_(table.c.lease_until_ms.is_(None), table.c.lease_until_ms < now),
        )
        .order_by(table.c.due_ms)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = connection.execute(query).all()
    for row in rows:
        connection.execute(
            update_rows(table)
            .where(and_(*(key == getattr(row, key.name) for key in keys)))
            .values(lease_owner=owner, lease_until_ms=now + lease_ms)
        )
    return list(rows)


def next_free(connection: Connection, table: Table, active: ColumnElement[bool]) -> int | None:
    """When the next row matching `active` can be claimed (a leased row: when its lease ends)."""
    free_at = case(
        (table.c.lease_until_ms > table.c.due_ms, table.c.lease_until_ms), else_=table.c.due_ms
    )
    due: int | None = connection.execute(select(func.min(free_at)).where(active)).scalar()
    return due
