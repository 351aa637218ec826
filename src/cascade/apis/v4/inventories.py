"""TMF637 product, TMF638 service and TMF639 resource inventories (v4)."""

from cascade.apis import kinds
from cascade.apis.v4.mandatory import IDENTITY
from cascade.apis.v4.v5_only import V5_ONLY_IN_V4
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.tmf.spec import SchemaOverlay

TMF637 = ApiSpec(
    code="tmf637",
    title="TMF637 Product Inventory",
    spec_file="TMF637-ProductInventory-v4.0.0.swagger.json",
    resources=(ResourceSpec("product", kinds.PRODUCT),),
    scope_prefix="inventory",
    catalog=False,
    component="com",
    extensions=V5_ONLY_IN_V4["tmf637"],
    # Product_Create requires status.
    overlay=SchemaOverlay(responses={"Product": (*IDENTITY, "status")}),
)

TMF638 = ApiSpec(
    code="tmf638",
    title="TMF638 Service Inventory",
    spec_file="TMF638-ServiceInventory-v4.0.0.swagger.json",
    resources=(ResourceSpec("service", kinds.SERVICE),),
    scope_prefix="inventory",
    catalog=False,
    component="som",
    extensions=V5_ONLY_IN_V4["tmf638"],
    # A related service (ServiceRefOrValue) may be given by value, without an id. Answers
    # carry what Service_Create requires and the serviceDate set when the record is made.
    overlay=SchemaOverlay(
        optional={"ServiceRefOrValue": ["id"]},
        responses={"Service": (*IDENTITY, "state", "serviceDate", "serviceSpecification")},
    ),
)

TMF639 = ApiSpec(
    code="tmf639",
    title="TMF639 Resource Inventory",
    spec_file="TMF639-ResourceInventory-v4.0.0.swagger.json",
    resources=(ResourceSpec("resource", kinds.RESOURCE),),
    scope_prefix="inventory",
    catalog=False,
    component="rom",
    extensions=V5_ONLY_IN_V4["tmf639"],
    # Erratum: Resource_Create lists the server-set href and id as required. A related
    # resource (ResourceRefOrValue) may be given by value, without them.
    overlay=SchemaOverlay(
        optional={"Resource_Create": ["href", "id"], "ResourceRefOrValue": ["href", "id"]},
        responses={"Resource": (*IDENTITY, "name")},
    ),
)
