"""TMF622 product, TMF641 service and TMF652 resource ordering (v4)."""

from cascade.apis import kinds
from cascade.apis.v4.mandatory import cancel, order
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.tmf.spec import SchemaOverlay

ORDER_ACTIONS = ("add", "modify", "delete", "noChange")

TMF622 = ApiSpec(
    code="tmf622",
    title="TMF622 Product Ordering",
    spec_file="TMF622-ProductOrdering-v4.0.0.swagger.json",
    resources=(
        ResourceSpec("productOrder", kinds.PRODUCT_ORDER),
        ResourceSpec("cancelProductOrder", kinds.CANCEL_PRODUCT_ORDER),
    ),
    scope_prefix="productOrdering",
    catalog=False,
    component="com",
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
        ResourceSpec("serviceOrder", kinds.SERVICE_ORDER),
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
        ResourceSpec("resourceOrder", kinds.RESOURCE_ORDER),
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
