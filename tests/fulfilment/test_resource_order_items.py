"""A TMF652 resource order posted directly: an item waits for the items its
`orderItemRelationship` names, and the order waits for its `requestedStartDate`."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, RO, Chain

ACTIVATED = "/tmf-api/ResourceActivationAndConfiguration/v4/resource"
MERGE = {"content-type": "application/merge-patch+json"}


@pytest.fixture
def chain_settings() -> Settings:
    # SIM cards always fail to activate; everything else works.
    return replace(
        FAST,
        activation_attempts=1,
        simulator_specifications='{"rs-sim-card": {"failure_rate": 1.0}}',
    )


def item(item_id: str, spec: str, *relies_on: str) -> dict[str, Any]:
    resource_id = f"r-{spec}-{item_id}"
    body: dict[str, Any] = {
        "id": item_id,
        "action": "add",
        "resource": {
            "id": resource_id,
            "href": f"/resource/{resource_id}",
            "resourceSpecification": {"id": spec},
        },
    }
    if relies_on:
        body["orderItemRelationship"] = [
            {"relationshipType": "reliesOn", "orderItem": {"itemId": other}} for other in relies_on
        ]
    return body


def place(chain: Chain, *items: dict[str, Any], **extra: Any) -> dict[str, Any]:
    response = chain.client.post(RO, json={"orderItem": list(items), **extra})
    assert response.status_code == 201, response.text
    placed: dict[str, Any] = response.json()
    return placed


def activated(chain: Chain, resource_id: str) -> bool:
    return chain.client.get(f"{ACTIVATED}/{resource_id}").status_code == 200


def test_an_item_waits_for_the_item_it_relies_on_even_when_listed_first(chain: Chain) -> None:
    # The MSISDN comes first in the order but relies on the SIM card, which fails.
    placed = place(chain, item("2", "rs-msisdn", "1"), item("1", "rs-sim-card"))
    order = chain.wait_for(placed["id"], RO)
    states = {each["id"]: each["state"] for each in order["orderItem"]}
    assert states == {"1": "failed", "2": "failed"}, order.get("note")
    notes = " | ".join(note["text"] for note in order["note"])
    assert "item 2: relies on item 1, which ended failed" in notes
    assert not activated(chain, "r-rs-msisdn-2")  # never started


def test_an_item_listed_first_starts_once_what_it_relies_on_completed(chain: Chain) -> None:
    placed = place(chain, item("2", "rs-ipv4-address", "1"), item("1", "rs-msisdn"))
    order = chain.wait_for(placed["id"], RO)
    assert order["state"] == "completed", order.get("note")
    assert activated(chain, "r-rs-ipv4-address-2") and activated(chain, "r-rs-msisdn-1")


def test_a_resource_order_waits_for_its_requested_start_date(chain: Chain) -> None:
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    placed = place(chain, item("1", "rs-msisdn"), requestedStartDate=later)
    path = f"{RO}/{placed['id']}"
    chain.until(lambda: bool(chain.get(path).get("note")))
    order = chain.get(path)
    assert order["state"] == "acknowledged"
    assert order["note"][0]["id"] == "cascade-start"
    assert not activated(chain, "r-rs-msisdn-1")
    now = datetime.now(UTC).isoformat()
    moved = chain.client.patch(path, json={"requestedStartDate": now}, headers=MERGE)
    assert moved.status_code == 200, moved.text
    assert chain.wait_for(placed["id"], RO)["state"] == "completed"
    assert activated(chain, "r-rs-msisdn-1")


def test_a_value_the_pool_would_replace_rejects_the_order(chain: Chain) -> None:
    chosen = item("1", "rs-msisdn")
    chosen["resource"]["resourceCharacteristic"] = [{"name": "msisdn", "value": "447700900123"}]
    order = chain.wait_for(place(chain, chosen)["id"], RO)
    assert order["state"] == "rejected"
    (note,) = order["note"]
    assert note["text"] == (
        "item 1: resourceCharacteristic 'msisdn' is allocated from the pool of 'rs-msisdn'; "
        "choosing a value is not supported"
    )
    assert not activated(chain, "r-rs-msisdn-1")
