"""A subscription's query picks the events it receives and thins them; a query the hub cannot
honour is refused at creation (400) and creates nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.events.conftest import (
    BASES,
    PO_HUB,
    Listener,
    outbox_and_deliveries,
    subscribe,
    until,
)
from tests.fulfilment.conftest import Chain, broadband

COMPLETED = (
    "eventType=ProductOrderStateChangeEvent"
    "&event.productOrder.state=completed&fields=event.productOrder.state"
)


def test_state_filter_and_fields_deliver_one_thin_event_per_completed_order(
    chain: Chain, listener: Listener
) -> None:
    subscribe(chain.client, "tmf622", listener.url("/completed"), query=COMPLETED)
    failed = "eventType=ProductOrderStateChangeEvent&event.productOrder.state=failed"
    subscribe(chain.client, "tmf622", listener.url("/failed"), query=failed)
    subscribe(chain.client, "tmf622", listener.url("/all"))
    others = "eventType=ProductOrderStateChangeEvent&event.productOrder.state.ne=completed"
    subscribe(chain.client, "tmf622", listener.url("/not-completed"), query=others)
    orders = [chain.place(broadband()), chain.place(broadband(speed=100))]
    for order in orders:
        assert chain.wait_for(order["id"])["state"] == "completed"
    listener.wait(lambda found: len(found) == 2, path="/completed")
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="every event delivered")

    received = listener.received("/completed")
    assert sorted(r.event["event"]["productOrder"]["id"] for r in received) == sorted(
        o["id"] for o in orders
    ), "exactly one event per completed order"
    for r in received:
        assert r.event_type == "ProductOrderStateChangeEvent"
        order = r.event["event"]["productOrder"]
        assert set(order) == {"id", "href", "state"}, f"fields not applied: {sorted(order)}"
        assert order["state"] == "completed"
        assert order["href"].endswith(order["id"])
    assert listener.received("/failed") == []
    not_completed = [r.event["event"]["productOrder"] for r in listener.received("/not-completed")]
    assert sorted(o["id"] for o in not_completed) == sorted(o["id"] for o in orders)
    assert {o["state"] for o in not_completed} == {"inProgress"}, "the .ne operator"
    everything = listener.received("/all")
    assert {r.event_type for r in everything} >= {
        "ProductOrderCreateEvent",
        "ProductOrderStateChangeEvent",
    }
    whole = next(r for r in everything if r.event_type == "ProductOrderCreateEvent")
    assert "productOrderItem" in whole.event["event"]["productOrder"], "no fields: whole entity"


def test_an_unqualified_attribute_works_where_the_api_has_one_publisher(
    chain: Chain, listener: Listener
) -> None:
    subscribe(chain.client, "tmf637", listener.url(), query="status=active&fields=status")
    order = chain.place(broadband())
    assert chain.wait_for(order["id"])["state"] == "completed"
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="every event delivered")
    products = [r.event["event"]["product"] for r in listener.received()]
    assert products, "the product inventory published no event with status=active"
    assert all(set(p) == {"id", "href", "status"} for p in products), products
    assert {p["status"] for p in products} == {"active"}


INVALID = {
    "unknown event type": "eventType=ProductOrderExplodedEvent",
    "empty event type": "eventType=",
    "unknown attribute": "event.productOrder.colour=red",
    "unknown resource": "event.serviceOrder.state=completed",
    "resource without attribute": "event.productOrder=completed",
    "unqualified with two publishers": "state=completed",
    "unknown field": "fields=event.productOrder.colour",
    "malformed": "eventType",
    "not a string": 42,
    "too long": "eventType=" + "X" * 2100,
}


@pytest.mark.parametrize("query", INVALID.values(), ids=INVALID.keys())
def test_an_invalid_query_is_refused_and_creates_nothing(chain: Chain, query: Any) -> None:
    response = chain.client.post(PO_HUB, json={"callback": "http://127.0.0.1:9/x", "query": query})
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["status"] == "400"
    assert {"code", "reason", "message"} <= set(body)
    listed = chain.client.get(PO_HUB)
    assert listed.status_code == 200
    assert listed.json() == [], "a refused subscription must not be created"


def test_unqualified_names_are_refused_on_other_apis_too(chain: Chain) -> None:
    hub = f"{BASES['tmf620']}/hub"  # five publishing resources
    response = chain.client.post(hub, json={"callback": "http://127.0.0.1:9/x", "query": "name=x"})
    assert response.status_code == 400, response.text


VALID = [
    "eventType = ProductOrderCreateEvent",  # spaced, as in TMF examples
    "eventType=ProductOrderCreateEvent,CancelProductOrderCreateEvent",
    "event.productOrder.state=completed,failed",
    "event.productOrder.relatedParty.id=acme",
    "event.cancelProductOrder.state=done&fields=event.productOrder.state",
    "",
]


@pytest.mark.parametrize("query", VALID)
def test_a_valid_query_is_kept_as_given(chain: Chain, query: str) -> None:
    created = subscribe(chain.client, "tmf622", "http://127.0.0.1:9/x", query=query)
    shown = chain.client.get(f"{PO_HUB}/{created['id']}")
    assert shown.status_code == 200, shown.text
    assert shown.json().get("query", "") == query


def test_a_filter_into_an_array_picks_the_partys_orders(chain: Chain, listener: Listener) -> None:
    query = "eventType=ProductOrderCreateEvent&event.productOrder.relatedParty.id=acme"
    subscribe(chain.client, "tmf622", listener.url("/acme"), query=query)
    subscribe(
        chain.client, "tmf622", listener.url("/all"), query="eventType=ProductOrderCreateEvent"
    )

    def party(name: str) -> dict[str, Any]:
        return {"relatedParty": [{"id": name, "role": "customer", "@referredType": "Organization"}]}

    acme = chain.place(broadband(), **party("acme"))
    globex = chain.place(broadband(), **party("globex"))
    listener.wait(lambda found: len(found) == 2, path="/all")
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="every event delivered")
    ids = [r.event["event"]["productOrder"]["id"] for r in listener.received("/acme")]
    assert ids == [acme["id"]], f"globex's order {globex['id']} matched relatedParty.id=acme"
