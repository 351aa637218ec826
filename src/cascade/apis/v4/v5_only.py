"""What the v4 answers carry of what a v5 client wrote (docs/versions.md): per v4 API, the
attributes its file lacks that the v5 file of the same resources defines and the stored
document keeps under their v5 names. The served v4 description declares them as marked
extensions (`ApiSpec.extensions`, tmf/later_versions.py reads both files); what a v5 view
stores under a v4 name is left out, and the view's own extensions added."""

from __future__ import annotations

from typing import Any

from cascade.tmf.later_versions import LaterVersion

# v5 ProductRelationship `{id, href, name, @referredType}` is stored in v4's `product`.
_RELATIONSHIP: dict[str, str | None] = dict.fromkeys(("id", "href", "name", "@referredType"))


def _spec_characteristic(prefix: str) -> dict[str, str | None]:
    """A v5 characteristic specification's values and relationships, stored under v4's
    names (`productSpecCharacteristicValue`)."""
    return {
        "characteristicValueSpecification": f"{prefix}CharacteristicValue",
        "charSpecRelationship": f"{prefix}CharRelationship",
    }


def _kept(text: str) -> dict[str, Any]:
    return {"description": text}


V5_ONLY_IN_V4: dict[str, LaterVersion] = {
    "tmf622": LaterVersion(
        "TMF622 v5",
        "TMF622-ProductOrdering-v4.0.0.swagger.json",
        "TMF622-ProductOrdering-v5.0.0.oas.yaml",
        {"ProductOrder": "ProductOrder", "CancelProductOrder": "CancelProductOrder"},
        stored_otherwise={
            "ProductOrder": {"creationDate": "orderDate"},
            "ProductRefOrValue": {"agreementItem": "agreement"},
            "ProductRelationship": _RELATIONSHIP,
        },
        added={
            "ProductOrder": {
                "externalIdentifier": _kept("TMF622 v5: externalId as given in v5 (a list)")
            }
        },
    ),
    "tmf620": LaterVersion(
        "TMF620 v5",
        "TMF620-ProductCatalog-v4.1.0.swagger.json",
        "TMF620-ProductCatalog-v5.0.0.oas.yaml",
        {
            "Catalog": "ProductCatalog",
            "Category": "Category",
            "ProductOffering": "ProductOffering",
            "ProductOfferingPrice": "ProductOfferingPrice",
            "ProductSpecification": "ProductSpecification",
        },
        stored_otherwise={
            "Category": {"parent": None},  # its id, as parentId
            "ProductSpecificationCharacteristic": _spec_characteristic("productSpec"),
        },
    ),
    "tmf634": LaterVersion(
        "TMF634 v5",
        "TMF634-ResourceCatalog-v4.1.0.swagger.json",
        "TMF634-ResourceCatalog-v5.0.0.oas.yaml",
        {
            "ResourceCatalog": "ResourceCatalog",
            "ResourceCategory": "ResourceCategory",
            "ResourceCandidate": "ResourceCandidate",
            "ResourceSpecification": "ResourceSpecification",
        },
        stored_otherwise={
            "ResourceSpecificationCharacteristic": _spec_characteristic("resourceSpec")
        },
    ),
    "tmf637": LaterVersion(
        "TMF637 v5",
        "TMF637-ProductInventory-v4.0.0.swagger.json",
        "TMF637-ProductInventory-v5.0.0.oas.yaml",
        {"Product": "Product"},
        stored_otherwise={
            "Product": {"agreementItem": "agreement"},
            "ProductRefOrValue": {"agreementItem": "agreement"},
            "ProductRelationship": _RELATIONSHIP,
            "RelatedProductOrderItem": {
                "orderId": "productOrderId",
                "orderHref": "productOrderHref",
            },
        },
    ),
    "tmf638": LaterVersion(
        "TMF638 v5",
        "TMF638-ServiceInventory-v4.0.0.swagger.json",
        "TMF638-ServiceInventory-v5.0.0.oas.yaml",
        {"Service": "Service"},
    ),
    "tmf639": LaterVersion(
        "TMF639 v5",
        "TMF639-ResourceInventory-v4.0.0.swagger.json",
        "TMF639-ResourceInventory-v5.0.0.oas.yaml",
        {"Resource": "Resource"},
        added={
            "Resource": {
                "relatedPlace": _kept("TMF639 v5: place as given in v5, when it lists several")
            }
        },
    ),
}
