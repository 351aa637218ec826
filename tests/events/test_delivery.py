"""Delivery survives a listener that fails or is down: every event arrives once it is back,
each eventId exactly once; deleting a subscription stops its deliveries."""

from __future__ import annotations

from collections import Counter

from tests.events.conftest import (
    BASES,
    CREATES,
    Listener,
    Received,
    delivery_attempts,
    new_offering,
    outbox_and_deliveries,
    subscribe,
    until,
)
from tests.fulfilment.conftest import Chain

COUNT = 20


def arrived_once(received: list[Received], ids: list[str]) -> None:
    """Every offering's create event arrived, and no eventId twice."""
    twice = [i for i, n in Counter(r.event["eventId"] for r in received).items() if n > 1]
    assert twice == [], f"eventIds delivered more than once: {twice}"
    got = sorted(r.event["event"]["productOffering"]["id"] for r in received)
    assert got == sorted(ids), "every create event must arrive once the listener is back"


def test_a_listener_answering_503_gets_every_event_once_it_recovers(
    chain: Chain, listener: Listener
) -> None:
    subscribe(chain.client, "tmf620", listener.url(), query=CREATES)
    listener.status = 503
    ids = [new_offering(chain.client, f"o{n:02d}")["id"] for n in range(COUNT)]
    until(lambda: listener.attempts >= COUNT, what="attempts answered 503")
    until(
        lambda: len(attempts := delivery_attempts(chain.cascade)) == COUNT and min(attempts) >= 1,
        what="every delivery tried and failed",
    )
    assert listener.received() == []
    listener.status = 201
    listener.wait(lambda found: len(found) >= COUNT, what=f"{COUNT} create events")
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="deliveries done")
    arrived_once(listener.received(), ids)
    delivered = {r.event["eventId"] for r in listener.received()}
    assert set(listener.tried) == delivered, "a retry must carry the eventId of the first try"
    assert len(listener.tried) > COUNT


def test_a_listener_that_is_down_gets_every_event_once_it_is_up(
    chain: Chain, listener: Listener
) -> None:
    subscribe(chain.client, "tmf620", listener.url(), query=CREATES)
    listener.down()
    ids = [new_offering(chain.client, f"o{n:02d}")["id"] for n in range(COUNT)]
    until(
        lambda: len(attempts := delivery_attempts(chain.cascade)) == COUNT and min(attempts) >= 2,
        what="every delivery refused twice",
    )
    listener.up()
    listener.wait(lambda found: len(found) >= COUNT, what=f"{COUNT} create events")
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="deliveries done")
    arrived_once(listener.received(), ids)


def test_deleting_a_subscription_stops_its_deliveries(chain: Chain, listener: Listener) -> None:
    kept = subscribe(chain.client, "tmf620", listener.url("/kept"), query=CREATES)
    gone = subscribe(chain.client, "tmf620", listener.url("/gone"), query=CREATES)
    first = new_offering(chain.client, "before")
    listener.wait(lambda found: len(found) == 2, what="the first event on both")
    hub = f"{BASES['tmf620']}/hub"
    assert chain.client.delete(f"{hub}/{gone['id']}").status_code == 204
    assert chain.client.get(f"{hub}/{gone['id']}").status_code == 404
    listener.down()  # pending deliveries of the deleted subscription must go too
    pending = new_offering(chain.client, "while down")
    until(lambda: len(delivery_attempts(chain.cascade)) == 1, what="one pending delivery")
    assert chain.client.delete(f"{hub}/{kept['id']}").status_code == 204
    until(lambda: delivery_attempts(chain.cascade) == [], what="its deliveries dropped")
    listener.up()
    later = new_offering(chain.client, "after")
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="outbox fanned out")
    names = {
        r.path: r.event["event"]["productOffering"]["id"]
        for r in listener.received()
        if r.event["event"]["productOffering"]["id"] != first["id"]
    }
    assert names == {}, f"deleted subscriptions received {names} ({pending['id']}, {later['id']})"
    assert {r.path for r in listener.received()} == {"/kept", "/gone"}
