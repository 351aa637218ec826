"""Who looks at the console, and what they may do: sign-in, scopes, and the CSRF token.

With authentication off (`none`, loopback only) every viewer is the anonymous administrator,
as for the APIs. With API keys or JWT the viewer signs in once with the same credential a
client presents; it is kept in an HttpOnly, SameSite=Strict cookie and checked on every
request by the APIs' own authenticator, so a revoked key or an expired token ends the
session at once. A page or action asks for the scopes of the API route doing the same thing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response

from cascade.frontend.types import Caller
from cascade.security.authn import Authenticator, UnauthenticatedError
from cascade.security.principal import ANONYMOUS, Principal
from cascade.security.scopes import Scopes
from cascade.tmf.errors import TmfError

SESSION_COOKIE = "cascade_console"
CSRF_COOKIE = "cascade_csrf"
CSRF_FIELD = "csrf"
COOKIE_PATH = "/console"
MAX_CREDENTIAL = 8192


@dataclass(frozen=True)
class Viewer:
    """A signed-in operator: the principal, and the Caller its actions are made as."""

    principal: Principal
    request_id: str | None = None

    @property
    def caller(self) -> Caller:
        return self.principal.caller(self.request_id)

    @property
    def party(self) -> str | None:
        return self.principal.party


class ConsoleAuth:
    """The APIs' authenticator and scopes, applied to the console's cookie."""

    def __init__(
        self, authenticator: Authenticator | None, scopes: Scopes, public_url: str | None = None
    ) -> None:
        self.authenticator = authenticator
        self.scopes = scopes
        # Behind a proxy that rewrites Host, the browser's Origin is the public URL's.
        self.public_host = urlsplit(public_url).netloc if public_url else None

    @property
    def open(self) -> bool:
        """No sign-in: authentication is off (allowed on loopback only)."""
        return self.authenticator is None

    async def viewer(self, request: Request[Any, Any, Any]) -> Viewer | None:
        """The viewer, or None when nobody (or a revoked credential) is signed in."""
        found = request.scope.get("cascade.request_id")
        request_id = found if isinstance(found, str) else None
        if self.authenticator is None:
            return Viewer(ANONYMOUS, request_id)
        credential = request.cookies.get(SESSION_COOKIE)
        if not credential:
            return None
        principal = await self.verify(credential)
        return Viewer(principal, request_id) if principal is not None else None

    async def verify(self, credential: str) -> Principal | None:
        """The principal an API key or bearer token stands for, as the APIs authenticate."""
        if self.authenticator is None or not credential or len(credential) > MAX_CREDENTIAL:
            return None
        raw = credential.strip().encode("latin-1", "replace")
        if self.authenticator.scheme == "ApiKey":
            headers = {b"x-api-key": raw}
        else:
            headers = {b"authorization": b"Bearer " + raw}
        try:
            return await self.authenticator.authenticate(headers)
        except UnauthenticatedError:
            return None

    def may(self, viewer: Viewer, route: str) -> bool:
        """Whether the viewer holds the scopes the API route `route` needs."""
        return not self.scopes.missing(viewer.principal.scopes, route)

    def require(self, viewer: Viewer, route: str) -> None:
        """Refuses (403, as the APIs do) a viewer without the scopes of `route`."""
        missing = self.scopes.missing(viewer.principal.scopes, route)
        if missing:
            raise TmfError(
                403, "insufficientScope", f"This action needs the scope {' and '.join(missing)}"
            )


def csrf_token(request: Request[Any, Any, Any]) -> str:
    """The viewer's CSRF token: the cookie's, or a new one (set_csrf keeps it)."""
    current = request.cookies.get(CSRF_COOKIE, "")
    return current if len(current) == 43 else secrets.token_urlsafe(32)


def set_csrf(response: Response[Any], request: Request[Any, Any, Any], token: str) -> None:
    if request.cookies.get(CSRF_COOKIE) != token:
        keep(response, request, CSRF_COOKIE, token)


def keep(response: Response[Any], request: Request[Any, Any, Any], name: str, value: str) -> None:
    """Sets a console cookie: HttpOnly, SameSite=Strict, Secure behind HTTPS."""
    response.set_cookie(
        name,
        value,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


def check_csrf(
    request: Request[Any, Any, Any], form: dict[str, str], public_host: str | None = None
) -> None:
    """Refuses a form post from elsewhere: the double-submitted token, and an Origin that is
    neither the request's Host nor the configured public URL's (`public_host`)."""
    cookie = request.cookies.get(CSRF_COOKIE, "")
    sent = form.get(CSRF_FIELD, "")
    origin = request.headers.get("origin") or request.headers.get("referer")
    ours = {request.headers.get("host", ""), public_host}
    if origin and urlsplit(origin).netloc not in ours:
        raise TmfError(403, "crossSiteRequest", "This form was posted from another site")
    if not cookie or not secrets.compare_digest(cookie.encode(), sent.encode()):
        raise TmfError(
            403, "crossSiteRequest", "The form's token is missing or stale: reload the page"
        )
