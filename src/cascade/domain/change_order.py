"""Rules over a whole order of changes (pure): what the order may not do, and which cease
waits for which. Items are planned one by one in `domain/changes.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cascade.domain.changes import InstalledProduct, plan_item, product_id_of
from cascade.domain.decomposition import Catalog, ProductItemPlan, Rejected, plan_product_order


def plan_order(
    order: Mapping[str, Any],
    catalog: Catalog,
    installed: Mapping[str, InstalledProduct],
    busy: Mapping[str, str],
    dependents: Mapping[str, Sequence[str]] | None = None,
) -> list[ProductItemPlan]:
    """Plan a whole order with changes; `busy` maps products to the order changing them now,
    `dependents` products to the live products that rely on them.

    Besides each item's own problems, two items of the order changing one product, an item
    changing a product another order is changing, and a cease of a product that a live
    product relies on (unless the order ceases that one too) reject the order.
    """
    items = order.get("productOrderItem") or ()
    problems = [*_conflicts(items, busy), *_orphans(items, dependents or {})]
    try:
        plans = plan_product_order(order, catalog, lambda item: plan_item(item, catalog, installed))
    except Rejected as rejected:
        raise Rejected([*rejected.reasons, *problems]) from None
    if problems:
        raise Rejected(problems)
    return plans


def _conflicts(items: Sequence[Mapping[str, Any]], busy: Mapping[str, str]) -> list[str]:
    """Changes of one product by two items, or by an item while another order changes it."""
    problems: list[str] = []
    seen: dict[str, str] = {}
    for item in items:
        product_id = product_id_of(item)
        if item.get("action") == "add" or product_id is None:
            continue
        label = f"item {item.get('id')}"
        if product_id in seen:
            problems.append(
                f"{label}: product '{product_id}' is changed by item {seen[product_id]} too"
            )
        seen.setdefault(product_id, str(item.get("id")))
        if product_id in busy:
            problems.append(
                f"{label}: product '{product_id}' is being changed by product order "
                f"{busy[product_id]}; place this change once that order has ended"
            )
    return problems


def _orphans(
    items: Sequence[Mapping[str, Any]], dependents: Mapping[str, Sequence[str]]
) -> list[str]:
    """Ceases that would leave a live product without the product it relies on."""
    ceased = {product_id_of(item) for item in items if item.get("action") == "delete"}
    problems = []
    for item in items:
        product_id = product_id_of(item)
        if item.get("action") != "delete" or product_id is None:
            continue
        for other in dependents.get(product_id, ()):
            if other not in ceased:
                problems.append(
                    f"item {item.get('id')}: product '{product_id}' is relied on by product "
                    f"'{other}'; cease that one first or in the same order"
                )
    return problems


def cease_after(
    item: Mapping[str, Any],
    items: Sequence[Mapping[str, Any]],
    installed: Mapping[str, InstalledProduct],
) -> tuple[str, ...]:
    """The items of the order that must end before this cease: those ceasing a product that
    relies on this item's product (what depends on something goes first).
    """
    product_id = product_id_of(item)
    if item.get("action") != "delete" or product_id is None:
        return ()
    return tuple(
        str(other.get("id"))
        for other in items
        if other.get("action") == "delete"
        and (product := installed.get(product_id_of(other) or "")) is not None
        and product_id in product.relies_on
    )
