"""Cancelling an order that changes an installed product stops it and never retires what the
customer already had: only what the order itself added is undone."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, SO, Chain, broadband
from tests.fulfilment.test_cancellation import CANCEL_PO, cancel, wait_task
from tests.fulfilment.test_change_claims_in_sequence import change_claims
from tests.fulfilment.test_lifecycle import (
    PRODUCT,
    SERVICE,
    change,
    fulfilled,
    owners,
    product_of,
    resources_of,
    service_tree,
)
from tests.gate import Gate


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    return replace(FAST, simulator_gate=gate.setting)


def test_cancelling_a_speed_upgrade_keeps_the_installed_product(chain: Chain, gate: Gate) -> None:
    added = fulfilled(chain, broadband(speed=500))
    product_id = product_of(added)
    services = service_tree(chain, product_id)
    resources = resources_of(chain, services)
    held = owners(chain)

    gate.close("rfs-qos-profile")  # the QoS re-configuration is in flight when cancelled
    upgrade = chain.place(change("1", "modify", product_id, downloadSpeed=1000))
    chain.until(lambda: bool(chain.get(SO, **{"externalReference.id": upgrade["id"]})))
    assert change_claims(chain)["productChange"] == {product_id: upgrade["id"]}
    task = cancel(chain, upgrade["id"])
    ended = wait_task(chain, CANCEL_PO, task["id"])

    order = chain.get(f"/tmf-api/productOrderingManagement/v4/productOrder/{upgrade['id']}")
    assert (ended["state"], order["state"]) == ("done", "cancelled"), order
    # The customer's product, services and resources are still in place.
    assert chain.get(f"{PRODUCT}/{product_id}")["status"] == "active"
    for service in services.values():
        assert chain.get(f"{SERVICE}/{service['id']}")["state"] == "active", service["name"]
    for resource in resources:
        record = chain.get(f"/tmf-api/resourceInventoryManagement/v4/resource/{resource['id']}")
        assert record["resourceStatus"] != "standby", record
    assert owners(chain) == held
    assert change_claims(chain) == {}  # the cancelled orders gave their claims back (ADR 0029)
