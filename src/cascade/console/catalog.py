"""The catalog as a decomposition: offering -> product specification -> CFS -> RFS ->
resource specifications and their pools, read as COM and SOM read it (StoredCatalog)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec
from litestar import MediaType, Request, Response, get
from litestar.params import FromPath
from sqlalchemy import Connection

from cascade.console import placing
from cascade.console.auth import Viewer
from cascade.console.context import Console
from cascade.console.detail import Node
from cascade.console.listing import ORDER_KINDS
from cascade.console.render import error_page, page
from cascade.domain.pools import PoolDeclarationError, pool_for
from cascade.fulfilment.layers.catalog import StoredCatalog
from cascade.repositories import Repositories
from cascade.tmf.errors import TmfError

OFFERINGS = "tmf620.productOffering"
MAX_DEPTH = 4  # bundles of bundles, at most


def offering_tree(
    connection: Connection, repositories: Repositories, offering_id: str
) -> Node | None:
    catalog = StoredCatalog(connection, repositories)
    return _offering(catalog, offering_id, 0)


def _offering(catalog: StoredCatalog, offering_id: str, depth: int) -> Node | None:
    offering = catalog.product_offering(offering_id)
    if offering is None:
        return None
    node = Node("Offering", offering_id, offering.get("lifecycleStatus"))
    node.facts = [
        ("name", str(offering.get("name"))),
        ("sellable", str(offering.get("isSellable", True))),
    ]
    for member in offering.get("bundledProductOffering") or ():
        found = _offering(catalog, str(member.get("id")), depth + 1) if depth < MAX_DEPTH else None
        node.children.append(found or Node("Missing offering", str(member.get("id")), "unknown"))
    spec_id = (offering.get("productSpecification") or {}).get("id")
    if spec_id:
        node.children.append(_product_spec(catalog, str(spec_id)))
    return node


def _product_spec(catalog: StoredCatalog, spec_id: str) -> Node:
    spec = catalog.product_specification(spec_id)
    if spec is None:
        return Node("Missing product specification", spec_id, "unknown")
    node = Node("Product specification", spec_id, spec.get("lifecycleStatus"))
    node.facts = [("name", str(spec.get("name")))]
    node.facts += [_characteristic(c) for c in spec.get("productSpecCharacteristic") or ()]
    for ref in spec.get("serviceSpecification") or ():
        node.children.append(_service_spec(catalog, str(ref.get("id")), "CFS", None))
    return node


def _service_spec(
    catalog: StoredCatalog, spec_id: str, label: str, relation: Mapping[str, Any] | None
) -> Node:
    spec = catalog.service_specification(spec_id)
    if spec is None:
        return Node(f"Missing {label}", spec_id, "unknown")
    node = Node(label, spec_id, spec.get("lifecycleStatus"))
    node.facts = [("name", str(spec.get("name")))]
    if relation is not None and relation.get("relationshipType"):
        node.facts.append(("relationship", str(relation.get("relationshipType"))))
    for rfs in spec.get("serviceSpecRelationship") or ():
        node.children.append(_service_spec(catalog, str(rfs.get("id")), "RFS", rfs))
    for ref in spec.get("resourceSpecification") or ():
        node.children.append(_resource_spec(catalog, str(ref.get("id"))))
    return node


def _resource_spec(catalog: StoredCatalog, spec_id: str) -> Node:
    spec = catalog.resource_specification(spec_id)
    if spec is None:
        return Node("Missing resource specification", spec_id, "unknown")
    node = Node("Resource specification", spec_id, spec.get("lifecycleStatus"))
    node.facts = [("name", str(spec.get("name")))]
    try:
        pool = pool_for(spec)
    except PoolDeclarationError as error:
        node.errors = [{"reason": f"pool declaration: {error}"}]
        return node
    if pool is not None:
        node.facts.append(("pool size", str(pool.size)))
        if pool.scopes:
            node.facts.append(("pool per", ", ".join(pool.scopes)))
    return node


def _characteristic(characteristic: Mapping[str, Any]) -> tuple[str, str]:
    values = [
        str(v.get("value")) for v in characteristic.get("productSpecCharacteristicValue") or ()
    ]
    return str(characteristic.get("name")), " | ".join(values) if values else "any"


def catalog_handlers(console: Console) -> list[Any]:
    @get("/console/catalog", name="console.catalog", media_type=MediaType.HTML)
    async def offerings(request: Request[Any, Any, Any]) -> Response[Any]:
        viewer = await console.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        context: dict[str, Any] = {"viewer": viewer, "console": console, "kinds": ORDER_KINDS}
        try:
            console.auth.require(viewer, f"{OFFERINGS}.list")
            found = await console.resources[OFFERINGS].list([("limit", "200")], viewer.caller)
        except TmfError as error:
            return error_page(request, error, **context)
        return page(
            request, "catalog.html", offerings=msgspec.json.decode(found.body), tree=None, **context
        )

    @get("/console/catalog/{offering_id:str}", name="console.offering", media_type=MediaType.HTML)
    async def offering(
        request: Request[Any, Any, Any], offering_id: FromPath[str]
    ) -> Response[Any]:
        viewer = await console.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        context: dict[str, Any] = {"viewer": viewer, "console": console, "kinds": ORDER_KINDS}
        if not console.auth.may(viewer, f"{OFFERINGS}.retrieve"):
            return error_page(
                request,
                TmfError(403, "insufficientScope", "The catalog needs catalog:read"),
                **context,
            )
        repositories = console.repositories
        tree = await console.database.read(lambda c: offering_tree(c, repositories, offering_id))
        if tree is None:
            return error_page(
                request,
                TmfError(404, "notFound", f"ProductOffering '{offering_id}' not found"),
                **context,
            )
        fields = None
        if console.auth.may(viewer, placing.ROUTE):
            fields = await console.database.read(
                lambda c: placing.order_form(c, repositories, offering_id)
            )
        return page(request, "catalog.html", offerings=None, tree=tree, fields=fields, **context)

    return [offerings, offering]
