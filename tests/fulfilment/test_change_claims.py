"""Two writers accept two orders changing one product at the same moment: exactly one passes.

The race is made, not hoped for. Two Cascades on one database (each its own writer connection,
as two processes have) run COM's acceptance step of one change each. The first writer's
transaction is held open after its step, before its commit, while the second one's step runs:
on PostgreSQL the second waits on the first one's claim (the test sees it waiting on a lock,
or done), on SQLite it waits for the database write lock. Then the first commits. Whatever
the order, one change is `inProgress` and the other `rejected` with the sequential refusal.
Without a guarantee in the database, both steps would see the other order `acknowledged`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import replace

import pytest
from litestar.testing import TestClient
from sqlalchemy import Connection, text

from cascade.bootstrap import Cascade, build
from cascade.fulfilment.product.controller import ProductOrderController
from cascade.fulfilment.runtime import StepContext
from tests.conftest import PUBLIC_URL
from tests.fulfilment.conftest import FAST, PO, broadband, running_chain
from tests.fulfilment.test_lifecycle import change, fulfilled, product_of

TIMEOUT_S = 60.0


@pytest.fixture
def writers(database_url: str) -> Iterator[tuple[Cascade, Cascade, str]]:
    """Two Cascades without controllers on a database holding one delivered broadband product."""
    with running_chain(database_url, FAST) as chain:
        product_id = product_of(fulfilled(chain, broadband(speed=500)))
    settings = replace(FAST, database_url=database_url, controllers=False)
    first, second = build(settings), build(settings)
    try:
        yield first, second, product_id
    finally:
        first.close()
        second.close()


def _controller(cascade: Cascade) -> ProductOrderController:
    return next(c for c in cascade.chain.controllers if isinstance(c, ProductOrderController))


def _now() -> StepContext:
    return StepContext(now_ms=time.time_ns() // 1_000_000, attempts=0)


def _waiting_on_a_lock(cascade: Cascade) -> bool:
    """Whether another PostgreSQL session waits on a lock (the second writer's claim)."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database()"
    )
    return bool(cascade.database.read_sync(lambda c: c.execute(query).scalar_one()))


def test_two_writers_accepting_changes_of_one_product_at_once_accept_one(
    writers: tuple[Cascade, Cascade, str],
) -> None:
    first, second, product_id = writers
    with TestClient(first.app, base_url=PUBLIC_URL) as client:
        ids = []
        for speed in (100, 1000):
            item = change("1", "modify", product_id, downloadSpeed=speed)
            placed = client.post(PO, json={"productOrderItem": [item]})
            assert placed.status_code == 201, placed.text
            ids.append(placed.json()["id"])
        stepped = threading.Event()
        release = threading.Event()

        def held_step(connection: Connection) -> None:
            _controller(first).step(connection, ids[0], _now())
            stepped.set()
            assert release.wait(TIMEOUT_S), "never released"  # the commit comes after this

        def step(connection: Connection) -> None:
            _controller(second).step(connection, ids[1], _now())

        held: Future[None] = first.database.submit_write(held_step)
        assert stepped.wait(TIMEOUT_S)
        racing: Future[None] = second.database.submit_write(step)
        if first.database.engine.dialect.name == "postgresql":
            deadline = time.monotonic() + TIMEOUT_S
            while not (racing.done() or _waiting_on_a_lock(first)):
                assert time.monotonic() < deadline, "the second step neither waited nor ended"
                time.sleep(0.01)
        release.set()
        held.result(TIMEOUT_S)
        racing.result(TIMEOUT_S)
        accepted, refused = (client.get(f"{PO}/{order_id}").json() for order_id in ids)
    assert (accepted["state"], refused["state"]) == ("inProgress", "rejected")
    notes = [note["text"] for note in refused["note"]]
    assert f"being changed by product order {accepted['id']}" in notes[0], notes
