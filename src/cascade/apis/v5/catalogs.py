"""TMF620 Product Catalog v5 and TMF634 Resource Catalog v5: views of the catalog kinds v4
serves (catalog_views.py). The import and export jobs are not served, as in v4."""

from cascade.apis import kinds
from cascade.apis.v4.mandatory import catalog_entities
from cascade.apis.v5.catalog_views import CatalogView
from cascade.tmf.declarations import ApiSpec, Kind, ResourceSpec
from cascade.tmf.spec import SchemaOverlay

TMF620_V5_FILE = "TMF620-ProductCatalog-v5.0.0.oas.yaml"
TMF634_V5_FILE = "TMF634-ResourceCatalog-v5.0.0.oas.yaml"
SERVER_DATED = ("ProductOffering", "ProductOfferingPrice", "ProductSpecification")


def _resource(
    spec_file: str,
    name: str,
    kind: Kind,
    entity: str | None = None,
    characteristics: tuple[str, str] | None = None,
) -> ResourceSpec:
    """A v5 catalog resource: its `_FVO` and `_MVO` definitions, its view."""
    shown = entity or kind.entity
    return ResourceSpec(
        name,
        kind,
        create_definition=f"{shown}_FVO",
        update_definition=f"{shown}_MVO",
        view=CatalogView(spec_file, shown, characteristics),
        entity_definition=entity,
    )


TMF620_V5 = ApiSpec(
    code="tmf620v5",
    title="TMF620 Product Catalog v5",
    spec_file=TMF620_V5_FILE,
    base_path_given="/tmf-api/productCatalogManagement/v5",
    resources=(
        _resource(TMF620_V5_FILE, "productCatalog", kinds.PRODUCT_CATALOG, "ProductCatalog"),
        _resource(TMF620_V5_FILE, "category", kinds.PRODUCT_CATEGORY),
        _resource(TMF620_V5_FILE, "productOffering", kinds.PRODUCT_OFFERING),
        _resource(TMF620_V5_FILE, "productOfferingPrice", kinds.PRODUCT_OFFERING_PRICE),
        _resource(
            TMF620_V5_FILE,
            "productSpecification",
            kinds.PRODUCT_SPECIFICATION,
            characteristics=("productSpecCharacteristic", "productSpec"),
        ),
    ),
    scope_prefix="catalog",
    catalog=True,
    component="com",
    overlay=SchemaOverlay(
        # The file requires on create the `lastUpdate` the server sets (docs/versions.md).
        optional={f"{entity}_FVO": ("lastUpdate",) for entity in SERVER_DATED},
        responses=catalog_entities(
            "ProductCatalog",
            "Category",
            "ProductOffering",
            "ProductOfferingPrice",
            "ProductSpecification",
        ),
    ),
)

TMF634_V5 = ApiSpec(
    code="tmf634v5",
    title="TMF634 Resource Catalog v5",
    spec_file=TMF634_V5_FILE,
    base_path_given="/tmf-api/resourceCatalog/v5",
    resources=(
        _resource(TMF634_V5_FILE, "resourceCatalog", kinds.RESOURCE_CATALOG),
        _resource(TMF634_V5_FILE, "resourceCategory", kinds.RESOURCE_CATEGORY),
        _resource(TMF634_V5_FILE, "resourceCandidate", kinds.RESOURCE_CANDIDATE),
        _resource(
            TMF634_V5_FILE,
            "resourceSpecification",
            kinds.RESOURCE_SPECIFICATION,
            characteristics=("resourceSpecCharacteristic", "resourceSpec"),
        ),
    ),
    scope_prefix="catalog",
    catalog=True,
    component="rom",
    overlay=SchemaOverlay(
        responses=catalog_entities(
            "ResourceCatalog", "ResourceCategory", "ResourceCandidate", "ResourceSpecification"
        )
    ),
)
