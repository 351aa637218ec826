"""Identities of what controllers create, derived from the parent order item.

A child's id is a UUID computed from its parent's identity, so a step that runs twice (after a
crash, or in two workers) finds what it created the first time instead of creating it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from cascade.domain.order_items import quantity_of

NAMESPACE = uuid.UUID("6f1c0f7e-3a52-4a8e-9a57-6b6f3c1d2e10")


def child_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def copies(item: Mapping[str, Any]) -> int:
    """How many products a product order item makes: its `quantity` on an `add`, else 1."""
    return quantity_of(item) if item.get("action") == "add" else 1


def service_order_ids(order_id: str, item: Mapping[str, Any]) -> list[str]:
    """The TMF641 service orders of a product order item, one per copy: the first keeps the
    id an item of quantity 1 has always had (ADR 0021)."""
    item_id = str(item.get("id"))
    first = child_id(order_id, item_id)
    return [first, *(child_id(order_id, item_id, f"copy-{n}") for n in range(2, copies(item) + 1))]


def product_ids(order_id: str, item: Mapping[str, Any]) -> list[str]:
    """The TMF637 products a product order item makes, one per copy (the first as ever)."""
    item_id = str(item.get("id"))
    first = child_id(order_id, item_id, "product")
    more = (child_id(order_id, item_id, "product", f"copy-{n}") for n in range(2, copies(item) + 1))
    return [first, *more]
