"""Undoing a child order that already ended, when its layer is another component.

In one process a cancellation undoes an ended child in place (cancellation/compensation.py). A
component cannot reach into the next one's tables, so it orders the undo through the next
layer's API instead: a `delete` order for what the child delivered (a cease), which that
layer carries out with its own controllers, inventory and pools. Its id derives from the
child's, so a cancellation step run twice finds the order it placed; it is forwarded like any
mirror. The undo is done when that order completes; if it does not, the cancellation goes on
and the note on the parent says what to undo by hand. A child that refused the cancel task
sent to it while it ran (it had passed a point of no return) is not undone: a note says so.
A completed `modify` is not reverted from here (the component that ran it keeps what it
overwrote): COM refuses a cancel once it knows of one (cancellation/no_return.py), and notes
it on the parent when a cancel came before the news did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.domain.decomposition import DEPENDS_ON
from cascade.fulfilment.cancellation.no_return import remote_modify
from cascade.fulfilment.changes.cease import cease_order
from cascade.fulfilment.layers.children import ChildOrders
from cascade.fulfilment.layers.documents import (
    add_note,
    external_reference,
    notes_text,
    parent_named,
    parties,
)
from cascade.fulfilment.layers.ids import child_id
from cascade.fulfilment.layers.registry import (
    ENDED_BADLY,
    RESOURCE,
    SERVICE,
    internal_task_id,
    parent_of,
)


class RemoteUndo:
    """Undo of ended children of the mirrored layer, by `delete` orders."""

    def __init__(self, children: ChildOrders) -> None:
        layer = children.layer
        parent_layer = parent_of(layer)
        assert layer in (SERVICE, RESOURCE), "only service and resource orders are mirrored"
        assert parent_layer is not None
        self.layer = layer
        self.parent_layer = parent_layer
        self.children = children  # where the undo order is placed (forwarded like any mirror)

    def __call__(
        self, connection: Connection, child: Mapping[str, Any], why: str, parent: dict[str, Any]
    ) -> bool:
        """True once what `child` delivered is ceased (or there is nothing to cease).
        `parent`: the order being undone, as the cancellation holds and saves it (notes go
        there: written to the store apart, they would be lost under its save)."""
        named = parent_named(child, self.parent_layer.referred_type)
        made = [
            item
            for item in child.get(self.layer.items) or ()
            if item.get("state") == "completed" and item.get("action", "add") == "add"
        ]
        if self.layer is SERVICE:
            kept = remote_modify(child)  # only when a cancel raced the mirror's news of it
            if kept is not None:
                add_note(parent, f"{kept}: it stays")
        if named is None or not made:
            return True
        refusal = self._refused_cancel(connection, child)
        if refusal is not None:  # a point of no return, say: what it did stays
            add_note(parent, f"{self.layer.referred_type} {child['id']} {refusal}")
            return True
        undo_id = child_id(str(child["id"]), "undo")
        placed = self.children.orders.peek(connection, undo_id)
        if placed is None:
            body = self._cease(parent, named[1], child, made, why)
            self.children.place(connection, body, undo_id)
            return False
        state = str(placed.get("state"))
        if state == "completed":
            return True
        if state in ENDED_BADLY:
            text = f"undo of {child['id']} by order {undo_id} ended {state}: undo it by hand"
            add_note(parent, text)
            return True
        return False

    def _refused_cancel(self, connection: Connection, child: Mapping[str, Any]) -> str | None:
        """Why the next component refused to cancel `child` while it ran, if it did."""
        task = self.children.tasks.peek(connection, internal_task_id(str(child["id"])))
        if task is None or task.get("state") != "terminatedWithError":
            return None
        why = task.get("completionMessage") or notes_text(task)
        return f"refused its cancellation ({why}); what it did stays"

    def _cease(
        self,
        parent: Mapping[str, Any],
        item_id: str,
        child: Mapping[str, Any],
        made: list[Mapping[str, Any]],
        why: str,
    ) -> dict[str, Any]:
        if self.layer is RESOURCE:
            body = cease_order(parent, {"id": item_id}, {**child, "orderItem": made})
        else:
            body = _service_cease(parent, item_id, made)
        body["description"] = f"Undo of {self.layer.referred_type} {child['id']}: {why}"
        return body


def _service_cease(
    parent: Mapping[str, Any], item_id: str, made: list[Mapping[str, Any]]
) -> dict[str, Any]:
    """Delete items for the services a service order made: what relied on another goes first."""
    ids = {str(item["id"]) for item in made}
    relied_on_by: dict[str, list[str]] = {item_id: [] for item_id in ids}
    for item in made:
        for relation in item.get("serviceOrderItemRelationship") or ():
            target = relation.get("orderItem") or {}
            needed = str(target.get("itemId") or target.get("id"))
            if relation.get("relationshipType") in DEPENDS_ON and needed in ids:
                relied_on_by[needed].append(str(item["id"]))
    items = []
    for item in made:
        service = item.get("service") or {}
        delete: dict[str, Any] = {
            "id": str(item["id"]),
            "action": "delete",
            "service": {
                key: service[key]
                for key in ("id", "href", "name", "category", "serviceSpecification")
                if key in service
            },
        }
        after = relied_on_by[str(item["id"])]
        if after:
            delete["serviceOrderItemRelationship"] = [
                {"relationshipType": "reliesOn", "orderItem": {"id": other, "itemId": other}}
                for other in after
            ]
        items.append(delete)
    body: dict[str, Any] = {
        "externalReference": external_reference(parent, item_id, "ProductOrder"),
        "serviceOrderItem": items,
    }
    if parent.get("relatedParty"):
        body["relatedParty"] = parties(parent)
    return body
