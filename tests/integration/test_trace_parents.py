"""The trace an order tree's steps join (fulfilment/layers/trace_roots.py): the traceparent
kept by the request that created its topmost order here, else one derived from its root."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.bootstrap import Cascade
from cascade.fulfilment.layers.trace_roots import TraceRoot, TraceRoots
from cascade.storage import trace_parents

CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
LATER = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"


def child(order_id: str, parent_type: str, parent_id: str) -> dict[str, Any]:
    return {
        "id": order_id,
        "href": f"/x/{order_id}",
        "state": "acknowledged",
        "externalReference": [
            {"id": parent_id, "externalReferenceType": parent_type},
            {"id": "1", "externalReferenceType": f"{parent_type}Item"},
        ],
    }


def test_a_forwarded_order_whose_parent_is_elsewhere_is_its_trees_top(cascade: Cascade) -> None:
    """In SOM as a component: the product order is in COM's database, not here; the service
    order's forwarded POST kept COM's trace, and its resource orders' steps join it too."""
    repositories = cascade.repositories

    def job(connection: Connection) -> tuple[TraceRoot, TraceRoot, TraceRoot]:
        repositories[kinds.SERVICE_ORDER].insert_as_is(
            connection, child("so-1", "ProductOrder", "po-in-com")
        )
        repositories[kinds.RESOURCE_ORDER].insert_as_is(
            connection, child("ro-1", "ServiceOrder", "so-1")
        )
        trace_parents.keep(connection, "serviceOrder", "so-1", CALLER)
        trace_parents.keep(connection, "serviceOrder", "so-1", LATER)  # the first one stays
        roots = TraceRoots(repositories)
        return (
            roots(connection, "resourceOrder", "ro-1"),
            roots(connection, "serviceOrder", "so-1"),
            roots(connection, "resourceOrder", "ro-unknown"),
        )

    resource, service, unknown = cascade.database.write_sync(job)
    assert resource == service == ("po-in-com", CALLER)
    assert unknown == ("ro-unknown", None)  # derived from its own id


def test_the_topmost_kept_context_wins(cascade: Cascade) -> None:
    repositories = cascade.repositories

    def job(connection: Connection) -> TraceRoot:
        repositories[kinds.PRODUCT_ORDER].insert_as_is(
            connection, {"id": "po-1", "href": "/x/po-1", "state": "inProgress"}
        )
        repositories[kinds.SERVICE_ORDER].insert_as_is(
            connection, child("so-1", "ProductOrder", "po-1")
        )
        trace_parents.keep(connection, "productOrder", "po-1", CALLER)
        trace_parents.keep(connection, "serviceOrder", "so-1", LATER)  # a client's PATCH, say
        return TraceRoots(repositories)(connection, "serviceOrder", "so-1")

    assert cascade.database.write_sync(job) == ("po-1", CALLER)
