"""A cease with no service order below it is its order's point of no return too (ADR 0034).

The demo's "Broadband + IPTV" bundle is realised by no service of its own (ADR 0021): its
cease places no TMF641 order, COM ends the TMF637 product itself. It is ceased with its
members, whose ceases take the claims in SOM; here they wait for a new line the order also
adds (its access held at the gate), so the bundle's cease is the only thing that has run.
Cancelled before it, the order leaves everything as it was; after it, the cancel request is
refused and the order completes, never `cancelled` with the bundle product terminated.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from cascade.settings import Settings
from tests.fulfilment.conftest import FAST, Chain, broadband
from tests.fulfilment.test_bundles import bundle, iptv
from tests.fulfilment.test_bundles import product_of as product_for
from tests.fulfilment.test_cancel_cease import as_before, relies_on
from tests.fulfilment.test_cancel_changes import PO, cancelled
from tests.fulfilment.test_cancellation import CANCEL_PO, cancel, wait_task
from tests.fulfilment.test_lifecycle import PRODUCT, change, fulfilled
from tests.gate import Gate

ITEMS = ("b", "1", "2")  # the bundle and its members (broadband, IPTV)
NEW_LINE = "rfs-gpon-access"  # the new line's access: held while the test acts


@pytest.fixture
def chain_settings(gate: Gate) -> Settings:
    return replace(FAST, simulator_gate=gate.setting)


def delivered_bundle(chain: Chain) -> dict[str, str]:
    """A bundle and its members delivered: their products by item id."""
    order = fulfilled(chain, bundle("b", "1", "2"), broadband("1"), iptv("2"))
    return {item: product_for(order, item) for item in ITEMS}


def as_they_were(chain: Chain, products: dict[str, str]) -> list[Any]:
    return [as_before(chain, product_id) for product_id in products.values()]


def status(chain: Chain, product_id: str) -> str:
    return str(chain.get(f"{PRODUCT}/{product_id}")["status"])


def test_a_bundle_cease_cancelled_before_it_ran_changes_nothing(chain: Chain, gate: Gate) -> None:
    products = delivered_bundle(chain)
    before = as_they_were(chain, products)
    gate.close(NEW_LINE)
    ceases = [relies_on(change(item, "delete", products[item]), "n") for item in ITEMS]
    order = chain.place(broadband("n"), *ceases)
    chain.until(lambda: chain.get(f"{PO}/{order['id']}")["state"] == "inProgress")
    cancelled(chain, order["id"])
    gate.open()
    assert as_they_were(chain, products) == before
    assert {status(chain, product_id) for product_id in products.values()} == {"active"}


def test_a_bundle_cease_that_ran_refuses_a_cancel_and_the_order_completes(
    chain: Chain, gate: Gate
) -> None:
    products = delivered_bundle(chain)
    gate.close(NEW_LINE)
    members = [relies_on(change(item, "delete", products[item]), "n") for item in ("1", "2")]
    order = chain.place(broadband("n"), change("b", "delete", products["b"]), *members)
    chain.until(lambda: status(chain, products["b"]) == "terminated")  # the bundle's cease ran

    task = wait_task(chain, CANCEL_PO, cancel(chain, order["id"])["id"])
    assert task["state"] == "terminatedWithError"
    running = chain.get(f"{PO}/{order['id']}")
    assert running["state"] == "inProgress"
    assert any("point of no return" in note["text"] for note in running["note"]), running
    assert {status(chain, products[item]) for item in ("1", "2")} == {"active"}  # not yet

    gate.open()
    assert chain.wait_for(order["id"])["state"] == "completed"
    assert {status(chain, product_id) for product_id in products.values()} == {"terminated"}
