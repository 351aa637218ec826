"""Scopes: which scope each route needs, from the route's name.

Each API has a scope prefix; reads (GET) need `<prefix>:read`, writes (POST, PATCH, DELETE)
`<prefix>:write`. A bare `<prefix>` grants both, and `admin` grants everything.

| APIs | prefix |
|---|---|
| TMF622 Product Ordering | productOrdering |
| TMF641 Service Ordering | serviceOrdering |
| TMF652 Resource Ordering | resourceOrdering |
| TMF640 Service Activation | serviceActivation |
| TMF702 Resource Activation | resourceActivation |
| TMF620, TMF633, TMF634 catalogs | catalog |
| TMF637, TMF638, TMF639 inventories | inventory |

Subscribing to events (POST, DELETE `/hub`) needs `hub:write` and the API's `:read` scope (the
events carry its resources). Cascade's own extensions: `/cascade/productOrder/{id}/tree` needs
`productOrdering:read`, `/cascade/audit` needs `admin`, and any other extension `admin` too
until it says otherwise. Docs, OpenAPI descriptions (`/cascade/openapi.json` too) and `/health`
need nothing.
"""

from __future__ import annotations

from functools import lru_cache

from cascade.security.principal import ADMIN

API_PREFIXES: dict[str, str] = {
    "tmf622": "productOrdering",
    "tmf641": "serviceOrdering",
    "tmf652": "resourceOrdering",
    "tmf640": "serviceActivation",
    "tmf702": "resourceActivation",
    "tmf620": "catalog",
    "tmf633": "catalog",
    "tmf634": "catalog",
    "tmf637": "inventory",
    "tmf638": "inventory",
    "tmf639": "inventory",
}
HUB_WRITE = "hub:write"
READ_OPERATIONS = frozenset({"list", "retrieve"})
PUBLIC_ROUTES = frozenset(
    # The inbox of a component: deliveries are authenticated by their HMAC signature.
    {"health", "docs.index", "docs.assets", "cascade.openapi", "cascade.docs", "cascade.inbox"}
)
EXTENSION_SCOPES: dict[str, tuple[str, ...]] = {
    "cascade.tree": ("productOrdering:read",),
    "cascade.audit": (ADMIN,),
}
ALL_SCOPES: tuple[str, ...] = (
    *sorted({f"{prefix}:{kind}" for prefix in API_PREFIXES.values() for kind in ("read", "write")}),
    HUB_WRITE,
    ADMIN,
)


@lru_cache(maxsize=1024)
def required_scopes(route_name: str | None) -> tuple[str, ...]:
    """The scopes a route needs, all of them; () for public routes.

    Route names are `<api>.<resource>.<operation>` (`tmf622.productOrder.list`),
    `<api>.openapi`, `<api>.docs`, or `cascade.<name>` for extensions.
    """
    if route_name is None:
        return (ADMIN,)
    if route_name in PUBLIC_ROUTES:
        return ()
    parts = route_name.split(".")
    if len(parts) == 2 and parts[0] in API_PREFIXES and parts[1] in ("openapi", "docs"):
        return ()
    if route_name in EXTENSION_SCOPES:
        return EXTENSION_SCOPES[route_name]
    if len(parts) != 3 or parts[0] not in API_PREFIXES:
        return (ADMIN,)  # an extension nobody classified: administrators only
    api, resource, operation = parts
    prefix = API_PREFIXES[api]
    access = "read" if operation in READ_OPERATIONS else "write"
    if resource == "hub" and access == "write":
        return (HUB_WRITE, f"{prefix}:read")
    return (f"{prefix}:{access}",)


def grants(scopes: frozenset[str], needed: str) -> bool:
    """True when `scopes` include `needed`, its bare prefix, or `admin`."""
    if needed in scopes or ADMIN in scopes:
        return True
    prefix, _, _ = needed.partition(":")
    return prefix != needed and prefix in scopes


def missing_scopes(scopes: frozenset[str], route_name: str | None) -> list[str]:
    return [needed for needed in required_scopes(route_name) if not grants(scopes, needed)]


def parse_scopes(value: object) -> frozenset[str]:
    """Scopes from a space- or comma-separated string (OAuth2 `scope`) or a list (`scp`)."""
    if isinstance(value, str):
        return frozenset(value.replace(",", " ").split())
    if isinstance(value, list | tuple):
        return frozenset(item.strip() for item in value if isinstance(item, str) and item.strip())
    return frozenset()
