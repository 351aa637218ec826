"""Events survive the process: what was recorded but not yet delivered (outbox rows, pending
deliveries) is sent by the next Cascade on the same database."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import httpx
from litestar.testing import TestClient
from sqlalchemy import create_engine, select

from cascade.bootstrap import Cascade, build
from cascade.storage.tables import event_delivery
from tests.conftest import PUBLIC_URL, _empty_tables, fresh_database_url
from tests.e2e.server import free_port, running_server
from tests.events.conftest import (
    BASES,
    CREATES,
    EVENTS_FAST,
    OFFERING,
    Listener,
    Received,
    delivery_attempts,
    new_offering,
    outbox_and_deliveries,
    subscribe,
    until,
)
from tests.waiting import HTTP_TIMEOUT_S

COUNT = 5


def cascade_on(database_url: str, *, controllers: bool) -> Cascade:
    return build(replace(EVENTS_FAST, database_url=database_url, controllers=controllers))


def offering_ids(listener: Listener) -> list[str]:
    return sorted(r.event["event"]["productOffering"]["id"] for r in listener.received())


def test_pending_deliveries_are_sent_after_a_restart(database_url: str, listener: Listener) -> None:
    first = cascade_on(database_url, controllers=True)
    first.database.write_sync(_empty_tables)
    listener.down()
    try:
        with TestClient(first.app, base_url=PUBLIC_URL) as client:
            subscribe(client, "tmf620", listener.url(), query=CREATES)
            ids = [new_offering(client, f"r{n}")["id"] for n in range(COUNT)]
            until(
                lambda: len(a := delivery_attempts(first)) == COUNT and min(a) >= 1,
                what="every delivery tried",
            )
    finally:
        first.close()
    listener.up()
    second = cascade_on(database_url, controllers=True)
    try:
        with TestClient(second.app, base_url=PUBLIC_URL):
            listener.wait(lambda r: len(r) >= COUNT, what="the events recorded before restart")
            until(lambda: outbox_and_deliveries(second) == (0, 0), what="deliveries done")
    finally:
        second.close()
    assert offering_ids(listener) == sorted(ids)
    assert len({r.event["eventId"] for r in listener.received()}) == COUNT


def test_outbox_rows_written_without_a_sender_are_sent_by_the_next_one(
    database_url: str, listener: Listener
) -> None:
    quiet = cascade_on(database_url, controllers=False)  # no sender runs in this one
    quiet.database.write_sync(_empty_tables)
    try:
        with TestClient(quiet.app, base_url=PUBLIC_URL) as client:
            subscribe(client, "tmf620", listener.url(), query=CREATES)
            ids = [new_offering(client, f"q{n}")["id"] for n in range(COUNT)]
            outbox, deliveries = outbox_and_deliveries(quiet)
            assert (outbox, deliveries) == (COUNT, 0), "events wait in the outbox"
    finally:
        quiet.close()
    assert listener.received() == []
    sender = cascade_on(database_url, controllers=True)
    try:
        with TestClient(sender.app, base_url=PUBLIC_URL):
            listener.wait(lambda r: len(r) >= COUNT, what="the outbox's events")
            until(lambda: outbox_and_deliveries(sender) == (0, 0), what="deliveries done")
    finally:
        sender.close()
    assert offering_ids(listener) == sorted(ids)


def test_a_killed_server_delivers_after_restart(tmp_path: Path, listener: Listener) -> None:
    """A real `cascade serve` process, SIGKILLed while its subscriber is down."""
    url = fresh_database_url("sqlite", tmp_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The first retry waits 2 s: killed between two attempts, no delivery is held by a lease.
    environment = {
        "CASCADE_EVENTS_POLL_INTERVAL_S": "0.02",
        "CASCADE_EVENTS_BACKOFF_MS": "2000",
        "CASCADE_EVENTS_BACKOFF_MAX_MS": "2000",
    }
    engine = create_engine(url)
    leases = select(event_delivery.c.attempts, event_delivery.c.lease_until_ms)

    def tried_and_free() -> bool:
        with engine.connect() as connection:
            rows = connection.execute(leases).all()
        return len(rows) == COUNT and all(a >= 1 and lease is None for a, lease in rows)

    listener.down()
    try:
        with running_server(url, port, environment=environment) as server:
            hub = httpx.post(
                f"{base}{BASES['tmf620']}/hub",
                json={"callback": listener.url(), "query": CREATES},
                timeout=HTTP_TIMEOUT_S,
            )
            assert hub.status_code == 201, hub.text
            ids = []
            for n in range(COUNT):
                created = httpx.post(
                    f"{base}{OFFERING}",
                    json={"name": f"k{n}", "lifecycleStatus": "In design"},
                    timeout=HTTP_TIMEOUT_S,
                )
                assert created.status_code == 201, created.text
                ids.append(created.json()["id"])
            until(tried_and_free, what="every delivery tried once")
            server.kill()
        listener.up()
        with running_server(url, port, environment=environment):
            listener.wait(lambda r: len(r) >= COUNT, what="the events from before the kill")
    finally:
        engine.dispose()
    assert offering_ids(listener) == sorted(ids)


def test_a_delivery_in_flight_at_shutdown_is_sent_soon_after_restart(
    database_url: str, listener: Listener
) -> None:
    """A graceful stop while a POST is in flight: the next Cascade sends it again promptly
    (not only once the stopped sender's 60 s lease has run out)."""
    first = cascade_on(database_url, controllers=True)
    first.database.write_sync(_empty_tables)
    listener.delay_s = 3.0  # the POST is still in flight when the Cascade stops,
    listener.status = 503  # and what it finally answers is not a success
    try:
        with TestClient(first.app, base_url=PUBLIC_URL) as client:
            subscribe(client, "tmf620", listener.url(), query=CREATES)
            offering = new_offering(client, "in flight")["id"]
            until(lambda: listener.arrived >= 1, what="the POST under way")
    finally:
        first.close()
    listener.delay_s, listener.status = 0.0, 201
    second = cascade_on(database_url, controllers=True)
    try:
        with TestClient(second.app, base_url=PUBLIC_URL):
            try:
                listener.wait(  # well before a kept lease (60 s) would let it go
                    lambda r: offering in offering_ids_of(r), timeout=45, what="the resent event"
                )
            except AssertionError as error:
                raise AssertionError(
                    "BUG: a delivery cancelled by a graceful stop keeps its lease (60 s), so the "
                    "next Cascade does not send it for a minute"
                ) from error
    finally:
        second.close()


def offering_ids_of(received: list[Received]) -> list[str]:
    return [r.event["event"]["productOffering"]["id"] for r in received]
