"""Each entity's events reach a subscriber in the order of its changes: through retries, with
several entities changing at once, and with two senders sharing the database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from litestar.testing import TestClient

from cascade.bootstrap import build
from tests.conftest import PUBLIC_URL
from tests.events.conftest import (
    OFFERING,
    Listener,
    Received,
    delivery_attempts,
    new_offering,
    outbox_and_deliveries,
    subscribe,
    until,
)
from tests.fulfilment.conftest import Chain

CHANGES = "eventType=ProductOfferingAttributeValueChangeEvent"
MERGE = {"Content-Type": "application/merge-patch+json"}


def change(client: TestClient[Any], offering: str, description: str) -> None:
    response = client.patch(
        f"{OFFERING}/{offering}", json={"description": description}, headers=MERGE
    )
    assert response.status_code == 200, response.text


def descriptions(received: list[Received]) -> dict[str, list[str]]:
    """The descriptions each offering's change events carried, in arrival order."""
    found: dict[str, list[str]] = {}
    for r in received:
        offering = r.event["event"]["productOffering"]
        found.setdefault(offering["id"], []).append(offering["description"])
    return found


def no_event_twice(received: list[Received]) -> None:
    twice = [i for i, n in Counter(r.event["eventId"] for r in received).items() if n > 1]
    assert twice == [], f"eventIds delivered more than once: {twice}"


def test_order_holds_through_failures_and_retries(chain: Chain, listener: Listener) -> None:
    subscribe(chain.client, "tmf620", listener.url(), query=CHANGES)
    offering = new_offering(chain.client, "retried")["id"]
    listener.status = 503
    expected = [f"v{n:02d}" for n in range(1, 11)]
    for description in expected:
        change(chain.client, offering, description)
    until(lambda: listener.attempts >= 3, what="three refused attempts")
    until(lambda: len(delivery_attempts(chain.cascade)) == 10, what="ten pending deliveries")
    listener.status = 201
    listener.wait(lambda r: len(r) >= 10, what="ten change events")
    assert descriptions(listener.received()) == {offering: expected}, "out of order after retries"
    no_event_twice(listener.received())


def test_order_holds_per_entity_when_several_change_at_once(
    chain: Chain, listener: Listener
) -> None:
    subscribe(chain.client, "tmf620", listener.url(), query=CHANGES)
    offerings = [new_offering(chain.client, f"many{n}")["id"] for n in range(3)]
    expected = [f"v{n:02d}" for n in range(1, 16)]
    for description in expected:
        for offering in offerings:
            change(chain.client, offering, description)
    listener.wait(lambda r: len(r) >= 45, what="45 change events")
    assert descriptions(listener.received()) == {o: expected for o in offerings}
    no_event_twice(listener.received())


@pytest.fixture
def second_client(chain: Chain) -> Iterator[TestClient[Any]]:
    """Another Cascade (its own sender) on the chain's database, as a second process would."""
    other = build(replace(chain.cascade.settings, controllers=True))
    try:
        with TestClient(other.app, base_url=PUBLIC_URL) as client:
            yield client
    finally:
        other.close()


def test_two_senders_deliver_each_event_once_and_in_order(
    chain: Chain, listener: Listener, second_client: TestClient[Any]
) -> None:
    subscribe(chain.client, "tmf620", listener.url(), query=CHANGES)
    offerings = [new_offering(chain.client, f"two{n}")["id"] for n in range(2)]
    expected = [f"v{n:02d}" for n in range(1, 21)]
    for description in expected:  # writes through both, so both senders are woken
        for offering, client in zip(offerings, (chain.client, second_client), strict=True):
            change(client, offering, description)
    listener.wait(lambda r: len(r) >= 40, what="40 change events")
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="deliveries done")
    no_event_twice(listener.received())
    assert descriptions(listener.received()) == {o: expected for o in offerings}
