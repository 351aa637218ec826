"""Changes to a product that exists: `modify`, `delete` (cease) and `noChange` items.

Pure, like the decomposition: what is installed comes in as an `InstalledProduct` (read from
TMF637/638 by the caller), the catalogs through `Catalog`. A change is planned as the service
order items that turn what is installed into what the item asks for:

- `delete`: every service of the product is deleted, each one *after* what depends on it
  (an RFS delete waits for the CFS it supports).
- `modify`: the product is decomposed again with its current values overlaid by the ones the
  item gives; each service of that target is compared, by specification, with the installed
  one: absent -> `add`, values differ -> `modify`, same -> `noChange` (context only). A CFS
  whose supporting services change is `modify`. Installed services the target no longer has
  are deleted once the CFS they supported is done (the new ones are active).
- `noChange`: nothing to do; the product must exist and be active.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from cascade.domain.bundles import is_bundle
from cascade.domain.decomposition import (
    CFS,
    Catalog,
    ProductItemPlan,
    Rejected,
    ServiceItemPlan,
    plan_product_item,
)

CHANGES = ("modify", "delete", "noChange")
TERMINATED = "terminated"


# Where an order item keeps what its change overwrote, for a cancellation to put back
# (fulfilment/changes/before.py, ADR 0032): Cascade's to write, refused from a client.
KEPT_BEFORE = "cascadeBefore"


@dataclass(frozen=True)
class InstalledService:
    id: str
    href: str
    category: str
    specification: dict[str, Any]  # reference to the service specification
    values: dict[str, Any]
    state: str
    supporting: tuple[str, ...] = ()  # ids of the services this one relies on

    @property
    def reference(self) -> dict[str, Any]:
        return {"id": self.id, "href": self.href, "@referredType": "Service"}


@dataclass(frozen=True)
class InstalledProduct:
    id: str
    status: str
    offering: dict[str, Any]
    specification: dict[str, Any]
    values: dict[str, Any]
    services: tuple[InstalledService, ...]  # every CFS and every service supporting one
    relies_on: tuple[str, ...] = ()  # products this one needs (TMF637 productRelationship)


def product_id_of(item: Mapping[str, Any]) -> str | None:
    """The id of the existing product a change item names (`product.id`)."""
    product_id = (item.get("product") or {}).get("id")
    return str(product_id) if product_id else None


def plan_item(
    item: Mapping[str, Any], catalog: Catalog, installed: Mapping[str, InstalledProduct]
) -> ProductItemPlan:
    """Plan any product order item; raises Rejected with the reasons it cannot be done."""
    action = item.get("action")
    if action == "add":
        return plan_product_item(item, catalog)
    label = f"item {item.get('id')}"
    if action not in CHANGES:
        raise Rejected([f"{label}: action '{action}' is not one of add, {', '.join(CHANGES)}"])
    product = _existing(item, installed, label)
    if action == "delete":
        return plan_cease(item, product)
    if action == "noChange":
        return _plan(item, product, product.values, (), "noChange")
    return plan_modify(item, product, catalog)


def _existing(
    item: Mapping[str, Any], installed: Mapping[str, InstalledProduct], label: str
) -> InstalledProduct:
    product_id = product_id_of(item)
    if product_id is None:
        raise Rejected([f"{label}: action '{item.get('action')}' needs product.id"])
    product = installed.get(product_id)
    if product is None:
        raise Rejected([f"{label}: product '{product_id}' is not in the product inventory"])
    if product.status == TERMINATED:
        raise Rejected([f"{label}: product '{product_id}' is terminated"])
    return product


def _plan(
    item: Mapping[str, Any],
    product: InstalledProduct,
    values: Mapping[str, Any],
    services: tuple[ServiceItemPlan, ...],
    action: str,
    target: ProductItemPlan | None = None,
) -> ProductItemPlan:
    return ProductItemPlan(
        item_id=str(item.get("id")),
        offering=target.offering if target else dict(product.offering),
        specification=target.specification if target else dict(product.specification),
        characteristics=dict(values),
        services=services,
        declared=target.declared if target else frozenset(product.values),
        action=action,
    )


def plan_cease(item: Mapping[str, Any], product: InstalledProduct) -> ProductItemPlan:
    """Delete every live service of the product, what depends on something first.

    Services already terminated (by an earlier cease that failed half-way) are left out, so
    ceasing again finishes the job.
    """
    live = {s.id: s for s in product.services if s.state != TERMINATED}
    plans: list[ServiceItemPlan] = []
    for cfs in (s for s in product.services if s.category == CFS):
        after: tuple[str, ...] = ()
        if cfs.id in live:
            plans.append(_delete(cfs, str(len(plans) + 1), ()))
            after = (plans[-1].id,)
        for supporting in (live[i] for i in cfs.supporting if i in live):
            plans.append(_delete(supporting, str(len(plans) + 1), after))
    return _plan(item, product, product.values, tuple(plans), "delete")


def _delete(service: InstalledService, item_id: str, after: tuple[str, ...]) -> ServiceItemPlan:
    return ServiceItemPlan(
        id=item_id,
        category=service.category,
        specification=dict(service.specification),
        characteristics=dict(service.values),
        relies_on=after,
        action="delete",
        existing=service.reference,
    )


def plan_modify(
    item: Mapping[str, Any], product: InstalledProduct, catalog: Catalog
) -> ProductItemPlan:
    """Decompose the product as it is to be, and keep only what differs from what is. A
    bundle has nothing of its own to modify (its members do): refused."""
    _refuse_bundle(item, product, catalog)
    given = (item.get("product") or {}).get("productCharacteristic") or []
    given_names = {str(c.get("name")) for c in given if isinstance(c, Mapping)}
    kept = [{"name": k, "value": v} for k, v in product.values.items() if k not in given_names]
    offering = item.get("productOffering") or product.offering
    target = plan_product_item(
        {
            "id": item.get("id"),
            "action": "add",
            "productOffering": offering,
            "product": {"productCharacteristic": [*kept, *given]},
        },
        catalog,
    )
    installed = {
        str(s.specification.get("id")): s for s in product.services if s.state != TERMINATED
    }
    services = [_compare(plan, installed) for plan in target.services]
    services = _modify_changed_parents(services)
    services.extend(_retire(product, target.services, services))
    return _plan(item, product, target.characteristics, tuple(services), "modify", target)


def _refuse_bundle(item: Mapping[str, Any], product: InstalledProduct, catalog: Catalog) -> None:
    offerings = (item.get("productOffering") or {}, product.offering)
    for ref in offerings:
        offering = catalog.product_offering(str(ref.get("id"))) if ref.get("id") else None
        if offering is not None and is_bundle(offering):
            raise Rejected(
                [
                    f"item {item.get('id')}: product '{product.id}' or its new offering is a "
                    "bundle, which has nothing of its own to modify; modify its members"
                ]
            )


def _compare(plan: ServiceItemPlan, installed: Mapping[str, InstalledService]) -> ServiceItemPlan:
    existing = installed.get(str(plan.specification.get("id")))
    if existing is None:
        return plan
    same = all(existing.values.get(k) == v for k, v in plan.characteristics.items())
    return replace(plan, action="noChange" if same else "modify", existing=existing.reference)


def _modify_changed_parents(services: list[ServiceItemPlan]) -> list[ServiceItemPlan]:
    """A kept service is modified when a service it relies on is added or changed."""
    actions = {plan.id: plan.action for plan in services}
    return [
        replace(plan, action="modify")
        if plan.action == "noChange" and any(actions[i] != "noChange" for i in plan.relies_on)
        else plan
        for plan in services
    ]


def _retire(
    product: InstalledProduct,
    target: tuple[ServiceItemPlan, ...],
    planned: list[ServiceItemPlan],
) -> list[ServiceItemPlan]:
    """Installed services the target lacks, deleted once the new form is done: after the
    CFS that is kept, or (a CFS the target does not have) after every new CFS.
    """
    wanted = {str(plan.specification.get("id")) for plan in target}
    item_of = {str(plan.specification.get("id")): plan.id for plan in planned}
    new_cfs = tuple(plan.id for plan in planned if plan.category == CFS)
    live = [s for s in product.services if s.state != TERMINATED]
    retired: list[ServiceItemPlan] = []

    def delete(service: InstalledService, after: tuple[str, ...]) -> str:
        retired.append(_delete(service, str(len(planned) + len(retired) + 1), after))
        return retired[-1].id

    for cfs in (s for s in live if s.category == CFS):
        kept_as = item_of.get(str(cfs.specification.get("id")))
        after = (kept_as if kept_as is not None else delete(cfs, new_cfs),)
        for service in live:
            if service.id in cfs.supporting and service.specification.get("id") not in wanted:
                delete(service, after)
    return retired
