"""`/health/live`, `/health/ready` and `/metrics`: what load balancers, orchestrators and
Prometheus ask a process (docs/operations.md, ADR 0024).

Live: the process answers. Ready: the database answers within `TIMEOUT_S`, its schema is at
the revision this code expects, and the background loops this process runs are running.
Both answer TMF-neutral JSON, 200 or 503.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import Response, get
from prometheus_client import generate_latest
from sqlalchemy import Connection, text

from cascade.storage.database import Database
from cascade.telemetry.metrics import exposition
from cascade.web.gauges import Snapshot, SnapshotCollector, read_snapshot

log = logging.getLogger(__name__)
TIMEOUT_S = 2.0
REVISION = "SELECT version_num FROM alembic_version"
JSON = "application/json"
# The text format Prometheus reads (Litestar adds "; charset=utf-8").
METRICS_TYPE = "text/plain; version=0.0.4"


@dataclass
class Probes:
    """What readiness looks at: the database, the schema revision expected, the loops."""

    database: Database
    revision: str | None  # the newest migration this code knows
    loops: Callable[[], Mapping[str, bool]]  # name -> running; {} when the process runs none


def health_handlers(probes: Probes) -> list[Any]:
    @get("/health/live", sync_to_thread=False, name="health.live")
    def live() -> Response[bytes]:
        return _answer(True, {})

    @get("/health/ready", name="health.ready")
    async def ready() -> Response[bytes]:
        checks = await _checks(probes)
        return _answer(all(check["status"] == "up" for check in checks.values()), checks)

    @get("/metrics", name="metrics")
    async def metrics() -> Response[bytes]:
        snapshot = await _snapshot(probes.database)
        body = exposition() + generate_latest(SnapshotCollector(snapshot))
        return Response(body, media_type=METRICS_TYPE)

    return [live, ready, metrics]


async def _checks(probes: Probes) -> dict[str, dict[str, str]]:
    checks = {"database": _up(), "schema": _up()}
    try:
        revision = await asyncio.wait_for(_current_revision(probes.database), TIMEOUT_S)
    except Exception as exc:
        checks["database"] = _down(f"{type(exc).__name__}: {exc}"[:300])
        checks["schema"] = _down("unknown: the database did not answer")
    else:
        if revision != probes.revision:
            checks["schema"] = _down(f"at revision {revision}, this code needs {probes.revision}")
    for name, running in probes.loops().items():
        checks[name] = _up() if running else _down("stopped")
    return checks


async def _current_revision(database: Database) -> str | None:
    """The schema revision of the database, read as a new process would find it.

    SQLite: from the file at the configured path, opened anew and never created (the open
    connections would still read a file that was removed). PostgreSQL: on a reader connection.
    """
    path = _sqlite_path(database)
    if path is not None:
        return await asyncio.to_thread(_sqlite_revision, path)
    return await database.read(_revision, snapshot=False)


def _revision(connection: Connection) -> str | None:
    row = connection.execute(text(REVISION)).first()
    return None if row is None else str(row[0])


def _sqlite_path(database: Database) -> str | None:
    path = database.engine.url.database if database.dialect == "sqlite" else None
    return path if path and path != ":memory:" else None


def _sqlite_revision(path: str) -> str | None:
    uri = f"file:{quote(os.path.abspath(path))}?mode=rw"
    with closing(sqlite3.connect(uri, uri=True, timeout=TIMEOUT_S)) as connection:
        row = connection.execute(REVISION).fetchone()
    return None if row is None else str(row[0])


async def _snapshot(database: Database) -> Snapshot | None:
    try:
        if _sqlite_path(database) is not None:  # the file is still there (see _current_revision)
            await asyncio.wait_for(_current_revision(database), TIMEOUT_S)
        return await asyncio.wait_for(database.read(read_snapshot), TIMEOUT_S)
    except Exception:
        log.warning("metrics: reading the database failed", exc_info=True)
        return None


def _up() -> dict[str, str]:
    return {"status": "up"}


def _down(reason: str) -> dict[str, str]:
    return {"status": "down", "reason": reason}


def _answer(ok: bool, checks: Mapping[str, Any]) -> Response[bytes]:
    body = {"status": "up" if ok else "down", "checks": dict(checks)}
    return Response(msgspec.json.encode(body), status_code=200 if ok else 503, media_type=JSON)
