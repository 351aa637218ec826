"""The three ordering layers as cancellation sees them: order kind, cancel task kind, names.

Cancellation works the same way at every layer (docs/adr/0008-cancellation-and-compensation.md);
what differs is which resources it reads and writes and what the attributes are called.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cascade.apis import kinds
from cascade.domain.states import (
    CANCEL_PRODUCT_ORDER,
    CANCEL_RESOURCE_ORDER,
    CANCEL_SERVICE_ORDER,
    PRODUCT_ORDER,
    PRODUCT_ORDER_ITEM,
    RESOURCE_ORDER,
    RESOURCE_ORDER_ITEM,
    SERVICE_ORDER,
    SERVICE_ORDER_ITEM,
    StateMachine,
)
from cascade.fulfilment.ids import child_id
from cascade.tmf.declarations import Kind


@dataclass(frozen=True)
class Layer:
    order_kind: Kind  # productOrder
    task_kind: Kind  # cancelProductOrder
    reference: str  # the task's attribute naming the order: productOrder
    referred_type: str  # ProductOrder (also the externalReference type children name it by)
    items: str  # the order's item array: productOrderItem
    machine: StateMachine
    item_machine: StateMachine
    task_machine: StateMachine
    parent: Kind | None  # the layer above, by order kind

    def order_id(self, task: Mapping[str, Any]) -> str:
        return str((task.get(self.reference) or {}).get("id"))


PRODUCT = Layer(
    kinds.PRODUCT_ORDER,
    kinds.CANCEL_PRODUCT_ORDER,
    "productOrder",
    "ProductOrder",
    "productOrderItem",
    PRODUCT_ORDER,
    PRODUCT_ORDER_ITEM,
    CANCEL_PRODUCT_ORDER,
    None,
)
SERVICE = Layer(
    kinds.SERVICE_ORDER,
    kinds.CANCEL_SERVICE_ORDER,
    "serviceOrder",
    "ServiceOrder",
    "serviceOrderItem",
    SERVICE_ORDER,
    SERVICE_ORDER_ITEM,
    CANCEL_SERVICE_ORDER,
    PRODUCT.order_kind,
)
RESOURCE = Layer(
    kinds.RESOURCE_ORDER,
    kinds.CANCEL_RESOURCE_ORDER,
    "resourceOrder",
    "ResourceOrder",
    "orderItem",
    RESOURCE_ORDER,
    RESOURCE_ORDER_ITEM,
    CANCEL_RESOURCE_ORDER,
    SERVICE.order_kind,
)
LAYERS = (PRODUCT, SERVICE, RESOURCE)
BY_ORDER_KIND = {layer.order_kind: layer for layer in LAYERS}
LAYER_OF = {kind: layer for layer in LAYERS for kind in (layer.order_kind, layer.task_kind)}


def internal_task_id(order_id: str) -> str:
    """The id of the cancel task a parent's cancellation places for a child order.

    A task with this id was asked for by Cascade itself, whose parent cancellation has already
    decided: it is never refused for a point of no return, and asking twice finds it again.
    """
    return child_id(order_id, "cancel")
