"""The three ordering layers, COM, SOM and ROM: one registry of what each one is.

Each entry names its orders and cancel tasks (kinds), what their attributes are called, their
state machines, the states in which an order has failed, the layer above (which it reports
to) and below (whose orders it places), and what waits for people (manual steps, start
dates). The controller skeleton (skeleton.py), cancellation and the components read them
here instead of keeping their own copies.
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
    CANCELLED,
    FAILED,
    PARTIAL,
    PRODUCT_ORDER,
    PRODUCT_ORDER_ITEM,
    REJECTED,
    RESOURCE_ORDER,
    RESOURCE_ORDER_ITEM,
    SERVICE_ORDER,
    SERVICE_ORDER_ITEM,
    StateMachine,
)
from cascade.fulfilment.layers.ids import child_id
from cascade.tmf.declarations import Kind

# An order in one of these has not delivered what it was asked for.
ENDED_BADLY = (FAILED, REJECTED, CANCELLED, PARTIAL)


@dataclass(frozen=True)
class Alerts:
    """Where a layer's orders keep milestones and jeopardy alerts (TMF641 v4.1 `milestone`,
    `jeopardyAlert`; TMF622 v5 `productOrderMilestone`, `productOrderJeopardyAlert`), and the
    status a reached milestone has in that API."""

    milestones: str
    jeopardy_alerts: str
    reached: str


@dataclass(frozen=True)
class Layer:
    name: str  # product, service, resource
    component: str  # com, som, rom: the component that runs it
    order_kind: Kind  # productOrder
    task_kind: Kind  # cancelProductOrder
    reference: str  # the task's attribute naming the order: productOrder
    referred_type: str  # ProductOrder (also the externalReference type children name it by)
    items: str  # the order's item array: productOrderItem
    machine: StateMachine
    item_machine: StateMachine
    task_machine: StateMachine
    parent: str | None  # the layer above, by name: the one this layer reports to
    child: str | None  # the layer below: the one whose orders this layer places
    ended_badly: tuple[str, ...] = ENDED_BADLY
    waits: bool = False  # whether orders wait for start dates and manual steps
    alerts: Alerts | None = None  # TMF641 and TMF622 v5 have them; TMF652 only notes
    release_command: str = "cascade order release"  # how a waiting order is released

    def order_id(self, task: Mapping[str, Any]) -> str:
        return str((task.get(self.reference) or {}).get("id"))


PRODUCT = Layer(
    "product",
    "com",
    kinds.PRODUCT_ORDER,
    kinds.CANCEL_PRODUCT_ORDER,
    "productOrder",
    "ProductOrder",
    "productOrderItem",
    PRODUCT_ORDER,
    PRODUCT_ORDER_ITEM,
    CANCEL_PRODUCT_ORDER,
    parent=None,
    child="service",
    waits=True,
    # TMF622 v5's lists (kept in the stored order, marked extensions in v4); its values of
    # a milestone's status are Yet-To-Reach, Completed, Violated.
    alerts=Alerts("productOrderMilestone", "productOrderJeopardyAlert", "Completed"),
)
SERVICE = Layer(
    "service",
    "som",
    kinds.SERVICE_ORDER,
    kinds.CANCEL_SERVICE_ORDER,
    "serviceOrder",
    "ServiceOrder",
    "serviceOrderItem",
    SERVICE_ORDER,
    SERVICE_ORDER_ITEM,
    CANCEL_SERVICE_ORDER,
    parent="product",
    child="resource",
    waits=True,
    alerts=Alerts("milestone", "jeopardyAlert", "completed"),
    release_command="cascade order release --service-order",
)
RESOURCE = Layer(
    "resource",
    "rom",
    kinds.RESOURCE_ORDER,
    kinds.CANCEL_RESOURCE_ORDER,
    "resourceOrder",
    "ResourceOrder",
    "orderItem",
    RESOURCE_ORDER,
    RESOURCE_ORDER_ITEM,
    CANCEL_RESOURCE_ORDER,
    parent="service",
    child=None,
    waits=True,  # a requested start date; TMF634 declares no manual steps
)
LAYERS = (PRODUCT, SERVICE, RESOURCE)
BY_NAME = {layer.name: layer for layer in LAYERS}
BY_ORDER_KIND = {layer.order_kind: layer for layer in LAYERS}
LAYER_OF = {kind: layer for layer in LAYERS for kind in (layer.order_kind, layer.task_kind)}


def parent_of(layer: Layer) -> Layer | None:
    return None if layer.parent is None else BY_NAME[layer.parent]


def child_of(layer: Layer) -> Layer | None:
    return None if layer.child is None else BY_NAME[layer.child]


def internal_task_id(order_id: str) -> str:
    """The id of the cancel task a parent's cancellation places for a child order.

    A task with this id was asked for by Cascade itself, whose parent cancellation has already
    decided: it is never refused for a point of no return, and asking twice finds it again.
    """
    return child_id(order_id, "cancel")
