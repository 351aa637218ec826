"""Parked deliveries over HTTP, for `admin` clients (Cascade extensions).

- `GET /cascade/events/parked[?subscription=ID]`: the deliveries given up on, oldest first.
- `POST /cascade/events/parked/redeliver[?subscription=ID]`: put them back in line.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.di import NamedDependency

from cascade.events import store
from cascade.frontend.extensions import ExtensionRoute
from cascade.security.principal import ADMIN
from cascade.storage.database import Database
from cascade.web.swagger import COUNTS, JSON, operation, query


def parked_as_json(found: list[store.ParkedDelivery]) -> list[dict[str, Any]]:
    return [
        {
            "eventId": delivery.event_id,
            "eventType": delivery.event_type,
            "subscription": delivery.subscription,
            "hub": delivery.hub_kind,
            "callback": delivery.callback,
            "attempts": delivery.attempts,
            "lastError": delivery.last_error,
        }
        for delivery in found
    ]


@get("/cascade/events/parked", name="cascade.parked")
async def parked(
    request: Request[Any, Any, Any], database: NamedDependency[Database]
) -> Response[bytes]:
    subscription = request.query_params.get("subscription")
    found = await database.read(lambda c: store.parked(c, subscription))
    body = msgspec.json.encode(parked_as_json(found))
    return Response(body, media_type=JSON, headers={"X-Result-Count": str(len(found))})


@post("/cascade/events/parked/redeliver", name="cascade.redeliver", status_code=200)
async def redeliver(
    request: Request[Any, Any, Any], database: NamedDependency[Database]
) -> Response[bytes]:
    subscription = request.query_params.get("subscription")
    count = await database.write(lambda c: store.redeliver(c, subscription))
    return Response(msgspec.json.encode({"redelivered": count}), media_type=JSON)


_SUBSCRIPTION = query("subscription", "Only this hub subscription's (its id)")
_TEXT = {"type": "string"}

PARKED = ExtensionRoute(
    handler=parked,
    operation=operation(
        operationId="listParkedDelivery",
        summary="Lists event deliveries parked because their subscriber stayed unreachable "
        "(Cascade extension)",
        description="Needs `admin`. Oldest first, at most 1000.",
        tags=["events"],
        parameters=[_SUBSCRIPTION],
        responses={
            "200": {
                "description": "Success",
                "schema": {
                    "type": "array",
                    "items": {"$ref": "#/definitions/CascadeParkedDelivery"},
                },
                "headers": {"X-Result-Count": COUNTS["X-Result-Count"]},
            },
        },
    ),
    definitions={
        "CascadeParkedDelivery": {
            "type": "object",
            "description": "An event delivery given up on until redelivered (Cascade extension)",
            "required": ["eventId", "eventType", "subscription", "hub", "callback", "attempts"],
            "properties": {
                "eventId": _TEXT,
                "eventType": _TEXT,
                "subscription": _TEXT,
                "hub": {"type": "string", "description": "The hub's kind, e.g. tmf622.hub"},
                "callback": _TEXT,
                "attempts": {"type": "integer", "minimum": 0},
                "lastError": {"type": "string", "x-nullable": True},
            },
        }
    },
    scopes=(ADMIN,),
    party=None,
)

REDELIVER = ExtensionRoute(
    handler=redeliver,
    operation=operation(
        operationId="redeliverParkedDelivery",
        summary="Puts parked deliveries back in line (Cascade extension)",
        description="Needs `admin`. They are sent at once, in order per entity.",
        tags=["events"],
        parameters=[_SUBSCRIPTION],
        responses={
            "200": {
                "description": "How many deliveries were put back",
                "schema": {
                    "type": "object",
                    "required": ["redelivered"],
                    "properties": {"redelivered": {"type": "integer", "minimum": 0}},
                },
            },
        },
    ),
    definitions={},
    scopes=(ADMIN,),
    party=None,
)
