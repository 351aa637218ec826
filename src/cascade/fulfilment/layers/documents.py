"""What the three layers do to order documents alike: states, notes, roll-up, references.

Pure functions of the documents (no database): the skeleton, the layers' own steps,
cancellation and the components all use them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cascade.domain.states import StateMachine, roll_up
from cascade.tmf.instants import now_instant

AUTHOR = "Cascade"
OWNER = "Cascade"  # the system that owns the parent order, in TMF652 ExternalId


def reject(
    order: dict[str, Any],
    items: Iterable[dict[str, Any]],
    machine: StateMachine,
    item_machine: StateMachine,
) -> None:
    """Refuse the whole order: it and every item end `rejected` (the caller says why)."""
    for item in items:
        move(item, item_machine, "rejected")
    move(order, machine, "rejected")


def move(document: dict[str, Any], machine: StateMachine, target: str) -> bool:
    """Set `document["state"]` to `target` along an allowed transition; False when unchanged."""
    current = str(document.get("state"))
    if current == target:
        return False
    machine.check(current, target)
    document["state"] = target
    return True


def add_note(document: dict[str, Any], text: str) -> None:
    notes = document.setdefault("note", [])
    if not any(note.get("text") == text for note in notes):
        notes.append({"author": AUTHOR, "date": now_instant(), "text": text})


def settle_order(
    document: dict[str, Any], machine: StateMachine, items: Iterable[Mapping[str, Any]]
) -> bool:
    """Roll the items' states up into the order's; set completionDate when it ends."""
    state = roll_up(str(item.get("state")) for item in items)
    if state is None or not move(document, machine, state):
        return False
    document["completionDate"] = now_instant()
    return True


def reference_to(document: Mapping[str, Any], referred_type: str) -> dict[str, Any]:
    return {"id": document["id"], "href": document["href"], "@referredType": referred_type}


def external_reference(order: Mapping[str, Any], item_id: str, kind: str) -> list[dict[str, Any]]:
    """How a child order names the parent order and item it was made for (ExternalReference)."""
    return [
        {
            "externalReferenceType": kind,
            "id": order["id"],
            "href": order["href"],
            "name": f"{kind} {order['id']}",
        },
        {
            "externalReferenceType": f"{kind}Item",
            "id": item_id,
            "href": order["href"],
            "name": f"{kind} {order['id']} item {item_id}",
        },
    ]


def external_ids(order: Mapping[str, Any], item_id: str, kind: str) -> list[dict[str, Any]]:
    """The same for TMF652, whose `externalReference` holds ExternalId (entityType, owner)."""
    return [
        {"entityType": kind, "id": order["id"], "owner": OWNER},
        {"entityType": f"{kind}Item", "id": item_id, "owner": OWNER},
    ]


def parties(order: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The order's related parties, to pass down (TMF641 also wants each one's @type)."""
    return [
        {"@type": "RelatedParty", **party}
        for party in order.get("relatedParty") or ()
        if isinstance(party, Mapping)
    ]


def parent_named(document: Mapping[str, Any], kind: str) -> tuple[str, str] | None:
    """The (parent order id, parent item id) a child order names, if it names one."""
    order_id = item_id = None
    for ref in document.get("externalReference") or ():
        ref_kind = ref.get("externalReferenceType") or ref.get("entityType")
        if ref_kind == kind:
            order_id = ref.get("id")
        elif ref_kind == f"{kind}Item":
            item_id = ref.get("id")
    if order_id is None or item_id is None:
        return None
    return str(order_id), str(item_id)


def notes_text(document: Mapping[str, Any]) -> str:
    """The order's notes as one line, to carry a child's reason up to its parent."""
    return (
        "; ".join(str(note.get("text")) for note in document.get("note") or ()) or "no reason given"
    )
