"""What a TMF641 service order records as it goes: error messages and milestones.

TMF622 and TMF652 orders have only notes; a service order also has `errorMessage` (each
refusal and failed item, with a note saying the same) and `milestone` (each item completed
or failed, a release, SOM's `pointOfNoReturn`), which its hub publishes as milestone events.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cascade.fulfilment.layers.documents import add_note
from cascade.tmf.instants import now_instant


def item_reference(order: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": str(item["id"]),
        "itemId": str(item["id"]),
        "serviceOrderId": order["id"],
        "serviceOrderHref": order["href"],
    }


def record_error(
    order: dict[str, Any], item: Mapping[str, Any] | None, code: str, message: str
) -> None:
    """An `errorMessage` entry (of the order, or of one item) and the note that says it."""
    entry: dict[str, Any] = {
        "code": code,
        "reason": message if item is None else f"item {item['id']}: {message}",
        "message": message,
        "status": "failed" if item is not None else "rejected",
        "timestamp": now_instant(),
    }
    if item is not None:
        entry["serviceOrderItem"] = [item_reference(order, item)]
    order.setdefault("errorMessage", []).append(entry)
    add_note(order, entry["reason"])


def record_milestone(
    order: dict[str, Any], item: Mapping[str, Any], name: str, status: str
) -> None:
    order.setdefault("milestone", []).append(
        {
            "id": f"{item['id']}-{status}",
            "name": name,
            "status": status,
            "milestoneDate": now_instant(),
            "serviceOrderItem": [item_reference(order, item)],
        }
    )


def milestone_named(order: Mapping[str, Any], name: str) -> Mapping[str, Any] | None:
    return next((m for m in order.get("milestone") or () if m.get("name") == name), None)


def record_passed(order: dict[str, Any], name: str, reason: str) -> None:
    """A milestone the order passed as a whole (SOM's `pointOfNoReturn`)."""
    order.setdefault("milestone", []).append(
        {
            "id": name,
            "name": name,
            "status": "passed",
            "message": reason,
            "milestoneDate": now_instant(),
        }
    )
