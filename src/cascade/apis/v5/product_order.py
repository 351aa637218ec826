"""TMF622 v5 over the stored product orders and cancel requests (docs/versions.md).

The stored document is the v4 one; what only v5 says is kept under its v5 name (an order's
`requestedInitialState`, `orderRelationship`, milestones, jeopardy alerts and error messages,
an item's `note`) or as a marked extension where the names clash (`externalIdentifier`,
a party's `partyOrPartyRole`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cascade.apis.v5.common import (
    external_id_from_stored,
    external_id_to_stored,
    related_from_stored,
    related_to_stored,
)
from cascade.apis.v5.product import nested_paths, product_from_stored, product_to_stored
from cascade.apis.v5.view import DocumentView

Doc = dict[str, Any]
V5_FILE = "TMF622-ProductOrdering-v5.0.0.oas.yaml"
# An item's references to a quote's and a qualification's item: v5 names the item's id
# `quoteItemId` and `itemId`, v4 (which requires it) `id`; the other attributes are the same.
ITEM_REFS = {
    "quoteItem": {"quoteItemId": "id"},
    "productOfferingQualificationItem": {"itemId": "id"},
}
# v5 attribute paths stored elsewhere (filters and sort name the stored one).
_PATHS = {
    "creationDate": "orderDate",
    "externalId.id": "externalId",
    "relatedParty.partyOrPartyRole.": "relatedParty.",
    "channel.channel.": "channel.",
    **nested_paths("productOrderItem.product."),
    **{
        f"productOrderItem.{ref}.{v5}": f"productOrderItem.{ref}.{v4}"
        for ref, names in ITEM_REFS.items()
        for v5, v4 in names.items()
    },
}
ITEM_REFS_SHOWN = {ref: {v4: v5 for v5, v4 in names.items()} for ref, names in ITEM_REFS.items()}


# An order's references to parties and channels: (attribute, v5 inner, v4 @type, reference).
RELATED = (
    ("relatedParty", "partyOrPartyRole", "RelatedParty", "PartyRef"),
    ("channel", "channel", "RelatedChannel", "ChannelRef"),
)
SHOWN_RELATED = (
    ("relatedParty", "partyOrPartyRole", "RelatedPartyRefOrPartyRoleRef", "PartyRef"),
    ("channel", "channel", "RelatedChannel", "ChannelRef"),
)


def _items(document: Doc, change: Callable[[Doc], None]) -> None:
    """Apply `change` to every item of the order, nested items included."""
    for item in document.get("productOrderItem") or ():
        if isinstance(item, dict):
            change(item)
            _items(item, change)


def _order_to_stored(stored: Doc) -> None:
    if "creationDate" in stored:
        stored["orderDate"] = stored.pop("creationDate")
    external_id_to_stored(stored)
    for name, inner, v4_type, ref_type in RELATED:
        if name in stored:
            stored[name] = related_to_stored(stored[name], inner, v4_type, ref_type)
    _items(stored, _product_to_stored)


def _order_from_stored(shown: Doc) -> None:
    if "orderDate" in shown:
        shown["creationDate"] = shown.pop("orderDate")
    external_id_from_stored(shown)
    for name, inner, v5_type, ref_type in SHOWN_RELATED:
        if name in shown:
            shown[name] = related_from_stored(shown[name], inner, v5_type, ref_type)
    _items(shown, _product_from_stored)


class ProductOrderView(DocumentView):
    """TMF622 v5 `ProductOrder` over the stored `productOrder` kind."""

    def __init__(self) -> None:
        super().__init__(V5_FILE, "ProductOrder", _order_to_stored, _order_from_stored, _PATHS)


def _product_to_stored(item: Doc) -> None:
    """An item's product is a product value: translated as TMF637's (apis/v5/product.py);
    its quote and qualification item references name the item's id as v4 does."""
    if isinstance(item.get("product"), dict):
        product_to_stored(item["product"])
    for ref, names in ITEM_REFS.items():
        _rename_keys(item.get(ref), names)


def _product_from_stored(item: Doc) -> None:
    if isinstance(item.get("product"), dict):
        product_from_stored(item["product"])
    for ref, names in ITEM_REFS_SHOWN.items():
        _rename_keys(item.get(ref), names)


def _rename_keys(reference: Any, names: dict[str, str]) -> None:
    """A reference's attributes renamed in place (`quoteItemId` -> `id`), if it is one."""
    if isinstance(reference, dict):
        for old, new in names.items():
            if old in reference:
                reference[new] = reference.pop(old)


class CancelProductOrderView(DocumentView):
    """TMF622 v5 `CancelProductOrder`: the v4 one with `@type` on every object."""

    def __init__(self) -> None:
        super().__init__(V5_FILE, "CancelProductOrder")
