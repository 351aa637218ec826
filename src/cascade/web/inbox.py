"""`POST /cascade/inbox/{component}`: the next component's hub events arrive here.

The delivery's HMAC signature (docs/events.md) is checked with the secret this component chose
when it subscribed; an unsigned or wrongly signed delivery gets 401 and changes nothing. A
good one names an order or cancel task of the next layer: its mirror is nudged, and the
follower reads it back at once (the event says when to look; the GET says what is true).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from sqlalchemy import Connection

from cascade.components import links
from cascade.components.follower import INBOX_PATH, Follower
from cascade.events.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from cascade.frontend.bodies import decode_json
from cascade.frontend.extensions import ExtensionRoute
from cascade.storage.database import Database
from cascade.tmf.errors import TmfError, bad_request, not_found
from cascade.web.swagger import ERROR, operation, path_parameter


@post(f"{INBOX_PATH}/{{component:str}}", name="cascade.inbox", status_code=204)
async def inbox(
    request: Request[Any, Any, Any],
    component: FromPath[str],
    database: NamedDependency[Database],
    follower: NamedDependency[Follower],
) -> Response[None]:
    remote = follower.mirrors.remote
    if component != remote.name:
        raise not_found(f"inbox '{component}'")
    body = await request.body()
    subscription = follower.subscription
    secret = subscription.secret or await database.read(partial(_secret, subscription.hub_url))
    signature = request.headers.get(SIGNATURE_HEADER, "")
    timestamp = request.headers.get(TIMESTAMP_HEADER, "")
    if secret is None or not verify(secret, timestamp, body, signature):
        raise TmfError(
            401,
            "invalidSignature",
            f"the delivery is not signed with this component's {remote.name} secret",
        )
    entity_id = _entity_id(body)
    kinds = [kind.name for kind in remote.kinds]
    nudged = await database.write(lambda c: links.nudge(c, kinds, entity_id))
    if nudged:
        follower.wake()
    return Response(None, status_code=204)


INBOX = ExtensionRoute(
    handler=inbox,
    operation=operation(
        operationId="deliverToInbox",
        summary="Receives the next component's hub events (Cascade extension, components only)",
        description="No credentials: a delivery must carry the HMAC-SHA256 signature made "
        "with the secret this component chose when it subscribed (docs/events.md); any "
        "other is refused with 401 and changes nothing.",
        tags=["components"],
        parameters=[
            path_parameter("component", "The next component's name: som or rom"),
            {"name": "event", "in": "body", "required": True, "schema": {"type": "object"}},
        ],
        responses={
            "204": {"description": "Taken: the mirror it names is read back at once"},
            "400": {"description": "Not an event", "schema": ERROR},
            "401": {"description": "Not signed with this component's secret", "schema": ERROR},
            "404": {"description": "No such inbox", "schema": ERROR},
        },
    ),
    definitions={},
    scopes=(),  # deliveries are authenticated by their signature
    party=None,
)


def _secret(hub_url: str, connection: Connection) -> str | None:
    """The secret chosen for the subscription (before this process's follower has read it)."""
    link = next((each for each in links.links(connection) if each.hub_url == hub_url), None)
    return None if link is None else link.secret


def _entity_id(body: bytes) -> str:
    """The id of the order or cancel task an event is about."""
    event = decode_json(body)  # a 400 unless UTF-8 JSON
    payload = event.get("event") if isinstance(event, dict) else None
    for value in (payload or {}).values():
        if isinstance(value, dict) and value.get("id"):
            return str(value["id"])
    raise bad_request("the event names no entity", "invalidBody")
