"""`GET /cascade/productOrder/{order_id}/tree`: a product order's whole tree (an extension)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from cascade.frontend.extensions import ExtensionRoute, PartyCheck
from cascade.fulfilment.tree import order_tree
from cascade.repositories import Repositories
from cascade.storage.database import Database
from cascade.tmf.errors import not_found
from cascade.web.swagger import ERROR, JSON, operation, path_parameter


@get("/cascade/productOrder/{order_id:str}/tree", name="cascade.tree")
async def tree(
    order_id: FromPath[str],
    repositories: NamedDependency[Repositories],
    database: NamedDependency[Database],
) -> Response[bytes]:
    found: Any = await database.read(lambda c: order_tree(c, repositories, order_id))
    if found is None:
        raise not_found(f"ProductOrder '{order_id}'")
    return Response(msgspec.json.encode(found), media_type=JSON)


TREE = ExtensionRoute(
    handler=tree,
    operation=operation(
        operationId="retrieveProductOrderTree",
        summary="Retrieves a product order's whole tree with every node's state "
        "(Cascade extension)",
        tags=["productOrder"],
        parameters=[path_parameter("order_id", "The product order's id")],
        responses={
            "200": {"description": "Success", "schema": {"$ref": "#/definitions/CascadeOrderTree"}},
            "404": {"description": "Not Found", "schema": ERROR},
        },
    ),
    definitions={
        "CascadeOrderTree": {
            "type": "object",
            "description": "A product order and everything it made, each node with its state",
            "required": ["id", "state", "items"],
            "properties": {
                "id": {"type": "string"},
                "state": {"type": "string"},
                "note": {"type": "array", "items": {"type": "object"}},
                "items": {"type": "array", "items": {"type": "object"}},
            },
        }
    },
    scopes=("productOrdering:read",),
    party=PartyCheck("tmf622.productOrder", "order_id"),
)
