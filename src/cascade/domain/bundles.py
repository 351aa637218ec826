"""Bundles in a product order, checked against the catalog (pure).

TMF622 orders a bundle as a flat item for the bundle offering (TMF620 `isBundle`,
`bundledProductOffering`) whose `productOrderItemRelationship` entries of type `bundles` name
its member items, each an item of the same order. TMF620 says how many of each bundled
offering a bundle takes: `bundledProductOfferingOption` `numberRelOfferLowerLimit` and
`numberRelOfferUpperLimit` ("from 0 to unbounded"; absent: no limit that side). Item
quantities count. What the request alone shows (a `bundles` relationship naming an item the
order lacks) is refused at POST by domain/order_items.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from cascade.domain.order_items import quantity_of

BUNDLES = "bundles"

Offerings = Callable[[str], Mapping[str, Any] | None]


def is_bundle(offering: Mapping[str, Any]) -> bool:
    return bool(offering.get("isBundle") or offering.get("bundledProductOffering"))


def members_of(item: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids of the items a bundle item bundles, in the order given, each once."""
    found: dict[str, None] = {}
    for relation in item.get("productOrderItemRelationship") or ():
        if relation.get("relationshipType") == BUNDLES and relation.get("id") is not None:
            found[str(relation["id"])] = None
    return tuple(found)


def bundle_problems(items: Sequence[Mapping[str, Any]], offerings: Offerings) -> list[str]:
    """Every way the order's bundles break the catalog, one line each."""
    by_id = {str(item.get("id")): item for item in items}
    problems: list[str] = []
    owner: dict[str, str] = {}
    for item in items:
        members = members_of(item)
        offering = _offering_of(item, offerings)
        if offering is None or not (members or is_bundle(offering)):
            continue  # no bundle; an unknown offering is refused by decomposition
        label = f"item {item.get('id')}"
        if not is_bundle(offering):
            problems.append(
                f"{label}: productOffering '{offering.get('id')}' is not a bundle, so it "
                "bundles no items"
            )
            continue
        for member in members:
            if member in owner:
                problems.append(
                    f"item {member} is bundled by item {owner[member]} and by item "
                    f"{item.get('id')}; a member belongs to one bundle"
                )
            owner.setdefault(member, str(item.get("id")))
        known = [by_id[m] for m in members if m in by_id]
        problems.extend(_own_problems(item, label, offering, known, offerings))
    return problems


def _own_problems(
    item: Mapping[str, Any],
    label: str,
    offering: Mapping[str, Any],
    members: Sequence[Mapping[str, Any]],
    offerings: Offerings,
) -> list[str]:
    problems = []
    if item.get("action") != "add":
        problems.append(f"{label}: only an 'add' item bundles items (a bundle is made once)")
    if quantity_of(item) != 1:
        problems.append(
            f"{label}: a bundle item has quantity 1; order each bundle as an item of its own, "
            "with its members"
        )
    if not members:
        problems.append(f"{label}: the bundle names no member items (relationshipType bundles)")
    options = {str(o.get("id")): o for o in offering.get("bundledProductOffering") or ()}
    counted: Counter[str] = Counter()
    for member in members:
        problems.extend(_member_problems(label, member, options, offerings))
        counted[_offering_id(member)] += quantity_of(member)
    for offering_id, option in options.items():
        problems.extend(_limit_problems(label, offering_id, option, counted[offering_id]))
    return problems


def _member_problems(
    label: str,
    member: Mapping[str, Any],
    options: Mapping[str, Mapping[str, Any]],
    offerings: Offerings,
) -> list[str]:
    member_label = f"item {member.get('id')}"
    offering_id = _offering_id(member)
    if member.get("action") != "add":
        return [f"{member_label}: a bundle member is added with its bundle ({label})"]
    if offering_id not in options:
        listed = ", ".join(sorted(options)) or "none"
        return [
            f"{member_label}: productOffering '{offering_id}' is not one the bundle of "
            f"{label} bundles (it bundles: {listed})"
        ]
    offering = offerings(offering_id)
    if offering is not None and is_bundle(offering):
        return [
            f"{member_label}: productOffering '{offering_id}' is a bundle; bundles nest no bundles"
        ]
    return []


def _limit_problems(
    label: str, offering_id: str, option: Mapping[str, Any], count: int
) -> list[str]:
    limits = option.get("bundledProductOfferingOption") or {}
    lower, upper = limits.get("numberRelOfferLowerLimit"), limits.get("numberRelOfferUpperLimit")
    name = f"'{option.get('name') or offering_id}' ({offering_id})"
    if isinstance(lower, int) and count < lower:
        return [f"{label}: the bundle takes at least {lower} of {name}; the order has {count}"]
    if isinstance(upper, int) and count > upper:
        return [f"{label}: the bundle takes at most {upper} of {name}; the order has {count}"]
    return []


def _offering_of(item: Mapping[str, Any], offerings: Offerings) -> Mapping[str, Any] | None:
    offering_id = _offering_id(item)
    return offerings(offering_id) if offering_id else None


def _offering_id(item: Mapping[str, Any]) -> str:
    return str((item.get("productOffering") or {}).get("id") or "")
