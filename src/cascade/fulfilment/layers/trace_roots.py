"""Which product order's trace a step belongs to: its order tree's root (ADR 0024).

Only asked while tracing is on. A product order is its own root; a service or resource order
names its parent in `externalReference`, read up the chain and remembered (a step of an order
whose parent this process already saw reads one document more, none after that); a
cancellation task belongs to its order's tree. Anything else is a tree of its own.
"""

from __future__ import annotations

from collections import OrderedDict

from sqlalchemy import Connection

from cascade.fulfilment.layers.documents import parent_named
from cascade.fulfilment.layers.registry import LAYER_OF, Layer, parent_of
from cascade.repositories import Repositories

REMEMBERED = 10_000  # order ids and their roots, the most recent kept
_LAYERS = {kind.name: layer for kind, layer in LAYER_OF.items()}


class TraceRoots:
    """`roots(connection, kind, entity_id)`: the id of the product order the trace is named by."""

    def __init__(self, repositories: Repositories) -> None:
        self.repositories = repositories
        self._roots: OrderedDict[tuple[str, str], str] = OrderedDict()

    def __call__(self, connection: Connection, kind: str, entity_id: str) -> str:
        layer = _LAYERS.get(kind)
        if layer is None:
            return entity_id
        if kind == layer.task_kind.name:
            task = self.repositories[layer.task_kind].peek(connection, entity_id)
            if task is None:
                return entity_id
            return self._root(connection, layer, layer.order_id(task))
        return self._root(connection, layer, entity_id)

    def _root(self, connection: Connection, layer: Layer, order_id: str) -> str:
        key = (layer.name, order_id)
        found = self._roots.get(key)
        if found is not None:
            self._roots.move_to_end(key)
            return found
        parent_layer = parent_of(layer)
        root = order_id
        if parent_layer is not None:
            order = self.repositories[layer.order_kind].peek(connection, order_id)
            parent = None if order is None else parent_named(order, parent_layer.referred_type)
            if parent is not None:
                root = self._root(connection, parent_layer, parent[0])
        self._roots[key] = root
        if len(self._roots) > REMEMBERED:
            self._roots.popitem(last=False)
        return root
