"""A subscriber that stays down has its deliveries parked; they are listed over HTTP and by
the CLI, and redelivered on request once it is back."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from cascade.bootstrap import Cascade, build
from cascade.cli import app
from cascade.settings import Settings
from cascade.storage.tables import event_delivery
from tests.conftest import PUBLIC_URL, _empty_tables
from tests.events.conftest import (
    CREATES,
    EVENTS_FAST,
    OFFERING,
    Listener,
    Received,
    new_offering,
    outbox_and_deliveries,
    subscribe,
    until,
)
from tests.fulfilment.conftest import Chain

PARKED = "/cascade/events/parked"
CREATE_OR_CHANGE = "eventType=ProductOfferingCreateEvent,ProductOfferingAttributeValueChangeEvent"


@pytest.fixture
def chain_settings() -> Settings:
    return replace(EVENTS_FAST, events_park_after_s=0.5)


def parked(chain: Chain, subscription: str | None = None) -> list[dict[str, Any]]:
    params = {"subscription": subscription} if subscription else {}
    response = chain.client.get(PARKED, params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    assert response.headers["X-Result-Count"] == str(len(found))
    return found


def test_parked_deliveries_are_listed_and_redelivered(
    chain: Chain, listener: Listener, database_url: str
) -> None:
    down = subscribe(chain.client, "tmf620", listener.url("/down"), query=CREATES)
    listener.down()
    ids = [new_offering(chain.client, f"p{n}")["id"] for n in range(3)]
    until(lambda: len(parked(chain)) == 3, what="three parked deliveries")
    found = parked(chain)
    assert {p["subscription"] for p in found} == {down["id"]}
    assert {p["eventType"] for p in found} == {"ProductOfferingCreateEvent"}
    assert all(p["attempts"] >= 1 and p["lastError"] for p in found), found
    assert all(p["callback"] == listener.url("/down") for p in found)
    assert parked(chain, "no-such-subscription") == []
    assert len(parked(chain, down["id"])) == 3

    result = CliRunner().invoke(app, ["events", "parked", "--database", database_url])
    assert result.exit_code == 0, result.output
    for delivery in found:
        assert delivery["eventId"] in result.output, "the CLI lists every parked delivery"
    assert "3 parked" in result.output

    listener.up()
    answer = chain.client.post(f"{PARKED}/redeliver", params={"subscription": down["id"]})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"redelivered": 3}
    received = listener.wait(lambda r: len(r) >= 3, what="the redelivered events")
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="deliveries done")
    assert sorted(r.event["eventId"] for r in listener.received()) == sorted(
        p["eventId"] for p in found
    )
    assert sorted(r.event["event"]["productOffering"]["id"] for r in received) == sorted(ids)
    assert parked(chain) == []


def test_the_cli_redelivers_parked_deliveries(
    chain: Chain, listener: Listener, database_url: str
) -> None:
    subscribe(chain.client, "tmf620", listener.url(), query=CREATES)
    listener.down()
    new_offering(chain.client, "cli")
    until(lambda: len(parked(chain)) == 1, what="a parked delivery")
    listener.up()
    result = CliRunner().invoke(app, ["events", "redeliver", "--database", database_url])
    assert result.exit_code == 0, result.output
    assert "1 deliveries back in line" in result.output
    listener.wait(lambda r: len(r) == 1, what="the redelivered event")
    assert parked(chain) == []


def test_a_new_event_waits_behind_its_entitys_parked_ones(chain: Chain, listener: Listener) -> None:
    """Order per entity is a delivery guarantee: parking must not let a later event of an
    entity overtake its parked earlier ones once the subscriber is back."""
    subscribe(chain.client, "tmf620", listener.url(), query=CREATE_OR_CHANGE)
    listener.down()
    first = new_offering(chain.client, "parked first")["id"]
    until(lambda: len(parked(chain)) == 1, what="the create event parked")
    listener.up()
    patched = chain.client.patch(
        f"{OFFERING}/{first}",
        json={"description": "changed after"},
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    later = new_offering(chain.client, "a later entity")["id"]  # sent after the change
    listener.wait(lambda r: later in ids_of(r), what="the later entity's event")
    answer = chain.client.post(f"{PARKED}/redeliver")
    assert answer.status_code == 200, answer.text
    listener.wait(lambda r: ids_of(r).count(first) == 2, what="both events of the first")
    kinds = [r.event_type for r in listener.received() if ids_of([r]) == [first]]
    assert kinds == ["ProductOfferingCreateEvent", "ProductOfferingAttributeValueChangeEvent"], (
        "BUG: a change event overtook its entity's parked create event (order per entity)"
    )


def ids_of(received: list[Received]) -> list[str]:
    return [r.event["event"]["productOffering"]["id"] for r in received]


def test_parked_deliveries_are_listed_oldest_first(database_url: str, listener: Listener) -> None:
    settings = replace(EVENTS_FAST, database_url=database_url, events_park_after_s=0.5)
    listener.down()
    quiet = build(replace(settings, controllers=False))  # events wait in the outbox
    quiet.database.write_sync(_empty_tables)
    try:
        with TestClient(quiet.app, base_url=PUBLIC_URL) as client:
            subscribe(client, "tmf620", listener.url(), query=CREATES)
            for n in range(3):
                new_offering(client, f"old{n}")
    finally:
        quiet.close()
    sending = build(replace(settings, controllers=True))
    try:
        with TestClient(sending.app, base_url=PUBLIC_URL) as client:
            chain = Chain(sending, client)
            until(lambda: len(parked(chain)) == 3, what="three parked deliveries")
            new_offering(client, "newest")  # recorded after the outbox was emptied
            until(lambda: len(parked(chain)) == 4, what="four parked deliveries")
            names = offering_names(sending)
            listed = [names[p["eventId"]] for p in parked(chain)]
    finally:
        sending.close()
    assert listed == ["old0", "old1", "old2", "newest"], (
        f"BUG: parked deliveries listed {listed}, not oldest first: on SQLite event_seq (the "
        "outbox rowid) starts again at 1 once the outbox is empty"
    )


def offering_names(cascade: Cascade) -> dict[str, str]:
    """The offering name of each delivery, by eventId."""
    query = select(event_delivery.c.event_id, event_delivery.c.body)
    rows = cascade.database.read_sync(lambda c: c.execute(query).all())
    return {str(i): json.loads(body)["event"]["productOffering"]["name"] for i, body in rows}
