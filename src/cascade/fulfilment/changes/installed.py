"""What is installed for a product, read from the inventories for the change planner.

The walk follows the standard links only: TMF637 product `realizingService` -> TMF638 CFS ->
its `supportingService` (the RFS) -> their `supportingResource` (TMF639). Nothing else ties a
product to its services, so what the inventory says is what a change acts on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.apis import kinds
from cascade.domain.changes import InstalledProduct, InstalledService, product_id_of
from cascade.domain.characteristics import as_values
from cascade.fulfilment.changes.claims import RUNNING
from cascade.repositories import Repositories, Repository
from cascade.tmf.query import MAX_LIMIT


def installed_products(
    connection: Connection,
    repositories: Repositories,
    items: Iterable[Mapping[str, Any]],
) -> dict[str, InstalledProduct]:
    """The installed products the change items (modify, delete, noChange) name, by id."""
    found: dict[str, InstalledProduct] = {}
    for item in items:
        product_id = product_id_of(item)
        if item.get("action") == "add" or product_id is None or product_id in found:
            continue
        product = installed_product(connection, repositories, product_id)
        if product is not None:
            found[product_id] = product
    return found


def installed_product(
    connection: Connection, repositories: Repositories, product_id: str
) -> InstalledProduct | None:
    record = repositories[kinds.PRODUCT].peek(connection, product_id)
    if record is None:
        return None
    inventory = repositories[kinds.SERVICE]
    walked: dict[str, InstalledService] = {}
    for ref in record.get("realizingService") or ():
        _walk(connection, inventory, str(ref.get("id")), walked)
    return InstalledProduct(
        id=product_id,
        status=str(record.get("status")),
        offering=dict(record.get("productOffering") or {}),
        specification=dict(record.get("productSpecification") or {}),
        values=as_values(record.get("productCharacteristic")),
        services=tuple(walked.values()),
        relies_on=tuple(
            str((relation.get("product") or {}).get("id"))
            for relation in record.get("productRelationship") or ()
            if relation.get("relationshipType") == "reliesOn"
        ),
    )


def _walk(
    connection: Connection,
    inventory: Repository,
    service_id: str,
    walked: dict[str, InstalledService],
) -> None:
    if service_id in walked:
        return
    record = inventory.peek(connection, service_id)
    if record is None:
        return
    supporting = tuple(str(ref.get("id")) for ref in record.get("supportingService") or ())
    walked[service_id] = as_installed(record, supporting)
    for other in supporting:
        _walk(connection, inventory, other, walked)


def as_installed(record: Mapping[str, Any], supporting: tuple[str, ...]) -> InstalledService:
    return InstalledService(
        id=str(record["id"]),
        href=str(record.get("href")),
        category=str(record.get("category")),
        specification=dict(record.get("serviceSpecification") or {}),
        values=as_values(record.get("serviceCharacteristic")),
        state=str(record.get("state")),
        supporting=supporting,
    )


def busy_products(
    connection: Connection, orders: Repository, order: Mapping[str, Any]
) -> dict[str, str]:
    """Products the order's change items name that another running product order changes."""
    busy: dict[str, str] = {}
    for item in order.get("productOrderItem") or ():
        product_id = product_id_of(item)
        if item.get("action") == "add" or product_id is None:
            continue
        query = [("productOrderItem.product.id", f'"{product_id}"'), ("state", ",".join(RUNNING))]
        for other in orders.find(connection, query):
            if other["id"] != order["id"] and other.get("state") in RUNNING:
                busy[product_id] = str(other["id"])
    return busy


def dependent_products(
    connection: Connection, products: Repository, items: Iterable[Mapping[str, Any]]
) -> dict[str, list[str]]:
    """For each product the order ceases, the live products that rely on it."""
    found: dict[str, list[str]] = {}
    for item in items:
        product_id = product_id_of(item)
        if item.get("action") != "delete" or product_id is None:
            continue
        query = [("productRelationship.product.id", f'"{product_id}"'), ("status", "active")]
        found[product_id] = [str(p["id"]) for p in products.find(connection, query)]
    return found


def customer_products(
    connection: Connection, products: Repository, order: Mapping[str, Any]
) -> dict[str, str]:
    """The active TMF637 products of the order's customer, by id, with their offering's id.

    The customer is the `relatedParty` whose role is `customer` (any case); an order naming
    no such role counts every related party as its customer. An order with no related party
    has no customer, and so owns nothing.
    """
    named = [p for p in order.get("relatedParty") or () if isinstance(p, Mapping) and p.get("id")]
    customers = [p for p in named if str(p.get("role", "")).lower() == "customer"] or named
    found: dict[str, str] = {}
    for party in customers:
        query = [
            ("relatedParty.id", f'"{party["id"]}"'),
            ("status", "active"),
            ("limit", str(MAX_LIMIT)),
        ]
        for product in products.find(connection, query):
            found[str(product["id"])] = str((product.get("productOffering") or {}).get("id"))
    return found
