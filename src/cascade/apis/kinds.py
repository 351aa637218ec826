"""Every kind of entity Cascade stores, independent of the API versions that serve it.

A kind is named after its resource (`productOrder`). Where two APIs have a resource of the
same name for different things, the kind says which: TMF638's `service` is the inventory
record (`service`), TMF640's the activation of one (`serviceActivation`). Hub subscriptions
are the one exception: they belong to one API version, and their kinds are declared with it
(`ApiSpec.hub`, `tmf622.hub`).
"""

from __future__ import annotations

from cascade.domain.changes import KEPT_BEFORE
from cascade.domain.states import (
    CANCEL_PRODUCT_ORDER as CANCEL_PRODUCT_ORDER_MACHINE,
)
from cascade.domain.states import (
    CANCEL_RESOURCE_ORDER as CANCEL_RESOURCE_ORDER_MACHINE,
)
from cascade.domain.states import (
    CANCEL_SERVICE_ORDER as CANCEL_SERVICE_ORDER_MACHINE,
)
from cascade.domain.states import (
    DRAFT,
    PRODUCT_ORDER_ITEM,
    RESOURCE_ORDER_ITEM,
    SERVICE_ORDER_ITEM,
    StateMachine,
)
from cascade.domain.states import (
    PRODUCT_ORDER as PRODUCT_ORDER_MACHINE,
)
from cascade.domain.states import (
    RESOURCE_ORDER as RESOURCE_ORDER_MACHINE,
)
from cascade.domain.states import (
    SERVICE_ORDER as SERVICE_ORDER_MACHINE,
)
from cascade.tmf.declarations import ItemState, Kind

# --- ordering: the orders of the three layers and their cancel tasks ---------------------------

# What every layer's controller copies from an order into the orders and records it makes.
PASSED_DOWN = ("relatedParty",)


def _order(
    name: str,
    entity: str,
    items: str,
    machine: StateMachine,
    item_machine: StateMachine,
    kept: tuple[str, ...] = (),
) -> Kind:
    return Kind(
        name,
        entity,
        state="state",
        initial_state="acknowledged",
        item_states=(ItemState(items, "acknowledged", kept=kept),),
        date="orderDate",
        creation_date="orderDate",
        key="externalId",
        terms=("relatedParty.id", f"{items}.state", "externalReference.id"),
        state_machine=machine,
        item_state_machine=item_machine,
        passed_down=PASSED_DOWN,
    )


PRODUCT_ORDER = Kind(
    "productOrder",
    "ProductOrder",
    state="state",
    initial_state="acknowledged",
    item_states=(ItemState("productOrderItem", "acknowledged", kept=(KEPT_BEFORE,)),),
    date="orderDate",
    creation_date="orderDate",
    key="externalId",
    terms=("relatedParty.id", "productOrderItem.state"),
    state_machine=PRODUCT_ORDER_MACHINE,
    item_state_machine=PRODUCT_ORDER_ITEM,
    requested_state="requestedInitialState",
    requestable_states=(DRAFT,),
    passed_down=PASSED_DOWN,
)
SERVICE_ORDER = _order(
    "serviceOrder",
    "ServiceOrder",
    "serviceOrderItem",
    SERVICE_ORDER_MACHINE,
    SERVICE_ORDER_ITEM,
    kept=(KEPT_BEFORE,),
)
RESOURCE_ORDER = _order(
    "resourceOrder", "ResourceOrder", "orderItem", RESOURCE_ORDER_MACHINE, RESOURCE_ORDER_ITEM
)
CANCEL_PRODUCT_ORDER = Kind(
    "cancelProductOrder",
    "CancelProductOrder",
    state="state",
    initial_state="acknowledged",
    date="requestedCancellationDate",
    terms=("productOrder.id",),
    state_machine=CANCEL_PRODUCT_ORDER_MACHINE,
)
CANCEL_SERVICE_ORDER = Kind(
    "cancelServiceOrder",
    "CancelServiceOrder",
    state="state",
    initial_state="accepted",
    date="requestedCancellationDate",
    terms=("serviceOrder.id",),
    state_machine=CANCEL_SERVICE_ORDER_MACHINE,
)
CANCEL_RESOURCE_ORDER = Kind(
    "cancelResourceOrder",
    "CancelResourceOrder",
    state="state",
    initial_state="acknowledged",
    date="requestedCancellationDate",
    terms=("resourceOrder.id",),
    state_machine=CANCEL_RESOURCE_ORDER_MACHINE,
)

