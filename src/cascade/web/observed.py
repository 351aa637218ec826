"""HTTP requests counted, timed and traced: every response by route name and status.

`ObservedRequests` is the outermost middleware of a matched route (so it sees security's 401,
403 and 429 too); a request no route matched is counted by the `count_unmatched` hook, as
route `unmatched`. The route label is the handler's name (`tmf622.productOrder.create`), never
the path: a bounded set of series whatever ids clients send.
"""

from __future__ import annotations

import time
from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from cascade.telemetry import metrics, tracing

UNMATCHED = "unmatched"


class ObservedRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        route = getattr(scope.get("route_handler"), "name", None) or UNMATCHED
        method = str(scope.get("method", ""))
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        with tracing.span(f"{method} {route}", _attributes(scope, route), **_server(scope)) as span:
            try:
                await self.app(scope, receive, sending)
            finally:
                metrics.request_done(route, method, status, time.perf_counter() - started)
                if status >= 500:
                    tracing.failed(span, f"HTTP {status}")


def _attributes(scope: Scope, route: str) -> dict[str, str | int]:
    return {"http.request.method": str(scope.get("method", "")), "http.route": route}


def _server(scope: Scope) -> dict[str, Any]:
    """A server span, continuing the caller's trace (W3C traceparent) while tracing."""
    if not tracing.enabled():
        return {}
    headers = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
    return {"context": tracing.incoming(headers), "kind": tracing.SERVER}


def observed_requests(app: ASGIApp) -> ASGIApp:
    """The Litestar middleware factory."""
    return ObservedRequests(app)


async def count_unmatched(message: Message, scope: Scope) -> None:
    """A `before_send` hook: a response to a request no route matched (404, 405)."""
    if message["type"] == "http.response.start" and scope.get("route_handler") is None:
        method = str(scope.get("method", ""))
        metrics.request_done(UNMATCHED, method, int(message["status"]), None)
