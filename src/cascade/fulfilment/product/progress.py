"""What COM tells a product order's client besides states (TMF622 v5, docs/versions.md):
milestones (`productOrderMilestone`) when an item's service orders are placed and when they
have all completed, and an error message (`productOrderErrorMessage`) when an item fails.

They are stored under their v5 names: v5 shows them, v4 shows them as marked extensions,
and each new entry is one `ProductOrderMilestoneEvent` or `ProductOrderErrorMessageEvent`
on a v5 hub (repositories/events.py). Each is recorded once per item, whatever the passes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cascade.tmf.instants import now_instant

MILESTONES = "productOrderMilestone"
ERROR_MESSAGES = "productOrderErrorMessage"
PLACED = "serviceOrdersPlaced"
COMPLETED = "serviceOrdersCompleted"
DESCRIPTIONS = {
    PLACED: "the item's service orders are placed",
    COMPLETED: "the item's service orders have completed",
}


def _item_ref(order: Mapping[str, Any], item: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "productOrderId": str(order["id"]),
        "productOrderItemId": str(item.get("id")),
        "@referredType": "ProductOrderItem",
        "@type": "ProductOrderItemRef",
    }


def add_milestone(order: dict[str, Any], item: Mapping[str, Any], name: str) -> None:
    """The item's milestone `name` (PLACED, COMPLETED), unless already recorded."""
    id_ = f"{item.get('id')}-{name}"
    milestones: list[dict[str, Any]] = order.setdefault(MILESTONES, [])
    if any(milestone.get("id") == id_ for milestone in milestones):
        return
    milestones.append(
        {
            "id": id_,
            "name": name,
            "description": DESCRIPTIONS[name],
            "status": "Completed",  # the file's values: Yet-To-Reach, Completed, Violated
            "milestoneDate": now_instant(),
            "productOrderItem": [_item_ref(order, item)],
            "@type": "ProductOrderMilestone",
        }
    )


def add_error_message(order: dict[str, Any], item: Mapping[str, Any], reason: str) -> None:
    """Why the item failed, unless an error message already names the item."""
    messages: list[dict[str, Any]] = order.setdefault(ERROR_MESSAGES, [])
    item_id = str(item.get("id"))
    for message in messages:
        named = message.get("productOrderItem") or []
        if any(ref.get("productOrderItemId") == item_id for ref in named):
            return
    messages.append(
        {
            "code": "itemFailed",
            "reason": "Item failed",
            "message": reason,
            "status": "failed",
            "timestamp": now_instant(),
            "productOrderItem": [_item_ref(order, item)],
            "@type": "ProductOrderErrorMessage",
        }
    )
