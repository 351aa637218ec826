"""The ASGI middlewares: request ids and access logs for every request, then security.

`SecurityMiddleware` runs after routing (it reads the route's name): it authenticates the
request, checks the route's scopes, applies the rate limit, keeps party-bound clients to
their own orders on extension routes, and leaves the Caller in the scope for the services.
It is not installed at all when authentication, audit and rate limits are off.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import Mapping
from typing import Any

import msgspec
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from cascade.frontend.extensions import PartyCheck
from cascade.frontend.resource import TmfResource
from cascade.frontend.types import CALLER
from cascade.security.authn import Authenticator, UnauthenticatedError
from cascade.security.logs import request_id
from cascade.security.principal import ANONYMOUS, Principal
from cascade.security.ratelimit import RateLimiter, retry_after
from cascade.security.scopes import Scopes
from cascade.tmf.errors import TmfError

REQUEST_ID = "cascade.request_id"
REQUEST_ID_HEADER = b"x-request-id"
_VALID_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,64}$")
JSON = b"application/json;charset=utf-8"
access_log = logging.getLogger("cascade.access")


def _request_id(scope: Scope) -> str:
    current = scope.get(REQUEST_ID)
    if current is None:
        current = secrets.token_hex(8)
        for name, value in scope.get("headers", ()):
            if name == REQUEST_ID_HEADER and _VALID_ID.match(value):
                current = value.decode()
                break
        scope[REQUEST_ID] = current  # type: ignore[literal-required]
    return str(current)


async def echo_request_id(message: Message, scope: Scope) -> None:
    """Litestar `before_send` hook: every response carries `X-Request-ID`."""
    if message["type"] == "http.response.start":
        headers = list(message.get("headers", ()))
        headers.append((REQUEST_ID_HEADER, _request_id(scope).encode()))
        message["headers"] = headers


class RequestContextMiddleware:
    """Gives the request its id (the client's `X-Request-ID` when sane) for the logs."""

    def __init__(self, app: ASGIApp, *, log_access: bool = False) -> None:
        self.app = app
        self.log_access = log_access

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = request_id.set(_request_id(scope))
        try:
            if not self.log_access or scope["type"] != ScopeType.HTTP:
                await self.app(scope, receive, send)
                return
            await self._logged(scope, receive, send)
        finally:
            request_id.reset(token)

    async def _logged(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            caller = scope.get(CALLER)
            access_log.info(
                "%s %s %d",
                scope.get("method"),
                scope["path"],
                status[0],
                extra={
                    "method": scope.get("method"),
                    "path": scope["path"],
                    "status": status[0],
                    "durationMs": round((time.perf_counter() - started) * 1000, 2),
                    "subject": getattr(caller, "subject", None),
                },
            )


async def send_error(send: Send, error: TmfError) -> None:
    body = msgspec.json.encode(error.body())
    headers = [(b"content-type", JSON), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in error.headers.items()]
    start: Any = {"type": "http.response.start", "status": error.status, "headers": headers}
    await send(start)
    await send({"type": "http.response.body", "body": body, "more_body": False})


class SecurityMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        authenticator: Authenticator | None,
        limiter: RateLimiter | None,
        resources: Mapping[str, TmfResource],
        scopes: Scopes,
        party_checks: Mapping[str, PartyCheck],
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.limiter = limiter
        self.resources = resources  # by route prefix (tmf622.productOrder)
        self.scopes = scopes
        self.party_checks = party_checks  # by extension route name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        try:
            principal = await self._admit(scope)
        except TmfError as error:
            await send_error(send, error)
            return
        scope[CALLER] = principal.caller(_request_id(scope))  # type: ignore[literal-required]
        await self.app(scope, receive, send)

    async def _admit(self, scope: Scope) -> Principal:
        handler = scope.get("route_handler")
        route = getattr(handler, "name", None)
        principal = ANONYMOUS
        if self.authenticator is not None and self.scopes.required(route):
            headers = dict(scope.get("headers", ()))
            try:
                principal = await self.authenticator.authenticate(headers)
            except UnauthenticatedError as exc:
                raise TmfError(
                    401, "unauthorized", exc.message, headers={"WWW-Authenticate": exc.challenge}
                ) from None
        missing = self.scopes.missing(principal.scopes, route)
        if missing:
            raise TmfError(
                403,
                "insufficientScope",
                f"This call needs the scope {' and '.join(missing)}",
                headers={
                    "WWW-Authenticate": f'Bearer error="insufficient_scope", '
                    f'scope="{" ".join(missing)}"'
                },
            )
        self._limit(scope, principal)
        check = self.party_checks.get(route or "")
        if principal.party and check is not None:
            await self._check_extension(scope, principal, check)
        return principal

    def _limit(self, scope: Scope, principal: Principal) -> None:
        if self.limiter is None:
            return
        client = principal.subject
        if principal is ANONYMOUS:
            address = scope.get("client")
            client = f"address:{address[0] if address else '?'}"
        wait = self.limiter.wait_for(client)
        if wait > 0:
            raise TmfError(
                429,
                "tooManyRequests",
                f"Too many requests: at most {self.limiter.rate:g} per second",
                headers={"Retry-After": retry_after(wait)},
            )

    async def _check_extension(self, scope: Scope, principal: Principal, check: PartyCheck) -> None:
        """The entity the extension's path names must be one the caller's party sees."""
        entity_id = str(scope.get("path_params", {}).get(check.parameter, ""))
        caller = principal.caller(None)
        await self.resources[check.resource].retrieve(entity_id, None, caller)  # 404 otherwise


def security_middleware(**options: Any) -> Any:
    """A Litestar middleware factory for SecurityMiddleware with these options."""

    def factory(app: ASGIApp) -> ASGIApp:
        return SecurityMiddleware(app, **options)

    return factory


def request_context_middleware(log_access: bool) -> Any:
    def factory(app: ASGIApp) -> ASGIApp:
        return RequestContextMiddleware(app, log_access=log_access)

    return factory
