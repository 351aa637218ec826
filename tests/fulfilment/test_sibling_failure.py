"""A resource item whose sibling fails still finishes its own activation (none left hanging)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, PO, RO, SO, Chain, broadband
from tests.gate import Gate

ACTIVATED_RESOURCE = "/tmf-api/ResourceActivationAndConfiguration/v4/resource"
MONITOR = "/tmf-api/ResourceActivationAndConfiguration/v4/monitor"


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    # The port always fails; the VLAN (allocated on the port's OLT) is held at the gate until
    # then, so it is still activating when its sibling fails.
    gate.close("rs-vlan")
    return replace(
        FAST,
        activation_attempts=2,
        simulator_specifications='{"rs-gpon-port": {"failure_rate": 1.0}}',
        simulator_gate=gate.setting,
    )


def port_failed(chain: Chain, order_id: str) -> bool:
    service_orders = chain.get(SO, **{"externalReference.id": order_id})
    resource_orders = service_orders and chain.get(
        RO, **{"externalReference.id": service_orders[0]["id"]}
    )
    items = {i["id"]: i["state"] for i in (resource_orders or [{}])[0].get("orderItem", [])}
    return items.get("1") == "failed" and items.get("2") == "inProgress"


def test_a_failed_port_does_not_strand_the_vlan_activation(chain: Chain, gate: Gate) -> None:
    placed = chain.place(broadband())
    chain.until(lambda: port_failed(chain, placed["id"]))
    assert chain.get(f"{PO}/{placed['id']}")["state"] == "inProgress"
    gate.open()
    order = chain.wait_for(placed["id"])
    assert order["state"] == "failed"
    (service_order,) = chain.get(SO, **{"externalReference.id": order["id"]})
    (resource_order,) = chain.get(RO, **{"externalReference.id": service_order["id"]})
    chain.until(lambda: chain.get(f"{RO}/{resource_order['id']}")["state"] != "inProgress")
    resource_order = chain.get(f"{RO}/{resource_order['id']}")
    states = {i["id"]: i["state"] for i in resource_order["orderItem"]}
    assert states["1"] == "failed"  # the port
    assert states["2"] == "completed"  # the VLAN carried on with the OLT it was given
    assert resource_order["state"] == "partial"
    for activation in chain.get(ACTIVATED_RESOURCE):
        assert activation["resourceStatus"] in ("available", "alarm"), activation
    assert {m["state"] for m in chain.get(MONITOR)} <= {"Completed", "InError"}
