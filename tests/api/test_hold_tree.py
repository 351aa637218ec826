"""A state PATCH on an order reaches the work below it (issue 15, section 2).

Holding (or pending) a running product or service order holds its running child orders, and
theirs; releasing it releases them. A child is not released under a held parent, and a hold
that cannot reach a component's mirrors is refused. The controllers are off: these tests look
at what the PATCH itself did (tests/fulfilment/test_hold_tree.py runs the chain).
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from cascade.apis.kinds import SERVICE_ORDER
from cascade.bootstrap import Cascade
from cascade.fulfilment.integrity.holds import Holds
from cascade.fulfilment.layers.registry import PRODUCT
from cascade.fulfilment.runtime import StepContext
from cascade.storage.tables import work_item
from cascade.tmf.errors import TmfError
from tests.api.chain_records import (
    MERGE,
    PO,
    RO,
    SO,
    error_of,
    product_order,
    resource_order,
    service_order,
)

Client = TestClient[Any]


def state(client: Client, path: str, order: dict[str, Any]) -> str:
    return str(client.get(f"{path}/{order['id']}").json()["state"])


def to(client: Client, path: str, order: dict[str, Any], target: str) -> Any:
    return client.patch(f"{path}/{order['id']}", json={"state": target}, headers=MERGE)


def scheduled(cascade: Cascade) -> set[str]:
    rows = cascade.database.read_sync(lambda c: c.execute(select(work_item.c.entity_id)).all())
    return {row.entity_id for row in rows}


@pytest.mark.parametrize("hold", ["held", "pending"])
def test_holding_a_product_order_holds_the_tree_and_releasing_resumes_it(
    client: Client, cascade: Cascade, hold: str
) -> None:
    po = product_order(cascade, "inProgress")
    so = service_order(cascade, "inProgress", po)
    waiting = service_order(cascade, "acknowledged", po)  # not started: cannot be held
    ro = resource_order(cascade, "inProgress", so)
    done = resource_order(cascade, "completed", so)
    assert to(client, PO, po, hold).status_code == 200
    assert [state(client, SO, so), state(client, RO, ro)] == [hold, hold]
    assert [state(client, SO, waiting), state(client, RO, done)] == ["acknowledged", "completed"]
    notes = client.get(f"{SO}/{so['id']}").json()["note"]
    assert notes[-1]["text"] == f"held with ProductOrder {po['id']}"

    cascade.database.write_sync(lambda c: c.execute(work_item.delete()))
    assert to(client, PO, po, "inProgress").status_code == 200
    assert [state(client, SO, so), state(client, RO, ro)] == ["inProgress", "inProgress"]
    # Every child that has not ended is looked at again, the one that waited too.
    assert {po["id"], so["id"], waiting["id"], ro["id"]} <= scheduled(cascade)
    assert done["id"] not in scheduled(cascade)


def test_holding_a_service_order_holds_its_resource_orders(
    client: Client, cascade: Cascade
) -> None:
    so = service_order(cascade, "inProgress")
    ro = resource_order(cascade, "inProgress", so)
    assert to(client, SO, so, "held").status_code == 200
    assert state(client, RO, ro) == "held"
    assert to(client, SO, so, "inProgress").status_code == 200
    assert state(client, RO, ro) == "inProgress"


def test_a_child_is_not_released_under_a_held_parent(client: Client, cascade: Cascade) -> None:
    po = product_order(cascade, "inProgress")
    so = service_order(cascade, "inProgress", po)
    ro = resource_order(cascade, "inProgress", so)
    assert to(client, PO, po, "held").status_code == 200
    body = error_of(to(client, SO, so, "inProgress"), 409, "parentOrderHeld")
    assert po["id"] in body["message"]
    error_of(to(client, RO, ro, "inProgress"), 409, "parentOrderHeld")
    assert [state(client, SO, so), state(client, RO, ro)] == ["held", "held"]


def test_a_release_leaves_a_child_its_own_operator_held(client: Client, cascade: Cascade) -> None:
    po = product_order(cascade, "inProgress")
    own = service_order(cascade, "inProgress", po)
    other = service_order(cascade, "inProgress", po)
    assert to(client, SO, own, "held").status_code == 200
    assert to(client, PO, po, "held").status_code == 200
    assert to(client, PO, po, "inProgress").status_code == 200
    assert [state(client, SO, own), state(client, SO, other)] == ["held", "inProgress"]


def test_a_client_cannot_cancel_by_patch(client: Client, cascade: Cascade) -> None:
    """Only hold and release are a client's; a cancel goes through its task."""
    po = product_order(cascade, "inProgress")
    so = service_order(cascade, "inProgress", po)
    for target in ("cancelled", "completed", "pendingCancellation"):
        refused = to(client, PO, po, target)
        assert refused.status_code in (400, 409), refused.text
    assert [state(client, PO, po), state(client, SO, so)] == ["inProgress", "inProgress"]


def test_a_hold_that_cannot_reach_mirrored_children_is_refused(cascade: Cascade) -> None:
    """In COM as a component, the service orders here are mirrors of SOM's."""
    po = product_order(cascade, "inProgress")
    so = service_order(cascade, "inProgress", po)
    holds = Holds(PRODUCT, cascade.repositories, lambda layer: layer is PRODUCT)
    with pytest.raises(TmfError) as refused:
        cascade.database.write_sync(lambda c: holds.patched(c, po, {**po, "state": "held"}))
    assert refused.value.status == 409 and refused.value.code == "holdNotCarried"
    assert so["id"] in refused.value.message


def test_a_child_not_yet_started_waits_for_its_parents_release(cascade: Cascade) -> None:
    """`held` is reached from `inProgress` only: an acknowledged child is left unstarted."""
    po = product_order(cascade, "held")
    so = service_order(cascade, "acknowledged", po)
    (som,) = [c for c in cascade.chain.controllers if getattr(c, "kind", None) == SERVICE_ORDER]
    context = StepContext(now_ms=0, attempts=0)
    cascade.database.write_sync(lambda c: som.step(c, so["id"], context))
    stored = cascade.repositories[SERVICE_ORDER].peek
    after = cascade.database.read_sync(lambda c: stored(c, so["id"]))
    assert after is not None and after["state"] == "acknowledged"
