"""Watch the system: what waits and why, what failed lately, parked deliveries, pool usage.

Every list is the order API's own list (party narrowing included), limited to a few rows;
parked deliveries and pools are for administrators (the scopes of `cascade.redeliver`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get
from sqlalchemy import Connection

from cascade.console.actions import REDELIVER_ROUTE
from cascade.console.auth import Viewer
from cascade.console.context import Console
from cascade.console.listing import ORDER_KINDS, OrderKind
from cascade.console.render import page
from cascade.events import store
from cascade.fulfilment.pool_usage import pool_usage
from cascade.storage.allocations import Allocation, allocations
from cascade.tmf.instants import now_instant

ROWS = 10  # orders per list
POOLS = 200
HOLDERS = 50  # allocations shown per pool


@dataclass
class Watched:
    waiting: list[tuple[OrderKind, str, list[dict[str, Any]], int]] = field(default_factory=list)
    failed: list[tuple[OrderKind, list[dict[str, Any]], int]] = field(default_factory=list)
    parked: dict[str, list[store.ParkedDelivery]] = field(default_factory=dict)
    pools: list[tuple[str, int, int | None, list[Allocation]]] = field(default_factory=list)
    admin: bool = False


async def _orders(
    console: Console, kind: OrderKind, params: list[tuple[str, str]], viewer: Viewer
) -> tuple[list[dict[str, Any]], int]:
    found = await console.resources[kind.resource].list(
        [*params, ("limit", str(ROWS))], viewer.caller
    )
    return msgspec.json.decode(found.body), found.total


async def watched(console: Console, viewer: Viewer) -> Watched:
    result = Watched(admin=console.auth.may(viewer, REDELIVER_ROUTE))
    for kind in ORDER_KINDS.values():
        for state in ("held", "pending"):
            rows, total = await _orders(console, kind, [("state", state)], viewer)
            result.waiting.append((kind, state, rows, total))
        rows, total = await _orders(
            console, kind, [("state", "failed"), ("sort", "-orderDate")], viewer
        )
        result.failed.append((kind, rows, total))
    product = ORDER_KINDS["productOrder"]
    future = [("state", "acknowledged"), ("requestedStartDate.gt", now_instant())]
    rows, total = await _orders(console, product, future, viewer)
    result.waiting.append((product, "a future start date", rows, total))
    if result.admin:
        result.parked, result.pools = await console.database.read(_administered)
    return result


def _administered(
    connection: Connection,
) -> tuple[
    dict[str, list[store.ParkedDelivery]], list[tuple[str, int, int | None, list[Allocation]]]
]:
    parked: dict[str, list[store.ParkedDelivery]] = {}
    for delivery in store.parked(connection, None):
        parked.setdefault(delivery.subscription, []).append(delivery)
    pools = []
    for key, held, size in pool_usage(connection, POOLS):
        holders = [each for each in allocations(connection, key) if each.pool == key][:HOLDERS]
        pools.append((key, held, size, holders))
    return parked, pools


def watch_handler(console: Console) -> Any:
    @get("/console/watch", name="console.watch", media_type=MediaType.HTML)
    async def watch(request: Request[Any, Any, Any]) -> Response[Any]:
        viewer = await console.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        found = await watched(console, viewer)
        return page(
            request, "watch.html", viewer=viewer, console=console, kinds=ORDER_KINDS, watched=found
        )

    return watch
