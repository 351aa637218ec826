"""TMF637 product, TMF638 service and TMF639 resource inventories."""

from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.tmf.spec import SchemaOverlay

TMF637 = ApiSpec(
    code="tmf637",
    title="TMF637 Product Inventory",
    spec_file="TMF637-ProductInventory-v4.0.0.swagger.json",
    resources=(
        ResourceSpec(
            name="product",
            entity="Product",
            state="status",
            date="startDate",
            key="name",
            terms=("relatedParty.id", "productOffering.id", "productOrderItem.productOrderId"),
        ),
    ),
)

TMF638 = ApiSpec(
    code="tmf638",
    title="TMF638 Service Inventory",
    spec_file="TMF638-ServiceInventory-v4.0.0.swagger.json",
    resources=(
        ResourceSpec(
            name="service",
            entity="Service",
            state="state",
            date="startDate",
            key="name",
            terms=("relatedParty.id", "serviceSpecification.id"),
        ),
    ),
)

TMF639 = ApiSpec(
    code="tmf639",
    title="TMF639 Resource Inventory",
    spec_file="TMF639-ResourceInventory-v4.0.0.swagger.json",
    resources=(
        ResourceSpec(
            name="resource",
            entity="Resource",
            state="resourceStatus",
            date="startOperatingDate",
            key="name",
            terms=("relatedParty.id", "resourceSpecification.id"),
        ),
    ),
    # Erratum: Resource_Create lists the server-set href and id as required.
    overlay=SchemaOverlay(optional={"Resource_Create": ["href", "id"]}),
)
