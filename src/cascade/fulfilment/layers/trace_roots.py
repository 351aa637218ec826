"""Which trace a step belongs to: its order tree's (ADR 0024).

Only asked while tracing is on. A product order is its own root; a service or resource order
names its parent in `externalReference`, read up the chain and remembered (a step of an order
whose parent this process already saw reads one document more, none after that); a
cancellation task belongs to its order's tree. Anything else is a tree of its own.

The trace is the one of the request that created the topmost order of the chain kept here
(its `traceparent`, storage/trace_parents.py): the product order's POST, or in a component,
the forwarded POST of the order it received. An order created while tracing was off, or
before traces were kept, has none: its tree's trace is then derived from the root's id.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

from sqlalchemy import Connection

from cascade.fulfilment.layers.documents import parent_named
from cascade.fulfilment.layers.registry import LAYER_OF, Layer, parent_of
from cascade.repositories import Repositories
from cascade.storage import trace_parents

REMEMBERED = 10_000  # order ids and their roots, the most recent kept
_LAYERS = {kind.name: layer for kind, layer in LAYER_OF.items()}


class TraceRoot(NamedTuple):
    """The product order's id a tree is named by, and the kept parent of its steps, if any."""

    order_id: str
    traceparent: str | None


class TraceRoots:
    """`roots(connection, kind, entity_id)`: the tree's root and its steps' kept parent."""

    def __init__(self, repositories: Repositories) -> None:
        self.repositories = repositories
        self._roots: OrderedDict[tuple[str, str], TraceRoot] = OrderedDict()

    def __call__(self, connection: Connection, kind: str, entity_id: str) -> TraceRoot:
        layer = _LAYERS.get(kind)
        if layer is None:
            return TraceRoot(entity_id, None)
        if kind == layer.task_kind.name:
            task = self.repositories[layer.task_kind].peek(connection, entity_id)
            if task is None:
                return TraceRoot(entity_id, None)
            return self._root(connection, layer, layer.order_id(task))
        return self._root(connection, layer, entity_id)

    def _root(self, connection: Connection, layer: Layer, order_id: str) -> TraceRoot:
        key = (layer.name, order_id)
        found = self._roots.get(key)
        if found is not None:
            self._roots.move_to_end(key)
            return found
        parent_layer = parent_of(layer)
        root = None
        order = self.repositories[layer.order_kind].peek(connection, order_id)
        if order is not None and parent_layer is not None:
            parent = parent_named(order, parent_layer.referred_type)
            if parent is not None:
                root = self._root(connection, parent_layer, parent[0])
        if root is None or root.traceparent is None:  # the topmost kept one wins
            kept = None
            if order is not None:
                kept = trace_parents.kept(connection, layer.order_kind.name, order_id)
            root = TraceRoot(order_id if root is None else root.order_id, kept)
        self._roots[key] = root
        if len(self._roots) > REMEMBERED:
            self._roots.popitem(last=False)
        return root
