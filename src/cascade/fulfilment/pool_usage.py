"""How full each resource pool is: values held and the size its specification declares.

Read by `/metrics` (web/gauges.py) and by the console's watch page.
"""

from __future__ import annotations

import msgspec
from sqlalchemy import Connection, func, select

from cascade.apis import kinds
from cascade.domain.pools import PoolDeclarationError, pool_for
from cascade.storage.tables import allocation, entity, pool_cursor


def pool_usage(connection: Connection, limit: int) -> list[tuple[str, int, int | None]]:
    """Each pool's key, values held and size (None: its specification is gone or unreadable)."""
    held = {
        pool: int(count)
        for pool, count in connection.execute(
            select(allocation.c.pool, func.count())
            .group_by(allocation.c.pool)
            .order_by(allocation.c.pool)
            .limit(limit)
        )
    }
    used = connection.execute(select(pool_cursor.c.pool).order_by(pool_cursor.c.pool).limit(limit))
    keys = sorted({*held, *(row[0] for row in used)})[:limit]
    sizes = _sizes(connection, {key.split("|", 1)[0] for key in keys})
    return [(key, held.get(key, 0), sizes.get(key.split("|", 1)[0])) for key in keys]


def _sizes(connection: Connection, specification_ids: set[str]) -> dict[str, int]:
    """The pool size each resource specification declares, by its id."""
    if not specification_ids:
        return {}
    rows = connection.execute(
        select(entity.c.id, entity.c.doc).where(
            entity.c.kind == kinds.RESOURCE_SPECIFICATION.name,
            entity.c.id.in_(sorted(specification_ids)),
        )
    )
    sizes: dict[str, int] = {}
    for specification_id, doc in rows:
        try:
            pool = pool_for(msgspec.json.decode(doc))
        except (PoolDeclarationError, msgspec.DecodeError):
            continue
        if pool is not None:
            sizes[specification_id] = pool.size
    return sizes
