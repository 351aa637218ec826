"""Parked deliveries over HTTP, for `admin` clients (Cascade extensions).

- `GET /cascade/events/parked[?subscription=ID]`: the deliveries given up on, oldest first.
- `POST /cascade/events/parked/redeliver[?subscription=ID]`: put them back in line.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler

from cascade.events import store
from cascade.storage.database import Database

JSON = "application/json;charset=utf-8"


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


def event_handlers(database: Database) -> list[HTTPRouteHandler]:
    @get("/cascade/events/parked", name="cascade.parked")
    async def parked(request: Request[Any, Any, Any]) -> Response[bytes]:
        subscription = request.query_params.get("subscription")
        found = await database.read(lambda c: store.parked(c, subscription))
        body = msgspec.json.encode(parked_as_json(found))
        return Response(body, media_type=JSON, headers={"X-Result-Count": str(len(found))})

    @post("/cascade/events/parked/redeliver", name="cascade.redeliver", status_code=200)
    async def redeliver(request: Request[Any, Any, Any]) -> Response[bytes]:
        subscription = request.query_params.get("subscription")
        count = await database.write(lambda c: store.redeliver(c, subscription))
        return Response(msgspec.json.encode({"redelivered": count}), media_type=JSON)

    return [parked, redeliver]
