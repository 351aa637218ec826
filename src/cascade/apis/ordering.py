"""TMF622 product, TMF641 service and TMF652 resource ordering."""

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
)
from cascade.tmf.declarations import ApiSpec, ItemState, ResourceSpec
from cascade.tmf.spec import SchemaOverlay

ORDER_ACTIONS = ("add", "modify", "delete", "noChange")

TMF622 = ApiSpec(
    code="tmf622",
    title="TMF622 Product Ordering",
    spec_file="TMF622-ProductOrdering-v4.0.0.swagger.json",
    resources=(
        ResourceSpec(
            name="productOrder",
            entity="ProductOrder",
            state="state",
            initial_state="acknowledged",
            item_states=(ItemState("productOrderItem", "acknowledged"),),
            date="orderDate",
            creation_date="orderDate",
            key="externalId",
            terms=("relatedParty.id", "productOrderItem.state"),
            state_machine=PRODUCT_ORDER,
            item_state_machine=PRODUCT_ORDER_ITEM,
        ),
        ResourceSpec(
            name="cancelProductOrder",
            entity="CancelProductOrder",
            state="state",
            initial_state="acknowledged",
            date="requestedCancellationDate",
            terms=("productOrder.id",),
            state_machine=CANCEL_PRODUCT_ORDER,
        ),
    ),
)

TMF641 = ApiSpec(
    code="tmf641",
    title="TMF641 Service Ordering",
    spec_file="TMF641-ServiceOrdering-v4.1.0.swagger.json",
    resources=(
        ResourceSpec(
            name="serviceOrder",
            entity="ServiceOrder",
            state="state",
            initial_state="acknowledged",
            item_states=(ItemState("serviceOrderItem", "acknowledged"),),
            date="orderDate",
            creation_date="orderDate",
            key="externalId",
            terms=("relatedParty.id", "serviceOrderItem.state", "externalReference.id"),
            state_machine=SERVICE_ORDER,
            item_state_machine=SERVICE_ORDER_ITEM,
        ),
        ResourceSpec(
            name="cancelServiceOrder",
            entity="CancelServiceOrder",
            state="state",
            initial_state="accepted",
            date="requestedCancellationDate",
            terms=("serviceOrder.id",),
            state_machine=CANCEL_SERVICE_ORDER,
        ),
    ),
)

TMF652 = ApiSpec(
    code="tmf652",
    title="TMF652 Resource Ordering",
    spec_file="TMF652-ResourceOrdering-v4.0.0.swagger.json",
    resources=(
        ResourceSpec(
            name="resourceOrder",
            entity="ResourceOrder",
            state="state",
            initial_state="acknowledged",
            item_states=(ItemState("orderItem", "acknowledged"),),
            date="orderDate",
            creation_date="orderDate",
            key="externalId",
            terms=("relatedParty.id", "orderItem.state", "externalReference.id"),
            state_machine=RESOURCE_ORDER,
            item_state_machine=RESOURCE_ORDER_ITEM,
        ),
        ResourceSpec(
            name="cancelResourceOrder",
            entity="CancelResourceOrder",
            state="state",
            initial_state="acknowledged",
            date="requestedCancellationDate",
            terms=("resourceOrder.id",),
            state_machine=CANCEL_RESOURCE_ORDER,
        ),
    ),
    # The swagger leaves the items optional; the TMF652 conformance profile does not.
    overlay=SchemaOverlay(
        required={
            "ResourceOrder_Create": ["orderItem"],
            "ResourceOrderItem": ["id", "action", "resource"],
        },
        enums={"ResourceOrderItem.action": ORDER_ACTIONS},
    ),
)
