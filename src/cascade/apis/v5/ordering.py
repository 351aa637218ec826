"""TMF622 Product Ordering v5: views of the same kinds as v4, translated (product_order.py)."""

from cascade.apis import kinds
from cascade.apis.v4.mandatory import IDENTITY
from cascade.apis.v4.ordering import (
    PRODUCT_ITEMS,
    PRODUCT_UNHEEDED,
    heeded,
    not_kept,
    sound_items,
)
from cascade.apis.v5.product_order import V5_FILE, CancelProductOrderView, ProductOrderView
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.tmf.spec import SchemaOverlay

TMF622_V5 = ApiSpec(
    code="tmf622v5",
    title="TMF622 Product Ordering v5",
    spec_file=V5_FILE,
    base_path_given="/tmf-api/productOrderingManagement/v5",
    resources=(
        ResourceSpec(
            "productOrder",
            kinds.PRODUCT_ORDER,
            # The item rules read the stored (v4) form, which names items as v5 does.
            checks=(
                sound_items(PRODUCT_ITEMS),
                heeded(PRODUCT_UNHEEDED),
                not_kept("productOrderItem"),
            ),
            create_definition="ProductOrder_FVO",
            update_definition="ProductOrder_MVO",
            view=ProductOrderView(),
        ),
        ResourceSpec(
            "cancelProductOrder",
            kinds.CANCEL_PRODUCT_ORDER,
            create_definition="CancelProductOrder_FVO",
            update_definition="CancelProductOrder_MVO",
            view=CancelProductOrderView(),
        ),
    ),
    scope_prefix="productOrdering",
    catalog=False,
    component="com",
    overlay=SchemaOverlay(
        # The v4 profile's mandatory answer attributes, `orderDate` being v5's `creationDate`.
        responses={
            "ProductOrder": (*IDENTITY, "state", "creationDate", "productOrderItem"),
            "ProductOrderItem": ("id", "action", "state"),
            "CancelProductOrder": (*IDENTITY, "state", "productOrder"),
        },
    ),
)
