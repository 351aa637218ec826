"""The figures of `/metrics` that come from the database, read at scrape time (ADR 0024).

Every process sharing one database reads the same rows, so every process reports the same
figures: orders by kind and state, the controllers' work queue, hub deliveries waiting or
parked, and pool usage. One read transaction per scrape, a handful of grouped counts over
indexed columns; pools are bounded to `MAX_POOLS` series.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import Connection, case, func, select

from cascade.fulfilment.layers.registry import LAYERS
from cascade.fulfilment.pool_usage import pool_usage
from cascade.storage.leases import now_ms
from cascade.storage.tables import (
    entity,
    event_delivery,
    event_outbox,
    work_item,
)

MAX_POOLS = 1_000  # pool series at most (one per pool key: spec id and scope values)
ORDER_KINDS = tuple(kind.name for layer in LAYERS for kind in (layer.order_kind, layer.task_kind))


@dataclass
class Snapshot:
    """What one scrape read, in one read transaction."""

    orders: list[tuple[str, str, int]] = field(default_factory=list)  # kind, state, count
    work_items: int = 0
    work_due: int = 0  # due now and not under a running lease
    work_failing: int = 0  # whose last step failed (attempts > 0)
    oldest_due_s: float = 0.0  # how long the oldest due item has waited
    outbox: int = 0
    deliveries: dict[str, int] = field(default_factory=dict)  # by status: pending, parked
    pools: list[tuple[str, int, int | None]] = field(default_factory=list)  # key, held, size


def read_snapshot(connection: Connection) -> Snapshot:
    snapshot = Snapshot()
    e = entity.c
    counted = connection.execute(
        select(e.kind, e.state, func.count())
        .where(e.kind.in_(ORDER_KINDS))
        .group_by(e.kind, e.state)
    )
    snapshot.orders = [(kind, state or "", int(count)) for kind, state, count in counted]
    _read_work(connection, snapshot)
    snapshot.outbox = int(
        connection.execute(select(func.count()).select_from(event_outbox)).one()[0]
    )
    d = event_delivery.c
    grouped = connection.execute(select(d.status, func.count()).group_by(d.status))
    snapshot.deliveries = {status: int(count) for status, count in grouped}
    snapshot.pools = pool_usage(connection, MAX_POOLS)
    return snapshot


def _read_work(connection: Connection, snapshot: Snapshot) -> None:
    moment = now_ms()
    w = work_item.c
    due = (w.due_ms <= moment) & (w.lease_until_ms.is_(None) | (w.lease_until_ms < moment))
    row = connection.execute(
        select(
            func.count(),
            func.sum(case((due, 1), else_=0)),
            func.sum(case((w.attempts > 0, 1), else_=0)),
            func.min(case((due, w.due_ms), else_=None)),
        )
    ).one()
    snapshot.work_items = int(row[0])
    snapshot.work_due = int(row[1] or 0)
    snapshot.work_failing = int(row[2] or 0)
    snapshot.oldest_due_s = 0.0 if row[3] is None else max(0.0, (moment - int(row[3])) / 1000)


class SnapshotCollector(Collector):
    """A prometheus_client collector of one snapshot (None: the database did not answer)."""

    def __init__(self, snapshot: Snapshot | None) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "cascade_database_up", "Whether this scrape could read the database."
        )
        up.add_metric([], 0 if self.snapshot is None else 1)
        yield up
        if self.snapshot is not None:
            yield from _families(self.snapshot)


def _families(snapshot: Snapshot) -> Iterator[Metric]:
    orders = GaugeMetricFamily(
        "cascade_orders",
        "Orders and cancellation tasks stored, by kind and state.",
        labels=["kind", "state"],
    )
    for kind, state, count in snapshot.orders:
        orders.add_metric([kind, state], count)
    yield orders
    yield _gauge(
        "cascade_work_items",
        "Entities waiting for a controller (the work queue).",
        snapshot.work_items,
    )
    yield _gauge(
        "cascade_work_items_due",
        "Work items due now and not leased: the backlog.",
        snapshot.work_due,
    )
    yield _gauge(
        "cascade_work_items_failing",
        "Work items whose last step failed (retried with back-off).",
        snapshot.work_failing,
    )
    yield _gauge(
        "cascade_work_oldest_due_seconds",
        "How long the oldest due, unleased work item has waited (0: none waits).",
        snapshot.oldest_due_s,
    )
    yield _gauge(
        "cascade_event_outbox", "Events not yet fanned out to subscriptions.", snapshot.outbox
    )
    deliveries = GaugeMetricFamily(
        "cascade_event_deliveries_waiting",
        "Hub deliveries not yet delivered, by status (pending, parked).",
        labels=["status"],
    )
    for status in ("pending", "parked"):
        deliveries.add_metric([status], snapshot.deliveries.get(status, 0))
    yield deliveries
    yield from _pool_families(snapshot)


def _pool_families(snapshot: Snapshot) -> Iterator[Metric]:
    allocated = GaugeMetricFamily(
        "cascade_pool_allocated", "Values held, per resource pool.", labels=["pool"]
    )
    free = GaugeMetricFamily(
        "cascade_pool_free", "Values still free, per resource pool.", labels=["pool"]
    )
    size = GaugeMetricFamily(
        "cascade_pool_size", "Values a resource pool has, held or not.", labels=["pool"]
    )
    for key, held, total in snapshot.pools:
        allocated.add_metric([key], held)
        if total is not None:
            free.add_metric([key], max(0, total - held))
            size.add_metric([key], total)
    yield from (allocated, free, size)


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    gauge = GaugeMetricFamily(name, documentation)
    gauge.add_metric([], value)
    return gauge
