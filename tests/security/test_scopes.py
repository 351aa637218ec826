"""Scopes per API and access kind: a call without its scope is 403 with an Error body."""

from __future__ import annotations

import pytest

from cascade.apis import ALL_APIS
from cascade.apis.kinds import PRODUCT_ORDER
from cascade.frontend.extensions import ExtensionRoute
from cascade.security.scopes import Scopes, grants
from cascade.tmf.declarations import ApiSpec, ResourceSpec
from cascade.web.routes import COMPONENT_EXTENSIONS, EXTENSIONS
from cascade.web.tree import tree
from tests.security.conftest import PO, PO_HUB, Client, NewKey, assert_error, order_body

SI = "/tmf-api/serviceInventory/v4/service"
CATALOG = "/tmf-api/productCatalogManagement/v4/productOffering"


SCOPES = Scopes(ALL_APIS, (*EXTENSIONS, *COMPONENT_EXTENSIONS))


def test_an_api_without_its_identity_is_a_start_up_error() -> None:
    """Scope prefix, catalog or not, and component: a declaration cannot leave one out."""
    resources = (ResourceSpec("productOrder", PRODUCT_ORDER),)
    with pytest.raises(TypeError, match="scope_prefix"):
        ApiSpec(  # type: ignore[call-arg]
            code="tmf999",
            title="x",
            spec_file="x",
            resources=resources,
            catalog=False,
            component="com",
        )
    with pytest.raises(ValueError, match="component"):
        ApiSpec(
            code="tmf999",
            title="x",
            spec_file="x",
            resources=resources,
            scope_prefix="x",
            catalog=False,
            component="xom",
        )


def test_an_extension_route_declares_its_scopes_and_party_rule() -> None:
    with pytest.raises(TypeError, match="scopes"):
        ExtensionRoute(handler=tree, operation={}, definitions={}, party=None)  # type: ignore[call-arg]
    unknown = ExtensionRoute(
        handler=tree, operation={}, definitions={}, scopes=("orders:read",), party=None
    )
    with pytest.raises(ValueError, match="orders:read"):
        Scopes(ALL_APIS, (unknown,))


@pytest.mark.parametrize(
    ("route", "needed"),
    [
        ("tmf622.productOrder.list", ("productOrdering:read",)),
        ("tmf622.productOrder.retrieve", ("productOrdering:read",)),
        ("tmf622.productOrder.create", ("productOrdering:write",)),
        ("tmf622.cancelProductOrder.create", ("productOrdering:write",)),
        ("tmf641.serviceOrder.patch", ("serviceOrdering:write",)),
        ("tmf652.resourceOrder.delete", ("resourceOrdering:write",)),
        ("tmf640.service.create", ("serviceActivation:write",)),
        ("tmf702.monitor.retrieve", ("resourceActivation:read",)),
        ("tmf633.serviceSpecification.create", ("catalog:write",)),
        ("tmf639.resource.list", ("inventory:read",)),
        ("tmf622.hub.create", ("hub:write", "productOrdering:read")),
        ("tmf622.hub.list", ("productOrdering:read",)),
        ("cascade.audit", ("admin",)),
        ("cascade.tree", ("productOrdering:read",)),
        ("cascade.parked", ("admin",)),
        ("cascade.redeliver", ("admin",)),
        ("cascade.inbox", ()),
        ("cascade.somethingNew", ("admin",)),
        ("tmf622.openapi", ()),
        ("tmf622.docs", ()),
        ("health", ()),
    ],
)
def test_route_scopes(route: str, needed: tuple[str, ...]) -> None:
    assert SCOPES.required(route) == needed


def test_bare_prefix_and_admin_grant_more() -> None:
    assert grants(frozenset({"productOrdering"}), "productOrdering:write")
    assert grants(frozenset({"admin"}), "catalog:write")
    assert not grants(frozenset({"productOrdering:read"}), "productOrdering:write")
    assert not grants(frozenset({"serviceOrdering"}), "productOrdering:read")
    assert SCOPES.missing(frozenset({"hub:write"}), "tmf622.hub.create") == ["productOrdering:read"]


def test_a_missing_scope_is_403(apikey_client: Client, new_key: NewKey) -> None:
    reader = new_key("productOrdering:read")
    assert apikey_client.get(PO, headers=reader).status_code == 200
    body = assert_error(apikey_client.post(PO, json=order_body(), headers=reader), 403)
    assert body["code"] == "insufficientScope"
    assert "productOrdering:write" in body["message"]
    assert_error(apikey_client.get(SI, headers=reader), 403)
    assert_error(apikey_client.get("/cascade/audit", headers=reader), 403)
    hub = {"callback": "http://listener.example.test/events"}
    assert_error(apikey_client.post(PO_HUB, json=hub, headers=reader), 403)


def test_each_api_takes_its_own_scope(apikey_client: Client, new_key: NewKey) -> None:
    catalog = new_key("catalog:read inventory:read")
    assert apikey_client.get(CATALOG, headers=catalog).status_code == 200
    assert apikey_client.get(SI, headers=catalog).status_code == 200
    assert_error(apikey_client.get(PO, headers=catalog), 403)
    writer = new_key("hub:write productOrdering:read")
    hub = {"callback": "http://listener.example.test/events"}
    assert apikey_client.post(PO_HUB, json=hub, headers=writer).status_code == 201
    admin = new_key("admin")
    assert apikey_client.get("/cascade/audit", headers=admin).status_code == 200
