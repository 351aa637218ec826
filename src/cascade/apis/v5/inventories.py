"""TMF637, TMF638 and TMF639 v5: the inventories, views of the same kinds as v4 (docs/
versions.md), each translated by its view (product.py, service.py, resource.py)."""

from cascade.apis import kinds
from cascade.apis.v4.mandatory import IDENTITY
from cascade.apis.v5 import product
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.tmf.spec import SchemaOverlay

TMF637_V5 = ApiSpec(
    code="tmf637v5",
    title="TMF637 Product Inventory v5",
    spec_file=product.V5_FILE,
    base_path_given="/tmf-api/productInventory/v5",
    resources=(
        ResourceSpec(
            "product",
            kinds.PRODUCT,
            create_definition="Product_FVO",
            update_definition="Product_MVO",
            view=product.ProductView(),
        ),
    ),
    scope_prefix="inventory",
    catalog=False,
    component="com",
    # As v4's: the answers carry what Product_Create requires there.
    overlay=SchemaOverlay(responses={"Product": (*IDENTITY, "status")}),
)

INVENTORIES_V5: tuple[ApiSpec, ...] = (TMF637_V5,)
