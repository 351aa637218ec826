"""The counters of work this process did, per process (docs/operations.md, ADR 0024).

They live in `PROCESS`, a registry of this process only; figures that come from the database
(orders by state, queue depth, parked deliveries, pools) are read at scrape time instead
(web/gauges.py), so that every process sharing one database reports the same. Recording is a
counter increment on the hot path: no query, no lock beyond prometheus_client's own.

The processes of `cascade serve --workers N` share one socket, so a scrape reaches any one of
them: their supervisor gives them one `PROMETHEUS_MULTIPROC_DIR` (prometheus_client's
multiprocess mode), where each process keeps its counters in a file, and `exposition()`
answers the sum over all of them.
"""

from __future__ import annotations

import os
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.gc_collector import GCCollector
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own variable
PROCESS = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=PROCESS)
PlatformCollector(registry=PROCESS)
GCCollector(registry=PROCESS)

# Step durations run from milliseconds (a step on SQLite) to seconds (a lock conflict).
STEP_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

STEPS = Counter(
    "cascade_steps",
    "Controller steps this process ran, by kind of entity and outcome (committed, failed).",
    ["kind", "outcome"],
    registry=PROCESS,
)
STEP_SECONDS = Histogram(
    "cascade_step_duration_seconds",
    "How long a controller step took, its transaction's commit included, by kind of entity.",
    ["kind"],
    buckets=STEP_BUCKETS,
    registry=PROCESS,
)
LEASES_TAKEN_OVER = Counter(
    "cascade_leases_taken_over",
    "Rows this process claimed whose lease another holder let run out (a process lost), "
    "by queue (table).",
    ["queue"],
    registry=PROCESS,
)
LEASES_LOST = Counter(
    "cascade_leases_lost",
    "Steps this process rolled back because another holder had taken their lease over (the "
    "step outlived its lease unrenewed), by queue (table).",
    ["queue"],
    registry=PROCESS,
)
EVENT_DELIVERIES = Counter(
    "cascade_event_deliveries",
    "Hub event deliveries this process attempted, by outcome (delivered, failed, parked).",
    ["outcome"],
    registry=PROCESS,
)
HTTP_REQUESTS = Counter(
    "cascade_http_requests",
    "HTTP requests this process answered, by route name, method and status.",
    ["route", "method", "status"],
    registry=PROCESS,
)
HTTP_SECONDS = Histogram(
    "cascade_http_request_duration_seconds",
    "How long this process took to answer an HTTP request, by route name and method.",
    ["route", "method"],
    registry=PROCESS,
)


_children: dict[tuple[object, ...], Any] = {}  # labelled children, found once (labels() costs)


def _child(metric: Counter | Histogram, *labels: str) -> Any:
    key = (metric, *labels)
    found = _children.get(key)
    if found is None:
        found = _children[key] = metric.labels(*labels)
    return found


def step_done(kind: str, seconds: float, committed: bool) -> None:
    """One controller step ended (committed, or failed and retried later)."""
    _child(STEPS, kind, "committed" if committed else "failed").inc()
    _child(STEP_SECONDS, kind).observe(seconds)


def leases_taken_over(queue: str, count: int) -> None:
    if count:
        _child(LEASES_TAKEN_OVER, queue).inc(count)


def leases_lost(queue: str, count: int) -> None:
    if count:
        _child(LEASES_LOST, queue).inc(count)


def deliveries(outcome: str, count: int) -> None:
    if count:
        _child(EVENT_DELIVERIES, outcome).inc(count)


def request_done(route: str, method: str, status: int, seconds: float | None) -> None:
    """One HTTP request answered (`seconds` None: not timed, a request no route matched)."""
    _child(HTTP_REQUESTS, route, method, str(status)).inc()
    if seconds is not None:
        _child(HTTP_SECONDS, route, method).observe(seconds)


class _Shared:
    """The registry summing the files of every process of one `serve --workers N`."""

    registry: CollectorRegistry | None = None


def exposition() -> bytes:
    """The counters in the Prometheus text format: this process's, or (in multiprocess
    mode) the sum over the processes sharing the directory (without process_* figures)."""
    directory = os.environ.get(MULTIPROCESS_DIR)
    if not directory:
        return generate_latest(PROCESS)
    if _Shared.registry is None:
        _Shared.registry = CollectorRegistry()
        MultiProcessCollector(_Shared.registry, path=directory)  # type: ignore[no-untyped-call]
    return generate_latest(_Shared.registry)
