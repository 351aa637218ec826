"""A resource item whose sibling fails still finishes its own activation (none left hanging)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, RO, SO, Chain, broadband

ACTIVATED_RESOURCE = "/tmf-api/ResourceActivationAndConfiguration/v4/resource"
MONITOR = "/tmf-api/ResourceActivationAndConfiguration/v4/monitor"


@pytest.fixture
def chain_settings() -> Settings:
    # The port always fails; the VLAN (allocated on the port's OLT) is still activating then.
    return replace(
        FAST,
        activation_attempts=2,
        simulator_specifications=(
            '{"rs-gpon-port": {"failure_rate": 1.0}, "rs-vlan": {"latency_ms": 300}}'
        ),
    )


def test_a_failed_port_does_not_strand_the_vlan_activation(chain: Chain) -> None:
    order = chain.wait_for(chain.place(broadband())["id"])
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
