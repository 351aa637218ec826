"""`/health/live` and `/health/ready`: ready only while the database answers, its schema is
current and the background loops run; 503 otherwise, in TMF-neutral JSON."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from litestar.testing import TestClient
from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url

from cascade.bootstrap import Cascade, build
from cascade.settings import Settings
from cascade.storage.migrate import upgrade
from tests.conftest import POSTGRES_ENV, PUBLIC_URL, fresh_database_url

pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")


def _backends() -> list[Any]:
    postgres = pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} unset"),
        ],
    )
    return ["sqlite", postgres]


@pytest.fixture(params=_backends())
def own_database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database of this test's own: the test takes it away."""
    url = fresh_database_url(str(request.param), tmp_path)
    upgrade(url)
    return url


@pytest.fixture
def running(own_database: str) -> Iterator[tuple[Cascade, TestClient[Any]]]:
    cascade = build(Settings(database_url=own_database, public_url=PUBLIC_URL))
    try:
        with TestClient(cascade.app, base_url=PUBLIC_URL) as client:
            yield cascade, client
    finally:
        cascade.close()


def ready(client: TestClient[Any]) -> tuple[int, dict[str, Any]]:
    response = client.get("/health/ready")
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return response.status_code, body


def test_live_and_ready_while_all_is_well(running: tuple[Cascade, TestClient[Any]]) -> None:
    _, client = running
    live = client.get("/health/live")
    assert (live.status_code, live.json()["status"]) == (200, "up")
    status, body = ready(client)
    assert (status, body["status"]) == (200, "up"), body
    checks = body["checks"]
    for name in ("database", "schema", "cascade-controllers", "cascade-events"):
        assert checks[name] == {"status": "up"}, name


def test_not_ready_when_the_database_is_gone(
    running: tuple[Cascade, TestClient[Any]], own_database: str
) -> None:
    _, client = running
    assert ready(client)[0] == 200
    _take_away(own_database)
    status, body = ready(client)
    assert (status, body["status"]) == (503, "down"), body
    assert body["checks"]["database"]["status"] == "down"
    live = client.get("/health/live")
    assert live.status_code == 200  # the process runs: restarting it would not help
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    assert "cascade_database_up 0.0" in metrics.text


def test_not_ready_when_the_schema_is_behind(running: tuple[Cascade, TestClient[Any]]) -> None:
    cascade, client = running
    cascade.database.write_sync(_one_revision_back)
    status, body = ready(client)
    assert (status, body["checks"]["schema"]["status"]) == (503, "down"), body
    assert "revision 0001," in body["checks"]["schema"]["reason"]


def test_not_ready_when_a_background_loop_stopped(
    running: tuple[Cascade, TestClient[Any]],
) -> None:
    cascade, client = running
    client.blocking_portal.call(cascade.events.stop)
    status, body = ready(client)
    assert status == 503, body
    assert body["checks"]["cascade-events"] == {"status": "down", "reason": "stopped"}
    assert body["checks"]["cascade-controllers"] == {"status": "up"}


def test_an_api_only_process_checks_no_loops(own_database: str) -> None:
    cascade = build(Settings(database_url=own_database, public_url=PUBLIC_URL, controllers=False))
    try:
        with TestClient(cascade.app, base_url=PUBLIC_URL) as client:
            status, body = ready(client)
    finally:
        cascade.close()
    assert status == 200
    assert set(body["checks"]) == {"database", "schema"}


def _one_revision_back(connection: Connection) -> None:
    connection.execute(text("UPDATE alembic_version SET version_num = '0001'"))


def _take_away(url: str) -> None:
    """SQLite: the file is removed; PostgreSQL: the database is dropped."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        Path(str(parsed.database)).unlink()
        return
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as c:
        c.execute(f'DROP DATABASE "{parsed.database}" WITH (FORCE)')
