"""Scopes: which scopes each route needs, from the declarations.

Each API declares its scope prefix (`ApiSpec.scope_prefix`); reads (GET) need
`<prefix>:read`, writes (POST, PATCH, DELETE) `<prefix>:write`. A bare `<prefix>` grants
both, and `admin` grants everything.

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
events carry its resources). Cascade's own extensions declare their scopes
(frontend/extensions.py): `/cascade/productOrder/{id}/tree` needs `productOrdering:read`,
`/cascade/audit` and the parked events `admin`; a component's inbox none (its deliveries are
signed). A route nobody declared needs `admin`. Docs, OpenAPI descriptions and the health
checks need nothing (nor do the console's routes at this level: the console signs its
viewer in and checks the scopes of the API route each page or action stands for), and
`/metrics` nothing unless `CASCADE_METRICS_PUBLIC=false` (then
`admin`).
"""

from __future__ import annotations

from collections.abc import Sequence

from cascade.apis import ALL_APIS
from cascade.frontend.extensions import ExtensionRoute
from cascade.security.principal import ADMIN
from cascade.tmf.declarations import ApiSpec

API_PREFIXES: dict[str, str] = {api.code: api.scope_prefix for api in ALL_APIS}
HUB_WRITE = "hub:write"
READ_OPERATIONS = frozenset({"list", "retrieve"})
PUBLIC_ROUTES = frozenset(
    {
        "health",
        "health.live",
        "health.ready",
        "docs.index",
        "docs.assets",
        "cascade.openapi",
        "cascade.docs",
    }
)
# The console's routes (`console.*`) sign their viewer in themselves (cascade.console.auth)
# and ask, per page and action, for the scopes of the API route doing the same thing.
CONSOLE_PREFIX = "console."
METRICS_ROUTE = "metrics"  # public unless CASCADE_METRICS_PUBLIC=false: then admin only
ALL_SCOPES: tuple[str, ...] = (
    *sorted({f"{prefix}:{kind}" for prefix in API_PREFIXES.values() for kind in ("read", "write")}),
    HUB_WRITE,
    ADMIN,
)
KNOWN_SCOPES = frozenset({*ALL_SCOPES, *API_PREFIXES.values(), "hub"})


class Scopes:
    """The scopes of every route: TMF routes by their API's prefix, extensions as declared."""

    def __init__(
        self,
        apis: Sequence[ApiSpec],
        extensions: Sequence[ExtensionRoute],
        *,
        metrics_public: bool = True,
    ) -> None:
        self.public = PUBLIC_ROUTES | ({METRICS_ROUTE} if metrics_public else set())
        self.prefixes = {api.code: api.scope_prefix for api in apis}
        self.extensions = {route.name: route.scopes for route in extensions}
        self.operations = {
            (route.path, method): route.scopes for route in extensions for method in route.methods
        }
        unknown = sorted({s for route in extensions for s in route.scopes} - KNOWN_SCOPES)
        if unknown:
            raise ValueError(f"extension routes need unknown scopes: {', '.join(unknown)}")
        self._required: dict[str | None, tuple[str, ...]] = {}

    def required(self, route_name: str | None) -> tuple[str, ...]:
        """The scopes a route needs, all of them; () for public routes.

        Route names are `<api>.<resource>.<operation>` (`tmf622.productOrder.list`),
        `<api>.openapi`, `<api>.docs`, or the name an extension declares (`cascade.tree`).
        """
        found = self._required.get(route_name)
        if found is None:
            found = self._required[route_name] = self._find(route_name)
        return found

    def _find(self, route_name: str | None) -> tuple[str, ...]:
        if route_name is None:
            return (ADMIN,)
        if route_name in self.public or route_name.startswith(CONSOLE_PREFIX):
            return ()
        if route_name in self.extensions:
            return self.extensions[route_name]
        parts = route_name.split(".")
        if len(parts) == 2 and parts[0] in self.prefixes and parts[1] in ("openapi", "docs"):
            return ()
        if len(parts) != 3 or parts[0] not in self.prefixes:
            return (ADMIN,)  # a route nobody declared: administrators only
        api, resource, operation = parts
        prefix = self.prefixes[api]
        access = "read" if operation in READ_OPERATIONS else "write"
        if resource == "hub" and access == "write":
            return (HUB_WRITE, f"{prefix}:read")
        return (f"{prefix}:{access}",)

    def of_extension(self, path: str, method: str) -> tuple[str, ...]:
        """What a declared extension operation needs (its path under `/cascade`)."""
        return self.operations.get((path, method), (ADMIN,))

    def missing(self, scopes: frozenset[str], route_name: str | None) -> list[str]:
        return [needed for needed in self.required(route_name) if not grants(scopes, needed)]


def grants(scopes: frozenset[str], needed: str) -> bool:
    """True when `scopes` include `needed`, its bare prefix, or `admin`."""
    if needed in scopes or ADMIN in scopes:
        return True
    prefix, _, _ = needed.partition(":")
    return prefix != needed and prefix in scopes


def parse_scopes(value: object) -> frozenset[str]:
    """Scopes from a space- or comma-separated string (OAuth2 `scope`) or a list (`scp`)."""
    if isinstance(value, str):
        return frozenset(value.replace(",", " ").split())
    if isinstance(value, list | tuple):
        return frozenset(item.strip() for item in value if isinstance(item, str) and item.strip())
    return frozenset()