# --- activation: what was configured on the network, and the monitors of the activations ------

SERVICE_ACTIVATION = Kind(
    "serviceActivation",
    "Service",
    state="state",
    date="startDate",
    creation_date="serviceDate",
    key="name",
    terms=("relatedParty.id", "serviceSpecification.id"),
)
RESOURCE_ACTIVATION = Kind(
    "resourceActivation",
    "Resource",
    state="resourceStatus",
    date="startOperatingDate",
    key="name",
    terms=("relatedParty.id", "resourceSpecification.id"),
)
SERVICE_ACTIVATION_MONITOR = Kind(
    "serviceActivationMonitor", "Monitor", state="state", terms=("sourceHref",)
)
RESOURCE_ACTIVATION_MONITOR = Kind(
    "resourceActivationMonitor", "Monitor", state="state", terms=("sourceHref",)
)

# --- inventories: what exists ------------------------------------------------------------------

PRODUCT = Kind(
    "product",
    "Product",
    state="status",
    date="startDate",
    key="name",
    terms=("relatedParty.id", "productOffering.id", "productOrderItem.productOrderId"),
)
SERVICE = Kind(
    "service",
    "Service",
    state="state",
    date="startDate",
    creation_date="serviceDate",
    key="name",
    terms=("relatedParty.id", "serviceSpecification.id"),
)
RESOURCE = Kind(
    "resource",
    "Resource",
    state="resourceStatus",
    date="startOperatingDate",
    key="name",
    terms=("relatedParty.id", "resourceSpecification.id"),
)

# --- catalogs: one lifecycle (lifecycleStatus, lastUpdate), looked up by name -------------------


def _catalog(name: str, entity: str, *terms: str) -> Kind:
    return Kind(
        name,
        entity,
        state="lifecycleStatus",
        date="lastUpdate",
        last_update="lastUpdate",
        key="name",
        terms=terms,
    )


PRODUCT_CATALOG = _catalog("productCatalog", "Catalog")
PRODUCT_CATEGORY = _catalog("productCategory", "Category")
PRODUCT_OFFERING = _catalog("productOffering", "ProductOffering", "productSpecification.id")
PRODUCT_OFFERING_PRICE = _catalog("productOfferingPrice", "ProductOfferingPrice")
PRODUCT_SPECIFICATION = _catalog("productSpecification", "ProductSpecification")
SERVICE_CATALOG = _catalog("serviceCatalog", "ServiceCatalog")
SERVICE_CATEGORY = _catalog("serviceCategory", "ServiceCategory")
SERVICE_CANDIDATE = _catalog("serviceCandidate", "ServiceCandidate")
SERVICE_SPECIFICATION = _catalog("serviceSpecification", "ServiceSpecification")
RESOURCE_CATALOG = _catalog("resourceCatalog", "ResourceCatalog")
RESOURCE_CATEGORY = _catalog("resourceCategory", "ResourceCategory")
RESOURCE_CANDIDATE = _catalog("resourceCandidate", "ResourceCandidate")
RESOURCE_SPECIFICATION = _catalog("resourceSpecification", "ResourceSpecification")

# The catalog entities decomposition reads (cached by fulfilment for a short while).
DECOMPOSITION_CATALOG = (
    PRODUCT_OFFERING,
    PRODUCT_SPECIFICATION,
    SERVICE_SPECIFICATION,
    RESOURCE_SPECIFICATION,
)
