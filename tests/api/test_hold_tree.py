"""A state PATCH on an order reaches the work below it (issue 15, section 2).

Holding (or pending) a running product or service order holds its running child orders, and
theirs; releasing it releases them. A child is not released under a held parent, and a hold
reaching a component's mirrors is asked of that component. The controllers are off: these tests look
at what the PATCH itself did (tests/fulfilment/test_hold_tree.py runs the chain).
"""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from cascade.apis.kinds import SERVICE_ORDER
from cascade.bootstrap import Cascade
from cascade.components import links
from cascade.components.mirror import MirroredChildren
from cascade.components.topology import Remote
from cascade.fulfilment.integrity.holds import Holds
from cascade.fulfilment.layers.registry import PRODUCT, SERVICE
from cascade.fulfilment.runtime import StepContext
from cascade.storage.tables import work_item
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


def test_a_hold_is_asked_of_mirrored_children_and_the_release_too(cascade: Cascade) -> None:
    """In COM as a component the service orders are mirrors of SOM's: the hold is not made
    here but asked of SOM (a row the follower carries out), and the release undoes it."""
    po = product_order(cascade, "inProgress")
    running = service_order(cascade, "inProgress", po)
    other = service_order(cascade, "acknowledged", po)
    port = MirroredChildren(Remote("som", "http://som.test", SERVICE), cascade.repositories)
    holds = Holds(PRODUCT, cascade.repositories, {"service": port})
    kind = SERVICE_ORDER.name

    def link(order: dict[str, Any]) -> links.Claimed:
        found = cascade.database.read_sync(lambda c: links.link_of(c, kind, order["id"]))
        assert found is not None
        return found

    def patch(before: dict[str, Any], after: str) -> None:
        cascade.database.write_sync(lambda c: holds.patched(c, before, {**before, "state": after}))

    def record(order: dict[str, Any]) -> None:
        cascade.database.write_sync(lambda c: links.record_intent(c, kind, order["id"], "x"))

    for order in (running, other):
        record(order)
    patch(po, "held")
    held = {"state_asked": "held", "asking": "held", "state_asks": 1}
    assert {k: getattr(link(running), k) for k in held} == held
    assert link(other).asking == "held"  # not started there yet: held once it runs
    stored = cascade.database.read_sync(
        lambda c: cascade.repositories[SERVICE_ORDER].peek(c, running["id"])
    )
    assert stored is not None and stored["state"] == "inProgress"  # a mirror shows SOM's state
    patch({**po, "state": "held"}, "inProgress")
    assert link(running).asking == "inProgress" and link(running).state_asks == 2


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
