"""What every answer of a v4 API carries: the attributes the conformance profiles make
mandatory in responses, as `SchemaOverlay.responses` entries (docs/conformance.md).

Every entity has the identity the server sets on create (`id`, `href`, `@type`); orders add
their state, their order date and their items, each with its own state.
"""

from __future__ import annotations

IDENTITY = ("id", "href", "@type")


def order(entity: str, items: str, item: str, target: str) -> dict[str, tuple[str, ...]]:
    """An order (`ProductOrder`) and its items (`ProductOrderItem`), which act on `target`."""
    item_attributes = ("id", "action", "state", target) if target else ("id", "action", "state")
    return {
        entity: (*IDENTITY, "state", "orderDate", items),
        item: item_attributes,
    }


def cancel(entity: str, order_ref: str) -> dict[str, tuple[str, ...]]:
    """A cancel task (`CancelProductOrder`) and the order it names."""
    return {entity: (*IDENTITY, "state", order_ref)}


def catalog_entities(*entities: str) -> dict[str, tuple[str, ...]]:
    """Catalog entities: the `name` their `_Create` requires and the `lastUpdate` the server
    sets on every write."""
    return {entity: (*IDENTITY, "name", "lastUpdate") for entity in entities}
