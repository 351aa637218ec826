"""Fulfilment's extension endpoints, under `/cascade` (not part of any TMF API)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response, get
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from cascade.fulfilment.tree import order_tree
from cascade.repositories import Repositories
from cascade.storage.database import Database
from cascade.tmf.errors import not_found

JSON = "application/json;charset=utf-8"


def extension_handlers(repositories: Repositories, database: Database) -> list[HTTPRouteHandler]:
    @get("/cascade/productOrder/{order_id:str}/tree", name="cascade.tree")
    async def tree(order_id: FromPath[str]) -> Response[bytes]:
        found: Any = await database.read(lambda c: order_tree(c, repositories, order_id))
        if found is None:
            raise not_found(f"ProductOrder '{order_id}'")
        return Response(msgspec.json.encode(found), media_type=JSON)

    return [tree]
