"""Decomposition: a product order item and the catalogs in, the service order items out.

Pure: the catalogs come in through the `Catalog` protocol, nothing is stored. The path is the
one TMF describes: productOffering (TMF620) -> its productSpecification -> the customer-facing
service specifications it lists (`serviceSpecification`) -> for each CFS, the resource-facing
services it relies on (`serviceSpecRelationship`, TMF633). Characteristic values flow down by
name: a service gets the ordered product's values for the characteristics its specification
declares. Anything the catalogs do not have, or that breaks a characteristic rule, is a reason
to reject the order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cascade.domain.bundles import BUNDLES, is_bundle
from cascade.domain.characteristics import as_values, resolve, rules_of

CFS = "CFS"
RFS = "RFS"
DEPENDS_ON = ("reliesOn", "dependency", "dependsOn")
WAITS_FOR = (*DEPENDS_ON, BUNDLES)  # a bundle item waits for its members


class Catalog(Protocol):
    def product_offering(self, id_: str) -> Mapping[str, Any] | None: ...
    def product_specification(self, id_: str) -> Mapping[str, Any] | None: ...
    def service_specification(self, id_: str) -> Mapping[str, Any] | None: ...
    def resource_specification(self, id_: str) -> Mapping[str, Any] | None: ...


class CatalogByKind:
    """A `Catalog` over one look-up by stored kind (`productOffering`) and id."""

    def document(self, kind: str, id_: str) -> Mapping[str, Any] | None:
        raise NotImplementedError

    def product_offering(self, id_: str) -> Mapping[str, Any] | None:
        return self.document("productOffering", id_)

    def product_specification(self, id_: str) -> Mapping[str, Any] | None:
        return self.document("productSpecification", id_)

    def service_specification(self, id_: str) -> Mapping[str, Any] | None:
        return self.document("serviceSpecification", id_)

    def resource_specification(self, id_: str) -> Mapping[str, Any] | None:
        return self.document("resourceSpecification", id_)


class Rejected(Exception):  # noqa: N818 - a verdict, not a malfunction
    """The order cannot be fulfilled as asked; `reasons` says why, one line each."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = tuple(reasons)


@dataclass(frozen=True)
class ServiceItemPlan:
    """One service order item: a CFS, or an RFS a CFS relies on."""

    id: str
    category: str
    specification: dict[str, Any]
    characteristics: dict[str, Any]
    relies_on: tuple[str, ...] = ()
    action: str = "add"
    existing: Mapping[str, Any] | None = None  # the TMF638 service a change acts on (id, href)


@dataclass(frozen=True)
class ProductItemPlan:
    """What one product order item becomes (`add`; changes: see domain/changes.py)."""

    item_id: str
    offering: dict[str, Any]
    specification: dict[str, Any]
    characteristics: dict[str, Any]
    services: tuple[ServiceItemPlan, ...]
    declared: frozenset[str] = frozenset()  # every characteristic the specification names
    action: str = "add"
    bundle: bool = False  # a bundle offering: realised by its member items (domain/bundles.py)


def reference(document: Mapping[str, Any], referred_type: str | None = None) -> dict[str, Any]:
    """A TMF entity reference (id, href, name, version, @referredType) to a catalog document."""
    ref = {key: document[key] for key in ("id", "href", "name", "version") if key in document}
    kind = referred_type or document.get("@type")
    if kind:
        ref["@referredType"] = kind
    return ref


