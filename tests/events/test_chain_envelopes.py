"""Every API along the order chain publishes its TMF events to its hub, in the shape of the
official event definitions."""

from __future__ import annotations

from collections import Counter

from tests.api.official_schemas import OfficialSchemas
from tests.conftest import PUBLIC_URL
from tests.events.conftest import (
    BASES,
    SPEC_FILES,
    Listener,
    Received,
    outbox_and_deliveries,
    subscribe,
    until,
)
from tests.fulfilment.conftest import Chain, broadband

CHAIN_APIS = ("tmf622", "tmf641", "tmf652", "tmf640", "tmf702", "tmf637", "tmf638", "tmf639")

# The events a completed broadband order must publish on each hub (at least these).
EXPECTED = {
    "tmf622": {"ProductOrderCreateEvent", "ProductOrderStateChangeEvent"},
    "tmf641": {"ServiceOrderCreateEvent", "ServiceOrderStateChangeEvent"},
    "tmf652": {"ResourceOrderCreateEvent", "ResourceOrderStateChangeEvent"},
    "tmf640": {"ServiceCreateEvent", "MonitorCreateEvent"},
    "tmf702": {"ResourceCreateEvent", "MonitorCreateEvent"},
    "tmf637": {"ProductCreateEvent"},
    "tmf638": {"ServiceCreateEvent"},
    "tmf639": {"ResourceCreateEvent"},
}
PAYLOAD_KEYS = {
    "ProductOrder": "productOrder",
    "ServiceOrder": "serviceOrder",
    "ResourceOrder": "resourceOrder",
    "Product": "product",
    "Service": "service",
    "Resource": "resource",
    "Monitor": "monitor",
}


def payload_key(event_type: str) -> str:
    for prefix in sorted(PAYLOAD_KEYS, key=len, reverse=True):
        if event_type.startswith(prefix) and event_type[len(prefix)].isupper():
            return PAYLOAD_KEYS[prefix]
    raise AssertionError(f"unexpected event type {event_type}")


def test_a_completed_order_publishes_valid_events_on_every_hub(
    chain: Chain, listener: Listener, official: OfficialSchemas
) -> None:
    for api in CHAIN_APIS:
        subscribe(chain.client, api, listener.url(f"/{api}"))
    order = chain.place(broadband())
    assert chain.wait_for(order["id"])["state"] == "completed"

    def complete(found: list[Received]) -> bool:
        seen = {(r.path.strip("/"), r.event_type) for r in found}
        return all((api, t) in seen for api, types in EXPECTED.items() for t in types)

    listener.wait(complete, what="the chain's create and state-change events")
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="every event delivered")
    received = listener.received()
    by_api: dict[str, list[Received]] = {}
    for r in received:
        by_api.setdefault(r.path.strip("/"), []).append(r)
    ids = Counter(r.event["eventId"] for r in received)
    assert [i for i, n in ids.items() if n > 1] == [], "an eventId was delivered twice"
    for api, found in by_api.items():
        for r in found:
            event = r.event
            official.check(SPEC_FILES[api], r.event_type, event)
            assert r.headers["x-cascade-event-id"] == event["eventId"]
            assert r.headers["x-cascade-event-type"] == r.event_type
            entity = event["event"][payload_key(r.event_type)]
            assert entity["id"], f"{r.event_type} carries no entity id"
            assert entity["href"].endswith(entity["id"])
            assert entity["href"].startswith(f"{PUBLIC_URL}{BASES[api]}/"), (
                f"{api}'s hub received another API's {r.event_type}: {entity['href']}"
            )
    states = [
        r.event["event"]["productOrder"]["state"]
        for r in by_api["tmf622"]
        if r.event_type == "ProductOrderStateChangeEvent"
    ]
    assert states == ["inProgress", "completed"]
    assert {r.event["event"]["productOrder"]["id"] for r in by_api["tmf622"]} == {order["id"]}
    for api, found in by_api.items():  # each entity's first event is its creation
        first: dict[str, str] = {}
        for r in found:
            entity = r.event["event"][payload_key(r.event_type)]
            first.setdefault(entity["id"], r.event_type)
        late = {i: t for i, t in first.items() if not t.endswith("CreateEvent")}
        assert late == {}, f"{api}: entities whose first event is not their creation: {late}"
