"""The Alembic migrations build exactly the schema the code declares, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, create_engine, inspect, text

from cascade.storage.migrate import downgrade, upgrade
from cascade.storage.tables import metadata
from tests.conftest import _backends, fresh_database_url


def test_migrated_schema_matches_the_tables(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection)
            assert context.get_current_revision() is not None
            assert compare_metadata(context, metadata) == []
    finally:
        engine.dispose()


def _old_rows(connection: Connection) -> None:
    """What a database of revision 0007 holds: kinds named after their API."""
    connection.execute(
        text(
            "INSERT INTO entity (kind, id, version, state, created_at, doc) VALUES "
            "('tmf622.productOrder', 'po-1', 1, 'inProgress', 'now', '{\"id\": \"po-1\"}'),"
            "('tmf640.service', 'act-1', 1, 'active', 'now', '{\"id\": \"act-1\"}'),"
            "('tmf622.hub', 'sub-1', 1, NULL, 'now', '{\"id\": \"sub-1\"}')"
        )
    )
    pk = connection.execute(text("SELECT pk FROM entity WHERE id = 'po-1'")).scalar_one()
    connection.execute(
        text(
            "INSERT INTO entity_term (entity_pk, kind, path, value) "
            "VALUES (:pk, 'tmf622.productOrder', 'relatedParty.id', 'acme')"
        ),
        {"pk": pk},
    )
    connection.execute(
        text(
            "INSERT INTO work_item (kind, entity_id, due_ms, seq, attempts) "
            "VALUES ('tmf641.cancelServiceOrder', 'task-1', 0, 1, 0)"
        )
    )
    connection.execute(
        text(
            "INSERT INTO event_delivery (hub_kind, subscription, entity, event_seq, event_id, "
            "event_type, callback, body, status, attempts, due_ms) VALUES ('tmf622.hub', "
            "'sub-1', 'tmf622.productOrder/po-1', 1, 'e-1', 'T', 'http://x', '{}', 'pending', "
            "0, 0)"
        )
    )


@pytest.mark.parametrize("backend", _backends())
def test_kinds_are_renamed_version_neutral_and_back(backend: str, tmp_path: Path) -> None:
    """0008 renames every stored kind (`tmf622.productOrder` -> `productOrder`), hubs aside,
    with pending deliveries kept in their entity's line; its downgrade restores them."""
    url = fresh_database_url(backend, tmp_path)
    upgrade(url, "0007")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            _old_rows(connection)
        upgrade(url)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, kind FROM entity")).all()
            kinds = {str(id_): str(kind) for id_, kind in rows}
            assert kinds == {
                "po-1": "productOrder",
                "act-1": "serviceActivation",
                "sub-1": "tmf622.hub",
            }
            assert connection.execute(text("SELECT kind FROM entity_term")).scalar_one() == (
                "productOrder"
            )
            assert connection.execute(text("SELECT kind FROM work_item")).scalar_one() == (
                "cancelServiceOrder"
            )
            line = connection.execute(text("SELECT entity FROM event_delivery")).scalar_one()
            assert line == "productOrder/po-1"
        downgrade(url, "0007")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, kind FROM entity")).all()
            kinds = {str(id_): str(kind) for id_, kind in rows}
            assert kinds["po-1"] == "tmf622.productOrder" and kinds["act-1"] == "tmf640.service"
            line = connection.execute(text("SELECT entity FROM event_delivery")).scalar_one()
            assert line == "tmf622.productOrder/po-1"
    finally:
        engine.dispose()


@pytest.mark.parametrize("backend", _backends())
def test_claims_come_and_go_with_their_revision(backend: str, tmp_path: Path) -> None:
    """The claim table (one cancellation per order, one running change per product) is added
    after 0008 and dropped by its downgrade, leaving the rest as it was."""
    url = fresh_database_url(backend, tmp_path)
    upgrade(url, "0008")
    engine = create_engine(url)
    try:
        assert "claim" not in inspect(engine).get_table_names()
        upgrade(url)
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO claim (scope, subject, holder, created_at) "
                    "VALUES ('cancelProductOrder', 'po-1', 'task-1', 'now')"
                )
            )
        downgrade(url, "0008")
        assert "claim" not in inspect(engine).get_table_names()
        assert "entity" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _orders_and_claims(connection: Connection) -> None:
    """Orders in each kind of state, and the claims a database of 0012 may hold for them."""
    orders = [
        ("productOrder", "po-done", "completed"),
        ("productOrder", "po-running", "inProgress"),
        ("productOrder", "po-waiting", "acknowledged"),
        ("serviceOrder", "so-failed", "failed"),
        ("serviceOrder", "so-held", "held"),
        ("resourceOrder", "ro-cancelled", "cancelled"),
    ]
    for kind, id_, state in orders:
        connection.execute(
            text(
                "INSERT INTO entity (kind, id, version, state, created_at, doc) "
                "VALUES (:kind, :id, 1, :state, 'now', '{}')"
            ),
            {"kind": kind, "id": id_, "state": state},
        )
    claims = [
        ("productChange", "p-1", "po-done"),
        ("productChange", "p-2", "po-running"),
        ("productChange", "p-3", "po-waiting"),
        ("productChange", "p-4", "po-deleted"),
        ("serviceChange", "s-1", "so-failed"),
        ("serviceChange", "s-2", "so-held"),
        ("resourceChange", "r-1", "ro-cancelled"),
        ("resourceChange", "r-2", "po-running"),  # no resource order of that id
        ("cancelProductOrder", "po-done", "task-1"),
        ("traceparent", "productOrder/po-done", "00-abc-def-01"),
    ]
    for scope, subject, holder in claims:
        connection.execute(
            text(
                "INSERT INTO claim (scope, subject, holder, created_at) "
                "VALUES (:scope, :subject, :holder, 'now')"
            ),
            {"scope": scope, "subject": subject, "holder": holder},
        )


@pytest.mark.parametrize("backend", _backends())
def test_change_claims_of_ended_orders_go(backend: str, tmp_path: Path) -> None:
    """0013 deletes the change claims whose order has ended or is gone (left from before ADR
    0029) and keeps those of orders that may still run, and every other claim."""
    url = fresh_database_url(backend, tmp_path)
    upgrade(url, "0012")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            _orders_and_claims(connection)
        upgrade(url, "0013")
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT scope, subject FROM claim")).all()
        assert {(str(scope), str(subject)) for scope, subject in rows} == {
            ("productChange", "p-2"),
            ("productChange", "p-3"),
            ("serviceChange", "s-2"),
            ("cancelProductOrder", "po-done"),
            ("traceparent", "productOrder/po-done"),
        }
        downgrade(url, "0012")  # nothing to put back, and nothing fails
        upgrade(url)
    finally:
        engine.dispose()