def item_dependencies(item: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids of the product order items this item must wait for (a bundle: its members)."""
    return tuple(
        str(relation["id"])
        for relation in item.get("productOrderItemRelationship") or ()
        if relation.get("relationshipType") in WAITS_FOR and "id" in relation
    )


def plan_product_order(
    order: Mapping[str, Any],
    catalog: Catalog,
    plan_item: Callable[[Mapping[str, Any]], ProductItemPlan] | None = None,
) -> list[ProductItemPlan]:
    """Plans for every item of a product order; raises Rejected listing every problem found.

    `plan_item` plans one item (default: `plan_product_item`, which knows only `add`).
    """
    items = order.get("productOrderItem") or []
    ids = {str(item.get("id")) for item in items}
    plans: list[ProductItemPlan] = []
    problems: list[str] = []
    for item in items:
        for needed in item_dependencies(item):
            if needed not in ids:
                problems.append(f"item {item.get('id')} relies on unknown item {needed}")
        try:
            plans.append(plan_item(item) if plan_item else plan_product_item(item, catalog))
        except Rejected as rejected:
            problems.extend(rejected.reasons)
    if not items:
        problems.append("the order has no productOrderItem")
    if problems:
        raise Rejected(problems)
    return plans


def plan_product_item(item: Mapping[str, Any], catalog: Catalog) -> ProductItemPlan:
    label = f"item {item.get('id')}"
    action = item.get("action")
    if action != "add":
        raise Rejected([f"{label}: action '{action}' is not supported yet (only 'add')"])
    offering_id = (item.get("productOffering") or {}).get("id")
    if not offering_id:
        raise Rejected([f"{label} has no productOffering"])
    offering = catalog.product_offering(str(offering_id))
    if offering is None:
        raise Rejected([f"{label}: productOffering '{offering_id}' is not in the catalog"])
    if offering.get("isSellable") is False:
        raise Rejected([f"{label}: productOffering '{offering_id}' is not sellable"])
    bundle = is_bundle(offering)
    spec_id = (offering.get("productSpecification") or {}).get("id")
    specification = catalog.product_specification(str(spec_id)) if spec_id else None
    if specification is None and bundle and not spec_id:
        specification = {}  # a bundle needs no specification: its members are the products
    if specification is None:
        raise Rejected([f"{label}: productSpecification '{spec_id}' is not in the catalog"])
    _refuse_unheeded(item.get("product") or {}, str(spec_id), label)
    given = as_values((item.get("product") or {}).get("productCharacteristic"))
    rules = rules_of(specification.get("productSpecCharacteristic"))
    values, problems = resolve(given, rules, label)
    services: list[ServiceItemPlan] = []
    for ref in specification.get("serviceSpecification") or ():
        services.extend(_plan_cfs(str(ref.get("id")), values, catalog, label, services, problems))
    if not services and not problems and not bundle:
        problems.append(f"{label}: productSpecification '{spec_id}' lists no serviceSpecification")
    if problems:
        raise Rejected(problems)
    return ProductItemPlan(
        item_id=str(item.get("id")),
        offering=reference(offering, "ProductOffering"),
        specification=reference(specification, "ProductSpecification") if specification else {},
        characteristics=values,
        services=tuple(services),
        declared=frozenset(rules),
        bundle=bundle,
    )


def _refuse_unheeded(product: Mapping[str, Any], spec_id: str, label: str) -> None:
    """A product specification other than the offering's: decomposition would not heed it
    (what the request alone shows is refused at POST: apis/v4/ordering.py)."""
    asked = (product.get("productSpecification") or {}).get("id")
    if asked is not None and str(asked) != spec_id:
        raise Rejected(
            [
                f"{label}: product.productSpecification '{asked}' is not the offering's "
                f"specification '{spec_id}'"
            ]
        )


def _plan_cfs(
    spec_id: str,
    values: Mapping[str, Any],
    catalog: Catalog,
    label: str,
    planned: Sequence[ServiceItemPlan],
    problems: list[str],
) -> list[ServiceItemPlan]:
    cfs = catalog.service_specification(spec_id)
    if cfs is None:
        problems.append(f"{label}: serviceSpecification '{spec_id}' is not in the catalog")
        return []
    next_id = len(planned) + 1
    rfs_items: list[ServiceItemPlan] = []
    cfs_values = _flow_down(values, cfs)
    for relation in cfs.get("serviceSpecRelationship") or ():
        if not chosen(relation, cfs_values):
            continue
        rfs = catalog.service_specification(str(relation.get("id")))
        if rfs is None:
            problems.append(
                f"{label}: serviceSpecification '{relation.get('id')}' is not in the catalog"
            )
            continue
        next_id += 1
        rfs_items.append(
            ServiceItemPlan(
                id=str(next_id),
                category=RFS,
                specification=reference(rfs, "ResourceFacingServiceSpecification"),
                characteristics=_flow_down(values, rfs),
            )
        )
        for resource in rfs.get("resourceSpecification") or ():
            if catalog.resource_specification(str(resource.get("id"))) is None:
                problems.append(
                    f"{label}: resourceSpecification '{resource.get('id')}' is not in the catalog"
                )
    cfs_item = ServiceItemPlan(
        id=str(len(planned) + 1),
        category=CFS,
        specification=reference(cfs, "CustomerFacingServiceSpecification"),
        characteristics=cfs_values,
        relies_on=tuple(item.id for item in rfs_items),
    )
    return [cfs_item, *rfs_items]


def chosen(relation: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """Whether a CFS relies on this RFS: a `role` that reads `name=value` makes the RFS an
    alternative, chosen only when the CFS's characteristic `name` has that value
    (`accessTechnology=DSL`); any other role (or none) always applies.
    """
    role = relation.get("role")
    if not isinstance(role, str) or "=" not in role:
        return True
    name, _, wanted = role.partition("=")
    return str(values.get(name.strip())) == wanted.strip()


def _flow_down(values: Mapping[str, Any], specification: Mapping[str, Any]) -> dict[str, Any]:
    """The values of the characteristics `specification` declares (matched by name)."""
    names = {str(c.get("name")) for c in specification.get("specCharacteristic") or ()}
    return {name: value for name, value in values.items() if name in names}
