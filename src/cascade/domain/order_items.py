"""What an order's items must be, read from the request alone (pure): the same rules for
TMF622 product, TMF641 service and TMF652 resource orders, over each one's names.

- Item ids are unique within the order.
- Every item relationship names another item of the same order (not itself, not an item of
  another order), and the items that wait for others (`reliesOn`, `dependency`, `dependsOn`)
  do not wait for each other in a circle (none of them could ever start).
- Items nested in an item (`productOrderItem` inside a `productOrderItem`: bundles) are
  refused: Cascade fulfils the order's own items only, and would otherwise drop them.
- `quantity` is a whole number from 1 to `MAX_QUANTITY`; other than 1 only on an `add` item
  of an order kind that makes that many (TMF622: ADR 0021), since a change item names one
  product, service or resource.
- Two change items (`modify`, `delete`, `noChange`) of one service or resource order do not
  name the same service or resource: which of the two would it end as? (Product orders are
  checked at COM, with the products they change: domain/change_order.py.)

Each problem is one line naming the item; an order with any is refused whole (400).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DEPENDS_ON = ("reliesOn", "dependency", "dependsOn")
MAX_QUANTITY = 100  # an item making more is several orders' work: order them separately


@dataclass(frozen=True)
class ItemNames:
    """Where one kind of order keeps its items and their relationships.

    `reference`: None when a relationship holds the related item's `id` itself (TMF622
    `OrderItemRelationship`), else the attribute holding a reference to it (TMF641/652
    `orderItem`, with `itemId` and the order's id under `order_id`). `waits`: the
    relationship types that make an item wait for the one named; `multiples`: whether an
    `add` item may have a quantity other than 1; `entity`: the attribute naming what a change
    item changes, when two change items of one order may not name the same one.
    """

    items: str
    relationships: str
    reference: str | None = None
    order_id: str | None = None
    waits: tuple[str, ...] = DEPENDS_ON
    multiples: bool = False
    entity: str | None = None


@dataclass(frozen=True)
class Related:
    """What one item relationship names."""

    item_id: str | None
    other_order: str | None
    waits: bool
    ambiguous: bool = False  # `itemId` and `id` name different items


def related(relation: Mapping[str, Any], names: ItemNames) -> Related:
    waits = relation.get("relationshipType") in names.waits
    if names.reference is None:
        return Related(_text(relation.get("id")), None, waits)
    ref = relation.get(names.reference)
    ref = ref if isinstance(ref, Mapping) else {}
    by_item_id, by_id = _text(ref.get("itemId")), _text(ref.get("id"))
    other_order = _text(ref.get(names.order_id)) if names.order_id else None
    ambiguous = by_item_id is not None and by_id is not None and by_item_id != by_id
    return Related(by_item_id or by_id, other_order, waits, ambiguous)


def quantity_of(item: Mapping[str, Any]) -> int:
    """The item's `quantity` as a count (1 when absent or not a whole number of at least 1,
    which the rules below refuse at POST)."""
    quantity = item.get("quantity", 1)
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        return 1
    return max(quantity, 1)


def item_problems(order: Mapping[str, Any], names: ItemNames) -> list[str]:
    """Every problem of the order's items, one line each (none: the items are sound)."""
    items = [item for item in order.get(names.items) or () if isinstance(item, Mapping)]
    ids = [_text(item.get("id")) for item in items]
    problems = _duplicates(ids)
    known = {each for each in ids if each is not None}
    waits_for: dict[str, list[str]] = {}
    for item, item_id in zip(items, ids, strict=True):
        label = f"item {item_id}"
        problems.extend(_own_problems(item, label, names))
        for relation in item.get(names.relationships) or ():
            if not isinstance(relation, Mapping):
                continue
            target = related(relation, names)
            problem = _relation_problem(label, item_id, target, known, names)
            if problem:
                problems.append(problem)
            elif target.waits and item_id is not None and target.item_id is not None:
                waits_for.setdefault(item_id, []).append(target.item_id)
    problems.extend(_cycles(waits_for))
    problems.extend(_changed_twice(items, ids, names))
    return problems


