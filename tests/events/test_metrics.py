"""`/metrics` on hub deliveries: delivered and parked ones are counted, and the deliveries a
down subscriber has parked show in the scrape (read from the database)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascade.settings import Settings
from tests.events.conftest import (
    CREATES,
    EVENTS_FAST,
    Listener,
    new_offering,
    subscribe,
    until,
)
from tests.fulfilment.conftest import Chain
from tests.operations.scrape import Samples, parse, value

PARKED = "/cascade/events/parked"


@pytest.fixture
def chain_settings() -> Settings:
    return replace(EVENTS_FAST, events_park_after_s=0.5)


def scrape(chain: Chain) -> Samples:
    response = chain.client.get("/metrics")
    assert response.status_code == 200, response.text
    return parse(response.text)


def test_parked_deliveries_show_in_the_metrics(chain: Chain, listener: Listener) -> None:
    before = scrape(chain)
    up = subscribe(chain.client, "tmf620", listener.url("/up"), query=CREATES)
    new_offering(chain.client, "first")
    until(lambda: len(listener.received("/up")) == 1, what="one delivery")
    listener.down()
    down = subscribe(chain.client, "tmf620", listener.url("/down"), query=CREATES)
    chain.client.delete(f"/tmf-api/productCatalogManagement/v4/hub/{up['id']}")
    for n in range(2):
        new_offering(chain.client, f"p{n}")
    until(lambda: len(chain.get(PARKED)) == 2, what="two parked deliveries")
    after = scrape(chain)
    waiting = "cascade_event_deliveries_waiting"
    assert value(after, waiting, status="parked") == 2
    assert value(after, waiting, status="pending") == 0
    counted = "cascade_event_deliveries_total"
    assert (
        value(after, counted, outcome="delivered") - value(before, counted, outcome="delivered")
        >= 1
    )
    assert value(after, counted, outcome="parked") - value(before, counted, outcome="parked") >= 1
    assert {p["subscription"] for p in chain.get(PARKED)} == {down["id"]}
