"""`GET /cascade/audit`: the audit trail, for `admin` clients (a Cascade extension)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.handlers import HTTPRouteHandler

from cascade.frontend.types import CALLER
from cascade.security.audit import parse_audit_query, read_entries
from cascade.storage.database import Database

JSON = "application/json;charset=utf-8"


def audit_handlers(database: Database) -> list[HTTPRouteHandler]:
    @get("/cascade/audit", name="cascade.audit")
    async def audit_trail(request: Request[Any, Any, Any]) -> Response[bytes]:
        caller = request.scope.get(CALLER)
        party = getattr(caller, "party", None)
        query = parse_audit_query(list(request.query_params.multi_items()), party)
        entries, total = await database.read(lambda c: read_entries(c, query))
        headers = {"X-Total-Count": str(total), "X-Result-Count": str(len(entries))}
        return Response(msgspec.json.encode(entries), media_type=JSON, headers=headers)

    return [audit_trail]
