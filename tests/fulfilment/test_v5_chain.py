"""One store, two views: an order placed through TMF622 v5 is fulfilled by the same
controllers, read and cancelled through v4, and the reverse (docs/versions.md)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func, select

from cascade.settings import Settings
from cascade.storage.tables import work_item
from tests.api.official_schemas import OfficialSchemas
from tests.fulfilment.conftest import FAST, PO, SO, Chain, broadband
from tests.fulfilment.test_cancellation import CANCEL_PO, cancel, read, wait_task
from tests.fulfilment.undone import RO, undone
from tests.gate import Gate

V5 = "/tmf-api/productOrderingManagement/v5"
PO5, CANCEL_PO5 = f"{V5}/productOrder", f"{V5}/cancelProductOrder"
V5_FILE = "TMF622-ProductOrdering-v5.0.0.oas.yaml"


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    return replace(FAST, simulator_gate=gate.setting)


def broadband_v5(speed: int = 500) -> dict[str, Any]:
    """The v4 tests' broadband order as a v5 client writes it: every class named."""
    return {
        "@type": "ProductOrder",
        "productOrderItem": [
            {
                "@type": "ProductOrderItem",
                "id": "1",
                "action": "add",
                "productOffering": {"@type": "ProductOfferingRef", "id": "po-fibre-broadband"},
                "product": {
                    "@type": "Product",
                    "productCharacteristic": [
                        {"@type": "IntegerCharacteristic", "name": "downloadSpeed", "value": speed}
                    ],
                },
            }
        ],
    }


def get_or_none(chain: Chain, path: str) -> Any:
    response = chain.client.get(path)
    return None if response.status_code == 404 else response.json()


def resource_order_running(chain: Chain, order_id: str) -> bool:
    sos = chain.get(SO, **{"externalReference.id": order_id})
    ros = sos and chain.get(RO, **{"externalReference.id": sos[0]["id"]})
    return bool(ros) and ros[0]["state"] == "inProgress"


def test_order_placed_in_v5_is_fulfilled_and_read_in_both(
    chain: Chain, official: OfficialSchemas
) -> None:
    response = chain.client.post(PO5, json=broadband_v5())
    assert response.status_code == 201, response.text
    placed = response.json()
    done = chain.wait_for(placed["id"], PO5)
    assert done["state"] == "completed"
    official.check(V5_FILE, "ProductOrder", done)
    v4 = chain.get(f"{PO}/{placed['id']}")
    assert v4["state"] == "completed" and v4["orderDate"] == done["creationDate"]
    assert [i["state"] for i in done["productOrderItem"]] == ["completed"]
    assert (
        done["productOrderItem"][0]["product"]["id"] == v4["productOrderItem"][0]["product"]["id"]
    )


def test_order_placed_in_v5_is_cancelled_through_v4(chain: Chain, gate: Gate) -> None:
    gate.close("rs-gpon-port")  # its resource order runs until cancelled
    placed = chain.client.post(PO5, json=broadband_v5()).json()
    chain.until(lambda: resource_order_running(chain, placed["id"]))
    task = cancel(chain, placed["id"])  # through v4
    assert wait_task(chain, CANCEL_PO, task["id"])["state"] == "done"
    tree = undone(lambda p: get_or_none(chain, p), read(chain), placed["id"])
    assert [so["state"] for so in tree.service_orders] == ["cancelled"]
    seen = chain.get(f"{PO5}/{placed['id']}")
    assert seen["state"] == "cancelled"
    assert [i["state"] for i in seen["productOrderItem"]] == ["cancelled"]
    assert chain.get(f"{CANCEL_PO5}/{task['id']}")["state"] == "done"


def test_order_placed_in_v4_is_cancelled_through_v5(chain: Chain, gate: Gate) -> None:
    gate.close("rs-gpon-port")
    placed = chain.place(broadband())
    chain.until(lambda: resource_order_running(chain, placed["id"]))
    body = {
        "@type": "CancelProductOrder",
        "productOrder": {"@type": "ProductOrderRef", "id": placed["id"]},
        "cancellationReason": "through v5",
    }
    response = chain.client.post(CANCEL_PO5, json=body)
    assert response.status_code == 201, response.text
    task = response.json()
    assert wait_task(chain, CANCEL_PO5, task["id"])["state"] == "done"
    undone(lambda p: get_or_none(chain, p), read(chain), placed["id"])
    order = chain.get(f"{PO}/{placed['id']}")
    assert order["state"] == "cancelled" and order["cancellationReason"] == "through v5"


def scheduled(chain: Chain, order_id: str) -> int:
    """How many work items the order has (run or not): 0 means no controller ever took it."""
    return int(
        chain.cascade.database.read_sync(
            lambda c: c.execute(
                select(func.count()).select_from(work_item).where(work_item.c.entity_id == order_id)
            ).scalar_one()
        )
    )


def test_a_draft_order_starts_only_once_acknowledged(chain: Chain) -> None:
    body = {**broadband_v5(), "requestedInitialState": "draft"}
    response = chain.client.post(PO5, json=body)
    assert response.status_code == 201, response.text
    placed = response.json()
    assert placed["state"] == "draft" and placed["requestedInitialState"] == "draft"
    assert scheduled(chain, placed["id"]) == 0  # stored, not handed to COM
    url = f"{PO5}/{placed['id']}"
    refused = chain.client.patch(url, json={"state": "inProgress"})
    assert refused.status_code == 409, refused.text
    assert chain.get(f"{PO}/{placed['id']}")["state"] == "draft"  # v4 sees the same draft
    acknowledged = chain.client.patch(url, json={"state": "acknowledged"})
    assert acknowledged.status_code == 200, acknowledged.text
    assert chain.wait_for(placed["id"], PO5)["state"] == "completed"
