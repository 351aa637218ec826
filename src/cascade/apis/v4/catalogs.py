"""TMF620 product, TMF633 service and TMF634 resource catalogs (v4)."""

from cascade.apis import kinds
from cascade.apis.v4.mandatory import catalog_entities
from cascade.apis.v4.v5_only import V5_ONLY_IN_V4
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.tmf.spec import SchemaOverlay

TMF620 = ApiSpec(
    code="tmf620",
    title="TMF620 Product Catalog",
    spec_file="TMF620-ProductCatalog-v4.1.0.swagger.json",
    resources=(
        ResourceSpec("catalog", kinds.PRODUCT_CATALOG),
        ResourceSpec("category", kinds.PRODUCT_CATEGORY),
        ResourceSpec("productOffering", kinds.PRODUCT_OFFERING),
        ResourceSpec("productOfferingPrice", kinds.PRODUCT_OFFERING_PRICE),
        ResourceSpec("productSpecification", kinds.PRODUCT_SPECIFICATION),
    ),
    scope_prefix="catalog",
    catalog=True,
    component="com",
    extensions=V5_ONLY_IN_V4["tmf620"],
    overlay=SchemaOverlay(
        responses=catalog_entities(
            "Catalog", "Category", "ProductOffering", "ProductOfferingPrice", "ProductSpecification"
        )
    ),
)

TMF633 = ApiSpec(
    code="tmf633",
    title="TMF633 Service Catalog",
    spec_file="TMF633-ServiceCatalog-v4.0.0.swagger.json",
    resources=(
        ResourceSpec("serviceCatalog", kinds.SERVICE_CATALOG),
        ResourceSpec("serviceCategory", kinds.SERVICE_CATEGORY),
        ResourceSpec("serviceCandidate", kinds.SERVICE_CANDIDATE),
        ResourceSpec("serviceSpecification", kinds.SERVICE_SPECIFICATION),
    ),
    scope_prefix="catalog",
    catalog=True,
    component="som",
    overlay=SchemaOverlay(
        responses=catalog_entities(
            "ServiceCatalog", "ServiceCategory", "ServiceCandidate", "ServiceSpecification"
        )
    ),
)

TMF634 = ApiSpec(
    code="tmf634",
    title="TMF634 Resource Catalog",
    spec_file="TMF634-ResourceCatalog-v4.1.0.swagger.json",
    resources=(
        ResourceSpec("resourceCatalog", kinds.RESOURCE_CATALOG),
        ResourceSpec("resourceCategory", kinds.RESOURCE_CATEGORY),
        ResourceSpec("resourceCandidate", kinds.RESOURCE_CANDIDATE),
        ResourceSpec("resourceSpecification", kinds.RESOURCE_SPECIFICATION),
    ),
    scope_prefix="catalog",
    catalog=True,
    component="rom",
    extensions=V5_ONLY_IN_V4["tmf634"],
    overlay=SchemaOverlay(
        responses=catalog_entities(
            "ResourceCatalog", "ResourceCategory", "ResourceCandidate", "ResourceSpecification"
        )
    ),
)
