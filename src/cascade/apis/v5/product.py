"""TMF637 v5 `Product` over the stored `product` kind (docs/versions.md).

The stored document is the v4 one: v5's `agreementItem` is v4's `agreement`, a related
order item's `orderId`/`orderHref` are v4's `productOrderId`/`productOrderHref`, parties and
places are flat, relationships name their product inside. What only v5 says (`creationDate`,
`intent`, a party's role reference) is kept under its v5 name or as a marked extension.
"""

from __future__ import annotations

from typing import Any

from cascade.apis.v5.common import (
    RELATED_PATHS,
    related_from_stored,
    related_to_stored,
    relationship_from_stored,
    relationship_to_stored,
    typed_characteristics,
)
from cascade.apis.v5.view import DocumentView

Doc = dict[str, Any]
V5_FILE = "TMF637-ProductInventory-v5.0.0.oas.yaml"
# A related order item: v5 name -> v4 (stored) name.
_ORDER_ITEM = {"orderId": "productOrderId", "orderHref": "productOrderHref"}
# An agreement: v5 `AgreementItemRef` -> v4 `AgreementRef` (which requires `id`); v5's
# `agreementItemId` is kept beside under its own name.
_AGREEMENT = {"agreementId": "id", "agreementHref": "href", "agreementName": "name"}
_AGREEMENT_SHOWN = {v4: v5 for v5, v4 in _AGREEMENT.items()}
_ORDER_ITEM_SHOWN = {v4: v5 for v5, v4 in _ORDER_ITEM.items()}
_PATHS = {
    **RELATED_PATHS,
    **{f"agreementItem.{v5}": f"agreement.{v4}" for v5, v4 in _AGREEMENT.items()},
    "agreementItem.": "agreement.",
    "productOrderItem.orderId": "productOrderItem.productOrderId",
    "productOrderItem.orderHref": "productOrderItem.productOrderHref",
    **{
        f"productRelationship.{n}": f"productRelationship.product.{n}"
        for n in ("id", "href", "name")
    },
}


# The same of a product held in another entity (an order item's), under `prefix`.
def nested_paths(prefix: str) -> dict[str, str]:
    return {prefix + v5: prefix + stored for v5, stored in _PATHS.items()}


def _renamed(entries: Any, names: dict[str, str]) -> Any:
    if not isinstance(entries, list):
        return entries
    return [
        {names.get(k, k): v for k, v in e.items()} if isinstance(e, dict) else e for e in entries
    ]


def product_to_stored(product: Doc) -> None:
    """A v5 product (or product value nested in one) in the stored (v4) form, in place."""
    if "agreementItem" in product:
        product["agreement"] = _renamed(product.pop("agreementItem"), _AGREEMENT)
    if "relatedParty" in product:
        product["relatedParty"] = related_to_stored(
            product["relatedParty"], "partyOrPartyRole", "RelatedParty", "PartyRef"
        )
    if "place" in product:
        product["place"] = related_to_stored(
            product["place"], "place", "RelatedPlaceRefOrValue", "PlaceRef"
        )
    if "productOrderItem" in product:
        product["productOrderItem"] = _renamed(product["productOrderItem"], _ORDER_ITEM)
    relationships = product.get("productRelationship")
    if isinstance(relationships, list):
        product["productRelationship"] = [relationship_to_stored(r) for r in relationships]
    for nested in product.get("product") or ():
        if isinstance(nested, dict):
            product_to_stored(nested)


def product_from_stored(product: Doc) -> None:
    """A stored product in v5 terms, in place (the `@type`s are the namer's)."""
    if "agreement" in product:
        product["agreementItem"] = _renamed(product.pop("agreement"), _AGREEMENT_SHOWN)
    if "relatedParty" in product:
        product["relatedParty"] = related_from_stored(
            product["relatedParty"], "partyOrPartyRole", "RelatedPartyOrPartyRole", "PartyRef"
        )
    if "place" in product:
        product["place"] = related_from_stored(
            product["place"], "place", "RelatedPlaceRefOrValue", "PlaceRef"
        )
    if "productOrderItem" in product:
        product["productOrderItem"] = _renamed(product["productOrderItem"], _ORDER_ITEM_SHOWN)
    if "productCharacteristic" in product:
        product["productCharacteristic"] = typed_characteristics(product["productCharacteristic"])
    relationships = product.get("productRelationship")
    if isinstance(relationships, list):
        product["productRelationship"] = [relationship_from_stored(r) for r in relationships]
    for nested in product.get("product") or ():
        if isinstance(nested, dict):
            product_from_stored(nested)


class ProductView(DocumentView):
    """TMF637 v5 `Product` over the stored `product` kind."""

    def __init__(self) -> None:
        super().__init__(V5_FILE, "Product", product_to_stored, product_from_stored, _PATHS)
