"""`GET /cascade/audit`: the audit trail, for `admin` clients (a Cascade extension)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.di import NamedDependency

from cascade.frontend.extensions import ExtensionRoute
from cascade.frontend.types import CALLER
from cascade.security.audit import parse_audit_query, read_entries
from cascade.security.principal import ADMIN
from cascade.storage.database import Database
from cascade.web.swagger import COUNTS, ERROR, JSON, operation, query


@get("/cascade/audit", name="cascade.audit")
async def audit_trail(
    request: Request[Any, Any, Any], database: NamedDependency[Database]
) -> Response[bytes]:
    caller = request.scope.get(CALLER)
    party = getattr(caller, "party", None)
    parsed = parse_audit_query(list(request.query_params.multi_items()), party)
    entries, total = await database.read(lambda c: read_entries(c, parsed))
    headers = {"X-Total-Count": str(total), "X-Result-Count": str(len(entries))}
    return Response(msgspec.json.encode(entries), media_type=JSON, headers=headers)


_TEXT = {"type": "string"}

AUDIT = ExtensionRoute(
    handler=audit_trail,
    operation=operation(
        operationId="listAuditEntry",
        summary="Lists the audit trail of client writes, newest first (Cascade extension)",
        description="Needs `admin`. A party-bound administrator sees only its party's "
        "entries. Entries are only ever inserted: nothing changes or removes one.",
        tags=["audit"],
        parameters=[
            query("kind", "The API resource written, e.g. tmf622.productOrder"),
            query("entityId", "The entity's id"),
            query("actor", "apikey:<id>, or a token's subject"),
            query("action", "create, update, cancel or delete"),
            query("since", "Entries at or after this instant", format="date-time"),
            query("until", "Entries before this instant", format="date-time"),
            query("offset", "Entries to skip", type="integer", minimum=0),
            query("limit", "Entries to return", type="integer", minimum=1, maximum=1000),
        ],
        responses={
            "200": {
                "description": "Success",
                "schema": {"type": "array", "items": {"$ref": "#/definitions/CascadeAuditEntry"}},
                "headers": COUNTS,
            },
            "400": {"description": "Bad Request", "schema": ERROR},
        },
    ),
    definitions={
        "CascadeAuditEntry": {
            "type": "object",
            "description": "One client write: who, when, what (Cascade extension)",
            "required": ["id", "at", "actor", "action", "kind", "entityId"],
            "properties": {
                "@type": _TEXT,
                "id": _TEXT,
                "at": {"type": "string", "format": "date-time"},
                "actor": _TEXT,
                "party": _TEXT,
                "action": {"type": "string", "enum": ["create", "update", "cancel", "delete"]},
                "kind": _TEXT,
                "entityId": _TEXT,
                "requestId": _TEXT,
                "detail": {"type": "string", "description": "Attributes patched, order cancelled"},
            },
        }
    },
    scopes=(ADMIN,),
    party=None,
)
