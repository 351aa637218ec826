"""TMF622 product, TMF641 service and TMF652 resource ordering (v4)."""

from collections.abc import Mapping
from typing import Any

from cascade.apis import kinds
from cascade.apis.v4.mandatory import cancel, order
from cascade.apis.v4.v5_only import V5_ONLY_IN_V4
from cascade.domain.changes import KEPT_BEFORE
from cascade.domain.order_items import DEPENDS_ON, ItemNames, item_problems
from cascade.domain.states import ACKNOWLEDGED
from cascade.domain.unheeded import Unheeded, unheeded_problems
from cascade.tmf.declarations import ApiSpec, DocumentCheck, ResourceSpec
from cascade.tmf.errors import bad_request
from cascade.tmf.spec import SchemaOverlay

ORDER_ACTIONS = ("add", "modify", "delete", "noChange")

# How each v4 order names its items and their relationships (domain/order_items.py). A
# TMF622 bundle item waits for the items it `bundles`; an `add` item may make N products.
PRODUCT_ITEMS = ItemNames(
    "productOrderItem",
    "productOrderItemRelationship",
    waits=(*DEPENDS_ON, "bundles"),
    multiples=True,
)
SERVICE_ITEMS = ItemNames(
    "serviceOrderItem",
    "serviceOrderItemRelationship",
    "orderItem",
    "serviceOrderId",
    entity="service",
)
RESOURCE_ITEMS = ItemNames(
    "orderItem", "orderItemRelationship", "orderItem", "resourceOrderId", entity="resource"
)


def sound_items(names: ItemNames) -> DocumentCheck:
    """Refuses (400 `invalidOrderItem`) an order whose items break a rule of
    domain/order_items.py, naming every problem found."""

    def check(order: Mapping[str, Any]) -> None:
        problems = item_problems(order, names)
        if problems:
            raise bad_request("; ".join(problems), "invalidOrderItem")

    return check


def heeded(rules: tuple[Unheeded, ...]) -> DocumentCheck:
    """Refuses (400 `unsupportedAttribute`) an order giving an attribute Cascade would not act
    on although it changes what is delivered (domain/unheeded.py)."""

    def check(order: Mapping[str, Any]) -> None:
        problems = unheeded_problems(order, rules)
        if problems:
            raise bad_request("; ".join(problems), "unsupportedAttribute")

    return check


def not_kept(items: str) -> DocumentCheck:
    """Refuses (400 `unsupportedAttribute`) a client's item giving `cascadeBefore`: Cascade
    keeps there what a change overwrote, for a cancellation to put back (ADR 0032), and only
    on an item that has started; a new item (no state, or `acknowledged`) cannot have it, so
    a PATCH of an order that has it is not refused for it."""

    def check(order: Mapping[str, Any]) -> None:
        given = [
            f"item {item.get('id')}: {KEPT_BEFORE} is not supported: Cascade keeps there what"
            " a change overwrote"
            for item in order.get(items) or ()
            if isinstance(item, Mapping)
            and KEPT_BEFORE in item
            and item.get("state") in (None, ACKNOWLEDGED)
        ]
        if given:
            raise bad_request("; ".join(given), "unsupportedAttribute")

    return check


# What each order may carry that Cascade would not act on; docs/fulfilment.md says why.
PRODUCT_UNHEEDED = (
    Unheeded(
        ("product", "product"),
        "order each product as an item of the order",
        items="productOrderItem",
    ),
    Unheeded(
        ("product", "place"),
        "a product is not moved; cease it and add it at the new place",
        items="productOrderItem",
        actions=("modify",),
    ),
)
SERVICE_UNHEEDED = (
    Unheeded(
        ("orderRelationship",),
        "Cascade does not wait for other service orders; place this one once they completed",
    ),
    Unheeded(
        ("service", "feature"),
        "give what the service is to do as serviceCharacteristic of its specification",
        items="serviceOrderItem",
    ),
    Unheeded(
        ("service", "isServiceEnabled"),
        "a new service is enabled when it is activated",
        items="serviceOrderItem",
        actions=("add",),
        value=False,
    ),
    *(
        Unheeded(
            ("service", name),
            "what supports a new service follows from its specification in the catalog",
            items="serviceOrderItem",
            actions=("add",),
        )
        for name in ("supportingService", "supportingResource")
    ),
)


TMF622 = ApiSpec(
    code="tmf622",
    title="TMF622 Product Ordering",
    spec_file="TMF622-ProductOrdering-v4.0.0.swagger.json",
    resources=(
        ResourceSpec(
            "productOrder",
            kinds.PRODUCT_ORDER,
            checks=(
                sound_items(PRODUCT_ITEMS),
                heeded(PRODUCT_UNHEEDED),
                not_kept("productOrderItem"),
            ),
        ),
        ResourceSpec("cancelProductOrder", kinds.CANCEL_PRODUCT_ORDER),
    ),
    scope_prefix="productOrdering",
    catalog=False,
    component="com",
    extensions=V5_ONLY_IN_V4["tmf622"],
    overlay=SchemaOverlay(
        responses={
            **order("ProductOrder", "productOrderItem", "ProductOrderItem", ""),
            **cancel("CancelProductOrder", "productOrder"),
        },
    ),
)

TMF641 = ApiSpec(
    code="tmf641",
    title="TMF641 Service Ordering",
    spec_file="TMF641-ServiceOrdering-v4.1.0.swagger.json",
    resources=(
        ResourceSpec(
            "serviceOrder",
            kinds.SERVICE_ORDER,
            checks=(
                sound_items(SERVICE_ITEMS),
                heeded(SERVICE_UNHEEDED),
                not_kept("serviceOrderItem"),
            ),
        ),
        ResourceSpec("cancelServiceOrder", kinds.CANCEL_SERVICE_ORDER),
    ),
    scope_prefix="serviceOrdering",
    catalog=False,
    component="som",
    overlay=SchemaOverlay(
        # v4.1.0 alone among the v4 APIs (v4.0.0 included) requires `@type` on RelatedParty;
        # TMF630 and the profile ask for `id` and `@referredType` only.
        optional={"RelatedParty": ["@type"]},
        responses={
            **order("ServiceOrder", "serviceOrderItem", "ServiceOrderItem", "service"),
            **cancel("CancelServiceOrder", "serviceOrder"),
        },
    ),
)

TMF652 = ApiSpec(
    code="tmf652",
    title="TMF652 Resource Ordering",
    spec_file="TMF652-ResourceOrdering-v4.0.0.swagger.json",
    resources=(
        ResourceSpec("resourceOrder", kinds.RESOURCE_ORDER, checks=(sound_items(RESOURCE_ITEMS),)),
        ResourceSpec("cancelResourceOrder", kinds.CANCEL_RESOURCE_ORDER),
    ),
    scope_prefix="resourceOrdering",
    catalog=False,
    component="rom",
    # The swagger leaves the items optional; the TMF652 conformance profile does not. An
    # `add` item's resource is a value to create: it has no id or href yet (the swagger's
    # ResourceRefOrValue requires both).
    overlay=SchemaOverlay(
        required={
            "ResourceOrder_Create": ["orderItem"],
            "ResourceOrderItem": ["id", "action", "resource"],
        },
        optional={"ResourceRefOrValue": ["href", "id"]},
        enums={"ResourceOrderItem.action": ORDER_ACTIONS},
        responses={
            **order("ResourceOrder", "orderItem", "ResourceOrderItem", "resource"),
            **cancel("CancelResourceOrder", "resourceOrder"),
        },
    ),
)