def _changed_twice(
    items: Sequence[Mapping[str, Any]], ids: Sequence[str | None], names: ItemNames
) -> list[str]:
    """Change items naming a service or resource another change item of the order names."""
    if names.entity is None:
        return []
    first: dict[str, str | None] = {}
    problems = []
    for item, item_id in zip(items, ids, strict=True):
        entity = item.get(names.entity)
        changed = _text(entity.get("id")) if isinstance(entity, Mapping) else None
        if item.get("action") == "add" or changed is None:
            continue
        if changed in first:
            problems.append(
                f"item {item_id}: {names.entity} '{changed}' is changed by item "
                f"{first[changed]} too; one item per {names.entity}"
            )
        else:
            first[changed] = item_id
    return problems


def _own_problems(item: Mapping[str, Any], label: str, names: ItemNames) -> list[str]:
    problems = []
    if item.get(names.items):
        problems.append(
            f"{label}: nested {names.items} (bundles) are not supported; "
            "order each product as an item of the order"
        )
    problem = _quantity_problem(item, label, names)
    if problem:
        problems.append(problem)
    return problems


def _quantity_problem(item: Mapping[str, Any], label: str, names: ItemNames) -> str | None:
    quantity = item.get("quantity", 1)
    if quantity == 1 and not isinstance(quantity, bool):
        return None
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        return f"{label}: quantity {quantity} is not a whole number of at least 1"
    if not names.multiples:
        return (
            f"{label}: quantity {quantity} is not supported: an item delivers exactly one; "
            "order that many items instead"
        )
    if item.get("action") != "add":
        return (
            f"{label}: quantity {quantity} on a '{item.get('action')}' item: a change names "
            "one product; give each product its own item"
        )
    if quantity > MAX_QUANTITY:
        return (
            f"{label}: quantity {quantity} is more than {MAX_QUANTITY}; split it over "
            "several items or orders"
        )
    return None


def _duplicates(ids: Sequence[str | None]) -> list[str]:
    problems = []
    if None in ids:
        problems.append("every item needs an id")
    counted = Counter(i for i in ids if i is not None)
    for each in sorted(i for i, count in counted.items() if count > 1):
        problems.append(
            f"item id {each} is used by {counted[each]} items; item ids must be unique "
            "within an order"
        )
    return problems


def _relation_problem(
    label: str, item_id: str | None, target: Related, known: set[str], names: ItemNames
) -> str | None:
    where = f"{label}: {names.relationships}"
    if target.ambiguous:
        return f"{where} names one item by itemId and another by id"
    if target.other_order is not None:
        return (
            f"{where} names item {target.item_id} of order {target.other_order}; only items "
            "of this order can be related"
        )
    if target.item_id is None:
        return f"{where} names no item"
    if target.item_id == item_id:
        return f"{where} names the item itself"
    if target.item_id not in known:
        return f"{where} names item {target.item_id}, which is not in the order"
    return None


def _cycles(waits_for: Mapping[str, Sequence[str]]) -> list[str]:
    """Items that wait for each other in a circle, each circle reported once (iterative:
    an order's thousand items are no recursion limit)."""
    problems: list[str] = []
    done: set[str] = set()
    for start in sorted(waits_for):
        if start in done:
            continue
        path = [start]
        pending = [iter(waits_for.get(start, ()))]
        while pending:
            following = next(pending[-1], None)
            if following is None:
                done.add(path.pop())
                pending.pop()
            elif following in path:
                circle = path[path.index(following) :]
                problems.append(
                    f"items {', '.join(circle)} wait for each other in a circle; none could start"
                )
            elif following not in done:
                path.append(following)
                pending.append(iter(waits_for.get(following, ())))
    return problems


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    return str(value)
