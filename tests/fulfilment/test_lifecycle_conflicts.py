"""Changes that would collide are refused: one product changed twice at once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, PO, SO, Chain, broadband
from tests.fulfilment.test_lifecycle import change, fulfilled, product_of, values
from tests.gate import Gate

PRODUCT = "/tmf-api/productInventory/v4/product"


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    return replace(FAST, simulator_gate=gate.setting)


def test_a_change_of_a_product_another_order_is_changing_is_rejected(
    chain: Chain, gate: Gate
) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    gate.close("rfs-qos-profile")  # the first change's QoS re-configuration waits meanwhile
    first = chain.place(change("1", "modify", product_id, downloadSpeed=1000))
    chain.until(lambda: chain.get(f"{PO}/{first['id']}")["state"] == "inProgress")
    second = chain.wait_for(chain.place(change("1", "modify", product_id, downloadSpeed=100))["id"])
    assert second["state"] == "rejected"
    assert f"being changed by product order {first['id']}" in second["note"][0]["text"]
    assert chain.get(SO, **{"externalReference.id": second["id"]}) == []
    gate.open()
    assert chain.wait_for(first["id"])["state"] == "completed"
    product = chain.get(f"{PRODUCT}/{product_id}")
    assert values(product, "productCharacteristic")["downloadSpeed"] == 1000


def test_two_items_changing_one_product_reject_the_order(chain: Chain) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    order = chain.wait_for(
        chain.place(
            change("1", "modify", product_id, downloadSpeed=1000),
            change("2", "delete", product_id),
        )["id"]
    )
    assert order["state"] == "rejected"
    assert f"item 2: product '{product_id}' is changed by item 1 too" in [
        n["text"] for n in order["note"]
    ]
    assert chain.get(f"{PRODUCT}/{product_id}")["status"] == "active"
