"""COM's end of a bundle item: how its TMF637 product and its members' refer to each other.

TMF637 v4 `ProductRelationship` names the type for it: "[bundled] if the product is a bundle
and you want to describe the bundled products inside this bundle". The bundle product
(`isBundle: true`) has one `bundled` relationship per member product; each member product
gains one `isBundled` relationship back to the bundle (ADR 0021). Both sides are
`productRelationship`, which is what a cease checks (changes/installed.py
`dependent_products`): a bundle and its members are ceased together, in one order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from cascade.domain.bundles import members_of
from cascade.fulfilment.layers.ids import product_ids
from cascade.repositories import Repository

BUNDLED = "bundled"  # bundle -> member (TMF637 ProductRelationship)
IS_BUNDLED = "isBundled"  # member -> bundle


def member_products(
    order_id: str, item: Mapping[str, Any], needs: Sequence[Mapping[str, Any]]
) -> list[str]:
    """The ids of the products of a bundle item's members (every copy of each)."""
    members = set(members_of(item))
    found: list[str] = []
    for need in needs:
        if str(need.get("id")) in members:
            found.extend(product_ids(order_id, need))
    return found


def bundled(products: Repository, member_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The bundle product's `productRelationship` entries, one per member product."""
    return [_relation(BUNDLED, products, product_id) for product_id in member_ids]


def relate_members(
    connection: Connection, products: Repository, bundle_id: str, member_ids: Sequence[str]
) -> None:
    """Each member product names its bundle (`isBundled`), once."""
    back = _relation(IS_BUNDLED, products, bundle_id)
    for product_id in member_ids:
        loaded = products.load(connection, product_id)
        if loaded is None:
            continue  # not recorded: the member's item would not have completed
        relations = loaded.document.setdefault("productRelationship", [])
        if back not in relations:
            relations.append(back)
            products.save(connection, loaded)


def _relation(kind: str, products: Repository, product_id: str) -> dict[str, Any]:
    ref = {"id": product_id, "href": products.href_of(product_id), "@referredType": "Product"}
    return {"relationshipType": kind, "product": ref}
