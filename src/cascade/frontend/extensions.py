"""Cascade's own endpoints beside the TMF APIs (`/cascade/...`), each declared once.

A declaration holds everything about its route: the Litestar handler (its path, method and
name), its Swagger 2.0 operation and the definitions that operation refers to (served at
`/cascade/openapi.json`), the scopes a caller needs, and, when its path names an order, the
party rule a party-bound caller must pass. Security, the served description and the app all
read the declaration; nothing about a route is written twice. Every field is required: an
extension without scopes is a start-up error, not an admin-only surprise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from litestar.handlers import HTTPRouteHandler

BASE_PATH = "/cascade"
EXTENSION_MARK = {"x-cascade-extension": True}


@dataclass(frozen=True)
class PartyCheck:
    """A path parameter naming an entity that a party-bound caller must be allowed to see."""

    resource: str  # the TMF resource (route prefix) of that entity: tmf622.productOrder
    parameter: str  # the path parameter holding its id: order_id


@dataclass(frozen=True, kw_only=True)
class ExtensionRoute:
    handler: HTTPRouteHandler
    operation: Mapping[str, Any]  # Swagger 2.0 operation (summary, parameters, responses)
    definitions: Mapping[str, Any]  # the definitions the operation refers to, by name
    scopes: tuple[str, ...]  # () : public (an inbox checks its deliveries' signatures)
    party: PartyCheck | None

    def __post_init__(self) -> None:
        paths = list(self.handler.paths)
        if len(paths) != 1 or not paths[0].startswith(f"{BASE_PATH}/"):
            raise ValueError(f"extension {self.handler.name}: one path under {BASE_PATH}/")
        if not self.handler.name or not self.handler.name.startswith("cascade."):
            raise ValueError(f"extension {paths[0]}: its name must start with 'cascade.'")

    @property
    def name(self) -> str:
        return str(self.handler.name)

    @property
    def path(self) -> str:
        """Its path under `/cascade` as descriptions write it (`/productOrder/{order_id}/tree`)."""
        path = next(iter(self.handler.paths)).removeprefix(BASE_PATH)
        return "/".join(_untyped(segment) for segment in path.split("/"))

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(sorted(method.lower() for method in self.handler.http_methods))


def _untyped(segment: str) -> str:
    """A path segment without Litestar's parameter type (`{order_id:str}` -> `{order_id}`)."""
    name, typed, _ = segment.partition(":")
    return f"{name}}}" if typed else segment
