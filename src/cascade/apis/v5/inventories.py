"""TMF637, TMF638 and TMF639 v5: the inventories, views of the same kinds as v4 (docs/
versions.md), each translated by its view (product.py, service.py, resource.py)."""

from cascade.apis import kinds
from cascade.apis.v4.mandatory import IDENTITY
from cascade.apis.v5 import product, resource, service
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

TMF638_V5 = ApiSpec(
    code="tmf638v5",
    title="TMF638 Service Inventory v5",
    spec_file=service.V5_FILE,
    base_path_given="/tmf-api/serviceInventory/v5",
    resources=(
        ResourceSpec(
            "service",
            kinds.SERVICE,
            create_definition="Service_FVO",
            update_definition="Service_MVO",
            view=service.ServiceView(),
        ),
    ),
    scope_prefix="inventory",
    catalog=False,
    component="som",
    # As v4's: a related service may be given by value, without an id; answers carry what
    # Service_FVO requires and the serviceDate set when the record is made.
    overlay=SchemaOverlay(
        optional={"ServiceRefOrValue": ["id"]},
        responses={"Service": (*IDENTITY, "state", "serviceDate", "serviceSpecification")},
    ),
)

TMF639_V5 = ApiSpec(
    code="tmf639v5",
    title="TMF639 Resource Inventory v5",
    spec_file=resource.V5_FILE,
    base_path_given="/tmf-api/resourceInventoryManagement/v5",
    resources=(
        ResourceSpec(
            "resource",
            kinds.RESOURCE,
            create_definition="Resource_FVO",
            update_definition="Resource",  # the file patches with Resource itself
            view=resource.ResourceView(),
        ),
    ),
    scope_prefix="inventory",
    catalog=False,
    component="rom",
    # As v4's: a related resource may be given by value, without an id.
    overlay=SchemaOverlay(
        optional={"ResourceRefOrValue": ["href", "id"]},
        responses={"Resource": (*IDENTITY, "name")},
    ),
)

INVENTORIES_V5: tuple[ApiSpec, ...] = (TMF637_V5, TMF638_V5, TMF639_V5)
