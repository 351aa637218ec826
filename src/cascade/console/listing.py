"""The order list: a viewer's filters as the APIs' list query, run by the same resources.

Every filter becomes a TMF630 list parameter of the order's API, so the list uses the same
indexed columns and terms as `GET /productOrder` (state, orderDate, externalId, relatedParty.id)
and the same party narrowing. `text` is an order id or an externalId (both looked up by index).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import msgspec

from cascade.apis import kinds
from cascade.frontend.resource import TmfResource
from cascade.frontend.types import Caller
from cascade.tmf.declarations import Kind
from cascade.tmf.errors import TmfError, bad_request

PAGE_SIZE = 25
# Counts per state over this many orders are kept a few seconds: on SQLite a grouped count of
# a million rows takes tens of milliseconds, and paging through a list asks the same again.
COUNTS_KEPT_FROM = 10_000
COUNTS_KEPT_S = 5.0
_kept_counts: dict[
    tuple[str, tuple[tuple[str, str], ...], str | None], tuple[float, dict[str, int]]
] = {}


@dataclass(frozen=True)
class OrderKind:
    """One of the three order lists: its kind, API resource and item list."""

    name: str  # productOrder, as in the console's paths
    title: str
    resource: str  # its API resource (route prefix): tmf622.productOrder
    cancel: str  # its cancel task's resource: tmf622.cancelProductOrder
    kind: Kind
    items: str
    offering: str | None  # the dotted path of an item's offering, where orders have one

    @property
    def states(self) -> tuple[str, ...]:
        return tuple(self.kind.state_machine.transitions) if self.kind.state_machine else ()


ORDER_KINDS: dict[str, OrderKind] = {
    each.name: each
    for each in (
        OrderKind(
            "productOrder",
            "Product orders",
            "tmf622.productOrder",
            "tmf622.cancelProductOrder",
            kinds.PRODUCT_ORDER,
            "productOrderItem",
            "productOrderItem.productOffering.id",
        ),
        OrderKind(
            "serviceOrder",
            "Service orders",
            "tmf641.serviceOrder",
            "tmf641.cancelServiceOrder",
            kinds.SERVICE_ORDER,
            "serviceOrderItem",
            None,
        ),
        OrderKind(
            "resourceOrder",
            "Resource orders",
            "tmf652.resourceOrder",
            "tmf652.cancelResourceOrder",
            kinds.RESOURCE_ORDER,
            "orderItem",
            None,
        ),
    )
}
FILTERS = ("state", "from", "to", "party", "externalId", "offering", "text")


@dataclass
class Listing:
    """One page of a list, with what the viewer asked and the counts per state."""

    order_kind: OrderKind
    filters: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    page: int = 1
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def filters_of(query: Mapping[str, str]) -> dict[str, str]:
    """The filters a viewer filled in (blank ones dropped)."""
    return {name: query[name].strip() for name in FILTERS if (query.get(name) or "").strip()}


def page_of(value: str | None) -> int:
    try:
        page = int(value or "1")
    except ValueError:
        raise bad_request(f"page must be a number, not '{value}'", "invalidQuery") from None
    if not 1 <= page <= 100_000:
        raise bad_request("page must be between 1 and 100000", "invalidQuery")
    return page


def _day(value: str, name: str) -> str:
    try:
        return date.fromisoformat(value).isoformat() + "T00:00:00.000Z"
    except ValueError:
        raise bad_request(
            f"{name} must be a date (YYYY-MM-DD), not '{value}'", "invalidQuery"
        ) from None


def list_params(order_kind: OrderKind, filters: Mapping[str, str]) -> list[tuple[str, str]]:
    """The TMF630 list parameters for the filters, but the state (counted per state)."""
    params: list[tuple[str, str]] = []
    date_path = order_kind.kind.date or "orderDate"
    if "from" in filters:
        params.append((f"{date_path}.gte", _day(filters["from"], "from")))
    if "to" in filters:
        params.append((f"{date_path}.lt", _day(filters["to"], "to")))
    if "party" in filters:
        params.append(("relatedParty.id", filters["party"]))
    if "externalId" in filters:
        params.append(("externalId", filters["externalId"]))
    if "offering" in filters:
        if order_kind.offering is None:
            raise bad_request(f"{order_kind.title} have no offering to filter on", "invalidQuery")
        params.append((order_kind.offering, filters["offering"]))
    return params


async def list_orders(
    resource: TmfResource,
    order_kind: OrderKind,
    filters: Mapping[str, str],
    page: int,
    caller: Caller,
) -> Listing:
    """A page of orders (newest first) and the counts per state, as the viewer may see them."""
    listing = Listing(order_kind, dict(filters), page=page)
    base = list_params(order_kind, filters)
    text = filters.get("text")
    if text:
        found = await _by_id(resource, text, caller)
        if found is not None:
            listing.rows, listing.total = [found], 1
            listing.counts = {str(found.get("state")): 1}
            return listing
        base.append(("externalId", text))
    counts = await _counts(resource, base, caller, order_kind.states)
    listing.counts = {state: counts[state] for state in order_kind.states if counts.get(state)}
    params = list(base)
    if not any(name == "externalId" for name, _ in base):
        # Newest first; an externalId's few orders come in creation order, through its index.
        params.append(("sort", f"-{order_kind.kind.date or 'orderDate'}"))
    if "state" in filters:
        params.append(("state", filters["state"]))
    offset = (page - 1) * PAGE_SIZE
    params += [("offset", str(offset)), ("limit", str(PAGE_SIZE))]
    found_page = await resource.list(params, caller, counted=False)  # the counts say it
    listing.rows = msgspec.json.decode(found_page.body)
    if "state" in filters:
        listing.total = counts.get(filters["state"], 0)
    else:
        listing.total = sum(counts.values())
    return listing


async def _counts(
    resource: TmfResource, params: list[tuple[str, str]], caller: Caller, states: tuple[str, ...]
) -> dict[str, int]:
    """The counts per state; large ones (a grouped count of many rows) kept COUNTS_KEPT_S."""
    key = (resource.name, tuple(params), caller.party)
    kept = _kept_counts.get(key)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    counts = await resource.count_states(params, caller, states)
    if sum(counts.values()) >= COUNTS_KEPT_FROM:
        if len(_kept_counts) >= 256:
            _kept_counts.clear()
        _kept_counts[key] = (time.monotonic() + COUNTS_KEPT_S, counts)
    return counts


async def _by_id(resource: TmfResource, text: str, caller: Caller) -> dict[str, Any] | None:
    try:
        written = await resource.retrieve(text, None, caller)
    except TmfError as error:
        if error.status == 404:
            return None
        raise
    found: dict[str, Any] = msgspec.json.decode(written.body)
    return found
