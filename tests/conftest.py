"""Fixtures shared by every layer of tests: databases (SQLite and PostgreSQL) and the app."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Connection, delete
from sqlalchemy.engine import make_url

from cascade.bootstrap import Cascade, build
from cascade.settings import Settings
from cascade.storage.migrate import upgrade
from cascade.storage.tables import (
    allocation,
    api_key,
    audit_entry,
    claim,
    component_link,
    entity,
    entity_owner,
    entity_term,
    event_delivery,
    event_outbox,
    idempotency_key,
    pool_cursor,
    remote_activation,
    remote_order,
    simulated_network,
    subscription_secret,
    work_item,
)
from tests.gate import Gate, new_gate

POSTGRES_ENV = "CASCADE_TEST_POSTGRES_URL"
PUBLIC_URL = "http://testserver.local"

# Hypothesis times each example (200 ms) and its data generation: on a loaded machine both
# fail by chance. What a property test checks is the property, not the time it takes.
hypothesis_settings.register_profile(
    "cascade", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("cascade")


def _backends() -> list[object]:
    postgres = pytest.param(
        "postgresql",
        marks=[
            pytest.mark.postgres,
            pytest.mark.skipif(
                not os.environ.get(POSTGRES_ENV), reason=f"{POSTGRES_ENV} is not set"
            ),
        ],
    )
    return ["sqlite", postgres]


def fresh_postgres_database(server_url: str) -> str:
    """Create an empty database on the test server; returns its SQLAlchemy URL."""
    url = make_url(server_url)
    name = f"cascade_test_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def fresh_database_url(backend: str, directory: Path) -> str:
    if backend == "sqlite":
        return f"sqlite:///{directory / f'cascade-{uuid.uuid4().hex[:8]}.db'}"
    return fresh_postgres_database(os.environ[POSTGRES_ENV])


@pytest.fixture(scope="session", params=_backends())
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A migrated database per backend, shared by the session (tables emptied per test)."""
    url = fresh_database_url(str(request.param), tmp_path_factory.mktemp("db"))
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def cascade_session(database_url: str) -> Iterator[Cascade]:
    # Controllers stay off here: API tests look at what a request did, not at fulfilment.
    settings = Settings(database_url=database_url, public_url=PUBLIC_URL, controllers=False)
    cascade = build(settings)
    yield cascade
    cascade.close()


def _empty_tables(connection: Connection) -> None:
    for table in (
        entity_term,
        entity,
        idempotency_key,
        work_item,
        allocation,
        pool_cursor,
        simulated_network,
        remote_activation,
        api_key,
        audit_entry,
        entity_owner,
        event_outbox,
        event_delivery,
        subscription_secret,
        remote_order,
        component_link,
        claim,
    ):
        connection.execute(delete(table))


@pytest.fixture
def cascade(cascade_session: Cascade) -> Cascade:
    """The shared Cascade, with every table emptied before the test."""
    cascade_session.database.write_sync(_empty_tables)
    return cascade_session


@pytest.fixture
def gate(tmp_path: Path) -> Gate:
    """An open gate for the simulated network: pass `gate.setting` as `simulator_gate`."""
    return new_gate(tmp_path / "gate")
