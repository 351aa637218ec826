"""A client's DELETE of an order takes with it, in its transaction, what was kept for the order
beside its document (ADR 0029): the trace context its creating request gave it, its
cancellation's claim, and any change claim it still holds. Another order's stay; a refused
DELETE changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import Connection, select

from cascade.bootstrap import Cascade
from cascade.storage import claims, trace_parents
from cascade.storage.tables import claim
from tests.api.chain_records import PO, RO, SO, product_order, resource_order, service_order

Client = TestClient[Any]
MakeOrder = Callable[[Cascade, str], dict[str, Any]]
TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
ORDERS: dict[str, tuple[str, MakeOrder, str, str]] = {
    "productOrder": (PO, product_order, "cancelProductOrder", "productChange"),
    "serviceOrder": (SO, service_order, "cancelServiceOrder", "serviceChange"),
    "resourceOrder": (RO, resource_order, "cancelResourceOrder", "resourceChange"),
}


def keep_all(cascade: Cascade, kind: str, order_id: str) -> None:
    """What the order's life would have left: a kept trace, a cancel claim, a change claim."""
    _, _, cancel, change = ORDERS[kind]

    def job(connection: Connection) -> None:
        trace_parents.keep(connection, kind, order_id, TRACE)
        claims.take(connection, cancel, order_id, f"task-of-{order_id}")
        claims.take(connection, change, f"thing-of-{order_id}", order_id)

    cascade.database.write_sync(job)


def claim_rows(cascade: Cascade) -> set[tuple[str, str, str]]:
    query = select(claim.c.scope, claim.c.subject, claim.c.holder)
    return {tuple(row) for row in cascade.database.read_sync(lambda c: c.execute(query).all())}


@pytest.mark.parametrize("kind", list(ORDERS))
def test_a_deleted_order_leaves_no_claim_and_no_trace_context(
    client: Client, cascade: Cascade, kind: str
) -> None:
    path, make, _, _ = ORDERS[kind]
    deleted, kept = make(cascade, "completed"), make(cascade, "completed")
    for order in (deleted, kept):
        keep_all(cascade, kind, order["id"])
    before = claim_rows(cascade)
    assert len(before) == 6

    assert client.delete(f"{path}/{deleted['id']}").status_code == 204

    after = claim_rows(cascade)
    assert after == {row for row in before if not names(row, deleted["id"])}, after
    assert len(after) == 3 and all(names(row, kept["id"]) for row in after)


def names(row: tuple[str, str, str], order_id: str) -> bool:
    """Whether a claim row is the order's: as its subject (`kind/id` for a trace), or holder."""
    _, subject, holder = row
    return order_id in (subject.rsplit("/", 1)[-1], holder)


def test_a_refused_delete_keeps_them(client: Client, cascade: Cascade) -> None:
    order = product_order(cascade, "inProgress")
    keep_all(cascade, "productOrder", order["id"])
    before = claim_rows(cascade)
    assert client.delete(f"{PO}/{order['id']}").status_code == 409
    assert claim_rows(cascade) == before
