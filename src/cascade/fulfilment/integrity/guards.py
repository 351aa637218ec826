"""Which integrity check guards which kind: the DELETE checks and PATCH hooks by kind."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.fulfilment.integrity.activations import ActivationDeletes
from cascade.fulfilment.integrity.holds import Holds
from cascade.fulfilment.integrity.inventory import LINKS, InventoryIntegrity
from cascade.fulfilment.integrity.orders import OrderDeletes
from cascade.fulfilment.layers.children import ChildOrders
from cascade.fulfilment.layers.registry import LAYERS
from cascade.repositories import Created, Repositories
from cascade.tmf.declarations import Kind

DeleteCheck = Callable[[Connection, dict[str, Any]], None]
PatchHook = Callable[[Connection, Mapping[str, Any], Mapping[str, Any]], None]
Creator = Callable[[Connection, dict[str, Any]], Created]


class Integrity:
    """A client's DELETE check, PATCH hook and create per kind (where a kind has one)."""

    def __init__(self, repositories: Repositories, children: Mapping[str, ChildOrders]) -> None:
        self.deletes: dict[Kind, DeleteCheck] = {}
        self.patches: dict[Kind, PatchHook] = {}
        self.creates: dict[Kind, Creator] = {}
        for layer in LAYERS:
            self.deletes[layer.order_kind] = OrderDeletes(layer, repositories).check
            self.patches[layer.order_kind] = Holds(layer, repositories, children).patched
        for kind in LINKS:
            inventory = InventoryIntegrity(kind, repositories)
            self.deletes[kind] = inventory.check_delete
            self.patches[kind] = inventory.patched
            self.creates[kind] = inventory.create
        for kind in (kinds.SERVICE_ACTIVATION, kinds.RESOURCE_ACTIVATION):
            self.deletes[kind] = ActivationDeletes(kind).check
