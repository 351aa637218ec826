"""What the catalog says offerings need of each other, checked against an order (pure).

TMF620 `productOffering.productOfferingRelationship` names another offering and a
`relationshipType`. Two kinds of type constrain what a customer may have:

- **requires** (`requires`, `reliesOn`, `dependsOn`, `dependency`): a product of this offering
  needs a product of the named one, in the same order or among the customer's active
  products. Relationships that share a `role` are alternatives (one of them is enough); one
  without a role must be met on its own.
- **excludes** (`excludes`, `exclusivity`): the named offering may not be there too (an
  offering that excludes itself: at most one per customer).

Other types (`upgrade`, `substitution`, ...) do not constrain an order and are not checked.
What the customer will have is what they own (active products), less what the order ceases,
with what the order adds or moves to another offering. The order's new products (`add`, a
`modify` to another offering) are checked; so are the products the customer keeps, but only
for requirements the order itself breaks (ceasing the broadband an IPTV needs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cascade.domain.order_items import quantity_of

REQUIRES = ("requires", "reliesOn", "dependsOn", "dependency")
EXCLUDES = ("excludes", "exclusivity")

Offerings = Callable[[str], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Holding:
    """A product of an offering: one the customer has, or one the order makes or changes."""

    label: str  # how a problem names it: "item 2" or "product 'p-1'"
    offering: str
    count: int = 1  # an `add` item's quantity: that many products


def holdings(
    items: Sequence[Mapping[str, Any]], owned: Mapping[str, str], named: Mapping[str, str]
) -> tuple[list[Holding], list[Holding]]:
    """(what the customer keeps, what the order makes or moves) once the order is done.

    `owned`: the customer's active products (id -> offering id); `named`: the products the
    order's change items name (id -> offering id), whoever owns them.
    """
    products = {**owned, **named}
    made: list[Holding] = []
    for item in items:
        action, label = item.get("action"), f"item {item.get('id')}"
        offering = str((item.get("productOffering") or {}).get("id") or "")
        product_id = str((item.get("product") or {}).get("id") or "")
        if action == "add" and offering:
            made.append(Holding(label, offering, quantity_of(item)))
        elif action == "delete":
            products.pop(product_id, None)
        elif action == "modify" and offering and products.get(product_id, offering) != offering:
            products.pop(product_id)  # moved to another offering: checked as made
            made.append(Holding(label, offering))
    kept = [Holding(f"product '{pid}'", offering) for pid, offering in products.items()]
    return kept, made


def offering_problems(
    items: Sequence[Mapping[str, Any]],
    owned: Mapping[str, str],
    named: Mapping[str, str],
    offerings: Offerings,
) -> list[str]:
    """Every requirement or exclusion of the catalog the order would break, one line each."""
    kept, made = holdings(items, owned, named)
    after: Counter[str] = Counter()
    for holding in (*kept, *made):
        after[holding.offering] += holding.count
    before = Counter({**owned, **named}.values())
    problems: list[str] = []
    for holding in made:
        problems.extend(_broken(holding, after, offerings))
    for holding in kept:  # what the customer keeps: only what this order breaks
        earlier = _broken(holding, before, offerings)
        problems.extend(
            f"{problem} once this order is done"
            for problem in _broken(holding, after, offerings)
            if problem not in earlier
        )
    return problems


def _broken(holding: Holding, present: Counter[str], offerings: Offerings) -> list[str]:
    offering = offerings(holding.offering)
    if offering is None:
        return []  # an unknown offering is refused by decomposition
    label = f"{holding.label}: productOffering '{holding.offering}'"
    relations = [r for r in offering.get("productOfferingRelationship") or () if r.get("id")]
    problems = []
    for group in _alternatives(r for r in relations if r.get("relationshipType") in REQUIRES):
        if not any(present[str(r["id"])] > 0 for r in group):
            problems.append(
                f"{label} requires {_names(group)}, which would be neither in the order nor "
                "among the customer's active products"
            )
    for relation in relations:
        if relation.get("relationshipType") not in EXCLUDES:
            continue
        other = str(relation["id"])
        if present[other] > (1 if other == holding.offering else 0):
            problems.append(
                f"{label} excludes {_names([relation])}, which would be in the order or among "
                "the customer's active products"
            )
    return problems


def _alternatives(relations: Iterable[Mapping[str, Any]]) -> list[list[Mapping[str, Any]]]:
    """Required offerings, grouped: those sharing a `role` are alternatives."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for index, relation in enumerate(relations):
        role = relation.get("role")
        groups.setdefault(str(role) if role else f"#{index}", []).append(relation)
    return list(groups.values())


def _names(relations: Sequence[Mapping[str, Any]]) -> str:
    names = [f"'{r.get('name') or r['id']}' ({r['id']})" for r in relations]
    return " or ".join(names)
