"""A cease (`delete` item) is its order's point of no return (ADR 0034): cancelled before it
starts, the order leaves the records, the simulated network and the pools as they were
before it; once it has started taking things down, a cancel request is refused and the
order ends as ordered, never `cancelled` with what it ceased left down."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, SO, Chain, broadband, offering_item
from tests.fulfilment.test_cancel_changes import PO, cancelled, installed
from tests.fulfilment.test_cancellation import CANCEL_PO, cancel, wait_task
from tests.fulfilment.test_lifecycle import (
    PRODUCT,
    SERVICE,
    change,
    fulfilled,
    network,
    owners,
    product_of,
    service_tree,
)
from tests.fulfilment.test_waits import in_an_hour
from tests.gate import Gate


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    return replace(FAST, simulator_gate=gate.setting)


def as_before(chain: Chain, product_id: str) -> tuple[Any, ...]:
    """Records (TMF637/638/639, TMF640/702), the simulated network and the pools' owners."""
    return installed(chain, product_id), network(chain), owners(chain)


def relies_on(item: dict[str, Any], *others: str) -> dict[str, Any]:
    item["productOrderItemRelationship"] = [
        {"id": other, "relationshipType": "reliesOn"} for other in others
    ]
    return item


def passed(chain: Chain, order_id: str) -> bool:
    """Whether a service order of the product order recorded its point of no return."""
    return any(
        milestone.get("name") == "pointOfNoReturn"
        for placed in chain.get(SO, **{"externalReference.id": order_id})
        for milestone in placed.get("milestone") or ()
    )


def test_a_cease_cancelled_while_it_waits_for_its_start_date_changes_nothing(
    chain: Chain,
) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    before = as_before(chain, product_id)
    cease = chain.place(change("1", "delete", product_id), requestedStartDate=in_an_hour())
    chain.until(lambda: bool(chain.get(f"{PO}/{cease['id']}").get("note")))  # it waits
    cancelled(chain, cease["id"])
    assert as_before(chain, product_id) == before


def test_a_cease_cancelled_while_it_waits_for_another_item_changes_nothing(
    chain: Chain, gate: Gate
) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    before = as_before(chain, product_id)
    gate.close("rfs-gpon-access")  # the new line's access is held: the cease waits for it
    order = chain.place(broadband("1"), relies_on(change("2", "delete", product_id), "1"))
    chain.until(lambda: bool(network(chain).keys() - before[1].keys()))  # the new line asked
    cancelled(chain, order["id"])
    assert as_before(chain, product_id) == before
    gate.open()  # the held activation was withdrawn: opening the gate configures nothing
    assert network(chain) == before[1]


def test_a_migration_cancelled_before_the_old_access_is_ceased_keeps_the_old_access(
    chain: Chain, gate: Gate
) -> None:
    dsl = offering_item("1", "po-broadband", accessTechnology="DSL", downloadSpeed=100)
    product_id = product_of(fulfilled(chain, dsl))
    before = as_before(chain, product_id)
    gate.close("rfs-gpon-access")  # the new access is held: the old one is not ceased yet
    migration = chain.place(change("1", "modify", product_id, accessTechnology="FTTP"))
    chain.until(lambda: bool(network(chain).keys() - before[1].keys()))
    cancelled(chain, migration["id"])
    assert as_before(chain, product_id) == before
    gate.open()
    assert network(chain) == before[1]


def test_a_cease_that_started_refuses_a_cancel_and_ends_as_ordered(
    chain: Chain, gate: Gate
) -> None:
    product_id = product_of(fulfilled(chain, broadband(speed=500)))
    services = service_tree(chain, product_id)
    held = owners(chain)
    gate.close("rfs-gpon-access")  # the order's new line is held, so the order still runs
    order = chain.place(broadband("1"), change("2", "delete", product_id))

    def taken_down() -> bool:
        states = {chain.get(f"{SERVICE}/{s['id']}")["state"] for s in services.values()}
        return "terminated" in states

    chain.until(taken_down)  # the cease started

    task = wait_task(chain, CANCEL_PO, cancel(chain, order["id"])["id"])
    assert task["state"] == "terminatedWithError"
    assert passed(chain, order["id"])  # SOM recorded its point of no return
    running = chain.get(f"{PO}/{order['id']}")
    assert running["state"] == "inProgress"
    assert any("point of no return" in note["text"] for note in running["note"]), running
    # A second request is recorded and refused the same way (not a 409 duplicate).
    again = wait_task(chain, CANCEL_PO, cancel(chain, order["id"])["id"])
    assert again["state"] == "terminatedWithError"

    gate.open()
    assert chain.wait_for(order["id"])["state"] == "completed"
    assert chain.get(f"{PRODUCT}/{product_id}")["status"] == "terminated"
    for service in services.values():
        assert chain.get(f"{SERVICE}/{service['id']}")["state"] == "terminated"
    assert owners(chain).isdisjoint(held)  # the ceased values went back to the pools
