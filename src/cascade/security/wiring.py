"""Builds the security pieces the application needs from the settings (composition root)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from cascade.apis import ALL_APIS
from cascade.frontend.extensions import ExtensionRoute
from cascade.frontend.resource import TmfResource
from cascade.security.apikeys import ApiKeyVerifier
from cascade.security.authn import ApiKeyAuthenticator, Authenticator, TokenAuthenticator
from cascade.security.logs import use_log_format
from cascade.security.middleware import (
    echo_request_id,
    request_context_middleware,
    security_middleware,
)
from cascade.security.openapi import Describe, describer, unchanged
from cascade.security.ratelimit import RateLimiter
from cascade.security.scopes import Scopes
from cascade.security.settings import SecuritySettings
from cascade.security.tokens import Fetch, KeySet, TokenVerifier
from cascade.storage.database import Database


@dataclass
class SecurityParts:
    """What `create_app` takes from security: middleware, hooks and descriptions."""

    middleware: list[Any] = field(default_factory=list)
    before_send: list[Any] = field(default_factory=list)
    on_startup: list[Callable[[], None]] = field(default_factory=list)
    describe: Describe = unchanged  # what the served OpenAPI descriptions declare of it
    authenticator: Authenticator | None = None  # the console signs its viewers in with it
    scopes: Scopes | None = None


def build_authenticator(
    settings: SecuritySettings, database: Database, fetch: Fetch | None = None
) -> Authenticator | None:
    if settings.auth_mode == "apikey":
        return ApiKeyAuthenticator(ApiKeyVerifier(database, settings.api_key_cache_s))
    if settings.auth_mode == "jwt":
        keys = KeySet.from_settings(settings, fetch)
        return TokenAuthenticator(TokenVerifier(settings, keys))
    return None


def enforced(settings: SecuritySettings, host: str) -> bool:
    """Whether requests are checked at all: authentication, rate limits or the audit trail.

    When they are, every resource gets an Access (party rule and audit), and the security
    middleware runs.
    """
    return settings.auth_mode != "none" or settings.rate_for(host) > 0 or settings.audited


def build_security(
    settings: SecuritySettings,
    host: str,
    resources: Mapping[str, TmfResource],
    extensions: Sequence[ExtensionRoute],
    database: Database,
    *,
    fetch: Fetch | None = None,
) -> SecurityParts:
    """Middleware and what the descriptions declare, as far as the settings ask (`resources`
    by route prefix and the extension routes, for scopes and party checks).

    Every response carries `X-Request-ID` (a `before_send` hook, about 2 us). The request-id
    context for log lines (about 3 us more) is installed when logs are JSON, access logs are on
    or security is; with authentication, audit and rate limits off (mode none on loopback,
    the default) no security middleware runs at all.
    """
    scopes = Scopes(ALL_APIS, extensions, metrics_public=settings.metrics_public)
    parts = SecurityParts(before_send=[echo_request_id], describe=describer(settings, scopes))
    if settings.log_format == "json":
        parts.on_startup.append(partial(use_log_format, "json"))
    authenticator = build_authenticator(settings, database, fetch)
    parts.authenticator, parts.scopes = authenticator, scopes
    rate = settings.rate_for(host)
    limiter = RateLimiter(rate, settings.burst_for(host)) if rate > 0 else None
    secured = enforced(settings, host)
    if secured or settings.log_format == "json" or settings.access_log:
        parts.middleware.append(request_context_middleware(settings.access_log))
    if secured:
        party_checks = {route.name: route.party for route in extensions if route.party}
        parts.middleware.append(
            security_middleware(
                authenticator=authenticator,
                limiter=limiter,
                resources=resources,
                scopes=scopes,
                party_checks=party_checks,
            )
        )
    return parts
