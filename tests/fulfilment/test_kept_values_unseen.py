"""What a `modify` item kept of the configuration it changed (`cascadeBefore`, ADR 0032) is
Cascade's own (ADR 0033): stored on the order item, never shown to a client (v4 and v5
answers, lists, `fields`, hub events), never taken from one, and kept through a client's
PATCH that replaces the items, so a cancellation still puts the old configuration back."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import Connection, select

from cascade.apis import kinds
from cascade.settings import Settings
from cascade.storage.tables import event_delivery, event_outbox
from tests.fulfilment.conftest import FAST, SO, Chain, broadband
from tests.fulfilment.test_cancel_changes import cancelled, installed, stored
from tests.fulfilment.test_lifecycle import PRODUCT, change, fulfilled, product_of, values
from tests.gate import Gate

V4 = "/tmf-api/productOrderingManagement/v4/productOrder"
V5 = "/tmf-api/productOrderingManagement/v5/productOrder"
HUBS = (
    "/tmf-api/productOrderingManagement/v4/hub",
    "/tmf-api/serviceOrdering/v4/hub",
)
KEPT = "cascadeBefore"


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    return replace(FAST, simulator_gate=gate.setting)


def kept_on(document: dict[str, Any], items: str) -> dict[str, Any]:
    return {str(i["id"]): i[KEPT] for i in document[items] if KEPT in i}


def envelopes(chain: Chain, *entity_ids: str) -> list[str]:
    """Every hub event about the entities, still in the outbox or waiting to be delivered
    (the subscriber never answers)."""

    def read(connection: Connection) -> list[str]:
        waiting = connection.execute(select(event_outbox.c.envelope)).scalars().all()
        delivering = connection.execute(select(event_delivery.c.body)).scalars().all()
        return [*waiting, *delivering]

    found = chain.cascade.database.read_sync(read)
    return [text for text in found if any(entity_id in text for entity_id in entity_ids)]


def running_upgrade(chain: Chain, gate: Gate) -> tuple[str, str, str, dict[str, Any]]:
    """A speed upgrade applied everywhere while its order still runs (its second item held):
    (product, order, its service order, what the product had before)."""
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    before = installed(chain, product_id)
    for hub in HUBS:
        subscribed = chain.client.post(hub, json={"callback": "http://127.0.0.1:9/listener"})
        assert subscribed.status_code == 201, subscribed.text
    gate.close("rfs-gpon-access")
    upgrade = chain.place(change("1", "modify", product_id, downloadSpeed=1000), broadband("2"))

    def upgraded() -> bool:
        product = chain.get(f"{PRODUCT}/{product_id}")
        return values(product, "productCharacteristic").get("downloadSpeed") == 1000

    chain.until(upgraded)
    (service_order,) = [
        placed
        for placed in chain.get(SO, **{"externalReference.id": upgrade["id"]})
        if any(i.get("action") == "modify" for i in placed["serviceOrderItem"])
    ]
    return product_id, upgrade["id"], service_order["id"], before


def test_kept_values_are_stored_and_shown_to_no_client(chain: Chain, gate: Gate) -> None:
    _, order_id, service_order_id, _ = running_upgrade(chain, gate)
    # Cascade kept them (COM on the product order item, SOM on its service order's items)...
    assert kept_on(stored(chain, kinds.PRODUCT_ORDER, order_id), "productOrderItem")
    assert kept_on(stored(chain, kinds.SERVICE_ORDER, service_order_id), "serviceOrderItem")
    # ...and no answer shows them: retrieve, list, `fields`, in v4 and v5.
    seen = [
        chain.client.get(f"{V4}/{order_id}"),
        chain.client.get(f"{V5}/{order_id}"),
        chain.client.get(f"{V4}/{order_id}", params={"fields": "productOrderItem"}),
        chain.client.get(f"{V5}/{order_id}", params={"fields": "productOrderItem"}),
        chain.client.get(V4, params={"id": order_id}),
        chain.client.get(V5, params={"id": order_id}),
        chain.client.get(V4, params={"id": order_id, "fields": "productOrderItem"}),
        chain.client.get(f"{SO}/{service_order_id}"),
        chain.client.get(SO, params={"id": service_order_id}),
        chain.client.get(SO, params={"id": service_order_id, "fields": "serviceOrderItem"}),
    ]
    for response in seen:
        assert response.status_code == 200, response.text
        assert KEPT not in response.text, response.url
    assert all("productOrderItem" in r.text or "serviceOrderItem" in r.text for r in seen)
    # Nor does any hub event about either order.
    recorded = envelopes(chain, order_id, service_order_id)
    assert recorded
    assert not [envelope for envelope in recorded if KEPT in envelope]


@pytest.mark.parametrize("base", [V4, V5])
def test_a_patch_of_the_items_keeps_them_and_cannot_give_them(
    chain: Chain, gate: Gate, base: str
) -> None:
    product_id, order_id, _, before = running_upgrade(chain, gate)
    configured_before = stored(chain, kinds.PRODUCT_ORDER, order_id)
    kept = kept_on(configured_before, "productOrderItem")
    assert kept

    # A client's GET-then-PATCH of the items, as shown: accepted, and the kept values stay.
    items = chain.get(f"{base}/{order_id}")["productOrderItem"]
    patched = chain.client.patch(f"{base}/{order_id}", json={"productOrderItem": items})
    assert patched.status_code == 200, patched.text
    assert KEPT not in patched.text
    assert kept_on(stored(chain, kinds.PRODUCT_ORDER, order_id), "productOrderItem") == kept

    # A client that gives them (a planted "before") is refused, and nothing changes.
    planted = [dict(item) for item in items]
    planted[0][KEPT] = {"record": {"productCharacteristic": []}}
    refused = chain.client.patch(f"{base}/{order_id}", json={"productOrderItem": planted})
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "unsupportedAttribute"
    assert kept_on(stored(chain, kinds.PRODUCT_ORDER, order_id), "productOrderItem") == kept

    # The cancellation still finds them: the product is back as it was before the order.
    cancelled(chain, order_id)
    assert installed(chain, product_id) == before
