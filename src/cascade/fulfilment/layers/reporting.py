"""Reporting up the chain: a child order that changed wakes the order that asked for it.

One way for every layer and for mirrors of another component's orders: the parent order's
work item is scheduled, in the transaction of the change. The parent's controller looks at
the order again; when a cancellation has the order, it passes the nudge on to it
(skeleton.py), so a cancellation waiting on its children is woken as the order would be.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.fulfilment.layers.documents import parent_named
from cascade.fulfilment.layers.registry import Layer, parent_of
from cascade.storage import work


def report_up(connection: Connection, layer: Layer, order: Mapping[str, Any]) -> None:
    """Wake the parent of an order of `layer` (if it names one) after the order changed."""
    parent_layer = parent_of(layer)
    if parent_layer is None:
        return
    parent = parent_named(order, parent_layer.referred_type)
    if parent is not None:
        work.schedule(connection, parent_layer.order_kind.name, parent[0])
