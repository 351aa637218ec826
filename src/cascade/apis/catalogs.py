"""TMF620 product, TMF633 service and TMF634 resource catalogs."""

from cascade.tmf.declarations import ApiSpec, ResourceSpec


def _catalog_entity(name: str, entity: str, *terms: str) -> ResourceSpec:
    """Catalog entities share one lifecycle: `lifecycleStatus`, `lastUpdate`, looked up by name."""
    return ResourceSpec(
        name=name,
        entity=entity,
        state="lifecycleStatus",
        date="lastUpdate",
        last_update="lastUpdate",
        key="name",
        terms=terms,
    )


TMF620 = ApiSpec(
    code="tmf620",
    title="TMF620 Product Catalog",
    spec_file="TMF620-ProductCatalog-v4.1.0.swagger.json",
    resources=(
        _catalog_entity("catalog", "Catalog"),
        _catalog_entity("category", "Category"),
        _catalog_entity("productOffering", "ProductOffering", "productSpecification.id"),
        _catalog_entity("productOfferingPrice", "ProductOfferingPrice"),
        _catalog_entity("productSpecification", "ProductSpecification"),
    ),
)

TMF633 = ApiSpec(
    code="tmf633",
    title="TMF633 Service Catalog",
    spec_file="TMF633-ServiceCatalog-v4.0.0.swagger.json",
    resources=(
        _catalog_entity("serviceCatalog", "ServiceCatalog"),
        _catalog_entity("serviceCategory", "ServiceCategory"),
        _catalog_entity("serviceCandidate", "ServiceCandidate"),
        _catalog_entity("serviceSpecification", "ServiceSpecification"),
    ),
)

TMF634 = ApiSpec(
    code="tmf634",
    title="TMF634 Resource Catalog",
    spec_file="TMF634-ResourceCatalog-v4.1.0.swagger.json",
    resources=(
        _catalog_entity("resourceCatalog", "ResourceCatalog"),
        _catalog_entity("resourceCategory", "ResourceCategory"),
        _catalog_entity("resourceCandidate", "ResourceCandidate"),
        _catalog_entity("resourceSpecification", "ResourceSpecification"),
    ),
)
