"""Orders that cannot be fully done: failing activations, exhausted pools, partial orders."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from cascade.settings import Settings
from cascade.storage.tables import allocation
from tests.fulfilment.conftest import FAST, RO, SO, Chain, broadband, offering_item

RESOURCE_SPEC = "/tmf-api/resourceCatalog/v4/resourceSpecification"
ACTIVATED_RESOURCE = "/tmf-api/ResourceActivationAndConfiguration/v4/resource"


@pytest.fixture
def chain_settings() -> Settings:
    # SIM cards always fail to activate; everything else works.
    return replace(
        FAST,
        activation_attempts=3,
        simulator_specifications='{"rs-sim-card": {"failure_rate": 1.0}}',
    )


def test_an_order_whose_items_end_differently_is_partial(chain: Chain) -> None:
    placed = chain.place(broadband("1"), offering_item("2", "po-mobile-line"))
    order = chain.wait_for(placed["id"])
    assert order["state"] == "partial"
    states = {i["id"]: i["state"] for i in order["productOrderItem"]}
    assert states == {"1": "completed", "2": "failed"}
    assert "product" in next(i for i in order["productOrderItem"] if i["id"] == "1")
    # The reason travels up from the resource layer to the product order.
    notes = " | ".join(n["text"] for n in order["note"])
    assert "simulated network refused rs-sim-card" in notes

    mobile_so = next(
        so
        for so in chain.get(SO, **{"externalReference.id": order["id"]})
        if so["state"] != "completed"
    )
    assert mobile_so["state"] == "failed"
    assert any("rs-sim-card" in e["message"] for e in mobile_so["errorMessage"]), mobile_so[
        "errorMessage"
    ]
    (resource_order,) = chain.get(RO, **{"externalReference.id": mobile_so["id"]})
    assert resource_order["state"] == "partial"  # the MSISDN was done, the SIM was not
    sim = next(i for i in resource_order["orderItem"] if i["state"] == "failed")
    activation = chain.get(f"{ACTIVATED_RESOURCE}/{sim['resource']['id']}")
    assert activation["resourceStatus"] == "alarm"
    attempts = [n for n in activation["note"] if "attempt" in n["text"]]
    assert len(attempts) == 3  # two retried failures, then the final one

    # The failed SIM's value went back to its pool.
    owners = chain.cascade.database.read_sync(
        lambda c: list(c.execute(select(allocation.c.owner, allocation.c.pool)).all())
    )
    assert not any(pool.startswith("rs-sim-card") for _, pool in owners)
