"""An operator holds an order in flight and releases it; fulfilment waits, then carries on."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, PO, RO, SO, Chain, broadband
from tests.gate import Gate

MERGE = {"content-type": "application/merge-patch+json"}


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    return replace(FAST, simulator_gate=gate.setting)


def test_a_held_order_waits_and_a_release_resumes_it(chain: Chain, gate: Gate) -> None:
    gate.close("rs-gpon-port")  # the access port's activation: the order runs until opened
    placed = chain.place(broadband())
    path = f"{PO}/{placed['id']}"
    chain.until(lambda: chain.get(path)["state"] == "inProgress")

    def port_running() -> bool:
        """The service order runs, and so does the port's resource order it placed (the
        service order is inProgress a step before it places it)."""
        found = chain.get(SO, **{"externalReference.id": placed["id"]})
        if [so["state"] for so in found] != ["inProgress"]:
            return False
        below = chain.get(RO, **{"externalReference.id": found[0]["id"]})
        return [ro["state"] for ro in below] == ["inProgress"]

    chain.until(port_running)
    (service_order,) = chain.get(SO, **{"externalReference.id": placed["id"]})
    held = chain.client.patch(f"{SO}/{service_order['id']}", json={"state": "held"}, headers=MERGE)
    assert held.status_code == 200, held.text
    # The hold reaches the port's running resource order (test_hold_tree.py holds the rest).
    below = [ro["state"] for ro in chain.get(RO, **{"externalReference.id": service_order["id"]})]
    assert below == ["held"], below
    assert chain.get(f"{SO}/{service_order['id']}")["state"] == "held"
    assert chain.get(path)["state"] == "inProgress"

    gate.open()  # the network could finish now: only the hold keeps the order
    released = chain.client.patch(
        f"{SO}/{service_order['id']}", json={"state": "inProgress"}, headers=MERGE
    )
    assert released.status_code == 200, released.text
    assert chain.wait_for(placed["id"])["state"] == "completed"
