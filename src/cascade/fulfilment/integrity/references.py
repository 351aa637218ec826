"""Who refers to a record or an order: the look-ups the integrity checks share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection

from cascade.fulfilment.layers.documents import parent_named
from cascade.fulfilment.layers.registry import Layer, child_of, parent_of
from cascade.repositories import Repositories, Repository

SHOWN = 5  # how many referring entities a message names


def referring(
    connection: Connection, repository: Repository, path: str, id_: str
) -> list[dict[str, Any]]:
    """The entities whose `path` (a dotted path, through arrays) holds `id_`."""
    found = repository.find(connection, [(path, f'"{id_}"')])
    return [each for each in found if each.get("id") != id_]


def running_orders(
    connection: Connection, repositories: Repositories, layer: Layer, path: str, id_: str
) -> list[dict[str, Any]]:
    """The orders of `layer` that have not ended and name `id_` at `path`."""
    orders = referring(connection, repositories[layer.order_kind], path, id_)
    return [each for each in orders if not layer.machine.is_terminal(str(each.get("state")))]


def child_orders(
    connection: Connection, repositories: Repositories, layer: Layer, order_id: str
) -> list[dict[str, Any]]:
    """The orders of the layer below that an order of `layer` placed (here, or mirrors)."""
    child_layer = child_of(layer)
    if child_layer is None:
        return []
    found = referring(
        connection, repositories[child_layer.order_kind], "externalReference.id", order_id
    )
    return [
        child
        for child in found
        if (parent_named(child, layer.referred_type) or ("",))[0] == order_id
    ]


def parent_order(
    connection: Connection, repositories: Repositories, layer: Layer, order: Mapping[str, Any]
) -> dict[str, Any] | None:
    """The order of the layer above that placed `order`, when it is stored here."""
    parent_layer = parent_of(layer)
    if parent_layer is None:
        return None
    named = parent_named(order, parent_layer.referred_type)
    if named is None:
        return None
    return repositories[parent_layer.order_kind].peek(connection, named[0])


def ids(found: Iterable[Mapping[str, Any]]) -> str:
    """The ids of what was found, for a message (the first few)."""
    listed = [str(each.get("id")) for each in found]
    more = f" and {len(listed) - SHOWN} more" if len(listed) > SHOWN else ""
    return ", ".join(listed[:SHOWN]) + more
