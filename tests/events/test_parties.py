"""A subscription made by a client bound to a party receives only that party's events."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cascade.bootstrap import build
from cascade.catalogs import demo_catalog
from cascade.security.apikeys import create_key
from cascade.security.scopes import parse_scopes
from cascade.security.settings import SecuritySettings
from tests.conftest import _empty_tables
from tests.events.conftest import (
    EVENTS_FAST,
    PO_HUB,
    Listener,
    outbox_and_deliveries,
    start_chain,
    subscribe,
    until,
)
from tests.fulfilment.conftest import PO, Chain, broadband

Headers = dict[str, str]


@pytest.fixture
def secured(database_url: str) -> Iterator[Chain]:
    security = SecuritySettings(auth_mode="apikey", api_key_cache_s=0)
    settings = replace(EVENTS_FAST, database_url=database_url, security=security)
    cascade = build(replace(settings, controllers=True))
    cascade.database.write_sync(_empty_tables)
    cascade.catalogs.load(demo_catalog())
    try:
        yield from start_chain(cascade)
    finally:
        cascade.close()


def key(chain: Chain, scopes: str, party: str | None = None) -> Headers:
    _, text = chain.cascade.database.write_sync(
        lambda c: create_key(c, f"key-{party}", parse_scopes(scopes), party)
    )
    return {"X-API-Key": text}


def place(chain: Chain, headers: Headers, *parties: str, **extra: Any) -> str:
    body: dict[str, Any] = {"productOrderItem": [broadband()], **extra}
    if parties:
        body["relatedParty"] = [
            {"id": party, "role": "customer", "@referredType": "Organization"} for party in parties
        ]
    response = chain.client.post(PO, json=body, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_a_party_bound_subscription_receives_only_its_partys_orders(
    secured: Chain, listener: Listener
) -> None:
    chain = secured
    admin = key(chain, "admin")
    acme = key(chain, "productOrdering hub:write", party="acme")
    subscribe(chain.client, "tmf622", listener.url("/acme"), headers=acme)
    subscribe(chain.client, "tmf622", listener.url("/admin"), headers=admin)
    acme_inventory = key(chain, "inventory hub:write", party="acme")
    subscribe(chain.client, "tmf637", listener.url("/acme-products"), headers=acme_inventory)
    assert chain.client.get(PO_HUB, headers=acme).status_code == 200

    acme_order = place(chain, admin, "acme")
    shared = place(chain, admin, "acme", "globex")
    globex_order = place(chain, admin, "globex")
    nobody = place(chain, admin)
    everything = {acme_order, shared, globex_order, nobody}

    def completed(found: list[Any]) -> set[str]:
        return {
            r.event["event"]["productOrder"]["id"]
            for r in found
            if r.event["event"]["productOrder"].get("state") == "completed"
        }

    listener.wait(lambda found: completed(found) == everything, path="/admin")
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="every event delivered")

    received = listener.received("/acme")
    seen = {r.event["event"]["productOrder"]["id"] for r in received}
    assert seen == {acme_order, shared}, (
        f"the acme subscription received orders of other parties: {seen - {acme_order, shared}}"
    )
    types = {(r.event["event"]["productOrder"]["id"], r.event_type) for r in received}
    for order in (acme_order, shared):
        assert (order, "ProductOrderCreateEvent") in types
        assert (order, "ProductOrderStateChangeEvent") in types
    assert completed(received) == {acme_order, shared}

    products = [r.event["event"]["product"] for r in listener.received("/acme-products")]
    assert len({p["id"] for p in products}) == 2, "one product per acme order"
    strangers = [p["id"] for p in products if "acme" not in parties_of(p)]
    assert strangers == [], f"acme's inventory subscription received others' products {strangers}"


def parties_of(entity: dict[str, Any]) -> set[str]:
    return {str(party.get("id")) for party in entity.get("relatedParty", [])}


def test_parked_deliveries_are_for_administrators_only(secured: Chain) -> None:
    chain = secured
    admin = key(chain, "admin")
    acme = key(chain, "productOrdering hub:write", party="acme")
    reader = key(chain, "productOrdering inventory catalog")
    for headers in (acme, reader):
        listed = chain.client.get("/cascade/events/parked", headers=headers)
        assert listed.status_code == 403, listed.text
        again = chain.client.post("/cascade/events/parked/redeliver", headers=headers)
        assert again.status_code == 403, again.text
    assert chain.client.get("/cascade/events/parked").status_code == 401
    assert chain.client.get("/cascade/events/parked", headers=admin).status_code == 200
    redelivered = chain.client.post("/cascade/events/parked/redeliver", headers=admin)
    assert redelivered.status_code == 200, redelivered.text
    assert redelivered.json() == {"redelivered": 0}


CANCEL_PO = PO.rsplit("/", 1)[0] + "/cancelProductOrder"
CANCEL_TYPES = "eventType=CancelProductOrderCreateEvent,CancelProductOrderStateChangeEvent"


def test_a_party_bound_subscription_receives_only_its_partys_cancellations(
    secured: Chain, listener: Listener
) -> None:
    chain = secured
    admin = key(chain, "admin")
    acme = key(chain, "productOrdering hub:write", party="acme")
    subscribe(chain.client, "tmf622", listener.url("/acme"), CANCEL_TYPES, headers=acme)
    subscribe(chain.client, "tmf622", listener.url("/admin"), CANCEL_TYPES, headers=admin)
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()  # they stay acknowledged
    orders = {
        party: place(chain, admin, party, requestedStartDate=later) for party in ("acme", "globex")
    }
    tasks = {}
    for party, order in orders.items():
        cancel = {"productOrder": {"id": order}, "cancellationReason": f"{party} changed its mind"}
        created = chain.client.post(CANCEL_PO, json=cancel, headers=admin)
        assert created.status_code == 201, created.text
        tasks[party] = created.json()["id"]

    def task_ids(found: list[Any]) -> set[str]:
        return {r.event["event"]["cancelProductOrder"]["id"] for r in found}

    listener.wait(lambda found: task_ids(found) == set(tasks.values()), path="/admin")
    until(lambda: outbox_and_deliveries(chain.cascade) == (0, 0), what="every event delivered")
    received = listener.received("/acme")
    assert task_ids(received) == {tasks["acme"]}, "acme received another party's cancellation"
    assert "CancelProductOrderCreateEvent" in {r.event_type for r in received}
