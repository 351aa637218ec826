"""Retry a failed activation: a new TMF622 order for the failed `add` items of an ended order.

TMF622 `failed` and `partial` are final states, so a failed order is never restarted in place.
The retry is the order a client would place again: a `POST /productOrder` through the same
`TmfResource.create` (schema, item checks, party rule, audit) with the failed items only.
It is offered where that is safe (ADR 0025):

- the order has ended `failed` or `partial` (nothing of it still runs);
- every failed item is an `add` (a modify or a delete acts on what is installed and may have
  changed part of it: place a new order for it by hand);
- nothing under a failed item is live on the network: no TMF640 service `reserved`/`active`,
  no TMF702 resource `reserved`/`available`/`suspended` (so no value is held either);
- a failed item names no item that is not retried (`productOrderItemRelationship`).

Its `Idempotency-Key` derives from the failed order, so a second click answers the same retry
order instead of placing another one; a retry that fails again is retried from its own page.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import msgspec
from sqlalchemy import Connection

from cascade.console.auth import ConsoleAuth, Viewer
from cascade.frontend.resource import TmfResource
from cascade.fulfilment.tree import order_tree
from cascade.repositories import Repositories
from cascade.storage.database import Database
from cascade.tmf.errors import TmfError

_MADE = ("id", "href", "@referredType")  # the TMF637 product fulfilment made
RETRY_FROM = frozenset({"failed", "partial"})
LIVE_SERVICE = frozenset({"reserved", "active"})
LIVE_RESOURCE = frozenset({"reserved", "available", "suspended"})
COPIED = ("relatedParty", "externalId", "channel", "category", "priority", "billingAccount")
ITEM_COPIED = (
    *("id", "action", "quantity", "productOffering", "product", "billingAccount"),
    *("productOrderItem", "productOrderItemRelationship", "itemTerm"),
)


ROUTE = "tmf622.productOrder.create"  # the API route a retry stands for (its scopes)


def idempotency_key(order_id: str) -> str:
    return f"console-retry-{order_id}"


async def place_retry(
    auth: ConsoleAuth,
    viewer: Viewer,
    orders: TmfResource,
    database: Database,
    repositories: Repositories,
    order_id: str,
) -> str:
    """Places the retry order (a TmfError, changing nothing, where it is not safe)."""
    auth.require(viewer, ROUTE)
    order = msgspec.json.decode((await orders.retrieve(order_id, None, viewer.caller)).body)
    problems = await database.read(lambda c: retry_problems(c, repositories, order_id))
    try:
        body = retry_body(order) if not problems else {}
    except ValueError as refused:
        problems = [str(refused)]
    if problems:
        raise TmfError(409, "retryNotSafe", "Not retried: " + "; ".join(problems))
    written = await orders.create(body, idempotency_key(order_id), viewer.caller)
    placed = msgspec.json.decode(written.body)
    items = ", ".join(str(item.get("id")) for item in body["productOrderItem"])
    return f"Retry order {placed.get('id')} placed ({placed.get('state')}) for item(s) {items}"


def retry_problems(connection: Connection, repositories: Repositories, order_id: str) -> list[str]:
    """Why the order's failed items cannot be retried safely (empty: they can)."""
    tree = order_tree(connection, repositories, order_id)
    if tree is None:
        return [f"product order {order_id} not found"]
    if tree["state"] not in RETRY_FROM:
        return [f"the order is {tree['state']}: only a failed or partial order is retried"]
    failed = [item for item in tree["items"] if item.get("state") == "failed"]
    if not failed:
        return ["no item of the order failed"]
    problems = []
    for item in failed:
        if item.get("action") != "add":
            problems.append(
                f"item {item['id']} is a failed {item.get('action')}: it may have changed "
                "part of what is installed; place a new order for it"
            )
        problems += [f"item {item['id']}: {live} is still live" for live in _live(item)]
    return problems


def _live(item: Mapping[str, Any]) -> Iterator[str]:
    """The activations under a product order item that are on the network (or going there)."""
    for service_order in (item.get("serviceOrder"), *(item.get("moreServiceOrders") or ())):
        for service_item in (service_order or {}).get("items") or ():
            activation = service_item.get("activation") or {}
            if activation.get("state") in LIVE_SERVICE:
                yield f"TMF640 service {activation.get('id')} ({activation['state']})"
            resource_order = service_item.get("resourceOrder") or {}
            for resource_item in resource_order.get("items") or ():
                found = resource_item.get("activation") or {}
                if found.get("state") in LIVE_RESOURCE:
                    yield f"TMF702 resource {found.get('id')} ({found['state']})"


def retry_body(order: Mapping[str, Any]) -> dict[str, Any]:
    """The TMF622 ProductOrder_Create of the failed items, as the client placed them."""
    failed = [item for item in order.get("productOrderItem") or () if item.get("state") == "failed"]
    retried = {str(item.get("id")) for item in failed}
    items = []
    for item in failed:
        copied = _as_asked(item)
        for related in copied.get("productOrderItemRelationship") or ():
            if str(related.get("id")) not in retried:
                raise ValueError(
                    f"item {item.get('id')} relates to item {related.get('id')}, which did not "
                    "fail; place a new order for it"
                )
        items.append(copied)
    body: dict[str, Any] = {name: order[name] for name in COPIED if name in order}
    body["description"] = f"Retry of the failed items of product order {order.get('id')}"
    body["note"] = [
        {"author": "Cascade console", "text": f"retry of failed product order {order.get('id')}"}
    ]
    body["productOrderItem"] = items
    return body


def _as_asked(item: Mapping[str, Any]) -> dict[str, Any]:
    """An item as a client asks for it: without what fulfilment wrote (its state, the id and
    href of the TMF637 product it made), its bundle members likewise."""
    copied = {name: item[name] for name in ITEM_COPIED if name in item}
    product = copied.get("product")
    if isinstance(product, dict):
        copied["product"] = {k: v for k, v in product.items() if k not in _MADE}
        if not copied["product"]:
            del copied["product"]
    members = copied.get("productOrderItem")
    if isinstance(members, list):
        copied["productOrderItem"] = [_as_asked(each) for each in members]
    return copied
