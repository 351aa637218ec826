"""A running broadband order whose client PATCHes a started item or its customer (ADR 0039):
before, a new speed was accepted and shown by the order and the TMF637 product while the
network kept the old one, a removed item left its port, VLAN and address live with no
product to own them, and a new customer got the product while the services stayed the old
one's. Now all three are refused, and the order completes as the network is."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

import pytest

from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, PO, SO, Chain, broadband
from tests.fulfilment.test_lifecycle import PRODUCT, network, values
from tests.gate import Gate

ALICE = [{"id": "party-42", "role": "customer", "@referredType": "Individual"}]


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    return replace(FAST, simulator_gate=gate.setting)


def running_order(chain: Chain, gate: Gate) -> dict[str, Any]:
    """Two broadband items started, their activations held at the access."""
    gate.close("rfs-gpon-access")
    order = chain.place(broadband("1"), broadband("2"), relatedParty=ALICE)

    def both_placed() -> bool:
        return len(chain.get(SO, **{"externalReference.id": order["id"]})) == 2

    chain.until(both_placed)
    shown: dict[str, Any] = chain.get(f"{PO}/{order['id']}")
    assert [item["state"] for item in shown["productOrderItem"]] == ["inProgress"] * 2
    return shown


def speeds_on_network(chain: Chain) -> list[int]:
    return sorted(
        request["downloadSpeed"]
        for request in network(chain).values()
        if "downloadSpeed" in request
    )


def test_a_started_items_speed_presence_or_customer_cannot_be_patched(
    chain: Chain, gate: Gate
) -> None:
    order = running_order(chain, gate)
    url = f"{PO}/{order['id']}"
    faster = copy.deepcopy(order["productOrderItem"])
    faster[1]["product"]["productCharacteristic"][0]["value"] = 1000
    other_customer = [{"id": "party-99", "role": "customer", "@referredType": "Individual"}]
    for patch in (
        {"productOrderItem": faster},
        {"productOrderItem": order["productOrderItem"][:1]},
        {"relatedParty": other_customer},
    ):
        refused = chain.client.patch(url, json=patch)
        assert refused.status_code == 409, refused.text
        assert refused.json()["code"] == "startedItemUnchangeable"

    gate.open("rfs-gpon-access")
    done = chain.wait_for(order["id"])
    assert done["state"] == "completed"
    products = [
        chain.get(f"{PRODUCT}/{item['product']['id']}") for item in done["productOrderItem"]
    ]
    assert len(products) == 2
    shown_speeds = sorted(values(p, "productCharacteristic")["downloadSpeed"] for p in products)
    # What the inventory says is what the network has: two QoS profiles at 500, each owned
    # through its services by one of the two products.
    assert shown_speeds == [500, 500]
    assert speeds_on_network(chain) == [500, 500]
    customers = {party["id"] for p in products for party in p["relatedParty"]}
    assert customers == {"party-42"}
